"""The chat platforms quotebot serves: one package each under ``bot/platforms/``, listed in :data:`REGISTRY`.

Adding a platform means one package (``bot/platforms/<name>/`` with a ``platform`` module
defining ``PLATFORM``, see :mod:`bot.platforms.base`) and one line in :data:`REGISTRY`.
Platforms are imported when first used, so the console never loads a chat client library.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .base import Platform

#: Every platform, by name: the module defining its ``PLATFORM``. The order is the order they start in.
REGISTRY: dict[str, str] = {
    "slack": "bot.platforms.slack.platform",
    "discord": "bot.platforms.discord.platform",
}


def get(name: str) -> Platform:
    """The platform called ``name``; ``KeyError`` if there is none."""
    platform: Platform = importlib.import_module(REGISTRY[name]).PLATFORM
    return platform


def every() -> list[Platform]:
    """Every registered platform, in :data:`REGISTRY` order."""
    return [get(name) for name in REGISTRY]
