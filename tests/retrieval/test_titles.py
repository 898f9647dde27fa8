"""Generated titles: the first sentence as the project's segmenter splits it, never cut at an abbreviation."""

from __future__ import annotations

import pytest

from retrieval.corpus import TITLE_MAX, make_title, paragraph_spans, parse_jsonl_line, parse_text_article


@pytest.mark.parametrize(
    ("text", "title"),
    [
        ("(CNN) -- Sen. John McCain said he would vote no. Others agreed.", "(CNN) -- Sen. John McCain said he would vote no."),
        ("The ship belonging to U.S. forces sank. Nobody was hurt.", "The ship belonging to U.S. forces sank."),
        ("Mr. Krishna wrote to lawmakers. IBM agreed.", "Mr. Krishna wrote to lawmakers."),
        ("Brown v. Board of Education was decided in 1954. It ended segregation.", "Brown v. Board of Education was decided in 1954."),
        ("One line only, no full stop", "One line only, no full stop"),
    ],
)
def test_the_title_is_the_first_sentence_as_the_index_splits_it(text: str, title: str) -> None:
    assert make_title(text, paragraph_spans(text)) == title


def test_a_long_first_sentence_is_shortened_at_a_word() -> None:
    text = "Sen. " + " ".join(["word"] * 40) + ". Next."
    title = make_title(text, paragraph_spans(text))
    assert len(title) <= TITLE_MAX and title.endswith("…") and title.startswith("Sen. word word")


def test_text_and_jsonl_articles_without_titles_use_it() -> None:
    article, _ = parse_text_article("a.txt", "date 2020-01-01\n(CNN) -- Sen. Smith spoke. Then left.")
    assert article is not None and article.title == "(CNN) -- Sen. Smith spoke."
    line = '{"id": "x", "text": "Officials in the U.S. said so. More text."}'
    article, _ = parse_jsonl_line("a.jsonl", 1, line)
    assert article is not None and article.title == "Officials in the U.S. said so."
