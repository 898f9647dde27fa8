"""Small helpers shared by the Discord tests: reading what the bot sent to the fake."""

from __future__ import annotations

from typing import Any

from tests.bot.discord.fake_discord import FakeDiscord, Recorded

CALLBACK = r"/interactions/\d+/[^/]+/callback"
ORIGINAL = r"/webhooks/\d+/[^/]+/messages/@original"
CHANNEL_MESSAGES = r"/channels/\d+/messages"


def message_body(record: Recorded) -> dict[str, Any]:
    """The message part of a send: a callback's ``data``, or the whole body of a REST message create/edit."""
    if record.path.endswith("/callback"):
        data: dict[str, Any] = record.body.get("data") or {}
        return data
    body: dict[str, Any] = record.body
    return body


def callbacks_for(fake: FakeDiscord, interaction_id: str) -> list[Recorded]:
    """The interaction callbacks made for ``interaction_id``."""
    return [r for r in fake.calls("POST", CALLBACK) if r.path.split("/")[-3] == interaction_id]


def buttons(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The buttons of a message body by label or emoji ("More results", "👍", "👎")."""
    out = {}
    for row in body.get("components") or []:
        for item in row["components"]:
            out[item.get("label") or item["emoji"]["name"]] = item
    return out


def assert_no_pings(fake: FakeDiscord) -> None:
    """Every message create or edit the bot made carried ``allowed_mentions`` that ping nobody."""
    sends = fake.sends()
    assert sends, "the bot sent nothing"
    for record in sends:
        allowed = message_body(record).get("allowed_mentions")
        assert allowed is not None, f"{record.route} has no allowed_mentions"
        assert allowed["parse"] == [], f"{record.route} allows {allowed}"
        assert not allowed.get("users") and not allowed.get("roles") and not allowed.get("replied_user"), record.route
