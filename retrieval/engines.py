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

import math
from pathlib import Path
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from .sparse import SparseBm25, build_matrix

ENGINES = ("bm25s", "rank-bm25")
METHODS = ("lucene", "robertson", "atire", "bm25l", "bm25+")


class Engine(Protocol):
    """Scores the documents of an index against a tokenized query."""

    num_docs: int

    def index(self, corpus_tokens: list[list[str]]) -> None:
        """Build the index from one list of terms per document."""

    def get_scores(self, query_tokens: list[str]) -> NDArray[np.float32]:
        """One BM25 score per document, in corpus order; zeros for an empty query."""

    def top(self, query_tokens: list[str], n: int) -> tuple[NDArray[np.int64], NDArray[np.float32]]:
        """Up to ``n`` best documents sharing a term with the query, and their scores (unordered)."""

    def scores_at(self, query_tokens: list[str], docs: NDArray[np.int64]) -> NDArray[np.float32]:
        """The scores of the given documents only."""

    def postings(self, term: str) -> tuple[NDArray[np.int32], NDArray[np.float32]]:
        """The documents ``term`` gives a nonzero score (ascending) and those scores."""

    def document_frequency(self, term: str) -> int:
        """How many documents ``term`` gives a nonzero score (those holding it)."""


class Bm25sEngine:
    """The default engine: bm25s's model (a sparse matrix of precomputed scores), built and queried with NumPy.

    The matrix is :class:`~retrieval.sparse.SparseBm25`; scores equal bm25s's. Several
    engines of one index share one vocabulary (term → column).
    """

    def __init__(self, k1: float = 1.2, b: float = 0.75, method: str = "lucene") -> None:
        self.k1, self.b, self.method = k1, b, method
        self.matrix = build_matrix(np.empty(0, np.int64), np.empty(0, np.int64), 0, 0, method, k1, b)
        self.vocab: dict[str, int] = {}

    @classmethod
    def of(cls, matrix: SparseBm25, vocab: dict[str, int]) -> Bm25sEngine:
        """An engine over an already built matrix and its vocabulary."""
        engine = cls()
        engine.matrix, engine.vocab = matrix, vocab
        return engine

    @property
    def num_docs(self) -> int:
        """Documents in the index."""
        return self.matrix.num_docs

    def index(self, corpus_tokens: list[list[str]]) -> None:
        """Index one list of terms per document (documents with no terms keep their place)."""
        vocab: dict[str, int] = {}
        ids = [vocab.setdefault(t, len(vocab)) for doc in corpus_tokens for t in doc]
        docs = np.repeat(np.arange(len(corpus_tokens), dtype=np.int64), [len(doc) for doc in corpus_tokens])
        terms = np.asarray(ids, dtype=np.int64)
        self.matrix = build_matrix(docs, terms, len(corpus_tokens), len(vocab), self.method, self.k1, self.b)
        self.vocab = vocab

    @classmethod
    def from_tokens(cls, corpus_tokens: list[list[str]], k1: float = 1.2, b: float = 0.75, method: str = "lucene") -> Bm25sEngine:
        """A new engine indexing one list of terms per document."""
        engine = cls(k1, b, method)
        engine.index(corpus_tokens)
        return engine

    def term_ids(self, query_tokens: list[str]) -> list[int]:
        """Vocabulary ids of the query terms the index knows."""
        vocab = self.vocab
        return [vocab[t] for t in query_tokens if t in vocab]

    def get_scores(self, query_tokens: list[str]) -> NDArray[np.float32]:
        """Scores for every document; terms unknown to the index count for nothing."""
        return self.matrix.get_scores(self.term_ids(query_tokens))

    def top(self, query_tokens: list[str], n: int) -> tuple[NDArray[np.int64], NDArray[np.float32]]:
        """Up to ``n`` best documents sharing a term with the query (reads only those terms' postings)."""
        return self.matrix.top(self.term_ids(query_tokens), n)

    def scores_at(self, query_tokens: list[str], docs: NDArray[np.int64]) -> NDArray[np.float32]:
        """Scores of ``docs`` only."""
        return self.matrix.scores_at(self.term_ids(query_tokens), docs)

    def postings(self, term: str) -> tuple[NDArray[np.int32], NDArray[np.float32]]:
        """The documents holding ``term`` (ascending) and its score in each, read straight from the matrix."""
        return self.matrix.postings(self.vocab.get(term, -1))

    def document_frequency(self, term: str) -> int:
        """How many documents hold ``term`` (0 for a term the index does not know)."""
        return self.matrix.document_frequency(self.vocab.get(term, -1))

    def save(self, directory: Path) -> None:
        """Save the matrix as ``.npy`` files (the vocabulary is saved once by the index)."""
        self.matrix.save(directory)

    @classmethod
    def load(cls, directory: Path, vocab: dict[str, int], mmap: bool = True) -> Bm25sEngine:
        """Load a saved matrix, memory-mapped by default so a restart costs almost nothing."""
        return cls.of(SparseBm25.load(directory, mmap=mmap), vocab)


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


def make_engine(name: str, k1: float, b: float, method: str) -> Bm25sEngine | RankBm25Engine:
    """An empty engine by its config name; fill it with ``index(corpus_tokens)``."""
    if name == "bm25s":
        return Bm25sEngine(k1=k1, b=b, method=method)
    if name == "rank-bm25":
        return RankBm25Engine(k1=k1, b=b, method=method)
    raise ValueError(f"unknown engine {name!r}; expected one of {', '.join(ENGINES)}")
