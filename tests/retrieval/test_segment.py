"""Sentence splitting keeps abbreviations and quotations intact and offsets exact."""

from __future__ import annotations

import pytest

from retrieval.corpus import load_corpus
from retrieval.segment import split_paragraph
from tests.conftest import SEEDS


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split_paragraph(text, 0, len(text))]


@pytest.mark.parametrize(
    "text",
    [
        "Mr. Krishna wrote to lawmakers this week.",
        "He backs the bill sponsored by Sen. Tim Scott, South Carolina Republican.",
        "States report to the U.S. Department of Justice.",
        "“IBM no longer offers general purpose IBM facial recognition or analysis software,” Mr. Krishna wrote.",
        "Dr. Jane Smith and Gov. Brown met at St. Mary's.",
        "The court ruled in Brown v. Board of Education that segregation was unlawful.",
        "Runyon v. McCrary followed, citing Roe v. Wade.",
    ],
)
def test_one_sentence_stays_whole(text: str) -> None:
    assert sentences(text) == [text]


def test_two_sentences_split() -> None:
    assert sentences("He moved to the U.S. last year. He liked it.") == ["He moved to the U.S. last year.", "He liked it."]
    assert sentences("It rained.  Then it stopped!") == ["It rained.", "Then it stopped!"]


def test_every_seed_sentence_is_an_exact_slice_without_outer_space() -> None:
    (article,) = load_corpus([SEEDS]).articles
    spans = [span for p in article.paragraphs for span in split_paragraph(article.text, *p)]
    assert len(spans) == 14
    for s, e in spans:
        piece = article.text[s:e]
        assert piece == piece.strip() and piece
    texts = [article.text[s:e] for s, e in spans]
    assert not any(t.endswith(("Sen.", "U.S.", "Mr.")) for t in texts)
