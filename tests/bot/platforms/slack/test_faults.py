"""Faults on Slack's side: 429 with Retry-After, 5xx, dropped connections and slow responses are retried
by slack_sdk's retry handlers, and no answer is ever posted twice."""

from __future__ import annotations

import asyncio

import pytest

from tests.conftest import IBM_QUOTE

from .conftest import HttpSlack, fixture
from .fake_slack import Fault


def dm(n: int, user: str = "U0ASKER") -> dict[str, object]:
    """The DM fixture as a distinct event ``n`` (its own event id and ts)."""
    payload = fixture("message_im.json")
    payload["event_id"] = f"Ev0DM{n}"
    payload["event"]["ts"] = payload["event"]["event_ts"] = f"1591700300.{n:06d}"
    payload["event"]["user"] = user
    return payload


@pytest.mark.parametrize(
    "faults",
    [
        [Fault("ratelimited", retry_after=1)],
        [Fault("server_error", status=500), Fault("server_error", status=503)],
        [Fault("drop")],
        [Fault("drop"), Fault("ratelimited", retry_after=0)],
    ],
    ids=["429 with Retry-After", "500 then 503", "dropped connection", "drop then 429"],
)
async def test_a_refused_post_is_retried_and_posted_exactly_once(http_slack: HttpSlack, faults: list[Fault]) -> None:
    http_slack.fake.inject("chat.postMessage", *faults)
    assert (await http_slack.event(fixture("app_mention.json")))[0] == 200
    (outcome,) = await http_slack.outcomes.wait(1)
    assert outcome.result == "answered"
    (post,) = http_slack.fake.posts()
    assert IBM_QUOTE in post.args["text"]
    attempts = [kind for method, kind in http_slack.fake.attempts if method == "chat.postMessage"]
    assert attempts == [f.kind for f in faults] + [""]


async def test_a_retried_delivery_during_a_slow_post_is_not_answered_again(http_slack: HttpSlack) -> None:
    http_slack.fake.inject("chat.postMessage", Fault("slow", delay=1.0))
    event = fixture("app_mention.json")
    assert (await http_slack.event(event))[0] == 200
    await http_slack.fake.wait_for(lambda: len(http_slack.fake.attempts) >= 2)  # auth.test, then the slow post
    # Slack retries while the answer is still being posted; another question arrives meanwhile.
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    assert (await http_slack.event(event, headers=retry))[0] == 200
    assert (await http_slack.event(dm(1)))[0] == 200
    outcomes = await http_slack.outcomes.wait(3)
    assert sorted(o.result for o in outcomes) == ["answered", "answered", "duplicate"]
    assert outcomes[0].result == "duplicate"  # the retry is refused at once, before the slow post ends
    assert sorted(p.args["channel"] for p in http_slack.fake.posts()) == ["C0NEWS", "D0DIRECT"]


async def test_the_bot_keeps_answering_while_posts_are_slow(http_slack: HttpSlack) -> None:
    http_slack.fake.inject("chat.postMessage", *[Fault("slow", delay=0.3)] * 4)
    statuses = await asyncio.gather(*(http_slack.event(dm(n, user=f"U{n}")) for n in range(4)))
    assert statuses and all(status == 200 for status, _ in statuses)
    outcomes = await http_slack.outcomes.wait(4)
    assert [o.result for o in outcomes] == ["answered"] * 4
    assert [p.args["channel"] for p in http_slack.fake.posts()] == ["D0DIRECT"] * 4
