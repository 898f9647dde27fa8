"""quotebot's retrieval side, and its one public API: corpus loading, indexing, and the one search path.

Typical use::

    searcher = open_searcher(["corpus/"], IndexSettings()).searcher
    result = searcher.search("Who opened the bridge?", k=3)
    for found in result.hits:
        print(found.hit.text, found.hit.article_id)

Everything outside this package (the bot, the evaluation, the benchmarks) imports from ``retrieval`` only.
This package never imports ``bot``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .cache import OpenedIndex, default_cache_dir, open_index
from .cache_admin import SavedIndex, prune, saved_indexes
from .catalog import date_range, rows
from .corpus import DateError, load_corpus, parse_date
from .dates import DateFilter, date_filter
from .engines import ENGINES, METHODS
from .index import Hit, IndexSettings, SentenceIndex
from .live import LiveIndex, MergedIndex, Update, WatchHealth
from .peak import PeakRss
from .qtype import TYPES, question_type
from .ranking import FEATURES, WEIGHTS, Ranked
from .records import Article, LoadReport, Problem
from .related import related_terms
from .safe_files import ReadPolicy, set_read_policy
from .search import NO_GATE, AnyIndex, Context, Gate, Searcher, SearchHit, SearchResult
from .semantic import Blend, ModelMissing, SemanticScorer
from .tokens import Tokenizer


@dataclass
class OpenedSearcher:
    """A searcher over a corpus's index, and how that index was obtained (from the cache or built)."""

    searcher: Searcher
    opened: OpenedIndex


def open_searcher(
    paths: list[str],
    settings: IndexSettings | None = None,
    gate: Gate | None = None,
    cache_dir: Path | None = None,
    rebuild: bool = False,
    progress: Callable[[int, int], None] | None = None,
    semantic: bool = False,
) -> OpenedSearcher:
    """Open (or build and cache) the index of the corpus under ``paths`` and wrap it in a :class:`Searcher`; with
    ``semantic``, one that weighs the shared semantic model's evidence too (:class:`ModelMissing` when it is not
    installed)."""
    opened = open_index(paths, settings, cache_dir=cache_dir, rebuild=rebuild, progress=progress)
    scorer = SemanticScorer.load() if semantic else None
    return OpenedSearcher(Searcher(opened.index, gate, scorer), opened)


__all__ = [
    "ENGINES", "FEATURES", "METHODS", "NO_GATE", "TYPES", "WEIGHTS", "AnyIndex", "Article", "Blend", "Context",
    "DateError", "DateFilter", "Gate", "Hit", "IndexSettings", "LiveIndex", "LoadReport", "MergedIndex",
    "ModelMissing", "OpenedIndex", "OpenedSearcher", "PeakRss", "Problem", "Ranked", "ReadPolicy", "SavedIndex", "SearchHit",
    "SearchResult", "Searcher", "SemanticScorer", "SentenceIndex", "Tokenizer", "Update", "WatchHealth",
    "date_filter", "date_range", "default_cache_dir", "load_corpus", "open_index", "open_searcher", "parse_date",
    "prune", "question_type", "related_terms", "rows", "saved_indexes", "set_read_policy",
]  # fmt: skip
