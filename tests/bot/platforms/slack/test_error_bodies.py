"""Slack errors whose body is not JSON (a proxy's HTML 502, a bare "Internal Server Error") are described, not crashed on."""

from __future__ import annotations

import pytest

from bot.answerer import Answerer
from bot.config import Config
from bot.platforms.slack import SlackStartupError, start_slack

from .conftest import HttpSlack, fixture
from .fake_slack import FakeSlack, Fault


async def test_a_5xx_with_a_plain_text_body_is_reported_as_its_status(http_slack: HttpSlack) -> None:
    # Three 500s outlast the two retries; the apology's post then goes through.
    http_slack.fake.inject("chat.postMessage", *[Fault("server_error", status=500)] * 3)
    assert (await http_slack.event(fixture("app_mention.json")))[0] == 200
    (outcome,) = await http_slack.outcomes.wait(1)
    assert outcome.result == "error"
    assert outcome.detail == "Slack API error HTTP 500"


async def test_auth_test_answered_with_a_plain_text_5xx_gives_a_startup_error_naming_the_status(
    fake_slack: FakeSlack, slack_config: Config, seed_answerer: Answerer
) -> None:
    fake_slack.inject("auth.test", *[Fault("server_error", status=502)] * 3)
    with pytest.raises(SlackStartupError, match=r"auth\.test: HTTP 502"):
        await start_slack(slack_config, seed_answerer, http=True, port=0, host="127.0.0.1")
