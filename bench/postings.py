"""Postings the re-ranker's candidate stage reads per question, and what a search costs, full scan against blocks.

Over each synthetic corpus (:mod:`bench.synth`) the same questions are searched twice with
:meth:`retrieval.Searcher.search` (top 10, the default settings, no semantic scorer): once as the index searches by
default (every posting of every query term) and once inside :func:`retrieval.rerank.reading_by_blocks` (the block-max
stage of :mod:`retrieval.blocks`). For each it prints the postings read per question (:mod:`retrieval.reads`: scanned
plus looked up; mean, p50, p99), the search's p50 / p99 in milliseconds and the load average, and checks that both
return the same hits.

``python -m bench.postings [--sentences 200000 1000000] [--questions 300]``
"""

from __future__ import annotations

import argparse
import contextlib
import os
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import numpy as np

from bench.synth import ensure_corpus, questions_from
from retrieval import IndexSettings, Searcher, open_index
from retrieval.reads import counting
from retrieval.rerank import reading_by_blocks

ROOT = Path(__file__).resolve().parent


def measure(
    searcher: Searcher, questions: list[str], mode: Callable[[], AbstractContextManager[object]]
) -> tuple[list[int], list[float], list[tuple[int, ...]]]:
    """Per question: postings read, milliseconds, and the hits' sentences (after one warm-up question)."""
    with mode():
        searcher.search(questions[0], 10)
    reads, times, hits = [], [], []
    for question in questions:
        with mode(), counting() as read:
            start = time.perf_counter()
            result = searcher.search(question, 10)
            times.append((time.perf_counter() - start) * 1000)
        reads.append(read.postings)
        hits.append(tuple(h.hit.sentence for h in result.hits))
    return reads, times, hits


def _row(name: str, reads: list[int], times: list[float]) -> str:
    r = np.asarray(reads)
    p50, p99 = np.percentile(times, [50, 99])
    load = os.getloadavg()[0]
    return f"| {name} | {r.mean():,.0f} | {np.percentile(r, 50):,.0f} | {np.percentile(r, 99):,.0f} | {p50:.2f} | {p99:.2f} | {load:.2f} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, nargs="+", default=[200_000, 1_000_000])
    parser.add_argument("--questions", type=int, default=300)
    args = parser.parse_args()
    print("| corpus, stage | postings mean | p50 | p99 | search p50 ms | p99 ms | load |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for size in args.sentences:
        info = ensure_corpus(size, ROOT / "data")
        questions = questions_from(info.path, args.questions)
        index = open_index([str(info.path)], IndexSettings(), cache_dir=ROOT / "data" / "cache").index
        searcher = Searcher(index)
        label = f"{index.num_sentences:,}"
        reads, times, full = measure(searcher, questions, contextlib.nullcontext)
        print(_row(f"{label}, every posting (default)", reads, times))
        reads, times, blocked = measure(searcher, questions, reading_by_blocks)
        print(_row(f"{label}, block maxima", reads, times))
        same = sum(a == b for a, b in zip(full, blocked, strict=True))
        print(f"| {label}: same hits on {same} of {len(questions)} questions | | | | | | |")


if __name__ == "__main__":
    main()
