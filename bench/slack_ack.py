"""How fast the Slack adapter acknowledges ``/ask`` compared with how long the answer takes.

Slack wants a slash command acknowledged within 3 s. The bot acks before it retrieves,
so the ack time should be a small fraction of the answer time whatever the corpus.
Runs the real HTTP endpoint against the loopback fake Slack from the tests:

    python -m bench.slack_ack [--corpus PATH] [-n 30]

Sends a burst of ``n`` concurrent ``/ask`` requests, so answers queue for the retrieval
threads while acks must not; prints medians, maxima and the ack/answer ratio (same run).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from pathlib import Path

from bot.bootstrap import build_answerer
from bot.config import Config, Secret
from bot.platforms.slack import start_slack
from tests.bot.platforms.slack.conftest import HttpSlack, Outcomes, fixture
from tests.bot.platforms.slack.fake_slack import FakeSlack

ROOT = Path(__file__).resolve().parent.parent


async def measure(corpus: list[str], n: int) -> None:
    fake = FakeSlack()
    await fake.start()
    config = Config()
    config.slack.api_url = fake.api_url

    config.slack.bot_token, config.slack.signing_secret = Secret("xoxb-bench"), Secret("bench-secret")
    config.feedback.path = "/dev/null"
    config.limits.user_per_minute = config.limits.channel_per_minute = 0  # one user's burst is the point here
    loaded = build_answerer(config, corpus)
    outcomes = Outcomes()
    service = await start_slack(config, loaded.answerer, http=True, port=0, host="127.0.0.1", on_outcome=outcomes.append)
    slack = HttpSlack(service, fake, outcomes, secret="bench-secret")
    acks: list[float] = []
    answers: list[float] = []

    async def one(name: str) -> None:
        fields = fixture("slash_ask.json", response_url=fake.response_url(name))
        started = time.perf_counter()
        status, _ = await slack.command(fields)
        acks.append(time.perf_counter() - started)
        await fake.wait_for(lambda: any(c.path.endswith(f"/{name}") for c in fake.calls), timeout=120)
        answers.append(time.perf_counter() - started)
        assert status == 200

    try:
        await one("warm-up")  # pays for bolt's lazy auth.test
        acks.clear()
        answers.clear()
        await asyncio.gather(*(one(f"r{i}") for i in range(n)))  # a burst: answers queue, acks must not
    finally:
        await service.runner.stop()
        await fake.stop()
        loaded.answerer.close()
    ack, answer = statistics.median(acks), statistics.median(answers)
    print(
        "| corpus | burst of /ask | median ack (ms) | max ack (ms) | median answered (ms) | max answered (ms) | ack / answered |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    print(
        f"| {Path(corpus[0]).name} | {n} | {ack * 1000:.1f} | {max(acks) * 1000:.1f} | {answer * 1000:.1f} | "
        f"{max(answers) * 1000:.1f} | {ack / answer:.2f} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", action="append", help="corpus file or folder (default: seeds/)")
    parser.add_argument("-n", type=int, default=30, help="requests to time (default: 30)")
    args = parser.parse_args()
    asyncio.run(measure(args.corpus or [str(ROOT / "seeds")], args.n))


if __name__ == "__main__":
    main()
