"""Peak resident memory of this process and the worker processes it starts, sampled while something runs.

A build forks workers that come and go; ``resource.getrusage`` reports this process's own peak and, for
children, only the largest single child that has been waited for, never what parent and workers held at the
same moment. :class:`PeakRss` samples the resident memory of the whole process tree with psutil on a thread
instead. Pages a forked worker still shares with the parent are counted in both (an overestimate, on the safe
side); a peak shorter than the sampling interval can be missed.
"""

from __future__ import annotations

import threading
from types import TracebackType

import psutil

#: Seconds between samples.
INTERVAL = 0.02


def tree_rss(process: psutil.Process) -> int:
    """Resident bytes of ``process`` and all its descendants now."""
    total = 0
    try:
        family = [process, *process.children(recursive=True)]
    except psutil.Error:
        return 0
    for p in family:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            continue
    return total


class PeakRss:
    """``with PeakRss() as peak: ...`` then ``peak.bytes``: the most this process and its descendants held at once.

    With ``children_only`` this process is left out (a benchmark that runs the build in a child process measures the
    child and its workers, not itself waiting).
    """

    def __init__(self, interval: float = INTERVAL, children_only: bool = False) -> None:
        self.interval = interval
        self.bytes = 0
        self._me = psutil.Process()
        self._children_only = children_only
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="quotebot-peak-rss", daemon=True)

    def _sample(self) -> None:
        while True:
            self.bytes = max(self.bytes, self._now())
            if self._stop.wait(self.interval):
                return

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._stop.set()
        self._thread.join()
        self.bytes = max(self.bytes, self._now())

    def _now(self) -> int:
        total = tree_rss(self._me)
        if self._children_only:
            try:
                total -= self._me.memory_info().rss
            except psutil.Error:
                pass
        return total
