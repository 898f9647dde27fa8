"""HTTP mode operations: /healthz, /readyz and /metrics on the same server, the body cap, rate limits, draining."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import aiohttp
from prometheus_client.parser import text_string_to_metric_families

from bot.config import Config

from .conftest import HttpSlack, fixture
from .test_faults import dm


async def get(slack: HttpSlack, path: str) -> tuple[int, str]:
    """GET ``path`` on the bot's HTTP server."""
    url = slack.url.removesuffix(slack.service.runner.path) + path  # type: ignore[union-attr]
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.text()


async def test_readyz_is_served_beside_the_events_endpoint_with_the_corpus_figures(http_slack: HttpSlack) -> None:
    status, body = await get(http_slack, "/readyz")
    report = json.loads(body)
    assert status == 200 and report["status"] == "ok" and report["platforms"] == {"slack": True}
    assert (report["articles"], report["sentences"]) == (1, 14)
    http_slack.service.answers.lifecycle.stop("test")
    status, body = await get(http_slack, "/readyz")
    assert status == 503 and json.loads(body)["accepting"] is False


def sample(text: str, name: str, **labels: str) -> float:
    """One sample's value from a Prometheus exposition (0 when absent)."""
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == name and s.labels == labels:
                return float(s.value)
    return 0.0


async def test_healthz_and_metrics_are_served_beside_the_events_endpoint(http_slack: HttpSlack) -> None:
    status, body = await get(http_slack, "/healthz")
    assert status == 200 and json.loads(body) == {"status": "ok", "draining": False, "in_flight": 0, "state": "memory"}
    event = fixture("app_mention.json")
    await http_slack.event(event)
    await http_slack.outcomes.wait(1)
    await http_slack.event(event, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
    await http_slack.outcomes.wait(2)
    status, text = await get(http_slack, "/metrics")
    assert status == 200
    assert sample(text, "quotebot_questions_total", platform="slack") == 1
    assert sample(text, "quotebot_answered_total", platform="slack") == 1
    assert sample(text, "quotebot_duplicates_total", platform="slack") == 1
    assert sample(text, "quotebot_answer_latency_seconds_count", platform="slack") == 1
    assert sample(text, "quotebot_answered_ratio") == 1.0


async def test_a_body_over_the_limit_gets_413_and_nothing_is_posted(start_http: Callable[..., Any], slack_config: Config) -> None:
    slack_config.limits.max_body_bytes = 4096
    slack: HttpSlack = await start_http(slack_config)
    big = fixture("app_mention.json")
    big["event"]["text"] += " padding" * 1000
    status, _ = await slack.event(big)
    assert status == 413
    await slack.event(dm(1))  # a normal question afterwards is answered, so the big one had its chance
    assert [o.result for o in await slack.outcomes.wait(1)] == ["answered"]
    assert [p.args["channel"] for p in slack.fake.posts()] == ["D0DIRECT"]


async def test_a_user_over_the_rate_limit_gets_one_notice_then_silence(start_http: Callable[..., Any], slack_config: Config) -> None:
    slack_config.limits.user_per_minute = 1
    slack_config.limits.user_burst = 1
    slack: HttpSlack = await start_http(slack_config)
    for n in range(4):
        await slack.event(dm(n))
        await slack.outcomes.wait(n + 1)
    assert [(o.result, o.detail) for o in slack.outcomes] == [
        ("answered", ""),
        ("limited", "notice"),
        ("limited", "silent"),
        ("limited", "silent"),
    ]
    posts = slack.fake.posts()
    assert len(posts) == 2 and "asking faster than I can answer" in posts[1].args["text"]
    status, text = await get(slack, "/metrics")
    assert sample(text, "quotebot_rate_limited_total", platform="slack", scope="user") == 3


async def test_a_draining_bot_refuses_events_with_503_so_slack_retries_elsewhere(http_slack: HttpSlack) -> None:
    http_slack.service.answers.lifecycle.stop("test")
    status, body = await get(http_slack, "/healthz")
    assert status == 503 and json.loads(body)["draining"] is True
    status, _ = await http_slack.event(fixture("app_mention.json"))
    assert status == 503
    assert not http_slack.fake.posts() and not http_slack.outcomes
    # the event was left unclaimed, so the replica that gets Slack's retry can answer it
    assert await http_slack.service.answers.state.first_seen("slack:event:" + fixture("app_mention.json")["event_id"])
