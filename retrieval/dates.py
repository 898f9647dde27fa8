"""Date-aware questions: "in 2020", "before June 2021", "since March 2019", "last year".

:func:`date_filter` finds such a phrase in a question and turns it into a range of
publication dates; relative phrases ("last year", "this month") count from the
corpus's newest article date, not from today, so an archive answers as of its own time.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

_MONTHS = {name.lower(): n for n, name in enumerate(calendar.month_name) if name}
_MONTHS.update({name.lower(): n for n, name in enumerate(calendar.month_abbr) if name})
_MONTHS["sept"] = 9
_MONTH = "(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + ")"
_YEAR = r"(?P<year>(?:19|20)\d\d)"

_ABSOLUTE = re.compile(
    rf"\b(?P<op>in|during|from|before|after|since|until|by|as of)\s+(?:{_MONTH}\.?\s+)?{_YEAR}\b", re.IGNORECASE
)
_BETWEEN = re.compile(r"\bbetween\s+(?P<y1>(?:19|20)\d\d)\s+and\s+(?P<y2>(?:19|20)\d\d)\b", re.IGNORECASE)
_RELATIVE = re.compile(r"\b(?P<which>last|this|past)\s+(?P<unit>year|month)\b", re.IGNORECASE)


@dataclass(frozen=True)
class DateFilter:
    """Publication dates ``start <= date < end`` (either end open when ``None``), and how to say so."""

    start: dt.date | None
    end: dt.date | None
    #: For the answer: "articles from 2020", "articles before June 2021".
    label: str
    #: Where the phrase is in the question, so it can be left out of the search.
    span: tuple[int, int]


def _month_range(year: int, month: int | None) -> tuple[dt.date, dt.date]:
    if month is None:
        return dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    end = dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)
    return dt.date(year, month, 1), end


def _name(year: int, month: int | None) -> str:
    return f"{calendar.month_name[month]} {year}" if month else str(year)


def date_filter(question: str, newest: dt.date | None) -> DateFilter | None:
    """The date range ``question`` asks about, or ``None``; ``newest`` anchors "last year" and "this month"."""
    if m := _BETWEEN.search(question):
        y1, y2 = sorted((int(m.group("y1")), int(m.group("y2"))))
        return DateFilter(dt.date(y1, 1, 1), dt.date(y2 + 1, 1, 1), f"articles from {y1} to {y2}", m.span())
    if m := _ABSOLUTE.search(question):
        op = m.group("op").lower()
        year = int(m.group("year"))
        month = _MONTHS.get((m.group("month") or "").lower().rstrip(".")) if m.group("month") else None
        first, after = _month_range(year, month)
        name = _name(year, month)
        if op in ("before", "until", "by"):
            before = op == "before"
            return DateFilter(None, first if before else after, f"articles {'before' if before else 'up to'} {name}", m.span())
        if op in ("after", "since"):
            return DateFilter(after if op == "after" else first, None, f"articles {op} {name}", m.span())
        return DateFilter(first, after, f"articles from {name}", m.span())
    if newest is not None and (m := _RELATIVE.search(question)):
        which, unit = m.group("which").lower(), m.group("unit").lower()
        if unit == "year":
            year = newest.year - (which == "last")
            if which == "past":
                return DateFilter(newest - dt.timedelta(days=365), None, "articles from the past year", m.span())
            first, after = _month_range(year, None)
            return DateFilter(first, after, f"articles from {year}", m.span())
        if which == "past":
            return DateFilter(newest - dt.timedelta(days=31), None, "articles from the past month", m.span())
        month_start = newest.replace(day=1)
        if which == "last":
            month_start = (month_start - dt.timedelta(days=1)).replace(day=1)
        first, after = _month_range(month_start.year, month_start.month)
        return DateFilter(first, after, f"articles from {_name(month_start.year, month_start.month)}", m.span())
    return None
