"""The answer's buttons: "More results" pages on, 👍 / 👎 go to the feedback log, and a timeout disables them."""

from __future__ import annotations

import json
from pathlib import Path

from tests.bot.platforms.discord.conftest import Start
from tests.bot.platforms.discord.fake_discord import FakeDiscord, fixture
from tests.bot.platforms.discord.helpers import (
    CALLBACK,
    CHANNEL_MESSAGES,
    ORIGINAL,
    assert_no_pings,
    buttons,
    callbacks_for,
    click,
    sent_message,
)
from tests.conftest import IBM_QUOTE


async def _ask(fake: FakeDiscord) -> dict:
    await fake.dispatch("INTERACTION_CREATE", fixture("interaction_ask"))
    (callback,) = await fake.wait_for_call("POST", CALLBACK)
    return sent_message(callback)


async def test_more_results_replaces_the_quotes_with_the_next_page(fake: FakeDiscord, start: Start) -> None:
    await start(fake)
    first = await _ask(fake)
    assert first["embeds"][0]["footer"]["text"].startswith("quotes 1–3")
    await fake.dispatch("INTERACTION_CREATE", click(fake, first, "More results", "1300000000000000301"))
    (callback,) = await fake.wait_for(lambda: callbacks_for(fake, "1300000000000000301"))
    assert callback.status == 200
    assert callback.body["type"] == 7  # UPDATE_MESSAGE: the same message now shows quotes 4–6
    embed = callback.body["data"]["embeds"][0]
    assert embed["footer"]["text"].startswith("quotes 4–6")
    assert IBM_QUOTE not in embed["description"].replace("**", "")
    assert embed["description"].split("\n\n")[0] not in first["embeds"][0]["description"]
    assert_no_pings(fake)


async def test_votes_go_to_the_feedback_log_once_per_user(fake: FakeDiscord, start: Start) -> None:
    run = await start(fake)
    first = await _ask(fake)
    await fake.dispatch("INTERACTION_CREATE", click(fake, first, "👍", "1300000000000000311"))
    await fake.dispatch("INTERACTION_CREATE", click(fake, first, "👍", "1300000000000000312"))  # the same user again
    await fake.dispatch("INTERACTION_CREATE", click(fake, first, "👎", "1300000000000000313", user_id="1000000000000000044"))
    await fake.wait_for_call("POST", CALLBACK, count=4)
    thanks, again, other = (callbacks_for(fake, f"130000000000000031{i}")[0] for i in (1, 2, 3))
    for record in (thanks, again, other):
        assert record.body["type"] == 4 and record.body["data"]["flags"] & 64  # only the voter sees the reply
    assert "Thanks" in thanks.body["data"]["content"] and "👍" in thanks.body["data"]["content"]
    assert "already rated" in again.body["data"]["content"]

    lines = Path(run.config.feedback.path).read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert [(r["platform"], r["user"], r["vote"]) for r in records] == [
        ("discord", "1000000000000000043", "up"),
        ("discord", "1000000000000000044", "down"),
    ]
    assert records[0]["question"] == "Does IBM still sell facial recognition software?"
    assert records[0]["passages"][0]["text"].startswith(IBM_QUOTE)
    assert_no_pings(fake)


async def test_interaction_answer_buttons_are_disabled_after_the_timeout(fake: FakeDiscord, start: Start) -> None:
    await start(fake, view_timeout=0.2)
    await _ask(fake)
    (edit,) = await fake.wait_for_call("PATCH", ORIGINAL)
    assert edit.path.split("/")[-3] == fixture("interaction_ask")["token"]
    shown = buttons(edit.body)
    assert set(shown) == {"More results", "👍", "👎"}
    assert all(button["disabled"] for button in shown.values())
    assert edit.body["allowed_mentions"] == {"parse": []}


async def test_reply_buttons_are_disabled_after_the_timeout(fake: FakeDiscord, start: Start) -> None:
    await start(fake, view_timeout=0.2)
    await fake.dispatch("MESSAGE_CREATE", fixture("message_mention"))
    (reply,) = await fake.wait_for_call("POST", CHANNEL_MESSAGES)
    (edit,) = await fake.wait_for_call("PATCH", r"/channels/\d+/messages/\d+")
    assert edit.path.endswith(f"/messages/{sent_message(reply)['id']}")
    assert all(button["disabled"] for button in buttons(edit.body).values())
    assert_no_pings(fake)


async def test_a_paged_answer_is_not_disabled_by_the_old_view(fake: FakeDiscord, start: Start) -> None:
    # After "More results" the first page's view is stopped: only the new page's view times out and edits.
    await start(fake, view_timeout=0.3)
    first = await _ask(fake)
    await fake.dispatch("INTERACTION_CREATE", click(fake, first, "More results", "1300000000000000321"))
    (edit,) = await fake.wait_for_call("PATCH", ORIGINAL)
    assert edit.path.split("/")[-3] == "token-1300000000000000321"
    assert not [r for r in fake.calls("PATCH", ORIGINAL) if fixture("interaction_ask")["token"] in r.path]
