"""Socket Mode end to end: the real slack_sdk client against the fake's ``apps.connections.open`` and WebSocket."""

from __future__ import annotations

import logging

import pytest

from bot.answerer import Answerer
from bot.config import Config
from bot.platforms.slack import start_slack
from tests.conftest import IBM_QUOTE

from .conftest import APP_TOKEN, BOT_TOKEN, SIGNING_SECRET, HttpSlack, Outcomes, fixture
from .fake_slack import FakeSlack


async def test_socket_mode_acks_answers_and_reconnects_after_the_server_closes(
    fake_slack: FakeSlack, slack_config: Config, seed_answerer: Answerer
) -> None:
    outcomes = Outcomes()
    service = await start_slack(slack_config, seed_answerer, http=False, on_outcome=outcomes.append, ping_interval=0.5)
    try:
        await fake_slack.wait_for(lambda: fake_slack.connections == 1)
        (opened,) = fake_slack.posts("apps.connections.open")
        assert opened.token == APP_TOKEN

        first = fixture("socket_events_api.json")
        await fake_slack.send_envelope(first)
        await fake_slack.wait_for(lambda: any(a.get("envelope_id") == first["envelope_id"] for a in fake_slack.acks))
        await outcomes.wait(1)
        (post,) = fake_slack.posts()
        assert post.args["channel"] == "D0DIRECT" and "Tim Scott" in post.args["text"]

        await fake_slack.close_sockets()
        await fake_slack.wait_for(lambda: fake_slack.connections == 2)
        assert len(fake_slack.posts("apps.connections.open")) == 2

        second = {**first, "envelope_id": "e2-after-reconnect", "payload": fixture("app_mention.json")}
        await fake_slack.send_envelope(second)
        await fake_slack.wait_for(lambda: any(a.get("envelope_id") == "e2-after-reconnect" for a in fake_slack.acks))
        await outcomes.wait(2)
        posts = fake_slack.posts()
        assert len(posts) == 2
        assert posts[1].args["channel"] == "C0NEWS" and posts[1].args["thread_ts"] == "1591700000.000100"
        assert IBM_QUOTE in posts[1].args["text"]
        assert [o.result for o in outcomes] == ["answered", "answered"]
    finally:
        await service.runner.stop()


async def test_socket_mode_redelivery_of_an_envelope_posts_once(
    fake_slack: FakeSlack, slack_config: Config, seed_answerer: Answerer
) -> None:
    outcomes = Outcomes()
    service = await start_slack(slack_config, seed_answerer, http=False, on_outcome=outcomes.append, ping_interval=0.5)
    try:
        envelope = fixture("socket_events_api.json")
        await fake_slack.send_envelope(envelope)
        await fake_slack.send_envelope({**envelope, "envelope_id": "retry-1", "retry_attempt": 1, "retry_reason": "timeout"})
        results = await outcomes.wait(2)
        assert sorted(o.result for o in results) == ["answered", "duplicate"]
        assert len(fake_slack.posts()) == 1
    finally:
        await service.runner.stop()


async def test_no_token_or_secret_reaches_the_logs_even_at_debug(
    fake_slack: FakeSlack, slack_config: Config, seed_answerer: Answerer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    outcomes = Outcomes()
    service = await start_slack(slack_config, seed_answerer, http=False, on_outcome=outcomes.append, ping_interval=0.5)
    try:
        await fake_slack.send_envelope(fixture("socket_events_api.json"))
        await outcomes.wait(1)
    finally:
        await service.runner.stop()
    http = await start_slack(slack_config, seed_answerer, http=True, port=0, host="127.0.0.1", on_outcome=outcomes.append)
    try:
        await HttpSlack(http, fake_slack, outcomes).event(fixture("app_mention.json"))
        await outcomes.wait(2)
    finally:
        await http.runner.stop()
    assert len(fake_slack.posts()) == 2 and "chat.postMessage" in caplog.text
    for secret in (BOT_TOKEN, APP_TOKEN, SIGNING_SECRET):
        assert secret not in caplog.text
