"""The loop-lag probe sees a loop that an answer blocks (a lower bound the blocking guarantees, not a timing goal)."""

from __future__ import annotations

import asyncio
import time

from bench.lag import measure_lag


async def test_lag_probe_contrasts_blocking_and_non_blocking_answers() -> None:
    async def polite(q: str) -> str:
        await asyncio.to_thread(time.sleep, 0.02)
        return q

    async def rude(q: str) -> str:
        time.sleep(0.02)  # blocks the loop, as retrieval on the loop would
        return q

    free = await measure_lag(polite, ["q"], concurrent=10)
    blocked = await measure_lag(rude, ["q"], concurrent=10)
    assert free.questions == blocked.questions == 10
    assert free.answer_p50_ms >= 20 and blocked.answer_p50_ms >= 20
    # Each blocking answer holds the loop for at least 20 ms, so the probe must see that much.
    assert blocked.lag_max_ms >= 19
