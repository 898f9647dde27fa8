"""The one feedback rule for every platform: one vote per person per answer, remembered for ``VOTE_TTL``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.answerer import Answerer
from bot.config import parse_config
from bot.feedback import VOTE_TTL, FeedbackLog, passages_digest
from bot.models import Question
from bot.service import Voted, build_service
from bot.state import MemoryState

QUESTION = "Does IBM still sell facial recognition software?"


def records(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("platform", ["slack", "discord"])
async def test_one_vote_per_person_per_answer_remembered_for_thirty_days(
    seed_answerer: Answerer, tmp_path: Path, platform: str
) -> None:
    now = [1000.0]
    service = build_service(parse_config(""), seed_answerer, MemoryState(clock=lambda: now[0]))
    feedback = FeedbackLog(tmp_path / "feedback.jsonl")
    asker = Question(QUESTION, platform=platform, user="U1")
    answer = seed_answerer.answer(asker)
    assert VOTE_TTL == 30 * 24 * 3600.0

    assert await service.vote(feedback, asker, "up", "m1:0", answer=answer) is Voted.RECORDED
    assert await service.vote(feedback, asker, "down", "m1:0", answer=answer) is Voted.DUPLICATE  # changing one's mind too
    other = Question(QUESTION, platform=platform, user="U2")
    assert await service.vote(feedback, other, "down", "m1:0", answer=answer) is Voted.RECORDED
    assert await service.vote(feedback, asker, "up", "m1:3", answer=answer) is Voted.RECORDED  # the next page is another answer
    now[0] += VOTE_TTL - 1
    assert await service.vote(feedback, asker, "up", "m1:0", answer=answer) is Voted.DUPLICATE
    now[0] += 2
    assert await service.vote(feedback, asker, "down", "m1:0", answer=answer) is Voted.RECORDED

    logged = records(tmp_path / "feedback.jsonl")
    assert [(r["platform"], r["user"], r["vote"]) for r in logged] == [
        (platform, "U1", "up"),
        (platform, "U2", "down"),
        (platform, "U1", "up"),
        (platform, "U1", "down"),
    ]
    exposition = service.metrics.exposition().decode()
    assert f'quotebot_votes_total{{platform="{platform}",vote="up"}} 2.0' in exposition


async def test_a_vote_found_again_must_match_what_was_shown(seed_answerer: Answerer, tmp_path: Path) -> None:
    service = build_service(parse_config(""), seed_answerer, MemoryState())
    feedback = FeedbackLog(tmp_path / "feedback.jsonl")
    voter = Question(QUESTION, platform="slack", user="U1")
    shown = passages_digest(seed_answerer.answer(voter))
    assert await service.vote(feedback, voter, "up", "c:1:0", digest="0" * 12) is Voted.CHANGED
    assert not (tmp_path / "feedback.jsonl").exists()
    assert await service.vote(feedback, voter, "up", "c:2:0", digest=shown) is Voted.RECORDED
    (record,) = records(tmp_path / "feedback.jsonl")
    assert record["question"] == QUESTION and record["passages"]


async def test_no_vote_is_taken_while_shutting_down(seed_answerer: Answerer, tmp_path: Path) -> None:
    service = build_service(parse_config(""), seed_answerer, MemoryState())
    feedback = FeedbackLog(tmp_path / "feedback.jsonl")
    voter = Question(QUESTION, platform="discord", user="1")
    service.lifecycle.stop("test")
    assert await service.vote(feedback, voter, "up", "m:0", answer=seed_answerer.answer(voter)) is Voted.SHUTTING_DOWN
    assert not (tmp_path / "feedback.jsonl").exists()
