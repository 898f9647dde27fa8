"""One registry of output formats: ``plain`` text, ``json``, and each platform's exact message body.

Plain text and JSON live here (:mod:`bot.render.plain`, :mod:`bot.render.json`); each platform
renders its own messages in its package (``bot/platforms/<name>/render.py``) and is listed
here by its registry name, so a new platform is a new format too.
"""

from __future__ import annotations

from collections.abc import Callable

from ..models import Answer
from ..platforms import REGISTRY, get
from .json import render_json
from .plain import render_plain

#: Formats that need no platform.
BASE_FORMATS: dict[str, Callable[[Answer], str]] = {"plain": render_plain, "json": render_json}
FORMATS = ("plain", *REGISTRY, "json")


def render(answer: Answer, fmt: str) -> str:
    """Render for the CLI: ``plain`` text, ``json``, or the exact message body a platform (``slack``, ``discord``) posts."""
    if fmt in BASE_FORMATS:
        return BASE_FORMATS[fmt](answer)
    if fmt in REGISTRY:
        return get(fmt).render(answer)
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
