"""One error vocabulary: `quotebot slack`, `quotebot discord` and `quotebot run` report a platform's failure in the
same words, `run` reports every failed platform, exit 2 for tokens and configuration, 1 at run time, and a fatal
start error also reaches the configured log file (as JSON with `json = true`)."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from tests.bot.platforms.discord.fake_discord import FakeDiscord
from tests.bot.platforms.slack.conftest import APP_TOKEN, BOT_TOKEN
from tests.bot.platforms.slack.fake_slack import FakeSlack
from tests.conftest import SEEDS
from tests.redis_server import free_port

SLACK_REFUSED = "Slack refused the bot token (auth.test: invalid_auth). Check SLACK_BOT_TOKEN."
DISCORD_REJECTED = "Discord rejected the token (check DISCORD_TOKEN)"


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    """The commands install log handlers on the root logger; put the test's own back afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


def write_config(tmp_path: Path, slack_api: str, discord_api: str, discord_gateway: str, extra: str = "") -> Path:
    config = tmp_path / "quotebot.toml"
    config.write_text(
        f'[corpus]\npaths = ["{SEEDS}"]\ncache_dir = "{tmp_path / "cache"}"\n'
        f'[feedback]\npath = "{tmp_path / "feedback.jsonl"}"\n'
        f'[slack]\napi_url = "{slack_api}"\n'
        f'[discord]\napi_base = "{discord_api}"\ngateway_url = "{discord_gateway}"\n{extra}',
        encoding="utf-8",
    )
    return config


def last_lines(err: str, count: int) -> list[str]:
    return err.strip().splitlines()[-count:]


async def test_the_same_words_and_exit_status_from_each_command_and_all_failures_from_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    slack = FakeSlack(auth_error="invalid_auth")
    await slack.start()
    try:
        async with FakeDiscord() as discord:
            config = write_config(tmp_path, slack.api_url, discord.api_base, discord.gateway_url)
            monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
            monkeypatch.setenv("SLACK_APP_TOKEN", APP_TOKEN)
            monkeypatch.setenv("DISCORD_TOKEN", "not.the.token")
            capsys.readouterr()

            assert await asyncio.to_thread(main, ["--config", str(config), "slack"]) == 2
            slack_err = capsys.readouterr().err
            assert await asyncio.to_thread(main, ["--config", str(config), "discord"]) == 2
            discord_err = capsys.readouterr().err
            assert await asyncio.to_thread(main, ["--config", str(config), "run"]) == 2
            run_err = capsys.readouterr().err
    finally:
        await slack.stop()
    assert last_lines(slack_err, 1) == [f"quotebot slack: {SLACK_REFUSED}"]
    assert last_lines(discord_err, 1) == [f"quotebot discord: {DISCORD_REJECTED}"]
    assert last_lines(run_err, 2) == [f"quotebot run: slack: {SLACK_REFUSED}", f"quotebot run: discord: {DISCORD_REJECTED}"]
    for err in (slack_err, discord_err, run_err):
        assert "Traceback" not in err and "not.the.token" not in err and BOT_TOKEN not in err


async def test_an_unreachable_platform_is_a_runtime_failure_exit_1_in_each_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    nowhere = free_port()  # nothing listens here
    config = write_config(tmp_path, f"http://127.0.0.1:{nowhere}/api/", f"http://127.0.0.1:{nowhere}/api/v10", f"ws://127.0.0.1:{nowhere}/")
    monkeypatch.setenv("DISCORD_TOKEN", "some.discord.token")
    capsys.readouterr()
    assert await asyncio.to_thread(main, ["--config", str(config), "discord"]) == 1
    (single,) = last_lines(capsys.readouterr().err, 1)
    assert single.startswith("quotebot discord: cannot reach Discord: ")
    assert await asyncio.to_thread(main, ["--config", str(config), "run"]) == 1
    (together,) = last_lines(capsys.readouterr().err, 1)
    assert together == single.replace("quotebot discord: ", "quotebot run: discord: ")


async def test_a_fatal_start_error_is_in_the_configured_json_log_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    log_file = tmp_path / "logs" / "quotebot.log"
    async with FakeDiscord() as discord:
        config = write_config(
            tmp_path, "http://127.0.0.1:1/api/", discord.api_base, discord.gateway_url,
            extra=f'[logging]\njson = true\nfile = "{log_file}"\n',
        )  # fmt: skip
        monkeypatch.setenv("DISCORD_TOKEN", "not.the.token")
        assert await asyncio.to_thread(main, ["--config", str(config), "discord"]) == 2
    err = capsys.readouterr().err
    records = [json.loads(line) for line in log_file.read_text(encoding="utf-8").splitlines()]
    fatal = [r for r in records if r["level"] == "ERROR" and r["logger"] == "quotebot"]
    assert [r["message"] for r in fatal] == [f"quotebot discord: {DISCORD_REJECTED}"]
    # standard error carries the JSON record too (the log stream) and ends with the plain line for a person
    assert json.loads(err.strip().splitlines()[-2])["message"] == f"quotebot discord: {DISCORD_REJECTED}"
    assert last_lines(err, 1) == [f"quotebot discord: {DISCORD_REJECTED}"]
    assert "not.the.token" not in log_file.read_text(encoding="utf-8")


def test_a_config_error_after_logging_is_set_up_reaches_the_log_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    log_file = tmp_path / "quotebot.log"
    config = tmp_path / "quotebot.toml"
    config.write_text(f'[corpus]\npaths = ["{tmp_path / "missing"}"]\n[logging]\nfile = "{log_file}"\n', encoding="utf-8")
    monkeypatch.setenv("DISCORD_TOKEN", "some.discord.token")
    assert main(["--config", str(config), "discord"]) == 2
    err = capsys.readouterr().err
    assert str(tmp_path / "missing") in last_lines(err, 1)[0]
    assert str(tmp_path / "missing") in log_file.read_text(encoding="utf-8")
    assert err.count(str(tmp_path / "missing")) == 1  # a text log on stderr gets no second copy
