"""Sentences that continue the one before them: they open with a pronoun or connective, or close its quotation.

Such a sentence often holds the answer while its predecessor holds the question's words ("Möngke Khan
led …" / "He died in 1259 …"): the re-ranker weighs that, and the responder shows the predecessor as context.
"""

from __future__ import annotations

import re

#: A sentence that opens with one of these leans on the sentence before it ("He wrote ...", "However, ...").
LEANING_OPENERS = frozenset(
    "he she it they them him her his its their this that these those there such "
    "however but and also meanwhile moreover furthermore therefore thus hence still yet so then instead "
    "nevertheless nonetheless besides otherwise likewise similarly consequently accordingly".split()
)
_FIRST_WORD = re.compile(r"[\"“‘'(]*\s*([A-Za-z]+)")
_OPEN_QUOTES = "“‘"
_CLOSE_QUOTES = "”’"


def leans_on_previous(text: str) -> bool:
    """True when ``text`` reads as a continuation: it opens with a pronoun or connective, in lower case,
    or closes a quotation it never opened (the quote began in the sentence before)."""
    stripped = text.lstrip()
    if not stripped:
        return False
    if stripped[0].islower():
        return True
    m = _FIRST_WORD.match(stripped)
    if m and m.group(1).lower() in LEANING_OPENERS:
        return True
    opened = sum(stripped.count(q) for q in _OPEN_QUOTES) + (stripped.count('"') if stripped.count('"') % 2 == 0 else 0)
    closed = sum(stripped.count(q) for q in _CLOSE_QUOTES)
    return closed > opened and stripped[0] not in _OPEN_QUOTES + '"'
