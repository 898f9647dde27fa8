"""BM25 engines behind one small interface.

``bm25s`` is the default: a sparse matrix of precomputed scores, fast to query
and saved as ``.npy`` files that load memory-mapped. ``rank-bm25``'s
``BM25Okapi`` is the reference implementation, selectable in config.

Where their defaults differ: ``BM25Okapi`` uses the Robertson IDF
``log((N - n + 0.5) / (n + 0.5))`` and replaces every negative IDF (a term in
more than half the documents) with ``epsilon * mean IDF`` (epsilon 0.25), and
multiplies term frequency by ``k1 + 1``; bm25s's default ``lucene`` method uses
``log(1 + (N - n + 0.5) / (n + 0.5))``, which is never negative, and leaves
out the constant ``k1 + 1``. Configured with ``method = "lucene"`` the
reference engine uses the Lucene IDF too, so both rank alike.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

ENGINES = ("bm25s", "rank-bm25")
METHODS = ("lucene", "robertson", "atire", "bm25l", "bm25+")


class Engine(Protocol):
    """Scores every document of an index against a tokenized query."""

    num_docs: int

    def index(self, corpus_tokens: list[list[str]]) -> None:
        """Build the index from one list of terms per document."""

    def get_scores(self, query_tokens: list[str]) -> NDArray[np.float32]:
        """One BM25 score per document, in corpus order; zeros for an empty query."""

    def save(self, directory: Path) -> None:
        """Persist the index under ``directory``."""


class Bm25sEngine:
    """The default engine: bm25s's precomputed sparse scores."""

    def __init__(self, k1: float = 1.2, b: float = 0.75, method: str = "lucene") -> None:
        import bm25s

        self._bm25 = bm25s.BM25(k1=k1, b=b, method=method)
        self.num_docs = 0

    def index(self, corpus_tokens: list[list[str]]) -> None:
        """Build the index; documents with no terms get the empty token so ids stay aligned."""
        self._bm25.index(corpus_tokens, show_progress=False)
        self.num_docs = len(corpus_tokens)

    def get_scores(self, query_tokens: list[str]) -> NDArray[np.float32]:
        """Scores for every document; terms unknown to the index count for nothing."""
        ids = [self._bm25.vocab_dict[t] for t in query_tokens if t in self._bm25.vocab_dict]
        if not ids or self.num_docs == 0:
            return np.zeros(self.num_docs, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(ids), dtype=np.float32)

    def term_ids(self, query_tokens: list[str]) -> list[int]:
        """Vocabulary ids of the query terms the index knows."""
        vocab = self._bm25.vocab_dict
        return [vocab[t] for t in query_tokens if t in vocab]

    def save(self, directory: Path) -> None:
        """Save as bm25s's ``.npy`` + JSON files."""
        self._bm25.save(str(directory), show_progress=False)
        (directory / "engine.json").write_text(json.dumps({"num_docs": self.num_docs}))

    @classmethod
    def load(cls, directory: Path, mmap: bool = True) -> Bm25sEngine:
        """Load a saved index, memory-mapped by default so a restart costs almost nothing."""
        import bm25s

        engine = cls.__new__(cls)
        engine._bm25 = bm25s.BM25.load(str(directory), mmap=mmap, show_progress=False)
        engine.num_docs = json.loads((directory / "engine.json").read_text())["num_docs"]
        return engine


class RankBm25Engine:
    """The reference engine: rank-bm25's ``BM25Okapi``, scoring in pure Python/NumPy.

    With ``method="lucene"`` the IDF is Lucene's (never negative) so it ranks as bm25s does;
    with ``method="robertson"`` it is stock ``BM25Okapi`` with its epsilon floor.
    """

    def __init__(self, k1: float = 1.2, b: float = 0.75, method: str = "lucene", epsilon: float = 0.25) -> None:
        if method not in ("lucene", "robertson"):
            raise ValueError(f"rank-bm25 supports method 'lucene' or 'robertson', not {method!r}")
        self.k1, self.b, self.method, self.epsilon = k1, b, method, epsilon
        self.num_docs = 0
        self._bm25: object | None = None

    def index(self, corpus_tokens: list[list[str]]) -> None:
        """Build the index (rank-bm25 keeps per-document term counts in memory)."""
        from rank_bm25 import BM25Okapi

        lucene = self.method == "lucene"

        class _Okapi(BM25Okapi):  # type: ignore[misc]
            def _calc_idf(self, nd: dict[str, int]) -> None:
                if not lucene:
                    super()._calc_idf(nd)
                    return
                self.idf = {w: math.log(1 + (self.corpus_size - f + 0.5) / (f + 0.5)) for w, f in nd.items()}
                self.average_idf = sum(self.idf.values()) / max(len(self.idf), 1)

        docs = [tokens or [""] for tokens in corpus_tokens]
        self.num_docs = len(docs)
        self._bm25 = _Okapi(docs, k1=self.k1, b=self.b, epsilon=self.epsilon) if docs else None

    def get_scores(self, query_tokens: list[str]) -> NDArray[np.float32]:
        """Scores for every document, as ``BM25Okapi.get_scores``."""
        if self._bm25 is None or not query_tokens:
            return np.zeros(self.num_docs, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(query_tokens), dtype=np.float32)  # type: ignore[attr-defined]

    def save(self, directory: Path) -> None:
        """rank-bm25 has no on-disk format; it is rebuilt from the saved tokens."""


def make_engine(name: str, k1: float, b: float, method: str) -> Bm25sEngine | RankBm25Engine:
    """Create an empty engine by its config name."""
    if name == "bm25s":
        return Bm25sEngine(k1=k1, b=b, method=method)
    if name == "rank-bm25":
        return RankBm25Engine(k1=k1, b=b, method=method)
    raise ValueError(f"unknown engine {name!r}; expected one of {', '.join(ENGINES)}")
