"""`quotebot run` and bot/serve.py: Slack and Discord served together from one event loop, against both loopback fakes."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from bot.answerer import Answerer
from bot.cli import main
from bot.config import Config, Secret
from bot.platforms.base import Options
from bot.platforms.slack import RunningSlack
from bot.serve import plan, serve
from tests.bot.platforms.discord.fake_discord import FakeDiscord
from tests.bot.platforms.discord.fake_discord import fixture as discord_fixture
from tests.bot.platforms.slack.conftest import BOT_TOKEN, SIGNING_SECRET, HttpSlack, Outcomes
from tests.bot.platforms.slack.conftest import fixture as slack_fixture
from tests.bot.platforms.slack.fake_slack import FakeSlack
from tests.bot_process import BotProcess
from tests.conftest import IBM_QUOTE, SEEDS


def both_config(slack: FakeSlack, discord: FakeDiscord, tmp_path: Path) -> Config:
    config = Config()
    config.corpus.cache_dir = str(tmp_path / "cache")
    config.feedback.path = str(tmp_path / "feedback.jsonl")
    config.slack.api_url = slack.api_url
    config.slack.bot_token = Secret(BOT_TOKEN)
    config.slack.signing_secret = Secret(SIGNING_SECRET)
    config.discord.api_base = discord.api_base
    config.discord.gateway_url = discord.gateway_url
    config.discord.token = Secret(discord.token)
    return config


def test_plan_follows_the_tokens() -> None:
    config = Config()
    assert plan(config).empty
    config.slack.bot_token = Secret("xoxb-1")
    assert plan(config).mode("slack") is None and plan(config).skipped
    config.slack.signing_secret = Secret("s")
    assert plan(config).mode("slack") == "http"
    config.slack.app_token = Secret("xapp-1")
    assert plan(config).mode("slack") == "socket"
    assert plan(config, Options(http=True)).mode("slack") == "http"
    config.discord.token = Secret("d.t.x")
    assert plan(config).mode("discord") and not plan(config).skipped


async def test_slack_and_discord_answer_from_one_loop(seed_answerer: Answerer, tmp_path: Path) -> None:
    async with FakeDiscord() as discord:
        slack = FakeSlack()
        await slack.start()
        try:
            config = both_config(slack, discord, tmp_path)
            services: list[object] = []
            the_plan = plan(config, Options(port=0, host="127.0.0.1", ready=services.append))
            assert (the_plan.mode("slack"), the_plan.mode("discord")) == ("http", "gateway")
            stop = asyncio.Event()
            task = asyncio.create_task(serve(config, seed_answerer, the_plan, stop=stop))
            async with asyncio.timeout(15):
                while not any(isinstance(s, RunningSlack) for s in services) or not discord.live_sockets():
                    await asyncio.sleep(0.01)
            running = next(s for s in services if isinstance(s, RunningSlack))
            http = HttpSlack(running, slack, Outcomes())
            status, _ = await http.event(slack_fixture("app_mention.json"))
            assert status == 200
            await discord.dispatch("INTERACTION_CREATE", discord_fixture("interaction_ask"))
            (callback,) = await discord.wait_for_call("POST", r"/interactions/\d+/[^/]+/callback")
            async with asyncio.timeout(10):
                while not slack.posts():
                    await asyncio.sleep(0.01)
            assert IBM_QUOTE in slack.posts()[0].args["text"]
            assert IBM_QUOTE in callback.body["data"]["embeds"][0]["description"].replace("**", "")
            stop.set()
            await asyncio.wait_for(task, 15)
        finally:
            await slack.stop()


def test_run_without_tokens_says_what_to_set(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert "no platform has tokens configured" in err
    assert "SLACK_BOT_TOKEN" in err and "DISCORD_TOKEN" in err and "Traceback" not in err


async def test_run_with_a_rejected_token_is_one_line(tmp_path: Path) -> None:
    async with FakeDiscord() as discord:
        config = tmp_path / "q.toml"
        config.write_text(
            f'[corpus]\npaths = ["{SEEDS}"]\ncache_dir = "{tmp_path / "cache"}"\n'
            f'[discord]\napi_base = "{discord.api_base}"\ngateway_url = "{discord.gateway_url}"\n',
            encoding="utf-8",
        )
        env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "DISCORD_TOKEN": "wrong.token.value"}
        async with BotProcess(config, ["run"], env) as bot:
            code, err = await bot.finish(60)
    assert code == 2, err  # a token is configuration: exit 2, as `quotebot discord` exits
    last = err.strip().splitlines()[-1]
    assert last == "quotebot run: discord: Discord rejected the token (check DISCORD_TOKEN)"
    assert "Traceback" not in err and "wrong.token.value" not in err


async def test_run_on_sigterm_drains_closes_both_platforms_and_exits_0(tmp_path: Path) -> None:
    async with FakeDiscord() as discord:
        slack = FakeSlack()
        await slack.start()
        try:
            config = tmp_path / "q.toml"
            config.write_text(
                f'[corpus]\npaths = ["{SEEDS}"]\ncache_dir = "{tmp_path / "cache"}"\n'
                f'[slack]\napi_url = "{slack.api_url}"\n[feedback]\npath = "{tmp_path / "feedback.jsonl"}"\n'
                f'[discord]\napi_base = "{discord.api_base}"\ngateway_url = "{discord.gateway_url}"\n',
                encoding="utf-8",
            )
            env = {
                "PATH": os.environ["PATH"],
                "HOME": str(tmp_path),
                "SLACK_BOT_TOKEN": BOT_TOKEN,
                "SLACK_SIGNING_SECRET": SIGNING_SECRET,
                "DISCORD_TOKEN": discord.token,
            }
            async with BotProcess(config, ["run", "--port", "0", "--host", "127.0.0.1"], env) as bot:
                await asyncio.wait_for(discord.identified.wait(), 60)
                await discord.dispatch("MESSAGE_CREATE", discord_fixture("message_mention"))
                await discord.wait_for_call("POST", r"/channels/\d+/messages")
                code, err = await bot.stop()
            assert code == 0, err
            assert "shutting down" in err and "shutdown complete" in err and "Traceback" not in err
            await discord.wait_for(lambda: not discord.live_sockets())  # the gateway socket was closed cleanly
        finally:
            await slack.stop()
