"""``quotebot discord`` in-process: the invite URL, token errors, and a whole run against the fake Discord."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import discord
import pytest

from bot.cli import build_parser, main
from tests.bot.platforms.discord.fake_discord import FakeDiscord, fixture
from tests.bot.platforms.discord.helpers import CALLBACK
from tests.conftest import IBM_QUOTE, SEEDS

APP_ID = fixture("application")["id"]


def write_config(tmp_path: Path, fake: FakeDiscord) -> Path:
    path = tmp_path / "quotebot.toml"
    path.write_text(
        f"""
[corpus]
paths = [{str(SEEDS)!r}]
cache_dir = "cache"

[discord]
api_base = "{fake.api_base}"
gateway_url = "{fake.gateway_url}"
guild_ids = [1200000000000000001]

[feedback]
path = "feedback.jsonl"
""",
        encoding="utf-8",
    )
    return path


def test_invite_url_has_both_scopes_and_only_the_needed_permissions(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["discord", "--invite-url", "--application-id", APP_ID]) == 0
    url = capsys.readouterr().out.strip()
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "discord.com", "/oauth2/authorize")
    query = parse_qs(parts.query)
    assert query["client_id"] == [APP_ID]
    assert query["scope"] == ["bot applications.commands"]
    # Discord's documented bits: VIEW_CHANNEL 10, SEND_MESSAGES 11, EMBED_LINKS 14, READ_MESSAGE_HISTORY 16,
    # SEND_MESSAGES_IN_THREADS 38; nothing else (no mention-everyone, no manage-anything)
    assert int(query["permissions"][0]) == 1 << 10 | 1 << 11 | 1 << 14 | 1 << 16 | 1 << 38
    assert not discord.Permissions(int(query["permissions"][0])).mention_everyone


async def test_invite_url_asks_discord_for_the_application_id(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    async with FakeDiscord() as fake:
        config = write_config(tmp_path, fake)
        monkeypatch.setenv("DISCORD_TOKEN", fake.token)
        code = await asyncio.to_thread(main, ["--config", str(config), "discord", "--invite-url"])
        assert code == 0
        assert f"client_id={APP_ID}" in capsys.readouterr().out
        assert [r.route for r in fake.requests] == ["GET /users/@me", "GET /oauth2/applications/@me"]
        assert not fake.connections  # REST only, no gateway


def test_running_without_a_token_says_how_to_set_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["discord", "--corpus", str(SEEDS)]) == 2
    err = capsys.readouterr().err
    assert "DISCORD_TOKEN" in err and "Traceback" not in err


async def test_a_rejected_token_is_one_clear_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    async with FakeDiscord() as fake:
        config = write_config(tmp_path, fake)
        monkeypatch.setenv("DISCORD_TOKEN", "not-the-token")
        code = await asyncio.to_thread(main, ["--config", str(config), "discord"])
        assert code == 2  # a token is configuration (exit 2), in every command
        err = capsys.readouterr().err
        assert err.strip().splitlines()[-1] == "quotebot discord: Discord rejected the token (check DISCORD_TOKEN)"
        assert "not-the-token" not in err


async def test_quotebot_discord_logs_in_syncs_to_the_guild_and_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    async with FakeDiscord() as fake:
        config = write_config(tmp_path, fake)
        monkeypatch.setenv("DISCORD_TOKEN", fake.token)
        cli = asyncio.create_task(asyncio.to_thread(main, ["--config", str(config), "discord"]))
        await fake.wait_for(lambda: fake.identified.is_set() or cli.done(), timeout=30)
        assert not cli.done(), capsys.readouterr().err
        (put,) = fake.calls("PUT", r"/applications/\d+/guilds/1200000000000000001/commands")
        assert put.body[0]["name"] == "ask"
        assert (tmp_path / "cache" / "discord-commands.json").exists()

        await fake.dispatch("INTERACTION_CREATE", fixture("interaction_ask"))
        (callback,) = await fake.wait_for_call("POST", CALLBACK)
        assert callback.status == 200
        assert IBM_QUOTE in callback.body["data"]["embeds"][0]["description"].replace("**", "")

        await fake.drop(code=4004)  # the token is revoked while running
        assert await asyncio.wait_for(cli, 10) == 2  # still the token: exit 2
        assert "rejected the token" in capsys.readouterr().err


def test_every_discord_option_has_help() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    discord_parser = sub.choices["discord"]
    assert discord_parser.description
    for action in discord_parser._actions:
        assert action.help, action.dest
