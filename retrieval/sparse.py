"""BM25 as bm25s computes it, built from token-id arrays with NumPy and queried without scoring every document.

bm25s stores, for every term, the BM25 score each document containing it gets
(a CSC matrix: ``data`` / ``indices`` / ``indptr``), so a query only adds up a few
columns. Its ``index()`` builds that matrix with a Python loop over documents
(about 20k documents/s here); :func:`build_matrix` builds the same matrix from flat
``(document, term)`` arrays with sorting and ``bincount`` (millions/s), and the
scores match bm25s's to float32 rounding (``tests/retrieval/test_sparse.py``).

Queries touch only the postings of the query terms: :meth:`SparseBm25.top` returns the
best ``n`` documents without ranking the whole corpus, and :meth:`SparseBm25.scores_at`
looks up the scores of given documents by binary search in each term's sorted postings.
"""

from __future__ import annotations

import json
import shutil
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

#: Per-thread scratch arrays of :meth:`SparseBm25.top`.
_SCRATCH = threading.local()
#: Scratch arrays made ahead (:func:`ready_scratch`), by name, size and dtype, for the first thread to ask; at most
#: ``_SPARES`` (two indexes' re-ranking arrays: a live corpus searches a base and a delta).
_SPARE: dict[tuple[str, int, np.dtype[Any]], NDArray[Any]] = {}
_SPARES = 4
_SPARE_LOCK = threading.Lock()
#: How many best-scoring documents are kept per common term, and from what document frequency.
HEAD = 256
HEAD_MIN_DF = 4 * HEAD
#: Postings per block of :attr:`SparseBm25.block_max` (read by :mod:`retrieval.blocks` to skip postings).
BLOCK = 64
#: The free parameter of bm25l / bm25+ (bm25s's default).
DELTA = 0.5
METHODS = ("lucene", "robertson", "atire", "bm25l", "bm25+")


def _idf(method: str, df: NDArray[np.float64], n: int) -> NDArray[np.float64]:
    """Inverse document frequency per term, as bm25s's ``_score_idf_*``."""
    if method == "lucene":
        return np.log(1 + (n - df + 0.5) / (df + 0.5))
    if method == "robertson":
        return np.log(np.maximum((n - df + 0.5) / (df + 0.5), 1.0))
    if method == "atire":
        return np.log(n / df)
    if method == "bm25l":
        return np.log((n + 1) / (df + 0.5))
    if method == "bm25+":
        return np.log((n + 1) / df)
    raise ValueError(f"unknown BM25 method {method!r}; expected one of {', '.join(METHODS)}")


def _tfc(
    method: str, tf: NDArray[np.floating], dl: NDArray[np.floating], avg: float, k1: float, b: float
) -> NDArray[np.floating]:
    """Term-frequency component, as bm25s's ``_score_tfc_*``."""
    norm = 1 - b + b * dl / avg
    if method in ("lucene", "robertson"):
        return tf / (k1 * norm + tf)
    if method == "atire":
        return tf * (k1 + 1) / (tf + k1 * norm)
    if method == "bm25l":
        c = tf / norm
        return (k1 + 1) * (c + DELTA) / (k1 + c + DELTA)
    if method == "bm25+":
        return (k1 + 1) * tf / (k1 * norm + tf) + DELTA
    raise ValueError(f"unknown BM25 method {method!r}")


@dataclass(frozen=True)
class Background:
    """Statistics of a larger index that a small one's scores must agree with: per-term document
    frequencies (aligned with the small index's terms), document count and mean length."""

    df: NDArray[np.float64]
    num_docs: int
    avg_doc_len: float


@dataclass
class _Plan:
    """A query for :meth:`SparseBm25.top`: its distinct known terms, rarest first, and per term its postings'
    span, how often the query repeats it, and the most it can add to a document's score."""

    terms: list[int]
    spans: list[tuple[int, int]]
    weights: list[int]
    bounds: list[float]


@dataclass
class _Scan:
    """Where the first pass of :meth:`SparseBm25.top` stopped."""

    remaining: float
    theta: float = -np.inf
    parts: list[NDArray[np.int32]] = field(default_factory=list)
    head: NDArray[np.int32] | None = None
    #: Terms (positions in the plan) not scanned in the first pass.
    lookup: list[int] = field(default_factory=list)


@dataclass
class SparseBm25:
    """A bm25s-style score matrix: column ``t`` holds (document, score) for every document containing term ``t``.

    ``nonoccurrence`` is only set for bm25l / bm25+, whose scores give absent terms a constant.
    """

    data: NDArray[np.float32]
    indices: NDArray[np.int32]
    indptr: NDArray[np.int64]
    num_docs: int
    nonoccurrence: NDArray[np.float32] | None = None
    #: Per term, the largest score in its column (read by :meth:`top` to skip postings).
    col_max: NDArray[np.float32] | None = None
    #: Mean document length the scores were computed with.
    avg_doc_len: float = 0.0
    #: For terms in more than :data:`HEAD_MIN_DF` documents, their :data:`HEAD` best-scoring
    #: documents: ``head_docs[head_ptr[t]:head_ptr[t + 1]]``, sorted by document.
    head_ptr: NDArray[np.int64] | None = None
    head_docs: NDArray[np.int32] | None = None
    #: Every term's postings cut in blocks of :data:`BLOCK` (the last one shorter) and the largest score in each:
    #: term ``t``'s blocks are ``block_max[block_ptr[t]:block_ptr[t + 1]]`` (see :func:`block_maxima`).
    block_ptr: NDArray[np.int64] | None = None
    block_max: NDArray[np.float32] | None = None
    #: The folder this matrix's files were built in (:mod:`retrieval.matrix_build`): :meth:`save` copies them.
    source: Path | None = field(default=None, repr=False, compare=False)

    def document_frequency(self, term: int) -> int:
        """How many documents contain ``term``."""
        return int(self.indptr[term + 1] - self.indptr[term]) if 0 <= term < self.num_terms else 0

    def postings(self, term: int) -> tuple[NDArray[np.int32], NDArray[np.float32]]:
        """The documents holding ``term`` (ascending) and the score it gives each: views into the matrix, not copies.

        For bm25l / bm25+ the scores leave out :attr:`nonoccurrence` (every document gets it for the term).
        """
        if not 0 <= term < self.num_terms:
            return np.empty(0, dtype=np.int32), np.empty(0, dtype=np.float32)
        s, e = int(self.indptr[term]), int(self.indptr[term + 1])
        return self.indices[s:e], self.data[s:e]

    @property
    def num_terms(self) -> int:
        """Columns of the matrix (the vocabulary size)."""
        return len(self.indptr) - 1

    def _columns(self, term_ids: list[int]) -> list[tuple[int, int]]:
        n = self.num_terms
        return [(int(self.indptr[t]), int(self.indptr[t + 1])) for t in term_ids if 0 <= t < n]

    def _constant(self, term_ids: list[int]) -> float:
        if self.nonoccurrence is None or not term_ids:
            return 0.0
        valid = [t for t in term_ids if 0 <= t < self.num_terms]
        return float(self.nonoccurrence[valid].sum())

    def get_scores(self, term_ids: list[int]) -> NDArray[np.float32]:
        """One score per document (zeros where no query term occurs), as ``bm25s.BM25.get_scores``."""
        scores = np.zeros(self.num_docs, dtype=np.float32)
        for s, e in self._columns(term_ids):
            np.add.at(scores, self.indices[s:e], self.data[s:e])
        if self.nonoccurrence is not None:
            scores += self._constant(term_ids)
        return scores

    def top(self, term_ids: list[int], n: int) -> tuple[NDArray[np.int64], NDArray[np.float32]]:
        """The (up to) ``n`` best documents that contain a query term, and their scores, in no particular order.

        Only the postings of the query terms are read, rarest term first (MaxScore): once the
        terms still to come can't lift an unseen document above the ``n``-th best score so far,
        their postings are only searched for the documents already found, not scanned. The
        commonest term, when it comes last, is not scanned either: a document holding no other
        query term ranks by that term's score alone, so its best-scoring postings (stored at
        build time, see :attr:`head_ptr`) are the only ones such documents can come from.
        """
        plan = self._plan(term_ids)
        if plan is None or n <= 0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
        constant = self._constant(term_ids)
        scores = self._scratch()
        scan = self._scan(plan, scores, n)
        docs = distinct(scan.parts, self.num_docs) if scan.parts else np.empty(0, dtype=np.int64)
        touched = list(scan.parts)
        if scan.lookup:
            docs = self._look_up(plan, scan, scores, docs, touched)
        vals = scores[docs]
        for idx in touched:
            scores[idx] = 0  # leave the scratch array clean for the next query
        if scan.lookup:
            scores[docs] = 0
        if docs.size > n:
            keep = np.argpartition(-vals, n - 1)[:n]
            docs, vals = docs[keep], vals[keep]
        return docs, (vals + constant if constant else vals).astype(np.float32, copy=False)

    def _plan(self, term_ids: list[int]) -> _Plan | None:
        """The query's known terms, rarest first, with their postings' spans, repeat counts and score bounds."""
        counts: dict[int, int] = {}
        for t in term_ids:
            if 0 <= t < self.num_terms:
                counts[t] = counts.get(t, 0) + 1  # a repeated query term counts once per repeat, as in bm25s
        if not counts:
            return None
        terms = sorted(counts, key=lambda t: int(self.indptr[t + 1] - self.indptr[t]))
        spans = [(int(self.indptr[t]), int(self.indptr[t + 1])) for t in terms]
        bounds = [float(self.column_max(t)) * counts[t] for t in terms]
        return _Plan(terms, spans, [counts[t] for t in terms], bounds)

    def _scan(self, plan: _Plan, scores: NDArray[np.float32], n: int) -> _Scan:
        """The first pass: scan the terms' postings, rarest first, until no unseen document can reach the top ``n``
        (the rest are then only looked up) or the last, commonest term's head postings can stand in for it."""
        scan = _Scan(remaining=sum(plan.bounds))
        seen = 0  # postings read so far
        spans, weights = plan.spans, plan.weights
        for i, (s, e) in enumerate(spans):
            size = e - s
            if scan.lookup:
                scan.lookup.append(i)
                continue
            if scan.parts:
                scan.theta = max(scan.theta, self._nth_best(scores, scan.parts, n, len(scan.parts)))
                if scan.remaining < scan.theta:
                    scan.lookup = [i]  # no unseen document can reach the top n any more
                    continue
            if i == len(spans) - 1 and size > seen + HEAD:
                scan.head = self.head(plan.terms[i], n)
                if scan.head is not None:
                    scan.lookup = [i]  # the last, commonest term: its head postings stand in for a scan
                    break
            idx = self.indices[s:e]
            scores[idx] += self.data[s:e] * weights[i] if weights[i] != 1 else self.data[s:e]
            scan.parts.append(idx)
            seen += size
            scan.remaining -= plan.bounds[i]
        return scan

    def _look_up(
        self, plan: _Plan, scan: _Scan, scores: NDArray[np.float32], docs: NDArray[np.int64], touched: list[NDArray[np.int32]]
    ) -> NDArray[np.int64]:
        """Score the documents still in the running for the terms the first pass did not scan; returns those documents.

        Documents that can't reach theta even with every remaining term are dropped; the
        remaining terms then only need scoring for the documents left. A list much longer
        than those documents is binary-searched; a shorter one is simply added in whole
        (documents it adds were unseen, so they can't reach the top n, and are ignored).
        """
        if np.isfinite(scan.theta):
            docs = docs[scores[docs] + sum(plan.bounds[i] for i in scan.lookup) >= scan.theta]
        if scan.head is not None:
            docs = distinct([docs.astype(np.int32), scan.head], self.num_docs)
        docs = np.sort(docs)
        for i in scan.lookup:
            s, e = plan.spans[i]
            if 4 * docs.size > e - s:
                idx = self.indices[s:e]
                scores[idx] += self.data[s:e] * plan.weights[i]
                touched.append(idx)
                continue
            found, pos = locate(self.indices[s:e], docs)
            scores[docs[found]] += self.data[s:e][pos[found]] * plan.weights[i]
        return docs

    def _nth_best(self, scores: NDArray[np.float32], parts: list[NDArray[np.int32]], n: int, scanned: int) -> float:
        """A lower bound of the ``n``-th best (partial) score among the documents read so far."""
        cand = np.concatenate(parts) if len(parts) > 1 else parts[0]
        if cand.size < n:
            return -np.inf
        if cand.size <= 4096:
            docs = distinct(parts, self.num_docs)
            if docs.size < n:
                return -np.inf
            vals = scores[docs]
            return float(np.partition(vals, docs.size - n)[docs.size - n])
        # Each document occurs at most `scanned` times among the postings read, so the best
        # n * scanned of them hold at least n distinct documents.
        want = n * scanned
        if cand.size < want:
            return -np.inf
        vals = scores[cand]
        return float(np.partition(vals, cand.size - want)[cand.size - want])

    def head(self, term: int, n: int) -> NDArray[np.int32] | None:
        """The ``HEAD`` best-scoring documents of a common term (sorted by document), if stored and ``n <= HEAD``."""
        if self.head_ptr is None or self.head_docs is None or n > HEAD:
            return None
        s, e = int(self.head_ptr[term]), int(self.head_ptr[term + 1])
        return self.head_docs[s:e] if e > s else None

    def _scratch(self) -> NDArray[np.float32]:
        """A zeroed score array per thread, reused by every query (allocating 4 MB per query costs page faults)."""
        return scratch_array("scores", self.num_docs, np.float32)

    def column_max(self, term: int) -> float:
        """The highest score term ``term`` gives any document (its MaxScore upper bound)."""
        if self.col_max is not None:
            return float(self.col_max[term])
        s, e = int(self.indptr[term]), int(self.indptr[term + 1])
        return float(self.data[s:e].max()) if e > s else 0.0

    def scores_at(self, term_ids: list[int], docs: NDArray[np.int64]) -> NDArray[np.float32]:
        """Scores of the given documents only (binary search in each query term's sorted postings)."""
        out = np.zeros(len(docs), dtype=np.float32)
        if len(docs) == 0:
            return out
        for s, e in self._columns(term_ids):
            if s == e:
                continue
            found, pos = locate(self.indices[s:e], docs)
            out[found] += self.data[s:e][pos[found]]
        if self.nonoccurrence is not None:
            out += self._constant(term_ids)
        return out

    # -- persistence -----------------------------------------------------------------------

    def save(self, directory: Path) -> None:
        """Write the matrix as ``.npy`` files (loadable memory-mapped) and ``sparse.json``; a matrix built as files
        (:attr:`source`) has them copied, without reading them into memory."""
        directory.mkdir(parents=True, exist_ok=True)
        if self.source is not None and self.source.is_dir() and self.source.resolve() != directory.resolve():
            for path in sorted(self.source.iterdir()):
                shutil.copyfile(path, directory / path.name)
            return
        np.save(directory / "data.npy", self.data)
        np.save(directory / "indices.npy", self.indices)
        np.save(directory / "indptr.npy", self.indptr)
        if self.nonoccurrence is not None:
            np.save(directory / "nonoccurrence.npy", self.nonoccurrence)
        if self.col_max is not None:
            np.save(directory / "colmax.npy", self.col_max)
        if self.head_ptr is not None and self.head_docs is not None:
            np.save(directory / "headptr.npy", self.head_ptr)
            np.save(directory / "headdocs.npy", self.head_docs)
        if self.block_ptr is not None and self.block_max is not None:
            np.save(directory / "blockptr.npy", self.block_ptr)
            np.save(directory / "blockmax.npy", self.block_max)
        (directory / "sparse.json").write_text(json.dumps({"num_docs": self.num_docs, "avg_doc_len": self.avg_doc_len}))

    @classmethod
    def load(cls, directory: Path, mmap: bool = True) -> SparseBm25:
        """Load a matrix written by :meth:`save`; memory-mapped, a restart reads nothing up front."""
        from .store import load_array

        meta = json.loads((directory / "sparse.json").read_text())
        non = directory / "nonoccurrence.npy"
        col_max = directory / "colmax.npy"
        blocks = directory / "blockptr.npy", directory / "blockmax.npy"
        return cls(
            load_array(directory / "data.npy", mmap),  # type: ignore[arg-type]
            load_array(directory / "indices.npy", mmap),  # type: ignore[arg-type]
            load_array(directory / "indptr.npy", mmap),  # type: ignore[arg-type]
            int(meta["num_docs"]),
            np.load(non) if non.exists() else None,
            load_array(col_max, mmap) if col_max.exists() else None,  # type: ignore[arg-type]
            float(meta.get("avg_doc_len", 0.0)),
            load_array(directory / "headptr.npy", mmap) if (directory / "headptr.npy").exists() else None,  # type: ignore[arg-type]
            load_array(directory / "headdocs.npy", mmap) if (directory / "headdocs.npy").exists() else None,  # type: ignore[arg-type]
            load_array(blocks[0], mmap) if blocks[0].exists() else None,  # type: ignore[arg-type]
            load_array(blocks[1], mmap) if blocks[1].exists() else None,  # type: ignore[arg-type]
        )


def search_sorted(sorted_values: NDArray[np.integer], at: ArrayLike, side: Literal["left", "right"] = "left") -> NDArray[np.intp]:
    """``np.searchsorted`` with ``at`` cast to the dtype of ``sorted_values``, which it must fit (document numbers fit
    the int32 postings and per-sentence tables). Given wider needles, NumPy converts the whole haystack first: a copy of
    a posting list on every call (0.43 ms for 2M postings, against 2 µs cast)."""
    return np.searchsorted(sorted_values, np.asarray(at).astype(sorted_values.dtype, copy=False), side=side)


def locate(sorted_values: NDArray[np.integer], at: NDArray[np.integer]) -> tuple[NDArray[np.bool_], NDArray[np.int64]]:
    """Which of ``at`` are in the ascending ``sorted_values`` (a column's postings), and where: positions are
    meaningful only where found (elsewhere 0, so they can index without a bounds check)."""
    pos = search_sorted(sorted_values, at)
    inside = pos < sorted_values.size
    pos = np.where(inside, pos, 0)
    if sorted_values.size == 0:
        return np.zeros(np.shape(at), dtype=bool), pos
    return inside & (sorted_values[pos] == at), pos


def spans(lo: NDArray[np.int64], hi: NDArray[np.int64]) -> NDArray[np.int64]:
    """The positions ``lo[i]:hi[i]`` of every range, concatenated."""
    lens = np.maximum(hi - lo, 0)
    total = int(lens.sum())
    if total == 0:
        return np.empty(0, dtype=np.int64)
    return np.repeat(lo - (np.cumsum(lens) - lens), lens) + np.arange(total, dtype=np.int64)


def sorted_unique(values: NDArray[np.integer]) -> NDArray[np.integer]:
    """``np.unique`` by sorting (NumPy 2's hash-based ``unique`` is several times slower on these sizes)."""
    ordered = np.sort(values)
    keep = np.empty(ordered.size, dtype=bool)
    keep[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def distinct(parts: list[NDArray[np.int32]], num_docs: int) -> NDArray[np.int64]:
    """The distinct documents of several posting slices (in no particular order), in time linear in their length.

    Each position writes its own number into a per-thread slot array; of a document's positions
    exactly one finds its number still there afterwards.
    """
    cand = np.concatenate(parts) if len(parts) > 1 else np.asarray(parts[0])
    if len(parts) == 1:
        return cand.astype(np.int64)  # one posting list never repeats a document
    slots = scratch_array("slots", num_docs, np.int32)
    positions = np.arange(cand.size, dtype=np.int32)
    slots[cand] = positions
    return cand[slots[cand] == positions].astype(np.int64)


def scratch_array(name: str, size: int, dtype: type) -> NDArray[Any]:
    """A per-thread array reused across queries (its contents are whatever the last query left); a thread's first
    request takes the array :func:`ready_scratch` made, if there is one."""
    arrays: dict[tuple[str, int], NDArray[Any]] = _SCRATCH.__dict__.setdefault("arrays", {})
    buf = arrays.get((name, size))
    if buf is None:
        with _SPARE_LOCK:
            buf = _SPARE.pop((name, size, np.dtype(dtype)), None)
        arrays[(name, size)] = buf = _zeroed(size, dtype) if buf is None else buf
    return buf


def ready_scratch(name: str, size: int, dtype: type) -> NDArray[Any]:
    """Make a zeroed :func:`scratch_array` now for whichever thread asks for it first, so the first query after an
    index opens does not pay for its memory (issue 17's cold start); that array. Only the latest few are kept."""
    key = (name, size, np.dtype(dtype))
    with _SPARE_LOCK:
        buf = _SPARE.get(key)
    if buf is None:
        buf = _zeroed(size, dtype)
        with _SPARE_LOCK:
            buf = _SPARE.setdefault(key, buf)
            while len(_SPARE) > _SPARES:
                del _SPARE[next(iter(_SPARE))]
    return buf


def _zeroed(size: int, dtype: type) -> NDArray[Any]:
    """A zeroed array whose memory is in place now: ``np.zeros`` leaves every 4 KB page to fault in when a query
    first writes it (5 ms at 8 MB, measured), while filling commits it at once, as huge pages where NumPy asks
    for them (arrays of 4 MB and more)."""
    buf = np.empty(size, dtype=dtype)
    buf.fill(0)
    return buf


def build_matrix(
    doc_ids: NDArray[np.integer],
    term_ids: NDArray[np.integer],
    num_docs: int,
    num_terms: int,
    method: str = "lucene",
    k1: float = 1.2,
    b: float = 0.75,
    background: Background | None = None,
) -> SparseBm25:
    """The BM25 score matrix of a corpus given as one ``(document, term)`` pair per token occurrence.

    Document lengths count every token, so a document with no tokens still has its row
    (it simply appears in no column). With ``background`` (a larger index these documents are
    searched alongside), document frequencies, document count and average length are those of
    both together, so scores from the two indexes are comparable.
    """
    if method not in METHODS:
        raise ValueError(f"unknown BM25 method {method!r}; expected one of {', '.join(METHODS)}")
    doc_len = np.bincount(np.asarray(doc_ids, dtype=np.int64), minlength=num_docs).astype(np.float64)
    avg = float(doc_len.mean()) if num_docs else 0.0
    n_all = num_docs
    if background is not None:
        n_all = num_docs + background.num_docs
        avg = (float(doc_len.sum()) + background.avg_doc_len * background.num_docs) / max(n_all, 1)
    if len(doc_ids) == 0 or num_docs == 0:
        return SparseBm25(
            np.empty(0, np.float32), np.empty(0, np.int32), np.zeros(num_terms + 1, np.int64), num_docs, None, None, avg
        )
    import scipy.sparse  # only builds need it; a restart skips the import

    # scipy's COO → CSC conversion counts repeated (document, term) pairs in linear time;
    # documents arrive in order, so each column's rows come out sorted.
    counts = scipy.sparse.csc_matrix(
        (np.ones(len(doc_ids), dtype=np.float32), (np.asarray(doc_ids), np.asarray(term_ids))), shape=(num_docs, num_terms)
    )
    counts.sum_duplicates()
    counts.sort_indices()
    rows = counts.indices.astype(np.int32, copy=False)
    indptr = counts.indptr.astype(np.int64)
    tf = counts.data
    df = np.diff(indptr)
    df_all = df.astype(np.float64)
    if background is not None:
        df_all += background.df
    idf = _idf(method, df_all, n_all)
    avg = avg or 1.0
    # Per-entry arithmetic in float32 (what is stored) keeps the 10M-entry temporaries small.
    # (NumPy 2 keeps float32 arrays float32 when combined with Python floats.)
    tfc = _tfc(method, tf.astype(np.float32), doc_len.astype(np.float32)[rows], avg, k1, b)
    data = np.repeat(idf.astype(np.float32), df)
    data *= tfc
    nonoccurrence = None
    if method in ("bm25l", "bm25+"):
        # bm25s subtracts the absent-term score from each stored score and adds it back per query.
        zero = _tfc(method, np.zeros(1), np.full(1, avg), avg, k1, b)[0]
        nonoccurrence = (idf * zero).astype(np.float32)
        data -= np.repeat(nonoccurrence, df)
    col_max = np.zeros(num_terms, dtype=np.float32)
    nonempty = np.flatnonzero(df)
    if nonempty.size:
        col_max[nonempty] = np.maximum.reduceat(data, indptr[nonempty])
    head_ptr, head_docs = _heads(data, rows, indptr, df)
    block_ptr, block_max = block_maxima(data, indptr)
    return SparseBm25(data, rows, indptr, num_docs, nonoccurrence, col_max, avg, head_ptr, head_docs, block_ptr, block_max)


def block_maxima(data: NDArray[np.float32], indptr: NDArray[np.int64]) -> tuple[NDArray[np.int64], NDArray[np.float32]]:
    """Every term's postings cut in blocks of :data:`BLOCK`, and the largest score of each block: ``(block_ptr,
    block_max)``, term ``t``'s blocks being ``block_max[block_ptr[t]:block_ptr[t + 1]]``.

    Depends only on the columns it is given: for a range of terms, pass ``indptr[t0:t1 + 1]`` (offsets into the whole
    ``data``) and shift the returned ``block_ptr`` by the blocks before ``t0`` to join ranges.
    """
    indptr = np.asarray(indptr, dtype=np.int64)
    df = np.diff(indptr)
    blocks = (df + BLOCK - 1) // BLOCK
    block_ptr = np.zeros(len(df) + 1, dtype=np.int64)
    np.cumsum(blocks, out=block_ptr[1:])
    total = int(block_ptr[-1])
    if total == 0:
        return block_ptr, np.empty(0, dtype=np.float32)
    within = np.arange(total, dtype=np.int64) - np.repeat(block_ptr[:-1], blocks)
    starts = np.repeat(indptr[:-1], blocks) + within * BLOCK
    # Blocks of consecutive terms tile data[indptr[0]:indptr[-1]]: each reduces up to the next one's start.
    span = np.asarray(data[int(indptr[0]) : int(indptr[-1])])
    block_max = np.maximum.reduceat(span, starts - int(indptr[0])).astype(np.float32, copy=False)
    return block_ptr, block_max


def _heads(
    data: NDArray[np.float32], rows: NDArray[np.int32], indptr: NDArray[np.int64], df: NDArray[np.int64]
) -> tuple[NDArray[np.int64], NDArray[np.int32]]:
    """The best-scoring :data:`HEAD` documents of every term in more than :data:`HEAD_MIN_DF` documents."""
    head_ptr = np.zeros(len(df) + 1, dtype=np.int64)
    chunks: list[NDArray[np.int32]] = []
    for t in np.flatnonzero(df > HEAD_MIN_DF).tolist():
        s, e = int(indptr[t]), int(indptr[t + 1])
        best = np.argpartition(-data[s:e], HEAD - 1)[:HEAD]
        chunks.append(np.sort(rows[s:e][best]))
        head_ptr[t + 1] = HEAD
    np.cumsum(head_ptr, out=head_ptr)
    head_docs = np.concatenate(chunks).astype(np.int32) if chunks else np.empty(0, dtype=np.int32)
    return head_ptr, head_docs

