"""The Discord adapter: ``/ask``, mentions and DMs answered with embeds, on discord.py 2.

Absolute imports keep ``import discord`` meaning the library, never this package.
"""

from __future__ import annotations

from .client import QuoteClient, ShardedQuoteClient, build_client
from .invite import invite_url
from .run import fetch_application_id, run_discord, serve

__all__ = ["QuoteClient", "ShardedQuoteClient", "build_client", "fetch_application_id", "invite_url", "run_discord", "serve"]
