"""One serve lifecycle for one or more platforms, in one process and one event loop.

:func:`plan` asks every registered platform (:mod:`bot.platforms`) whether its tokens are
set; :func:`serve` runs the planned ones through one :class:`~bot.service.AnswerService`
and one feedback log until told to stop, then drains and closes them. ``quotebot slack``,
``quotebot discord`` and ``quotebot run`` all end in :func:`serve_until_signalled`.

A platform that fails is described by its own :meth:`~bot.platforms.base.Platform.describe_failure`,
and :func:`serve` raises one :class:`~bot.platforms.base.PlatformsFailed` with every failure, so
the single commands and ``run`` report them in the same words. With ``[ops] port`` set, the
operations server (:mod:`bot.ops`) serves ``/healthz``, ``/readyz`` and ``/metrics`` meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .answerer import Answerer
from .bootstrap import follow_corpus
from .config import Config
from .feedback import FeedbackLog, open_feedback
from .http_server import HardenedServer
from .ops import Readiness, start_ops_server
from .platforms import REGISTRY, get
from .platforms.base import EXIT_RUNTIME, NotReady, Options, Platform, PlatformsFailed, StartFailure
from .service import AnswerService, open_service

log = logging.getLogger("quotebot.services")

#: After one platform fails, how long the others may take to connect or fail in turn, so every failure is reported.
START_WAIT = 15.0


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
    or 1 if answers had to be abandoned. If a platform fails, the others get up to
    :data:`START_WAIT` seconds to connect or fail too, then all are stopped and
    :class:`PlatformsFailed` is raised with every failure, each in its platform's words.
    """
    answers = service or await open_service(config, answerer)
    readiness = Readiness(answers, [p.platform.name for p in the_plan.platforms])
    answers.ready = readiness.report
    ops: HardenedServer | None = None
    try:
        if config.ops.port is not None:
            ops = await _start_ops(config, answers, readiness)
        shared_feedback = feedback or open_feedback(config, answers.state)
        platforms_stop = asyncio.Event()
        tasks = {
            asyncio.create_task(
                p.platform.run(config, answers, shared_feedback, platforms_stop, _tracked(the_plan.options, p.platform, readiness)),
                name=p.platform.name,
            ): p.platform
            for p in the_plan.platforms
        }
        try:
            drained = await _until_stopped(answers, readiness, list(tasks), stop)
        finally:
            platforms_stop.set()
            results = await asyncio.gather(*tasks, return_exceptions=True)
    finally:
        answers.ready = None
        if ops is not None:
            await ops.stop()
        if service is None:
            await answers.close()
    failures = [
        StartFailure(platform.name, *platform.describe_failure(result))
        for platform, result in zip(tasks.values(), results, strict=True)
        if isinstance(result, BaseException) and not isinstance(result, asyncio.CancelledError)
    ]
    if failures:
        raise PlatformsFailed(failures)
    log.info("shutdown complete")
    return 0 if drained else 1


async def _start_ops(config: Config, answers: AnswerService, readiness: Readiness) -> HardenedServer:
    """The operations server on ``[ops] host:port``; a port it cannot bind is a :class:`PlatformsFailed` for ``ops``."""
    assert config.ops.port is not None
    try:
        return await start_ops_server(config.ops.host, config.ops.port, answers, readiness)
    except OSError as exc:
        why = f"cannot listen on {config.ops.host}:{config.ops.port} ({exc.strerror or exc}); see [ops] port"
        raise PlatformsFailed([StartFailure("ops", why, EXIT_RUNTIME)]) from None


def _tracked(options: Options, platform: Platform, readiness: Readiness) -> Options:
    """``options`` whose ``ready`` callback also tells ``readiness`` how to ask whether ``platform`` is connected."""
    outer: Callable[[object], None] | None = options.ready

    def ready(running: object) -> None:
        readiness.track(platform.name, lambda: platform.connected(running))
        if outer is not None:
            outer(running)

    return dataclasses.replace(options, ready=ready)


async def _until_stopped(
    answers: AnswerService, readiness: Readiness, tasks: list[asyncio.Task[None]], stop: asyncio.Event | None
) -> bool:
    """Wait for a stop (the lifecycle, ``stop``, or a platform ending), then drain; returns whether every answer in
    flight finished within the grace period. After a failure, first lets the other platforms finish starting."""
    lifecycle = answers.lifecycle
    watchers: list[asyncio.Task[object]] = [asyncio.create_task(lifecycle.stopped(), name="lifecycle")]
    if stop is not None:
        watchers.append(asyncio.create_task(stop.wait(), name="stop"))
    try:
        done, _ = await asyncio.wait([*tasks, *watchers], return_when=asyncio.FIRST_COMPLETED)
        failed = [t for t in tasks if t in done and not t.cancelled() and t.exception() is not None]
        if failed:
            await _others_started(readiness, [t for t in tasks if t not in failed])
        lifecycle.stop("a platform failed" if failed else "stop requested")
        drained = await lifecycle.drain(lifecycle.grace)
        if not drained:
            log.error("shutdown: %d answer(s) still running after %gs; leaving them", lifecycle.in_flight, lifecycle.grace)
        return drained
    finally:
        for watcher in watchers:
            watcher.cancel()


async def _others_started(readiness: Readiness, others: list[asyncio.Task[None]]) -> None:
    """Wait up to :data:`START_WAIT` until each of ``others`` has ended or connected, so its failure is not lost
    (a SIGTERM meanwhile ends the wait)."""
    lifecycle = readiness.service.lifecycle
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(START_WAIT):
            while lifecycle.accepting and not all(t.done() or readiness.is_connected(t.get_name()) for t in others):
                await asyncio.sleep(0.05)


async def serve_until_signalled(config: Config, answerer: Answerer, the_plan: Plan, corpus: list[str] | None = None) -> int:
    """For a command: open the service, follow the corpus, serve until SIGINT or SIGTERM, then close; the exit status."""
    service = await open_service(config, answerer)
    # Before anything is followed or started (and so before any "listening on" line): a SIGTERM from here on drains.
    remove = service.lifecycle.install_signal_handlers()
    try:
        stop_following = await follow_corpus(config, answerer, corpus)
    except BaseException:
        remove()
        await service.close()
        raise
    try:
        return await serve(config, answerer, the_plan, service=service)
    finally:
        remove()
        await service.close()
        await stop_following()
