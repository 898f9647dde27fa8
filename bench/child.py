"""Benchmark steps that need a fresh process (build time, restart time, RSS), run by :mod:`bench.run`.

Each step prints one JSON object on its last line of standard output.

    python -m bench.child build  CORPUS CACHE            # index from scratch and save
    python -m bench.child serve  CORPUS CACHE QUESTIONS  # restart from the cache, then time queries
    python -m bench.child lag    CORPUS CACHE QUESTIONS  # event-loop lag under 200 concurrent questions
    (serve and lag answer with the default AnswerSettings, semantic evidence on; ``--lexical``: semantic = false)
    python -m bench.child live   CORPUS CACHE            # one new article: how soon is it answerable?
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import asyncio  # noqa: E402
import gc  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
from collections.abc import Callable  # noqa: E402
from functools import partial  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import psutil  # noqa: E402

from bot.answerer import Answerer, AnswerSettings  # noqa: E402
from bot.models import Question  # noqa: E402
from bot.render import render  # noqa: E402
from retrieval import NO_GATE, Searcher  # noqa: E402
from retrieval.cache import open_index  # noqa: E402
from retrieval.engines import Bm25sEngine  # noqa: E402
from retrieval.index import IndexSettings, SentenceIndex  # noqa: E402


def _cpu() -> tuple[float, float]:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime


def _rss_split() -> dict[str, float]:
    """Resident memory now, split into anonymous pages (the heap: what the process owns) and file pages (the
    memory-mapped index, which the kernel can drop and re-read), in MB; Linux only, empty elsewhere."""
    try:
        lines = Path("/proc/self/status").read_text().splitlines()
    except OSError:
        return {}
    fields = dict(line.split(":", 1) for line in lines if line.startswith(("RssAnon", "RssFile", "RssShmem")))
    return {f"{k.lower().replace('rss', 'rss_')}_mb": int(v.split()[0]) / 1e3 for k, v in fields.items()}


def _ms(samples: list[float]) -> dict[str, float]:
    a = np.asarray(samples) * 1000
    return {"p50": float(np.percentile(a, 50)), "p99": float(np.percentile(a, 99)), "mean": float(a.mean()), "n": len(a)}


def build(corpus: str, cache: str) -> dict[str, object]:
    """Read → sentences → tokens → index → saved, from nothing."""
    started = time.perf_counter()
    opened = open_index([corpus], cache_dir=Path(cache), rebuild=True)
    seconds = time.perf_counter() - started
    own, kids = _cpu()
    index = opened.index
    return {
        "sentences": index.num_sentences,
        "articles": len(index.articles),
        "seconds": seconds,
        "rate": index.num_sentences / seconds,
        "cpu_seconds": own + kids,
        "loadavg": os.getloadavg()[0],
        "rss_mb": psutil.Process().memory_info().rss / 1e6,
    }


def _raw_bm25s(engine: Bm25sEngine):  # type: ignore[no-untyped-def]
    """A bm25s.BM25 retriever over the very same score matrix (bm25s's own retrieval code)."""
    import bm25s

    m = engine.matrix
    raw = bm25s.BM25(method="lucene")
    raw.scores = {"data": m.data, "indices": m.indices, "indptr": m.indptr, "num_docs": m.num_docs}
    raw.vocab_dict = engine.vocab
    raw.unique_token_ids_set = set(engine.vocab.values())
    raw.nonoccurrence_array = None
    return raw


def _back_to_back(full: Callable[[str], None], questions: list[str], rounds: int = 2) -> list[float]:
    """Seconds of each call of ``full``, every question asked once per round, one after another."""
    seconds = []
    for _round in range(rounds):
        for q in questions:
            s = time.perf_counter()
            full(q)
            seconds.append(time.perf_counter() - s)
    return seconds


def serve(corpus: str, cache: str, questions_file: str, rank_bm25: bool, settings: AnswerSettings) -> dict[str, object]:
    """Restart from the saved index; time the full answer path, our retrieval, raw bm25s and (optionally) rank-bm25."""
    questions: list[str] = json.loads(Path(questions_file).read_text())
    t = time.perf_counter()
    opened = open_index([corpus], cache_dir=Path(cache))
    load_seconds = time.perf_counter() - t
    assert opened.from_cache, "serve expects the index saved by the build step"
    index = opened.index
    answerer = Answerer(index, settings)
    first = answerer.answer(Question(questions[0]))
    render(first, "plain")
    ready = time.perf_counter() - STARTED
    print("READY", flush=True)  # the parent times process start → here
    rss_ready = psutil.Process().memory_info().rss / 1e6
    out: dict[str, object] = {"load_seconds": load_seconds, "ready_seconds": ready, "rss_ready_mb": rss_ready}

    def full(q: str) -> None:
        render(answerer.answer(Question(q)), "plain")

    terms = [index.tokenizer(q) for q in questions]
    raw = _raw_bm25s(index.sentence_engine) if isinstance(index.sentence_engine, Bm25sEngine) else None
    known = [[t for t in ts if t in index.vocab] or ["\x00"] for ts in terms]

    searcher = Searcher(index, NO_GATE)

    def ours(i: int) -> None:
        searcher.search(questions[i], k=10)

    def bm25s_retrieve(i: int) -> None:
        assert raw is not None
        if known[i] != ["\x00"]:
            raw.retrieve([known[i]], k=10, show_progress=False, n_threads=0)

    # Wall time, and the thread's CPU time for the full path: on a shared machine the
    # difference is time spent waiting for a core.
    # First the answer path alone, questions back to back as a bot answers them (the first round in this fresh
    # process, so it pays for first reads of the index pages). The interleaved rounds below, which compare engines
    # under the same load, run every answer just after raw bm25s has swept the whole matrix through the CPU's caches.
    samples: dict[str, list[float]] = {"full_alone": _back_to_back(full, questions), "full": [], "search": [], "bm25s": [], "full_cpu": []}
    for _round in range(2):  # interleaved, so load on the machine hits all three alike
        for i, q in enumerate(questions):
            steps = (("full", partial(full, q)), ("search", partial(ours, i)), ("bm25s", partial(bm25s_retrieve, i)))
            for name, fn in steps:
                if name == "bm25s" and raw is None:
                    continue
                s, c = time.perf_counter(), time.thread_time()
                fn()
                samples[name].append(time.perf_counter() - s)
                if name == "full":
                    samples["full_cpu"].append(time.thread_time() - c)
    for name, values in samples.items():
        if values:
            out[name] = _ms(values)
    if rank_bm25:
        out["rank_bm25"] = _rank_bm25(index, terms[:50], full, questions[:50])
    out["rss_mb"] = psutil.Process().memory_info().rss / 1e6
    out.update(_rss_split())
    out["loadavg"] = os.getloadavg()[0]
    return out


def _rank_bm25(index: SentenceIndex, terms: list[list[str]], full, questions: list[str]) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """rank-bm25's BM25Okapi.get_scores + top 10 against our full path, same questions, same process."""
    from rank_bm25 import BM25Okapi

    docs = [index.tokenizer(index.sentence_text(i)) or [""] for i in range(index.num_sentences)]
    t = time.perf_counter()
    okapi = BM25Okapi(docs)
    build_seconds = time.perf_counter() - t
    # rank-bm25 keeps a dict per sentence; out of the garbage collector's sight, so that its
    # full collections don't bill either side for walking them (a bot holds no such objects).
    gc.collect()
    gc.freeze()
    theirs: list[float] = []
    ours: list[float] = []
    # Blocks, not alternating calls: one rank-bm25 call sweeps ~100 MB of arrays through the
    # caches, which would make every call of ours after it start cold. Two rounds of each
    # (A B A B) spread the machine's load over both.
    for _round in range(2):
        for ts in terms:
            s = time.perf_counter()
            scores = okapi.get_scores(ts)
            np.argpartition(-scores, 10)[:10]
            theirs.append(time.perf_counter() - s)
        for q in questions:
            s = time.perf_counter()
            full(q)
            ours.append(time.perf_counter() - s)
    return {"build_seconds": build_seconds, "theirs": _ms(theirs), "ours": _ms(ours), "sentences": index.num_sentences}


async def _lag(corpus: str, cache: str, questions: list[str], concurrent: int, settings: AnswerSettings) -> dict[str, object]:
    """Loop lag while ``concurrent`` questions go through the console pipeline (answer_async + render) at once."""
    from dataclasses import asdict

    from .lag import measure_lag

    opened = open_index([corpus], cache_dir=Path(cache))
    answerer = Answerer(opened.index, settings)

    async def ask(q: str) -> str:
        return render(await answerer.answer_async(Question(q, platform="console")), "plain")

    try:
        result = await measure_lag(ask, questions, concurrent)
    finally:
        answerer.close()
    return {**asdict(result), "loadavg": os.getloadavg()[0]}


async def _live(corpus: str, cache: str) -> dict[str, object]:
    """Add one article to a large corpus: time until a question finds it, then compact (a full re-index in a
    worker process) while questions keep being answered; the loop lag throughout.

    The article is removed afterwards, which leaves the corpus fingerprint (and so the saved index) as it was.
    """
    from retrieval.live import LiveIndex

    article = Path(corpus) / "zz-breaking-news.txt"
    article.unlink(missing_ok=True)
    question = "When did the zorblatt quintessor reactor open?"
    t = time.perf_counter()
    live = LiveIndex([corpus], IndexSettings(), cache_dir=Path(cache), debounce_ms=50, compact_after=3600)
    await live.start()
    start_seconds = time.perf_counter() - t
    lags: list[float] = []
    stop = asyncio.Event()

    async def monitor() -> None:
        loop = asyncio.get_running_loop()
        while not stop.is_set():
            s = loop.time()
            await asyncio.sleep(0.005)
            lags.append(loop.time() - s - 0.005)

    def found() -> bool:
        hits = [f.hit for f in Searcher(live, NO_GATE).search(question, k=1).hits]
        return bool(hits) and "zorblatt" in hits[0].text

    mon = asyncio.create_task(monitor())
    answered_during_compaction = 0
    try:
        t = time.perf_counter()
        article.write_text("date 2026-11-26\n\nThe zorblatt quintessor reactor opened in Vexhollow on Thursday. Officials cheered.")
        while not found():
            if time.perf_counter() - t > 60:
                raise RuntimeError("the new article never became answerable")
            await asyncio.sleep(0.01)
        seconds = time.perf_counter() - t
        update_lag = max(lags, default=0.0)
        mark = len(lags)
        t = time.perf_counter()
        compaction = asyncio.create_task(live.compact())
        while not compaction.done():
            answered_during_compaction += found()
            await asyncio.sleep(0.02)
        await compaction
        compact_seconds = time.perf_counter() - t
        compact_lags = lags[mark:]
        assert found() and live.index.delta is None, "after compaction the article is in the base"
    finally:
        stop.set()
        await mon
        article.unlink(missing_ok=True)
        await live.stop()
    return {
        "base_sentences": live.index.base.num_sentences if live._current else 0,
        "start_seconds": start_seconds,
        "answerable_seconds": seconds,
        "lag_max_ms": update_lag * 1000,
        "compact_seconds": compact_seconds,
        "compact_lag_max_ms": max(compact_lags, default=0.0) * 1000,
        "answered_during_compaction": answered_during_compaction,
        "loadavg": os.getloadavg()[0],
    }


def main(argv: list[str]) -> None:
    """Run one step and print its JSON result."""
    step = argv[0]
    settings = AnswerSettings(semantic="--lexical" not in argv)
    if step == "build":
        result = build(argv[1], argv[2])
    elif step == "serve":
        result = serve(argv[1], argv[2], argv[3], rank_bm25="--rank-bm25" in argv, settings=settings)
    elif step == "lag":
        result = asyncio.run(_lag(argv[1], argv[2], json.loads(Path(argv[3]).read_text()), 200, settings))
    elif step == "live":
        result = asyncio.run(_live(argv[1], argv[2]))
    else:
        raise SystemExit(f"unknown step {step!r}")
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
