"""Re-ranking: question types, framing words, answer-type cues, and candidates on a real (seed) index."""

from __future__ import annotations

import re

import numpy as np
import pytest

from retrieval.index import SentenceIndex
from retrieval.qtype import answer_type, question_type
from retrieval.ranking import FEATURES, WEIGHTS, answer_cue, answer_cues, phrase_hits, query_terms, question_phrases
from retrieval.rerank import rank
from tests.retrieval.searching import search


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Who is the CEO of IBM?", "who"),
        ("Whose decision was it?", "who"),
        ("When did Levi's Stadium open?", "when"),
        ("How many teams played?", "how many/much"),
        ("How much did it cost?", "how many/much"),
        ("Which senator sponsored the bill?", "which"),
        ("In what year did it open, and why?", "what"),
        ("Why did IBM stop?", "why"),
        ("Name the senator.", "other"),
    ],
)
def test_question_types(question: str, kind: str) -> None:
    assert question_type(question) == kind


def test_answer_types_look_past_the_wh_word() -> None:
    assert answer_type("What year did the war end?") == "date"
    assert answer_type("Which city hosted it?") == "place"
    assert answer_type("What percentage voted?") == "number"
    assert answer_type("Who won?") == "person"
    assert answer_type("Why did IBM stop?") == "reason"
    assert answer_type("What did IBM say?") is None


#: Strings that sit at the edges of the cue patterns: boundaries, digits inside words, overlapping alternatives.
_CUE_EDGES = (
    "In 1999s and 2014, x1999 A2014 20150 1850s; 3rd century, 21st century, 7 century, a12th century; May, Mayor "
    "Junes June; five, fives often twenty-two, 1,200.5 percent ٣٤ ranked; because because-of becausefoo reason "
    "reasons reasoning due to due tomorrow; in Paris, into Rome, within London, of the Hague, to  New York, at "
    "the  Met; O'Neil McDonald-Smith X. Ab IBM’s Écoles élan Zürich; İstanbul ǅemal"
)


def test_the_fast_cue_patterns_find_exactly_what_the_plain_ones_find() -> None:
    """:func:`answer_cues` searches patterns rewritten for speed (see ``ranking._FAST``); match for match they must
    find what the readable patterns :func:`answer_cue` uses find, on real text and on edge cases."""
    from retrieval import ranking
    from tests.conftest import SEEDS, SQUAD

    text = "\n".join(
        [_CUE_EDGES, *(p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt")))]
        + [line for line in (SQUAD / "articles.jsonl").read_text(encoding="utf-8").splitlines()[:12]]
    )

    def matches(patterns: list[re.Pattern[str]], haystack: str, group: int) -> list[tuple[int, int, str]]:
        return sorted((m.start(group), m.end(group), m.group(group)) for p in patterns for m in p.finditer(haystack))

    checked = 0
    for plain, fast in ranking._FAST.items():
        group = 1 if plain is ranking._PLACE else 0
        found = matches([plain], text, group)
        assert found and matches(fast, text, group) == found, plain.pattern
        checked += 1
    assert checked == 4


def test_answer_cue_wants_something_the_question_does_not_already_hold() -> None:
    assert answer_cue("date", "The stadium opened in 2014.", "When did the stadium open?") == 1.0
    assert answer_cue("date", "The stadium opened in 2014.", "What opened in 2014?") == 0.0
    assert answer_cue("number", "It cost $1.2 billion.", "How much did it cost?") == 1.0
    assert answer_cue("number", "It was costly.", "How much did it cost?") == 0.0
    assert answer_cue("person", "The award went to Von Miller.", "Who won the award?") == 1.0
    assert answer_cue("place", "They met in Boston.", "Where did they meet?") == 1.0
    assert answer_cue("reason", "IBM stopped because of bias concerns.", "Why did IBM stop?") == 1.0
    assert answer_cue("reason", "IBM stopped selling it.", "Why did IBM stop?") == 0.0
    assert answer_cue("reason", "It stopped because of bias.", "Did it stop because of bias?") == 0.0
    assert answer_cue(None, "They met in Boston.", "What happened?") == 0.0


def test_a_possessive_of_a_question_word_is_not_a_new_name() -> None:
    """"IBM’s" and "CEO’s" are the question's own words, not the person a "who" question asks for."""
    question = "Who is the CEO of IBM?"
    assert answer_cue("person", "The IBM CEO’s advocacy won praise.", question) == 0.0
    assert answer_cue("person", "Praise for IBM's stand grew.", question) == 0.0
    assert answer_cue("person", "IBM CEO Arvind Krishna told lawmakers.", question) == 1.0
    texts = ["The IBM CEO’s advocacy won praise.", "IBM CEO Arvind Krishna told lawmakers."]
    assert answer_cues("person", texts, question).tolist() == [0.0, 1.0]


def test_framing_words_are_not_searched_unless_nothing_else_is_left(seed_index: SentenceIndex) -> None:
    tok = seed_index.tokenizer
    assert query_terms(tok, "What kind of software does IBM sell?") == tok("software IBM sell")
    assert query_terms(tok, "How many policy areas?") == tok("policy areas")
    assert query_terms(tok, "What is the name?") == tok("name")


def test_rank_scores_every_candidate_and_puts_the_ibm_quote_first(seed_index: SentenceIndex) -> None:
    question = "Does IBM still sell facial recognition software?"
    ranked = rank(seed_index, query_terms(seed_index.tokenizer, question), question)
    c = ranked.candidates
    assert c.features.shape == (c.ids.size, len(FEATURES)) and c.ids.size > 3
    assert np.isfinite(c.features).all()
    assert np.allclose(ranked.scores, c.features @ np.asarray([WEIGHTS[f] for f in FEATURES]))
    best = int(c.ids[np.argmax(ranked.scores)])
    assert seed_index.sentence_text(best).startswith("“IBM no longer offers")
    # every candidate shares a term with the question, and its term shares add up to its own BM25 score
    assert (c.term_scores.sum(axis=1) > 0).all()


def test_allowed_articles_limit_the_candidates(seed_index: SentenceIndex) -> None:
    terms = query_terms(seed_index.tokenizer, "facial recognition")
    nothing = rank(seed_index, terms, "facial recognition", allowed=np.zeros(len(seed_index.articles), dtype=bool))
    assert nothing.candidates.ids.size == 0 and nothing.scores.size == 0


def test_plain_bm25_stays_available(seed_index: SentenceIndex) -> None:
    from dataclasses import replace

    plain = SentenceIndex(**{**seed_index.__dict__, "settings": replace(seed_index.settings, rerank=False)})
    hits = search(plain, "Does IBM still sell facial recognition software?", k=3)
    assert len(hits) == 3 and hits[0].score >= hits[1].score >= hits[2].score


def test_question_phrases_are_word_pairs_after_the_opening_words() -> None:
    assert question_phrases("What was the first Lutheran hymnal?") == ["first lutheran", "lutheran hymnal", "the first"]
    assert question_phrases("Who?") == []
    assert question_phrases("IBM") == []


def test_phrase_hits_match_whole_words_whatever_the_case() -> None:
    phrases = question_phrases("What was the first Lutheran hymnal?")
    texts = [
        "In 1524 the Achtliederbuch, the First Lutheran hymnal, appeared.",
        "Lutheranism: the first lutherans sang.",  # "lutheran" only as part of a longer word
        "Another hymnal.",
        "İİ the first",  # lower() lengthens "İ": later texts must still map to their own row
        "the first lutheran hymnal",
    ]
    hits = phrase_hits(phrases, texts)
    assert hits.shape == (5, 3)
    assert hits.tolist() == [
        [True, True, True],
        [False, False, True],
        [False, False, False],
        [False, False, True],
        [True, True, True],
    ]
    assert phrase_hits([], texts).shape == (5, 0)
    assert phrase_hits(phrases, []).shape == (0, 3)


def test_phrase_hits_are_those_of_each_text_lowered_alone() -> None:
    # The texts are lower-cased joined: letters whose case depends on their neighbours (final sigma) or that change
    # length ("İ" becomes two characters) must give what lower-casing each text alone gives.
    rng = np.random.default_rng(3)
    words = ["ΟΔΟΣ", "οδος", "Σας", "σας", "İstanbul", "istanbul", "İİ", "KELVIN", "kelvin", "Straße", "a", "A"]
    lowered = sorted({w.lower() for w in words})
    for _ in range(300):
        texts = [" ".join(rng.choice(words, size=rng.integers(0, 7))) for _ in range(rng.integers(1, 6))]
        phrases = sorted({f"{rng.choice(lowered)} {rng.choice(lowered)}" for _ in range(4)})
        expected = [[re.search(rf"(?<!\w){re.escape(p)}(?!\w)", t.lower()) is not None for p in phrases] for t in texts]
        assert phrase_hits(phrases, texts).tolist() == expected, (texts, phrases)


def test_a_sentence_that_reuses_the_question_s_phrasing_is_preferred(seed_index: SentenceIndex) -> None:
    """The sentence quoted first holds the question's words in its order; a window never holds less than its sentence."""
    question = "Who opposes mass surveillance and racial profiling?"
    ranked = rank(seed_index, query_terms(seed_index.tokenizer, question), question)
    features = dict(zip(FEATURES, ranked.candidates.features.T, strict=True))
    best = int(np.argmax(ranked.scores))
    # It holds "mass surveillance" and "racial profiling" of the question's five pairs; none holds more.
    assert features["phrase"][best] == features["phrase"].max() == 0.4
    assert "IBM firmly opposes" in seed_index.sentence_text(int(ranked.candidates.ids[best]))
    assert features["phrase"].min() == 0.0
    assert (features["phrase"] <= features["window_phrase"]).all()
