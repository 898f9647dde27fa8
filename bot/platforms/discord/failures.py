"""What a Discord failure means for whoever runs the bot: one vocabulary for ``quotebot discord`` and ``quotebot run``."""

from __future__ import annotations

import aiohttp
import discord

from ...config import ConfigError
from ..base import EXIT_CONFIG, EXIT_RUNTIME

#: What the gateway's close codes mean for whoever runs the bot.
CLOSE_CODES = {
    4004: "Discord rejected the token (check DISCORD_TOKEN)",
    4013: "the bot asked for invalid gateway intents",
    4014: "the bot asked for a privileged intent that is not enabled in the Developer Portal",
}

#: The exception types that mean Discord could not be reached (or answered with an error).
UNREACHABLE = (discord.HTTPException, discord.GatewayNotFound, aiohttp.ClientError, OSError)


def describe_failure(exc: BaseException) -> tuple[str, int]:
    """One line (no token) and the exit status: 2 for a rejected token, intents or config, 1 for anything at run time."""
    if isinstance(exc, discord.LoginFailure):
        return CLOSE_CODES[4004], EXIT_CONFIG
    if isinstance(exc, ConfigError):
        return str(exc), EXIT_CONFIG
    if isinstance(exc, discord.ConnectionClosed):
        meaning = CLOSE_CODES.get(exc.code or 0)
        return (
            f"the gateway closed the connection ({exc.code}): {meaning or exc.reason or 'see the log'}",
            EXIT_CONFIG if meaning else EXIT_RUNTIME,
        )
    if isinstance(exc, UNREACHABLE):
        return f"cannot reach Discord: {exc}", EXIT_RUNTIME
    return f"stopped: {type(exc).__name__}: {exc}", EXIT_RUNTIME
