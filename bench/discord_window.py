"""How much of Discord's 3-second interaction window an ``/ask`` uses, end to end.

Runs the real discord.py client against the loopback fake Discord (``tests/bot/platforms/discord/fake_discord.py``)
and times, for each question, INTERACTION_CREATE sent → interaction callback received. The reference,
measured in the same run, is ``Answerer.answer()`` called directly for the same question; the ratio
is what the adapter adds (gateway parsing, the worker thread, rendering, the HTTP callback).

    python -m bench.discord_window [--rounds N]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path

from bot.answerer import Answerer
from bot.config import Config, CorpusConfig, DiscordConfig, FeedbackConfig, LimitsConfig, Secret
from bot.feedback import FeedbackLog
from bot.models import Question
from bot.platforms.discord.client import build_client
from bot.platforms.discord.run import hash_file, serve
from bot.platforms.discord.sync import CommandSync
from bot.state import MemoryState
from retrieval.corpus import load_corpus
from retrieval.index import SentenceIndex
from tests.bot.platforms.discord.fake_discord import FakeDiscord, fixture

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = [
    "Does IBM still sell facial recognition software?",
    "Which senator sponsored the legislation Krishna supports?",
    "What did IBM say about mass surveillance?",
    "Who wrote to Congress?",
    "What is the capital of Australia?",
]
WINDOW = 3.0


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def measure(rounds: int) -> dict[str, list[float]]:
    answerer = Answerer(SentenceIndex.build(load_corpus([ROOT / "seeds"])))
    direct: list[float] = []
    end_to_end: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        async with FakeDiscord() as fake:
            config = Config(
                corpus=CorpusConfig(cache_dir=tmp),
                discord=DiscordConfig(api_base=fake.api_base, gateway_url=fake.gateway_url, token=Secret(fake.token)),
                feedback=FeedbackConfig(path=str(Path(tmp) / "feedback.jsonl")),
                limits=LimitsConfig(user_per_minute=0, channel_per_minute=0),  # many questions from one user
            )
            client = build_client(
                config, answerer, MemoryState(), FeedbackLog(config.feedback.path), CommandSync(hash_file(config))
            )
            task = asyncio.create_task(serve(client, fake.token, config.discord))
            await asyncio.wait_for(fake.identified.wait(), 30)
            n = 0
            for _ in range(rounds):
                for question in QUESTIONS:
                    started = time.perf_counter()
                    answerer.answer(Question(question))
                    direct.append(time.perf_counter() - started)

                    n += 1
                    payload = fixture("interaction_ask")
                    payload["id"] = str(1_300_000_000_000_100_000 + n)
                    payload["token"] = f"bench-{n}"
                    payload["data"]["options"][0]["value"] = question
                    started = time.perf_counter()
                    await fake.dispatch("INTERACTION_CREATE", payload)
                    await fake.wait_for_call("POST", r"/interactions/\d+/[^/]+/callback", count=n)
                    end_to_end.append(time.perf_counter() - started)
            await client.close()
            await task
    answerer.close()
    return {"direct answer()": direct, "/ask end to end": end_to_end}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20, help="times each of the five questions is asked (default 20)")
    args = parser.parse_args()
    results = asyncio.run(measure(args.rounds))
    reference = statistics.median(results["direct answer()"])
    print(f"{'path':<18} {'n':>4} {'median ms':>10} {'p95 ms':>8} {'max ms':>8} {'x direct':>9} {'max/3 s':>9}")
    for name, values in results.items():
        median = statistics.median(values)
        print(
            f"{name:<18} {len(values):>4} {median * 1000:>10.2f} {_pct(values, 0.95) * 1000:>8.2f} {max(values) * 1000:>8.2f} "
            f"{median / reference:>9.1f} {max(values) / WINDOW * 100:>8.1f}%"
        )


if __name__ == "__main__":
    main()
