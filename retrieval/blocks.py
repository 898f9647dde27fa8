"""The re-ranker's candidate stage with block maxima: read only the postings that can still change the best sentences.

:func:`retrieval.ranking.candidates` wants the ``n`` best sentences by pool score, a sentence's own BM25 plus
``paragraph_weight`` x its paragraph's BM25, and then a few scores of given sentences and paragraphs. Reading every
posting of every query term (:class:`retrieval.pools.ScannedPool`) costs hundreds of thousands of postings on a
question with a common word. :class:`BlockPool` gives the same values from far fewer:

- **Bounds per cell.** Sentence numbers are cut into cells of :data:`CELL`. Each term's postings are cut into
  blocks of :data:`retrieval.sparse.BLOCK` whose largest score is stored at build time
  (:func:`retrieval.sparse.block_maxima`); a block covers the sentences from its first posting to its last, so the
  most a term can give any sentence of a cell is the largest maximum among the blocks reaching into it (a rare term,
  in at most :data:`DIRECT` sentences, is read whole and bounds each cell by its own postings). The paragraph
  matrix is bounded the same way, each paragraph block reaching the cells of its paragraphs' sentences. A cell's
  bound is the sum over the query's terms of the sentence bounds plus ``paragraph_weight`` x the paragraph bounds:
  no sentence in it has a higher pool score.
- **Cells best first.** Cells are read in order of their bound, in growing batches: every term's postings inside
  them (found by binary search in each posting list) and the postings of their paragraphs, summed term by term in
  query order exactly as the full scan sums them, so each sentence's pool score is the same float. Once ``n``
  eligible sentences are scored, the ``n``-th best score is a floor; reading stops at the first cell whose bound is
  below it, since none of the rest can reach the best ``n`` or tie with the ``n``-th.
- **Look-ups for the features.** The candidates' own and paragraph scores and their neighbours' are found by binary
  search; an article's best paragraph from its paragraphs' scores looked up the same way; a paragraph's rank among
  all paragraphs from the paragraphs that can score at least the lowest candidate paragraph, found cell by cell as
  above in paragraph numbers.

**Not the default** (:func:`retrieval.rerank.reading_by_blocks` turns it on). The pool score wants the best 200
sentences, whose floor is low, and a cell's bound adds up the largest scores of several terms found in different
sentences of it, so on the synthetic benchmark corpora most cells stay above the floor and the cells alone read more
postings than the full scan. :class:`MaxScorePool`, what the re-ranker uses, first tries a MaxScore split into rare
and common terms and falls back to the full scan when that does not prune; at 1M synthetic sentences it reads about
a quarter fewer postings at the median and more at p99 (the failed attempt plus the scan), ``python -m
bench.postings``. What it lacks is a bound per sentence (document-at-a-time block-max WAND) rather than per cell.

It needs sentences and paragraphs numbered in article order (:attr:`retrieval.layout.Layout.in_article_order`, as
every build numbers them) and matrices with block maxima; otherwise the re-ranker scans every posting.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from .layout import Layout
from .pools import PoolScores, Postings, article_best_looked_up, best_k, full_scan, look_up, paragraph_rank
from .reads import count
from .sparse import BLOCK, SparseBm25, distinct, locate, scratch_array, search_sorted, spans

#: Sentences (or, for paragraph ranks, paragraphs) per cell.
CELL = 32
#: A term in at most this many documents, or this share of them, is read whole: its postings bound the cells far
#: better than its blocks would (a block of a term in 1% of the sentences spans fifty cells).
DIRECT = 8 * BLOCK
DIRECT_SHARE = 0.02


def read_whole(df: int, num_docs: int) -> bool:
    """Whether a term in ``df`` of ``num_docs`` documents is read whole rather than bounded by its blocks."""
    return df <= max(DIRECT, DIRECT_SHARE * num_docs)


#: Cells read in the first batch; each next batch reads twice as many.
FIRST_BATCH = 8
#: Bounds are raised by this share before being compared, so that summing in another order can't round one below the
#: score it bounds.
SLACK = 1e-9


@dataclass
class _Units:
    """Stretches of one term's postings and the most each gives a document in it: documents ``first[i]`` to
    ``last[i]`` (inclusive) get at most ``value[i]`` (at least 0: a document without the term gets 0)."""

    first: NDArray[np.int64]
    last: NDArray[np.int64]
    value: NDArray[np.float64]


def _units(matrix: SparseBm25, term: int) -> _Units:
    """The stretches of ``term``'s postings in ``matrix``: its blocks, or each posting of a rare term."""
    if not 0 <= term < matrix.num_terms:
        empty = np.empty(0, dtype=np.int64)
        return _Units(empty, empty, np.empty(0))
    s, e = int(matrix.indptr[term]), int(matrix.indptr[term + 1])
    if read_whole(e - s, matrix.num_docs) or matrix.block_ptr is None or matrix.block_max is None:
        count(scanned=e - s)
        docs = np.asarray(matrix.indices[s:e], dtype=np.int64)
        return _Units(docs, docs, np.maximum(matrix.data[s:e], 0.0, dtype=np.float64))
    b0, b1 = int(matrix.block_ptr[term]), int(matrix.block_ptr[term + 1])
    starts = s + np.arange(b1 - b0, dtype=np.int64) * BLOCK
    ends = np.minimum(starts + BLOCK, e) - 1
    count(blocks=b1 - b0)
    return _Units(
        matrix.indices[starts].astype(np.int64),
        matrix.indices[ends].astype(np.int64),
        np.maximum(matrix.block_max[b0:b1], 0.0, dtype=np.float64),
    )


def _spread(first: NDArray[np.int64], last: NDArray[np.int64], value: NDArray[np.float64], cells: int) -> NDArray[np.float64]:
    """Per cell, the largest ``value`` of the stretches reaching into it (cells ``first[i]`` to ``last[i]``)."""
    out = np.zeros(cells)
    if first.size == 0:
        return out
    widths = last - first + 1
    if int(widths.max()) == 1:
        np.maximum.at(out, first, value)
        return out
    total = int(widths.sum())
    at = np.repeat(first - (np.cumsum(widths) - widths), widths) + np.arange(total, dtype=np.int64)
    np.maximum.at(out, at, np.repeat(value, widths))
    return out


def _runs(cells: NDArray[np.int64], size: int, limit: int) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """The sorted ``cells`` (of ``size`` documents each, ``limit`` documents in all) as runs of consecutive
    documents: their starts and (exclusive) ends."""
    breaks = np.flatnonzero(np.diff(cells) != 1) + 1
    firsts = cells[np.concatenate([[0], breaks])]
    lasts = cells[np.concatenate([breaks - 1, [cells.size - 1]])]
    return firsts * size, np.minimum((lasts + 1) * size, limit)


def _read(postings: Postings, lo: NDArray[np.int64], hi: NDArray[np.int64]) -> tuple[NDArray[np.int32], NDArray[np.float32]]:
    """The postings of documents ``lo[i]:hi[i]`` (disjoint ranges, ascending): two binary searches per range."""
    docs, scores = postings
    at = spans(search_sorted(docs, lo), search_sorted(docs, hi))
    count(scanned=at.size, located=2 * lo.size)
    return docs[at], scores[at]


class BlockPool:
    """:class:`retrieval.pools.PoolScores` read block by block (see the module's docstring): the same values as
    :class:`retrieval.pools.ScannedPool`, from the postings that can still matter.

    ``terms`` are the query's term ids in both matrices (they share one vocabulary; -1 for a term neither knows),
    repeated as often as the query repeats them, in the order their scores are summed.
    """

    def __init__(self, sentences: SparseBm25, paragraphs: SparseBm25, terms: list[int], layout: Layout, paragraph_weight: float) -> None:
        self.layout, self.weight = layout, paragraph_weight
        self.matrices, self.terms = (sentences, paragraphs), terms
        self.sentences = [sentences.postings(t) for t in terms]
        self.paragraphs = [paragraphs.postings(t) for t in terms]
        self.num_paragraphs = len(layout.para_article)

    @cached_property
    def sentence_units(self) -> list[_Units]:
        """Each term's stretches of sentence postings (read on first use)."""
        return [_units(self.matrices[0], t) for t in self.terms]

    @cached_property
    def paragraph_units(self) -> list[_Units]:
        """Each term's stretches of paragraph postings (read on first use)."""
        return [_units(self.matrices[1], t) for t in self.terms]

    # -- the best sentences ------------------------------------------------------------------

    def _bounds(self, allowed: NDArray[np.bool_] | None) -> NDArray[np.float64]:
        """Per sentence cell, the most any eligible sentence in it can score (0 where none can)."""
        num = self.layout.num_sentences
        cells = (num + CELL - 1) // CELL
        own = np.zeros(cells)
        for u in self.sentence_units:
            own += _spread(u.first // CELL, u.last // CELL, u.value, cells)
        para = np.zeros(cells)
        sent_paragraph = self.layout.sent_paragraph
        for u in self.paragraph_units:
            if u.first.size:
                first = search_sorted(sent_paragraph, u.first, side="left")
                last = search_sorted(sent_paragraph, u.last, side="right") - 1
                keep = last >= first
                para += _spread(first[keep] // CELL, last[keep] // CELL, u.value[keep], cells)
        bound = np.where(own > 0, own + self.weight * para, 0.0)
        if allowed is not None:
            bound[~self._allowed_cells(allowed, cells)] = 0.0
        return bound * (1 + SLACK)

    def _allowed_cells(self, allowed: NDArray[np.bool_], cells: int) -> NDArray[np.bool_]:
        """Which cells hold a sentence of an allowed article."""
        lo, hi = self.layout.sent_lo, self.layout.sent_hi
        arts = np.flatnonzero(allowed[: lo.size] & (hi > lo))
        marks = np.zeros(cells + 1, dtype=np.int64)
        np.add.at(marks, lo[arts] // CELL, 1)
        np.add.at(marks, (hi[arts] - 1) // CELL + 1, -1)
        return np.cumsum(marks[:cells]) > 0

    def _score_cells(self, cells: NDArray[np.int64], allowed: NDArray[np.bool_] | None) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        """The eligible sentences of ``cells`` (sorted, each cell read once per search) and their pool scores."""
        layout = self.layout
        num = layout.num_sentences
        lo, hi = _runs(cells, CELL, num)
        own = scratch_array("rank_own", num, np.float64)
        para = scratch_array("rank_para", self.num_paragraphs, np.float64)
        s_parts: list[NDArray[np.int32]] = []
        p_parts: list[NDArray[np.int32]] = []
        try:
            for postings in self.sentences:
                docs, scores = _read(postings, lo, hi)
                own[docs] += scores
                s_parts.append(docs)
            # The runs' paragraphs, as disjoint ranges (a paragraph may straddle two runs' cells).
            p_lo = layout.sent_paragraph[lo].astype(np.int64)
            p_hi = layout.sent_paragraph[hi - 1].astype(np.int64) + 1
            fresh = np.concatenate([[True], p_lo[1:] >= p_hi[:-1]])
            ends = np.concatenate([np.flatnonzero(fresh)[1:] - 1, [p_lo.size - 1]])
            p_lo, p_hi = p_lo[fresh], p_hi[ends]
            for postings in self.paragraphs:
                docs, scores = _read(postings, p_lo, p_hi)
                para[docs] += scores
                p_parts.append(docs)
            held = distinct(s_parts, num) if any(p.size for p in s_parts) else np.empty(0, dtype=np.int64)
            keep = own[held] > 0
            if allowed is not None:
                keep &= allowed[layout.sent_article[held]]
            held = held[keep]
            return held, own[held] + self.weight * para[layout.sent_paragraph[held]]
        finally:
            for docs in s_parts:
                own[docs] = 0.0
            for docs in p_parts:
                para[docs] = 0.0

    def best(self, n: int, allowed: NDArray[np.bool_] | None) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        """See :meth:`retrieval.pools.PoolScores.best`."""
        bound = self._bounds(allowed)
        live = np.flatnonzero(bound > 0)
        order = live[np.argsort(-bound[live], kind="stable")]
        docs: list[NDArray[np.int64]] = []
        pools: list[NDArray[np.float64]] = []
        held, floor, done, batch = 0, -np.inf, 0, FIRST_BATCH
        while done < order.size and bound[order[done]] >= floor:
            chunk = order[done : done + batch]
            done += chunk.size
            batch *= 2
            chunk = chunk[bound[chunk] >= floor]
            found, scores = self._score_cells(np.sort(chunk), allowed)
            docs.append(found)
            pools.append(scores)
            held += found.size
            if held >= n:
                every = np.concatenate(pools)
                floor = float(np.partition(every, every.size - n)[every.size - n])
        if not held or n <= 0:
            return np.empty(0, dtype=np.int64), np.empty(0)
        all_docs, all_pools = np.concatenate(docs), np.concatenate(pools)
        ids = best_k(all_docs, all_pools, min(n, all_docs.size))
        order_docs = np.argsort(all_docs)
        return ids, all_pools[order_docs[np.searchsorted(all_docs[order_docs], ids)]]

    # -- scores of given sentences and paragraphs ----------------------------------------------

    def own(self, ids: NDArray[np.int64]) -> NDArray[np.float64]:
        """See :meth:`retrieval.pools.PoolScores.own`."""
        return look_up(self.sentences, ids)

    def para(self, paras: NDArray[np.int64]) -> NDArray[np.float64]:
        """See :meth:`retrieval.pools.PoolScores.para`."""
        return look_up(self.paragraphs, paras)

    def article_best(self, arts: NDArray[np.int64]) -> NDArray[np.float64]:
        """See :meth:`retrieval.pools.PoolScores.article_best`: the scores of the articles' paragraphs looked up."""
        return article_best_looked_up(self.layout, self.paragraphs, arts)

    def para_rank(self, paras: NDArray[np.int64]) -> NDArray[np.float64]:
        """See :meth:`retrieval.pools.PoolScores.para_rank`: only the paragraph cells whose bound reaches the lowest
        candidate paragraph's score are read."""
        floor = float(self.para(paras).min()) if paras.size else 0.0
        cells = (self.num_paragraphs + CELL - 1) // CELL
        bound = np.zeros(cells)
        reached = np.zeros(cells, dtype=bool)
        for u in self.paragraph_units:
            bound += _spread(u.first // CELL, u.last // CELL, u.value, cells)
            reached[u.first // CELL] = True
            reached[u.last // CELL] = True
        wanted = np.flatnonzero((reached | (bound > 0)) & (bound * (1 + SLACK) >= floor))
        scratch = scratch_array("rank_para", self.num_paragraphs, np.float64)
        parts: list[NDArray[np.int32]] = []
        try:
            if wanted.size:
                lo, hi = _runs(wanted, CELL, self.num_paragraphs)
                for postings in self.paragraphs:
                    docs, scores = _read(postings, lo, hi)
                    scratch[docs] += scores
                    parts.append(docs)
            read = np.concatenate(parts) if parts else np.empty(0, dtype=np.int32)
            return paragraph_rank(scratch, read, paras)
        finally:
            for docs in parts:
                scratch[docs] = 0.0

    def close(self) -> None:
        """See :meth:`retrieval.pools.PoolScores.close` (every method leaves its scratch zeroed already)."""


class MaxScorePool(BlockPool):
    """:class:`BlockPool` that first tries MaxScore with one split: the query's rare terms (read whole, see
    :func:`read_whole`) and its common ones.

    Every sentence whose pool score could hold a rare term's share lies in a paragraph holding a rare term; all other
    sentences score at most the sum, over the common terms, of their largest sentence score plus ``paragraph_weight``
    x their largest paragraph score. The sentences of the rare terms' paragraphs are scored by look-ups; when the
    ``n``-th best of them beats that sum, the common terms' postings are never scanned. Otherwise (or for a
    paragraph's rank, the same test on paragraph scores) it falls back to :class:`BlockPool`'s cells.
    """

    def __init__(self, sentences: SparseBm25, paragraphs: SparseBm25, terms: list[int], layout: Layout, paragraph_weight: float) -> None:
        super().__init__(sentences, paragraphs, terms, layout, paragraph_weight)
        known = [0 <= t < sentences.num_terms for t in terms]
        common = [k and not read_whole(sentences.document_frequency(t), sentences.num_docs) for k, t in zip(known, terms, strict=True)]
        self.rare = [i for i, (k, c) in enumerate(zip(known, common, strict=True)) if k and not c]
        own_max = sum(sentences.column_max(t) for t, c in zip(terms, common, strict=True) if c)
        para_max = sum(paragraphs.column_max(t) for t, c in zip(terms, common, strict=True) if c)
        #: Set when the split does not prune: the full scan, which then answers everything.
        self.scan: PoolScores | None = None
        #: The most a sentence (a paragraph) holding no rare term can score.
        self.common_pool = (own_max + paragraph_weight * para_max) * (1 + SLACK) + SLACK
        self.common_para = para_max * (1 + SLACK) + SLACK

    @cached_property
    def _rare_paragraphs(self) -> NDArray[np.int64]:
        """The paragraphs holding a rare term of the query, ascending (their postings are read whole)."""
        parts = [np.asarray(self.paragraphs[i][0]) for i in self.rare]
        count(scanned=sum(p.size for p in parts))
        if not parts:
            return np.empty(0, dtype=np.int64)
        return np.unique(np.concatenate(parts).astype(np.int64))

    def _mixed(self, lists: list[Postings], at: NDArray[np.int64], name: str, size: int) -> NDArray[np.float64]:
        """The summed scores ``lists`` give documents ``at`` (sorted; every rare term's postings among them), term by
        term in query order: a rare term's postings added in whole, a common one's looked up for ``at`` only."""
        scratch = scratch_array(name, size, np.float64)
        rare = set(self.rare)
        try:
            for i, (docs, scores) in enumerate(lists):
                if i in rare:
                    scratch[docs] += scores
                    count(scanned=docs.size)
                elif docs.size:
                    found, pos = locate(docs, at)
                    scratch[at[found]] += scores[pos[found]]
                    count(located=at.size)
            return scratch[at]
        finally:
            scratch[at] = 0.0

    @cached_property
    def _rare_scores(self) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.float64]]:
        """The sentences of the paragraphs holding a rare term, their own scores, and those paragraphs' scores."""
        held = self._rare_paragraphs
        sent_paragraph = self.layout.sent_paragraph
        docs = spans(search_sorted(sent_paragraph, held, side="left"), search_sorted(sent_paragraph, held, side="right"))
        own = self._mixed(self.sentences, docs, "rank_own", self.layout.num_sentences)
        return docs, own, self._mixed(self.paragraphs, held, "rank_para", self.num_paragraphs)

    def best(self, n: int, allowed: NDArray[np.bool_] | None) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        """See :meth:`retrieval.pools.PoolScores.best`."""
        docs, own, para = self._rare_scores
        keep = own > 0
        if allowed is not None:
            keep &= allowed[self.layout.sent_article[docs]]
        docs, own = docs[keep], own[keep]
        if n <= 0 or docs.size < n:
            return self._scanned().best(n, allowed)
        held = self._rare_paragraphs
        pools = own + self.weight * para[np.searchsorted(held, self.layout.sent_paragraph[docs])]
        floor = float(np.partition(pools, docs.size - n)[docs.size - n])
        if not self.common_pool < floor:
            return self._scanned().best(n, allowed)
        ids = best_k(docs, pools, n)
        return ids, pools[np.searchsorted(docs, ids)]

    def _scanned(self) -> PoolScores:
        """The full scan of every posting (:func:`retrieval.pools.full_scan`), read on first need."""
        if self.scan is None:
            self.scan = full_scan(self.sentences, self.paragraphs, self.layout, self.weight)
        return self.scan

    def own(self, ids: NDArray[np.int64]) -> NDArray[np.float64]:
        """See :meth:`retrieval.pools.PoolScores.own`."""
        return self.scan.own(ids) if self.scan is not None else super().own(ids)

    def para(self, paras: NDArray[np.int64]) -> NDArray[np.float64]:
        """See :meth:`retrieval.pools.PoolScores.para`."""
        return self.scan.para(paras) if self.scan is not None else super().para(paras)

    def article_best(self, arts: NDArray[np.int64]) -> NDArray[np.float64]:
        """See :meth:`retrieval.pools.PoolScores.article_best`."""
        return self.scan.article_best(arts) if self.scan is not None else super().article_best(arts)

    def para_rank(self, paras: NDArray[np.int64]) -> NDArray[np.float64]:
        """See :meth:`retrieval.pools.PoolScores.para_rank`."""
        floor = float(self.para(paras).min()) if paras.size else 0.0
        if self.scan is not None or not self.common_para < floor:
            return self._scanned().para_rank(paras)
        held = self._rare_paragraphs
        scratch = scratch_array("rank_para", self.num_paragraphs, np.float64)
        scratch[held] = self._rare_scores[2]
        try:
            return paragraph_rank(scratch, held.astype(np.int32), paras)
        finally:
            scratch[held] = 0.0

    def close(self) -> None:
        """See :meth:`retrieval.pools.PoolScores.close`."""
        if self.scan is not None:
            self.scan.close()
