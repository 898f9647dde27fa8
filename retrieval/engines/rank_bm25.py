"""rank-bm25, the reference engine, and how it differs from bm25s.

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

import math
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from .base import Documents, Engine, Params


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

    @classmethod
    def build(cls, docs: Documents, params: Params, background: Engine | None = None) -> RankBm25Engine:
        """An engine over ``docs`` (``background`` is not supported: a delta is scored on its own statistics)."""
        engine = cls(params.k1, params.b, params.method)
        engine.index(docs.token_lists())
        return engine

    def save(self, directory: Path) -> None:
        """Nothing to save: rank-bm25 keeps its counts in memory only (:meth:`load` says so)."""

    @classmethod
    def load(cls, directory: Path, vocab: dict[str, int], params: Params, mmap: bool = True) -> RankBm25Engine | None:
        """``None``: this engine is never saved, so a loaded index rebuilds it from its articles."""
        return None

    def get_scores(self, query_tokens: list[str]) -> NDArray[np.float32]:
        """Scores for every document, as ``BM25Okapi.get_scores``."""
        if self._bm25 is None or not query_tokens:
            return np.zeros(self.num_docs, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(query_tokens), dtype=np.float32)  # type: ignore[attr-defined]

    def top(self, query_tokens: list[str], n: int) -> tuple[NDArray[np.int64], NDArray[np.float32]]:
        """Up to ``n`` best documents with a positive score (scores every document)."""
        scores = self.get_scores(query_tokens)
        n = min(n, scores.size)
        if n <= 0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
        top = np.argpartition(-scores, n - 1)[:n] if n < scores.size else np.arange(scores.size)
        top = top[scores[top] > 0].astype(np.int64)
        return top, scores[top]

    def scores_at(self, query_tokens: list[str], docs: NDArray[np.int64]) -> NDArray[np.float32]:
        """Scores of ``docs`` (scores every document, then picks)."""
        return self.get_scores(query_tokens)[docs]

    def postings(self, term: str) -> tuple[NDArray[np.int32], NDArray[np.float32]]:
        """The documents ``term`` gives a nonzero score and those scores (scores every document, then picks)."""
        scores = self.get_scores([term])
        docs = np.flatnonzero(scores).astype(np.int32)
        return docs, scores[docs]

    def document_frequency(self, term: str) -> int:
        """How many documents ``term`` gives a nonzero score (scores every document)."""
        return int(np.count_nonzero(self.get_scores([term])))
