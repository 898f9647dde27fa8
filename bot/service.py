"""The reliability wrapper every platform calls: de-duplicate, rate-limit, answer in a slot, measure, log, reply.

A platform turns its event into a :class:`~bot.models.Question` and an event
key, and passes a ``send`` coroutine that renders and posts a :class:`Handled`
(an answer or a short notice). :meth:`AnswerService.handle` decides whether
anything is sent at all and never raises for a bad event or a failed reply.
A 👍 / 👎 goes through :meth:`AnswerService.vote`, under the one feedback rule of
:mod:`bot.feedback`.
"""

from __future__ import annotations

import enum
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from retrieval import WatchHealth

from .answerer import Answerer
from .config import Config
from .feedback import VOTE_TTL, FeedbackLog, passages_digest
from .lifecycle import Lifecycle, ShuttingDown
from .limits import RateLimiter
from .logs import AnswerLog
from .messages import SORRY
from .metrics import Metrics
from .models import Answer, Question
from .state import FallbackState, State, open_state

log = logging.getLogger("quotebot.answering")

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


class Voted(enum.Enum):
    """What became of one 👍 / 👎."""

    RECORDED = "recorded"  # written to the feedback log
    DUPLICATE = "duplicate"  # this person already rated this answer (within ``VOTE_TTL``)
    CHANGED = "changed"  # the answer found again is not the one shown (the corpus changed): not recorded
    SHUTTING_DOWN = "shutting_down"  # this replica is draining: not recorded


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
        #: The ``/readyz`` report while :func:`bot.serve.serve` runs platforms through this service (``None`` otherwise).
        self.ready: Callable[[], dict[str, Any]] | None = None

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
            return Handled(Kind.FAILED, notice=SORRY)
        seconds = time.perf_counter() - received  # includes any wait for a free slot
        self.metrics.observe_answer(question.platform, found.answered, seconds)
        self.answer_log.record(question, found, seconds)
        return Handled(Kind.ANSWERED, found)

    async def vote(
        self,
        feedback: FeedbackLog,
        question: Question,
        vote: str,
        shown: str,
        *,
        answer: Answer | None = None,
        digest: str | None = None,
    ) -> Voted:
        """Record ``question.user``'s ``"up"`` or ``"down"`` on one answer: once per person per answer, for ``VOTE_TTL``.

        ``shown`` names the answer voted on (a message and page, unique on the platform). The
        record holds the passages shown: ``answer`` when the platform kept it, else the answer
        to ``question`` found again (within a concurrency slot), which must match ``digest``
        (:func:`~bot.feedback.passages_digest` of what was shown) when one is given.
        """
        if not self.lifecycle.accepting:
            return Voted.SHUTTING_DOWN
        try:
            async with self.lifecycle.work():
                key = f"{question.platform}:vote:{shown}:{question.user}"
                if not await self.state.first_seen(key, VOTE_TTL):
                    return Voted.DUPLICATE
                if answer is None:
                    answer = await self.answerer.answer_async(question)
                    if digest is not None and passages_digest(answer) != digest:
                        return Voted.CHANGED
                await feedback.add(question.platform, question.user, vote, answer)
                self.metrics.observe_vote(question.platform, vote)
                return Voted.RECORDED
        except ShuttingDown:
            return Voted.SHUTTING_DOWN

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
