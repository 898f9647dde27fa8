"""A bounded soak: many Slack questions across 2 replicas sharing a real Redis, with duplicated and retried deliveries.

Loopback only. Starts ``redis-server`` on a free 127.0.0.1 port, the fake Slack Web API
from the tests, and two replicas of the Slack HTTP endpoint, each with its own slack-bolt
``AsyncApp``, ``AnswerService`` and Redis connection pool, both configured with
``[state] backend = "redis"``. Every question is a signed Events API delivery (a DM in its
own conversation, so each reply can be traced to its event). A share of them is also
delivered to the other replica at the same moment, and a share is retried
(``X-Slack-Retry-Num``) a little later, to either replica. Rate limits are off: the
questions come from a few hundred users much faster than any person asks.

    python -m bench.soak              # 10,000 questions
    python -m bench.soak --quick      # 1,000
    python -m bench.soak --kill-redis # kill Redis halfway: memory fallback, warning logged, still answering
    python -m bench.soak --kill-redis --restart-redis   # ... and start it again at 3/4: back on Redis

It prints questions answered, duplicates posted (must be 0), errors (must be 0) and the
p50/p99 latency from the first delivery to the reply reaching Slack, and exits 1 if a
must-be-0 figure is not 0 or a question went unanswered. It stops by itself after
``--max-seconds`` (default 480) whatever happens.

With ``--kill-redis``, deliveries of one event go to one replica while either replica is on
memory: each replica then de-duplicates only what it has seen itself (README, "Redis
down"), so the same event sent to both replicas during an outage would be answered by
both. Once both are back on Redis (``--restart-redis``) duplicates go to both again.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.answerer import Answerer
from bot.config import Config, Secret
from bot.platforms.slack import RunningSlack, start_slack
from retrieval.corpus import load_corpus
from retrieval.index import SentenceIndex
from tests.bot.platforms.slack.conftest import HttpSlack, Outcomes, fixture
from tests.bot.platforms.slack.fake_slack import Call, FakeSlack
from tests.redis_server import REDIS_SERVER, SKIP_REASON, RedisServer

ROOT = Path(__file__).resolve().parent.parent
SECRET = "soak-signing-secret"
RETRY = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
OFF_CORPUS = ["capital of Australia", "recipe for sourdough bread", "who won the 1966 world cup", "price of bitcoin"]


class TimedSlack(FakeSlack):
    """The fake Slack, noting when each reply arrived, by conversation."""

    def __init__(self) -> None:
        super().__init__()
        self.arrived: dict[str, list[float]] = {}

    async def _record(self, call: Call) -> None:
        if call.method == "chat.postMessage":
            self.arrived.setdefault(str(call.args.get("channel")), []).append(time.perf_counter())
        await super()._record(call)


class WarningCounter(logging.Handler):
    """Counts the shared-state warnings (the "falling back to in-process memory" line)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@dataclass
class Tally:
    """What the soak saw."""

    #: When the first delivery of each question (by its conversation) went out.
    sent_at: dict[str, float] = field(default_factory=dict)
    questions: int = 0
    deliveries: int = 0
    duplicate_deliveries: int = 0
    retries: int = 0
    http_errors: list[str] = field(default_factory=list)
    killed_after: int | None = None
    restarted_after: int | None = None


def questions(answerer: Answerer, count: int, rng: random.Random) -> list[str]:
    """``count`` questions: mostly a few consecutive words of a corpus sentence, some about nothing in it."""
    index = answerer.index
    sentences = [index.sentence_text(i) for i in range(index.num_sentences)]
    out = []
    for _ in range(count):
        words = rng.choice(sentences).split() if sentences and rng.random() < 0.85 else rng.choice(OFF_CORPUS).split()
        start = rng.randrange(max(1, len(words) - 6))
        out.append(" ".join(words[start : start + rng.randint(3, 7)]) + "?")
    return out


def event(n: int, text: str) -> dict[str, Any]:
    """The DM fixture as event ``n``: its own event id, ts, user and conversation."""
    payload = fixture("message_im.json")
    payload["event_id"] = f"EvSoak{n:06d}"
    payload["event"].update(
        text=text, user=f"U{n % 300:04d}", channel=f"D{n:08d}", ts=f"1700000000.{n:06d}", event_ts=f"1700000000.{n:06d}"
    )
    return payload


async def soak(args: argparse.Namespace) -> int:
    rng = random.Random(args.seed)
    tally = Tally()
    warnings = WarningCounter()
    logging.getLogger("quotebot.state").addHandler(warnings)
    logging.getLogger().setLevel(logging.ERROR)  # the bot's own lines would swamp the report
    logging.getLogger("quotebot.state").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory() as tmp:
        redis = RedisServer(Path(tmp) / "redis")
        redis.start()
        fake = TimedSlack()
        await fake.start()
        answerer = Answerer(SentenceIndex.build(load_corpus([ROOT / "seeds"])))
        config = Config()
        config.slack.api_url = fake.api_url
        config.slack.bot_token, config.slack.signing_secret = Secret("xoxb-soak-token"), Secret(SECRET)
        config.feedback.path = str(Path(tmp) / "feedback.jsonl")
        config.state.backend, config.state.redis_url = "redis", redis.url
        config.state.timeout = 2.0
        config.state.retry_seconds = 0.5  # probe a dead Redis often, so a restart is noticed within a short run
        config.limits.user_per_minute = config.limits.channel_per_minute = 0
        outcomes = [Outcomes(), Outcomes()]
        services: list[RunningSlack] = []
        replicas: list[HttpSlack] = []
        for i in range(2):
            service = await start_slack(config, answerer, http=True, port=0, host="127.0.0.1", on_outcome=outcomes[i].append)
            services.append(service)
            replicas.append(HttpSlack(service, fake, outcomes[i], secret=SECRET))
        texts = questions(answerer, args.questions, rng)
        gate = asyncio.Semaphore(args.concurrency * 2)  # HTTP deliveries in flight
        started = time.perf_counter()
        try:
            async with asyncio.timeout(args.max_seconds):
                await drive(args, rng, texts, replicas, fake, redis, tally, gate)
                await wait_for_replies(fake, tally, services, args.max_seconds - (time.perf_counter() - started))
        except TimeoutError:
            print(f"soak: stopped after {args.max_seconds}s (--max-seconds)", file=sys.stderr)
        elapsed = time.perf_counter() - started
        code = report(args, tally, fake, outcomes, services, warnings, elapsed)
        for service in services:
            await service.close()
        await fake.stop()
        answerer.close()
        redis.stop()
    return code


async def drive(
    args: argparse.Namespace,
    rng: random.Random,
    texts: list[str],
    replicas: list[HttpSlack],
    fake: TimedSlack,
    redis: RedisServer,
    tally: Tally,
    gate: asyncio.Semaphore,
) -> None:
    """Send every question once, some twice at once (both replicas), some again later (a retry)."""
    pending: set[asyncio.Task[None]] = set()

    async def deliver(replica: HttpSlack, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        async with gate:
            tally.sent_at.setdefault(payload["event"]["channel"], time.perf_counter())  # the first delivery goes out
            try:
                status, _ = await replica.event(payload, headers=headers)
            except Exception as exc:  # a connection error counts as an error, it does not end the soak
                tally.http_errors.append(type(exc).__name__)
                return
        if status != 200:
            tally.http_errors.append(f"HTTP {status}")

    async def retry_later(replica: HttpSlack, payload: dict[str, Any]) -> None:
        await asyncio.sleep(rng.uniform(0.05, 0.5))
        await deliver(replica, payload, RETRY)

    def spawn(coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        pending.add(task)
        task.add_done_callback(pending.discard)

    kill_at = len(texts) // 2 if args.kill_redis else None
    restart_at = len(texts) * 3 // 4 if args.kill_redis and args.restart_redis else None
    services = [replica.service.answers for replica in replicas]
    for n, text in enumerate(texts):
        if n == kill_at:
            await asyncio.gather(*pending)  # what was sent before the kill is settled on Redis
            redis.kill()
            tally.killed_after = n
        if n == restart_at:
            redis.start()  # empty: each replica copies the events it claimed during the outage when it notices
            tally.restarted_after = n
        # Closed loop: at most --concurrency questions waiting for their reply, so latency is measured
        # at a steady load rather than as the length of an ever-growing queue.
        while tally.questions - len(fake.arrived) >= args.concurrency:
            await asyncio.sleep(0.001)
        payload = event(n, text)
        tally.questions += 1
        first = rng.randrange(2)
        # From the kill until both replicas are back on Redis, all deliveries of an event go to the replica
        # that got it first (a replica may not have noticed the kill yet, so "on Redis" alone is not enough).
        back = tally.restarted_after is not None and all(a.health()["state"] == "redis" for a in services)
        sticky = tally.killed_after is not None and not back
        tally.deliveries += 1
        spawn(deliver(replicas[first], payload))
        if not sticky and rng.random() < args.duplicates:
            tally.deliveries += 1
            tally.duplicate_deliveries += 1
            spawn(deliver(replicas[1 - first], payload))
        if rng.random() < args.retries:
            tally.deliveries += 1
            tally.retries += 1
            spawn(retry_later(replicas[first if sticky else rng.randrange(2)], payload))
    await asyncio.gather(*pending)


async def wait_for_replies(fake: TimedSlack, tally: Tally, services: list[RunningSlack], budget: float) -> None:
    """Wait until every question has its reply and no answer is in flight (or the budget runs out)."""
    deadline = time.perf_counter() + max(budget, 1.0)
    while time.perf_counter() < deadline:
        if len(fake.arrived) >= tally.questions and all(s.answers.lifecycle.in_flight == 0 for s in services):
            await asyncio.sleep(0.5)  # a late duplicate would show up now
            return
        await asyncio.sleep(0.05)


def metric(services: list[RunningSlack], name: str) -> float:
    """A counter summed over both replicas and all label values."""
    total = 0.0
    for service in services:
        for family in service.answers.metrics.registry.collect():
            total += sum(s.value for s in family.samples if s.name == name)
    return total


def report(
    args: argparse.Namespace,
    tally: Tally,
    fake: TimedSlack,
    outcomes: list[Outcomes],
    services: list[RunningSlack],
    warnings: WarningCounter,
    elapsed: float,
) -> int:
    """Print the figures; 0 if there were no duplicates, no errors and every question got its reply."""
    answered = len(tally.sent_at.keys() & fake.arrived.keys())
    duplicates = sum(len(times) - 1 for times in fake.arrived.values())
    results = [o.result for found in outcomes for o in found]
    errors = len(tally.http_errors) + results.count("error") + int(metric(services, "quotebot_errors_total"))
    latencies = sorted(fake.arrived[c][0] - tally.sent_at[c] for c in tally.sent_at if c in fake.arrived)

    def pct(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000 if latencies else float("nan")

    fallbacks = [line for line in warnings.lines if "falling back to in-process memory" in line]
    rows = [
        ("questions", tally.questions),
        ("deliveries (incl. duplicates and retries)", tally.deliveries),
        ("  duplicated to both replicas at once", tally.duplicate_deliveries),
        ("  retried (X-Slack-Retry-Num)", tally.retries),
        ("questions answered (one reply each)", answered),
        ("  with quotes / nothing found", f"{results.count('answered')} / {results.count('no answer')}"),
        ("duplicates posted (must be 0)", duplicates),
        ("errors (must be 0)", errors),
        ("repeat deliveries dropped", results.count("duplicate")),
        ("answers by replica", " / ".join(str(sum(o.result in ("answered", "no answer") for o in f)) for f in outcomes)),
        ("latency p50 / p99 (ms, first delivery to reply)", f"{pct(0.50):.1f} / {pct(0.99):.1f}"),
        ("wall time (s)", f"{elapsed:.1f}"),
        ("throughput (questions/s)", f"{answered / elapsed:.0f}" if elapsed else "-"),
    ]
    if args.kill_redis:
        rows += [
            ("Redis killed after question", tally.killed_after),
            ("fallback warnings logged (one per replica)", len(fallbacks)),
            ("Redis restarted after question", tally.restarted_after if tally.restarted_after is not None else "-"),
            ("'Redis is back' lines logged", len([line for line in warnings.lines if "is back" in line])),
            ("state backend at the end", " / ".join(s.answers.health()["state"] for s in services)),
        ]
    width = max(len(name) for name, _ in rows)
    redis_story = "up" if not args.kill_redis else "killed halfway" + (", restarted at 3/4" if args.restart_redis else "")
    print(f"soak: {tally.questions} questions, 2 replicas, Redis {redis_story}")
    for name, value in rows:
        print(f"  {name:<{width}}  {value}")
    if args.kill_redis and fallbacks:
        print(f"  warning logged: {fallbacks[0][:150]}…")
    if tally.http_errors:
        print("  HTTP errors:", json.dumps(sorted(set(tally.http_errors))))
    ok = duplicates == 0 and errors == 0 and answered == tally.questions
    if args.kill_redis:
        ok = ok and len(fallbacks) >= 1
    if args.kill_redis and args.restart_redis:
        ok = ok and all(s.answers.health()["state"] == "redis" for s in services)
    print("soak:", "PASS" if ok else "FAIL")
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=int, default=10_000, help="how many questions (default 10,000)")
    parser.add_argument("--quick", action="store_true", help="1,000 questions")
    parser.add_argument("--kill-redis", action="store_true", help="kill Redis halfway through")
    parser.add_argument("--restart-redis", action="store_true", help="with --kill-redis: start it again at 3/4")
    parser.add_argument("--duplicates", type=float, default=0.2, help="share delivered to both replicas (default 0.2)")
    parser.add_argument("--retries", type=float, default=0.1, help="share retried later (default 0.1)")
    parser.add_argument("--concurrency", type=int, default=16, help="questions awaiting their reply at once (default 16)")
    parser.add_argument("--max-seconds", type=float, default=480.0, help="stop after this long whatever happens")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    if args.quick:
        args.questions = 1_000
    if REDIS_SERVER is None:
        print(f"soak: {SKIP_REASON}", file=sys.stderr)
        return 2
    return asyncio.run(soak(args))


if __name__ == "__main__":
    sys.exit(main())
