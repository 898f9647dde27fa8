"""Escaping and highlighting for each platform's markup, so no quote can ping or mis-render.

Each function takes raw corpus text and the spans to emphasise and returns
markup that shows the text verbatim (white space folded to single spaces).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

_SPACE = re.compile(r"\s+")
#: Discord markdown characters, each shown literally when preceded by a backslash.
_DISCORD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\*_~`|<>[]()#:-"})
#: "@everyone" / "@here" ping wherever they occur (even inside a word), so break every one.
_DISCORD_MENTION = re.compile(r"@(?=everyone|here)", re.IGNORECASE)
ZWSP = "\u200b"


def fold(text: str) -> str:
    """Fold every run of white space (newlines included) into one space."""
    return _SPACE.sub(" ", text)


def slack_escape(text: str) -> str:
    """Escape Slack's three control characters, so ``<!channel>`` or ``<@U1>`` can't be injected."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def discord_escape(text: str) -> str:
    """Escape Discord markdown and break ``@everyone`` / ``@here`` and ``<@id>`` mentions."""
    return _DISCORD_MENTION.sub("@" + ZWSP, text.translate(_DISCORD_SPECIAL))


def plain_escape(text: str) -> str:
    """Plain text needs no escaping."""
    return text


def merge_spans(spans: Sequence[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    """Sort spans and join neighbours separated only by white space ("facial recognition")."""
    merged: list[list[int]] = []
    for s, e in sorted(spans):
        if merged and (s <= merged[-1][1] or not text[merged[-1][1] : s].strip()):
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return [(s, e) for s, e in merged]


def emphasise(
    text: str,
    spans: Sequence[tuple[int, int]],
    escape: Callable[[str], str],
    mark: str,
) -> str:
    """``text`` escaped, white space folded, with each span wrapped in ``mark`` (``*``, ``**``; ``""`` for none)."""
    out: list[str] = []
    pos = 0
    for s, e in merge_spans(spans, text) if mark else ():
        out.append(escape(fold(text[pos:s])))
        out.append(f"{mark}{escape(fold(text[s:e]))}{mark}")
        pos = e
    out.append(escape(fold(text[pos:])))
    return "".join(out).strip()


def shorten(text: str, spans: Sequence[tuple[int, int]], limit: int) -> tuple[str, list[tuple[int, int]]]:
    """Cut ``text`` to at most ``limit`` characters at a word boundary, ending in "…"; keep spans inside."""
    if len(text) <= limit:
        return text, list(spans)
    cut = text[: max(limit - 1, 0)]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    cut = cut.rstrip() + "…"
    return cut, [(s, e) for s, e in spans if e <= len(cut) - 1]
