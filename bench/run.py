"""The benchmark suite: ``python -m bench.run`` (``make bench``) or ``--quick`` (``make bench-quick``).

For each corpus (the real squad-dev corpus and synthetic ones from :mod:`bench.synth`) it
builds the index from scratch in a fresh process, restarts from the saved index in another,
then times questions through the full path (tokenize + retrieve + context + render), our
retrieval alone, raw bm25s retrieval over the same matrix and, on one corpus, rank-bm25.
Then the event-loop lag under 200 concurrent questions and the live-update latency.

Timings on a shared machine move with its load, so the goals are judged on what the run
itself measured, with ratios taken within one process, and the load average is printed.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from retrieval import PeakRss

from .paths import find_squad
from .synth import ensure_corpus, questions_from

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
RESULTS = ROOT / "bench" / "results"

#: The issue's goals.
P50_MS, P99_MS = 3.0, 10.0
VS_RANK_BM25 = 100.0
VS_BM25S = 1.5
RATE = 50_000
RESTART_S = 1.0
RSS_MB = 1500.0
LAG_MS = 100.0
LIVE_S = 5.0


@dataclass
class Corpus:
    """A corpus to benchmark and the questions to ask it."""

    name: str
    path: Path
    questions: list[str]
    rank_bm25: bool = False


def _squad(n: int) -> Corpus | None:
    path = find_squad()
    if path is None:
        return None
    lines = (path / "questions.jsonl").read_text(encoding="utf-8").splitlines()[:n]
    return Corpus("squad-dev", path / "articles.jsonl", [json.loads(line)["question"] for line in lines])


def _synthetic(sentences: int, n: int, rank_bm25: bool = False) -> Corpus:
    info = ensure_corpus(sentences, DATA)
    label = f"synth-{sentences // 1000}k" if sentences < 1_000_000 else f"synth-{sentences // 1_000_000}M"
    return Corpus(label, info.path, questions_from(info.path, n), rank_bm25)


def _child(*args: str, timeout: float = 900) -> tuple[dict[str, object], float | None]:
    """Run a :mod:`bench.child` step in a fresh interpreter.

    Returns its JSON result and, if it printed ``READY``, the time from starting the
    interpreter to that line (a restart, as a user sees it).
    """
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "bench.child", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    ready: float | None = None
    lines: list[str] = []
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.strip() == "READY" and ready is None:
            ready = time.perf_counter() - started
        lines.append(line)
    err = proc.stderr.read() if proc.stderr else ""
    if proc.wait(timeout) != 0:
        raise RuntimeError(f"bench.child {' '.join(args)} failed:\n{err[-3000:]}")
    return json.loads(lines[-1]), ready


def build_with_peak(corpus: Path, cache: Path, timeout: float = 900) -> dict[str, object]:
    """:mod:`bench.child` ``build`` in a fresh interpreter, with the peak RSS of it and its workers (``peak_rss_mb``)."""
    with PeakRss(children_only=True) as rss:
        built, _ = _child("build", str(corpus), str(cache), timeout=timeout)
    return {**built, "peak_rss_mb": rss.bytes / 1e6}


def _machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{cpu}, {cores} cores, {mem:.0f} GiB RAM, Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )


def run(quick: bool, lexical: bool = False) -> dict[str, object]:
    """Run every benchmark and return the results (answers with semantic evidence, the default, unless ``lexical``)."""
    mode = ["--lexical"] if lexical else []
    n_questions = 100 if quick else 300
    corpora = [c for c in (_squad(n_questions),) if c is not None]
    if quick:
        corpora += [_synthetic(10_000, n_questions), _synthetic(100_000, n_questions, rank_bm25=True)]
    else:
        corpora += [
            _synthetic(10_000, n_questions),
            _synthetic(100_000, n_questions),
            _synthetic(200_000, n_questions, rank_bm25=True),
            _synthetic(1_000_000, n_questions),
        ]
    rows = []
    for corpus in corpora:
        cache = DATA / ".cache" / corpus.name
        shutil.rmtree(cache, ignore_errors=True)
        qfile = DATA / f".questions-{corpus.name}.json"
        qfile.write_text(json.dumps(corpus.questions))
        print(f"… {corpus.name}: build", file=sys.stderr, flush=True)
        built = build_with_peak(corpus.path, cache)
        print(f"… {corpus.name}: restart and queries", file=sys.stderr, flush=True)
        served, ready = _child("serve", str(corpus.path), str(cache), str(qfile), *(["--rank-bm25"] if corpus.rank_bm25 else []), *mode)
        rows.append({"corpus": corpus.name, "build": built, "serve": served, "process_ready_seconds": ready})
    largest = corpora[-1]
    lag_cache = DATA / ".cache" / largest.name
    qfile = DATA / f".questions-{largest.name}.json"
    print(f"… {largest.name}: loop lag, 200 concurrent questions", file=sys.stderr, flush=True)
    lag, _ = _child("lag", str(largest.path), str(lag_cache), str(qfile), *mode)
    print(f"… {largest.name}: live update", file=sys.stderr, flush=True)
    live, _ = _child("live", str(largest.path), str(lag_cache))
    return {
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": _machine(),
        "quick": quick,
        "semantic": not lexical,
        "rows": rows,
        "lag": lag,
        "live": live,
        "lag_corpus": largest.name,
    }


def _f(x: object, fmt: str = ".2f") -> str:
    return format(float(x), fmt) if isinstance(x, int | float) else "–"  # type: ignore[arg-type]


def table(results: dict[str, object]) -> str:
    """The results as a Markdown table plus the goal check."""
    rows: list[dict[str, object]] = results["rows"]  # type: ignore[assignment]
    lines = [
        f"Machine: {results['machine']}  ",
        f"Date: {results['date']}{' (quick)' if results['quick'] else ''}"
        f"{'' if results.get('semantic', True) else ', [answer] semantic = false'}",
        "",
        "| corpus | sentences | build s | sentences/s | CPU-s | peak build RSS MB | load avg | load s | ready s | RSS MB "
        "| p50 ms | p99 ms | search p50 | bm25s p50 | full ÷ bm25s | rank-bm25 ÷ full |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        b: dict[str, float] = r["build"]  # type: ignore[assignment]
        s: dict[str, dict[str, float]] = r["serve"]  # type: ignore[assignment]
        full, search, raw = s["full"], s["search"], s.get("bm25s", {})
        vs_raw = full["p50"] / raw["p50"] if raw else None
        rb = s.get("rank_bm25")
        vs_rank = rb["theirs"]["p50"] / rb["ours"]["p50"] if rb else None  # type: ignore[index]
        lines.append(
            f"| {r['corpus']} | {b['sentences']:,} | {_f(b['seconds'], '.1f')} | {b['rate']:,.0f} "
            f"| {_f(b['cpu_seconds'], '.1f')} | {_f(b.get('peak_rss_mb'), ',.0f')} "
            f"| {_f(b['loadavg'], '.1f')} | {_f(s['load_seconds'], '.3f')} | {_f(r['process_ready_seconds'], '.2f')} "
            f"| {_f(s['rss_mb'], '.0f')} | {_f(full['p50'])} | {_f(full['p99'])} | {_f(search['p50'])} "
            f"| {_f(raw.get('p50'))} | {_f(vs_raw)}× | {_f(vs_rank, '.0f')}× |"
        )
    lines.append("")
    lines.extend(goals(results))
    return "\n".join(lines)


def goals(results: dict[str, object]) -> list[str]:
    """Each goal of the issue, what this run measured, and whether it is met."""
    rows: list[dict[str, object]] = results["rows"]  # type: ignore[assignment]
    big = rows[-1]
    b: dict[str, float] = big["build"]  # type: ignore[assignment]
    s: dict[str, dict[str, float]] = big["serve"]  # type: ignore[assignment]
    rank_row = next((r for r in rows if "rank_bm25" in r["serve"]), None)  # type: ignore[operator]
    lag: dict[str, float] = results["lag"]  # type: ignore[assignment]
    live: dict[str, float] = results["live"]  # type: ignore[assignment]
    name = big["corpus"]
    # Throughput if the run had both cores to itself: sentences over half the CPU seconds spent.
    cpu_rate = b["sentences"] / (b["cpu_seconds"] / 2) if b["cpu_seconds"] else 0.0
    checks = [
        (f"answer p50 at {name}", f"{s['full']['p50']:.2f} ms", f"≤ {P50_MS} ms", s["full"]["p50"] <= P50_MS),
        (f"answer p99 at {name}", f"{s['full']['p99']:.2f} ms", f"≤ {P99_MS} ms", s["full"]["p99"] <= P99_MS),
        (
            f"answer p99 at {name}, CPU time only (no waiting for a core)",
            f"{s['full_cpu']['p99']:.2f} ms",
            f"≤ {P99_MS} ms",
            s["full_cpu"]["p99"] <= P99_MS,
        ),
        (
            f"full path ÷ raw bm25s at {name}",
            f"{s['full']['p50'] / s['bm25s']['p50']:.2f}×",
            f"≤ {VS_BM25S}×",
            s["full"]["p50"] / s["bm25s"]["p50"] <= VS_BM25S,
        ),
    ]
    if rank_row is not None:
        rb = rank_row["serve"]["rank_bm25"]  # type: ignore[index]
        ratio = rb["theirs"]["p50"] / rb["ours"]["p50"]
        checks.append(
            (f"rank-bm25 ÷ full path at {rank_row['corpus']}", f"{ratio:.0f}×", f"≥ {VS_RANK_BM25:.0f}×", ratio >= VS_RANK_BM25)
        )
    checks += [
        (f"indexing at {name} (wall)", f"{b['rate']:,.0f}/s", f"≥ {RATE:,}/s", b["rate"] >= RATE),
        (f"indexing at {name} (per 2 CPU-s)", f"{cpu_rate:,.0f}/s", f"≥ {RATE:,}/s", cpu_rate >= RATE),
        (
            f"restart at {name} (process start → first answer)",
            f"{big['process_ready_seconds']:.2f} s",
            f"≤ {RESTART_S} s",
            float(big["process_ready_seconds"]) <= RESTART_S,  # type: ignore[arg-type]
        ),
        (f"RSS at {name}", f"{s['rss_mb']:.0f} MB", f"≤ {RSS_MB:.0f} MB", s["rss_mb"] <= RSS_MB),  # type: ignore[operator]
        (
            f"loop lag, 200 concurrent questions at {results['lag_corpus']}",
            f"{lag['lag_max_ms']:.1f} ms max",
            f"< {LAG_MS:.0f} ms",
            lag["lag_max_ms"] < LAG_MS,
        ),
        (
            f"new article answerable at {results['lag_corpus']}",
            f"{live['answerable_seconds']:.2f} s",
            f"≤ {LIVE_S} s",
            live["answerable_seconds"] <= LIVE_S,
        ),
        (
            f"loop lag during the live update at {results['lag_corpus']}",
            f"{live['lag_max_ms']:.1f} ms max",
            f"< {LAG_MS:.0f} ms",
            live["lag_max_ms"] < LAG_MS,
        ),
        (
            f"loop lag while compacting (full re-index, {live.get('compact_seconds', 0):.0f} s) at {results['lag_corpus']}",
            f"{live.get('compact_lag_max_ms', 0):.1f} ms max",
            f"< {LAG_MS:.0f} ms",
            live.get("compact_lag_max_ms", 0) < LAG_MS,
        ),
    ]
    out = ["| goal | measured | target | met |", "|---|---:|---:|:---:|"]
    # The quick run's largest corpus is 100k sentences: size-bound goals (rank-bm25 at 200k,
    # indexing throughput, which start-up costs dominate at 100k) are shown but not judged.
    sized = ("rank-bm25", "indexing")
    for g, m, t, ok in checks:
        verdict = "n/a (quick)" if results["quick"] and g.startswith(sized) else ("yes" if ok else "**no**")
        out.append(f"| {g} | {m} | {t} | {verdict} |")
    out.append("")
    if results["quick"]:
        out.append("Quick run: the goals are set at 1M sentences (rank-bm25 at 200k); `make bench` judges them there.")
        out.append("")
    out.append(
        f"Load average during the largest build: {b['loadavg']:.1f}; during the queries: {s['loadavg']:.1f}; "  # type: ignore[str-format]
        f"during the lag test: {lag['loadavg']:.1f} (2 cores)."
    )
    return out


def main() -> None:
    """Run the suite, print the table and save the raw results."""
    parser = argparse.ArgumentParser(description="quotebot benchmarks")
    parser.add_argument("--quick", action="store_true", help="small corpora only (under a minute)")
    parser.add_argument("--lexical", action="store_true", help="answer with [answer] semantic = false (default: the model on)")
    args = parser.parse_args()
    started = time.perf_counter()
    results = run(args.quick, args.lexical)
    results["seconds"] = time.perf_counter() - started
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    (RESULTS / f"{stamp}{'-quick' if args.quick else ''}.json").write_text(json.dumps(results, indent=1))
    print(table(results))
    print(f"\n(benchmark took {results['seconds']:.0f} s; raw results in {RESULTS})")


if __name__ == "__main__":
    main()
