"""Platform-neutral core types: a :class:`Question` goes in, an :class:`Answer` comes out.

Slack, Discord and the console turn their events into a ``Question`` and render
the ``Answer``; nothing here knows about any platform.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Question:
    """A question as asked, with who asked it where (for logs, limits and feedback)."""

    text: str
    platform: str = "console"
    user: str | None = None
    channel: str | None = None
    #: How many passages to show; ``None`` means the configured default.
    k: int | None = None
    #: Skip this many passages (the "More results" button asks for the next page).
    offset: int = 0
    #: Attach the "why" view (matched words and their weights) to each passage.
    explain: bool = False


@dataclass(frozen=True, slots=True)
class Source:
    """Where a quote comes from: an article id, its title, date and link."""

    id: str
    title: str
    date: dt.date | None
    url: str | None = None


@dataclass(frozen=True, slots=True)
class Context:
    """A neighbouring sentence shown with a quote that leans on it: verbatim ``text[start:end]`` of the same article."""

    text: str
    start: int
    end: int

    def to_json(self) -> dict[str, Any]:
        """``{"text", "start", "end"}``."""
        return {"text": self.text, "start": self.start, "end": self.end}


@dataclass(frozen=True, slots=True)
class Explanation:
    """The "why" view of one passage: what matched and how much each part counted."""

    #: ``(question word, BM25 points)`` for every question word the sentence contains.
    terms: tuple[tuple[str, float], ...]
    #: ``(signal, points)``: each re-ranking signal's weighted share of ``score``.
    signals: tuple[tuple[str, float], ...]
    score: float
    #: Question words the sentence does not contain, even in related words.
    missing: tuple[str, ...] = ()
    #: ``(question word, the sentence's word)`` for question words the sentence says in a related word ("prefer", "favored").
    related: tuple[tuple[str, str], ...] = ()

    def to_json(self) -> dict[str, Any]:
        """``{"terms": {word: points}, "signals": {name: points}, "score", "missing", "related": {word: said as}}``."""
        return {
            "terms": dict(self.terms),
            "signals": dict(self.signals),
            "score": self.score,
            "missing": list(self.missing),
            "related": dict(self.related),
        }


@dataclass(frozen=True, slots=True)
class Passage:
    """One quoted sentence: verbatim ``text`` equal to its article's ``text[start:end]``."""

    text: str
    source: Source
    start: int
    end: int
    score: float
    #: ``(start, end)`` spans within ``text`` of the words that match the question.
    highlights: tuple[tuple[int, int], ...] = ()
    #: Other articles that carry the same sentence (syndicated copy), cited with it.
    also: tuple[Source, ...] = ()
    #: The sentence before, when this one leans on it ("He said ..."); the quote itself is still ``text``.
    context: Context | None = None
    #: Why it ranked here (only when the question asked for an explanation).
    explanation: Explanation | None = None

    @property
    def title(self) -> str:
        """The title of the article quoted."""
        return self.source.title

    @property
    def date(self) -> dt.date | None:
        """The publication date of the article quoted, if known."""
        return self.source.date


class NoAnswer(enum.Enum):
    """Why an answer holds no passages; each value is the message users see."""

    EMPTY = "Ask me a question about the articles, for example: “What did IBM say about facial recognition?”"
    TOO_LONG = "That question is too long ({length:,} characters). Please ask in at most {limit:,} characters."
    NO_CONTENT_WORDS = "I couldn't find any words to search for in that question. Try naming who or what you mean."
    NOT_FOUND = "Nothing in the corpus answers that question."
    #: The question names something no article uses (and nothing answers it): ``{names}`` lists them.
    NOT_MENTIONED = "No article mentions {names}."
    NO_MORE = "There are no more results for that question."


@dataclass(frozen=True, slots=True)
class Answer:
    """The reply to a question: up to N passages, or the reason there are none."""

    question: str
    passages: tuple[Passage, ...] = ()
    reason: NoAnswer | None = None
    #: The message for ``reason``, with its details filled in.
    message: str = ""
    #: Where these passages start in the full ranking, and whether more follow.
    offset: int = 0
    has_more: bool = False
    #: The query terms searched for, after stopwords and stemming.
    terms: tuple[str, ...] = field(default=())
    #: A remark on how the question was read, e.g. "Searched articles from 2020." for a date-aware question.
    note: str = ""

    @property
    def answered(self) -> bool:
        """True when at least one passage answers the question."""
        return bool(self.passages)

    def to_json(self) -> dict[str, Any]:
        """The documented JSON form: ``{"question", "answered", "passages": [...]}`` (plus ``message``)."""
        out: dict[str, Any] = {
            "question": self.question,
            "answered": self.answered,
            "passages": [
                {
                    "text": p.text,
                    "title": p.source.title,
                    "source": p.source.id,
                    "date": p.source.date.isoformat() if p.source.date else None,
                    "start": p.start,
                    "end": p.end,
                    "score": round(p.score, 4),
                    **({"url": p.source.url} if p.source.url else {}),
                    **(
                        {
                            "also": [
                                {"source": s.id, "title": s.title, "date": s.date.isoformat() if s.date else None}
                                | ({"url": s.url} if s.url else {})
                                for s in p.also
                            ]
                        }
                        if p.also
                        else {}
                    ),
                    **({"context": p.context.to_json()} if p.context else {}),
                    **({"explain": p.explanation.to_json()} if p.explanation else {}),
                }
                for p in self.passages
            ],
        }
        if not self.answered:
            out["message"] = self.message
        if self.note:
            out["note"] = self.note
        return out
