"""Slack as a :class:`~bot.platforms.base.Platform`: its tokens, its mode, its runner and its message bodies."""

from __future__ import annotations

import asyncio

from ...config import Config, ConfigError
from ...feedback import FeedbackLog
from ...models import Answer
from ...service import AnswerService
from ..base import EXIT_CONFIG, EXIT_RUNTIME, NotReady, Options
from .render import render_slack_json
from .runner import HttpRunner, RunningSlack, SlackStartupError, choose_mode, missing_tokens, run_slack


class Slack:
    """Socket Mode when ``SLACK_APP_TOKEN`` is set, else HTTP mode with ``SLACK_SIGNING_SECRET``; both need ``SLACK_BOT_TOKEN``."""

    name = "slack"
    tokens = ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET")

    def check(self, config: Config, options: Options) -> str:
        """``"socket"`` or ``"http"``; :class:`NotReady` naming the variables the mode still needs."""
        slack = config.slack
        if options.http is None and not slack.app_token and not slack.signing_secret:
            needs = "SLACK_BOT_TOKEN with " if not slack.bot_token else ""
            raise NotReady(f"needs {needs}SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode)")
        http = choose_mode(slack, options.http)
        missing = missing_tokens(slack, http=http)
        if missing:
            raise NotReady(f"{'HTTP mode' if http else 'Socket Mode'} needs {' and '.join(missing)}")
        return "http" if http else "socket"

    async def run(
        self, config: Config, service: AnswerService, feedback: FeedbackLog, stop: asyncio.Event, options: Options
    ) -> None:
        """Serve Slack in the checked mode until ``stop`` is set (a bad token or busy port raises ``SlackStartupError``)."""
        http = choose_mode(config.slack, options.http)
        await run_slack(
            config,
            service.answerer,
            http=http,
            port=options.port,
            host=options.host,
            service=service,
            feedback=feedback,
            stop=stop,
            ready=options.ready,
        )

    def render(self, answer: Answer) -> str:
        """The ``chat.postMessage`` body for ``answer`` (text fallback and blocks), as JSON."""
        return render_slack_json(answer)

    def describe_failure(self, exc: BaseException) -> tuple[str, int]:
        """A :class:`SlackStartupError` says what to do itself; anything else is a runtime failure named by its type."""
        if isinstance(exc, SlackStartupError):
            return str(exc), exc.exit_code
        if isinstance(exc, ConfigError):
            return str(exc), EXIT_CONFIG
        return f"stopped: {type(exc).__name__}: {exc}", EXIT_RUNTIME

    def connected(self, running: object) -> bool:
        """True once serving: HTTP mode is listening, or Socket Mode has its socket open (it reconnects by itself)."""
        if not isinstance(running, RunningSlack):
            return False
        if isinstance(running.runner, HttpRunner):
            return True
        handler = running.runner.handler
        if handler is None:
            return False
        client = handler.client
        session = client.current_session
        return not client.closed and not client.stale and session is not None and not session.closed


PLATFORM = Slack()
