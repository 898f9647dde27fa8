"""Exactly-once across a Redis restart (real redis-server): claims made before the restart, or on memory during
the outage, are still honoured once Redis is back empty, here and (copied back) at other replicas."""

from __future__ import annotations

import asyncio

import pytest

from bot.state import FallbackState, MemoryState, RedisState
from tests.redis_server import RedisServer

KEYS = [f"slack:event:Ev{i:04d}" for i in range(100)]


def replica(server: RedisServer) -> RedisState:
    """One bot process's connection to the shared Redis."""
    return RedisState.from_url(server.url, timeout=5.0)


@pytest.mark.parametrize("noticed", [True, False], ids=["outage noticed", "restart unnoticed"])
async def test_retries_of_events_claimed_before_a_restart_are_not_answered_again(redis_server: RedisServer, noticed: bool) -> None:
    state = FallbackState(replica(redis_server), MemoryState(), retry_interval=0.05)
    other = replica(redis_server)
    try:
        await state.start()
        assert all([await state.first_seen(key, 600) for key in KEYS])
        redis_server.kill()
        if noticed:  # an operation during the outage: the state falls back to memory, then recovers
            assert await state.first_seen("during", 600) is True
        redis_server.start()  # same port, empty database
        await asyncio.sleep(0.1)
        retries = [await state.first_seen(key, 600) for key in KEYS]
        assert retries.count(True) == 0
        assert state.backend == "redis"
        # The claims went back into Redis, so a retry delivered to another replica is refused too.
        assert [await other.first_seen(key, 600) for key in KEYS].count(True) == 0
        if noticed:
            assert await other.first_seen("during", 600) is False
    finally:
        await state.close()
        await other.close()


async def test_a_fresh_event_after_the_restart_is_still_answered_once(redis_server: RedisServer) -> None:
    state = FallbackState(replica(redis_server), MemoryState(), retry_interval=0.05)
    try:
        await state.start()
        redis_server.kill()
        redis_server.start()
        await asyncio.sleep(0.1)
        assert [await state.first_seen("new", 600) for _ in range(3)] == [True, False, False]
    finally:
        await state.close()
