"""Running the Discord bot inside an existing event loop (so Slack and Discord can share one)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import discord

from retrieval import default_cache_dir

from ...answerer import Answerer
from ...config import Config, ConfigError, DiscordConfig
from ...feedback import FeedbackLog, open_feedback
from ...service import AnswerService, open_service
from ...state import State
from .client import QuoteClient, ShardedQuoteClient, build_client
from .endpoints import check_endpoints, discord_endpoints
from .responder import RESPOND_WITHIN, VIEW_TIMEOUT
from .sync import HASH_FILE, CommandSync


def hash_file(config: Config) -> Path:
    """Where the targets the commands were synced to are recorded: ``discord-commands.json`` in the cache folder."""
    base = Path(config.corpus.cache_dir) if config.corpus.cache_dir else default_cache_dir()
    return base / HASH_FILE


#: What a missing token is reported as, by every Discord entry point.
NO_TOKEN = "the Discord bot token is not set: export DISCORD_TOKEN (from the Developer Portal, Bot page)"


def has_token(config: Config) -> bool:
    """True when ``DISCORD_TOKEN`` is set to something other than white space."""
    return config.discord.token is not None and bool(config.discord.token.value.strip())


def require_token(config: Config) -> str:
    """The bot token, or a :class:`ConfigError` saying how to provide it."""
    if config.discord.token is None or not has_token(config):
        raise ConfigError(NO_TOKEN)
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
    service: AnswerService | None = None,
    state: State | None = None,
    feedback: FeedbackLog | None = None,
    force_sync: bool = False,
    respond_within: float = RESPOND_WITHIN,
    view_timeout: float = VIEW_TIMEOUT,
    ready: Callable[[QuoteClient | ShardedQuoteClient], None] | None = None,
) -> None:
    """Run the Discord bot until it is closed or cancelled; call from a running event loop.

    Answers go through ``service`` when given (shared with other platforms in the process);
    otherwise one is built over ``state``, or opened from ``[state]`` (and closed at the end).
    ``feedback`` defaults to the configured feedback file. ``ready`` receives the client
    before it connects, so a runner can close it on shutdown.
    """
    token = require_token(config)
    check_endpoints(config.discord)
    owned: AnswerService | None = None
    if service is None and state is None:
        service = owned = await open_service(config, answerer)
    base_state = service.state if service is not None else state
    assert base_state is not None
    try:
        client = build_client(
            config,
            answerer,
            base_state,
            feedback or open_feedback(config, base_state),
            CommandSync(hash_file(config)),
            force_sync=force_sync,
            respond_within=respond_within,
            view_timeout=view_timeout,
            service=service,
        )
        if ready is not None:
            ready(client)
        await serve(client, token, config.discord)
    finally:
        if owned is not None:
            await owned.close()


async def fetch_application_id(settings: DiscordConfig, token: str) -> int:
    """Log in over REST only (no gateway) and return the bot's application id."""
    with discord_endpoints(settings):
        async with discord.Client(intents=discord.Intents.none()) as client:
            await client.login(token)
            assert client.application_id is not None
            return client.application_id
