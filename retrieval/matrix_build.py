"""Building a BM25 score matrix out of core: the same files :meth:`SparseBm25.save` writes after
:func:`~retrieval.sparse.build_matrix`, byte for byte, in memory bounded by a chunk of occurrences.

:func:`build_matrix` sorts every ``(document, term)`` occurrence of the corpus at once (scipy's COO → CSC), so a
build holds several arrays as long as the corpus. :func:`build_matrix_files` reads the occurrences (ordered by
document, as a build produces them) in chunks of whole documents, twice:

1. per chunk, the distinct ``(document, term)`` pairs: document frequencies add up per term, lengths per document;
   ``indptr`` is then the cumulative document frequency, with idf and mean length as :func:`build_matrix` has them;
2. per chunk again, the pairs' scores, computed as :func:`build_matrix` computes them (the same float32 operations
   in the same order), written into the memory-mapped ``indices`` / ``data`` files at a per-term cursor: chunks go
   in ascending document order, so every column comes out sorted by document.

Column maxima, head documents and block maxima are then computed over ranges of terms of the finished files.
Written pages are dropped from the process after each chunk (they stay in the page cache), so they do not pile up
in its memory.
"""

from __future__ import annotations

import dataclasses
import json
import mmap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .sparse import METHODS, SparseBm25, _heads, _idf, _tfc, block_maxima, build_matrix
from .store import drop_pages

#: Bytes of working memory one occurrence of a chunk costs (sort keys, pairs, scores): measured about 175 with
#: 1.2M-occurrence chunks on a 1M-sentence corpus.
OCCURRENCE_BYTES = 176
#: The smallest chunk :func:`chunk_occurrences` plans.
MIN_CHUNK = 1 << 16


def chunk_occurrences(memory_mb: int) -> int:
    """How many occurrences one chunk holds for a build budget of ``memory_mb`` (an eighth of it for the chunk)."""
    return max(MIN_CHUNK, (memory_mb << 20) // 8 // OCCURRENCE_BYTES)


class _Output:
    """An ``.npy`` file of known length written through a shared mapping whose written pages are dropped on
    :meth:`release` (after flushing them to the file)."""

    def __init__(self, path: Path, dtype: type, size: int) -> None:
        header = np.lib.format.open_memmap(path, mode="w+", dtype=dtype, shape=(size,))
        offset = header.offset
        del header
        self._file = path.open("r+b")
        self._map = mmap.mmap(self._file.fileno(), 0)
        self.array: NDArray[Any] = np.frombuffer(self._map, dtype=dtype, count=size, offset=offset)

    def release(self) -> None:
        """Drop every page from this process's memory. The mapping is shared, so what was written stays in the page
        cache (dirty, written back by the kernel) and is what a later read sees; an ``msync`` here would wait for the
        disk after every chunk (40 % of the out-of-core build's time at 3M sentences)."""
        self._map.madvise(mmap.MADV_DONTNEED)

    def close(self) -> None:
        """Flush and unmap."""
        self._map.flush()
        del self.array
        self._map.close()
        self._file.close()


def _doc_chunks(
    doc_of_term: NDArray[np.integer], doc_map: NDArray[np.integer] | None, size: int
) -> Iterator[tuple[int, int, NDArray[np.int64]]]:
    """``(start, end, documents)`` per chunk of about ``size`` occurrences ending at a document boundary; the
    documents are ``doc_map[doc_of_term[start:end]]`` (or ``doc_of_term[start:end]`` without a map)."""
    n = len(doc_of_term)

    def docs(s: int, e: int) -> NDArray[np.int64]:
        raw = np.asarray(doc_of_term[s:e])
        return (np.asarray(doc_map)[raw] if doc_map is not None else raw).astype(np.int64)

    s = 0
    while s < n:
        e = min(s + size, n)
        while True:
            d = docs(s, e)
            if e >= n:
                break
            cut = int(np.searchsorted(d, docs(e, e + 1)[0], side="left"))
            if cut > 0:
                e, d = s + cut, d[:cut]
                break
            e = min(e + size, n)  # one document longer than a chunk: take it whole
        if d.size > 1 and bool(np.any(d[1:] < d[:-1])):
            raise ValueError("occurrences must be ordered by document for an out-of-core build")
        yield s, e, d
        s = e


def _pairs(
    docs: NDArray[np.int64], terms: NDArray[np.integer], num_terms: int
) -> tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]:
    """The distinct ``(term, document)`` pairs of a chunk sorted by term then document, and each one's count."""
    d0 = int(docs[0])
    span = int(docs[-1]) - d0 + 1
    keys = np.sort(np.asarray(terms, dtype=np.int64) * span + (docs - d0))
    starts = np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1]]))
    counts = np.diff(np.append(starts, keys.size))
    uniq = keys[starts]
    return uniq // span, uniq % span + d0, counts


def build_matrix_files(
    doc_of_term: NDArray[np.integer],
    term_ids: NDArray[np.integer],
    num_docs: int,
    num_terms: int,
    directory: Path,
    method: str = "lucene",
    k1: float = 1.2,
    b: float = 0.75,
    chunk: int = MIN_CHUNK,
    doc_map: NDArray[np.integer] | None = None,
) -> SparseBm25:
    """Write into ``directory`` the files ``build_matrix(docs, term_ids, ...).save(directory)`` would, where ``docs``
    is ``doc_of_term`` (or ``doc_map[doc_of_term]``: e.g. each occurrence's sentence mapped to its paragraph), and
    return the matrix loaded memory-mapped from them.

    The occurrences must be ordered by (mapped) document; they are read ``chunk`` at a time (and may themselves be
    memory-mapped). An empty corpus is built in memory (it has nothing to chunk).
    """
    if method not in METHODS:
        raise ValueError(f"unknown BM25 method {method!r}; expected one of {', '.join(METHODS)}")
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    if len(doc_of_term) == 0 or num_docs == 0:
        docs = np.asarray(doc_map)[np.asarray(doc_of_term)] if doc_map is not None else np.asarray(doc_of_term)
        build_matrix(docs, np.asarray(term_ids), num_docs, num_terms, method, k1, b).save(directory)
        return dataclasses.replace(SparseBm25.load(directory), source=directory)
    # Pass 1: document frequencies and document lengths.
    df = np.zeros(num_terms, dtype=np.int64)
    doc_len_count = np.zeros(num_docs, dtype=np.int64)
    for s, e, docs in _doc_chunks(doc_of_term, doc_map, chunk):
        terms, _, _ = _pairs(docs, np.asarray(term_ids[s:e]), num_terms)
        df += np.bincount(terms, minlength=num_terms)
        d0 = int(docs[0])
        doc_len_count[d0 : int(docs[-1]) + 1] += np.bincount(docs - d0)
        drop_pages(term_ids)
        drop_pages(doc_of_term)
    doc_len = doc_len_count.astype(np.float64)
    del doc_len_count
    avg = float(doc_len.mean())
    indptr = np.zeros(num_terms + 1, dtype=np.int64)
    np.cumsum(df, out=indptr[1:])
    idf = _idf(method, df.astype(np.float64), num_docs)
    avg = avg or 1.0
    idf32 = idf.astype(np.float32)
    dl32 = doc_len.astype(np.float32)
    del doc_len
    nonoccurrence = None
    if method in ("bm25l", "bm25+"):
        zero = _tfc(method, np.zeros(1), np.full(1, avg), avg, k1, b)[0]
        nonoccurrence = (idf * zero).astype(np.float32)
    # Pass 2: scores scattered into the columns at each term's cursor.
    nnz = int(indptr[-1])
    data_out = _Output(directory / "data.npy", np.float32, nnz)
    rows_out = _Output(directory / "indices.npy", np.int32, nnz)
    try:
        cursor = indptr[:-1].copy()
        for s, e, docs in _doc_chunks(doc_of_term, doc_map, chunk):
            terms, pair_docs, tf = _pairs(docs, np.asarray(term_ids[s:e]), num_terms)
            firsts = np.flatnonzero(np.concatenate([[True], terms[1:] != terms[:-1]]))
            group = np.repeat(firsts, np.diff(np.append(firsts, terms.size)))
            pos = cursor[terms] + (np.arange(terms.size) - group)
            cursor[terms[firsts]] += np.diff(np.append(firsts, terms.size))
            tfc = _tfc(method, tf.astype(np.float32), dl32[pair_docs], avg, k1, b)
            scores = idf32[terms]
            scores *= tfc
            if nonoccurrence is not None:
                scores -= nonoccurrence[terms]
            data_out.array[pos] = scores
            rows_out.array[pos] = pair_docs.astype(np.int32)
            data_out.release()
            rows_out.release()
            drop_pages(term_ids)
            drop_pages(doc_of_term)
        _summaries(data_out, rows_out, indptr, df, chunk, directory)
    finally:
        data_out.close()
        rows_out.close()
    np.save(directory / "indptr.npy", indptr)
    if nonoccurrence is not None:
        np.save(directory / "nonoccurrence.npy", nonoccurrence)
    (directory / "sparse.json").write_text(json.dumps({"num_docs": num_docs, "avg_doc_len": avg}))
    return dataclasses.replace(SparseBm25.load(directory), source=directory)


def _summaries(data_out: _Output, rows_out: _Output, indptr: NDArray[np.int64], df: NDArray[np.int64], chunk: int, directory: Path) -> None:
    """Column maxima, head documents and block maxima of the finished columns, over ranges of about ``chunk``
    postings, saved as :meth:`SparseBm25.save` names them."""
    num_terms = len(df)
    col_max = np.zeros(num_terms, dtype=np.float32)
    head_ptrs: list[NDArray[np.int64]] = [np.zeros(1, dtype=np.int64)]
    head_docs: list[NDArray[np.int32]] = []
    block_ptrs: list[NDArray[np.int64]] = [np.zeros(1, dtype=np.int64)]
    block_maxes: list[NDArray[np.float32]] = []
    t0 = 0
    while t0 < num_terms:
        t1 = max(t0 + 1, int(np.searchsorted(indptr, indptr[t0] + chunk, side="right")) - 1)
        t1 = min(t1, num_terms)
        base, end = int(indptr[t0]), int(indptr[t1])
        data = np.array(data_out.array[base:end])
        rows = np.array(rows_out.array[base:end])
        local = indptr[t0 : t1 + 1] - base
        nonempty = np.flatnonzero(df[t0:t1])
        if nonempty.size:
            col_max[t0 + nonempty] = np.maximum.reduceat(data, local[nonempty])
        hp, hd = _heads(data, rows, local, df[t0:t1])
        head_ptrs.append(hp[1:] + head_ptrs[-1][-1])
        head_docs.append(hd)
        bp, bm = block_maxima(data, local)
        block_ptrs.append(bp[1:] + block_ptrs[-1][-1])
        block_maxes.append(bm)
        data_out.release()
        rows_out.release()
        t0 = t1
    np.save(directory / "colmax.npy", col_max)
    np.save(directory / "headptr.npy", np.concatenate(head_ptrs))
    np.save(directory / "headdocs.npy", np.concatenate(head_docs).astype(np.int32) if head_docs else np.empty(0, np.int32))
    np.save(directory / "blockptr.npy", np.concatenate(block_ptrs))
    np.save(directory / "blockmax.npy", np.concatenate(block_maxes) if block_maxes else np.empty(0, np.float32))
