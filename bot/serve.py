"""One serve lifecycle for one or more platforms, in one process and one event loop.

:func:`plan` asks every registered platform (:mod:`bot.platforms`) whether its tokens are
set; :func:`serve` runs the planned ones through one :class:`~bot.service.AnswerService`
and one feedback log until told to stop, then drains and closes them. ``quotebot slack``,
``quotebot discord`` and ``quotebot run`` all end in :func:`serve_until_signalled`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field

from .answerer import Answerer
from .bootstrap import follow_corpus
from .config import Config
from .feedback import FeedbackLog, open_feedback
from .platforms import REGISTRY, get
from .platforms.base import NotReady, Options, Platform
from .service import AnswerService, open_service

log = logging.getLogger("quotebot.services")


@dataclass(frozen=True)
class Planned:
    """A platform that will run, and how (``"socket"``, ``"http"``, ``"gateway"``)."""

    platform: Platform
    mode: str


@dataclass(frozen=True)
class Plan:
    """Which platforms will run; ``skipped`` says why each of the others won't."""

    platforms: tuple[Planned, ...]
    skipped: tuple[str, ...]
    options: Options = field(default_factory=Options)

    @property
    def empty(self) -> bool:
        """True when no platform has the tokens it needs."""
        return not self.platforms

    def mode(self, name: str) -> str | None:
        """How the platform called ``name`` will run, or ``None`` if it won't."""
        return next((p.mode for p in self.platforms if p.platform.name == name), None)


def plan(config: Config, options: Options | None = None, names: Sequence[str] | None = None) -> Plan:
    """Ask each platform in ``names`` (default: every registered one) whether it can start with the tokens present."""
    options = options or Options()
    planned: list[Planned] = []
    skipped: list[str] = []
    for name in names or REGISTRY:
        platform = get(name)
        try:
            planned.append(Planned(platform, platform.check(config, options)))
        except NotReady as why:
            skipped.append(f"{name.capitalize()}: {why}")
    return Plan(tuple(planned), tuple(skipped), options)


async def serve(
    config: Config,
    answerer: Answerer,
    the_plan: Plan,
    *,
    stop: asyncio.Event | None = None,
    service: AnswerService | None = None,
    feedback: FeedbackLog | None = None,
) -> int:
    """Serve the planned platforms through one :class:`AnswerService` (state, limits, metrics) and one feedback log.

    Runs until the service's lifecycle stops (SIGTERM, when the caller installed its signal
    handlers) or ``stop`` is set; then takes no new questions, waits up to ``[limits]
    shutdown_grace_seconds`` for the answers in flight, and stops the platforms. Returns 0,
    or 1 if answers had to be abandoned. If one platform stops with an error, the others are
    stopped too and the error is raised.
    """
    answers = service or await open_service(config, answerer)
    shared_feedback = feedback or open_feedback(config, answers.state)
    platforms_stop = asyncio.Event()
    tasks = [
        asyncio.create_task(p.platform.run(config, answers, shared_feedback, platforms_stop, the_plan.options), name=p.platform.name)
        for p in the_plan.platforms
    ]
    try:
        failed, drained = await _until_stopped(answers, tasks, stop)
    finally:
        platforms_stop.set()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                if not (task.done() and not task.cancelled() and task.exception() is not None):
                    await task
        if service is None:
            await answers.close()
    if failed:
        raise failed[0].exception()  # type: ignore[misc]
    log.info("shutdown complete")
    return 0 if drained else 1


async def _until_stopped(
    answers: AnswerService, tasks: list[asyncio.Task[None]], stop: asyncio.Event | None
) -> tuple[list[asyncio.Task[None]], bool]:
    """Wait for a stop (the lifecycle, ``stop``, or a platform ending), then drain; returns the failed tasks and
    whether every answer in flight finished within the grace period."""
    lifecycle = answers.lifecycle
    watchers: list[asyncio.Task[object]] = [asyncio.create_task(lifecycle.stopped(), name="lifecycle")]
    if stop is not None:
        watchers.append(asyncio.create_task(stop.wait(), name="stop"))
    try:
        done, _ = await asyncio.wait([*tasks, *watchers], return_when=asyncio.FIRST_COMPLETED)
        failed = [t for t in tasks if t in done and not t.cancelled() and t.exception() is not None]
        lifecycle.stop("a platform failed" if failed else "stop requested")
        drained = await lifecycle.drain(lifecycle.grace)
        if not drained:
            log.error("shutdown: %d answer(s) still running after %gs; leaving them", lifecycle.in_flight, lifecycle.grace)
        return failed, drained
    finally:
        for watcher in watchers:
            watcher.cancel()


async def serve_until_signalled(config: Config, answerer: Answerer, the_plan: Plan, corpus: list[str] | None = None) -> int:
    """For a command: open the service, follow the corpus, serve until SIGINT or SIGTERM, then close; the exit status."""
    service = await open_service(config, answerer)
    try:
        stop_following = await follow_corpus(config, answerer, corpus)
    except BaseException:
        await service.close()
        raise
    remove = service.lifecycle.install_signal_handlers()
    try:
        return await serve(config, answerer, the_plan, service=service)
    finally:
        remove()
        await service.close()
        await stop_following()
