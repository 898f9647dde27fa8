"""Prometheus metrics and the ``/healthz``, ``/readyz`` and ``/metrics`` endpoints.

:class:`Metrics` owns a private ``CollectorRegistry`` (never the global one),
so several bots, or several tests, in one process do not collide.
:func:`add_ops_routes` adds both endpoints to an existing aiohttp application
(the Slack HTTP mode's); :func:`ops_app` makes a stand-alone one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest

#: Answer latency buckets, in seconds: retrieval takes milliseconds, a slow corpus or a busy host seconds.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

#: What a health check returns: ``{"ok": bool, ...details}``; ``ok`` false answers 503.
HealthCheck = Callable[[], Mapping[str, Any]]


class Metrics:
    """The bot's counters: questions, answers, latency, rate limiting, duplicates and errors, per platform."""

    def __init__(self, registry: CollectorRegistry | None = None, namespace: str = "quotebot") -> None:
        self.registry = registry or CollectorRegistry(auto_describe=True)
        opts: dict[str, Any] = {"namespace": namespace, "registry": self.registry}
        self.questions = Counter("questions", "Questions received (repeated deliveries excluded).", ["platform"], **opts)
        self.answered = Counter("answered", "Questions answered with at least one passage.", ["platform"], **opts)
        self.latency = Histogram(
            "answer_latency_seconds", "Time from receiving a question to having its answer.", ["platform"],
            buckets=LATENCY_BUCKETS, **opts,
        )  # fmt: skip
        self.rate_limited = Counter("rate_limited", "Questions refused by a rate limit.", ["platform", "scope"], **opts)
        self.duplicates = Counter("duplicates", "Deliveries dropped as repeats of an event.", ["platform"], **opts)
        self.votes = Counter("votes", "👍 / 👎 votes recorded in the feedback log.", ["platform", "vote"], **opts)
        self.errors = Counter("errors", "Errors while answering or replying.", ["platform", "kind"], **opts)
        self.in_flight = Gauge("answers_in_flight", "Answers being computed or sent right now.", **opts)
        self.answered_ratio = Gauge("answered_ratio", "Share of questions so far that were answered (0 before any).", **opts)
        self.answered_ratio.set_function(self._ratio)
        self.redis_up = Gauge("state_redis_up", "1 while shared state uses Redis, 0 while it has fallen back to memory.", **opts)
        self._redis_up: Callable[[], bool] | None = None
        self.redis_up.set_function(lambda: float(self._redis_up()) if self._redis_up else 0.0)

    def observe_answer(self, platform: str, answered: bool, seconds: float) -> None:
        """Count one question and its outcome, and record how long it took."""
        self.questions.labels(platform).inc()
        if answered:
            self.answered.labels(platform).inc()
        self.latency.labels(platform).observe(seconds)

    def observe_rate_limited(self, platform: str, scope: str) -> None:
        """Count a question refused by the ``scope`` (``user`` or ``channel``) limit."""
        self.rate_limited.labels(platform, scope).inc()

    def observe_duplicate(self, platform: str) -> None:
        """Count a repeated delivery that was dropped."""
        self.duplicates.labels(platform).inc()

    def observe_vote(self, platform: str, vote: str) -> None:
        """Count one recorded vote (``"up"`` or ``"down"``)."""
        self.votes.labels(platform, vote).inc()

    def observe_error(self, platform: str, kind: str) -> None:
        """Count an error of ``kind`` (an exception class name, say)."""
        self.errors.labels(platform, kind).inc()

    def track_redis(self, redis_up: Callable[[], bool]) -> None:
        """Report ``redis_up()`` (e.g. ``lambda: state.backend == "redis"``) as ``quotebot_state_redis_up``."""
        self._redis_up = redis_up

    def exposition(self) -> bytes:
        """The registry in Prometheus's text format."""
        return generate_latest(self.registry)

    def _ratio(self) -> float:
        asked = sum(s.value for m in self.questions.collect() for s in m.samples if s.name.endswith("_total"))
        answered = sum(s.value for m in self.answered.collect() for s in m.samples if s.name.endswith("_total"))
        return answered / asked if asked else 0.0


def _report(check: HealthCheck | None) -> web.Response:
    """``check()`` as JSON: 200 with ``status: ok``, or 503 with ``status: unavailable`` when its ``ok`` is false."""
    details = dict(check()) if check else {}
    ok = bool(details.pop("ok", True))
    return web.json_response({"status": "ok" if ok else "unavailable", **details}, status=200 if ok else 503)


def add_ops_routes(
    app: web.Application, metrics: Metrics, health: HealthCheck | None = None, ready: HealthCheck | None = None
) -> web.Application:
    """Add ``GET /healthz`` (live: JSON, 503 when ``health()["ok"]`` is false), ``GET /metrics`` and, given ``ready``,
    ``GET /readyz`` (JSON, 503 until ``ready()["ok"]``) to ``app``. None of them holds question text or a secret."""

    async def healthz(_: web.Request) -> web.Response:
        return _report(health)

    async def readyz(_: web.Request) -> web.Response:
        return _report(ready)

    async def prometheus(_: web.Request) -> web.Response:
        return web.Response(body=metrics.exposition(), headers={"Content-Type": CONTENT_TYPE_LATEST})

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", prometheus)
    if ready is not None:
        app.router.add_get("/readyz", readyz)
    return app


def ops_app(
    metrics: Metrics, health: HealthCheck | None = None, max_body_bytes: int = 1024**2, ready: HealthCheck | None = None
) -> web.Application:
    """A stand-alone aiohttp application serving ``/healthz``, ``/metrics`` and (given ``ready``) ``/readyz``."""
    return add_ops_routes(web.Application(client_max_size=max_body_bytes), metrics, health, ready)
