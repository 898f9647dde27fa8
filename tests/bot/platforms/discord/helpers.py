"""Small helpers shared by the Discord tests: reading what the bot sent to the fake."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tests.bot.platforms.discord.fake_discord import FakeDiscord, Recorded
from tests.conftest import SEEDS

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


def sent_message(record: Recorded) -> dict[str, Any]:
    """The message the fake created for a send (a callback's resource, or the REST response)."""
    if record.path.endswith("/callback"):
        message: dict[str, Any] = record.response["resource"]["message"]
        return message
    response: dict[str, Any] = record.response
    return response


def click(
    fake: FakeDiscord, message: dict[str, Any], label: str, interaction_id: str, user_id: str | None = None
) -> dict[str, Any]:
    """An INTERACTION_CREATE for clicking the button ``label`` on ``message``."""
    from tests.bot.platforms.discord.fake_discord import fixture

    payload = fixture("interaction_button")
    payload["id"] = interaction_id
    payload["token"] = f"token-{interaction_id}"
    payload["message"] = message
    payload["data"]["custom_id"] = buttons(message)[label]["custom_id"]
    if user_id is not None:
        payload["member"]["user"]["id"] = user_id
    return payload


def service_setup(fake: FakeDiscord, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A config file (seed corpus, private cache and feedback file, pointed at ``fake``) and an environment with only
    ``PATH``, ``HOME`` and the token: what ``quotebot discord`` run as a service gets."""
    config = tmp_path / "quotebot.toml"
    config.write_text(
        f'[corpus]\npaths = ["{SEEDS}"]\ncache_dir = "{tmp_path / "cache"}"\n'
        f'[discord]\napi_base = "{fake.api_base}"\ngateway_url = "{fake.gateway_url}"\n'
        f'[feedback]\npath = "{tmp_path / "feedback.jsonl"}"\n',
        encoding="utf-8",
    )
    return config, {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "DISCORD_TOKEN": fake.token}
