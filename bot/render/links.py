"""Article links in answers: which ``url`` values may be linked, and how each platform's markup links a title to one.

Only absolute ``http``/``https`` URLs are linked; anything else (a relative path, ``javascript:``, text with
spaces) is not shown as a link, so a corpus line can't plant a misleading or active link in an answer.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from .markup import slack_escape

#: Characters that would end or break a link in Slack (``<url|text>``) or Discord (``[text](url)``), percent-encoded.
#: Longer URLs are not linked: they would crowd the quotes out of a platform's length limits.
MAX_URL = 512
_BREAKERS = str.maketrans({"|": "%7C", "<": "%3C", ">": "%3E", "(": "%28", ")": "%29", " ": "%20", '"': "%22"})


def web_url(url: str | None) -> str | None:
    """``url`` when it is an absolute http(s) URL with a host, at most :data:`MAX_URL` long, with no white space or
    control characters; else ``None``."""
    if not url or len(url) > MAX_URL or any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def slack_link(url: str | None, text: str) -> str:
    """``text`` (already escaped mrkdwn) linked to ``url`` as ``<url|text>``; ``text`` alone when ``url`` can't be linked."""
    safe = web_url(url)
    return f"<{slack_escape(safe.translate(_BREAKERS))}|{text}>" if safe else text


def discord_link(url: str | None, text: str) -> str:
    """``text`` (already escaped markdown) as the masked link ``[text](url)``; ``text`` alone when ``url`` can't be linked."""
    safe = web_url(url)
    return f"[{text}]({safe.translate(_BREAKERS)})" if safe else text
