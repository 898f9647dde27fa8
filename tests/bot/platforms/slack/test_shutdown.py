"""SIGTERM to ``quotebot slack --http``: new events are refused, the answer in flight is still posted, exit 0."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from tests.bot_process import BotProcess
from tests.conftest import SEEDS
from tests.redis_server import free_port

from .conftest import BOT_TOKEN, SIGNING_SECRET, HttpSlack, fixture
from .fake_slack import FakeSlack, Fault


class _Runner:
    """Just enough of a RunningSlack for :class:`HttpSlack` to address a bot running in another process."""

    def __init__(self, port: int) -> None:
        self.port, self.path = port, "/slack/events"


class _Service:
    def __init__(self, port: int) -> None:
        self.runner = _Runner(port)


@pytest.mark.parametrize("state", ["memory", "redis down"])
async def test_sigterm_finishes_the_answer_in_flight_refuses_new_events_and_exits_0(
    fake_slack: FakeSlack, tmp_path: Path, state: str
) -> None:
    config = tmp_path / "quotebot.toml"
    text = (
        f'[corpus]\npaths = ["{SEEDS}"]\ncache_dir = "{tmp_path / "cache"}"\n'
        f'[slack]\napi_url = "{fake_slack.api_url}"\n[feedback]\npath = "{tmp_path / "feedback.jsonl"}"\n'
    )
    if state == "redis down":  # nothing listens there: the bot warns, and serves on memory
        text += f'[state]\nbackend = "redis"\nredis_url = "redis://127.0.0.1:{free_port()}/0"\n'
    config.write_text(text, encoding="utf-8")
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
    }
    async with BotProcess(config, ["slack", "--http", "--port", "0", "--host", "127.0.0.1"], env) as bot:
        match = await bot.read_until(r"listening on http://127\.0\.0\.1:(\d+)")
        started = bot.log
        slack = HttpSlack(_Service(int(match.group(1))), fake_slack, outcomes=None)  # type: ignore[arg-type]
        fake_slack.inject("chat.postMessage", Fault("slow", delay=1.5))
        assert (await slack.event(fixture("app_mention.json")))[0] == 200
        await fake_slack.wait_for(lambda: ("chat.postMessage", "slow") in fake_slack.attempts)  # the answer is being posted
        bot.sigterm()
        await asyncio.sleep(0.3)
        try:
            status, _ = await slack.event(fixture("message_im.json"))  # arrives while draining
        except OSError:
            status = -1
        code, log = await bot.finish()
        assert status == 503, log
        assert code == 0, log
    (post,) = fake_slack.posts()  # the answer in flight was posted; the event that came later was not answered
    assert post.args["channel"] == "C0NEWS"
    assert "shutting down" in log and "shutdown complete" in log
    assert BOT_TOKEN not in log
    assert ("falling back to in-process memory" in started) is (state == "redis down")


async def test_sigterm_while_slack_is_still_starting_shuts_down_cleanly(fake_slack: FakeSlack, tmp_path: Path) -> None:
    """The SIGTERM handlers are in place before any platform starts: a SIGTERM sent while Slack's auth.test is still
    in flight (before the bot listens) drains and exits 0, instead of the process being killed by the signal."""
    config = tmp_path / "quotebot.toml"
    config.write_text(
        f'[corpus]\npaths = ["{SEEDS}"]\ncache_dir = "{tmp_path / "cache"}"\n'
        f'[slack]\napi_url = "{fake_slack.api_url}"\n[feedback]\npath = "{tmp_path / "feedback.jsonl"}"\n',
        encoding="utf-8",
    )
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SIGNING_SECRET}
    fake_slack.inject("auth.test", Fault("slow", delay=1.0))  # Slack is still starting when the signal arrives
    async with BotProcess(config, ["slack", "--http", "--port", "0", "--host", "127.0.0.1"], env) as bot:
        await bot.read_until(r"corpus: watching .* for changes")
        bot.sigterm()
        code, log = await bot.finish()
    assert code == 0, log  # a signal that killed the process would be -15
    assert "shutdown complete" in log
