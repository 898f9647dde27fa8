"""Checks on an incoming webhook request before anything parses it, and a log that cannot be flooded.

:func:`signature_problem` checks a Slack request's signature headers and HMAC on the raw
bytes and says why it is refused (never raises, whatever the headers hold);
:func:`body_problem` refuses a signed body that is not UTF-8 or is nested too deeply to
parse safely. :class:`ThrottledLog` writes at most one line per interval for a kind of
refusal, with a count of those it held back, so a flood of bad requests cannot fill the disk.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import time
from urllib.parse import parse_qsl

from slack_sdk.signature import SignatureVerifier

#: Slack signs with ``v0=`` and 64 hex digits; anything much longer is not a signature.
MAX_SIGNATURE_CHARS = 100
#: A Unix time in seconds has 10 digits until the year 2286.
MAX_TIMESTAMP_DIGITS = 12
#: Requests older (or newer) than this are refused as replays, as Slack's own SDKs do.
MAX_AGE_SECONDS = 5 * 60
#: Deepest ``[`` / ``{`` nesting accepted in a JSON body (Slack's payloads nest about ten deep).
MAX_JSON_DEPTH = 64


def signature_problem(
    verifier: SignatureVerifier, body: bytes, timestamp: str | None, signature: str | None, now: float | None = None
) -> str | None:
    """Why the request's signature is not acceptable (missing, malformed, stale, wrong), or ``None`` if it is valid.

    Only the raw ``body`` bytes are used, so an undecodable body is checked like any other.
    """
    if not timestamp or not signature:
        return "missing signature headers"
    if not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > MAX_TIMESTAMP_DIGITS:
        return "malformed timestamp"
    if not signature.isascii() or len(signature) > MAX_SIGNATURE_CHARS or not signature.startswith("v0="):
        return "malformed signature"
    clock = time.time() if now is None else now
    if abs(clock - int(timestamp)) > MAX_AGE_SECONDS:
        return "stale timestamp"
    if not hmac.compare_digest(sign(verifier.signing_secret, timestamp, body).encode("ascii"), signature.encode("ascii")):
        return "wrong signature"
    return None


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """Slack's ``v0=`` signature of the raw ``body`` bytes (slack_sdk's own decodes them first, which fails on non-UTF-8)."""
    digest = hmac.new(secret.encode("utf-8"), b"v0:" + timestamp.encode("ascii") + b":" + body, hashlib.sha256).hexdigest()
    return f"v0={digest}"


#: A complete JSON string literal (escapes included), and the brackets outside strings.
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_BRACKETS = re.compile(r"[\[\]{}]")


def json_depth(text: str, limit: int = MAX_JSON_DEPTH) -> int:
    """The deepest bracket nesting in JSON ``text`` (strings skipped), counting no further than ``limit + 1``.

    When the text has at most ``limit`` brackets in all, their count (a bound on the depth) is returned unscanned.
    """
    brackets = text.count("[") + text.count("{")
    if brackets <= limit:
        return brackets
    depth = deepest = 0
    for char in _BRACKETS.findall(_JSON_STRING.sub("", text)):
        depth += 1 if char in "[{" else -1
        if depth > deepest:
            deepest = depth
            if deepest > limit:
                return deepest
    return deepest


def body_problem(body: bytes, content_type: str, limit: int = MAX_JSON_DEPTH) -> str | None:
    """Why a (signed) body cannot be parsed safely: not UTF-8, or JSON nested deeper than ``limit``; else ``None``."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return "body is not UTF-8"
    if content_type == "application/x-www-form-urlencoded":
        fields = [value for _, value in parse_qsl(text, keep_blank_values=True)]
    else:
        fields = [text]
    if any(json_depth(field, limit) > limit for field in fields):
        return f"JSON nested deeper than {limit} levels"
    return None
