"""Two Slack HTTP replicas (separate AsyncApps, separate services) sharing one real Redis answer each event once."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

import pytest

from bot.config import Config
from tests.redis_server import RedisServer

from .conftest import HttpSlack
from .test_faults import dm

RETRY = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}


def redis_config(config: Config, server: RedisServer) -> Config:
    """``config`` on the shared Redis, with rate limits off (many questions from few users)."""
    config.state.backend = "redis"
    config.state.redis_url = server.url
    config.state.timeout = 5.0
    config.state.retry_seconds = 0.2
    config.limits.user_per_minute = 0
    config.limits.channel_per_minute = 0
    return config


async def deliver_everywhere(replicas: list[HttpSlack], events: range) -> None:
    """Every event to both replicas at once, and a retry of it to the first."""
    sends = []
    for n in events:
        payload = dm(n, user=f"U{n}")
        sends += [replicas[0].event(payload), replicas[1].event(payload), replicas[0].event(payload, headers=RETRY)]
    statuses = await asyncio.gather(*sends)
    assert {status for status, _ in statuses} == {200}


async def test_two_replicas_sharing_redis_answer_each_event_once(
    start_http: Callable[..., Any], slack_config: Config, redis_server: RedisServer
) -> None:
    config = redis_config(slack_config, redis_server)
    replicas: list[HttpSlack] = [await start_http(config), await start_http(config)]
    assert replicas[0].service.app is not replicas[1].service.app
    await deliver_everywhere(replicas, range(12))
    async with asyncio.timeout(20):
        while sum(len(r.outcomes) for r in replicas) < 36:
            await asyncio.sleep(0.01)
    results = [o.result for r in replicas for o in r.outcomes]
    assert results.count("answered") == 12 and results.count("duplicate") == 24
    assert len(replicas[0].fake.posts()) == 12
    assert all(r.service.answers.health()["state"] == "redis" for r in replicas)


async def test_redis_killed_mid_run_keeps_answering_on_memory_with_a_warning(
    start_http: Callable[..., Any], slack_config: Config, redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, "quotebot.state")
    config = redis_config(slack_config, redis_server)
    replicas: list[HttpSlack] = [await start_http(config), await start_http(config)]
    await deliver_everywhere(replicas, range(4))
    async with asyncio.timeout(20):
        while sum(len(r.outcomes) for r in replicas) < 12:
            await asyncio.sleep(0.01)
    redis_server.kill()
    # After the kill each replica de-duplicates on its own: a retry to the same replica is still dropped.
    for n in range(4, 8):
        await replicas[n % 2].event(dm(n, user=f"U{n}"))
        await replicas[n % 2].event(dm(n, user=f"U{n}"), headers=RETRY)
    async with asyncio.timeout(20):
        while sum(len(r.outcomes) for r in replicas) < 20:
            await asyncio.sleep(0.01)
    results = [o.result for r in replicas for o in r.outcomes]
    assert results.count("answered") == 8 and results.count("duplicate") == 12
    assert len(replicas[0].fake.posts()) == 8
    assert all(r.service.answers.health()["state"] == "memory" for r in replicas)
    assert "falling back to in-process memory" in caplog.text


async def test_a_vote_at_one_replica_is_readable_from_the_other_through_redis(
    start_http: Callable[..., Any], slack_config: Config, redis_server: RedisServer
) -> None:
    from bot.platforms.slack.payloads import ACTION_VOTE_UP

    from .test_buttons import buttons, click, mention

    config = redis_config(slack_config, redis_server)
    replicas: list[HttpSlack] = [await start_http(config), await start_http(config)]
    answer = await mention(replicas[0])
    assert (await replicas[1].action(click(replicas[1], buttons(answer)[ACTION_VOTE_UP], ephemeral=False)))[0] == 200
    assert [o.result for o in await replicas[1].outcomes.wait(1)] == ["recorded"]
    (shared,) = await replicas[0].service.answers.state.recent_feedback(10)
    assert shared["vote"] == "up" and shared["platform"] == "slack" and shared["user"] == "U0CLICKER"
