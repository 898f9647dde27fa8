"""answer(): passages for answerable questions, a plain reason for everything else."""

from __future__ import annotations

import asyncio

import pytest

from bot.answerer import Answerer, AnswerSettings
from bot.models import NoAnswer, Question
from retrieval.corpus import load_corpus
from retrieval.index import SentenceIndex
from retrieval.records import Article, LoadReport
from tests.conftest import IBM_QUOTE, SEED_FILE


def test_answer_carries_quote_title_date_source_offsets_and_highlights(seed_answerer: Answerer) -> None:
    answer = seed_answerer.answer(Question("Does IBM still sell facial recognition software?"))
    assert answer.answered and len(answer.passages) == 3
    first = answer.passages[0]
    assert first.text.startswith(IBM_QUOTE)
    assert first.source.id == SEED_FILE and first.date is not None and first.date.isoformat() == "2020-06-09"
    article = seed_answerer.index.articles[0]
    assert article.text[first.start : first.end] == first.text
    highlighted = {first.text[s:e] for s, e in first.highlights}
    assert {"IBM", "facial", "recognition", "software"} <= highlighted
    assert [p.score for p in answer.passages] == sorted((p.score for p in answer.passages), reverse=True)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", NoAnswer.EMPTY),
        ("   \n\t ", NoAnswer.EMPTY),
        ("x" * 10_000, NoAnswer.TOO_LONG),
        ("what is the of and", NoAnswer.NO_CONTENT_WORDS),
        ("🙂🔥🙂", NoAnswer.NO_CONTENT_WORDS),
        ("東京の天気はどうですか", NoAnswer.NOT_FOUND),
        ("Что сказал Кришна?", NoAnswer.NOT_FOUND),
        ("What is the capital of Australia?", NoAnswer.NOT_MENTIONED),
        ("What is the boiling point of mercury?", NoAnswer.NOT_FOUND),
    ],
)
def test_unanswerable_questions_get_a_reason_and_a_message(seed_answerer: Answerer, text: str, reason: NoAnswer) -> None:
    answer = seed_answerer.answer(Question(text))
    assert not answer.answered and answer.passages == ()
    assert answer.reason is reason
    assert answer.message and "{" not in answer.message
    assert answer.to_json()["answered"] is False


def test_too_long_message_names_the_length_and_the_limit(seed_answerer: Answerer) -> None:
    answer = seed_answerer.answer(Question("IBM " * 2499 + "IBM?"))
    assert "10,000" in answer.message and "1,000" in answer.message


def test_k_and_offset_page_through_results(seed_answerer: Answerer) -> None:
    first = seed_answerer.answer(Question("IBM facial recognition", k=2))
    second = seed_answerer.answer(Question("IBM facial recognition", k=2, offset=2))
    assert len(first.passages) == 2 and first.has_more
    assert not {p.start for p in first.passages} & {p.start for p in second.passages}
    assert second.offset == 2
    beyond = seed_answerer.answer(Question("IBM facial recognition", k=2, offset=500))
    assert beyond.reason is NoAnswer.NO_MORE


def test_identical_sentences_from_several_articles_appear_once() -> None:
    text = "The mayor resigned on Tuesday after the audit."
    other = "The audit found missing funds."
    articles = [
        Article("wire-a.txt", "A", None, None, f"{text} {other}", ((0, len(text) + 1 + len(other)),)),
        Article("wire-b.txt", "B", None, None, text, ((0, len(text)),)),
        Article("local.txt", "C", None, None, "The mayor spoke to reporters.", ((0, 29),)),
    ]
    answerer = Answerer(SentenceIndex.build(LoadReport(articles)))
    answer = answerer.answer(Question("Why did the mayor resign?"))
    texts = [p.text for p in answer.passages]
    assert texts.count(text) == 1
    merged = next(p for p in answer.passages if p.text == text)
    assert {merged.source.id, *(s.id for s in merged.also)} == {"wire-a.txt", "wire-b.txt"}


def test_thresholds_refuse_weak_matches() -> None:
    from retrieval.index import IndexSettings

    reranked = SentenceIndex.build(load_corpus(["seeds"]))
    assert Answerer(reranked).answer(Question("IBM facial recognition")).answered
    lexical = AnswerSettings(min_coverage=1.01, semantic=False)
    assert Answerer(reranked, lexical).answer(Question("IBM facial recognition")).reason is NoAnswer.NOT_FOUND
    plain = SentenceIndex.build(load_corpus(["seeds"]), IndexSettings(rerank=False))
    assert Answerer(plain).answer(Question("IBM facial recognition")).answered
    assert Answerer(plain, AnswerSettings(min_score=1000.0)).answer(Question("IBM facial recognition")).reason is NoAnswer.NOT_FOUND


async def test_answer_async_runs_off_the_loop(seed_answerer: Answerer) -> None:
    question = Question("Does IBM still sell facial recognition software?")
    answers = await asyncio.gather(*(seed_answerer.answer_async(question) for _ in range(20)))
    assert all(a.answered and a.passages[0].text.startswith(IBM_QUOTE) for a in answers)
