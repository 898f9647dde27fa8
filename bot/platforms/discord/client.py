"""The Discord client: a :class:`discord.Client` (or :class:`discord.AutoShardedClient`) with the ``/ask`` tree.

Its collaborators (the :class:`Responder`, which holds the Answerer, state and feedback log, and the
:class:`CommandSync`) are passed in; it holds no retrieval logic.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands

from ...answerer import Answerer
from ...config import Config, ConfigError
from ...feedback import FeedbackLog
from ...service import AnswerService, build_service
from ...state import State
from .ask import ask_command
from .guards import guard_parsers, keep_payloads_out_of_logs, no_voice_warnings
from .responder import RESPOND_WITHIN, VIEW_TIMEOUT, Responder
from .sync import CommandSync
from .views import NO_PINGS

log = logging.getLogger(__name__)

#: Discord allows ``max_concurrency`` IDENTIFYs per this many seconds (one per rate-limit key).
IDENTIFY_WINDOW = 5.0


def intents() -> discord.Intents:
    """Guilds, guild messages and DMs; not the privileged message-content intent (mentions and DMs carry content anyway)."""
    wanted = discord.Intents.none()
    wanted.guilds = True
    wanted.guild_messages = True
    wanted.dm_messages = True
    return wanted


if TYPE_CHECKING:
    _Base = discord.Client
else:
    _Base = object


class _Quotebot(_Base):
    """What both client classes add to discord.py: the tree, command sync, message replies, identify pacing."""

    def __init__(
        self,
        *,
        responder: Responder,
        command_sync: CommandSync,
        guild_ids: Sequence[int] = (),
        force_sync: bool = False,
        max_question_chars: int = 1000,
        **options: Any,
    ) -> None:
        super().__init__(intents=intents(), allowed_mentions=NO_PINGS, **options)
        self.responder = responder
        self.command_sync = command_sync
        self.guild_ids = list(guild_ids)
        self.force_sync = force_sync
        self.tree: app_commands.CommandTree[Any] = app_commands.CommandTree(self)
        guilds = [discord.Object(g) for g in self.guild_ids]
        self.tree.add_command(ask_command(responder, max_question_chars), guilds=guilds)
        #: Identifies allowed at once (``session_start_limit.max_concurrency``); the sharded client asks Discord.
        self.max_concurrency = 1
        self._identified: dict[int, float] = {}
        #: Targets synced at the last start ("global", "guild:<id>"); empty when the schema was unchanged.
        self.synced: list[str] = []
        guard_parsers(self._connection.parsers)

    async def setup_hook(self) -> None:
        """After login, before the gateway: sync the commands if their schema changed."""
        assert self.application_id is not None  # login sets it from /oauth2/applications/@me
        self.synced = await self.command_sync.sync(self.tree, self.application_id, self.guild_ids, force=self.force_sync)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """Wait only as Discord requires: one IDENTIFY per rate-limit key (shard id mod max_concurrency) per 5 s."""
        key = (shard_id or 0) % max(self.max_concurrency, 1)
        last = self._identified.get(key)
        if last is not None:
            wait = last + IDENTIFY_WINDOW - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
        self._identified[key] = time.monotonic()

    async def on_message(self, message: discord.Message) -> None:
        """Mentions and DMs are answered as replies."""
        if self.user is None:
            return
        try:
            await self.responder.message(message, self.user)
        except discord.HTTPException as exc:
            log.error("replying to discord message %s failed: %s", message.id, exc)


class QuoteClient(_Quotebot, discord.Client):
    """The bot on one gateway connection."""


class ShardedQuoteClient(_Quotebot, discord.AutoShardedClient):
    """The bot on several shards (``[discord] shard_count``; 0 = as many as Discord recommends)."""

    async def setup_hook(self) -> None:
        """Learn how many shards may IDENTIFY at once, then sync commands."""
        try:
            limits = await self.fetch_session_start_limits()
            self.max_concurrency = limits.max_concurrency
        except discord.DiscordException as exc:
            log.warning("could not read the session start limits (%s); identifying one shard at a time", exc)
        await super().setup_hook()


def build_client(
    config: Config,
    answerer: Answerer,
    state: State,
    feedback: FeedbackLog,
    command_sync: CommandSync,
    *,
    force_sync: bool = False,
    respond_within: float = RESPOND_WITHIN,
    view_timeout: float = VIEW_TIMEOUT,
    service: AnswerService | None = None,
) -> QuoteClient | ShardedQuoteClient:
    """The client for ``config``: sharded when ``[discord] shard_count`` is set, else a plain client.

    Answers go through ``service`` (shared with other platforms in the process); without
    one, an :class:`AnswerService` is built over ``state`` with the config's limits.
    """
    responder = Responder(
        service or build_service(config, answerer, state),
        feedback,
        respond_within=respond_within,
        view_timeout=view_timeout,
        log_questions=config.privacy.log_questions,
    )
    common: dict[str, Any] = {
        "responder": responder,
        "command_sync": command_sync,
        "guild_ids": config.discord.guild_ids,
        "force_sync": force_sync,
        "max_question_chars": config.answer.max_question_chars,
    }
    if not config.privacy.log_questions:
        keep_payloads_out_of_logs()
    no_voice_warnings()
    shards = config.discord.shard_count
    ids = config.discord.shard_ids
    if ids and not (shards and all(0 <= i < shards for i in ids)):
        raise ConfigError(f"discord.shard_ids = {ids}: needs shard_count > 0, and every id below it")
    if shards is None:
        return QuoteClient(**common)
    if ids:
        return ShardedQuoteClient(shard_count=shards, shard_ids=list(ids), **common)
    return ShardedQuoteClient(shard_count=shards or None, **common)
