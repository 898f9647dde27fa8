"""The answerer with semantic evidence on and off: the switch, re-ordering, and "nothing found" with its reason."""

from __future__ import annotations

from bot.config import parse_config
from bot.models import NoAnswer, Question
from bot.pipeline import Answerer, AnswerSettings
from retrieval.index import SentenceIndex
from retrieval.semantic import SemanticScorer
from tests.conftest import IBM_QUOTE


def test_the_config_switch_loads_the_model_only_when_on(seed_index: SentenceIndex) -> None:
    off = parse_config("[answer]\nsemantic = false\n")
    assert off.answer.semantic is False
    assert Answerer(seed_index, off.answer).semantic is None
    on = parse_config("[answer]\nsemantic = true\n")
    assert isinstance(Answerer(seed_index, on.answer).semantic, SemanticScorer)
    assert parse_config("").answer.semantic is True


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
