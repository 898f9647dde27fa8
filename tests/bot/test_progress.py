"""The build progress bar appears only for slow builds, and the summary line reads right."""

from __future__ import annotations

import io
import time

from bot.progress import BuildProgress, summary


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_bar_appears_after_the_delay_and_shows_bytes() -> None:
    out = _Tty()
    with BuildProgress(out, delay=0.05) as progress:
        progress(1 << 20, 4 << 20)
        time.sleep(0.3)
        progress(2 << 20, 4 << 20)
    assert progress.shown
    assert "Indexing" in out.getvalue() and "MB" in out.getvalue()


def test_fast_build_shows_nothing() -> None:
    out = _Tty()
    with BuildProgress(out, delay=5) as progress:
        progress(10, 10)
    assert not progress.shown and out.getvalue() == ""


def test_not_a_terminal_shows_nothing() -> None:
    out = io.StringIO()
    with BuildProgress(out, delay=0) as progress:
        time.sleep(0.05)
        progress(5, 10)
    assert not progress.shown and out.getvalue() == ""


def test_summary() -> None:
    assert summary(1_000_000, 50_000, 20.0) == "Indexed 50000 article(s), 1000000 sentences in 20.0s (50,000 sentences/s)."
