"""Command sync compares with what Discord has: a Discord without /ask gets it whatever the local file says,
an unchanged Discord gets no PUT, and the log says what was synced and why."""

from __future__ import annotations

import json
import logging

import pytest

from bot.platforms.discord.run import hash_file
from bot.platforms.discord.sync import differences, why_sync
from tests.bot.platforms.discord.conftest import Start
from tests.bot.platforms.discord.fake_discord import FakeDiscord, Fault

GLOBAL = r"/applications/\d+/commands"
GUILD = r"/applications/\d+/guilds/\d+/commands"
APP = "1100000000000000001"


async def test_a_discord_without_commands_gets_ask_even_when_the_local_file_says_synced(
    fake: FakeDiscord, start: Start, caplog: pytest.LogCaptureFixture
) -> None:
    first = await start(fake)
    await first.client.close()
    assert list(json.loads(hash_file(first.config).read_text(encoding="utf-8"))) == [f"{APP}:global"]  # "synced"

    fake.commands.clear()  # deleted in the Developer Portal, or a new application behind the same cache
    with caplog.at_level(logging.INFO, logger="bot.platforms.discord.sync"):
        second = await start(fake)
    assert second.client.synced == ["global"]
    assert len(fake.calls("GET", GLOBAL)) == 2 and len(fake.calls("PUT", GLOBAL)) == 2
    assert [c["name"] for c in fake.commands[(APP, "global")]] == ["ask"]
    assert "synced discord commands to global (/ask): Discord has no commands there" in caplog.text


async def test_an_unchanged_discord_gets_one_read_and_no_put(fake: FakeDiscord, start: Start, caplog: pytest.LogCaptureFixture) -> None:
    first = await start(fake)
    await first.client.close()
    hash_file(first.config).unlink()  # a fresh container: no local record at all, and still nothing to write
    with caplog.at_level(logging.INFO, logger="bot.platforms.discord.sync"):
        second = await start(fake)
    assert second.client.synced == []
    assert len(fake.calls("PUT", GLOBAL)) == 1 and len(fake.calls("GET", GLOBAL)) == 2
    assert "discord commands for global match what Discord has (/ask); not syncing" in caplog.text


async def test_a_command_changed_on_discord_is_put_back_with_the_reason(
    fake: FakeDiscord, start: Start, caplog: pytest.LogCaptureFixture
) -> None:
    first = await start(fake)
    await first.client.close()
    (ask,) = fake.commands[(APP, "global")]
    ask["options"][0]["max_length"] = 50  # an older deploy, or another machine, synced a different schema
    fake.commands[(APP, "global")].append({**ask, "name": "old", "id": "1"})
    with caplog.at_level(logging.INFO, logger="bot.platforms.discord.sync"):
        second = await start(fake)
    assert second.client.synced == ["global"]
    assert "Discord has /old, which this bot does not define; /ask differs in options.question.max_length" in caplog.text
    assert [c["name"] for c in fake.commands[(APP, "global")]] == ["ask"]


async def test_guild_targets_are_compared_one_read_each(fake: FakeDiscord, start: Start) -> None:
    g1, g2 = 1200000000000000001, 1200000000000000011
    first = await start(fake, guild_ids=[g1, g2])
    await first.client.close()
    fake.commands.pop((APP, str(g2)))
    second = await start(fake, guild_ids=[g1, g2])
    assert second.client.synced == [f"guild:{g2}"]
    assert len(fake.calls("GET", GUILD)) == 4 and len(fake.calls("PUT", GUILD)) == 3


async def test_a_failed_read_still_syncs(fake: FakeDiscord, start: Start, caplog: pytest.LogCaptureFixture) -> None:
    fake.inject("GET", GLOBAL, Fault("server_error", status=403))
    with caplog.at_level(logging.INFO, logger="bot.platforms.discord.sync"):
        run = await start(fake)
    assert run.client.synced == ["global"] and len(fake.calls("PUT", GLOBAL)) == 1
    assert "could not read the discord commands of global" in caplog.text


#: /ask as discord.py sends it, and as Discord returns it: ids and versions added, defaults left out,
#: permissions as a string, and no dm_permission or contexts on a guild command.
SENT = {
    "name": "ask",
    "description": "Ask.",
    "type": 1,
    "options": [
        {"type": 3, "name": "question", "description": "Q", "required": True, "max_length": 1000, "min_length": 1},
        {"type": 5, "name": "private", "description": "P", "required": False},
    ],
    "nsfw": False,
    "dm_permission": True,
    "default_member_permissions": 0,
    "contexts": [0, 1, 2],
    "integration_types": [0],
}
RETURNED = {
    "id": "1", "application_id": APP, "version": "2", "guild_id": "3", "name": "ask", "description": "Ask.", "type": 1,
    "options": [
        {"type": 3, "name": "question", "description": "Q", "required": True, "max_length": 1000, "min_length": 1},
        {"type": 5, "name": "private", "description": "P"},
    ],
    "nsfw": False, "default_member_permissions": "0", "contexts": None, "integration_types": [0],
    "name_localizations": None, "description_localizations": None,
}


def test_discords_own_shape_of_the_same_command_matches() -> None:
    assert differences(SENT, RETURNED) == []
    assert why_sync([SENT], [RETURNED]) is None


def test_each_kind_of_difference_is_named() -> None:
    changed = {**RETURNED, "description": "Old.", "options": RETURNED["options"][:1]}
    assert differences(SENT, changed) == ["description", "options"]
    required = {**RETURNED, "options": [RETURNED["options"][0], {**RETURNED["options"][1], "required": True}]}
    assert differences(SENT, required) == ["options.private.required"]
    assert why_sync([SENT], []) == "Discord has no commands there"
    assert why_sync([], [RETURNED]) == "Discord has /ask, which this bot does not define"
    assert why_sync([SENT], [{**RETURNED, "name": "other"}]) == "Discord lacks /ask; Discord has /other, which this bot does not define"
