"""What every BM25 engine implements (:class:`Engine`), and what it is built from."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
from numpy.typing import NDArray


@dataclass(frozen=True)
class Params:
    """The BM25 parameters an engine scores with."""

    k1: float = 1.2
    b: float = 0.75
    method: str = "lucene"


@dataclass(frozen=True)
class Documents:
    """The documents (sentences or paragraphs) to index: document ``doc_of_term[j]`` holds term ``term_ids[j]``."""

    #: Every term, by id; ``vocab`` maps each back to its id.
    terms: list[str]
    vocab: dict[str, int]
    term_ids: NDArray[np.int32]
    doc_of_term: NDArray[np.int32]
    num_docs: int

    def token_lists(self) -> list[list[str]]:
        """One list of terms per document (for an engine that wants strings)."""
        out: list[list[str]] = [[] for _ in range(self.num_docs)]
        terms = self.terms
        for doc, term in zip(self.doc_of_term.tolist(), self.term_ids.tolist(), strict=True):
            out[doc].append(terms[term])
        return out


class Engine(Protocol):
    """Scores the documents of an index against a tokenized query; built, saved and loaded by the index."""

    @property
    def num_docs(self) -> int:
        """Documents in the index."""

    @classmethod
    def build(cls, docs: Documents, params: Params, background: Engine | None = None) -> Engine:
        """An engine over ``docs``; ``background`` (the large index a small delta is searched alongside), when the
        engine supports it, lends its statistics so both score alike."""

    def save(self, directory: Path) -> None:
        """Write what :meth:`load` reads back (nothing, for an engine that is rebuilt instead)."""

    @classmethod
    def load(cls, directory: Path, vocab: dict[str, int], params: Params, mmap: bool = True) -> Engine | None:
        """The engine :meth:`save` wrote, or ``None`` when it is not saved (the index is then rebuilt)."""

    def index(self, corpus_tokens: list[list[str]]) -> None:
        """Build the index from one list of terms per document (replacing what it held)."""

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
