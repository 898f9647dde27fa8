"""HTTP mode end to end: signed requests to the bot's real endpoint; posts land on the fake Web API."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from bot.platforms.slack.payloads import ACTION_SHARE, HELP
from tests.conftest import IBM_QUOTE

from .conftest import BOT_TOKEN, HttpSlack, fixture

IBM_DATE = "2020-06-09"
SCOTT = "legislation sponsored by Sen. Tim Scott"


def blocks_text(blocks: list[dict[str, Any]]) -> str:
    """All the mrkdwn of a message's sections and context lines, joined."""
    parts = []
    for block in blocks:
        if block["type"] == "section":
            parts.append(block["text"]["text"])
        elif block["type"] == "context":
            parts.extend(e["text"] for e in block["elements"])
    return "\n".join(parts)


async def test_acceptance_signed_mention_gets_one_threaded_answer_and_a_retry_gets_none(http_slack: HttpSlack) -> None:
    event = fixture("app_mention.json")
    status, _ = await http_slack.event(event)
    assert status == 200
    await http_slack.outcomes.wait(1)
    posts = http_slack.fake.posts()
    assert len(posts) == 1
    post = posts[0]
    assert post.token == BOT_TOKEN
    assert post.args["channel"] == "C0NEWS"
    assert post.args["thread_ts"] == event["event"]["ts"]
    assert IBM_QUOTE in post.args["text"] and IBM_DATE in post.args["text"]
    blocks = json.loads(post.args["blocks"]) if isinstance(post.args["blocks"], str) else post.args["blocks"]
    shown = blocks_text(blocks)
    assert "*IBM* no longer offers general purpose *IBM facial recognition* or analysis *software*" in shown
    assert IBM_DATE in shown

    status, _ = await http_slack.event(event, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
    assert status == 200
    outcomes = await http_slack.outcomes.wait(2)
    assert (outcomes[1].result, outcomes[1].detail) == ("duplicate", "event_id")
    assert len(http_slack.fake.posts()) == 1


@pytest.mark.parametrize("how", ["bad signature", "stale timestamp", "no signature"])
async def test_unverified_requests_get_401_and_nothing_is_posted(http_slack: HttpSlack, how: str) -> None:
    calls_before = len(http_slack.fake.calls)
    body = json.dumps(fixture("app_mention.json"))
    if how == "bad signature":
        status, _ = await http_slack.send(body, "application/json", signature="v0=" + "0" * 64)
    elif how == "stale timestamp":
        status, _ = await http_slack.send(body, "application/json", timestamp=int(time.time()) - 5 * 60 - 30)
    else:
        status, _ = await http_slack.send(body, "application/json", signature="")
    assert status == 401
    # a good request afterwards is answered, so the bad one had every chance to post first
    await http_slack.event(fixture("message_im.json"))
    await http_slack.outcomes.wait(1)
    assert [o.trigger for o in http_slack.outcomes] == ["message"]
    new = http_slack.fake.calls[calls_before:]
    assert [c.args["channel"] for c in new if c.method == "chat.postMessage"] == ["D0DIRECT"]


@pytest.mark.parametrize("order", [("app_mention.json", "message_mention.json"), ("message_mention.json", "app_mention.json")])
async def test_app_mention_and_message_for_the_same_post_answer_once(http_slack: HttpSlack, order: tuple[str, str]) -> None:
    for name in order:
        assert (await http_slack.event(fixture(name)))[0] == 200
    outcomes = await http_slack.outcomes.wait(2)
    assert sorted(o.result for o in outcomes) == ["answered", "duplicate"]
    assert [o.detail for o in outcomes if o.result == "duplicate"] == ["channel and ts"]
    posts = http_slack.fake.posts()
    assert len(posts) == 1 and posts[0].args["thread_ts"] == "1591700000.000100"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("bot_message.json", "subtype bot_message"),
        ("own_message.json", None),  # bolt's own middleware drops it before our handler
        ("message_changed.json", "subtype message_changed"),
        ("message_deleted.json", "subtype message_deleted"),
        ("message_channel_plain.json", "channel message without a mention"),
    ],
)
async def test_bot_messages_edits_deletions_and_unmentioned_chatter_get_no_answer(
    http_slack: HttpSlack, name: str, reason: str | None
) -> None:
    assert (await http_slack.event(fixture(name)))[0] == 200
    await http_slack.event(fixture("message_im.json"))  # a question after it, to know the first was processed
    outcomes = await http_slack.outcomes.wait(2 if reason else 1)
    if reason:
        assert (outcomes[0].result, outcomes[0].detail) == ("ignored", reason)
    assert outcomes[-1].result == "answered"
    assert [p.args["channel"] for p in http_slack.fake.posts()] == ["D0DIRECT"]


async def test_direct_message_is_answered_in_the_dm_without_a_thread(http_slack: HttpSlack) -> None:
    await http_slack.event(fixture("message_im.json"))
    await http_slack.outcomes.wait(1)
    (post,) = http_slack.fake.posts()
    assert post.args["channel"] == "D0DIRECT"
    assert "thread_ts" not in post.args
    assert SCOTT in post.args["text"]


async def test_mention_inside_a_thread_is_answered_in_that_thread(http_slack: HttpSlack) -> None:
    await http_slack.event(fixture("app_mention_in_thread.json"))
    await http_slack.outcomes.wait(1)
    (post,) = http_slack.fake.posts()
    assert post.args["thread_ts"] == "1591700050.000200"
    assert SCOTT in post.args["text"]


async def test_empty_mention_gets_the_help_message(http_slack: HttpSlack) -> None:
    await http_slack.event(fixture("app_mention_empty.json"))
    assert (await http_slack.outcomes.wait(1))[0].result == "help"
    (post,) = http_slack.fake.posts()
    assert post.args["text"] == HELP and post.args["thread_ts"] == "1591700200.000400"


async def test_allow_list_ignores_other_channels_but_answers_dms(start_http, slack_config) -> None:  # type: ignore[no-untyped-def]
    slack_config.slack.allowed_channels = ["C0ELSEWHERE"]
    slack: HttpSlack = await start_http(slack_config)
    await slack.event(fixture("app_mention.json"))
    await slack.event(fixture("message_im.json"))
    outcomes = await slack.outcomes.wait(2)
    assert sorted((o.trigger, o.result) for o in outcomes) == [("app_mention", "ignored"), ("message", "answered")]
    assert [p.args["channel"] for p in slack.fake.posts()] == ["D0DIRECT"]
    await slack.command(fixture("slash_ask.json", response_url=slack.fake.response_url("ask")))
    assert (await slack.outcomes.wait(3))[2].result == "ignored"
    (note,) = slack.fake.posts("response_url")
    assert note.args["response_type"] == "ephemeral" and "direct message" in note.args["text"]


async def test_url_verification_echoes_the_challenge(http_slack: HttpSlack) -> None:
    status, text = await http_slack.event({"token": "x", "challenge": "c-123", "type": "url_verification"})
    assert status == 200 and "c-123" in text


async def test_malformed_signed_body_is_refused_without_crashing(http_slack: HttpSlack) -> None:
    status, _ = await http_slack.send("{not json", "application/json")
    assert status == 400
    status, _ = await http_slack.send("{not json", "application/json", signature="v0=bad")
    assert status == 401  # the signature is checked on the raw bytes before anything parses them
    await http_slack.event(fixture("message_im.json"))
    assert (await http_slack.outcomes.wait(1))[0].result == "answered"


async def test_slash_command_is_acked_at_once_and_answered_privately_with_a_share_button(http_slack: HttpSlack) -> None:
    fields = fixture("slash_ask.json", response_url=http_slack.fake.response_url("ask"))
    status, body = await http_slack.command(fields)
    assert status == 200 and body == ""
    await http_slack.outcomes.wait(1)
    (reply,) = http_slack.fake.posts("response_url")
    assert reply.args["response_type"] == "ephemeral"
    assert IBM_QUOTE in reply.args["text"]
    buttons = {e["action_id"]: e for e in reply.args["blocks"][-1]["elements"]}
    assert ACTION_SHARE in buttons and "quotebot_more" in buttons
    assert not http_slack.fake.posts()  # nothing in the channel yet


async def test_slash_command_with_why_shows_which_words_matched(http_slack: HttpSlack) -> None:
    fields = fixture("slash_ask.json", response_url=http_slack.fake.response_url("ask"))
    fields["text"] = "--why " + fields["text"]
    await http_slack.command(fields)
    await http_slack.outcomes.wait(1)
    (reply,) = http_slack.fake.posts("response_url")
    contexts = [e["text"] for b in reply.args["blocks"] if b["type"] == "context" for e in b["elements"]]
    why = [t for t in contexts if t.startswith("_why:_")]
    assert len(why) == 3 and "words (BM25): IBM" in why[0]
    assert IBM_QUOTE in reply.args["text"] and "--why" not in json.dumps(reply.args["blocks"])


async def test_bare_slash_command_gets_help(http_slack: HttpSlack) -> None:
    fields = fixture("slash_ask.json", response_url=http_slack.fake.response_url("ask"))
    fields["text"] = "   "
    await http_slack.command(fields)
    assert (await http_slack.outcomes.wait(1))[0].result == "help"
    (reply,) = http_slack.fake.posts("response_url")
    assert reply.args["text"] == HELP and reply.args["response_type"] == "ephemeral"


async def test_a_failing_post_is_logged_and_the_bot_keeps_answering(http_slack: HttpSlack) -> None:
    http_slack.fake.failing["chat.postMessage"] = "not_in_channel"
    await http_slack.event(fixture("app_mention.json"))
    outcome = (await http_slack.outcomes.wait(1))[0]
    assert (outcome.result, outcome.detail) == ("error", "Slack API error not_in_channel")
    attempts = http_slack.fake.posts()
    assert len(attempts) == 2 and attempts[1].args["text"].startswith("Sorry")  # the answer, then the apology
    http_slack.fake.failing.clear()
    await http_slack.event(fixture("message_im.json"))
    assert (await http_slack.outcomes.wait(2))[1].result == "answered"
