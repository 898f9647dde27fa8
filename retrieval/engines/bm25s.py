"""The default engine: bm25s's model, a sparse matrix of precomputed scores, fast to query and saved as
``.npy`` files that load memory-mapped."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from ..sparse import Background, SparseBm25, build_matrix
from .base import Documents, Engine, Params


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
    def build(cls, docs: Documents, params: Params, background: Engine | None = None) -> Bm25sEngine:
        """An engine over ``docs``; with a ``background`` engine of the same kind its statistics are used too
        (a small delta scored alongside the large base)."""
        bg = _background(background, docs.terms) if isinstance(background, Bm25sEngine) else None
        args = (len(docs.terms), params.method, params.k1, params.b)
        matrix = build_matrix(docs.doc_of_term, docs.term_ids, docs.num_docs, *args, background=bg)
        return cls.of(matrix, docs.vocab)

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
    def load(cls, directory: Path, vocab: dict[str, int], params: Params, mmap: bool = True) -> Bm25sEngine | None:
        """Load a saved matrix, memory-mapped by default so a restart costs almost nothing."""
        return cls.of(SparseBm25.load(directory, mmap=mmap), vocab)


def _background(engine: Bm25sEngine, terms: list[str]) -> Background:
    """``engine``'s statistics for ``terms`` (document frequency 0 for terms it does not know)."""
    matrix, vocab = engine.matrix, engine.vocab
    df = np.array([matrix.document_frequency(vocab.get(t, -1)) for t in terms], dtype=np.float64)
    return Background(df, matrix.num_docs, matrix.avg_doc_len)
