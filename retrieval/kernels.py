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


def texts(blob: Buffer, starts: NDArray[np.int64], ends: NDArray[np.int64]) -> list[str]:
    """``[blob[s:e].decode("utf-8") for s, e in zip(starts, ends)]``: many sentences' texts (byte spans) at once.
    Compiled, it makes no intermediate bytes object per text (0.4 µs a text in Python, most of it loop and slice)."""
    if compiled is None:
        return [blob[s:e].decode("utf-8") for s, e in zip(starts.tolist(), ends.tolist(), strict=True)]
    result: list[str] = compiled.texts(blob, np.ascontiguousarray(starts, dtype=np.int64), np.ascontiguousarray(ends, dtype=np.int64))
    return result
