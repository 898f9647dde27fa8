"""A check of a request body's shape before slack-bolt sees it.

Bolt's own parsing and built-in middleware read fields such as ``event``,
``authorizations``, ``user`` and ``team`` assuming Slack's types, and a signed body
with another shape (``"event": ""``, ``"authorizations": [1]``) makes it fail with a
500. Slack never sends such bodies, so they are refused with a 400 instead.
"""

from __future__ import annotations

from typing import Any

#: Fields that are an id string or an object with an ``id``.
ID_OR_OBJECT = ("enterprise", "team", "user", "channel")
#: Fields that are objects.
OBJECTS = ("event", "view", "container", "message", "bot_profile", "state", "function_data")
#: Fields that are lists of objects.
OBJECT_LISTS = ("authorizations", "actions")
#: Fields bolt compares or slices as strings.
STRINGS = (
    "type", "subtype", "command", "callback_id", "action_id", "block_id", "ts", "thread_ts", "event_ts",
    "team_id", "enterprise_id", "user_id", "channel_id", "api_app_id", "bot_id", "trigger_id", "response_url",
    "challenge", "event_id", "user_team", "app_installed_team_id", "function_execution_id", "bot_access_token",
)  # fmt: skip
#: Deeper than Slack nests the fields above.
MAX_DEPTH = 6


def malformed(body: Any) -> str | None:
    """Why ``body`` (a parsed request) is not shaped like anything Slack sends, or ``None`` if it may be."""
    if not isinstance(body, dict):
        return f"a JSON {type(body).__name__}, not an object"
    return _check(body, "", 0)


def _check(obj: dict[str, Any], where: str, depth: int) -> str | None:
    """Why ``obj`` (at ``where``, ``depth`` levels down) is not shaped as Slack sends it, or ``None``; recurses into children."""
    if depth > MAX_DEPTH:
        return None
    if (reason := _check_strings(obj, where)) is not None:
        return reason
    children: list[tuple[str, dict[str, Any]]] = []
    if (reason := _collect_children(obj, where, children)) is not None:
        return reason
    for key, child in children:
        if (reason := _check(child, f"{where}{key}.", depth + 1)) is not None:
            return reason
    return None


def _check_strings(obj: dict[str, Any], where: str) -> str | None:
    """Why one of the fields bolt reads as a string (or ``is_enterprise_install``) has another type, or ``None``."""
    for key in STRINGS:
        value = obj.get(key)
        if value is not None and not isinstance(value, str):
            return f"{where}{key} is a {type(value).__name__}"
    if (flag := obj.get("is_enterprise_install")) is not None and not isinstance(flag, bool | str):
        return f"{where}is_enterprise_install is a {type(flag).__name__}"
    return None


def _collect_children(obj: dict[str, Any], where: str, children: list[tuple[str, dict[str, Any]]]) -> str | None:
    """Add ``obj``'s nested objects to ``children``; or say why one of those fields has the wrong type."""
    for key in ID_OR_OBJECT:
        value = obj.get(key)
        if isinstance(value, dict):
            children.append((key, value))
        elif value is not None and not isinstance(value, str):
            return f"{where}{key} is a {type(value).__name__}"
    for key in OBJECTS:
        value = obj.get(key)
        if isinstance(value, dict):
            children.append((key, value))
        elif value is not None or (key == "event" and key in obj):  # bolt reads an event's fields whenever it is there
            return f"{where}{key} is a {type(value).__name__}"
    for key in OBJECT_LISTS:
        value = obj.get(key)
        if value is None:
            continue
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            return f"{where}{key} is not a list of objects"
        children.extend((f"{key}[{i}]", item) for i, item in enumerate(value))
    return None
