"""Shared state on a real redis-server: exactly-once claims and shared buckets across replicas, and outages."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from bot.config import StateConfig
from bot.state import FallbackState, MemoryState, RedisState, open_state, redact_url
from tests.redis_server import RedisServer, free_port


def replica(server: RedisServer) -> RedisState:
    """One bot process's connection to the shared Redis."""
    return RedisState.from_url(server.url, timeout=5.0)  # generous: the test machine may be busy


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "quotebot.state" and r.levelno == logging.WARNING]


async def test_two_replicas_claim_each_event_exactly_once(redis_server: RedisServer) -> None:
    a, b = replica(redis_server), replica(redis_server)
    try:
        keys = [f"Ev{i}" for i in range(200)]
        results = await asyncio.gather(*(s.first_seen(k, ttl=60) for k in keys for s in (a, b, a)))
        wins = {k: 0 for k in keys}
        for (k, _), won in zip(((k, s) for k in keys for s in (a, b, a)), results, strict=True):
            wins[k] += won
        assert set(wins.values()) == {1}
        assert await b.first_seen("Ev7") is False
    finally:
        await a.close()
        await b.close()


async def test_claims_expire_after_their_ttl(redis_server: RedisServer) -> None:
    state = replica(redis_server)
    try:
        assert await state.first_seen("short", ttl=0.05) is True
        assert await state.first_seen("short", ttl=0.05) is False
        await asyncio.sleep(0.3)
        assert await state.first_seen("short", ttl=0.05) is True
    finally:
        await state.close()


async def test_replicas_share_one_bucket_and_one_notice(redis_server: RedisServer) -> None:
    a, b = replica(redis_server), replica(redis_server)
    try:
        decisions = await asyncio.gather(*(s.allow("slack:user:U1", 0.001, 5) for _ in range(6) for s in (a, b)))
        assert sum(d.allowed for d in decisions) == 5
        assert sum(d.notify for d in decisions) == 1
        refused = [d for d in decisions if not d.allowed]
        assert all(900 < d.retry_after <= 1000 for d in refused)
        assert (await a.allow("slack:user:U2", 0.001, 5)).allowed  # another user, another bucket
    finally:
        await a.close()
        await b.close()


async def test_bucket_refills_on_redis_time(redis_server: RedisServer) -> None:
    state = replica(redis_server)
    try:
        assert (await state.allow("b", 5.0, 1)).allowed
        assert not (await state.allow("b", 5.0, 1)).allowed
        await asyncio.sleep(0.5)  # two tokens' worth of time, capped at a burst of one
        assert (await state.allow("b", 5.0, 1)).allowed
        assert not (await state.allow("b", 5.0, 1)).allowed
    finally:
        await state.close()


async def test_feedback_is_shared_between_replicas(redis_server: RedisServer) -> None:
    a, b = replica(redis_server), replica(redis_server)
    try:
        await a.add_feedback({"vote": "up", "question": "Who?"})
        await b.add_feedback({"vote": "down", "question": "Wer? ✓"})
        assert [e["vote"] for e in await a.recent_feedback(10)] == ["up", "down"]
        assert (await b.recent_feedback(1))[0]["question"] == "Wer? ✓"
    finally:
        await a.close()
        await b.close()


async def test_redis_down_at_start_falls_back_to_memory_with_one_warning(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, "quotebot.state")
    url = f"redis://:hunter2@127.0.0.1:{free_port()}/0"  # nothing listens there
    state = await open_state(StateConfig(backend="redis", redis_url=url))
    assert isinstance(state, FallbackState) and state.backend == "memory"
    assert await state.first_seen("e1") is True
    assert await state.first_seen("e1") is False
    assert (await state.allow("u", 1.0, 1)).allowed
    await state.add_feedback({"vote": "up"})
    assert await state.recent_feedback() == [{"vote": "up"}]
    (warning,) = warnings(caplog)
    assert "falling back to in-process memory" in warning
    assert "hunter2" not in caplog.text and ":***@127.0.0.1" in warning
    await state.close()


async def test_redis_killed_mid_run_falls_back_then_recovers(redis_server: RedisServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, "quotebot.state")
    state = FallbackState(replica(redis_server), MemoryState(), retry_interval=0.1)
    other = replica(redis_server)  # a second replica, used after the outage
    try:
        await state.start()
        assert state.backend == "redis"
        assert await state.first_seen("before", ttl=600) is True
        assert (await state.allow("u", 0.001, 2)).allowed

        redis_server.kill()
        # Remembered locally although it was claimed through Redis: a retry during the outage is still a repeat.
        assert await state.first_seen("before", ttl=600) is False
        assert state.backend == "memory"
        assert await state.first_seen("during", ttl=600) is True
        assert await state.first_seen("during", ttl=600) is False
        results = await asyncio.gather(*(state.allow(f"u{i % 3}", 0.01, 1) for i in range(30)))
        assert sum(d.allowed for d in results) == 3
        assert len(warnings(caplog)) == 1 and "unavailable" in warnings(caplog)[0]

        redis_server.start()  # same port, empty database
        await asyncio.sleep(0.15)
        assert await state.first_seen("after", ttl=600) is True
        assert state.backend == "redis" and state.outages == 1
        assert "is back" in warnings(caplog)[-1]
        # The key claimed in memory during the outage was copied to Redis: the other replica sees it.
        assert await other.first_seen("during", ttl=600) is False
        assert await other.first_seen("after", ttl=600) is False
        assert len(warnings(caplog)) == 2
    finally:
        await state.close()
        await other.close()


async def test_failed_recovery_probes_stay_quiet_on_memory(redis_server: RedisServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, "quotebot.state")
    state = FallbackState(replica(redis_server), retry_interval=0.0)
    try:
        redis_server.kill()
        for i in range(5):  # every call probes (interval 0) and fails quietly
            assert await state.first_seen(f"k{i}") is True
        assert state.backend == "memory" and len(warnings(caplog)) == 1
    finally:
        await state.close()


def test_redact_url_hides_only_the_password() -> None:
    assert redact_url("redis://user:pw@host:6380/1") == "redis://user:***@host:6380/1"
    assert redact_url("redis://:pw@host/0") == "redis://:***@host/0"
    assert redact_url("redis://host:6379/0") == "redis://host:6379/0"


async def test_memory_backend_by_default(tmp_path: Path) -> None:
    assert isinstance(await open_state(StateConfig()), MemoryState)


async def test_after_a_restart_connections_from_before_the_outage_do_not_cause_a_second_fallback(
    redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, "quotebot.state")
    state = FallbackState(replica(redis_server), MemoryState(), retry_interval=0.1)
    try:
        await state.start()
        # a burst opens several pooled connections, idle in the pool when Redis dies
        assert all(await asyncio.gather(*(state.first_seen(f"k{i}") for i in range(12))))
        redis_server.kill()
        assert await state.first_seen("during") is True and state.backend == "memory"
        redis_server.start()
        await asyncio.sleep(0.15)
        assert await state.first_seen("after") is True and state.backend == "redis"
        # a burst after recovery takes the old connections from the pool too: none may fail
        assert all(await asyncio.gather(*(state.first_seen(f"again{i}") for i in range(12))))
        assert state.backend == "redis" and state.outages == 1
        assert [w for w in warnings(caplog) if "unavailable" in w] == [warnings(caplog)[0]]
    finally:
        await state.close()
