"""The first question after a restart against warm ones, in fresh processes (issue 17's "cold start").

    python -m bench.cold_start [--sentences 200000] [--questions 50] [--profile]

For a synthetic corpus (:func:`bench.synth.ensure_corpus`) it builds the saved index once, then, in a fresh
interpreter per mode (``[answer] semantic`` false, then true): opens the saved index, makes the answerer, and times
the first question through the full answer path (answer + render, as :mod:`bench.child` times it), then the next
``--questions`` distinct ones. It prints the first question's time, the warm p50, their ratio (target: ≤ 2×) and the
time from process start to the first answer. ``--profile`` prints the first question's cProfile (top 25 by
cumulative time). The index files are in the page cache (they were just written or read): a restart after the
machine has dropped them reads them from disk too, which this does not measure.
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
#: The issue's target: the first question after a restart costs at most this many warm ones.
FIRST_VS_WARM = 2.0


def measure(corpus: str, cache: str, questions: list[str], semantic: bool, profile: bool) -> dict[str, object]:
    """In this (fresh) process: open the saved index, answer ``questions[0]`` (timed, optionally profiled), then
    the rest; the timings as a dict."""
    import cProfile
    import io
    import pstats

    import numpy as np

    from bot.answerer import Answerer, AnswerSettings
    from bot.models import Question
    from bot.render import render
    from retrieval.cache import open_index

    imported = time.perf_counter() - STARTED
    t = time.perf_counter()
    opened = open_index([corpus], cache_dir=Path(cache))
    load = time.perf_counter() - t
    t = time.perf_counter()
    answerer = Answerer(opened.index, AnswerSettings(semantic=semantic))
    answerer_seconds = time.perf_counter() - t

    def full(q: str) -> None:
        render(answerer.answer(Question(q)), "plain")

    profiler = cProfile.Profile() if profile else None
    t = time.perf_counter()
    if profiler is not None:
        profiler.enable()
    full(questions[0])
    if profiler is not None:
        profiler.disable()
    first = time.perf_counter() - t
    ready = time.perf_counter() - STARTED
    warm = []
    for q in questions[1:]:
        t = time.perf_counter()
        full(q)
        warm.append(time.perf_counter() - t)
    out: dict[str, object] = {
        "semantic": semantic,
        "from_cache": opened.from_cache,
        "import_s": imported,
        "load_s": load,
        "answerer_s": answerer_seconds,
        "first_ms": first * 1000,
        "warm_p50_ms": float(np.percentile(np.array(warm) * 1000, 50)),
        "ready_s": ready,
        "loadavg": os.getloadavg()[0],
    }
    if profiler is not None:
        stream = io.StringIO()
        pstats.Stats(profiler, stream=stream).sort_stats("cumulative").print_stats(25)
        out["profile"] = stream.getvalue()
    return out


def run_fresh(corpus: Path, cache: Path, qfile: Path, semantic: bool, profile: bool) -> dict[str, object]:
    """:func:`measure` in a fresh interpreter; its JSON result."""
    args = [sys.executable, "-m", "bench.cold_start", "--one", str(corpus), str(cache), str(qfile)]
    args += ["--semantic"] if semantic else []
    args += ["--profile"] if profile else []
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    if done.returncode != 0:
        raise SystemExit(f"bench.cold_start --one failed:\n{done.stderr[-3000:]}")
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    """Build once (if needed), then measure each mode in a fresh process and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=200_000)
    parser.add_argument("--questions", type=int, default=50)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--semantic", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--one", nargs=3, metavar=("CORPUS", "CACHE", "QUESTIONS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        corpus, cache, qfile = args.one
        print(json.dumps(measure(corpus, cache, json.loads(Path(qfile).read_text()), args.semantic, args.profile)))
        return
    from bench.synth import ensure_corpus, questions_from
    from retrieval.cache import open_index

    info = ensure_corpus(args.sentences, DATA)
    cache = DATA / ".cache" / f"cold-{info.path.name}"
    open_index([str(info.path)], cache_dir=cache)  # built once; every measurement below restarts from it
    qfile = DATA / f".questions-cold-{info.path.name}.json"
    qfile.write_text(json.dumps(questions_from(info.path, args.questions + 1)))
    print(f"{info.sentences:,} sentences; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    print("| semantic | load s | answerer s | first ms | warm p50 ms | first ÷ warm | start → first answer s | load avg |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for semantic in (False, True):
        r = run_fresh(info.path, cache, qfile, semantic, args.profile)
        ratio = float(r["first_ms"]) / float(r["warm_p50_ms"])  # type: ignore[arg-type]
        print(
            f"| {'on' if semantic else 'off'} | {r['load_s']:.3f} | {r['answerer_s']:.3f} | {r['first_ms']:.1f} "
            f"| {r['warm_p50_ms']:.1f} | {ratio:.1f}× {'(met)' if ratio <= FIRST_VS_WARM else '(missed)'} "
            f"| {r['ready_s']:.2f} | {r['loadavg']:.1f} |"
        )
        if args.profile:
            print(r["profile"], file=sys.stderr)


if __name__ == "__main__":
    main()
