"""BM25 engines behind one interface (:class:`~retrieval.engines.base.Engine`), chosen by name in config.

Adding an engine: one module here with a class implementing :class:`Engine`, and one line in :data:`REGISTRY`.
"""

from __future__ import annotations

from ..sparse import METHODS
from .base import Documents, Engine, Params
from .bm25s import Bm25sEngine
from .rank_bm25 import RankBm25Engine

#: Every engine by its config name (``[index] engine``).
REGISTRY: dict[str, type[Engine]] = {
    "bm25s": Bm25sEngine,
    "rank-bm25": RankBm25Engine,
}

ENGINES = tuple(REGISTRY)


def engine_class(name: str) -> type[Engine]:
    """The engine class configured as ``name``."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown engine {name!r}; expected one of {', '.join(ENGINES)}") from None


def make_engine(name: str, k1: float, b: float, method: str) -> Engine:
    """An empty engine by its config name; fill it with ``index(corpus_tokens)``."""
    return engine_class(name)(k1=k1, b=b, method=method)  # type: ignore[call-arg]


__all__ = [
    "ENGINES", "METHODS", "REGISTRY", "Bm25sEngine", "Documents", "Engine", "Params", "RankBm25Engine", "engine_class", "make_engine",
]  # fmt: skip
