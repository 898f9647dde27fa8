"""Re-ranking over one index: its candidates for a query (:func:`retrieval.ranking.candidates`), weighed.

The candidate stage reads every posting of every query term. Inside ``with reading_by_blocks():`` it reads block by
block (:class:`retrieval.blocks.MaxScorePool`) where the index allows it: the same candidates and features, but on
the synthetic benchmark corpora it reads fewer postings at the median and more at p99 than the full scan
(``python -m bench.postings``), so it is not the default.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np
from numpy.typing import NDArray

from .blocks import MaxScorePool, read_whole
from .engines.bm25s import Bm25sEngine
from .index import SentenceIndex
from .pools import PoolScores
from .ranking import FEATURES, WEIGHTS, Candidates, Ranked, candidates, combine

_LOCAL = threading.local()


@contextmanager
def reading_by_blocks() -> Iterator[None]:
    """On this thread, inside the ``with`` block, the candidate stage reads block by block where it can."""
    outer = getattr(_LOCAL, "blocks", False)
    _LOCAL.blocks = True
    try:
        yield
    finally:
        _LOCAL.blocks = outer


def block_pool(index: SentenceIndex, terms: list[str]) -> Callable[[], PoolScores] | None:
    """What makes the block-max :class:`~retrieval.blocks.MaxScorePool` for ``terms`` over ``index``, or ``None`` when
    the index can't use it (another engine, matrices without block maxima, sentences not in article order), no query
    term is common enough to be bounded by its blocks (:func:`~retrieval.blocks.read_whole`) or
    :func:`reading_by_blocks` is off."""
    sentences, paragraphs = index.sentence_engine, index.paragraph_engine
    if not getattr(_LOCAL, "blocks", False):
        return None
    if not isinstance(sentences, Bm25sEngine) or not isinstance(paragraphs, Bm25sEngine):
        return None
    if sentences.matrix.block_max is None or paragraphs.matrix.block_max is None:
        return None
    layout = index.layout()
    if not layout.in_article_order:
        return None
    ids = [sentences.vocab.get(t, -1) for t in terms]
    matrix = sentences.matrix
    if all(read_whole(matrix.document_frequency(t), matrix.num_docs) for t in ids):
        return None  # every term is read whole anyway: blocks would only add work
    weight = index.settings.paragraph_weight
    return lambda: MaxScorePool(sentences.matrix, paragraphs.matrix, ids, layout, weight)


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
        block_pool(index, terms),
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
