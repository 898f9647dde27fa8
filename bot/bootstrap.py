"""Wiring shared by every entry point: config → corpus → index → :class:`Answerer`."""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from pathlib import Path

from retrieval import LiveIndex, OpenedIndex, ReadPolicy, Update, open_index, set_read_policy

from .answerer import Answerer
from .config import Config

log = logging.getLogger("quotebot.corpus")

@dataclass
class Loaded:
    """An answerer ready to use, with how its index was obtained and how long that took."""

    answerer: Answerer
    opened: OpenedIndex
    seconds: float


def build_answerer(
    config: Config,
    corpus: list[str] | None = None,
    rebuild: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Loaded:
    """Open (or build and cache) the index for the configured corpus and wrap it in an answerer."""
    paths = corpus or config.corpus.paths
    cache = Path(config.corpus.cache_dir) if config.corpus.cache_dir else None
    apply_read_policy(config)
    started = time.perf_counter()
    opened = open_index(paths, config.index, cache_dir=cache, rebuild=rebuild, progress=progress)
    return Loaded(Answerer(opened.index, config.answer), opened, time.perf_counter() - started)


async def follow_corpus(config: Config, answerer: Answerer, corpus: list[str] | None = None) -> Callable[[], Awaitable[None]]:
    """For a running bot with ``[corpus] watch = true``: swap ``answerer`` onto a :class:`~retrieval.live.LiveIndex`
    that re-indexes changed files in the background; returns the coroutine function that stops it.

    The live index opens the index the bot already saved (memory-mapped), so this costs little at start.
    """
    if not config.corpus.watch:
        return _nothing
    paths = corpus or config.corpus.paths
    cache = Path(config.corpus.cache_dir) if config.corpus.cache_dir else None
    apply_read_policy(config)
    live = LiveIndex(paths, config.index, cache_dir=cache, on_update=_log_update)
    await live.start()
    answerer.index = live
    log.info("corpus: watching %s for changes", ", ".join(str(p) for p in paths))
    return live.stop


async def _nothing() -> None:
    return None


def _log_update(update: Update) -> None:
    for problem in update.problems:
        log.warning("corpus: %s", problem)
    log.info(
        "corpus: %s; %d changed, %d deleted file(s), %d new sentence(s) in %.2fs",
        "compacted" if update.compacted else "updated",
        len(update.changed),
        len(update.deleted),
        update.delta_sentences,
        update.seconds,
    )


def apply_read_policy(config: Config) -> None:
    """Read corpus files (here and in indexing workers) under ``[corpus] follow_symlinks`` and ``max_file_bytes``."""
    set_read_policy(ReadPolicy(config.corpus.follow_symlinks, config.corpus.max_file_bytes))


def with_passages(config: Config, k: int | None) -> Config:
    """``config`` with ``answer.passages`` set to ``k`` when given."""
    if k is None:
        return config
    return replace(config, answer=replace(config.answer, passages=k))


def warn(message: str) -> None:
    """Print a warning for the user on stderr."""
    print(message, file=sys.stderr)
