"""``quotebot discord`` as a service runs it: the start log says what corpus it serves and what it synced and why,
and no voice warning (this bot never joins voice)."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import discord
import pytest

from bot.answerer import Answerer
from bot.config import Config
from bot.feedback import FeedbackLog
from bot.platforms.discord.client import build_client
from bot.platforms.discord.run import hash_file
from bot.platforms.discord.sync import CommandSync
from bot.state import MemoryState
from tests.bot.platforms.discord.fake_discord import FakeDiscord
from tests.bot.platforms.discord.helpers import service_setup
from tests.bot_process import BotProcess
from tests.conftest import SEEDS


async def test_the_start_log_names_the_corpus_and_the_sync_and_no_voice_warning(tmp_path: Path) -> None:
    async with FakeDiscord() as fake:
        config, env = service_setup(fake, tmp_path)
        async with BotProcess(config, ["discord"], env) as bot:
            await bot.read_until(r"corpus: 1 article\(s\), 14 sentences, dated 2020-06-09 to 2020-06-09; index built in [\d.]+s at ")
            await bot.read_until(r"synced discord commands to global \(/ask\): Discord has no commands there")
            await asyncio.wait_for(fake.identified.wait(), 60)
            code, log = await bot.stop()
        assert code == 0, log
        assert f"corpus paths: {SEEDS}" in log
        assert "PyNaCl" not in log and "davey" not in log and "voice" not in log


async def test_building_the_client_logs_no_voice_warning(
    tmp_path: Path, seed_answerer: Answerer, caplog: pytest.LogCaptureFixture
) -> None:
    discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = True  # as in a fresh process without PyNaCl/davey
    config = Config()
    config.corpus.cache_dir = str(tmp_path)
    with caplog.at_level(logging.WARNING, logger="discord"):
        client = build_client(config, seed_answerer, MemoryState(), FeedbackLog(str(tmp_path / "f.jsonl")), CommandSync(hash_file(config)))
    await client.close()
    assert not [r for r in caplog.records if "voice" in r.getMessage()]
