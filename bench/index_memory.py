"""Peak memory while indexing, as a multiple of the corpus's size on disk (one run per case, fresh processes).

    python -m bench.index_memory            # both cases below, about a minute
    python -m bench.index_memory --one PATH # measure one build (used by the above)

Cases: a synthetic news corpus of 200,000 sentences in JSONL shards, and one 20 MB text file that
is a single line (the shape that used to peak at 43x its size). Each build runs from scratch in its
own process; a thread samples the resident memory of that process and of every worker it starts
every 20 ms. Reported: input bytes, peak RSS of the process tree, the RSS before building (imports),
and (peak - before) / input.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil

from retrieval.peak import PeakRss, tree_rss


def measure_one(corpus: str, cache: str) -> dict[str, float]:
    """Build the index of ``corpus`` from scratch here, sampling this process tree's RSS; the figures as a dict."""
    from retrieval.index import open_index

    before = tree_rss(psutil.Process())
    with PeakRss() as sampled:
        started = time.perf_counter()
        opened = open_index([corpus], cache_dir=Path(cache), rebuild=True)
        seconds = time.perf_counter() - started
    peak = sampled.bytes
    size = sum(f.stat().st_size for f in Path(corpus).rglob("*") if f.is_file() and not f.name.startswith("."))
    if Path(corpus).is_file():
        size = Path(corpus).stat().st_size
    return {
        "input_mb": size / 1e6,
        "sentences": opened.index.num_sentences,
        "seconds": seconds,
        "rss_before_mb": before / 1e6,
        "rss_peak_mb": peak / 1e6,
        "ratio": (peak - before) / size,
    }


def run_case(name: str, corpus: Path, tmp: Path) -> dict[str, object]:
    """:func:`measure_one` in a fresh interpreter."""
    out = subprocess.run(
        [sys.executable, "-m", "bench.index_memory", "--one", str(corpus), "--cache", str(tmp / f"cache-{name}")],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return {"case": name, **json.loads(out.stdout.strip().splitlines()[-1])}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--one", metavar="PATH")
    parser.add_argument("--cache", metavar="DIR")
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure_one(args.one, args.cache or tempfile.mkdtemp())))
        return
    from bench.synth import write_corpus

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        write_corpus(200_000, tmp / "synth")
        line = tmp / "one-line.txt"
        words = "the council approved a budget for the new bridge over the river and work starts in spring".split()
        with open(line, "w", encoding="utf-8") as f:
            f.write("date 2020-01-01 ")
            n = 0
            while f.tell() < 20_000_000:
                f.write(" ".join(words[(n + i) % len(words)] for i in range(12)).capitalize() + ". ")
                n += 1
        rows = [run_case("synthetic JSONL, 200k sentences", tmp / "synth", tmp), run_case("one 20 MB single-line text file", line, tmp)]
    print(f"date {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; load average {os.getloadavg()[0]:.2f}; cores {os.cpu_count()}")
    print("| case | input MB | sentences | build s | RSS before MB | peak RSS MB | (peak - before) / input |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for r in rows:
        print(
            f"| {r['case']} | {r['input_mb']:.1f} | {r['sentences']:,} | {r['seconds']:.1f} | {r['rss_before_mb']:.0f} "
            f"| {r['rss_peak_mb']:.0f} | {r['ratio']:.1f}x |"
        )


if __name__ == "__main__":
    main()
