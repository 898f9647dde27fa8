"""Command sync: the schema Discord receives, guild vs global targets, and no sync when nothing changed."""

from __future__ import annotations

import json

from bot.answerer import AnswerSettings
from bot.platforms.discord.run import hash_file
from tests.bot.platforms.discord.conftest import Start
from tests.bot.platforms.discord.fake_discord import FakeDiscord, fixture

GLOBAL = r"/applications/\d+/commands"
GUILD = r"/applications/\d+/guilds/\d+/commands"


async def test_the_synced_schema_is_ask_with_a_capped_question_and_a_private_flag(fake: FakeDiscord, start: Start) -> None:
    run = await start(fake)
    (put,) = fake.calls("PUT", GLOBAL)
    assert put.path == "/api/v10/applications/1100000000000000001/commands"
    assert put.headers["Authorization"] == f"Bot {fake.token}"
    (command,) = put.body
    assert command["name"] == "ask" and command["type"] == 1
    assert command["description"] == "Ask about the news articles; I answer by quoting them word for word, with dates."
    assert sorted(command["contexts"]) == [0, 1, 2]  # servers, DMs with the bot, group DMs
    question, private, why = command["options"]
    assert question["name"] == "question" and question["type"] == 3 and question["required"] is True
    assert question["max_length"] == run.config.answer.max_question_chars == 1000
    assert question["min_length"] == 1
    assert question["description"].startswith("What you want to know")
    assert private["name"] == "private" and private["type"] == 5 and private["required"] is False
    assert private["description"].startswith("Only you see the answer")
    assert why["name"] == "why" and why["type"] == 5 and why["required"] is False
    for option in (question, private, why):
        assert len(option["description"]) <= 100
    assert len(command["description"]) <= 100
    assert run.client.synced == ["global"]
    assert not fake.calls("PUT", GUILD)


async def test_guild_ids_sync_to_those_guilds_only(fake: FakeDiscord, start: Start) -> None:
    run = await start(fake, guild_ids=[1200000000000000001, 1200000000000000011])
    puts = fake.calls("PUT", GUILD)
    assert sorted(p.path.split("/")[-2] for p in puts) == ["1200000000000000001", "1200000000000000011"]
    assert all(p.body[0]["name"] == "ask" for p in puts)
    assert not fake.calls("PUT", GLOBAL)
    assert run.client.synced == ["guild:1200000000000000001", "guild:1200000000000000011"]


async def test_an_unchanged_schema_is_not_synced_again(fake: FakeDiscord, start: Start) -> None:
    first = await start(fake)
    await first.client.close()
    hashes = json.loads(hash_file(first.config).read_text(encoding="utf-8"))
    assert list(hashes) == ["1100000000000000001:global"]

    second = await start(fake)  # same cache folder, same schema
    assert len(fake.calls("PUT", GLOBAL)) == 1
    assert second.client.synced == []
    await second.client.close()

    third = await start(fake, force_sync=True)  # `quotebot discord --sync`
    assert len(fake.calls("PUT", GLOBAL)) == 2 and third.client.synced == ["global"]


async def test_a_changed_schema_is_synced_again(fake: FakeDiscord, start: Start) -> None:
    first = await start(fake)
    await first.client.close()
    # [answer] max_question_chars is the question option's max_length, so changing it changes the schema
    second = await start(fake, answer_settings=AnswerSettings(max_question_chars=200))
    puts = fake.calls("PUT", GLOBAL)
    assert len(puts) == 2 and second.client.synced == ["global"]
    assert puts[1].body[0]["options"][0]["max_length"] == 200
    await second.client.close()
    # a guild target is a separate target with its own hash
    third = await start(fake, answer_settings=AnswerSettings(max_question_chars=200), guild_ids=[1200000000000000001])
    assert third.client.synced == ["guild:1200000000000000001"] and len(fake.calls("PUT", GUILD)) == 1


async def test_a_failed_sync_is_retried_next_start_and_the_bot_still_answers(fake: FakeDiscord, start: Start) -> None:
    fake.reject_commands = True  # 403 Missing Access, as when the bot was invited without applications.commands
    first = await start(fake)
    assert first.client.synced == []
    await fake.dispatch("INTERACTION_CREATE", fixture("interaction_ask"))
    (callback,) = await fake.wait_for_call("POST", r"/interactions/\d+/[^/]+/callback")
    assert callback.status == 200
    await first.client.close()
    fake.reject_commands = False
    second = await start(fake)
    assert second.client.synced == ["global"]


async def test_guilds_no_longer_targeted_have_their_commands_removed(fake: FakeDiscord, start: Start) -> None:
    """Moving from guild to global sync (or dropping a guild) leaves no second /ask behind in those guilds."""
    g1, g2 = 1200000000000000001, 1200000000000000011
    first = await start(fake, guild_ids=[g1, g2])
    await first.client.close()

    second = await start(fake, guild_ids=[g1])  # g1's schema is unchanged: not synced; g2 is emptied
    assert second.client.synced == [f"cleared guild:{g2}"]
    (emptied,) = [p for p in fake.calls("PUT", GUILD) if p.body == []]
    assert emptied.path.endswith(f"/guilds/{g2}/commands")
    await second.client.close()

    third = await start(fake)  # global now: /ask goes global and g1's copy is removed
    assert third.client.synced == ["global", f"cleared guild:{g1}"]
    assert len(fake.calls("PUT", GLOBAL)) == 1
    assert sorted(p.path.split("/")[-2] for p in fake.calls("PUT", GUILD) if p.body == []) == [str(g1), str(g2)]
    await third.client.close()
    assert list(json.loads(hash_file(third.config).read_text(encoding="utf-8"))) == ["1100000000000000001:global"]


async def test_global_commands_stay_when_a_run_targets_guilds(fake: FakeDiscord, start: Start) -> None:
    first = await start(fake)
    await first.client.close()
    second = await start(fake, guild_ids=[1200000000000000001])
    assert second.client.synced == ["guild:1200000000000000001"]
    assert all(p.body for p in fake.calls("PUT", GLOBAL))  # never emptied
    assert len(fake.calls("PUT", GLOBAL)) == 1
