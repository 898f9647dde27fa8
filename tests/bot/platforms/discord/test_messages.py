"""Mentions and DMs through the fake gateway: answered as replies; bots, @everyone and content-less messages ignored."""

from __future__ import annotations

import pytest

from tests.bot.platforms.discord.conftest import Start
from tests.bot.platforms.discord.fake_discord import FakeDiscord, fixture
from tests.bot.platforms.discord.helpers import CHANNEL_MESSAGES, assert_no_pings, buttons
from tests.conftest import IBM_QUOTE


async def test_mention_is_answered_as_a_reply_without_pinging(fake: FakeDiscord, start: Start) -> None:
    run = await start(fake)
    message = fixture("message_mention")
    await fake.dispatch("MESSAGE_CREATE", message)
    (reply,) = await fake.wait_for_call("POST", CHANNEL_MESSAGES)
    assert reply.path.endswith(f"/channels/{message['channel_id']}/messages")
    assert reply.body["message_reference"]["message_id"] == int(message["id"])
    assert reply.body["allowed_mentions"] == {"parse": [], "replied_user": False}
    (embed,) = reply.body["embeds"]
    assert embed["title"] == "Does IBM still sell facial recognition software?"  # the mention is stripped
    assert IBM_QUOTE in embed["description"].replace("**", "")
    assert set(buttons(reply.body)) == {"More results", "👍", "👎"}
    # the content of a mention arrives without the privileged message-content intent
    identify = next(frame["d"] for _, frame in fake.received if frame["op"] == 2)
    assert not identify["intents"] & (1 << 15)
    assert run.client.intents.message_content is False


async def test_dm_is_answered_as_a_reply(fake: FakeDiscord, start: Start) -> None:
    await start(fake)
    message = fixture("message_dm")
    await fake.dispatch("MESSAGE_CREATE", message)
    (reply,) = await fake.wait_for_call("POST", CHANNEL_MESSAGES)
    assert reply.path.endswith(f"/channels/{message['channel_id']}/messages")
    assert reply.body["message_reference"]["message_id"] == int(message["id"])
    # "What did IBM say about facial recognition?": the quotes are the seed article's sentences on it.
    description = reply.body["embeds"][0]["description"].replace("**", "")
    assert "facial recognition" in description and "2020-06-09" in description
    assert_no_pings(fake)


def _own_message() -> dict:
    message = fixture("message_mention")
    message["id"] = "1400000000000000009"
    message["author"] = fixture("bot_user")
    return message


IGNORED = {
    "another bot": fixture("message_from_bot"),
    "the bot itself": _own_message(),
    "@everyone without a mention": fixture("message_everyone"),
    "channel chatter (no content without the intent)": fixture("message_no_content"),
}


@pytest.mark.parametrize("message", IGNORED.values(), ids=IGNORED.keys())
async def test_messages_not_for_the_bot_are_ignored(fake: FakeDiscord, start: Start, message: dict) -> None:
    await start(fake)
    await fake.dispatch("MESSAGE_CREATE", message)
    await _dm_is_the_only_reply(fake)


async def test_an_edited_mention_is_not_answered_again(fake: FakeDiscord, start: Start) -> None:
    # the original was answered when it was sent; an edit (MESSAGE_UPDATE) is not a new question
    await start(fake)
    await fake.dispatch("MESSAGE_UPDATE", fixture("message_update"))
    await _dm_is_the_only_reply(fake)


async def _dm_is_the_only_reply(fake: FakeDiscord) -> None:
    # A DM sent after it is answered; messages are handled in order, so by then the first was ignored.
    await fake.dispatch("MESSAGE_CREATE", fixture("message_dm"))
    (reply,) = await fake.wait_for_call("POST", CHANNEL_MESSAGES)
    assert reply.body["message_reference"]["message_id"] == int(fixture("message_dm")["id"])
    assert len(fake.calls("POST", CHANNEL_MESSAGES)) == 1


async def test_a_redelivered_message_is_answered_once(fake: FakeDiscord, start: Start) -> None:
    run = await start(fake)
    message = fixture("message_mention")
    await fake.dispatch("MESSAGE_CREATE", message)
    await fake.dispatch("MESSAGE_CREATE", message)
    await fake.wait_for_call("POST", CHANNEL_MESSAGES)
    await fake.dispatch("MESSAGE_CREATE", fixture("message_dm"))
    await fake.wait_for_call("POST", CHANNEL_MESSAGES, count=2)
    await run.client.close()
    replied_to = [r.body["message_reference"]["message_id"] for r in fake.calls("POST", CHANNEL_MESSAGES)]
    assert sorted(replied_to) == sorted([int(message["id"]), int(fixture("message_dm")["id"])])


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("<@1100000000000000001>", "Ask me a question"),
        ("<@!1100000000000000001> " + "facial recognition " * 100, "That question is too long"),
        ("<@1100000000000000001> @everyone <@&5> **IBM** facial recognition?", "IBM"),
    ],
    ids=["bare mention", "too long", "adversarial"],
)
async def test_odd_mentions_get_a_safe_answer(fake: FakeDiscord, start: Start, content: str, expected: str) -> None:
    await start(fake)
    message = fixture("message_mention")
    message["content"] = content
    await fake.dispatch("MESSAGE_CREATE", message)
    (reply,) = await fake.wait_for_call("POST", CHANNEL_MESSAGES)
    embed = reply.body["embeds"][0]
    title = embed.get("title", "")
    assert expected in title + embed["description"]
    assert "@everyone" not in title and "<@" not in title.replace("\\<@", "")
    assert_no_pings(fake)


def _without(name: str, key: str) -> dict:
    payload = fixture(name)
    del payload[key]
    return payload


MALFORMED = {
    "interaction without a token": ("INTERACTION_CREATE", _without("interaction_ask", "token")),
    "interaction without data": ("INTERACTION_CREATE", _without("interaction_ask", "data")),
    "message without an author": ("MESSAGE_CREATE", _without("message_mention", "author")),
    "message with a non-numeric channel": ("MESSAGE_CREATE", {**fixture("message_dm"), "channel_id": "general"}),
}


@pytest.mark.parametrize(("event", "payload"), MALFORMED.values(), ids=MALFORMED.keys())
async def test_malformed_events_do_not_stop_the_bot(fake: FakeDiscord, start: Start, event: str, payload: dict) -> None:
    run = await start(fake)
    await fake.dispatch(event, payload)
    await fake.dispatch("MESSAGE_CREATE", fixture("message_dm"))
    (reply,) = await fake.wait_for_call("POST", CHANNEL_MESSAGES)
    assert reply.status == 200 and not run.client.is_closed()
    assert fake.connections == 1
