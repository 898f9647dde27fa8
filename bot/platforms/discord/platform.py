"""Discord as a :class:`~bot.platforms.base.Platform`: its token, its gateway client and its message bodies."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from ...config import Config
from ...feedback import FeedbackLog
from ...models import Answer
from ...service import AnswerService
from ..base import NotReady, Options
from .failures import describe_failure
from .render import render_discord_json
from .run import NO_TOKEN, has_token, run_discord

#: How long a closed client may take to leave the gateway before its task is cancelled.
CLOSE_WAIT = 10.0


class Discord:
    """The gateway client with ``/ask``, mentions and DMs; needs ``DISCORD_TOKEN``."""

    name = "discord"
    tokens = ("DISCORD_TOKEN",)

    def check(self, config: Config, options: Options) -> str:
        """``"gateway"``, or :class:`NotReady` when ``DISCORD_TOKEN`` is not set."""
        if not has_token(config):
            raise NotReady(NO_TOKEN)
        return "gateway"

    async def run(
        self, config: Config, service: AnswerService, feedback: FeedbackLog, stop: asyncio.Event, options: Options
    ) -> None:
        """Run the client until ``stop`` is set, then close it (a login or gateway failure raises)."""
        clients: list[Any] = []

        def ready(client: Any) -> None:
            clients.append(client)
            if options.ready is not None:
                options.ready(client)

        bot = asyncio.create_task(
            run_discord(config, service.answerer, service=service, feedback=feedback, force_sync=options.force_sync, ready=ready)
        )
        stopped = asyncio.create_task(stop.wait())
        try:
            await asyncio.wait({bot, stopped}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopped.cancel()
            for client in clients:
                with contextlib.suppress(Exception):
                    await client.close()
            if not bot.done():
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(asyncio.shield(bot), CLOSE_WAIT)
                bot.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await bot  # a login or gateway failure is raised here

    def render(self, answer: Answer) -> str:
        """The Discord message body for ``answer`` (an embed that can ping nobody), as JSON."""
        return render_discord_json(answer)

    def describe_failure(self, exc: BaseException) -> tuple[str, int]:
        """See :func:`bot.platforms.discord.failures.describe_failure`."""
        return describe_failure(exc)

    def connected(self, running: object) -> bool:
        """True while the client has received READY and is not closed (``running`` is the client)."""
        is_ready = getattr(running, "is_ready", None)
        is_closed = getattr(running, "is_closed", None)
        return callable(is_ready) and callable(is_closed) and bool(is_ready()) and not is_closed()


PLATFORM = Discord()
