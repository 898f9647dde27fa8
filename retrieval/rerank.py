"""Re-ranking over one index: its candidates for a query (:func:`retrieval.ranking.candidates`), weighed."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from .index import SentenceIndex
from .ranking import FEATURES, WEIGHTS, Candidates, Ranked, candidates, combine


def index_candidates(
    index: SentenceIndex,
    terms: list[str],
    question: str = "",
    n: int | None = None,
    allowed: NDArray[np.bool_] | None = None,
) -> Candidates:
    """:func:`candidates` over ``index`` (the best ``n``, default its ``candidates`` setting), reading the terms' postings."""
    return candidates(
        [index.sentence_engine.postings(t) for t in terms],
        [index.paragraph_engine.postings(t) for t in terms],
        index.layout(),
        index.sentence_texts,
        terms,
        question,
        index.tokenizer,
        index.settings.candidates if n is None else n,
        index.settings.paragraph_weight,
        allowed,
    )


def rank(
    index: SentenceIndex,
    terms: list[str],
    question: str = "",
    weights: dict[str, float] | None = None,
    allowed: NDArray[np.bool_] | None = None,
) -> Ranked:
    """Pick ``index``'s candidate sentences for ``terms`` from their postings and weigh their features.

    ``allowed`` (one flag per article) limits the candidates to those articles (date-aware questions).
    """
    terms = list(dict.fromkeys(terms))
    c = index_candidates(index, terms, question, allowed=allowed)
    w = {**WEIGHTS, **(weights or {})}
    return Ranked(c, combine(c, [w[name] for name in FEATURES]))
