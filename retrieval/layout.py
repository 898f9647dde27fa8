"""What the re-ranker needs to know about an index's shape: which article and paragraph each sentence is in."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray


@dataclass
class Layout:
    """What the ranker needs to know about an index's shape, computed once per index (one pass over its sentences).

    ``para_article`` maps each paragraph to its article (a paragraph with no sentence to article 0, and it
    counts among article 0's paragraphs, as it always has); ``sentences_in`` / ``paragraphs_in`` count
    each article's sentences and paragraphs. With ``term_ids`` / ``term_ptr`` (the index's analysed
    terms, sentence ``i`` holding ``term_ids[term_ptr[i]:term_ptr[i + 1]]``) and ``vocab``, proximity
    reads stored term ids instead of tokenizing the candidates' texts.
    """

    sent_article: NDArray[np.int32]
    sent_paragraph: NDArray[np.int32]
    para_article: NDArray[np.int64]
    sentences_in: NDArray[np.float64]
    paragraphs_in: NDArray[np.float64]
    #: Sentences (and paragraphs holding sentences) are numbered in article order: each article's
    #: sentences are ``sent_lo[a]:sent_hi[a]`` and its paragraphs ``para_lo[a]:para_hi[a]``, so counting a
    #: term's postings in an article is two binary searches. (Otherwise, the postings' articles are counted.)
    in_article_order: bool
    sent_lo: NDArray[np.int64]
    sent_hi: NDArray[np.int64]
    para_lo: NDArray[np.int64]
    para_hi: NDArray[np.int64]
    term_ids: NDArray[np.int32] | None = None
    term_ptr: NDArray[np.int64] | None = None
    vocab: dict[str, int] | None = None

    @property
    def num_sentences(self) -> int:
        """Sentences in the index."""
        return len(self.sent_article)

    @classmethod
    def of(
        cls,
        sent_article: NDArray[np.int32],
        sent_paragraph: NDArray[np.int32],
        num_paragraphs: int,
        term_ids: NDArray[np.int32] | None = None,
        term_ptr: NDArray[np.int64] | None = None,
        vocab: dict[str, int] | None = None,
    ) -> Layout:
        """The layout of an index with these per-sentence articles and paragraphs."""
        n_articles = int(sent_article.max()) + 1 if len(sent_article) else 0
        para_article = np.zeros(num_paragraphs, dtype=np.int64)
        para_article[sent_paragraph] = sent_article
        ordered = bool(np.all(np.diff(sent_article) >= 0) and np.all(np.diff(sent_paragraph) >= 0))
        sent_lo = np.searchsorted(sent_article, np.arange(n_articles), side="left").astype(np.int64)
        sent_hi = np.searchsorted(sent_article, np.arange(n_articles), side="right").astype(np.int64)
        has = sent_hi > sent_lo
        para_lo = np.where(has, sent_paragraph[np.where(has, sent_lo, 0)], 0).astype(np.int64)
        para_hi = np.where(has, sent_paragraph[np.maximum(sent_hi - 1, 0)] + 1, 0).astype(np.int64)
        return cls(
            sent_article=sent_article,
            sent_paragraph=sent_paragraph,
            para_article=para_article,
            sentences_in=np.bincount(sent_article, minlength=n_articles).astype(np.float64),
            paragraphs_in=np.bincount(para_article, minlength=n_articles).astype(np.float64),
            in_article_order=ordered,
            sent_lo=sent_lo,
            sent_hi=sent_hi,
            para_lo=para_lo,
            para_hi=para_hi,
            term_ids=term_ids,
            term_ptr=term_ptr,
            vocab=vocab,
        )

