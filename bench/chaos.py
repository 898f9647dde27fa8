"""``make chaos``: the fault scenarios of issue 16, end to end, loopback only, bounded (well under 3 minutes).

Each scenario runs the real thing (the Slack HTTP endpoint against the fake Slack Web API
from the tests, a real ``redis-server``, the live corpus index with its worker processes,
the index builder) and prints one line: what was lost (must be nothing) and what the bot
logged meanwhile (lines, bytes, tracebacks, and the distinct messages).

1. unsigned flood: 2,000 requests with missing, malformed or wrong signatures, 50 at a time,
   with 20 signed questions among them;
2. slow clients: 300 connections that never finish their headers and 50 that never finish
   their body, while 20 questions and 20 ``/healthz`` checks go through;
3. corpus faults: a single-file corpus replaced by rename, a corpus folder deleted and
   recreated, the indexing workers killed; each change must become answerable;
4. hostile files: a FIFO, an oversized file, a symlink loop and a symlink to ``/dev/zero`` in a
   corpus of 20 articles, indexed from scratch;
5. Redis restart: 100 questions answered through Redis, Redis killed and started again
   empty, then Slack's retries of all 100 delivered: none may be answered twice.

    python -m bench.chaos

Exits 1 if anything was lost, answered twice, or logged with a traceback.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from bot.answerer import Answerer
from bot.config import Config, Secret
from bot.http_server import ServerLimits
from bot.platforms.slack import RunningSlack, start_slack
from retrieval import NO_GATE, LiveIndex, Searcher, SentenceIndex, load_corpus, open_index
from tests.bot.platforms.slack.conftest import HttpSlack, Outcomes, fixture
from tests.bot.platforms.slack.fake_slack import FakeSlack
from tests.redis_server import REDIS_SERVER, SKIP_REASON, RedisServer

ROOT = Path(__file__).resolve().parent.parent
SECRET = "chaos-signing-secret"
RETRY = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
QUESTION = "Does IBM still sell facial recognition software?"
_NUMBER = re.compile(r"\d+")
_QUOTED = re.compile(r"'[^']*'")


class LogTally(logging.Handler):
    """Counts what the bot logs during a scenario: lines, bytes, tracebacks, and each distinct message."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines = self.bytes = self.tracebacks = 0
        self.messages: dict[str, int] = {}

    def emit(self, record: logging.LogRecord) -> None:
        text = self.format(record)
        self.lines += 1
        self.bytes += len(text.encode("utf-8", "replace")) + 1
        self.tracebacks += bool(record.exc_info or record.exc_text)
        message = _QUOTED.sub("'…'", _NUMBER.sub("N", record.getMessage()))  # one kind per kind, not per user or port
        key = f"{record.levelname} {record.name}: {message[:100]}"
        self.messages[key] = self.messages.get(key, 0) + 1

    def summary(self) -> str:
        shown = " | ".join(f"{m}" + (f" (x{n})" if n > 1 else "") for m, n in self.messages.items())
        return f"logged {self.lines} lines ({self.bytes:,} bytes, {self.tracebacks} tracebacks): {shown or 'nothing'}"


@dataclass
class Result:
    """One scenario's line."""

    name: str
    lost: int
    of: int
    detail: str
    log: LogTally = field(default_factory=LogTally)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.lost == 0 and self.log.tracebacks == 0

    def line(self) -> str:
        return f"chaos: {self.name}: lost {self.lost} of {self.of}; {self.detail}; {self.log.summary()} [{self.seconds:.1f}s]"


def dm(n: int, prefix: str) -> dict[str, Any]:
    """A DM asking the IBM question as its own event (own id, ts and conversation)."""
    payload = fixture("message_im.json")
    payload["event_id"] = f"Ev{prefix}{n:05d}"
    payload["event"].update(text=QUESTION, user=f"U{n:05d}", channel=f"D{prefix}{n:05d}", ts=f"1700000000.{n:06d}")
    return payload


async def start_bot(fake: FakeSlack, tmp: Path, **state: Any) -> tuple[RunningSlack, HttpSlack, Answerer]:
    """The Slack bot in HTTP mode on a free loopback port, answering from the seed article."""
    config = Config()
    config.slack.api_url = fake.api_url
    config.slack.bot_token, config.slack.signing_secret = Secret("xoxb-chaos-token"), Secret(SECRET)
    config.feedback.path = str(tmp / "feedback.jsonl")
    config.limits.user_per_minute = config.limits.channel_per_minute = 0
    for key, value in state.items():
        setattr(config.state, key, value)
    answerer = Answerer(SentenceIndex.build(load_corpus([ROOT / "seeds"])))
    outcomes = Outcomes()
    service = await start_slack(config, answerer, http=True, port=0, host="127.0.0.1", on_outcome=outcomes.append)
    return service, HttpSlack(service, fake, outcomes, secret=SECRET), answerer


async def replies_to(fake: FakeSlack, channels: set[str], timeout: float = 30.0) -> int:
    """How many of ``channels`` got a reply, waiting up to ``timeout`` seconds for all of them."""
    try:
        await fake.wait_for(lambda: channels <= {p.args.get("channel") for p in fake.posts()}, timeout)
    except TimeoutError:
        pass
    return len(channels & {p.args.get("channel") for p in fake.posts()})


# -- 1 ----------------------------------------------------------------------------------------


async def unsigned_flood(tmp: Path) -> Result:
    fake = FakeSlack()
    await fake.start()
    service, slack, answerer = await start_bot(fake, tmp)
    now = str(int(time.time()))
    bad = [
        {},
        {"X-Slack-Request-Timestamp": ""},
        {"X-Slack-Request-Timestamp": "9" * 5000, "X-Slack-Signature": "v0=00"},
        {"X-Slack-Request-Timestamp": "soon", "X-Slack-Signature": "v0=" + "0" * 64},
        {"X-Slack-Request-Timestamp": now, "X-Slack-Signature": "v0=\u00e9\u00e9"},
        {"X-Slack-Request-Timestamp": now, "X-Slack-Signature": "v0=" + "0" * 64},
    ]
    bodies = [b'{"type":"url_verification","challenge":"x"}', b'{"type":"ssl_check"}', b"\xff\xfe", b"[" * 3000]
    statuses: dict[int, int] = {}
    gate = asyncio.Semaphore(50)
    async with aiohttp.ClientSession() as session:

        async def one(i: int) -> None:
            async with gate:
                headers = {"Content-Type": "application/json", **bad[i % len(bad)]}
                async with session.post(slack.url, data=bodies[i % len(bodies)], headers=headers) as response:
                    statuses[response.status] = statuses.get(response.status, 0) + 1

        async def signed(i: int) -> None:
            await asyncio.sleep(i * 0.02)
            await slack.event(dm(i, "F"))

        await asyncio.gather(*(one(i) for i in range(2000)), *(signed(i) for i in range(20)))
    answered = await replies_to(fake, {f"DF{i:05d}" for i in range(20)})
    await service.close()
    await fake.stop()
    answerer.close()
    codes = ", ".join(f"{n}x{code}" for code, n in sorted(statuses.items()))
    return Result("unsigned flood (2,000 bad requests + 20 signed questions)", 20 - answered, 20, f"bad requests got {codes}")


# -- 2 ----------------------------------------------------------------------------------------


async def slow_clients(tmp: Path) -> Result:
    fake = FakeSlack()
    await fake.start()
    service, slack, answerer = await start_bot(fake, tmp)
    runner = service.runner
    server = runner.server  # type: ignore[union-attr]
    server.limits = ServerLimits(header_timeout=1.0, body_timeout=1.0, max_connections=100, keepalive_timeout=1.0)
    port = runner.port  # type: ignore[union-attr]
    streams = []
    for i in range(350):
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        if i < 300:
            writer.write(b"POST /slack/events HTTP/1.1\r\nHost: x\r\n")
        else:
            writer.write(b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n{")
        streams.append((reader, writer))
    healthy = 0
    async with aiohttp.ClientSession() as session:
        for i in range(20):
            await slack.event(dm(i, "S"))
            async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                healthy += response.status == 200
    answered = await replies_to(fake, {f"DS{i:05d}" for i in range(20)})

    async def closed(reader: asyncio.StreamReader) -> bool:
        try:
            async with asyncio.timeout(15):
                await reader.read()
            return True
        except (ConnectionError, OSError):
            return True
        except TimeoutError:
            return False

    cut = sum(await asyncio.gather(*(closed(r) for r, _ in streams)))
    for _, writer in streams:
        writer.close()
    counts = dict(server.dropped.counts)
    await service.close()
    await fake.stop()
    answerer.close()
    lost = (20 - answered) + (20 - healthy)
    detail = f"{cut}/350 slow connections cut off ({counts}); /healthz 200 {healthy}/20"
    return Result("slow clients (300 slow heads, 50 slow bodies; cap 100)", lost, 40, detail)


# -- 3 ----------------------------------------------------------------------------------------


async def corpus_faults(tmp: Path) -> Result:
    folder = tmp / "corpus"
    folder.mkdir()
    (folder / "a.txt").write_text("date 2020-01-01\n\nThe council approved the new bridge budget.")
    single = tmp / "single" / "only.txt"
    single.parent.mkdir()
    single.write_text("date 2020-01-01\n\nThe harbour opened a new ferry terminal.")
    live = LiveIndex([folder, single], cache_dir=tmp / "cache", debounce_ms=50, compact_after=3600)
    await live.start()
    lost = 0
    steps = 0

    async def answerable(question: str, word: str) -> None:
        nonlocal lost, steps
        steps += 1
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            hits = [found.hit for found in Searcher(live, NO_GATE).search(question, k=1).hits]
            if hits and word in hits[0].text:
                return
            await asyncio.sleep(0.05)
        lost += 1
        print(f"chaos: corpus faults: {word!r} not answerable after 20 s", file=sys.stderr)

    for n, animal in enumerate(["walrus", "pelican", "narwhal"]):
        staged = single.parent / f".tmp{n}"
        staged.write_text(f"date 2020-02-0{n + 1}\n\nA {animal} escaped from the city zoo.")
        os.replace(staged, single)
        await answerable(f"What escaped from the zoo? {animal}", animal)
    shutil.rmtree(folder)
    folder.mkdir()
    (folder / "b.txt").write_text("date 2020-03-03\n\nThe orchestra hired a new conductor from Vienna.")
    await answerable("Who did the orchestra hire?", "conductor")
    for pid in live.worker_pids():
        os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 20
    while live.worker_restarts == 0 and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    (folder / "c.txt").write_text("date 2020-03-04\n\nThe library extended its opening hours to midnight.")
    await answerable("library opening hours", "midnight")
    deadline = time.monotonic() + 10
    while not live.health.ok and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    health = live.health
    await live.stop()
    detail = f"3 renames, folder recreated, workers killed ({live.worker_restarts} replaced); health at the end: {health.state}"
    return Result("corpus faults (replace by rename, recreate folder, kill workers)", lost + (not health.ok), steps + 1, detail)


# -- 4 ----------------------------------------------------------------------------------------


async def hostile_files(tmp: Path) -> Result:
    folder = tmp / "hostile"
    folder.mkdir()
    for i in range(20):
        (folder / f"good{i:02d}.txt").write_text(f"date 2020-01-{i + 1:02d}\n\nArticle {i} says the river rose {i} inches overnight.")
    os.mkfifo(folder / "pipe.txt")
    with open(folder / "huge.txt", "wb") as f:
        f.write(b"date 2020-01-01\n\nText first. ")
        f.truncate(60 * 1024 * 1024)  # 60 MB (sparse), over the default 50 MB cap
    (folder / "loop.txt").symlink_to(folder / "loop.txt")
    (folder / "zero.txt").symlink_to("/dev/zero")
    out: list[Any] = []
    started = time.perf_counter()
    thread = threading.Thread(target=lambda: out.append(open_index([str(folder)], cache_dir=tmp / "cache", rebuild=True)), daemon=True)
    thread.start()
    while thread.is_alive() and time.perf_counter() - started < 60:
        await asyncio.sleep(0.05)
    if not out:
        return Result("hostile files (FIFO, 60 MB file, symlink loop, /dev/zero link)", 20, 20, "index build still running after 60 s")
    index = out[0].index
    ids = {article.id for article in index.articles}
    indexed = sum(1 for i in range(20) if f"good{i:02d}.txt" in ids)
    problems = "; ".join(f"{p.path}: {p.reason[:72]}" for p in index.problems)
    detail = f"built in {time.perf_counter() - started:.1f}s; skipped and reported: {problems}"
    return Result("hostile files (FIFO, 60 MB file, symlink loop, /dev/zero link)", 20 - indexed, 20, detail)


# -- 5 ----------------------------------------------------------------------------------------


async def redis_restart(tmp: Path) -> Result:
    if REDIS_SERVER is None:
        return Result("redis restart", 0, 0, f"skipped: {SKIP_REASON}")
    redis = RedisServer(tmp / "redis")
    redis.start()
    fake = FakeSlack()
    await fake.start()
    service, slack, answerer = await start_bot(fake, tmp, backend="redis", redis_url=redis.url, retry_seconds=0.2, timeout=2.0)
    gate = asyncio.Semaphore(20)

    async def deliver(i: int, headers: dict[str, str] | None = None) -> None:
        async with gate:
            await slack.event(dm(i, "R"), headers=headers)

    await asyncio.gather(*(deliver(i) for i in range(100)))
    answered = await replies_to(fake, {f"DR{i:05d}" for i in range(100)})
    redis.kill()
    redis.start()  # same port, empty
    await asyncio.sleep(0.3)
    await asyncio.gather(*(deliver(i, RETRY) for i in range(100)))
    await asyncio.sleep(1.0)
    posts = len(fake.posts())
    backend = service.answers.health().get("state")
    await service.close()
    await fake.stop()
    answerer.close()
    redis.stop()
    twice = posts - answered
    detail = f"{answered} answered before the restart; {twice} of 100 retries answered again after it; state back on {backend}"
    return Result("redis killed and restarted empty during retries", (100 - answered) + twice, 100, detail)


SCENARIOS: list[Callable[[Path], Awaitable[Result]]] = [unsigned_flood, slow_clients, corpus_faults, hostile_files, redis_restart]


async def run_all() -> int:
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    for handler in list(root.handlers):
        root.removeHandler(handler)
    results = []
    started = time.perf_counter()
    for scenario in SCENARIOS:
        tally = LogTally()
        tally.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(tally)
        t0 = time.perf_counter()
        with tempfile.TemporaryDirectory() as tmp:
            try:
                async with asyncio.timeout(60):
                    result = await scenario(Path(tmp))
            except TimeoutError:
                result = Result(scenario.__name__, 1, 1, "did not finish within 60 s")
        root.removeHandler(tally)
        result.log, result.seconds = tally, time.perf_counter() - t0
        print(result.line(), flush=True)
        results.append(result)
    elapsed = time.perf_counter() - started
    print(f"chaos: {sum(r.ok for r in results)}/{len(results)} scenarios lost nothing and logged no traceback, in {elapsed:.0f}s")
    return 0 if all(r.ok for r in results) else 1


def main() -> int:
    """Run every scenario; the exit status says whether anything was lost."""
    return asyncio.run(run_all())


if __name__ == "__main__":
    sys.exit(main())
