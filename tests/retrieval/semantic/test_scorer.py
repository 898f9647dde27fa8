"""The semantic scorer on small real inputs: the installed model, its checksum, and what its scores say."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.semantic import Encoder, ModelMissing, SemanticScorer, candidate_text
from retrieval.semantic.model import model_file, shared_encoder


def test_an_answering_sentence_scores_above_unrelated_ones() -> None:
    scorer = SemanticScorer.load()
    scores = scorer.score(
        "How many people live in Reykjavik?",
        [
            "The film earned $40 million at the box office in its first weekend.",
            "Reykjavik, the capital of Iceland, has about 135,000 inhabitants.",
            "IBM no longer offers general purpose facial recognition software.",
        ],
    )
    assert scores.shape == (3,)
    assert scores[1] > 0.5
    assert scores[1] > scores[0] + 0.3 and scores[1] > scores[2] + 0.3


def test_scores_do_not_depend_on_the_cache_or_the_batch() -> None:
    scorer = SemanticScorer(shared_encoder(), cache_size=1)
    sentences = ["Krishna wrote to lawmakers this week.", "Tensions reached a boiling point in 2003."]
    together = scorer.score("Who wrote to Congress?", sentences)
    alone = [scorer.score("Who wrote to Congress?", [s])[0] for s in reversed(sentences)]
    assert together[0] == pytest.approx(alone[1], abs=1e-4) and together[1] == pytest.approx(alone[0], abs=1e-4)
    assert len(scorer._cache) == 1
    assert scorer.score("anything", []).shape == (0,)


def test_candidate_text_puts_the_title_first_once() -> None:
    assert candidate_text("He resigned.", "Minister quits") == "Minister quits. He resigned."
    assert candidate_text("Minister quits over row.", "Minister quits") == "Minister quits over row."
    assert candidate_text("He resigned.", None) == "He resigned."
    assert candidate_text("He resigned.", "The minister said on Monday that…") == "He resigned."


def test_a_model_file_that_is_not_the_expected_one_is_refused(tmp_path: Path) -> None:
    wrong = tmp_path / "model.onnx"
    wrong.write_bytes(model_file().read_bytes()[:-1] + b"\0")
    with pytest.raises(ModelMissing, match="SHA-256"):
        Encoder.load(wrong)


def test_a_missing_model_says_how_to_install_it_or_turn_it_off(tmp_path: Path) -> None:
    with pytest.raises(ModelMissing, match=r"quotebot\[semantic\].*semantic = false"):
        Encoder.load(tmp_path / "absent.onnx")
    with pytest.raises(ModelMissing, match=r"needs the model package .*semantic = false"):
        model_file("quotebot_no_such_model_package")
