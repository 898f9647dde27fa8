"""Run every platform that has tokens configured, Slack and Discord, in one process and one event loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .answering import AnswerService, open_service
from .config import Config
from .feedback import FeedbackLog, open_feedback
from .pipeline import Answerer

log = logging.getLogger("quotebot.services")


@dataclass(frozen=True)
class Plan:
    """Which platforms will run, and how; ``skipped`` says why a platform won't."""

    slack: str | None  # "socket", "http" or None
    discord: bool
    skipped: tuple[str, ...]

    @property
    def empty(self) -> bool:
        """True when no platform has the tokens it needs."""
        return self.slack is None and not self.discord


def plan(config: Config, slack_http: bool | None = None) -> Plan:
    """Decide what to start from the tokens present: Slack Socket Mode if ``SLACK_APP_TOKEN`` is set,
    else Slack HTTP mode if ``SLACK_SIGNING_SECRET`` is; Discord if ``DISCORD_TOKEN`` is.
    ``slack_http`` forces the Slack mode."""
    slack = config.slack
    skipped: list[str] = []
    mode: str | None = None
    if slack.bot_token:
        if slack_http is not False and slack.signing_secret and (slack_http or not slack.app_token):
            mode = "http"
        elif slack_http is not True and slack.app_token:
            mode = "socket"
        else:
            skipped.append("Slack: SLACK_BOT_TOKEN is set but neither SLACK_APP_TOKEN (Socket Mode) nor SLACK_SIGNING_SECRET (HTTP)")
    elif slack.app_token or slack.signing_secret:
        skipped.append("Slack: SLACK_BOT_TOKEN is not set")
    else:
        skipped.append("Slack: no tokens (SLACK_BOT_TOKEN with SLACK_APP_TOKEN or SLACK_SIGNING_SECRET)")
    discord = bool(config.discord.token and config.discord.token.value.strip())
    if not discord:
        skipped.append("Discord: no DISCORD_TOKEN")
    return Plan(mode, discord, tuple(skipped))


async def serve_all(
    config: Config,
    answerer: Answerer,
    the_plan: Plan,
    *,
    stop: asyncio.Event | None = None,
    service: AnswerService | None = None,
    feedback: FeedbackLog | None = None,
    slack_port: int | None = None,
    slack_host: str = "127.0.0.1",
    slack_ready: Callable[..., None] | None = None,
) -> int:
    """Serve the planned platforms through one :class:`AnswerService` (state, limits, metrics) and one feedback log.

    Runs until the service's lifecycle stops (SIGTERM, when the caller installed its signal
    handlers) or ``stop`` is set; then takes no new questions, waits up to ``[limits]
    shutdown_grace_seconds`` for the answers in flight, and closes the platforms. Returns 0,
    or 1 if answers had to be abandoned. If one platform stops with an error, the others are
    stopped too and the error is raised.
    """
    answers = service or await open_service(config, answerer)
    lifecycle = answers.lifecycle
    shared_feedback = feedback or open_feedback(config, answers.state)
    slack_stop = asyncio.Event()
    discord_clients: list[Any] = []
    tasks: list[asyncio.Task[None]] = []
    if the_plan.slack is not None:
        from .slack.runner import run_slack

        slack = run_slack(
            config,
            answerer,
            http=the_plan.slack == "http",
            port=slack_port,
            host=slack_host,
            service=answers,
            feedback=shared_feedback,
            stop=slack_stop,
            ready=slack_ready,
        )
        tasks.append(asyncio.create_task(slack, name="slack"))
    if the_plan.discord:
        from .discord.run import run_discord

        discord = run_discord(config, answerer, service=answers, feedback=shared_feedback, ready=discord_clients.append)
        tasks.append(asyncio.create_task(discord, name="discord"))
    watchers: list[asyncio.Task[Any]] = [asyncio.create_task(lifecycle.stopped(), name="lifecycle")]
    if stop is not None:
        watchers.append(asyncio.create_task(stop.wait(), name="stop"))
    failed: list[asyncio.Task[None]] = []
    drained = True
    try:
        done, _ = await asyncio.wait([*tasks, *watchers], return_when=asyncio.FIRST_COMPLETED)
        failed = [t for t in tasks if t in done and not t.cancelled() and t.exception() is not None]
        lifecycle.stop("a platform failed" if failed else "stop requested")
        drained = await lifecycle.drain(lifecycle.grace)
        if not drained:
            log.error("shutdown: %d answer(s) still running after %gs; leaving them", lifecycle.in_flight, lifecycle.grace)
    finally:
        slack_stop.set()
        for client in discord_clients:
            with contextlib.suppress(Exception):
                await client.close()
        for task in tasks:
            if task.get_name() == "discord" and not task.done():
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(asyncio.shield(task), 10)
                task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                if task not in failed:
                    await task
        for watcher in watchers:
            watcher.cancel()
        if service is None:
            await answers.close()
    if failed:
        raise failed[0].exception()  # type: ignore[misc]
    log.info("shutdown complete")
    return 0 if drained else 1
