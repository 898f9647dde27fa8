"""Run every platform that has tokens configured, Slack and Discord, in one process and one event loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass

from .config import Config
from .feedback import FeedbackLog
from .pipeline import Answerer
from .state import MemoryState, State

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
    stop: asyncio.Event,
    state: State | None = None,
    feedback: FeedbackLog | None = None,
    slack_port: int | None = None,
    slack_host: str = "0.0.0.0",
    slack_ready: Callable[..., None] | None = None,
) -> None:
    """Serve the planned platforms until ``stop`` is set, sharing one state and one feedback log.

    If one platform stops with an error, the others are stopped too and the error is raised.
    """
    shared_state = state or MemoryState()
    shared_feedback = feedback or FeedbackLog(config.feedback.path)
    tasks: list[asyncio.Task[None]] = []
    if the_plan.slack is not None:
        from .slack.runner import run_slack

        tasks.append(
            asyncio.create_task(
                run_slack(
                    config,
                    answerer,
                    http=the_plan.slack == "http",
                    port=slack_port,
                    host=slack_host,
                    state=shared_state,
                    feedback=shared_feedback,
                    stop=stop,
                    ready=slack_ready,
                ),
                name="slack",
            )
        )
    if the_plan.discord:
        from .discord.run import run_discord

        tasks.append(asyncio.create_task(run_discord(config, answerer, state=shared_state, feedback=shared_feedback), name="discord"))
    stopper = asyncio.create_task(stop.wait(), name="stop")
    try:
        done, _ = await asyncio.wait([*tasks, stopper], return_when=asyncio.FIRST_COMPLETED)
        failed = [t for t in done if t is not stopper and not t.cancelled() and t.exception() is not None]
        stop.set()
    finally:
        for task in tasks:
            if task.get_name() == "discord" and not task.done():
                task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        stopper.cancel()
    if failed:
        raise failed[0].exception()  # type: ignore[misc]
