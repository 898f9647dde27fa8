"""The re-ranker reads only the query terms' postings, and picks the same candidates with the same features as the
dense reference (every term scored for every sentence and paragraph: ``dense_ranking.py``)."""

from __future__ import annotations

import json
import random
from dataclasses import replace

import numpy as np
import pytest

from retrieval.corpus import load_corpus
from retrieval.index import IndexSettings, SentenceIndex
from retrieval.ranking import Candidates, answer_cue, answer_cues, query_terms
from retrieval.rerank import index_candidates, rank
from tests.conftest import SQUAD
from tests.retrieval.dense_ranking import dense_candidates

SEED_QUESTIONS = [
    "Does IBM still sell facial recognition software?",
    "Who is the CEO of IBM?",
    "When did IBM stop offering facial recognition?",
    "How many policy areas did the letter name?",
    "What did the senators ask Congress to do?",
    "Where do police use facial recognition?",
    "Did IBM quit the face recognition business?",  # "face" ≈ "facial": the related feature is nonzero
    "racial justice reform",
    "IBM",
    "zebra",
]


def dense(index: SentenceIndex, terms: list[str], question: str, allowed: np.ndarray | None = None) -> Candidates:
    """The reference: candidates from every term's dense score vectors over sentences and paragraphs."""
    return dense_candidates(
        [index.sentence_engine.get_scores([t]) for t in terms],
        [index.paragraph_engine.get_scores([t]) for t in terms],
        index.sent_paragraph,
        index.sent_article,
        index.sentence_text,
        terms,
        question,
        index.tokenizer,
        index.settings.candidates,
        index.settings.paragraph_weight,
        allowed,
    )


def assert_same(index: SentenceIndex, question: str, allowed: np.ndarray | None = None) -> int:
    """Sparse and dense candidates agree (ids, features, term shares, IDF, df); returns how many candidates."""
    terms = query_terms(index.tokenizer, question)
    sparse = index_candidates(index, terms, question, allowed=allowed)
    ref = dense(index, terms, question, allowed)
    assert sparse.ids.tolist() == ref.ids.tolist(), question
    np.testing.assert_allclose(sparse.features, ref.features, rtol=1e-9, atol=1e-12, err_msg=question)
    np.testing.assert_allclose(sparse.term_scores, ref.term_scores, rtol=1e-9, err_msg=question)
    np.testing.assert_allclose(sparse.idf, ref.idf, err_msg=question)
    assert sparse.doc_freq.tolist() == ref.doc_freq.tolist()
    return int(sparse.ids.size)


@pytest.mark.parametrize("question", SEED_QUESTIONS)
def test_seed_questions_match_the_dense_reference(seed_index: SentenceIndex, question: str) -> None:
    assert_same(seed_index, question)


def test_allowed_articles_match_the_dense_reference(seed_index: SentenceIndex) -> None:
    allowed = np.zeros(len(seed_index.articles), dtype=bool)
    allowed[::2] = True
    for question in SEED_QUESTIONS:
        assert_same(seed_index, question, allowed)


def test_fewer_candidates_than_matching_sentences(seed_index: SentenceIndex) -> None:
    """With a small ``candidates`` setting the pool is cut by score, as in the reference."""
    small = SentenceIndex(**{**seed_index.__dict__, "settings": replace(seed_index.settings, candidates=5)})
    assert assert_same(small, "IBM facial recognition software police") == 5


def test_stored_term_ids_are_the_tokenizer_s_terms(seed_index: SentenceIndex) -> None:
    """Proximity reads the index's stored term ids; they are what the tokenizer makes of each sentence."""
    terms = [""] * len(seed_index.vocab)
    for t, i in seed_index.vocab.items():
        terms[i] = t
    for i in range(seed_index.num_sentences):
        stored = seed_index.term_ids[seed_index.term_ptr[i] : seed_index.term_ptr[i + 1]]
        assert [terms[t] for t in stored] == seed_index.tokenizer(seed_index.sentence_text(i))


def test_saved_and_loaded_index_ranks_alike(seed_index: SentenceIndex, tmp_path) -> None:  # type: ignore[no-untyped-def]
    seed_index.save(tmp_path / "ix")
    loaded = SentenceIndex.load(tmp_path / "ix")
    assert loaded.term_ptr.size == seed_index.num_sentences + 1
    for question in SEED_QUESTIONS:
        terms = query_terms(loaded.tokenizer, question)
        a, b = rank(loaded, terms, question), rank(seed_index, terms, question)
        assert a.candidates.ids.tolist() == b.candidates.ids.tolist()
        np.testing.assert_allclose(a.scores, b.scores)


def test_rank_bm25_engine_matches_the_dense_reference(seed_index: SentenceIndex) -> None:
    """The reference engine's postings come from its dense scores; the ranking is the same computation."""
    from retrieval.corpus import load_corpus as load
    from tests.conftest import SEEDS

    index = SentenceIndex.build(load([SEEDS]), IndexSettings(engine="rank-bm25"))
    for question in SEED_QUESTIONS[:3]:
        assert_same(index, question)


@pytest.mark.skipif(not (SQUAD / "articles.jsonl").exists(), reason="squad-dev not available")
def test_squad_questions_match_the_dense_reference() -> None:
    """A few hundred real questions on the 10k-sentence SQuAD dev corpus (about 10 s: the dense side is the cost)."""
    index = SentenceIndex.build(load_corpus([SQUAD / "articles.jsonl"]))
    lines = (SQUAD / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    questions = [json.loads(line)["question"] for line in random.Random(5).sample(lines, 300)]
    assert sum(assert_same(index, q) for q in questions) > 300


@pytest.mark.parametrize("kind", ["date", "number", "person", "place", "reason", None])
def test_batched_answer_cues_equal_one_at_a_time(seed_index: SentenceIndex, kind: str | None) -> None:
    texts = seed_index.sentence_texts(np.arange(seed_index.num_sentences))
    texts += ["Smith met Jones in Boston in 1999.", "", "In 2014 it opened.", "It opened in 2014 in Boston, said Smith."]
    texts += ["It closed because of the flood.", "Due to the cost, it shut."]
    question = "When did Smith open it in Boston in 2014?"
    expected = [answer_cue(kind, t, question) for t in texts]
    assert answer_cues(kind, texts, question).tolist() == expected
    assert any(expected) or kind is None


@pytest.mark.parametrize(
    "odd",
    [
        "nothing odd here",
        "f\u0131ve of them left",  # dotless i: re.I reads "five", lower() leaves it
        "\u017fince then it grew",  # long s: re.I reads "since"
        "\u0130" * 40 + " had FIVE, because of rain",  # dotted capital I: lower() makes each two characters
        "5 \u212aelvin, BECAUSE cold",  # Kelvin sign: lower() makes it k, as re.I reads it
    ],
    ids=["plain", "dotless-i", "long-s", "dotted-capital-I", "kelvin-sign"],
)
@pytest.mark.parametrize("kind", ["number", "reason"])
def test_case_blind_cues_equal_re_ignorecase(kind: str, odd: str) -> None:
    """The number and reason cues search lower-cased text without re.I, unless a text holds a letter that lower-casing
    and re.I treat differently; either way the batch must say what re.I says text by text."""
    texts = [odd, "FIVE people came.", "It shut BECAUSE of rain.", "Twenty Percent rose", "Due To the flood", "none", odd]
    question = "Why did it close?"
    expected = [answer_cue(kind, t, question) for t in texts]
    assert answer_cues(kind, texts, question).tolist() == expected
    assert any(expected)
