"""Continuations: sentences that lean on the one before, and the re-ranker's features that follow a question's
words from one sentence into the next."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from retrieval.continuation import leans_on_previous
from retrieval.corpus import load_corpus
from retrieval.index import SentenceIndex
from retrieval.ranking import FEATURES, query_terms
from retrieval.rerank import rank


@pytest.mark.parametrize(
    ("text", "leans"),
    [
        ("He died in 1259 without a successor.", True),
        ("However, the vote failed.", True),
        ("“We will appeal,” she said.", False),
        ("and then it rained.", True),
        ("for the people of this city,” he said.", True),
        ("Möngke Khan became Great Khan in 1251.", False),
        ("“IBM firmly opposes it,” Mr. Krishna wrote.", False),
        ("", False),
    ],
)
def test_leans_on_previous(text: str, leans: bool) -> None:
    assert leans_on_previous(text) is leans


@pytest.fixture
def khans(tmp_path: Path) -> SentenceIndex:
    (tmp_path / "khans.txt").write_text(
        "date: 2020-01-01\n\n"
        "Möngke Khan was elected Great Khan of the Mongol Empire in 1251 after a long dispute. "
        "He died in 1259 without a successor, during the siege of Diaoyu Castle.\n\n"
        "Kublai Khan founded the Yuan dynasty in 1271. The dynasty ruled China until 1368.\n",
        encoding="utf-8",
    )
    return SentenceIndex.build(load_corpus([tmp_path]))


def test_the_answer_after_the_sentence_holding_the_question_s_words_ranks_first(khans: SentenceIndex) -> None:
    question = "When did Möngke Khan die?"
    ranked = rank(khans, query_terms(khans.tokenizer, question), question)
    features = dict(zip(FEATURES, ranked.candidates.features.T, strict=True))
    texts = khans.sentence_texts(ranked.candidates.ids)
    he_died = texts.index(next(t for t in texts if t.startswith("He died")))
    # "Möngke" and "Khan" are in the sentence before, not in this one, and this one opens with "He".
    assert features["prev_only"][he_died] > 0.5
    assert features["lean_prev_only"][he_died] == features["prev_only"][he_died]
    elected = texts.index(next(t for t in texts if t.startswith("Möngke")))
    assert features["prev_only"][elected] == 0.0
    assert features["next_only"][elected] > 0.0  # "die" is in the next sentence only
    assert texts[int(np.argmax(ranked.scores))].startswith("He died")


def test_a_neighbour_sharing_no_word_with_the_question_is_still_a_candidate(tmp_path: Path) -> None:
    (tmp_path / "khans.txt").write_text(
        "Möngke Khan was elected Great Khan of the Mongol Empire after a long dispute. "
        "He perished in 1259 without a successor, during the siege of Diaoyu Castle.\n",
        encoding="utf-8",
    )
    index = SentenceIndex.build(load_corpus([tmp_path]))
    question = "When did Möngke Khan die?"  # "perished" is not "die": the second sentence holds no question word
    ranked = rank(index, query_terms(index.tokenizer, question), question)
    texts = index.sentence_texts(ranked.candidates.ids)
    assert any(t.startswith("He perished") for t in texts)
    assert texts[int(np.argmax(ranked.scores))].startswith("He perished")
