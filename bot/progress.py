"""A progress bar for index builds that take more than a second, and the summary line after them."""

from __future__ import annotations

import sys
import threading
import time
from types import TracebackType
from typing import TextIO

from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TaskID, TextColumn, TimeElapsedColumn, TimeRemainingColumn

#: Builds shorter than this show no bar.
DELAY = 1.0


class BuildProgress:
    """A ``progress(done, total)`` callback (bytes of corpus read) that shows a rich bar after :data:`DELAY` seconds.

    Use as a context manager around the build; the bar is drawn on ``stream`` (stderr) only
    when it is a terminal or ``force`` is set, so piped output stays clean.
    """

    def __init__(self, stream: TextIO | None = None, force: bool = False, delay: float = DELAY) -> None:
        self.stream = stream or sys.stderr
        self.enabled = force or self.stream.isatty()
        self.delay = delay
        self.started = time.perf_counter()
        self.done = 0
        self.total = 0
        self.shown = False
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None

    def __enter__(self) -> BuildProgress:
        self.started = time.perf_counter()
        if self.enabled:
            self._timer = threading.Timer(self.delay, self._show)
            self._timer.daemon = True
            self._timer.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._timer is not None:
            self._timer.cancel()
        with self._lock:
            if self._progress is not None:
                if exc is None and self._task is not None and self.total:
                    self._progress.update(self._task, completed=self.total, total=self.total)
                self._progress.stop()
                self._progress = None

    @property
    def seconds(self) -> float:
        """Time since the build started."""
        return time.perf_counter() - self.started

    def __call__(self, done: int, total: int) -> None:
        with self._lock:
            self.done, self.total = done, total
            if self._progress is not None and self._task is not None:
                self._progress.update(self._task, completed=done, total=total)

    def _show(self) -> None:
        with self._lock:
            if self._progress is not None:
                return
            console = Console(file=self.stream, force_terminal=self.enabled)
            self._progress = Progress(
                TextColumn("Indexing"),
                BarColumn(),
                DownloadColumn(),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=console,
                transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task("index", total=self.total or None, completed=self.done)
            self.shown = True


def summary(sentences: int, articles: int, seconds: float) -> str:
    """One line about a finished build."""
    rate = sentences / seconds if seconds > 0 else float("inf")
    return f"Indexed {articles} article(s), {sentences} sentences in {seconds:.1f}s ({rate:,.0f} sentences/s)."
