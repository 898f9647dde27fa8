"""Fixtures for the Discord adapter: a loopback fake Discord and the real discord.py client running against it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.answerer import Answerer, AnswerSettings
from bot.config import Config, CorpusConfig, DiscordConfig, FeedbackConfig, Secret
from bot.feedback import FeedbackLog
from bot.platforms.discord.client import QuoteClient, ShardedQuoteClient, build_client
from bot.platforms.discord.run import hash_file, serve
from bot.platforms.discord.sync import CommandSync
from bot.state import MemoryState
from tests.bot.platforms.discord.fake_discord import FakeDiscord


def discord_config(fake: FakeDiscord, tmp_path: Path, **discord: object) -> Config:
    """A config pointing at ``fake``, with the cache and feedback file under ``tmp_path``."""
    settings = DiscordConfig(api_base=fake.api_base, gateway_url=fake.gateway_url, token=Secret(fake.token))
    for key, value in discord.items():
        setattr(settings, key, value)
    return Config(
        corpus=CorpusConfig(cache_dir=str(tmp_path / "cache")),
        discord=settings,
        feedback=FeedbackConfig(path=str(tmp_path / "feedback.jsonl")),
    )


@dataclass
class Running:
    """A client connected to the fake, with what it was built from."""

    client: QuoteClient | ShardedQuoteClient
    config: Config
    task: asyncio.Task[None]


Start = Callable[..., Awaitable[Running]]


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    """A fake Discord on a loopback port."""
    async with FakeDiscord() as server:
        yield server


@pytest.fixture
async def start(seed_answerer: Answerer, tmp_path: Path) -> AsyncIterator[Start]:
    """``await start(fake, **discord_settings)``: run the bot against ``fake`` until it has identified."""
    running: list[Running] = []

    async def _start(
        fake: FakeDiscord,
        respond_within: float = 2.0,
        view_timeout: float = 600.0,
        force_sync: bool = False,
        answerer: Answerer | None = None,
        answer_settings: AnswerSettings | None = None,
        log_questions: bool = True,
        **settings: object,
    ) -> Running:
        config = discord_config(fake, tmp_path, **settings)
        config.privacy.log_questions = log_questions
        if answer_settings is not None:
            config.answer = answer_settings
        client = build_client(
            config,
            answerer or seed_answerer,
            MemoryState(),
            FeedbackLog(config.feedback.path),
            CommandSync(hash_file(config)),
            force_sync=force_sync,
            respond_within=respond_within,
            view_timeout=view_timeout,
        )
        fake.identified.clear()
        task = asyncio.create_task(serve(client, fake.token, config.discord))
        waiter = asyncio.create_task(fake.identified.wait())
        done, _ = await asyncio.wait({task, waiter}, timeout=10, return_when=asyncio.FIRST_COMPLETED)
        if waiter not in done:
            waiter.cancel()
            if task in done:
                task.result()
            raise AssertionError("the client never identified with the fake gateway")
        run = Running(client, config, task)
        running.append(run)
        return run

    yield _start
    for run in running:
        await run.client.close()
        await asyncio.wait_for(run.task, 10)
