"""bm25s (default) and rank-bm25 (reference) behind one interface, and where they differ."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.corpus import load_corpus
from retrieval.engines import Bm25sEngine, RankBm25Engine, make_engine
from retrieval.index import IndexSettings, SentenceIndex
from tests.conftest import SEEDS
from tests.retrieval.searching import search

SEED_QUESTIONS = [
    "Does IBM still sell facial recognition software?",
    "Which senator sponsored the legislation Krishna supports?",
    "Who praised the IBM CEO's advocacy?",
    "What did Krishna urge Congress to do about Pell Grants?",
    "Which killings did Krishna cite?",
    "What policy areas is IBM interested in?",
]

DOCS = [["ibm", "facial"], ["ibm", "polic"], ["ibm", "congress", "polic"], ["krishna"], ["ibm"]]


@pytest.mark.parametrize("question", SEED_QUESTIONS)
def test_both_engines_rank_the_seed_questions_alike_with_plain_bm25(question: str) -> None:
    report = load_corpus([SEEDS])
    ranked = {}
    for engine in ("bm25s", "rank-bm25"):
        index = SentenceIndex.build(report, IndexSettings(engine=engine, method="lucene", rerank=False))
        hits = search(index, question, k=5)
        assert hits, f"{engine} found nothing for {question!r}"
        ranked[engine] = [h.sentence for h in hits]
        scores = [h.score for h in hits]
        assert scores == sorted(scores, reverse=True)
    assert ranked["bm25s"] == ranked["rank-bm25"]


def test_lucene_scores_differ_only_by_the_constant_k1_plus_1() -> None:
    a, b = Bm25sEngine(k1=1.2, b=0.75), RankBm25Engine(k1=1.2, b=0.75)
    a.index(DOCS)
    b.index(DOCS)
    for query in (["ibm"], ["polic", "congress"], ["krishna", "ibm"]):
        np.testing.assert_allclose(a.get_scores(query) * 2.2, b.get_scores(query), rtol=1e-5)


def test_robertson_reference_floors_negative_idf_with_epsilon() -> None:
    """'ibm' is in 4 of 5 documents: its Robertson IDF is negative, and BM25Okapi replaces it with epsilon x mean IDF."""
    reference = RankBm25Engine(method="robertson")
    reference.index(DOCS)
    assert (reference.get_scores(["ibm"])[[0, 1, 2, 4]] > 0).all()
    lucene = RankBm25Engine(method="lucene")
    lucene.index(DOCS)
    assert (lucene.get_scores(["ibm"])[[0, 1, 2, 4]] > 0).all()
    assert not np.allclose(reference.get_scores(["ibm"]), lucene.get_scores(["ibm"]))


def test_empty_and_unknown_queries_score_zero() -> None:
    for name in ("bm25s", "rank-bm25"):
        engine = make_engine(name, 1.2, 0.75, "lucene")
        engine.index(DOCS)
        assert not engine.get_scores([]).any()
        assert not engine.get_scores(["zzz"]).any()


def test_unknown_engine_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown engine"):
        make_engine("elastic", 1.2, 0.75, "lucene")
