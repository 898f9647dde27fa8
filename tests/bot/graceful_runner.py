"""A small async runner for the SIGTERM test: questions from stdin, answered concurrently under a :class:`Lifecycle`.

Run as ``python -m tests.bot.graceful_runner``: each answer is held until the
line ``/release`` arrives (a stand-in for a slow platform reply), so the test
can send SIGTERM while answers are in flight. It prints one line per event:
``started N``, ``answer N {json}``, ``refused N``, ``stopping`` and ``closed``.
"""

from __future__ import annotations

import asyncio
import json
import sys

from bot.answerer import Answerer
from bot.lifecycle import Lifecycle, ShuttingDown
from bot.models import Question
from retrieval.corpus import load_corpus
from retrieval.index import SentenceIndex
from tests.conftest import SEEDS


def say(line: str) -> None:
    print(line, flush=True)


async def main() -> int:
    answerer = Answerer(SentenceIndex.build(load_corpus([SEEDS])))
    lifecycle = Lifecycle(max_concurrent=4, grace=30)
    tasks: set[asyncio.Task[None]] = set()
    release = asyncio.Event()

    async def handle(n: int, text: str) -> None:
        try:
            async with lifecycle.work():
                say(f"started {n}")
                await release.wait()
                answer = await answerer.answer_async(Question(text, platform="runner"))
                say(f"answer {n} {json.dumps(answer.to_json())}")
        except ShuttingDown:
            say(f"refused {n}")

    async def read() -> None:
        reader = asyncio.StreamReader()
        loop = asyncio.get_running_loop()
        await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
        n = 0
        while line := await reader.readline():
            text = line.decode().strip()
            if text == "/release":
                release.set()
                continue
            n += 1
            task = asyncio.create_task(handle(n, text))
            tasks.add(task)
            task.add_done_callback(tasks.discard)

    async def announce() -> None:
        await lifecycle.stopped()
        say("stopping")

    async def close() -> None:
        answerer.close()
        say("closed")

    reader = asyncio.create_task(read())
    announcer = asyncio.create_task(announce())
    say("ready")
    code = await lifecycle.run_until_stopped(close)
    reader.cancel()
    await asyncio.gather(reader, announcer, return_exceptions=True)
    return code


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
