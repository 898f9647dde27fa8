"""The wrapper the adapters call: exactly once per event, rate limits with one notice, failures contained."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Iterator

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.answerer import Answerer
from bot.config import LimitsConfig, parse_config
from bot.lifecycle import Lifecycle
from bot.limits import RateLimiter
from bot.logs import AnswerLog, JsonFormatter
from bot.messages import SORRY
from bot.metrics import Metrics
from bot.models import Answer, Question
from bot.service import AnswerService, Handled, Kind, open_service
from bot.state import FallbackState, MemoryState, RedisState, State
from retrieval.index import SentenceIndex
from tests.redis_server import RedisServer

QUESTION = "Does IBM still sell facial recognition software?"
NO_LIMITS = LimitsConfig(user_per_minute=0, channel_per_minute=0)


class BrokenAnswerer(Answerer):
    """Fault injection: an answerer whose every answer raises, as a corrupt index would."""

    def answer(self, question: Question) -> Answer:
        raise RuntimeError("index file truncated")


def make_service(answerer: Answerer, state: State, limits: LimitsConfig = NO_LIMITS, log_questions: bool = True) -> AnswerService:
    return AnswerService(
        answerer, state, RateLimiter(state, limits), Lifecycle(max_concurrent=4), Metrics(), AnswerLog(log_questions)
    )


class Outbox:
    """What an adapter would have posted."""

    def __init__(self) -> None:
        self.sent: list[Handled] = []

    async def __call__(self, handled: Handled) -> None:
        await asyncio.sleep(0)
        self.sent.append(handled)


def value(metrics: Metrics, name: str, **labels: str) -> float:
    for family in text_string_to_metric_families(metrics.exposition().decode()):
        for s in family.samples:
            if s.name == name and s.labels == labels:
                return s.value
    return 0.0


@pytest.fixture
def answer_lines() -> Iterator[io.StringIO]:
    """The JSON lines written by quotebot.answers during the test."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("quotebot.answers")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    yield stream
    logger.removeHandler(handler)
    logger.setLevel(logging.NOTSET)


async def test_each_event_is_answered_once_however_often_it_is_delivered(
    seed_answerer: Answerer, answer_lines: io.StringIO
) -> None:
    service = make_service(seed_answerer, MemoryState())
    outbox = Outbox()
    question = Question(QUESTION, platform="slack", user="U1", channel="C1")
    results = await asyncio.gather(*(service.handle(question, "slack:Ev1", outbox) for _ in range(5)))
    assert sorted(o.kind.value for o in results) == ["answered"] + ["duplicate"] * 4
    (sent,) = outbox.sent
    assert sent.answer is not None and sent.answer.answered
    assert value(service.metrics, "quotebot_duplicates_total", platform="slack") == 4
    assert value(service.metrics, "quotebot_answered_total", platform="slack") == 1
    (line,) = [json.loads(x) for x in answer_lines.getvalue().splitlines()]
    assert (line["platform"], line["answered"], line["question"]) == ("slack", True, QUESTION)
    assert line["latency_ms"] >= 0


async def test_two_replicas_sharing_redis_answer_each_event_once(
    redis_server: RedisServer, seed_index: SentenceIndex, answer_lines: io.StringIO
) -> None:
    states = [RedisState.from_url(redis_server.url, timeout=5.0) for _ in range(2)]
    replicas = [make_service(Answerer(seed_index), s) for s in states]
    outbox = Outbox()
    try:
        deliveries = [
            replicas[i % 2].handle(Question(QUESTION, platform="slack", user=f"U{n}"), f"slack:Ev{n}", outbox)
            for n in range(40)
            for i in range(3)  # every event reaches both replicas, one of them twice (a retry)
        ]
        results = await asyncio.gather(*deliveries)
    finally:
        for replica in replicas:
            replica.answerer.close()
        for state in states:
            await state.close()
    assert sum(o.kind is Kind.ANSWERED for o in results) == 40
    assert len(outbox.sent) == 40
    assert sum(value(r.metrics, "quotebot_answered_total", platform="slack") for r in replicas) == 40


async def test_rate_limited_user_gets_one_notice_then_silence(seed_answerer: Answerer) -> None:
    limits = LimitsConfig(user_per_minute=1, user_burst=1, channel_per_minute=0)
    service = make_service(seed_answerer, MemoryState(), limits)
    outbox = Outbox()
    kinds = []
    for n in range(4):
        handled = await service.handle(Question(QUESTION, platform="discord", user="42"), f"discord:{n}", outbox)
        kinds.append(handled.kind)
    assert kinds == [Kind.ANSWERED, Kind.LIMITED, Kind.LIMITED, Kind.LIMITED]
    assert [o.kind for o in outbox.sent] == [Kind.ANSWERED, Kind.LIMITED]
    assert outbox.sent[1].notice is not None and "wait about" in outbox.sent[1].notice
    assert value(service.metrics, "quotebot_rate_limited_total", platform="discord", scope="user") == 3


async def test_a_failing_answer_is_contained_counted_and_apologised_for(
    seed_index: SentenceIndex, answer_lines: io.StringIO, caplog: pytest.LogCaptureFixture
) -> None:
    service = make_service(BrokenAnswerer(seed_index), MemoryState(), log_questions=False)
    outbox = Outbox()
    try:
        handled = await service.handle(Question(QUESTION, platform="slack"), "slack:Ev9", outbox)
    finally:
        service.answerer.close()
    assert handled == Handled(Kind.FAILED, notice=SORRY)
    assert outbox.sent == [handled]
    assert value(service.metrics, "quotebot_errors_total", platform="slack", kind="RuntimeError") == 1
    (line,) = [json.loads(x) for x in answer_lines.getvalue().splitlines()]
    assert line["error"] == "RuntimeError" and line["level"] == "WARNING" and "question" not in line
    assert "index file truncated" in caplog.text


async def test_a_failing_reply_is_counted_not_raised(seed_answerer: Answerer) -> None:
    service = make_service(seed_answerer, MemoryState())

    async def send(handled: Handled) -> None:
        raise ConnectionResetError("socket dropped")

    handled = await service.handle(Question(QUESTION, platform="slack"), "slack:Ev1", send)
    assert handled.kind is Kind.ANSWERED
    assert value(service.metrics, "quotebot_errors_total", platform="slack", kind="send:ConnectionResetError") == 1
    assert service.lifecycle.in_flight == 0 and value(service.metrics, "quotebot_answers_in_flight") == 0


async def test_a_draining_replica_leaves_the_event_unclaimed(seed_answerer: Answerer) -> None:
    state = MemoryState()
    service = make_service(seed_answerer, state)
    service.lifecycle.stop("test")
    outbox = Outbox()
    handled = await service.handle(Question(QUESTION, platform="slack"), "slack:Ev1", outbox)
    assert handled.kind is Kind.SHUTTING_DOWN and not handled.sends and outbox.sent == []
    assert await state.first_seen("slack:Ev1") is True  # another replica may still take it


async def test_open_service_follows_the_config(
    redis_server: RedisServer, seed_answerer: Answerer, caplog: pytest.LogCaptureFixture
) -> None:
    text = f"""
[state]
backend = "redis"
redis_url = "{redis_server.url}"
timeout = 5.0
retry_seconds = 0.05
[limits]
user_per_minute = 60
user_burst = 1
max_concurrent_answers = 3
shutdown_grace_seconds = 7
[privacy]
log_questions = false
"""
    service = await open_service(parse_config(text), seed_answerer)
    try:
        assert isinstance(service.state, FallbackState) and service.state.retry_interval == 0.05
        assert (service.lifecycle.max_concurrent, service.lifecycle.grace) == (3, 7.0)
        assert service.answer_log.log_questions is False
        assert service.health() == {"ok": True, "draining": False, "in_flight": 0, "state": "redis"}
        assert value(service.metrics, "quotebot_state_redis_up") == 1
        outbox = Outbox()
        question = Question(QUESTION, platform="slack", user="U1")
        assert (await service.handle(question, "slack:Ev1", outbox)).kind is Kind.ANSWERED
        assert (await service.handle(question, "slack:Ev2", outbox)).kind is Kind.LIMITED
        redis_server.kill()
        assert (await service.handle(question, "slack:Ev1", outbox)).kind is Kind.DUPLICATE  # remembered locally
        assert service.health()["state"] == "memory" and value(service.metrics, "quotebot_state_redis_up") == 0
        assert "falling back to in-process memory" in caplog.text
    finally:
        await service.close()


async def test_open_service_on_memory_by_default(seed_answerer: Answerer) -> None:
    service = await open_service(parse_config(""), seed_answerer)
    assert isinstance(service.state, MemoryState) and service.health()["state"] == "memory"
    assert (service.lifecycle.max_concurrent, service.lifecycle.grace) == (8, 30.0)
    await service.close()


async def test_several_keys_are_all_claimed_and_a_repeat_of_any_is_a_duplicate(seed_answerer: Answerer) -> None:
    service = make_service(seed_answerer, MemoryState())
    outbox = Outbox()
    question = Question(QUESTION, platform="slack", user="U1")
    first = await service.handle(question, ["slack:event:Ev1", "slack:message:C1:1.0"], outbox)
    # the same post as another event (app_mention and message both arrive for one mention)
    second = await service.handle(question, ["slack:event:Ev2", "slack:message:C1:1.0"], outbox)
    assert first.kind is Kind.ANSWERED
    assert (second.kind, second.key) == (Kind.DUPLICATE, "slack:message:C1:1.0")
    assert len(outbox.sent) == 1


async def test_claim_only_sends_claimed_without_answering_or_rate_limiting(seed_answerer: Answerer) -> None:
    limits = LimitsConfig(user_per_minute=1, user_burst=1, channel_per_minute=0)
    service = make_service(seed_answerer, MemoryState(), limits)
    outbox = Outbox()
    empty = Question("", platform="slack", user="U1")
    results = [await service.handle(empty, f"slack:Ev{n}", outbox, answer=False) for n in range(3)]
    assert [r.kind for r in results] == [Kind.CLAIMED] * 3 and [h.kind for h in outbox.sent] == [Kind.CLAIMED] * 3
    assert (await service.handle(empty, "slack:Ev0", outbox, answer=False)).kind is Kind.DUPLICATE
    assert value(service.metrics, "quotebot_questions_total", platform="slack") == 0
