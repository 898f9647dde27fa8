"""Semantic scores for a question's best candidate sentences: how close in meaning each one is to the question.

Only the few candidates the lexical ranking put first are encoded, at question time, so indexing is unchanged and
the cost does not grow with the corpus. Embeddings of recently seen candidates are kept (a small LRU), since the
same article sentences come back for related questions.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from .model import Encoder, shared_encoder

#: Candidate embeddings kept between questions (384 floats each: 1.5 KB).
CACHE_SIZE = 20_000


def candidate_text(sentence: str, title: str | None = None, previous: str | None = None) -> str:
    """What the model reads for one candidate: its article's title (the story's context), the sentence it leans on
    (``previous``, for "He wrote that ..."), then the sentence. A title the loader made from the first sentence
    (shortened, ending in "…") says nothing more and is left out."""
    title = (title or "").strip()
    parts = [] if not title or title.endswith("…") or title in sentence else [f"{title}."]
    if previous:
        parts.append(previous)
    return " ".join([*parts, sentence])


class SemanticScorer:
    """Cosine similarity, by a sentence-embedding model, between a question and each of its candidates."""

    def __init__(self, encoder: Encoder, cache_size: int = CACHE_SIZE) -> None:
        self.encoder = encoder
        self.cache_size = cache_size
        self._cache: OrderedDict[str, NDArray[np.float32]] = OrderedDict()
        self._lock = threading.Lock()

    @classmethod
    def load(cls) -> SemanticScorer:
        """A scorer on the process's shared model; :class:`~retrieval.semantic.model.ModelMissing` when not installed."""
        return cls(shared_encoder())

    def score(self, question: str, candidates: Sequence[str]) -> NDArray[np.float64]:
        """One score in [-1, 1] per candidate text (see :func:`candidate_text`), higher when it means what was asked."""
        if not candidates:
            return np.zeros(0)
        vectors = self._vectors([question, *candidates])
        return (vectors[1:] @ vectors[0]).astype(np.float64)

    def _vectors(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """Embeddings of ``texts``, from the cache where it has them (the question is never cached)."""
        out: list[NDArray[np.float32] | None] = [None] * len(texts)
        with self._lock:
            for i, text in enumerate(texts[1:], start=1):
                hit = self._cache.get(text)
                if hit is not None:
                    self._cache.move_to_end(text)
                    out[i] = hit
        todo = [i for i, v in enumerate(out) if v is None]
        fresh = self.encoder.encode([texts[i] for i in todo])
        with self._lock:
            for i, vector in zip(todo, fresh, strict=True):
                out[i] = vector
                if i:
                    self._cache[texts[i]] = vector
            while len(self._cache) > self.cache_size:
                self._cache.popitem(last=False)
        return np.stack([v for v in out if v is not None])
