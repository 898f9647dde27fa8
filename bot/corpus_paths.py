"""Which corpus a command serves, and the checks that make a wrong corpus an error instead of an empty bot.

Paths given with ``--corpus`` are relative to the current folder; paths written in ``[corpus] paths`` are
relative to the config file's folder (:func:`bot.config.load_config` resolves them); the default ``seeds/``,
which nobody wrote, is relative to the current folder.
"""

from __future__ import annotations

import logging
from pathlib import Path

from retrieval import OpenedIndex, date_range

log = logging.getLogger("quotebot.corpus")


class CorpusError(Exception):
    """A corpus that can't be served: a path that does not exist, or no articles at all (exit status 2)."""


def corpus_paths(configured: list[str], given: list[str] | None = None) -> list[str]:
    """The paths to index: ``--corpus`` when given, else ``[corpus] paths`` (already resolved by the config loader)."""
    return list(given) if given else list(configured)


def check_paths(paths: list[str]) -> None:
    """Raise :class:`CorpusError` naming every path in ``paths`` that does not exist."""
    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        where = ", ".join(str(Path(p).absolute()) for p in missing)
        raise CorpusError(f"corpus path does not exist: {where} (pass --corpus PATH or set [corpus] paths)")


def check_not_empty(opened: OpenedIndex, paths: list[str]) -> None:
    """Raise :class:`CorpusError` when the index holds no article, naming the paths that were read."""
    if len(opened.index.articles) == 0:
        skipped = [p for p in opened.index.problems if p.skipped]
        why = f" ({len(skipped)} skipped: {'; '.join(str(p) for p in skipped[:3])}{'; …' if len(skipped) > 3 else ''})" if skipped else ""
        raise CorpusError(f"The corpus is empty: no articles in {', '.join(str(Path(p).absolute()) for p in paths)}{why}")


def describe(opened: OpenedIndex, seconds: float) -> str:
    """One line for a bot's start log: articles, sentences, date range, index folder, loaded or built."""
    index = opened.index
    first, last, undated = date_range(index.articles)
    dates = f"dated {first} to {last}" if first and last else "no dates"
    if undated:
        dates += f", {undated} undated"
    how = "loaded from the saved index" if opened.from_cache else f"built in {seconds:.2f}s"
    where = str(opened.path) if opened.path else "not saved (cache folder not writable)"
    return f"corpus: {len(index.articles)} article(s), {index.num_sentences} sentences, {dates}; index {how} at {where}"


def log_start(opened: OpenedIndex, seconds: float, paths: list[str]) -> None:
    """What every bot logs once at start: which corpus it serves and how its index was obtained."""
    log.info("%s (corpus paths: %s)", describe(opened, seconds), ", ".join(str(Path(p).absolute()) for p in paths))
