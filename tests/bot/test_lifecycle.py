"""Graceful shutdown: the concurrency cap, refusing new work, draining, and real processes sent SIGTERM."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys

import pytest

from bot.lifecycle import Lifecycle, ShuttingDown
from tests.conftest import ROOT, SEEDS

QUESTION = b"Does IBM still sell facial recognition software?\n"


async def test_work_runs_at_most_max_concurrent_at_once() -> None:
    lifecycle = Lifecycle(max_concurrent=2)
    running, peak = 0, 0
    release = asyncio.Event()

    async def job() -> None:
        nonlocal running, peak
        async with lifecycle.work():
            running += 1
            peak = max(peak, running)
            await release.wait()
            running -= 1

    tasks = [asyncio.create_task(job()) for _ in range(5)]
    await asyncio.sleep(0.01)
    assert (running, lifecycle.in_flight) == (2, 5)  # three wait for a slot, but all five are accepted
    release.set()
    await asyncio.gather(*tasks)
    assert peak == 2 and lifecycle.in_flight == 0


async def test_stop_refuses_new_work_and_drain_waits_for_the_rest() -> None:
    lifecycle = Lifecycle(max_concurrent=4)
    release = asyncio.Event()
    done: list[int] = []

    async def job(n: int) -> None:
        async with lifecycle.work():
            await release.wait()
            done.append(n)

    tasks = [asyncio.create_task(job(n)) for n in range(3)]
    await asyncio.sleep(0)
    lifecycle.stop("test")
    assert lifecycle.status() == {"ok": False, "draining": True, "in_flight": 3}
    with pytest.raises(ShuttingDown):
        async with lifecycle.work():
            pytest.fail("work accepted after stop")
    assert await lifecycle.drain(timeout=0.05) is False
    release.set()
    assert await lifecycle.drain(timeout=5) is True
    await asyncio.gather(*tasks)
    assert sorted(done) == [0, 1, 2]


async def test_run_until_stopped_drains_then_closes_and_returns_0() -> None:
    lifecycle = Lifecycle(max_concurrent=2, grace=5)
    order: list[str] = []

    async def job() -> None:
        async with lifecycle.work():
            await asyncio.sleep(0.05)
            order.append("answered")

    async def close() -> None:
        order.append("closed")

    async def failing_close() -> None:
        raise ConnectionError("already gone")

    runner = asyncio.create_task(lifecycle.run_until_stopped(failing_close, close, signals=(signal.SIGUSR1,)))
    await asyncio.sleep(0)
    work = asyncio.create_task(job())
    await asyncio.sleep(0.01)
    os.kill(os.getpid(), signal.SIGUSR1)
    assert await asyncio.wait_for(runner, 5) == 0
    await work
    assert order == ["answered", "closed"]
    assert lifecycle.reason == "SIGUSR1"


async def test_run_until_stopped_returns_1_when_grace_runs_out() -> None:
    lifecycle = Lifecycle(grace=0.05)
    hang = asyncio.Event()

    async def stuck() -> None:
        async with lifecycle.work():
            await hang.wait()

    task = asyncio.create_task(stuck())
    await asyncio.sleep(0)
    lifecycle.stop()
    assert await lifecycle.run_until_stopped(signals=()) == 1
    hang.set()
    await task


async def readline(stream: asyncio.StreamReader, timeout: float = 30) -> str:
    line = await asyncio.wait_for(stream.readline(), timeout)
    if not line:
        raise EOFError("the process closed its output")
    return line.decode().rstrip("\n")


async def spawn(*args: str) -> asyncio.subprocess.Process:
    pipe = asyncio.subprocess.PIPE
    return await asyncio.create_subprocess_exec(sys.executable, *args, cwd=ROOT, stdin=pipe, stdout=pipe, stderr=pipe)


async def test_sigterm_finishes_answers_in_flight_refuses_new_ones_and_exits_0() -> None:
    proc = await spawn("-m", "tests.bot.graceful_runner")
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    try:
        assert await readline(proc.stdout) == "ready"
        proc.stdin.write(QUESTION * 3)
        await proc.stdin.drain()
        started = {await readline(proc.stdout) for _ in range(3)}
        assert started == {"started 1", "started 2", "started 3"}
        proc.send_signal(signal.SIGTERM)
        assert await readline(proc.stdout) == "stopping"
        proc.stdin.write(QUESTION)  # arrives after the signal: must not be answered
        await proc.stdin.drain()
        assert await readline(proc.stdout) == "refused 4"
        proc.stdin.write(b"/release\n")  # now the three answers in flight may finish
        await proc.stdin.drain()
        rest = [await readline(proc.stdout) for _ in range(4)]
        code = await asyncio.wait_for(proc.wait(), 30)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    stderr = (await proc.stderr.read()).decode()
    assert code == 0, stderr
    answers = sorted(line for line in rest if line.startswith("answer "))
    assert [a.split(" ", 2)[1] for a in answers] == ["1", "2", "3"]
    assert all(json.loads(a.split(" ", 2)[2])["answered"] for a in answers)
    assert rest[-1] == "closed"  # closed only after every answer in flight was written


async def test_console_exits_0_on_sigterm_while_waiting_for_input() -> None:
    proc = await spawn("-m", "bot", "console", "--corpus", str(SEEDS))
    assert proc.stdin is not None and proc.stdout is not None
    try:
        assert (await readline(proc.stdout)).startswith("quotebot:")  # the banner
        await readline(proc.stdout)
        proc.stdin.write(QUESTION)
        await proc.stdin.drain()
        assert "IBM no longer offers" in await readline(proc.stdout)
        proc.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(proc.wait(), 30)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert code == 0
