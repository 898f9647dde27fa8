"""Fixtures shared by the whole suite: the seed corpus, and a private index cache per test."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from bot.answerer import Answerer
from bot.logs import PAYLOAD_LOGGERS
from retrieval.corpus import load_corpus
from retrieval.index import SentenceIndex
from tests.redis_server import REDIS_SERVER, SKIP_REASON, RedisServer

# Property-based tests: a quick pass by default; HYPOTHESIS_PROFILE=fuzz for a long run. Generating long hostile
# texts is slow on a busy machine: that is not a failure, so those health checks are off.
_SLOW_IS_FINE = [HealthCheck.too_slow, HealthCheck.data_too_large]
settings.register_profile("quick", max_examples=40, deadline=None, suppress_health_check=_SLOW_IS_FINE)
settings.register_profile("fuzz", max_examples=3000, deadline=None, suppress_health_check=_SLOW_IS_FINE)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "quick"))

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SEED_FILE = "000_c80df7419379041d.txt"
#: The shared SQuAD dev set: beside the checkout (../shared) or, from a worktree under wt/, two levels up.
_SQUAD_PLACES = [base / "shared" / "eval" / "squad-dev" for base in (ROOT.parent, ROOT.parent.parent)]
SQUAD = next((p for p in _SQUAD_PLACES if p.exists()), _SQUAD_PLACES[0])
IBM_QUOTE = "“IBM no longer offers general purpose IBM facial recognition or analysis software,”"


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets its own index cache and config lookup, never the user's."""
    monkeypatch.setenv("QUOTEBOT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.delenv("QUOTEBOT_CONFIG", raising=False)
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "DISCORD_TOKEN"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """Undo what a command run in-process did to logging (``setup_logging``'s handlers and levels)."""
    root = logging.getLogger()
    level = root.level
    names = (*PAYLOAD_LOGGERS, "discord.gateway", "discord.http", "discord.state")
    levels = {name: logging.getLogger(name).level for name in names}
    yield
    for handler in root.handlers[:]:
        if getattr(handler, "_quotebot", False):
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)
    for name, saved in levels.items():
        logging.getLogger(name).setLevel(saved)
    logging.captureWarnings(False)


@pytest.fixture(scope="session")
def seed_index() -> SentenceIndex:
    """The seed corpus, indexed with default settings (shared: tests must not change it)."""
    return SentenceIndex.build(load_corpus([SEEDS]))


@pytest.fixture(scope="session")
def seed_answerer(seed_index: SentenceIndex) -> Answerer:
    """An answerer over the seed corpus with default settings."""
    return Answerer(seed_index)


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A real redis-server on a free loopback port, stopped after the test; skipped if not installed."""
    if REDIS_SERVER is None:
        pytest.skip(SKIP_REASON)
    server = RedisServer(tmp_path / "redis")
    server.start()
    try:
        yield server
    finally:
        server.stop()
