"""How many postings a question reads: counted by the re-ranker's candidate stage, read by the benchmarks.

``with counting() as reads: searcher.search(question)`` counts, on this thread, the postings read in whole
(``scanned``: a posting list or a stretch of one summed into scores), the postings looked up one by one by binary
search (``located``: one per document looked up in one term's list) and the block maxima read (``blocks``). Outside a
``counting`` block nothing is counted and :func:`count` costs one attribute look-up.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

_LOCAL = threading.local()


@dataclass
class Reads:
    """Postings read while counting (see the module's docstring)."""

    scanned: int = 0
    located: int = 0
    blocks: int = 0

    @property
    def postings(self) -> int:
        """Postings read, scanned or looked up."""
        return self.scanned + self.located


@contextmanager
def counting() -> Iterator[Reads]:
    """Count the postings this thread reads inside the ``with`` block (nested blocks count into the innermost)."""
    outer = getattr(_LOCAL, "reads", None)
    reads = _LOCAL.reads = Reads()
    try:
        yield reads
    finally:
        _LOCAL.reads = outer


def count(scanned: int = 0, located: int = 0, blocks: int = 0) -> None:
    """Add to this thread's count, if one is being kept."""
    reads: Reads | None = getattr(_LOCAL, "reads", None)
    if reads is not None:
        reads.scanned += scanned
        reads.located += located
        reads.blocks += blocks
