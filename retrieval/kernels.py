"""The candidate stage's loops over postings: adding scores into a scratch array, zeroing it again, reading pool
scores (own + weight x paragraph) at given sentences, and keeping the documents whose score reaches a floor; and its
reads of many sentences' texts from the article text.

Compiled (``retrieval/_kernels.c``, built by ``pip install``) where a C compiler was found at install time, NumPy
otherwise; both give the same values to the bit. NumPy's fancy indexing costs 2.5-3.5 ns a posting in its iterator,
the compiled loops about what the memory reads cost (see docs/performance.md, *The compiled posting loops*).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from .store import Buffer

try:
    import retrieval._kernels as compiled  # not ``from . import``: that names the package, to the import-graph test
except ImportError:  # built without a C compiler: the NumPy loops below
    compiled = None


def compiled_loops() -> bool:
    """Whether the compiled module was built (the loops that have no NumPy twin here are then available)."""
    return compiled is not None


def add_at(scratch: NDArray[np.float64], docs: NDArray[np.integer], scores: NDArray[np.floating]) -> None:
    """``scratch[docs] += scores`` (``docs`` distinct)."""
    if compiled is not None:
        compiled.add_at(scratch, np.ascontiguousarray(docs), np.ascontiguousarray(scores))
    else:
        scratch[docs] += scores


def zero_at(scratch: NDArray[np.float64], docs: NDArray[np.integer]) -> None:
    """``scratch[docs] = 0``."""
    if compiled is not None:
        compiled.zero_at(scratch, np.ascontiguousarray(docs))
    else:
        scratch[docs] = 0.0


def pool_at(
    own: NDArray[np.float64], sent_paragraph: NDArray[np.int32], para: NDArray[np.float64], weight: float, docs: NDArray[np.integer]
) -> NDArray[np.float64]:
    """``own[docs] + weight * para[sent_paragraph[docs]]``: the pool scores of sentences ``docs``."""
    if compiled is None:
        return own[docs] + weight * para[sent_paragraph[docs]]
    out = np.empty(docs.size)
    compiled.pool_at(out, own, sent_paragraph, para, weight, np.ascontiguousarray(docs))
    return out


def at_least(values: NDArray[np.float64], docs: NDArray[np.integer], floor: float) -> NDArray[np.integer]:
    """``docs[values[docs] >= floor]``: the documents scoring at least ``floor``, in their order."""
    if compiled is None:
        return docs[values[docs] >= floor]
    docs = np.ascontiguousarray(docs)
    out = np.empty_like(docs)
    return out[: compiled.at_least(out, values, docs, float(floor))]


def stretch_best(
    own: NDArray[np.float64],
    para: NDArray[np.float64],
    sent_paragraph: NDArray[np.int32],
    sent_article: NDArray[np.int32],
    allowed: NDArray[np.bool_] | None,
    weight: float,
    n: int,
    dense: int,
    sentence_postings: list[tuple[NDArray[np.int32], NDArray[np.float32]]],
    paragraph_postings: list[tuple[NDArray[np.int32], NDArray[np.float32]]],
    bounds: NDArray[np.int64],
    para_bounds: NDArray[np.int64],
) -> tuple[NDArray[np.int64], NDArray[np.float64], NDArray[np.int64], NDArray[np.float64]]:
    """:meth:`retrieval.pools.StretchedPool.best` in article order, every stretch in one compiled call: the ``n`` best
    sentences by pool score (ascending) and their pool scores, and every paragraph posting's document and summed score
    (for the paragraph ranks), the scratch arrays left zeroed. Compiled only (see :func:`compiled_loops`): without the
    module the caller runs its own NumPy loop. ``stretch_best_doc`` in the C source says what it does stretch by
    stretch."""
    assert compiled is not None
    ids, pools = np.empty(n, dtype=np.int64), np.empty(n)
    total = sum(docs.size for docs, _ in paragraph_postings)
    seen_docs, seen_values = np.empty(total, dtype=np.int64), np.empty(total)
    k, m = compiled.stretch_best(
        own, para, sent_paragraph, sent_article, None if allowed is None else np.ascontiguousarray(allowed, dtype=np.bool_),
        float(weight), n, dense, _contiguous(sentence_postings), _contiguous(paragraph_postings),
        np.ascontiguousarray(bounds, dtype=np.int64), np.ascontiguousarray(para_bounds, dtype=np.int64),
        ids, pools, seen_docs, seen_values,
    )  # fmt: skip
    return ids[:k], pools[:k], seen_docs[:m], seen_values[:m]


def _contiguous(lists: list[tuple[NDArray[np.int32], NDArray[np.float32]]]) -> list[tuple[NDArray[np.int32], NDArray[np.float32]]]:
    """Posting lists as the compiled scan reads them: contiguous (no copy when they already are; int32 documents and
    float32 scores, or it refuses them)."""
    return [(np.ascontiguousarray(docs), np.ascontiguousarray(scores)) for docs, scores in lists]


def texts(blob: Buffer, starts: NDArray[np.int64], ends: NDArray[np.int64]) -> list[str]:
    """``[blob[s:e].decode("utf-8") for s, e in zip(starts, ends)]``: many sentences' texts (byte spans) at once.
    Compiled, it makes no intermediate bytes object per text (0.4 µs a text in Python, most of it loop and slice)."""
    if compiled is None:
        return [blob[s:e].decode("utf-8") for s, e in zip(starts.tolist(), ends.tolist(), strict=True)]
    result: list[str] = compiled.texts(blob, np.ascontiguousarray(starts, dtype=np.int64), np.ascontiguousarray(ends, dtype=np.int64))
    return result
