"""Lexical and semantic evidence together: the blend, the "nothing found" rule and names no article mentions."""

from __future__ import annotations

import numpy as np

from retrieval.background import zipf_table
from retrieval.index import SentenceIndex
from retrieval.semantic import Blend, blend, declines, names, order, unknown_names


def test_blend_scales_lexical_scores_by_the_best_so_any_corpus_size_mixes_alike() -> None:
    lexical = np.array([10.0, 5.0, 2.0])
    semantic = np.array([0.1, 0.8, 0.2])
    assert np.allclose(blend(lexical, semantic, 0.0), [1.0, 0.5, 0.2])
    assert np.allclose(blend(lexical * 100, semantic, 0.5), blend(lexical, semantic, 0.5))
    assert list(order(lexical, semantic, 0.0)) == [0, 1, 2]
    assert list(order(lexical, semantic, 1.0)) == [1, 2, 0]
    assert blend(np.zeros(0), np.zeros(0), 0.5).size == 0


def test_declines_weighs_coverage_against_meaning() -> None:
    rule = Blend(floor=0.4, slope=0.5, coverage_ref=0.5, unknown_name_floor=0.6)
    assert not declines(0.5, 0.45, [], rule)
    assert declines(0.5, 0.35, [], rule)
    # Little of the question held in words: the sentence must be closer in meaning.
    assert declines(0.1, 0.55, [], rule)
    assert not declines(0.1, 0.65, [], rule)
    # A name no article mentions needs a sentence very close in meaning.
    assert declines(0.5, 0.55, ["Reykjavik"], rule)
    assert not declines(0.5, 0.65, ["Reykjavik"], rule)


def test_names_are_runs_of_capitalised_words_but_not_the_question_word() -> None:
    question = "Who met Roh Moo-hyun and NATO officials in New York?"
    assert [question[s:e] for s, e in names(question)] == ["Roh Moo-hyun", "NATO", "New York"]
    assert [q[s:e] for q in ["NATO said what?"] for s, e in names(q)] == ["NATO"]
    assert names("what is the population of iceland?") == []


def test_unknown_names_are_the_ones_no_sentence_uses(seed_index: SentenceIndex) -> None:
    assert unknown_names("What is the population of Reykjavik?", seed_index.tokenizer, [seed_index]) == ["Reykjavik"]
    assert unknown_names("What did Krishna tell Congress about IBM?", seed_index.tokenizer, [seed_index]) == []
    assert unknown_names("Was Reykjavik's mayor there?", seed_index.tokenizer, [seed_index]) == ["Reykjavik"]


def test_rare_words_no_sentence_uses_count_with_a_frequency_table(seed_index: SentenceIndex) -> None:
    question = "Who sequenced the first plastome for IBM?"
    assert unknown_names(question, seed_index.tokenizer, [seed_index]) == []
    # "sequenced" is common English, "IBM" is in the article: only "plastome" is both rare and unused.
    assert unknown_names(question, seed_index.tokenizer, [seed_index], zipf_table()) == ["plastome"]
