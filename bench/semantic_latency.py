"""Answer latency with semantic evidence on and off at 200k sentences, and event-loop lag at 50 concurrent questions.

    python -m bench.semantic_latency [--sentences 200000] [--questions 200] [--concurrent 50]

Builds (once, cached under bench/data/) the synthetic corpus of ``--sentences`` sentences that ``make bench`` uses,
then, in this one process, times ``Answerer.answer`` (retrieval, semantic scoring of the best candidates,
presentation) for the synthetic questions and for the Wikinews dev questions asked of the same index plus the
Wikinews articles (real sentences, so the model reads real text), with ``[answer] semantic`` on and off; then the
loop lag while ``--concurrent`` questions go through ``answer_async`` at once. Prints p50/p99 in ms and the load.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time

import numpy as np

from bench.lag import measure_lag
from bench.paths import ROOT
from bench.synth import ensure_corpus, questions_from
from bot.models import Question
from bot.answerer import Answerer, AnswerSettings
from retrieval.cache import open_index

DATA = ROOT / "bench" / "data"
WIKINEWS = ROOT.parent / "shared" / "eval" / "wikinews"


def percentiles(ms: list[float]) -> str:
    """"p50 X ms, p99 Y ms"."""
    return f"p50 {np.percentile(ms, 50):.1f} ms, p99 {np.percentile(ms, 99):.1f} ms"


def timed(answerer: Answerer, questions: list[str]) -> list[float]:
    """Each question's answer time in ms."""
    out = []
    for q in questions:
        started = time.perf_counter()
        answerer.answer(Question(q, platform="bench", k=3))
        out.append((time.perf_counter() - started) * 1000)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sentences", type=int, default=200_000)
    ap.add_argument("--questions", type=int, default=200)
    ap.add_argument("--concurrent", type=int, default=50)
    args = ap.parse_args()
    info = ensure_corpus(args.sentences, DATA)
    paths = [info.path, WIKINEWS / "articles.jsonl"]
    started = time.perf_counter()
    opened = open_index(paths, cache_dir=DATA / ".cache" / f"semantic-{args.sentences}")
    print(f"index: {opened.index.num_sentences:,} sentences ({time.perf_counter() - started:.0f} s, from cache: {opened.from_cache})")
    synthetic = questions_from(info.path, args.questions)
    lines = (WIKINEWS / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    wikinews = [json.loads(line)["question"] for line in lines if line.strip()]
    wikinews = wikinews[: args.questions]
    for semantic in (True, False):
        answerer = Answerer(opened.index, AnswerSettings(semantic=semantic))
        answerer.answer(Question("warm up"))
        for name, questions in (("synthetic", synthetic), ("wikinews", wikinews)):
            ms = timed(answerer, questions)
            print(f"semantic={semantic} {name:<9} n={len(ms)}: {percentiles(ms)}  (load {os.getloadavg()[0]:.1f})", flush=True)
    answerer = Answerer(opened.index, AnswerSettings(semantic=True))

    async def ask(q: str) -> str:
        return (await answerer.answer_async(Question(q, platform="bench"))).message

    try:
        lag = asyncio.run(measure_lag(ask, (wikinews + synthetic)[: max(args.concurrent * 2, 100)], args.concurrent))
    finally:
        answerer.close()
    print(f"loop lag, {args.concurrent} concurrent questions, semantic on: {lag}  (load {os.getloadavg()[0]:.1f})")


if __name__ == "__main__":
    main()
