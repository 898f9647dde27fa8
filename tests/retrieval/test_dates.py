"""Date-aware questions: phrases turned into publication-date ranges."""

from __future__ import annotations

import datetime as dt

import pytest

from retrieval.dates import date_filter
from retrieval.index import IndexSettings, SentenceIndex
from retrieval.records import Article, LoadReport
from tests.retrieval.searching import search

NEWEST = dt.date(2021, 8, 3)


@pytest.mark.parametrize(
    ("question", "start", "end", "label"),
    [
        ("What happened in 2020?", dt.date(2020, 1, 1), dt.date(2021, 1, 1), "articles from 2020"),
        ("What did IBM say before June 2021?", None, dt.date(2021, 6, 1), "articles before June 2021"),
        ("Who resigned after 2019?", dt.date(2020, 1, 1), None, "articles after 2019"),
        ("What changed since Sept 2019?", dt.date(2019, 9, 1), None, "articles since September 2019"),
        ("What was said in March 2020 about masks?", dt.date(2020, 3, 1), dt.date(2020, 4, 1), "articles from March 2020"),
        ("Who won between 2018 and 2019?", dt.date(2018, 1, 1), dt.date(2020, 1, 1), "articles from 2018 to 2019"),
        ("Who resigned last year?", dt.date(2020, 1, 1), dt.date(2021, 1, 1), "articles from 2020"),
        ("What happened this year?", dt.date(2021, 1, 1), dt.date(2022, 1, 1), "articles from 2021"),
        ("What did the council decide last month?", dt.date(2021, 7, 1), dt.date(2021, 8, 1), "articles from July 2021"),
    ],
)
def test_phrases_become_date_ranges(question: str, start: dt.date | None, end: dt.date | None, label: str) -> None:
    found = date_filter(question, NEWEST)
    assert found is not None
    assert (found.start, found.end, found.label) == (start, end, label)
    assert question[found.span[0] : found.span[1]].strip()


def test_relative_phrases_count_from_the_newest_article_not_today() -> None:
    found = date_filter("Who resigned last year?", dt.date(2015, 2, 1))
    assert found is not None and found.label == "articles from 2014"


def test_no_date_phrase_means_no_filter() -> None:
    assert date_filter("What does IBM oppose?", NEWEST) is None
    assert date_filter("How many people lived there in total?", NEWEST) is None
    assert date_filter("Who resigned last year?", None) is None  # an undated corpus has no "last year"


def test_bounds_are_half_open_and_undated_articles_never_match() -> None:
    """Through the search path: the last day before the bound is in, the bound itself and undated articles are out."""
    text = "The mayor opened the bridge."
    dated = {"may31": dt.date(2021, 5, 31), "jun1": dt.date(2021, 6, 1), "undated": None, "newest": NEWEST}
    articles = [Article(name, name, date, None, text, ((0, len(text)),)) for name, date in dated.items()]
    index = SentenceIndex.build(LoadReport(articles), IndexSettings())
    found = {hit.article_id for hit in search(index, "Who opened the bridge before June 2021?", k=10)}
    assert "may31" in found
    assert "jun1" not in found
    assert "undated" not in found
