"""Text we echo back into Slack: counted the way Slack's limits are safe, and unable to ping or reorder a message.

**How Slack limits are counted.** Slack's Block Kit reference gives limits in "characters"
(a section's text: "maximum length is 3000 characters",
https://docs.slack.dev/reference/block-kit/blocks/section-block) without saying which unit.
Slack's Python SDK checks them with ``len()``, Unicode code points
(``slack_sdk/models/blocks/blocks.py``, ``SectionBlock._validate_text_length``), while its
JavaScript SDKs and the Block Kit Builder run on ``String.length``, UTF-16 code units. The two
differ only for characters outside the Basic Multilingual Plane (most emoji), which count 1 and 2.
We count **UTF-16 code units** (:func:`utf16_len`): never less than the code-point count, so a text
within our count is within Slack's limit whichever way Slack counts.

**Echoed text.** A user's question is echoed in the "Share in channel" header. :func:`clean_echo`
removes control characters and the bidirectional overrides and isolates (U+202A–U+202E,
U+2066–U+2069) that can make a line read backwards; :func:`escape_broadcasts` breaks plain
``@channel``, ``@here`` and ``@everyone`` with a zero-width space, and the header's text object
is sent with ``verbatim: true`` so Slack links nothing in it.
"""

from __future__ import annotations

import re
import unicodedata

ZWSP = "\u200b"
#: Bidirectional embeddings, overrides, isolates and marks: they reorder how the rest of a line reads.
BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c")
_BROADCAST = re.compile(r"@(?=(?:channel|here|everyone)\b)", re.IGNORECASE)


def utf16_len(text: str) -> int:
    """``text``'s length in UTF-16 code units (what ``String.length`` gives in JavaScript)."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def cut_utf16(text: str, limit: int) -> str:
    """The longest prefix of ``text`` within ``limit`` UTF-16 code units (never half a surrogate pair)."""
    if utf16_len(text) <= limit:
        return text
    units = 0
    for i, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return text[:i]
    return text


def clean_echo(text: str) -> str:
    """``text`` without control characters (tabs and newlines become spaces) and bidirectional controls."""
    out = []
    for char in text:
        if char in "\t\n\r":
            out.append(" ")
        elif char in BIDI_CONTROLS or unicodedata.category(char) == "Cc":
            continue
        else:
            out.append(char)
    return "".join(out)


def escape_broadcasts(text: str) -> str:
    """``text`` with ``@channel``, ``@here`` and ``@everyone`` broken by a zero-width space, so none can notify anyone."""
    return _BROADCAST.sub("@" + ZWSP, text)
