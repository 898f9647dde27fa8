"""Which Slack events are questions for the bot, and the question text in each.

Slack sends its own markup in message text: ``<@U123>`` mentions, ``<#C1|name>``
channels, ``<!here>``, ``<https://…|label>`` links, and ``&amp;``/``&lt;``/``&gt;``
escapes. A question is that text with the bot's mention removed and the markup
turned back into the words a person typed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_CHANNEL = re.compile(r"<#[CG][A-Z0-9]+(?:\|([^>]*))?>")
_SPECIAL = re.compile(r"<!([^>|]*)(?:\|([^>]*))?>")
_LINK = re.compile(r"<([^>|]+)(?:\|([^>]*))?>")


def unformat(text: str, bot_user_id: str | None) -> str:
    """Slack message text as plain words: bot mention dropped, other markup reduced to its label."""
    if bot_user_id:
        text = re.sub(rf"<@{re.escape(bot_user_id)}(?:\|[^>]*)?>", " ", text)
    text = _USER.sub(" ", text)
    text = _CHANNEL.sub(lambda m: f"#{m.group(1)}" if m.group(1) else " ", text)
    text = _SPECIAL.sub(lambda m: m.group(2) or " ", text)
    text = _LINK.sub(lambda m: m.group(2) or m.group(1), text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return " ".join(text.split())


def mentions(text: str, user_id: str | None) -> bool:
    """True when ``text`` mentions ``user_id`` (``<@U123>`` or ``<@U123|name>``)."""
    return bool(user_id) and re.search(rf"<@{re.escape(str(user_id))}(?:\|[^>]*)?>", text) is not None


def ignore_reason(event: Mapping[str, Any], bot_user_id: str | None) -> str | None:
    """Why ``event`` is not a question from a person (``None`` if it is one).

    Edits, deletions, joins and every other ``subtype`` are skipped, as are messages
    from any bot (this one included) and events without a user or text.
    """
    subtype = event.get("subtype")
    if subtype:
        return f"subtype {subtype}"
    if event.get("bot_id") or event.get("bot_profile"):
        return "bot message"
    user = event.get("user")
    if not isinstance(user, str) or not user:
        return "no user"
    if bot_user_id and user == bot_user_id:
        return "own message"
    if not isinstance(event.get("text", ""), str):
        return "no text"
    if not isinstance(event.get("channel"), str) or not isinstance(event.get("ts"), str):
        return "no channel or ts"
    return None


def is_direct(event: Mapping[str, Any]) -> bool:
    """True for a message in a direct-message conversation with the bot."""
    return event.get("channel_type") == "im" or str(event.get("channel", "")).startswith("D")


def reply_thread(event: Mapping[str, Any]) -> str | None:
    """The ``thread_ts`` to answer in: the mention's thread (or start one); in a DM, only an existing thread."""
    if is_direct(event):
        thread = event.get("thread_ts")
        return thread if isinstance(thread, str) else None
    thread = event.get("thread_ts") or event.get("ts")
    return thread if isinstance(thread, str) else None


#: ``/ask --why question`` (or ``why:``) asks for the "why" view with the answer.
_WHY = re.compile(r"\A\s*(?:--why|--explain|why:)\s+", re.IGNORECASE)


def split_why(text: str) -> tuple[bool, str]:
    """Whether ``text`` asks for the "why" view, and the question without that flag."""
    match = _WHY.match(text)
    return (True, text[match.end() :]) if match else (False, text)
