"""Run the Slack adapter in Socket Mode or HTTP mode, inside whatever event loop is already running.

:func:`run_slack` checks the tokens, verifies them with ``auth.test``, builds the app
and serves until ``stop`` is set (or forever), so Slack can share a process and a
loop with other adapters.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from ...answerer import Answerer
from ...config import Config, SlackConfig
from ...feedback import FeedbackLog, open_feedback
from ...http_server import DEFAULT_HOST, HardenedServer, ServerLimits, ThrottledLog
from ...metrics import add_ops_routes
from ...ops import Readiness
from ...service import AnswerService, build_service, open_service
from ...state import State
from .handlers import Outcome, SlackBot, api_error, build_app
from .retry import SlotFreeRateLimitRetryHandler
from .shape import malformed
from .verify import body_problem, signature_problem

log = logging.getLogger(__name__)


class SlackStartupError(Exception):
    """The Slack adapter cannot start: a token is missing or Slack refused it. The message says what to do.

    ``exit_code`` is 2 (a token or setting to fix) unless the cause is at run time: Slack unreachable, a port taken (1).
    """

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def missing_tokens(slack: SlackConfig, *, http: bool) -> list[str]:
    """The environment variables the chosen mode needs that are not set."""
    needed = {"SLACK_BOT_TOKEN": slack.bot_token}
    if http:
        needed["SLACK_SIGNING_SECRET"] = slack.signing_secret
    else:
        needed["SLACK_APP_TOKEN"] = slack.app_token
    return [name for name, value in needed.items() if not value]


def choose_mode(slack: SlackConfig, http: bool | None) -> bool:
    """``True`` for HTTP mode, ``False`` for Socket Mode: ``http`` when chosen, else Socket Mode when
    ``SLACK_APP_TOKEN`` is set, HTTP mode when only ``SLACK_SIGNING_SECRET`` is."""
    if http is not None:
        return http
    return not slack.app_token and bool(slack.signing_secret)


def check_tokens(slack: SlackConfig, *, http: bool) -> None:
    """Raise :class:`SlackStartupError` naming every environment variable the chosen mode still needs."""
    missing = missing_tokens(slack, http=http)
    if missing:
        mode = "HTTP mode (--http)" if http else "Socket Mode"
        raise SlackStartupError(f"{mode} needs {' and '.join(missing)} in the environment (see README, 'Slack').")
    if not http and slack.app_token and not slack.app_token.value.startswith("xapp-"):
        raise SlackStartupError("SLACK_APP_TOKEN must be an app-level token starting with 'xapp-' (Basic Information > App-Level Tokens).")


def retry_handlers() -> list[AsyncRetryHandler]:
    """How the Web API client retries: a 429 after its ``Retry-After``, a 500/503 and a dropped connection with backoff.

    Each covers a request Slack did not carry out (a 429 is refused before it runs; a 500/503
    or a connection closed before any response is a failed request), so a retried
    ``chat.postMessage`` posts once. Slack gives no idempotency key, so a response lost
    *after* Slack posted cannot be told apart; that case is the one left open.
    """
    return [
        SlotFreeRateLimitRetryHandler(max_retry_count=3),  # waits Retry-After (+ up to 1 s of jitter), slot released
        AsyncServerErrorRetryHandler(max_retry_count=2, interval_calculator=BackoffRetryIntervalCalculator(0.5)),
        AsyncConnectionErrorRetryHandler(max_retry_count=2, interval_calculator=BackoffRetryIntervalCalculator(0.25)),
    ]


def make_client(slack: SlackConfig) -> AsyncWebClient:
    """The Web API client for the bot token, at ``[slack] api_url``, with :func:`retry_handlers`."""
    token = slack.bot_token.value if slack.bot_token else None
    return AsyncWebClient(token=token, base_url=slack.api_url, retry_handlers=retry_handlers())


async def verify_auth(client: AsyncWebClient) -> dict[str, Any]:
    """Call ``auth.test``; return its answer, or raise :class:`SlackStartupError` saying why it failed."""
    try:
        response = await client.auth_test()
    except SlackApiError as exc:
        error = api_error(exc)
        raise SlackStartupError(f"Slack refused the bot token (auth.test: {error}). Check SLACK_BOT_TOKEN.") from None
    except (TimeoutError, aiohttp.ClientError, OSError) as exc:
        raise SlackStartupError(f"cannot reach the Slack Web API at {client.base_url} ({type(exc).__name__}: {exc}).", 1) from None
    return dict(response.data) if isinstance(response.data, dict) else {}


class Runner(Protocol):
    """A way of receiving Slack's requests: started and stopped inside a running loop."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


class HttpRunner:
    """HTTP mode: bolt's aiohttp adapter on ``host:port`` at ``path`` (port 0 picks a free port).

    The same server answers ``GET /healthz``, ``GET /readyz`` and ``GET /metrics`` when given an :class:`AnswerService`.
    A request to ``path`` is refused before bolt sees it when it is larger than
    ``max_body_bytes`` (413), when its signature is wrong or stale (401: checked on the
    raw bytes, before anything parses them; bolt checks again), or while the bot is
    shutting down (503, so Slack retries it, at another replica).
    """

    def __init__(
        self,
        app: AsyncApp,
        *,
        host: str,
        port: int,
        path: str,
        signing_secret: str | None = None,
        service: AnswerService | None = None,
        max_body_bytes: int = 1024**2,
        limits: ServerLimits | None = None,
    ) -> None:
        self.app = app
        self.host, self.port, self.path = host, port, path
        self.service = service
        self.verifier = SignatureVerifier(signing_secret) if signing_secret else None
        self.web_app = web.Application(client_max_size=max_body_bytes, middlewares=[self._guard])
        self.web_app.router.add_post(path, self.handle)
        if service is not None:
            add_ops_routes(self.web_app, service.metrics, service.health, ready=self._ready)
        #: The port's listener: header and body deadlines, a connection cap, quiet accept errors.
        self.server = HardenedServer(self.web_app, host=host, port=port, limits=limits, name="slack")
        #: One log line per kind of refused request per interval, however many arrive.
        self.refusals = ThrottledLog(log)
        self._own_readiness: Readiness | None = None

    def _ready(self) -> dict[str, Any]:
        """``/readyz`` on this port: the serve lifecycle's readiness (every platform), or, when Slack was started on its
        own (:func:`start_slack`), this server's: ready while it listens with a corpus loaded."""
        assert self.service is not None
        if self.service.ready is not None:
            return self.service.ready()
        if self._own_readiness is None:
            self._own_readiness = Readiness(self.service, ["slack"])
            self._own_readiness.track("slack", lambda: self.server.listening)
        return self._own_readiness.report()

    @web.middleware
    async def _guard(self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> web.StreamResponse:
        """Draining, size and signature checks on Slack's requests, before any parsing."""
        if request.path != self.path or request.method != "POST":
            return await handler(request)
        if self.service is not None and not self.service.lifecycle.accepting:
            return web.Response(status=503, text="shutting down", headers={"Retry-After": "1"})
        body = await request.read()  # raises 413 (HTTPRequestEntityTooLarge) past client_max_size
        if self.verifier is not None:
            timestamp = request.headers.get("X-Slack-Request-Timestamp")
            signature = request.headers.get("X-Slack-Signature")
            if (problem := signature_problem(self.verifier, body, timestamp, signature)) is not None:
                self.refusals.warning(problem, f"slack: refused a request: {problem} (401)")
                return web.Response(status=401, text="invalid request signature")
        if (problem := body_problem(body, request.content_type)) is not None:
            self.refusals.warning(problem, f"slack: refused a signed request: {problem} (400)")
            return web.Response(status=400, text="malformed request body")
        return await handler(request)

    async def handle(self, request: web.Request) -> web.Response:
        """One request from Slack: bolt checks its signature and age, acks it, and runs the handlers.

        A signed body that bolt cannot make sense of (not JSON or a form, or JSON of an
        unexpected shape, which bolt's own parsing trips over) gets a 400, never a 500.
        """
        try:
            bolt_request = await to_bolt_request(request)
        except ValueError:  # a body that is not JSON, a form, or UTF-8
            return web.Response(status=400, text="malformed request body")
        except (AttributeError, KeyError, TypeError, IndexError, RecursionError) as exc:
            self.refusals.warning("shape", f"slack: refused a request body of an unexpected shape ({type(exc).__name__})")
            return web.Response(status=400, text="malformed request body")
        if (reason := malformed(bolt_request.body)) is not None:
            self.refusals.warning("shape", f"slack: refused a request body of an unexpected shape ({reason})")
            return web.Response(status=400, text="malformed request body")
        return await to_aiohttp_response(await self.app.async_dispatch(bolt_request))

    async def start(self) -> None:
        """Bind and serve; afterwards :attr:`port` is the port actually bound."""
        try:
            await self.server.start()
        except OSError as exc:
            raise SlackStartupError(f"cannot listen on {self.host}:{self.port} ({exc.strerror or exc}).", 1) from None
        self.port = self.server.port
        log.info("slack: HTTP mode listening on http://%s:%d%s", self.host, self.port, self.path)

    async def stop(self) -> None:
        """Stop serving."""
        await self.server.stop()


class SocketRunner:
    """Socket Mode: slack-bolt's aiohttp Socket Mode handler, which reconnects by itself when the socket drops."""

    def __init__(self, app: AsyncApp, *, app_token: str, ping_interval: float = 10.0) -> None:
        self.app = app
        self.app_token = app_token
        self.ping_interval = ping_interval
        self.handler: AsyncSocketModeHandler | None = None

    async def start(self) -> None:
        """Open the first connection (``apps.connections.open``, then the WebSocket)."""
        client = self.app.client
        try:
            # Asking for the first socket URL here, rather than inside the Socket Mode client's
            # endless retry loop, turns a refused app token into one clear startup error.
            opened = await client.apps_connections_open(app_token=self.app_token)
        except SlackApiError as exc:
            error = api_error(exc)
            raise SlackStartupError(
                f"Slack refused the app token (apps.connections.open: {error}). Check SLACK_APP_TOKEN."
            ) from None
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise SlackStartupError(f"cannot reach the Slack Web API at {client.base_url} ({type(exc).__name__}: {exc}).", 1) from None
        self.handler = AsyncSocketModeHandler(self.app, self.app_token, web_client=client, ping_interval=self.ping_interval)
        self.handler.client.wss_uri = opened["url"]
        await self.handler.connect_async()  # type: ignore[no-untyped-call]
        log.info("slack: Socket Mode connected")

    async def stop(self) -> None:
        """Close the socket and the client's tasks."""
        if self.handler is not None:
            await self.handler.close_async()  # type: ignore[no-untyped-call]
            self.handler = None


@dataclass
class RunningSlack:
    """A running Slack adapter: the app, its handlers, the runner serving it, and the answer service."""

    app: AsyncApp
    bot: SlackBot
    runner: HttpRunner | SocketRunner
    identity: dict[str, Any] = field(default_factory=dict)
    #: True when :func:`start_slack` opened the answer service (and so closes it in :meth:`close`).
    owns_service: bool = False

    @property
    def answers(self) -> AnswerService:
        """The :class:`AnswerService` the handlers answer through."""
        return self.bot.service

    async def close(self) -> None:
        """Stop receiving events, then close the service's state if this adapter opened it."""
        await self.runner.stop()
        if self.owns_service:
            await self.answers.close()


async def start_slack(
    config: Config,
    answerer: Answerer,
    *,
    http: bool,
    port: int | None = None,
    host: str = DEFAULT_HOST,
    service: AnswerService | None = None,
    state: State | None = None,
    feedback: FeedbackLog | None = None,
    on_outcome: Callable[[Outcome], None] | None = None,
    ping_interval: float = 10.0,
) -> RunningSlack:
    """Check tokens, verify them with ``auth.test``, build the app and start serving; returns the running service.

    Answers go through ``service``; without one, an :class:`AnswerService` is built over
    ``state`` if given, else opened from ``[state]`` (memory, or Redis with fallback).
    """
    slack = config.slack
    check_tokens(slack, http=http)
    client = make_client(slack)
    identity = await verify_auth(client)
    owns = service is None
    if service is None:
        service = build_service(config, answerer, state) if state is not None else await open_service(config, answerer)
    signing_secret = slack.signing_secret.value if http and slack.signing_secret else None
    app, bot = build_app(
        service,
        client=client,
        feedback=feedback or open_feedback(config, service.state),
        signing_secret=signing_secret,
        allowed_channels=slack.allowed_channels,
        log_questions=config.privacy.log_questions,
        on_outcome=on_outcome,
    )
    runner: HttpRunner | SocketRunner
    if http:
        runner = HttpRunner(
            app,
            host=host,
            port=slack.port if port is None else port,
            path=slack.path,
            signing_secret=signing_secret,
            service=service,
            max_body_bytes=config.limits.max_body_bytes,
        )
    else:
        assert slack.app_token is not None  # check_tokens made sure
        runner = SocketRunner(app, app_token=slack.app_token.value, ping_interval=ping_interval)
    try:
        await runner.start()
    except BaseException:
        if owns:
            await service.close()
        raise
    log.info("slack: connected as %s in team %s", identity.get("user"), identity.get("team"))
    return RunningSlack(app, bot, runner, identity, owns_service=owns)


async def run_slack(
    config: Config,
    answerer: Answerer,
    *,
    http: bool,
    port: int | None = None,
    host: str = DEFAULT_HOST,
    service: AnswerService | None = None,
    state: State | None = None,
    feedback: FeedbackLog | None = None,
    stop: asyncio.Event | None = None,
    ready: Callable[[RunningSlack], None] | None = None,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> None:
    """Serve Slack until ``stop`` is set (or the task is cancelled); ``ready`` is called once serving."""
    slack = await start_slack(
        config, answerer, http=http, port=port, host=host, service=service, state=state, feedback=feedback, on_outcome=on_outcome
    )
    try:
        if ready is not None:
            ready(slack)
        await (stop or asyncio.Event()).wait()
    finally:
        await slack.close()
