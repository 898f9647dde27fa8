"""What an index holds, article by article: ids, dates, titles, sentence counts and links (``quotebot articles``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .store import ArticleTable

if TYPE_CHECKING:
    from .index import SentenceIndex


@dataclass(frozen=True, slots=True)
class ArticleRow:
    """One indexed article as ``quotebot articles`` lists it."""

    id: str
    date: dt.date | None
    title: str
    sentences: int
    url: str | None

    def to_json(self) -> dict[str, Any]:
        """``{"id", "date", "title", "sentences", "url"}`` (``date`` and ``url`` may be null)."""
        return {
            "id": self.id,
            "date": self.date.isoformat() if self.date else None,
            "title": self.title,
            "sentences": self.sentences,
            "url": self.url,
        }


def date_range(articles: ArticleTable) -> tuple[dt.date | None, dt.date | None, int]:
    """The oldest and newest article dates (``None`` when no article has one) and how many articles are undated."""
    days = np.asarray(articles.dates)
    dated = days[days > 0]
    undated = int(len(days) - len(dated))
    if not len(dated):
        return None, None, undated
    return dt.date.fromordinal(int(dated.min())), dt.date.fromordinal(int(dated.max())), undated


def rows(
    index: SentenceIndex,
    since: dt.date | None = None,
    until: dt.date | None = None,
    grep: str | None = None,
) -> Iterator[ArticleRow]:
    """The index's articles in index order, optionally only those dated ``since``..``until`` (inclusive; an undated
    article is left out when either bound is given) whose id or title contains ``grep`` (case-insensitive)."""
    table = index.articles
    counts = np.bincount(np.asarray(index.sent_article, dtype=np.int64), minlength=len(table)).tolist()
    days = np.asarray(table.dates).tolist()
    low = since.toordinal() if since else None
    high = until.toordinal() if until else None
    needle = grep.casefold() if grep else None
    for i in range(len(table)):
        day = days[i]
        if (low is not None or high is not None) and not day:
            continue
        if (low is not None and day < low) or (high is not None and day > high):
            continue
        article_id, title = table.ids[i] or "", table.titles[i] or ""
        if needle is not None and needle not in article_id.casefold() and needle not in title.casefold():
            continue
        yield ArticleRow(article_id, dt.date.fromordinal(day) if day else None, title, int(counts[i]), table.urls[i])
