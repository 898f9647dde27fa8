"""Plain records shared by the corpus loader, the segmenter and the index."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Problem:
    """Something in the corpus that could not be used as it is, and why.

    ``line`` is 1-based, or ``None`` when the problem concerns the whole file.
    ``skipped`` says whether the article (or line) was left out of the index;
    when it is false the article was kept and only the flagged part is missing
    (for example an impossible date).
    """

    path: str
    line: int | None
    reason: str
    skipped: bool = True

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        verdict = "skipped" if self.skipped else "kept"
        return f"{where}: {self.reason} ({verdict})"


@dataclass(frozen=True, slots=True)
class Article:
    """One article of the corpus.

    ``text`` is the article exactly as stored (a whole ``.txt`` / ``.md`` file,
    or a JSONL ``text`` field), so every quote is ``text[start:end]``.
    ``paragraphs`` are ``(start, end)`` spans into ``text``; a date header or
    front matter is never part of a paragraph.
    """

    id: str
    title: str
    date: dt.date | None
    url: str | None
    text: str
    paragraphs: tuple[tuple[int, int], ...]


@dataclass(slots=True)
class LoadReport:
    """What loading a corpus produced: the usable articles and every problem met."""

    articles: list[Article] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: int = 0
