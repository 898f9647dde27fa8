"""What the re-ranker needs to know about an index's shape: which article and paragraph each sentence is in.

A saved index keeps its layout beside it (:func:`save_layout`, :func:`load_layout`), so the first question after a
restart reads it memory-mapped instead of making it (a pass over every sentence: 0.16 s at a million).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.ma  # noqa: F401  (np.unique, in the re-ranker, imports it on its first call: 30 ms of the first question)
from numpy.typing import NDArray

from .store import load_array


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



#: The folder of a saved index that holds its :class:`Layout` (one ``.npy`` per array), and the arrays saved.
FOLDER = "layout"
_SAVED = ("para_article", "sentences_in", "paragraphs_in", "sent_lo", "sent_hi", "para_lo", "para_hi")


def save_layout(layout: Layout, directory: Path) -> None:
    """Write ``layout`` into the index folder ``directory`` (its term arrays and vocabulary are the index's own, saved
    with it), so that :func:`load_layout` opens it instead of a pass over every sentence."""
    folder = directory / FOLDER
    folder.mkdir()
    for name in _SAVED:
        np.save(folder / f"{name}.npy", getattr(layout, name))
    (folder / "meta.json").write_text(json.dumps({"in_article_order": layout.in_article_order}))


def load_layout(
    directory: Path,
    sent_article: NDArray[np.int32],
    sent_paragraph: NDArray[np.int32],
    term_ids: NDArray[np.int32],
    term_ptr: NDArray[np.int64],
    vocab: dict[str, int],
    mmap: bool = True,
) -> Layout | None:
    """The layout saved in the index folder ``directory`` (memory-mapped), with the index's own per-sentence arrays,
    and its term ids and vocabulary when it keeps every sentence's terms (as :meth:`Layout.of` is given them);
    ``None`` when the folder has none (an index saved before layouts were)."""
    folder = directory / FOLDER
    try:
        meta = json.loads((folder / "meta.json").read_text())
        arrays = {name: load_array(folder / f"{name}.npy", mmap) for name in _SAVED}
    except FileNotFoundError:
        return None
    stored = len(term_ptr) == len(sent_article) + 1
    return Layout(
        sent_article=sent_article,
        sent_paragraph=sent_paragraph,
        in_article_order=bool(meta["in_article_order"]),
        term_ids=term_ids if stored else None,
        term_ptr=term_ptr if stored else None,
        vocab=vocab if stored else None,
        **arrays,
    )
