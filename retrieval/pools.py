"""Where the candidate stage reads BM25 scores: the best sentences by pool score and the scores of given sentences.

:func:`retrieval.ranking.candidates` wants the ``n`` best sentences by pool score (a sentence's own BM25 plus
``paragraph_weight`` x its paragraph's BM25) and then the scores of a few given sentences and paragraphs, through
:class:`PoolScores`. The full scans here read every posting of every query term and give exactly the values of
summing them all, term by term in query order:

- :class:`ScannedPool` sums every posting at once into per-thread scratch arrays, fastest while those fit the CPU's
  cache;
- :class:`StretchedPool` sums one stretch of :data:`STRETCH` sentences (and their paragraphs) at a time, while its
  scratch is in cache, and reads pool scores only where a sentence can still beat the best so far: faster from
  :data:`STRETCHED_FROM` sentences on. Compiled, its whole loop over the stretches is one call
  (:func:`retrieval.kernels.stretch_best`).

:func:`full_scan` picks between them by the index's size. :mod:`retrieval.blocks` reads fewer postings by block
maxima and falls back to the full scan.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from .kernels import add_at, at_least, compiled_loops, pool_at, stretch_best, zero_at
from .layout import Layout
from .reads import count
from .sparse import locate, scratch_array, search_sorted, sorted_unique, spans

Postings = tuple[NDArray[np.int32], NDArray[np.float32]]
#: Documents as native indexes. NumPy converts an int32 index array to ``intp`` on every fancy index (an add, a read
#: and a zeroing of the same postings cost 5.6 ns a posting, against 3.4 converted once), so :class:`StretchedPool`
#: converts each stretch's run of postings once.
Docs = NDArray[np.intp]


def as_docs(docs: NDArray[np.integer]) -> Docs:
    """``docs`` as native indexes (no copy when they already are)."""
    return docs.astype(np.intp, copy=False)


def _add_part(scratch: NDArray[np.float64], docs: NDArray[np.int32], scores: NDArray[np.float32], parts: list[Docs]) -> None:
    """Add one run of postings into ``scratch``, noting their documents (as native indexes) in ``parts``."""
    part = as_docs(docs)
    add_at(scratch, part, scores)
    parts.append(part)


def best_k(ids: NDArray[np.integer], pool: NDArray[np.float64], k: int) -> NDArray[np.int64]:
    """The ``k`` of ``ids`` with the highest ``pool`` values, ties at the cut going to the lowest ids; in id order."""
    if k >= ids.size:
        return np.sort(ids).astype(np.int64)
    cut = np.partition(pool, ids.size - k)[ids.size - k]
    above = ids[pool > cut]
    tied = np.sort(ids[pool == cut])[: k - above.size]
    return np.sort(np.concatenate([above, tied])).astype(np.int64)


def _eligible(postings: NDArray[np.int32], pool_of: Callable[[NDArray[np.int32]], NDArray[np.float64]], want: int) -> NDArray[np.int32]:
    """The distinct sentences among ``postings`` (one per query term a sentence holds) that may be among the best
    ``n``: a sentence occurs at most once per term, so the best ``want = n x terms`` postings by pool score hold the
    ``n`` best sentences, and every sentence tied with the ``n``-th."""
    if postings.size > want:
        pool = pool_of(postings)
        cut = np.partition(pool, postings.size - want)[postings.size - want]
        return sorted_unique(postings[pool >= cut])
    return sorted_unique(postings)


def _article_best(
    layout: Layout, para: NDArray[np.float64], para_postings: NDArray[np.integer], arts: NDArray[np.int64]
) -> NDArray[np.float64]:
    """The best paragraph score of each candidate's article (``para`` is zero outside the postings)."""
    cand_arts = np.unique(arts)
    best = np.zeros(cand_arts.size)
    if layout.in_article_order:
        lo, hi = layout.para_lo[cand_arts], layout.para_hi[cand_arts]
        spans = np.flatnonzero(hi > lo)
        if spans.size:
            lens = hi[spans] - lo[spans]
            first = np.cumsum(lens) - lens
            values = para[np.repeat(lo[spans] - first, lens) + np.arange(int(lens.sum()))]
            best[spans] = np.maximum(np.maximum.reduceat(values, first), 0.0)
    else:
        at, where = locate(cand_arts.astype(np.int32), layout.para_article[para_postings])
        np.maximum.at(best, where[at], para[para_postings[at]])
    return best[np.searchsorted(cand_arts, arts)]


def paragraph_rank(para: NDArray[np.float64], para_postings: NDArray[np.integer], paras: NDArray[np.int64]) -> NDArray[np.float64]:
    """Reciprocal rank of each candidate's paragraph among all paragraphs (ties by paragraph number). Only
    paragraphs scoring at least the lowest candidate paragraph can rank above one, so only those are sorted."""
    above = sorted_unique(at_least(para, para_postings, para[paras].min()))
    return _ranks(above, para[above], paras)


def _ranks(docs: NDArray[np.integer], values: NDArray[np.float64], at: NDArray[np.int64]) -> NDArray[np.float64]:
    """Reciprocal rank of each of ``at`` among ``docs`` (ascending, distinct, holding ``at``) by ``values``, ties
    going to the lower number."""
    order = np.argsort(-values, kind="stable")
    rank_of = np.empty(docs.size, dtype=np.int64)
    rank_of[order] = np.arange(docs.size)
    return 1.0 / (1.0 + rank_of[np.searchsorted(docs, at)])


def look_up(lists: list[Postings], at: NDArray[np.int64]) -> NDArray[np.float64]:
    """The summed scores ``lists`` give documents ``at``, term by term in order (as a scan of every posting sums them)."""
    out = np.zeros(at.size)
    for docs, scores in lists:
        found, pos = locate(docs, at)
        out[found] += scores[pos[found]]
    count(located=at.size * len(lists))
    return out


def article_best_looked_up(layout: Layout, paragraph_postings: list[Postings], arts: NDArray[np.int64]) -> NDArray[np.float64]:
    """:func:`_article_best` from the scores of the articles' paragraphs looked up in their postings (layout in
    article order)."""
    cand = np.unique(arts)
    paras = spans(layout.para_lo[cand], layout.para_hi[cand])
    scratch = scratch_array("rank_para", len(layout.para_article), np.float64)
    scratch[paras] = look_up(paragraph_postings, paras)
    try:
        return _article_best(layout, scratch, np.empty(0, dtype=np.int32), arts)
    finally:
        scratch[paras] = 0.0


class PoolScores(Protocol):
    """Where :func:`candidates` reads BM25 scores: the best sentences by pool score (own BM25 plus
    ``paragraph_weight`` x paragraph BM25) and the scores of given sentences and paragraphs.

    :class:`ScannedPool` reads every posting of every query term; :class:`retrieval.blocks.BlockPool` reads only the
    postings that can still change the best sentences, and gives the same values.
    """

    def best(self, n: int, allowed: NDArray[np.bool_] | None) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        """The ``n`` best sentences holding a query term (own score above zero; with ``allowed``, of allowed articles)
        by pool score, ties at the cut going to the lowest ids, in id order; and their pool scores."""
        ...

    def own(self, ids: NDArray[np.int64]) -> NDArray[np.float64]:
        """The own BM25 score of sentences ``ids`` (summed term by term in query order, as every path does)."""
        ...

    def para(self, paras: NDArray[np.int64]) -> NDArray[np.float64]:
        """The BM25 score of paragraphs ``paras``."""
        ...

    def article_best(self, arts: NDArray[np.int64]) -> NDArray[np.float64]:
        """The best paragraph score (at least 0) of each article of ``arts``."""
        ...

    def para_rank(self, paras: NDArray[np.int64]) -> NDArray[np.float64]:
        """Reciprocal rank of each paragraph of ``paras`` among all paragraphs by score (ties by paragraph number)."""
        ...

    def close(self) -> None:
        """Leave the per-thread scratch arrays zeroed for the next query."""
        ...


class _Scratch:
    """The per-thread scratch arrays a full scan sums own and paragraph scores into, and the pool score read from them."""

    def __init__(self, layout: Layout, paragraph_weight: float) -> None:
        self.layout, self.weight = layout, paragraph_weight
        self.scratch_own = scratch_array("rank_own", layout.num_sentences, np.float64)
        self.scratch_para = scratch_array("rank_para", len(layout.para_article), np.float64)

    def pool_of(self, docs: NDArray[np.integer]) -> NDArray[np.float64]:
        """Pool scores of sentences ``docs`` (own plus ``paragraph_weight`` x paragraph, as summed so far)."""
        return pool_at(self.scratch_own, self.layout.sent_paragraph, self.scratch_para, self.weight, docs)


def _joined(lists: list[Postings]) -> NDArray[np.int32]:
    """The documents of every list, one after another."""
    parts = [docs for docs, _ in lists if docs.size]
    return np.concatenate(parts) if parts else np.empty(0, dtype=np.int32)


class ScannedPool(_Scratch):
    """:class:`PoolScores` from every posting of every query term, summed into per-thread scratch arrays that are zero
    outside the postings read (and zeroed again by :meth:`close`), so a look-up of any sentence or paragraph is exact."""

    def __init__(
        self, sentence_postings: list[Postings], paragraph_postings: list[Postings], layout: Layout, paragraph_weight: float
    ) -> None:
        super().__init__(layout, paragraph_weight)
        self.s_parts = [docs for docs, _ in sentence_postings if docs.size]
        self.p_parts = [docs for docs, _ in paragraph_postings if docs.size]
        # Every posting, a sentence once per query term it holds (no de-duplication of the whole: that costs more).
        self.postings = _joined(sentence_postings)
        self.para_postings = _joined(paragraph_postings)
        count(scanned=self.postings.size + self.para_postings.size)
        # Added as int32 indexes: converting each list to native indexes first, as :class:`StretchedPool` does,
        # measured slower here with NumPy's adds (p90 +20 % at 1M), where the scratch arrays fit the cache.
        for docs, scores in sentence_postings:
            add_at(self.scratch_own, docs, scores)
        for docs, scores in paragraph_postings:
            add_at(self.scratch_para, docs, scores)

    def best(self, n: int, allowed: NDArray[np.bool_] | None) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        """See :meth:`PoolScores.best`."""
        postings = self.postings
        if allowed is not None:
            postings = postings[allowed[self.layout.sent_article[postings]]]
        eligible = _eligible(postings, self.pool_of, n * len(self.s_parts))
        eligible = eligible[self.scratch_own[eligible] > 0]
        k = min(n, eligible.size)
        if k == 0:
            return np.empty(0, dtype=np.int64), np.empty(0)
        ids = best_k(eligible, self.pool_of(eligible), k)
        return ids, self.pool_of(ids)

    def own(self, ids: NDArray[np.int64]) -> NDArray[np.float64]:
        """See :meth:`PoolScores.own`."""
        return self.scratch_own[ids]

    def para(self, paras: NDArray[np.int64]) -> NDArray[np.float64]:
        """See :meth:`PoolScores.para`."""
        return self.scratch_para[paras]

    def article_best(self, arts: NDArray[np.int64]) -> NDArray[np.float64]:
        """See :meth:`PoolScores.article_best`."""
        return _article_best(self.layout, self.scratch_para, self.para_postings, arts)

    def para_rank(self, paras: NDArray[np.int64]) -> NDArray[np.float64]:
        """See :meth:`PoolScores.para_rank`."""
        return paragraph_rank(self.scratch_para, self.para_postings, paras)

    def close(self) -> None:
        """See :meth:`PoolScores.close`."""
        for docs in self.s_parts:
            zero_at(self.scratch_own, docs)
        for docs in self.p_parts:
            zero_at(self.scratch_para, docs)


#: Sentences whose scores the full scan sums at a time: one stretch's scratch scores (1 MB) stay in the CPU's cache
#: while every query term's postings in it are added and its pool scores read, where a corpus of millions would have
#: each posting reach memory three times. 2^17 against 2^18 at 10M on a 2 MB-per-core L2 (2026-12-06, six pairs of
#: runs): p99 about 4 % lower in five of six, p50 the same or lower; 2^16 lowered the p99 more but raised the p50 10 %.
STRETCH = 1 << 17
#: A stretch holding more postings than its size / DENSE is read and zeroed whole (contiguous, no duplicates).
DENSE = 4
#: The same two for the compiled scan (:func:`retrieval.kernels.stretch_best`), which pays nothing a stretch: smaller
#: stretches keep more of the scratch in cache, and reading a span whole pays off later than NumPy's fancy indexing
#: does. At 10M (2026-12-06, three rounds of 300 questions): p99 about 42 ms at 2^13-2^15 with 2, 45 at 2^16, 52 at
#: 2^17 with 4, and 71-74 ms at 2^17 with 16.
COMPILED_STRETCH = 1 << 15
COMPILED_DENSE = 2


def _dense(parts: list[Docs], lo: int, hi: int) -> bool:
    """Whether ``parts`` (documents within ``lo:hi``) are dense enough in their span to read or zero it whole."""
    return sum(p.size for p in parts) * DENSE > hi - lo


def _one(parts: list[Docs]) -> Docs:
    """The documents of ``parts``, one after another (the part itself when there is one)."""
    return parts[0] if len(parts) == 1 else np.concatenate(parts)


def _zero(scratch: NDArray[np.float64], parts: list[Docs], lo: int, hi: int) -> None:
    """Zero the scratch scores at ``parts`` (documents within ``lo:hi``): the span whole when the parts are dense in it."""
    if _dense(parts, lo, hi):
        scratch[lo:hi] = 0.0
    else:
        for docs in parts:
            zero_at(scratch, docs)


class StretchedPool(_Scratch):
    """:class:`PoolScores` from every posting of every query term, summed into per-thread scratch arrays one stretch
    of :data:`STRETCH` sentences (and, in article order, their paragraphs) at a time: the stretch's best sentences
    are kept, its paragraphs' scores noted for :meth:`para_rank`, and its scratch zeroed again while still in cache.
    Given sentences and paragraphs are then looked up in the postings. (Numbered out of article order, paragraph
    scores are summed whole first and kept until :meth:`close`.) In article order with the compiled module, :meth:`best`
    is one call to :func:`retrieval.kernels.stretch_best`, which does the same in C (stretches of
    :data:`COMPILED_STRETCH`), keeping the best so far in a heap; the loop here runs without it."""

    def __init__(
        self, sentence_postings: list[Postings], paragraph_postings: list[Postings], layout: Layout, paragraph_weight: float
    ) -> None:
        super().__init__(layout, paragraph_weight)
        self.sentence_postings = [(docs, scores) for docs, scores in sentence_postings if docs.size]
        self.paragraph_postings = [(docs, scores) for docs, scores in paragraph_postings if docs.size]
        count(scanned=sum(docs.size for docs, _ in self.sentence_postings + self.paragraph_postings))
        self.ordered = layout.in_article_order
        #: The scratch scores summed and not yet zeroed: own scores at ``own_parts`` (sentences ``own_span``) and
        #: paragraph scores at ``para_parts`` (paragraphs ``para_span``).
        self.own_parts: list[Docs] = []
        self.own_span = (0, 0)
        self.para_parts: list[Docs] = []
        self.para_span = (0, 0)
        #: In article order, each stretch's paragraph postings and their paragraphs' scores (for :meth:`para_rank`).
        self.para_seen: list[tuple[Docs, NDArray[np.float64]]] = []
        #: Out of article order, the best paragraph score (once known).
        self.para_max: float | None = None
        if not self.ordered:
            self._add_whole_paragraphs()

    def _add_whole_paragraphs(self) -> None:
        """Sum every paragraph posting into the paragraph scratch at once."""
        self.para_span = (0, len(self.layout.para_article))
        self._add(self.scratch_para, self.paragraph_postings, [[0, docs.size] for docs, _ in self.paragraph_postings], 0, self.para_parts)

    @staticmethod
    def _add(scratch: NDArray[np.float64], lists: list[Postings], edges: list[list[int]], i: int, parts: list[Docs]) -> None:
        """Sum every list's postings ``edges[term][i]:edges[term][i + 1]`` into ``scratch`` (term by term, in query
        order), noting their documents in ``parts``."""
        for (docs, scores), edge in zip(lists, edges, strict=True):
            a, b = edge[i], edge[i + 1]
            if a < b:
                _add_part(scratch, docs[a:b], scores[a:b], parts)

    def _stretches(self, size: int) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Where the stretches of sentences start (and the last ends), and where their paragraphs do. A stretch starts
        at the paragraph holding every ``size``-th sentence in article order, so that no paragraph's scores are
        wanted by two stretches; out of article order its paragraphs are not summed stretch by stretch."""
        layout = self.layout
        num, sent_paragraph = layout.num_sentences, layout.sent_paragraph
        every = np.arange(size, num, size)
        if self.ordered:
            every = search_sorted(sent_paragraph, sent_paragraph[every], side="left")
        bounds = np.unique(np.concatenate([[0], every, [num]]))
        if not self.ordered:  # no paragraph postings fall within these bounds: they were summed whole
            return bounds, np.full(bounds.size, -1, dtype=np.int64)
        paragraph_bounds = sent_paragraph[bounds[1:-1]].astype(np.int64)
        return bounds, np.concatenate([[0], paragraph_bounds, [len(layout.para_article)]])

    def best(self, n: int, allowed: NDArray[np.bool_] | None) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        """See :meth:`PoolScores.best`. Stretch by stretch: the best ``n`` so far set a floor that a later sentence
        (higher numbered, so losing ties) must beat."""
        kept, kept_pool = np.empty(0, dtype=np.int64), np.empty(0)
        if n <= 0 or not self.sentence_postings:
            return kept, kept_pool
        if self.ordered and compiled_loops():
            return self._best_compiled(n, allowed)
        bounds, paragraph_bounds = self._stretches(STRETCH)
        # Where each term's postings of each stretch start; stretches holding no posting (most, for a rare term) are
        # skipped.
        own_edges = np.array([search_sorted(docs, bounds) for docs, _ in self.sentence_postings])
        para_edges = np.array([search_sorted(docs, paragraph_bounds) for docs, _ in self.paragraph_postings]).reshape(-1, bounds.size)
        held = np.diff(own_edges, axis=1).sum(axis=0) + np.diff(para_edges, axis=1).sum(axis=0)
        own_at, para_at = own_edges.tolist(), para_edges.tolist()
        for i in np.flatnonzero(held).tolist():
            if self.ordered:
                self.para_span = (int(paragraph_bounds[i]), int(paragraph_bounds[i + 1]))
                self._add(self.scratch_para, self.paragraph_postings, para_at, i, self.para_parts)
            self.own_span = (int(bounds[i]), int(bounds[i + 1]))
            self._add(self.scratch_own, self.sentence_postings, own_at, i, self.own_parts)
            if self.own_parts:
                found = self._stretch_best(n, allowed, float(kept_pool.min()) if kept.size >= n else None)
                ids, pools = np.concatenate([kept, found]), np.concatenate([kept_pool, self.pool_of(found)])
                kept = best_k(ids, pools, n)
                kept_pool = pools[np.searchsorted(ids, kept)]  # ``ids`` is ascending: every stretch follows the last
            self._clear_stretch()
        return kept, kept_pool

    def _best_compiled(self, n: int, allowed: NDArray[np.bool_] | None) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
        """:meth:`best` in one compiled call over every stretch (in article order), the scratch left zeroed."""
        layout = self.layout
        kept, kept_pool, seen_docs, seen_values = stretch_best(
            self.scratch_own, self.scratch_para, layout.sent_paragraph, layout.sent_article, allowed, self.weight, n,
            COMPILED_DENSE, self.sentence_postings, self.paragraph_postings, *self._stretches(COMPILED_STRETCH),
        )  # fmt: skip
        self.para_seen = [(seen_docs, seen_values)] if seen_docs.size else []
        return kept, kept_pool

    def _clear_stretch(self) -> None:
        """Zero the stretch's scratch scores, first noting its paragraphs' scores (in article order)."""
        if self.ordered and self.para_parts:
            docs = _one(self.para_parts)
            self.para_seen.append((docs, self.scratch_para[docs]))
        _zero(self.scratch_own, self.own_parts, *self.own_span)
        self.own_parts = []
        if self.ordered:
            _zero(self.scratch_para, self.para_parts, *self.para_span)
            self.para_parts = []

    def _paragraph_max(self) -> float:
        """The best paragraph score of the stretch being summed (out of article order, of all paragraphs)."""
        if not self.ordered:
            if self.para_max is None:
                self.para_max = float(max((self.scratch_para[p].max() for p in self.para_parts), default=0.0))
            return self.para_max
        lo, hi = self.para_span
        if _dense(self.para_parts, lo, hi):
            return float(self.scratch_para[lo:hi].max(initial=0.0))
        return float(max((self.scratch_para[p].max() for p in self.para_parts), default=0.0))

    def _stretch_best(self, n: int, allowed: NDArray[np.bool_] | None, floor: float | None) -> NDArray[np.int64]:
        """The distinct sentences of the stretch being summed that may be among the best ``n`` (own score above zero,
        pool score above ``floor`` when one is set, of ``allowed`` articles), ascending."""
        lo, hi = self.own_span
        parts, own = self.own_parts, self.scratch_own
        # With a floor, a sentence must beat it with its paragraph scoring the stretch's best: most can't.
        reach = None if floor is None or self.weight < 0 else self.weight * self._paragraph_max()
        if _dense(parts, lo, hi):
            scores = own[lo:hi]
            docs, per = np.flatnonzero((scores > 0) if reach is None else (scores > 0) & (scores + reach > floor)) + lo, 1
        else:
            # The best ``n x terms`` postings by pool score hold the best ``n`` sentences (one posting per term each).
            docs, per = _one(parts), len(parts)
            if reach is not None:
                docs = docs[own[docs] + reach > floor]
        if allowed is not None:
            docs = docs[allowed[self.layout.sent_article[docs]]]
        pool = self.pool_of(docs)
        if floor is not None:
            beat = pool > floor
            docs, pool = docs[beat], pool[beat]
        want = n * per
        if docs.size > want:
            docs = docs[pool >= np.partition(pool, docs.size - want)[docs.size - want]]
        if per > 1:
            docs = sorted_unique(docs)
        return docs[self.scratch_own[docs] > 0].astype(np.int64)

    def own(self, ids: NDArray[np.int64]) -> NDArray[np.float64]:
        """See :meth:`PoolScores.own`."""
        return look_up(self.sentence_postings, ids)

    def para(self, paras: NDArray[np.int64]) -> NDArray[np.float64]:
        """See :meth:`PoolScores.para`."""
        return look_up(self.paragraph_postings, paras) if self.ordered else self.scratch_para[paras]

    def article_best(self, arts: NDArray[np.int64]) -> NDArray[np.float64]:
        """See :meth:`PoolScores.article_best`."""
        if self.ordered:
            return article_best_looked_up(self.layout, self.paragraph_postings, arts)
        return _article_best(self.layout, self.scratch_para, _joined(self.paragraph_postings), arts)

    def para_rank(self, paras: NDArray[np.int64]) -> NDArray[np.float64]:
        """See :meth:`PoolScores.para_rank`: in article order, from the paragraph scores noted stretch by stretch."""
        if not self.ordered:
            return paragraph_rank(self.scratch_para, _joined(self.paragraph_postings), paras)
        if not self.para_seen:  # best() was not asked: note every paragraph's score now
            self._add_whole_paragraphs()
            self._clear_stretch()
        floor = self.para(paras).min()
        # Only paragraphs scoring at least the lowest candidate paragraph can rank above one: kept stretch by stretch,
        # so the (many) others are never copied.
        kept_docs, kept_values = [], []
        for d, v in self.para_seen:
            above = v >= floor
            kept_docs.append(d[above])
            kept_values.append(v[above])
        docs, values = np.concatenate(kept_docs), np.concatenate(kept_values)
        order = np.argsort(docs, kind="stable")
        docs, values = docs[order], values[order]
        first = np.ones(docs.size, dtype=bool)
        np.not_equal(docs[1:], docs[:-1], out=first[1:])
        return _ranks(docs[first], values[first], paras)

    def close(self) -> None:
        """See :meth:`PoolScores.close`."""
        _zero(self.scratch_own, self.own_parts, *self.own_span)
        _zero(self.scratch_para, self.para_parts, *self.para_span)
        self.own_parts, self.para_parts, self.para_seen = [], [], []


#: From this many sentences on, the full scan sums stretch by stretch (:class:`StretchedPool`); below, its scratch
#: arrays fit the CPU's cache whole and :class:`ScannedPool`, summing every posting at once, is faster.
STRETCHED_FROM = 1 << 21


def full_scan(sentence_postings: list[Postings], paragraph_postings: list[Postings], layout: Layout, paragraph_weight: float) -> PoolScores:
    """The :class:`PoolScores` reading every posting that is fastest for an index of this size."""
    pool = StretchedPool if layout.num_sentences >= STRETCHED_FROM else ScannedPool
    return pool(sentence_postings, paragraph_postings, layout, paragraph_weight)
