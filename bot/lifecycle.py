"""Graceful shutdown and the cap on concurrent answers.

An adapter wraps each answer in ``async with lifecycle.work():``. On SIGTERM (or
SIGINT) :class:`Lifecycle` stops taking new work (``work()`` raises
:class:`ShuttingDown`, and ``/healthz`` turns 503), waits up to ``grace``
seconds for the answers in flight, closes what the runner gave it, and lets
the process exit 0. :class:`TerminateGuard` does the same for a synchronous
input loop (the console).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
import signal
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from types import FrameType
from typing import Any

log = logging.getLogger("quotebot.lifecycle")

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)

#: The lifecycle whose answer slot the current task holds (set inside :meth:`Lifecycle.work`).
_HOLDER: contextvars.ContextVar[Lifecycle | None] = contextvars.ContextVar("quotebot_answer_slot", default=None)


class ShuttingDown(Exception):
    """Raised by :meth:`Lifecycle.work` once shutdown has begun: drop the event, another replica will take it."""


class Lifecycle:
    """Tracks answers in flight, caps how many run at once, and drives a clean shutdown."""

    def __init__(self, max_concurrent: int = 8, grace: float = 30.0, logger: logging.Logger = log) -> None:
        if max_concurrent < 1:
            raise ValueError("max_concurrent must be at least 1")
        self.max_concurrent = max_concurrent
        self.grace = grace
        self._log = logger
        self._slots = asyncio.Semaphore(max_concurrent)
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._stopping = asyncio.Event()
        self.reason: str | None = None

    @property
    def accepting(self) -> bool:
        """True until shutdown begins."""
        return not self._stopping.is_set()

    @property
    def in_flight(self) -> int:
        """Pieces of work accepted and not yet finished (running or waiting for a slot)."""
        return self._in_flight

    def status(self) -> dict[str, Any]:
        """For ``/healthz``: ``ok`` is false while draining, so a load balancer stops sending events here."""
        return {"ok": self.accepting, "draining": not self.accepting, "in_flight": self._in_flight}

    @contextlib.asynccontextmanager
    async def work(self) -> AsyncIterator[None]:
        """Run one piece of work in a slot (at most ``max_concurrent`` at once); refuse it once stopping."""
        if self._stopping.is_set():
            raise ShuttingDown(self.reason or "shutting down")
        self._in_flight += 1
        self._idle.clear()
        try:
            async with self._slots:
                token = _HOLDER.set(self)
                try:
                    yield
                finally:
                    _HOLDER.reset(token)
        finally:
            self._in_flight -= 1
            if self._in_flight == 0:
                self._idle.set()

    @staticmethod
    @contextlib.asynccontextmanager
    async def slot_released() -> AsyncIterator[None]:
        """Give the current task's answer slot back while it only waits (a 429's ``Retry-After``), and take one again after.

        Outside :meth:`work` this does nothing. The work stays counted as in flight, so shutdown still waits for it.
        """
        lifecycle = _HOLDER.get()
        if lifecycle is None:
            yield
            return
        lifecycle._slots.release()
        try:
            yield
        finally:
            # Shielded: if cancelled here, the slot is still taken back before work() gives it up again.
            await asyncio.shield(lifecycle._slots.acquire())

    def stop(self, reason: str = "requested") -> None:
        """Begin shutdown: no new work from now on. Safe to call more than once."""
        if self._stopping.is_set():
            return
        self.reason = reason
        self._log.warning("shutting down (%s): taking no new questions, finishing %d in flight", reason, self._in_flight)
        self._stopping.set()

    async def stopped(self) -> None:
        """Wait until shutdown begins."""
        await self._stopping.wait()

    async def drain(self, timeout: float | None = None) -> bool:
        """Wait for the work in flight to finish; False if some is still running after ``timeout`` seconds."""
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
        except TimeoutError:
            return False
        return True

    def install_signal_handlers(self, signals: Sequence[signal.Signals] = STOP_SIGNALS) -> Callable[[], None]:
        """Make each signal in ``signals`` call :meth:`stop` (on the running loop); returns a function that undoes it.

        Off the main thread (a test running the CLI in a worker thread, say) or where the loop
        cannot take signal handlers, nothing is installed and :meth:`stop` is the only way to stop.
        """
        loop = asyncio.get_running_loop()
        installed: list[signal.Signals] = []
        for sig in signals:
            try:
                loop.add_signal_handler(sig, self.stop, sig.name)
            except (RuntimeError, ValueError, NotImplementedError):
                self._log.debug("cannot handle %s here (not the main thread?); stop() only", sig.name)
                continue
            installed.append(sig)

        def remove() -> None:
            for sig in installed:
                loop.remove_signal_handler(sig)

        return remove

    async def run_until_stopped(
        self, *closers: Callable[[], Awaitable[object]], signals: Sequence[signal.Signals] = STOP_SIGNALS
    ) -> int:
        """Serve until a stop signal, drain, then await each closer in order; returns the exit status.

        0 when every answer in flight finished within ``grace`` seconds, 1 when
        some had to be abandoned. A closer that fails is logged and the others still run.
        """
        remove = self.install_signal_handlers(signals)
        try:
            await self.stopped()
            drained = await self.drain(self.grace)
            if not drained:
                self._log.error("shutdown: %d answer(s) still running after %gs; leaving them", self._in_flight, self.grace)
            for close in closers:
                try:
                    await close()
                except Exception:
                    self._log.exception("shutdown: closing failed")
            self._log.info("shutdown complete")
            return 0 if drained else 1
        finally:
            remove()


class _Terminate(Exception):
    """Raised inside the input loop by the signal handler while it waits for input."""


class TerminateGuard:
    """SIGTERM for a synchronous loop: interrupt a wait for input at once, but let an answer being shown finish.

    Enter the guard around the whole loop, use ``with guard.busy():`` around each
    piece of work, and stop looping once ``guard.requested`` is true. A signal
    that arrives while the loop waits for input ends the ``with`` block quietly.
    Only installs a handler on the main thread; elsewhere it is inert.
    """

    def __init__(self, signals: Sequence[signal.Signals] = (signal.SIGTERM,)) -> None:
        self.signals = signals
        self.requested = False
        self._busy = False
        self._previous: dict[signal.Signals, Any] = {}

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.requested = True
        if not self._busy:
            raise _Terminate

    def __enter__(self) -> TerminateGuard:
        if threading.current_thread() is threading.main_thread():
            for sig in self.signals:
                self._previous[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc: object) -> bool:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        self._previous.clear()
        return exc[0] is _Terminate  # swallow our own interruption: the loop simply ends

    @contextlib.contextmanager
    def busy(self) -> Iterator[None]:
        """A signal arriving inside this block is remembered, not raised."""
        self._busy = True
        try:
            yield
        finally:
            self._busy = False
