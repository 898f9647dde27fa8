"""Fixtures for the Slack adapter: the loopback fake Slack, a config pointing at it, and a bot in HTTP mode."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest
from slack_sdk.signature import SignatureVerifier

from bot.answerer import Answerer
from bot.config import Config, Secret
from bot.platforms.slack import Outcome, RunningSlack, start_slack

from .fake_slack import FakeSlack

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "slack"
BOT_TOKEN = "xoxb-fake-bot-token"
APP_TOKEN = "xapp-1-fake-app-token"
SIGNING_SECRET = "fake-signing-secret"


def fixture(name: str, **fill: str) -> dict[str, Any]:
    """A payload from ``tests/fixtures/slack``, with ``{placeholders}`` in string values filled from ``fill``."""
    text = (FIXTURES / name).read_text(encoding="utf-8")
    for key, value in fill.items():
        text = text.replace("{" + key + "}", json.dumps(value)[1:-1])
    data: dict[str, Any] = json.loads(text)
    return data


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    """The fake Slack, listening on a free loopback port."""
    fake = FakeSlack()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
def slack_config(fake_slack: FakeSlack, tmp_path: Path) -> Config:
    """A config whose Web API is the fake, with fake tokens and a private feedback file."""
    config = Config()
    config.slack.api_url = fake_slack.api_url
    config.slack.bot_token = Secret(BOT_TOKEN)
    config.slack.app_token = Secret(APP_TOKEN)
    config.slack.signing_secret = Secret(SIGNING_SECRET)
    config.feedback.path = str(tmp_path / "feedback.jsonl")
    return config


class Outcomes(list[Outcome]):
    """Every outcome the bot reported, in order, with a way to wait for more."""

    async def wait(self, count: int, timeout: float = 10.0) -> list[Outcome]:
        """Wait until at least ``count`` outcomes are in; return them."""
        async with asyncio.timeout(timeout):
            while len(self) < count:
                await asyncio.sleep(0.005)
        return list(self)


class HttpSlack:
    """Sends signed requests to the bot's real HTTP endpoint, as Slack does."""

    def __init__(self, service: RunningSlack, fake: FakeSlack, outcomes: Outcomes, secret: str = SIGNING_SECRET) -> None:
        self.service = service
        self.fake = fake
        self.outcomes = outcomes
        self.verifier = SignatureVerifier(secret)
        port = service.runner.port  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}{service.runner.path}"  # type: ignore[union-attr]

    async def send(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, str]:
        """POST ``body`` signed for ``timestamp`` (default now); return the status and response text."""
        ts = str(int(time.time()) if timestamp is None else timestamp)
        sig = signature if signature is not None else self.verifier.generate_signature(timestamp=ts, body=body) or ""
        all_headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig, **(headers or {})}
        async with aiohttp.ClientSession() as session:
            async with session.post(self.url, data=body.encode("utf-8"), headers=all_headers) as response:
                return response.status, await response.text()

    async def event(self, payload: dict[str, Any], **kwargs: Any) -> tuple[int, str]:
        """Deliver an Events API payload as JSON."""
        return await self.send(json.dumps(payload), "application/json", **kwargs)

    async def command(self, fields: dict[str, Any], **kwargs: Any) -> tuple[int, str]:
        """Deliver a slash command, form-encoded."""
        return await self.send(urlencode(fields), "application/x-www-form-urlencoded", **kwargs)

    async def action(self, payload: dict[str, Any], **kwargs: Any) -> tuple[int, str]:
        """Deliver an interactivity payload (``payload=`` form field)."""
        return await self.send(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded", **kwargs)


StartHttp = Callable[..., Any]


@pytest.fixture
async def start_http(fake_slack: FakeSlack, slack_config: Config, seed_answerer: Answerer) -> AsyncIterator[Callable[..., Any]]:
    """Start the bot in HTTP mode on a free port (``config`` may be overridden); stops it afterwards."""
    services: list[RunningSlack] = []

    async def start(config: Config | None = None) -> HttpSlack:
        outcomes = Outcomes()
        service = await start_slack(
            config or slack_config, seed_answerer, http=True, port=0, host="127.0.0.1", on_outcome=outcomes.append
        )
        services.append(service)
        return HttpSlack(service, fake_slack, outcomes)

    yield start
    for service in services:
        await service.close()


@pytest.fixture
async def http_slack(start_http: Callable[..., Any]) -> HttpSlack:
    """The bot in HTTP mode with the default test config."""
    slack: HttpSlack = await start_http()
    return slack
