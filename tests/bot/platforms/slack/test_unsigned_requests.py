"""Requests with missing, malformed or wrong signatures get 401, undecodable or over-deep signed bodies 400:
never a 500, never a traceback, and one log line per kind of refusal however many arrive."""

from __future__ import annotations

import json
import logging
import time

import aiohttp
import pytest

from bot.platforms.slack.verify import sign

from .conftest import SIGNING_SECRET, HttpSlack

NOW = str(int(time.time()))
URL_VERIFICATION = json.dumps({"type": "url_verification", "token": "x", "challenge": "abc"}).encode()


async def post(url: str, body: bytes, headers: dict[str, str], content_type: str = "application/json") -> int:
    """POST raw bytes with exactly ``headers``; return the status."""
    async with aiohttp.ClientSession() as session:
        async with session.post(url, data=body, headers={"Content-Type": content_type, **headers}) as response:
            return response.status


def signed(body: bytes, timestamp: str = NOW) -> dict[str, str]:
    """Valid signature headers for ``body``."""
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": sign(SIGNING_SECRET, timestamp, body)}


BAD_HEADERS = {
    "no headers": {},
    "no signature": {"X-Slack-Request-Timestamp": NOW},
    "no timestamp": {"X-Slack-Signature": "v0=" + "0" * 64},
    "empty timestamp": {"X-Slack-Request-Timestamp": "", "X-Slack-Signature": "v0=" + "0" * 64},
    "non-numeric timestamp": {"X-Slack-Request-Timestamp": "yesterday", "X-Slack-Signature": "v0=" + "0" * 64},
    "5,000-digit timestamp": {"X-Slack-Request-Timestamp": "9" * 5000, "X-Slack-Signature": "v0=" + "0" * 64},
    "non-ASCII signature": {"X-Slack-Request-Timestamp": NOW, "X-Slack-Signature": "v0=\u00e9" * 20},
    "empty signature": {"X-Slack-Request-Timestamp": NOW, "X-Slack-Signature": ""},
    "wrong signature": {"X-Slack-Request-Timestamp": NOW, "X-Slack-Signature": "v0=" + "0" * 64},
}


BODIES = {"url_verification": URL_VERIFICATION, "ssl_check": b'{"type": "ssl_check"}', "not UTF-8": b"\xff\xfe no", "deep": b"[" * 5000}


async def test_a_badly_signed_request_gets_401_and_no_traceback(http_slack: HttpSlack, caplog: pytest.LogCaptureFixture) -> None:
    statuses = {}
    with caplog.at_level(logging.DEBUG):
        for header_case, headers in BAD_HEADERS.items():
            for body_case, body in BODIES.items():
                statuses[header_case, body_case] = await post(http_slack.url, body, headers)
    assert {case: status for case, status in statuses.items() if status != 401} == {}
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]
    assert http_slack.outcomes == []


async def test_a_flood_of_unsigned_requests_writes_one_log_line(http_slack: HttpSlack, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG):
        statuses = [await post(http_slack.url, URL_VERIFICATION, {}) for _ in range(200)]
    assert set(statuses) == {401}
    refusals = [r for r in caplog.records if "refused" in r.getMessage()]
    assert len(refusals) == 1
    assert not [r for r in caplog.records if r.exc_info]


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b'{"type": "event_callback", "event": {"text": "caf\xe9"}}', "application/json"),
        (b"[" * 5000 + b"]" * 5000, "application/json"),
        (b'{"a":' * 3000 + b"1" + b"}" * 3000, "application/json"),
        (b"payload=" + b"%5B" * 5000, "application/x-www-form-urlencoded"),
    ],
    ids=["not UTF-8", "5,000 nested arrays", "3,000 nested objects", "form payload nested 5,000 deep"],
)
async def test_a_signed_but_undecodable_or_too_deep_body_gets_400(
    http_slack: HttpSlack, body: bytes, content_type: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        assert await post(http_slack.url, body, signed(body), content_type) == 400
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


async def test_a_signed_url_verification_is_still_answered(http_slack: HttpSlack) -> None:
    async with aiohttp.ClientSession() as session:
        headers = {"Content-Type": "application/json", **signed(URL_VERIFICATION)}
        async with session.post(http_slack.url, data=URL_VERIFICATION, headers=headers) as response:
            assert response.status == 200
            assert "abc" in await response.text()
