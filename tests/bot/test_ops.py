"""The operations server (bot/ops.py) in every mode: /readyz in Socket Mode and Discord mode against the loopback
fakes (503 before the platform connects, 200 after, with the corpus figures), /healthz 503 when unhealthy."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp

from bot.answerer import Answerer
from bot.config import Config, Secret
from bot.ops import Readiness, start_ops_server
from bot.platforms.base import Options, PlatformsFailed
from bot.serve import plan, serve
from bot.service import open_service
from tests.bot.platforms.discord.fake_discord import FakeDiscord
from tests.bot.platforms.discord.fake_discord import Fault as DiscordFault
from tests.bot.platforms.slack.conftest import APP_TOKEN, BOT_TOKEN
from tests.bot.platforms.slack.fake_slack import FakeSlack
from tests.bot.platforms.slack.fake_slack import Fault as SlackFault
from tests.redis_server import free_port

#: The seed corpus: one article of 14 sentences.
SEED_ARTICLES, SEED_SENTENCES = 1, 14


async def get(port: int, path: str) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{port}{path}") as response:
        return response.status, await response.json()


@asynccontextmanager
async def serving(config: Config, answerer: Answerer) -> AsyncIterator[asyncio.Task[int]]:
    """``serve`` the planned platforms until the block ends; then stop and check it shut down cleanly."""
    stop = asyncio.Event()
    task = asyncio.create_task(serve(config, answerer, plan(config, Options(port=0)), stop=stop), name="serve")
    try:
        yield task
    finally:
        stop.set()
        assert await asyncio.wait_for(task, 15) == 0


def ops_config(tmp_path: Path) -> Config:
    config = Config()
    config.feedback.path = str(tmp_path / "feedback.jsonl")
    config.corpus.cache_dir = str(tmp_path / "cache")
    config.ops.port = free_port()
    return config


async def poll_ready(port: int, task: asyncio.Task[int]) -> dict[str, Any]:
    async with asyncio.timeout(15):
        while True:
            assert not task.done(), task
            try:
                status, body = await get(port, "/readyz")
            except aiohttp.ClientConnectionError:
                status, body = 0, {}
            if status == 200:
                return body
            await asyncio.sleep(0.02)


async def test_readyz_in_socket_mode_turns_ready_when_the_socket_is_open(tmp_path: Path, seed_answerer: Answerer) -> None:
    slack = FakeSlack()
    await slack.start()
    try:
        slack.inject("apps.connections.open", SlackFault("slow", delay=1.0))
        config = ops_config(tmp_path)
        config.slack.api_url = slack.api_url
        config.slack.bot_token = Secret(BOT_TOKEN)
        config.slack.app_token = Secret(APP_TOKEN)
        assert config.ops.port is not None
        async with serving(config, seed_answerer) as task:
            await slack.wait_for(lambda: ("apps.connections.open", "slow") in slack.attempts, 15)
            status, body = await get(config.ops.port, "/readyz")  # the socket URL has not been handed out yet
            assert status == 503
            assert body["platforms"] == {"slack": False} and body["status"] == "unavailable"
            assert (body["articles"], body["sentences"]) == (SEED_ARTICLES, SEED_SENTENCES)

            ready = await poll_ready(config.ops.port, task)
            assert slack.connections == 1
            assert ready["platforms"] == {"slack": True} and ready["status"] == "ok"
            assert (ready["articles"], ready["sentences"]) == (SEED_ARTICLES, SEED_SENTENCES)
            assert ready["index_age_seconds"] >= 0 and ready["accepting"] is True
            status, health = await get(config.ops.port, "/healthz")
            assert status == 200 and health["status"] == "ok"
            async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{config.ops.port}/metrics") as response:
                assert response.status == 200 and "quotebot_questions_total" in await response.text()
    finally:
        await slack.stop()


async def test_readyz_in_discord_mode_turns_ready_after_login_and_ready(tmp_path: Path, seed_answerer: Answerer) -> None:
    async with FakeDiscord() as fake:
        fake.inject("GET", "/users/@me", DiscordFault("slow", delay=1.0))
        config = ops_config(tmp_path)
        config.discord.api_base = fake.api_base
        config.discord.gateway_url = fake.gateway_url
        config.discord.token = Secret(fake.token)
        assert config.ops.port is not None
        async with serving(config, seed_answerer) as task:
            await fake.wait_for(lambda: fake.calls("GET", "/users/@me"), 15)
            status, body = await get(config.ops.port, "/readyz")  # logging in: no gateway yet
            assert status == 503 and body["platforms"] == {"discord": False}
            assert (body["articles"], body["sentences"]) == (SEED_ARTICLES, SEED_SENTENCES)

            ready = await poll_ready(config.ops.port, task)
            assert fake.identified.is_set()
            assert ready["platforms"] == {"discord": True}
            assert (ready["articles"], ready["sentences"]) == (SEED_ARTICLES, SEED_SENTENCES)


async def test_healthz_and_readyz_turn_503_while_draining(tmp_path: Path, seed_answerer: Answerer) -> None:
    config = ops_config(tmp_path)
    service = await open_service(config, seed_answerer)
    readiness = Readiness(service, ["slack"])
    readiness.track("slack", lambda: True)
    server = await start_ops_server("127.0.0.1", 0, service, readiness)
    try:
        assert (await get(server.port, "/healthz"))[0] == 200
        assert (await get(server.port, "/readyz"))[0] == 200
        service.lifecycle.stop("test")
        status, health = await get(server.port, "/healthz")
        assert status == 503 and health["status"] == "unavailable" and health["draining"] is True
        status, ready = await get(server.port, "/readyz")
        assert status == 503 and ready["accepting"] is False and ready["platforms"] == {"slack": True}
    finally:
        await server.stop()
        await service.close()


async def test_a_busy_ops_port_is_one_failure_naming_it(tmp_path: Path, seed_answerer: Answerer) -> None:
    config = ops_config(tmp_path)
    config.discord.token = Secret("unused.token.value")  # never reached: the ops port fails first
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        config.ops.port = taken.getsockname()[1]
        try:
            await serve(config, seed_answerer, plan(config))
        except PlatformsFailed as failed:
            (failure,) = failed.failures
            assert failure.platform == "ops" and f"cannot listen on 127.0.0.1:{config.ops.port}" in failure.message
            assert failed.exit_code == 1
        else:
            raise AssertionError("serve started with its ops port taken")
