"""Running the Discord bot inside an existing event loop (so Slack and Discord can share one)."""

from __future__ import annotations

from pathlib import Path

import discord

from retrieval.index import default_cache_dir

from ..config import Config, ConfigError, DiscordConfig
from ..feedback import FeedbackLog
from ..pipeline import Answerer
from ..state import MemoryState, State
from .client import QuoteClient, ShardedQuoteClient, build_client
from .endpoints import check_endpoints, discord_endpoints
from .respond import RESPOND_WITHIN, VIEW_TIMEOUT
from .sync import HASH_FILE, CommandSync


def hash_file(config: Config) -> Path:
    """Where the synced command schema hashes are kept: ``discord-commands.json`` in the cache folder."""
    base = Path(config.corpus.cache_dir) if config.corpus.cache_dir else default_cache_dir()
    return base / HASH_FILE


def require_token(config: Config) -> str:
    """The bot token, or a :class:`ConfigError` saying how to provide it."""
    if config.discord.token is None or not config.discord.token.value.strip():
        raise ConfigError("the Discord bot token is not set: export DISCORD_TOKEN (from the Developer Portal, Bot page)")
    return config.discord.token.value


async def serve(client: QuoteClient | ShardedQuoteClient, token: str, settings: DiscordConfig) -> None:
    """Log in, sync commands if needed and answer until the client is closed."""
    with discord_endpoints(settings):
        async with client:
            await client.start(token)


async def run_discord(
    config: Config,
    answerer: Answerer,
    *,
    state: State | None = None,
    feedback: FeedbackLog | None = None,
    force_sync: bool = False,
    respond_within: float = RESPOND_WITHIN,
    view_timeout: float = VIEW_TIMEOUT,
) -> None:
    """Run the Discord bot until it is closed or cancelled; call from a running event loop.

    ``state`` and ``feedback`` default to a fresh :class:`MemoryState` and the configured feedback
    file; pass shared ones when other platforms run in the same process.
    """
    token = require_token(config)
    check_endpoints(config.discord)
    client = build_client(
        config,
        answerer,
        state or MemoryState(),
        feedback or FeedbackLog(config.feedback.path),
        CommandSync(hash_file(config)),
        force_sync=force_sync,
        respond_within=respond_within,
        view_timeout=view_timeout,
    )
    await serve(client, token, config.discord)


async def fetch_application_id(settings: DiscordConfig, token: str) -> int:
    """Log in over REST only (no gateway) and return the bot's application id."""
    with discord_endpoints(settings):
        async with discord.Client(intents=discord.Intents.none()) as client:
            await client.login(token)
            assert client.application_id is not None
            return client.application_id
