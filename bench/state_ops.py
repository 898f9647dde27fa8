"""What shared state costs per event: memory against Redis (direct and behind the fallback), and during an outage.

Starts its own ``redis-server`` on a free loopback port (as the tests do) and times
``first_seen`` (de-duplication) and ``allow`` (a rate-limit bucket), each ``n`` times,
one at a time and ``concurrency`` at once, for every backend in the same run:

    python -m bench.state_ops [-n 5000] [--concurrency 32]

Prints a table of microseconds per operation and the ratio to MemoryState.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.state import FallbackState, MemoryState, RedisState, State
from tests.redis_server import RedisServer

Op = Callable[[State, int], Awaitable[object]]

OPS: dict[str, Op] = {
    "first_seen": lambda s, i: s.first_seen(f"bench:Ev{i}", 60),
    "allow": lambda s, i: s.allow(f"bench:user:U{i % 500}", 1000.0, 50),
}


async def time_op(state: State, op: Op, n: int, concurrency: int) -> float:
    """Seconds per operation: ``n`` calls, ``concurrency`` in flight at a time."""
    limit = asyncio.Semaphore(concurrency)

    async def one(i: int) -> None:
        async with limit:
            await op(state, i)

    started = time.perf_counter()
    if concurrency == 1:
        for i in range(n):
            await op(state, i)
    else:
        await asyncio.gather(*(one(i) for i in range(n)))
    return (time.perf_counter() - started) / n


async def measure(n: int, concurrency: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        server = RedisServer(Path(tmp) / "redis")
        server.start()
        outage_server = RedisServer(Path(tmp) / "gone")  # never started: every probe fails
        redis = RedisState.from_url(server.url)
        fallback = FallbackState(RedisState.from_url(server.url))
        outage = FallbackState(RedisState.from_url(outage_server.url), retry_interval=5.0)
        backends: dict[str, State] = {
            "MemoryState": MemoryState(),
            "RedisState": redis,
            "FallbackState (Redis up)": fallback,
            "FallbackState (Redis down)": outage,
        }
        try:
            await outage.start()
            rows = []
            for op_name, op in OPS.items():
                for c in (1, concurrency):
                    results = {}
                    for name, state in backends.items():
                        await server_flush(redis)
                        await time_op(state, op, min(n, 200), c)  # warm-up: connections, script load
                        await server_flush(redis)
                        results[name] = await time_op(state, op, n, c)
                    base = results["MemoryState"]
                    for name, seconds in results.items():
                        rows.append((op_name, c, name, seconds * 1e6, seconds / base))
        finally:
            for state in backends.values():
                await state.close()
            server.stop()
    print(f"n = {n} operations per cell\n")
    print("| operation | in flight | backend | µs per op | ratio to memory |")
    print("| --- | --- | --- | --- | --- |")
    for op_name, c, name, micros, ratio in rows:
        print(f"| {op_name} | {c} | {name} | {micros:.1f} | {ratio:.1f} |")


async def server_flush(redis: RedisState) -> None:
    await redis.client.flushdb()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("-n", type=int, default=5000, help="operations per cell (default: 5000)")
    parser.add_argument("--concurrency", type=int, default=32, help="operations in flight for the concurrent rows (default: 32)")
    args = parser.parse_args()
    asyncio.run(measure(args.n, args.concurrency))


if __name__ == "__main__":
    main()
