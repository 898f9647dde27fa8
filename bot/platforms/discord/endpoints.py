"""Where discord.py connects: ``[discord] api_base`` and ``gateway_url`` applied to the library.

discord.py 2.7 reads its REST base from the class attribute ``discord.http.Route.BASE`` (interaction
callbacks and webhooks included) and opens its first gateway connection at
``DiscordWebSocket.DEFAULT_GATEWAY``; later resumes go to the ``resume_gateway_url`` READY gives.
Both are process-wide, so they are set for the life of a run and restored afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

from ...config import ConfigError, DiscordConfig


def check_endpoints(settings: DiscordConfig) -> None:
    """Raise :class:`ConfigError` unless ``api_base`` is an http(s) URL and ``gateway_url`` (if set) a ws(s) URL."""
    if not settings.api_base.startswith(("https://", "http://")):
        raise ConfigError(f"discord.api_base = {settings.api_base!r}: expected an http:// or https:// URL")
    if settings.gateway_url is not None and not settings.gateway_url.startswith(("wss://", "ws://")):
        raise ConfigError(f"discord.gateway_url = {settings.gateway_url!r}: expected a ws:// or wss:// URL")


@contextmanager
def discord_endpoints(settings: DiscordConfig) -> Iterator[None]:
    """Point discord.py at ``settings.api_base`` and ``settings.gateway_url`` while the block runs."""
    check_endpoints(settings)
    old_base, old_gateway = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    Route.BASE = settings.api_base.rstrip("/")
    if settings.gateway_url:
        DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(settings.gateway_url)
    try:
        yield
    finally:
        Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = old_base, old_gateway
