"""The one search path: what a :class:`~retrieval.SearchResult` carries, and when it declines."""

from __future__ import annotations

from dataclasses import replace

from retrieval import NO_GATE, Gate, Searcher, SentenceIndex
from tests.conftest import IBM_QUOTE


def test_a_result_carries_terms_hits_and_its_confidence(seed_index: SentenceIndex) -> None:
    result = Searcher(seed_index).search("Does IBM still sell facial recognition software?", k=3)
    assert "ibm" in result.terms and result.dates is None and not result.declined
    assert result.confidence is not None and result.confidence >= Gate().min_coverage
    assert result.hits[0].hit.text.startswith(IBM_QUOTE)
    assert result.hits[0].ranked is not None and result.hits[0].row is not None
    scores = [found.hit.score for found in result.hits]
    assert scores == sorted(scores, reverse=True) and len(scores) == 3


def test_the_gate_declines_and_says_how_sure_it_was(seed_index: SentenceIndex) -> None:
    question = "What did the police chief eat for breakfast?"  # shares a word or two with the corpus, answers nothing
    declined = Searcher(seed_index).search(question, k=3)
    assert declined.declined and declined.hits == ()
    assert declined.confidence is not None and declined.confidence < Gate().min_coverage
    opened = Searcher(seed_index, NO_GATE).search(question, k=3)
    assert not opened.declined and opened.hits


def test_a_date_phrase_is_left_out_of_the_search(seed_index: SentenceIndex) -> None:
    result = Searcher(seed_index).search("What did IBM say in 2020?", k=3)
    assert result.dates is not None and result.dates.label == "articles from 2020"
    assert "2020" not in result.searched and all(found.hit.date and found.hit.date.year == 2020 for found in result.hits)


def test_plain_bm25_has_no_confidence_and_keeps_its_score_floor(seed_index: SentenceIndex) -> None:
    plain = SentenceIndex(**{**seed_index.__dict__, "settings": replace(seed_index.settings, rerank=False)})
    result = Searcher(plain).search("IBM facial recognition", k=5)
    assert result.hits and result.confidence is None
    assert all(found.hit.score >= Gate().min_score for found in result.hits)
    assert Searcher(plain, Gate(min_score=1000.0)).search("IBM facial recognition", k=5).hits == ()
