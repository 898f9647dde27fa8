"""The one search path: what a :class:`~retrieval.SearchResult` carries, and when it declines."""

from __future__ import annotations

from dataclasses import replace

import pytest

from retrieval import NO_GATE, Blend, Gate, Searcher, SemanticScorer, SentenceIndex
from tests.conftest import IBM_QUOTE


@pytest.fixture(scope="module")
def scorer() -> SemanticScorer:
    """The installed semantic model (the ``semantic`` extra, which ``make install`` installs)."""
    return SemanticScorer.load()


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


def test_a_result_names_what_no_article_mentions(seed_index: SentenceIndex) -> None:
    result = Searcher(seed_index).search("What is the capital of Australia?", k=3)
    assert result.hits == () and result.unknown == ("Australia",)
    assert Searcher(seed_index).search("Does IBM still sell facial recognition software?", k=3).unknown == ()


def test_semantic_evidence_declines_what_word_coverage_alone_lets_through(seed_index: SentenceIndex, scorer: SemanticScorer) -> None:
    question = "Who is the CEO of Microsoft?"  # "CEO" and "who" are in the article: coverage 0.49, over min_coverage
    lexical = Searcher(seed_index).search(question, k=19)
    assert lexical.hits and lexical.confidence is not None and lexical.confidence >= Gate().min_coverage
    semantic = Searcher(seed_index, semantic=scorer).search(question, k=19)
    assert semantic.declined and semantic.hits == () and semantic.confidence == lexical.confidence
    assert semantic.unknown == ("Microsoft",)


def test_semantic_evidence_reorders_the_best_candidates_and_keeps_them(seed_index: SentenceIndex, scorer: SemanticScorer) -> None:
    question = "Which senator sponsored the legislation Krishna supports?"
    lexical = [found.hit.sentence for found in Searcher(seed_index).search(question, k=19).hits]
    semantic = [found.hit.sentence for found in Searcher(seed_index, semantic=scorer).search(question, k=19).hits]
    assert sorted(semantic) == sorted(lexical) and semantic != lexical
    assert semantic[0] == lexical[0]  # the Tim Scott sentence stays first (with the sentence it leans on, it means most)
    # With no semantic weight at all the blend is the lexical order: the re-ordering is the model's doing.
    still = Searcher(seed_index, semantic=scorer, blend=Blend(weight_base=0.0, weight_slope=0.0))
    assert [found.hit.sentence for found in still.search(question, k=19).hits] == lexical


def test_a_searcher_over_a_new_index_keeps_its_gate_scorer_and_blend(seed_index: SentenceIndex, scorer: SemanticScorer) -> None:
    blend = Blend(top=5)
    searcher = Searcher(seed_index, Gate(min_coverage=0.5), scorer, blend)
    moved = searcher.over(seed_index)
    assert moved.index is seed_index and moved.gate == searcher.gate and moved.semantic is scorer and moved.blend is blend
