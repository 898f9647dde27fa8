"""Prometheus metrics on a private registry, served with /healthz by a real aiohttp server on a loopback port."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from prometheus_client import REGISTRY, generate_latest
from prometheus_client.parser import text_string_to_metric_families

from bot.lifecycle import Lifecycle
from bot.metrics import Metrics, add_ops_routes, ops_app


@pytest.fixture
async def serve() -> AsyncIterator[Callable[[web.Application], Any]]:
    """Start applications on 127.0.0.1 port 0; returns their base URLs; cleans up after the test."""
    runners: list[web.AppRunner] = []

    async def start(app: web.Application) -> str:
        runner = web.AppRunner(app)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        runners.append(runner)
        return f"http://127.0.0.1:{runner.addresses[0][1]}"

    yield start
    for runner in runners:
        await runner.cleanup()


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


async def test_metrics_endpoint_reports_questions_answers_latency_limits_and_errors(serve: Any) -> None:
    metrics = Metrics()
    metrics.observe_answer("slack", True, 0.012)
    metrics.observe_answer("slack", False, 0.3)
    metrics.observe_answer("discord", True, 7.0)
    metrics.observe_answer("slack", True, 0.02)
    metrics.observe_rate_limited("slack", "user")
    metrics.observe_duplicate("slack")
    metrics.observe_error("discord", "HTTPException")
    up = {"redis": True}
    metrics.track_redis(lambda: up["redis"])
    base = await serve(ops_app(metrics))
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{base}/metrics") as response:
            assert response.status == 200
            assert response.headers["Content-Type"].startswith("text/plain")
            values = samples(await response.text())
        up["redis"] = False
        async with http.get(f"{base}/metrics") as response:
            after = samples(await response.text())
    assert values[("quotebot_questions_total", (("platform", "slack"),))] == 3
    assert values[("quotebot_answered_total", (("platform", "slack"),))] == 2
    assert values[("quotebot_answered_ratio", ())] == pytest.approx(3 / 4)
    assert values[("quotebot_answer_latency_seconds_count", (("platform", "discord"),))] == 1
    assert values[("quotebot_answer_latency_seconds_bucket", (("le", "0.025"), ("platform", "slack")))] == 2
    assert values[("quotebot_answer_latency_seconds_bucket", (("le", "5.0"), ("platform", "discord")))] == 0
    assert values[("quotebot_rate_limited_total", (("platform", "slack"), ("scope", "user")))] == 1
    assert values[("quotebot_duplicates_total", (("platform", "slack"),))] == 1
    assert values[("quotebot_errors_total", (("kind", "HTTPException"), ("platform", "discord")))] == 1
    assert (values[("quotebot_state_redis_up", ())], after[("quotebot_state_redis_up", ())]) == (1, 0)


async def test_each_metrics_object_has_its_own_registry() -> None:
    a, b = Metrics(), Metrics()  # would raise "Duplicated timeseries" on a shared registry
    a.observe_answer("slack", True, 0.1)
    assert b"quotebot_questions_total" not in generate_latest(REGISTRY)
    assert samples(b.exposition().decode()).get(("quotebot_questions_total", (("platform", "slack"),))) is None
    assert samples(a.exposition().decode())[("quotebot_questions_total", (("platform", "slack"),))] == 1
    assert samples(b.exposition().decode())[("quotebot_answered_ratio", ())] == 0


async def test_healthz_turns_503_while_draining_on_an_existing_app(serve: Any) -> None:
    lifecycle = Lifecycle()
    app = web.Application()

    async def events(_: web.Request) -> web.Response:
        return web.Response(text="events")

    app.router.add_post("/slack/events", events)
    add_ops_routes(app, Metrics(), lambda: {**lifecycle.status(), "state": "redis"})
    base = await serve(app)
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{base}/healthz") as response:
            assert response.status == 200
            assert await response.json() == {"status": "ok", "draining": False, "in_flight": 0, "state": "redis"}
        lifecycle.stop("test")
        async with http.get(f"{base}/healthz") as response:
            assert response.status == 503
            assert (await response.json())["status"] == "unavailable"
        async with http.post(f"{base}/slack/events") as response:
            assert await response.text() == "events"


async def test_ops_app_refuses_bodies_over_the_cap(serve: Any) -> None:
    app = ops_app(Metrics(), max_body_bytes=1024)

    async def echo(request: web.Request) -> web.Response:
        return web.Response(text=str(len(await request.read())))

    app.router.add_post("/echo", echo)
    base = await serve(app)
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{base}/echo", data=b"x" * 1000) as response:
            assert (response.status, await response.text()) == (200, "1000")
        async with http.post(f"{base}/echo", data=b"x" * 5000) as response:
            assert response.status == 413
