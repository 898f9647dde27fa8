"""The reliability wrapper every adapter calls: de-duplicate, rate-limit, answer in a slot, measure, log, reply.

An adapter turns its event into a :class:`~bot.models.Question` and an event
key, and passes a ``send`` coroutine that renders and posts a :class:`Handled`
(an answer or a short notice). :meth:`AnswerService.handle` decides whether
anything is sent at all and never raises for a bad event or a failed reply.
"""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from retrieval.live import WatchHealth

from .config import Config
from .lifecycle import Lifecycle, ShuttingDown
from .limits import RateLimiter
from .logs import AnswerLog
from .metrics import Metrics
from .models import Answer, Question
from .pipeline import Answerer
from .state import FallbackState, State, open_state

log = logging.getLogger("quotebot.answering")

ERROR_NOTICE = "Sorry, something went wrong while answering. Please try again in a moment."
#: How long an event id is remembered; Slack retries within minutes, Discord does not redeliver.
DEDUPE_TTL = 3600.0


class Kind(enum.Enum):
    """What became of one delivery."""

    ANSWERED = "answered"  # an answer (with passages or a "nothing found" message) was produced
    DUPLICATE = "duplicate"  # this event was already taken by this or another replica: send nothing
    LIMITED = "limited"  # a rate limit refused it: send ``notice`` if set, else nothing
    SHUTTING_DOWN = "shutting_down"  # this replica is draining: send nothing (the event is left unclaimed)
    FAILED = "failed"  # answering raised: send ``notice``
    CLAIMED = "claimed"  # claimed with ``answer=False`` (an empty question): the adapter's ``send`` shows its help


@dataclass(frozen=True, slots=True)
class Handled:
    """The result of handling one delivery: an answer to render, a short notice to send, or nothing."""

    kind: Kind
    answer: Answer | None = None
    notice: str | None = None
    #: For ``DUPLICATE``: the event key that had already been claimed.
    key: str | None = None

    @property
    def sends(self) -> bool:
        """True when the adapter has something to post."""
        return self.answer is not None or self.notice is not None or self.kind is Kind.CLAIMED


Send = Callable[[Handled], Awaitable[object]]
#: One event key, several (all must be fresh: e.g. Slack's event id and the message's channel and ts), or none.
EventKeys = str | Sequence[str] | None


class AnswerService:
    """Answers questions exactly once per event key, within the limits, counted and logged."""

    def __init__(
        self,
        answerer: Answerer,
        state: State,
        limiter: RateLimiter,
        lifecycle: Lifecycle,
        metrics: Metrics,
        answer_log: AnswerLog,
        dedupe_ttl: float = DEDUPE_TTL,
    ) -> None:
        self.answerer = answerer
        self.state = state
        self.limiter = limiter
        self.lifecycle = lifecycle
        self.metrics = metrics
        self.answer_log = answer_log
        self.dedupe_ttl = dedupe_ttl

    def health(self) -> dict[str, Any]:
        """For ``/healthz``: draining or not, answers in flight, which state backend is in use, and, when the
        answerer follows the corpus live, whether it still can (``ok`` is false while it cannot)."""
        backend = self.state.backend if isinstance(self.state, FallbackState) else "memory"
        report = {**self.lifecycle.status(), "state": backend}
        watch = getattr(self.answerer.index, "health", None)
        if isinstance(watch, WatchHealth):
            report["corpus"] = watch.as_dict()
            report["ok"] = bool(report.get("ok", True)) and watch.ok
        return report

    async def close(self) -> None:
        """Release the shared state's connections (the answerer belongs to the caller)."""
        await self.state.close()

    async def handle(self, question: Question, event_key: EventKeys, send: Send, *, answer: bool = True) -> Handled:
        """Handle one delivery; ``send`` runs inside the concurrency slot, so shutdown waits for the reply too.

        ``event_key`` (e.g. ``"slack:" + event_id``, or several keys claimed in order) is claimed
        before answering; ``None`` skips de-duplication (the console, say). With ``answer=False``
        the event is only claimed (no rate limit, no answer) and ``send`` gets ``Kind.CLAIMED``.
        """
        received = time.perf_counter()
        if not self.lifecycle.accepting:  # checked before claiming, so another replica can still take the event
            return Handled(Kind.SHUTTING_DOWN)
        try:
            async with self.lifecycle.work():
                self.metrics.in_flight.inc()
                try:
                    handled = await self._decide(question, event_key, received, answer)
                    if handled.sends:
                        await self._send(question, handled, send)
                    return handled
                finally:
                    self.metrics.in_flight.dec()
        except ShuttingDown:
            return Handled(Kind.SHUTTING_DOWN)

    async def _decide(self, question: Question, event_key: EventKeys, received: float, answer: bool) -> Handled:
        keys = [event_key] if isinstance(event_key, str) else list(event_key or ())
        for key in keys:
            if not await self.state.first_seen(key, self.dedupe_ttl):
                self.metrics.observe_duplicate(question.platform)
                return Handled(Kind.DUPLICATE, key=key)
        if not answer:
            return Handled(Kind.CLAIMED)
        verdict = await self.limiter.check(question)
        if not verdict.allowed:
            self.metrics.observe_rate_limited(question.platform, verdict.scope or "unknown")
            return Handled(Kind.LIMITED, notice=verdict.notice)
        try:
            found = await self.answerer.answer_async(question)
        except Exception as exc:
            seconds = time.perf_counter() - received
            self.metrics.observe_error(question.platform, type(exc).__name__)
            self.answer_log.record(question, None, seconds, error=type(exc).__name__)
            log.exception("answering failed")
            return Handled(Kind.FAILED, notice=ERROR_NOTICE)
        seconds = time.perf_counter() - received  # includes any wait for a free slot
        self.metrics.observe_answer(question.platform, found.answered, seconds)
        self.answer_log.record(question, found, seconds)
        return Handled(Kind.ANSWERED, found)

    async def _send(self, question: Question, handled: Handled, send: Send) -> None:
        try:
            await send(handled)
        except Exception as exc:
            self.metrics.observe_error(question.platform, f"send:{type(exc).__name__}")
            log.exception("sending the reply failed")


def build_service(config: Config, answerer: Answerer, state: State, metrics: Metrics | None = None) -> AnswerService:
    """An :class:`AnswerService` over an already open ``state``, with ``[limits]`` and ``[privacy]`` from the config."""
    metrics = metrics or Metrics()
    if isinstance(state, FallbackState):
        fallback = state
        metrics.track_redis(lambda: fallback.backend == "redis")
    limits = config.limits
    return AnswerService(
        answerer,
        state,
        RateLimiter(state, limits),
        Lifecycle(limits.max_concurrent_answers, limits.shutdown_grace_seconds),
        metrics,
        AnswerLog(config.privacy.log_questions),
    )


async def open_service(config: Config, answerer: Answerer, metrics: Metrics | None = None) -> AnswerService:
    """An :class:`AnswerService` built from the config: ``[state]``, ``[limits]`` and ``[privacy]``.

    With ``backend = "redis"`` this checks Redis once (warning and using memory if it is down)
    and reports the backend in use as ``quotebot_state_redis_up``.
    """
    return build_service(config, answerer, await open_state(config.state), metrics)
