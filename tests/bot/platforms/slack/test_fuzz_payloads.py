"""Hypothesis: random and malformed Slack payloads, signed, through the real HTTP endpoint never 500 and never
escape the handlers (no listener error reaches bolt, no outcome is an error)."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import HttpSlack

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)
TEXT = st.text(max_size=80) | st.sampled_from(["<@UQUOTEBOT>", "<@UQUOTEBOT> IBM facial recognition", "<!here>", "&amp;<#C1|x>"])
ANY = JSON | TEXT


def maybe(value: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """The value, or something of the wrong type."""
    return value | ANY


EVENT = st.fixed_dictionaries(
    {},
    optional={
        "type": maybe(st.sampled_from(["app_mention", "message", "reaction_added", "app_home_opened"])),
        "user": maybe(st.sampled_from(["U0ASKER", "UQUOTEBOT", ""])),
        "text": maybe(TEXT),
        "ts": maybe(st.sampled_from(["1591700000.000100", "1.2", ""])),
        "thread_ts": ANY,
        "channel": maybe(st.sampled_from(["C0NEWS", "D0DIRECT", "G1", ""])),
        "channel_type": maybe(st.sampled_from(["im", "channel"])),
        "subtype": maybe(st.sampled_from(["bot_message", "message_changed"])),
        "bot_id": ANY,
        "blocks": ANY,
    },
)
ENVELOPE = st.fixed_dictionaries(
    {"type": maybe(st.just("event_callback")), "event": maybe(EVENT)},
    optional={"event_id": maybe(st.text(min_size=1, max_size=12)), "team_id": ANY, "authorizations": ANY, "challenge": ANY},
)
ACTION = st.fixed_dictionaries(
    {"type": maybe(st.sampled_from(["block_actions", "view_submission", "shortcut"]))},
    optional={
        "actions": maybe(
            st.lists(
                st.fixed_dictionaries(
                    {"action_id": maybe(st.sampled_from(["quotebot_more", "quotebot_share", "quotebot_vote_up"]))},
                    optional={"value": maybe(st.sampled_from(['{"q":"IBM","o":3}', '{"q":1}', "[]", "{"]))},
                ),
                max_size=2,
            )
        ),
        "user": maybe(st.fixed_dictionaries({"id": ANY})),
        "channel": maybe(st.fixed_dictionaries({"id": ANY})),
        "container": ANY,
        "message": ANY,
        "response_url": ANY,
        "team": ANY,
    },
)
COMMAND = st.dictionaries(
    st.sampled_from(["command", "text", "user_id", "channel_id", "trigger_id", "team_id", "response_url", "ssl_check"]),
    st.text(max_size=40) | st.sampled_from(["/ask", "IBM facial recognition"]),
    max_size=8,
)


@st.composite
def bodies(draw: st.DrawFn) -> tuple[str, str]:
    """A request body and its content type: JSON events, forms, interactivity payloads, or junk."""
    kind = draw(st.sampled_from(["event", "json", "command", "action", "junk"]))
    if kind == "event":
        return json.dumps(draw(ENVELOPE)), "application/json"
    if kind == "json":
        return json.dumps(draw(JSON)), "application/json"
    if kind == "command":
        return urlencode(draw(COMMAND)), "application/x-www-form-urlencoded"
    if kind == "action":
        payload = draw(ACTION | JSON)
        return urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded"
    ctype = draw(st.sampled_from(["application/json", "application/x-www-form-urlencoded", "text/plain", ""]))
    return draw(st.text(max_size=200)), ctype


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=bodies())
async def test_random_signed_payloads_never_500_or_escape_a_handler(
    http_slack: HttpSlack, caplog: pytest.LogCaptureFixture, body: tuple[str, str]
) -> None:
    caplog.set_level(logging.ERROR)
    text, content_type = body
    status, _ = await http_slack.send(text, content_type)
    assert status < 500, (status, text)
    async with asyncio.timeout(10):  # let the handlers bolt started in the background finish
        while http_slack.service.answers.lifecycle.in_flight:
            await asyncio.sleep(0.005)
        await asyncio.sleep(0.01)
    assert not [o for o in http_slack.outcomes if o.result == "error"], http_slack.outcomes
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], [r.getMessage() for r in caplog.records]
