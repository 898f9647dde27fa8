"""Event-loop lag under concurrent questions, for any asynchronous answer path.

:func:`measure_lag` runs a monitor task that sleeps 5 ms at a time and records how late it
wakes up, while ``concurrent`` questions go through ``ask`` at once. The console pipeline
(``Answerer.answer_async`` + render) is measured by ``bench.child lag``; an adapter's path
(for Slack: a signed request through ``AsyncApp`` to a loopback fake of the Web API) plugs
in as another ``ask``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

import numpy as np

Ask = Callable[[str], Awaitable[object]]
TICK = 0.005


@dataclass
class LagResult:
    """How late the loop ran while the questions were answered, and how long answers took."""

    questions: int
    total_seconds: float
    answer_p50_ms: float
    answer_p99_ms: float
    lag_max_ms: float
    lag_p99_ms: float


async def measure_lag(ask: Ask, questions: Sequence[str], concurrent: int = 200) -> LagResult:
    """Ask ``concurrent`` questions at once through ``ask`` and measure the event loop's lag meanwhile."""
    lags: list[float] = []
    stop = asyncio.Event()

    async def monitor() -> None:
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            t = loop.time()
            await asyncio.sleep(TICK)
            lags.append(loop.time() - t - TICK)

    async def one(q: str) -> float:
        s = time.perf_counter()
        await ask(q)
        return time.perf_counter() - s

    mon = asyncio.create_task(monitor())
    await asyncio.sleep(10 * TICK)
    started = time.perf_counter()
    try:
        latencies = await asyncio.gather(*(one(questions[i % len(questions)]) for i in range(concurrent)))
    finally:
        stop.set()
        await mon
    total = time.perf_counter() - started
    lag_ms = np.asarray(lags or [0.0]) * 1000
    answer_ms = np.asarray(latencies) * 1000
    return LagResult(
        concurrent,
        total,
        float(np.percentile(answer_ms, 50)),
        float(np.percentile(answer_ms, 99)),
        float(lag_ms.max()),
        float(np.percentile(lag_ms, 99)),
    )
