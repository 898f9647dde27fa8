"""The answer's buttons, clicked through the real HTTP endpoint: share, more results, 👍 / 👎."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bot.messages import EXPIRED_BUTTON
from bot.platforms.slack.payloads import ACTION_MORE, ACTION_SHARE, ACTION_VOTE_DOWN, ACTION_VOTE_UP
from tests.conftest import IBM_QUOTE

from .conftest import HttpSlack, fixture

QUESTION = "Does IBM still sell facial recognition software?"


def buttons(message: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The buttons of a message body, by action id."""
    blocks = message["blocks"]
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    return {e["action_id"]: e for e in blocks[-1]["elements"]} if blocks[-1]["type"] == "actions" else {}


def click(
    slack: HttpSlack, button: dict[str, Any], *, ephemeral: bool, name: str = "click", user: str = "U0CLICKER"
) -> dict[str, Any]:
    """A ``block_actions`` payload for a click on ``button``."""
    payload = fixture(
        "block_actions.json", response_url=slack.fake.response_url(name), action_id=button["action_id"], value=button["value"]
    )
    payload["container"]["is_ephemeral"] = ephemeral
    payload["user"]["id"] = user
    if ephemeral:
        del payload["message"]
    return payload


async def ask_privately(slack: HttpSlack) -> dict[str, Any]:
    """Run ``/ask`` and return the private answer's body."""
    await slack.command(fixture("slash_ask.json", response_url=slack.fake.response_url("ask")))
    await slack.outcomes.wait(1)
    return slack.fake.posts("response_url")[0].args


async def mention(slack: HttpSlack) -> dict[str, Any]:
    """Mention the bot and return the posted answer's arguments."""
    await slack.event(fixture("app_mention.json"))
    await slack.outcomes.wait(1)
    return slack.fake.posts()[0].args


async def test_share_posts_the_answer_for_everyone_with_the_question_restated(http_slack: HttpSlack) -> None:
    private = await ask_privately(http_slack)
    status, body = await http_slack.action(click(http_slack, buttons(private)[ACTION_SHARE], ephemeral=True, name="share"))
    assert status == 200 and body == ""
    outcomes = await http_slack.outcomes.wait(2)
    assert outcomes[1].result == "shared"
    shared, deleted = [c.args for c in http_slack.fake.posts("response_url") if c.path.endswith("/share")]
    assert shared["response_type"] == "in_channel" and shared["replace_original"] is False
    assert shared["blocks"][0]["text"]["text"] == f"*Q:* {QUESTION}"
    assert shared["text"].startswith(f"*Q:* {QUESTION}\n") and IBM_QUOTE in shared["text"]
    assert ACTION_SHARE not in buttons(shared)
    assert deleted["delete_original"] is True


async def test_a_second_share_click_posts_nothing_more(http_slack: HttpSlack) -> None:
    private = await ask_privately(http_slack)
    share = buttons(private)[ACTION_SHARE]
    await http_slack.action(click(http_slack, share, ephemeral=True, name="share"))
    await http_slack.action(click(http_slack, share, ephemeral=True, name="share"))
    outcomes = await http_slack.outcomes.wait(3)
    assert sorted(o.result for o in outcomes[1:]) == ["duplicate", "shared"]
    assert sum(1 for c in http_slack.fake.posts("response_url") if c.args.get("response_type") == "in_channel") == 1


async def test_more_results_in_a_thread_posts_the_next_passages_in_that_thread(http_slack: HttpSlack) -> None:
    first = await mention(http_slack)
    more = buttons(first)[ACTION_MORE]
    await http_slack.action(click(http_slack, more, ephemeral=False, name="more"))
    assert (await http_slack.outcomes.wait(2))[1].result == "answered"
    (page,) = http_slack.fake.posts("response_url")
    assert page.args["thread_ts"] == "1591700000.000100" and page.args["response_type"] == "in_channel"
    assert IBM_QUOTE not in page.args["text"]
    assert json.loads(more["value"])["o"] == 3


async def test_more_results_on_a_private_answer_replaces_it(http_slack: HttpSlack) -> None:
    private = await ask_privately(http_slack)
    await http_slack.action(click(http_slack, buttons(private)[ACTION_MORE], ephemeral=True, name="more"))
    await http_slack.outcomes.wait(2)
    page = [c.args for c in http_slack.fake.posts("response_url") if c.path.endswith("/more")][0]
    assert page["replace_original"] is True and page["response_type"] == "ephemeral"
    assert ACTION_SHARE in buttons(page)


async def test_votes_are_logged_once_per_user_with_question_and_passages(http_slack: HttpSlack, slack_config) -> None:  # type: ignore[no-untyped-def]
    first = await mention(http_slack)
    up, down = buttons(first)[ACTION_VOTE_UP], buttons(first)[ACTION_VOTE_DOWN]
    await http_slack.action(click(http_slack, up, ephemeral=False, name="up"))
    await http_slack.action(click(http_slack, down, ephemeral=False, name="again"))
    await http_slack.action(click(http_slack, down, ephemeral=False, name="other", user="U0SECOND"))
    outcomes = await http_slack.outcomes.wait(4)
    assert sorted(o.result for o in outcomes[1:]) == ["duplicate", "recorded", "recorded"]
    lines = [json.loads(line) for line in Path(slack_config.feedback.path).read_text(encoding="utf-8").splitlines()]
    assert sorted((e["user"], e["vote"]) for e in lines) == [("U0CLICKER", "up"), ("U0SECOND", "down")]
    for entry in lines:
        assert entry["platform"] == "slack" and entry["question"] == QUESTION
        assert entry["passages"][0]["text"].startswith(IBM_QUOTE)
        assert [p["text"] for p in entry["passages"]] == [p["text"] for p in lines[0]["passages"]]
    thanks = [c.args for c in http_slack.fake.posts("response_url") if c.path.endswith("/up")]
    assert thanks[0]["response_type"] == "ephemeral" and "👍" in thanks[0]["text"]
    again = [c.args for c in http_slack.fake.posts("response_url") if c.path.endswith("/again")]
    assert "already" in again[0]["text"]


async def test_a_button_value_that_is_not_ours_gets_a_polite_note(http_slack: HttpSlack) -> None:
    await http_slack.action(click(http_slack, {"action_id": ACTION_MORE, "value": "{not json"}, ephemeral=False, name="bad"))
    outcome = (await http_slack.outcomes.wait(1))[0]
    assert (outcome.result, outcome.detail) == ("ignored", "bad value")
    (note,) = http_slack.fake.posts("response_url")
    assert EXPIRED_BUTTON in note.args["text"]
    assert not http_slack.fake.posts()


async def test_a_vote_on_an_answer_the_corpus_no_longer_gives_is_not_logged(http_slack: HttpSlack, slack_config) -> None:  # type: ignore[no-untyped-def]
    first = await mention(http_slack)
    up = dict(buttons(first)[ACTION_VOTE_UP])
    value = json.loads(up["value"])
    assert set(value) == {"q", "o", "h"}
    up["value"] = json.dumps({**value, "h": "0" * 12})  # as if the passages shown were different ones
    await http_slack.action(click(http_slack, up, ephemeral=False, name="stale"))
    outcome = (await http_slack.outcomes.wait(2))[1]
    assert (outcome.result, outcome.detail) == ("ignored", "answer changed")
    assert not Path(slack_config.feedback.path).exists()
    (note,) = http_slack.fake.posts("response_url")
    assert "changed" in note.args["text"] and note.args["response_type"] == "ephemeral"


async def test_more_and_votes_go_through_the_answer_service(http_slack: HttpSlack) -> None:
    """More results is answered, and 👍 / 👎 recorded, by the same service path as Discord's: counted in its metrics."""
    first = await mention(http_slack)
    await http_slack.action(click(http_slack, buttons(first)[ACTION_MORE], ephemeral=False, name="more"))
    await http_slack.action(click(http_slack, buttons(first)[ACTION_VOTE_UP], ephemeral=False, name="up"))
    await http_slack.action(click(http_slack, buttons(first)[ACTION_VOTE_DOWN], ephemeral=False, name="down", user="U0SECOND"))
    outcomes = await http_slack.outcomes.wait(4)
    assert sorted(o.result for o in outcomes[1:]) == ["answered", "recorded", "recorded"]
    exposition = http_slack.service.answers.metrics.exposition().decode()
    assert 'quotebot_questions_total{platform="slack"} 2.0' in exposition  # the mention and the More click
    assert 'quotebot_votes_total{platform="slack",vote="up"} 1.0' in exposition
    assert 'quotebot_votes_total{platform="slack",vote="down"} 1.0' in exposition
