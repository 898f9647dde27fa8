"""The in-memory state: de-duplication, token buckets with one notice per window, feedback, and the limiter on top."""

from __future__ import annotations

import pytest

from bot.config import LimitsConfig
from bot.limits import RateLimiter
from bot.models import Question
from bot.state import Decision, MemoryState, notice_window


class Clock:
    """A hand-moved monotonic clock."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_first_seen_claims_once_until_the_ttl_passes() -> None:
    clock = Clock()
    state = MemoryState(clock=clock)
    assert await state.first_seen("Ev1", ttl=60) is True
    assert await state.first_seen("Ev1", ttl=60) is False
    assert await state.first_seen("Ev2", ttl=60) is True
    clock.now += 61
    assert await state.first_seen("Ev1", ttl=60) is True


async def test_first_seen_forgets_the_oldest_keys_beyond_its_bound() -> None:
    state = MemoryState(max_keys=3)
    for key in "abcd":
        assert await state.first_seen(key) is True
    assert await state.first_seen("a") is True  # pushed out by "d"
    assert await state.first_seen("d") is False


async def test_bucket_allows_a_burst_then_refuses_with_one_notice_per_window() -> None:
    clock = Clock()
    state = MemoryState(clock=clock)
    rate, burst = 0.1, 3  # one token every 10 s
    assert [await state.allow("u", rate, burst) for _ in range(3)] == [Decision(True)] * 3
    refused = await state.allow("u", rate, burst)
    assert refused.allowed is False and refused.notify is True
    assert refused.retry_after == pytest.approx(10.0)
    again = await state.allow("u", rate, burst)
    assert again == Decision(False, False, pytest.approx(10.0))
    clock.now += 10
    assert (await state.allow("u", rate, burst)).allowed is True
    silent = await state.allow("u", rate, burst)
    assert silent.allowed is False and silent.notify is False  # still inside the first notice's window
    clock.now += notice_window(rate, burst)
    assert (await state.allow("u", rate, burst)).allowed is True
    assert (await state.allow("u", rate, burst)).allowed is True
    assert (await state.allow("u", rate, burst)).allowed is True
    assert (await state.allow("u", rate, burst)).notify is True  # a new window, a new notice


async def test_buckets_are_independent_and_never_hold_more_than_burst() -> None:
    clock = Clock()
    state = MemoryState(clock=clock)
    assert (await state.allow("a", 1.0, 1)).allowed
    assert not (await state.allow("a", 1.0, 1)).allowed
    assert (await state.allow("b", 1.0, 1)).allowed
    clock.now += 3600
    assert (await state.allow("a", 1.0, 1)).allowed
    assert not (await state.allow("a", 1.0, 1)).allowed


@pytest.mark.parametrize(("rate", "burst"), [(0.0, 1), (-1.0, 1), (float("nan"), 1), (1.0, 0)])
async def test_bad_bucket_settings_are_refused(rate: float, burst: int) -> None:
    with pytest.raises(ValueError):
        await MemoryState().allow("x", rate, burst)


async def test_feedback_keeps_the_latest_records_in_order() -> None:
    state = MemoryState()
    for i in range(5):
        await state.add_feedback({"vote": "up", "n": i})
    assert [e["n"] for e in await state.recent_feedback(3)] == [2, 3, 4]
    assert await state.recent_feedback(0) == []
    with pytest.raises(TypeError):
        await state.add_feedback({"bad": object()})


async def test_rate_limiter_checks_user_then_channel_and_notices_once() -> None:
    clock = Clock()
    state = MemoryState(clock=clock)
    limits = LimitsConfig(user_per_minute=6, user_burst=2, channel_per_minute=60, channel_burst=3)
    limiter = RateLimiter(state, limits)
    alice = Question("q", platform="slack", user="U1", channel="C1")
    bob = Question("q", platform="slack", user="U2", channel="C1")
    assert (await limiter.check(alice)).allowed
    assert (await limiter.check(alice)).allowed
    first = await limiter.check(alice)
    assert first.allowed is False and first.scope == "user"
    assert first.notice is not None and "10 seconds" in first.notice
    second = await limiter.check(alice)
    assert second.allowed is False and second.notice is None
    assert (await limiter.check(bob)).allowed  # the channel's third token
    by_channel = await limiter.check(bob)
    assert by_channel.allowed is False and by_channel.scope == "channel"
    assert by_channel.notice is not None and "channel" in by_channel.notice


async def test_rate_limits_of_zero_are_off_and_direct_messages_skip_the_channel_bucket() -> None:
    limiter = RateLimiter(MemoryState(), LimitsConfig(user_per_minute=0, channel_per_minute=1, channel_burst=1))
    dm = Question("q", platform="discord", user="1", channel=None)
    assert all([(await limiter.check(dm)).allowed for _ in range(20)])
