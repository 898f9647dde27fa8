"""Question types: what kind of answer a question asks for, from its wording alone.

The type drives two things: the per-type breakdown of the evaluation, and the
answer-type cue in ranking ("when" wants a date or year, "how many" a number,
"who" a name, "where" a place, "why" a reason: "because", "due to", "in order to").
"""

from __future__ import annotations

import re

#: The question types, in the order reports list them.
TYPES = ("who", "what", "when", "where", "which", "how many/much", "why", "other")

_HOW_MANY = re.compile(r"\bhow\s+(?:many|much|long|far|old|large|big|tall|high|often|few)\b", re.I)
_WH = re.compile(r"\b(who|whom|whose|what|when|where|which|why)\b", re.I)
_WHAT_TIME = re.compile(r"\b(?:what|which)\s+(?:year|years|date|day|month|century|decade|time|period|era|season)\b", re.I)
_WHAT_PLACE = re.compile(
    r"\b(?:what|which)\s+(?:city|country|state|county|town|region|continent|place|location|island|river|nation|province)\b", re.I
)
_WHAT_NUMBER = re.compile(r"\b(?:what|which)\s+(?:number|percentage|percent|amount|proportion|fraction|size|population)\b", re.I)
_WHAT_PERSON = re.compile(
    r"\b(?:what|which)\s+(?:person|man|woman|king|president|scientist|author|writer|leader|emperor|actor)\b", re.I
)


def question_type(question: str) -> str:
    """The reporting type of ``question``: one of :data:`TYPES`.

    The first wh-word decides ("Which team won in 2016?" is ``which``); "how
    many/much/long/..." is ``how many/much``; anything else is ``other``.
    """
    how = _HOW_MANY.search(question)
    wh = _WH.search(question)
    if how and (not wh or how.start() < wh.start()):
        return "how many/much"
    if not wh:
        return "other"
    word = wh.group(1).lower()
    if word in ("whom", "whose"):
        return "who"
    return word


def answer_type(question: str) -> str | None:
    """The kind of answer the question wants, for ranking cues: ``date``, ``number``, ``person``, ``place``, ``reason``
    (a "why" question) or ``None``.

    Finer than :func:`question_type`: "What year ..." wants a date and "Which city ..." a place.
    """
    if _WHAT_TIME.search(question):
        return "date"
    if _HOW_MANY.search(question) or _WHAT_NUMBER.search(question):
        return "number"
    if _WHAT_PLACE.search(question):
        return "place"
    if _WHAT_PERSON.search(question):
        return "person"
    kind = question_type(question)
    return {"when": "date", "who": "person", "where": "place", "why": "reason"}.get(kind)
