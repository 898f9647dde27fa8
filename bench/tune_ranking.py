"""Tune the ranking weights on SQuAD dev articles (even) and report them on held-out test articles (odd).

    python -m bench.tune_ranking [--k1 1.2 --b 0.75] [--candidates 200]

Features come from :func:`retrieval.ranking.index_candidates`, computed once per question;
weights are then searched by coordinate ascent on MRR@10 of the dev split only.
"""

from __future__ import annotations

import argparse
import pickle
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from bench.paths import squad_dir
from bot.evaluate import EvalQuestion, load_questions, split
from retrieval.corpus import load_corpus
from retrieval.index import IndexSettings, SentenceIndex
from retrieval.ranking import FEATURES, WEIGHTS, Candidates, combine, query_terms
from retrieval.rerank import index_candidates

SQUAD = squad_dir()


GRID = [0.0, 0.1, 0.2, 0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 3.0, 5.0, 8.0, 12.0, 16.0]

#: Features whose weight is searched among the negated grid: evidence *against* a sentence
#: (the next sentence holds question words this one lacks: the answer may be there).
NEGATIVE = frozenset({"next_only"})


FRAME = True


#: Per question: its candidates and which of them answer it.
Data = list[tuple[Candidates, NDArray[np.bool_]]]


def fmt(m: tuple[float, float, float]) -> str:
    """Three figures to three decimals."""
    return " ".join(f"{x:.3f}" for x in m)


def gather(index: SentenceIndex, questions: Sequence[EvalQuestion], n: int) -> Data:
    """Per question: its Candidates and a boolean vector of which candidates answer it."""
    out = []
    index = replace(index, settings=replace(index.settings, paragraph_weight=0.8))
    art_index = {a.id: i for i, a in enumerate(index.articles)}
    for q in questions:
        terms = query_terms(index.tokenizer, q.text, drop_frame=FRAME)
        c = index_candidates(index, terms, q.text, n)
        a = art_index[q.article_id]
        gold = np.array(
            [
                index.sent_article[i] == a and any(index.sent_start[i] <= s < index.sent_end[i] for s in q.answer_starts)
                for i in c.ids
            ],
            dtype=bool,
        )
        out.append((c, gold))
    return out


def metrics(data: Data, w: Sequence[float]) -> tuple[float, float, float]:
    """P@1, MRR@10 and R@3 of weights ``w`` over ``data`` (a question whose answer is not a candidate scores 0)."""
    p1 = mrr = r3 = 0.0
    for c, gold in data:
        if not gold.any():
            continue
        s = combine(c, w)
        best = s[gold].max()
        rank = int((s[~gold] >= best).sum())  # ties count against: the ranker's order among equals is arbitrary
        if rank < 10:
            mrr += 1 / (rank + 1)
            p1 += rank == 0
            r3 += rank < 3
    n = len(data)
    return p1 / n, mrr / n, r3 / n


def ascend(data: Data, w: Sequence[float], rounds: int = 3) -> list[float]:
    """Coordinate ascent on MRR@10: each weight in turn set to the best value of :data:`GRID`."""
    w = list(w)
    best = metrics(data, w)[1]
    for _ in range(rounds):
        for j in range(len(w)):
            for g in [-x for x in GRID] if FEATURES[j] in NEGATIVE else GRID:
                trial = list(w)
                trial[j] = g
                m = metrics(data, trial)[1]
                if m > best + 1e-6:
                    best, w = m, trial
        print("  round", [round(x, 2) for x in w], round(best, 4), flush=True)
    return w


def pairwise(data: Data, w0: Sequence[float], steps: int = 300, lr: float = 0.5, l2: float = 1e-4) -> list[float]:
    """Logistic loss on (answering sentence, higher-ranked other) pairs, by gradient descent; own's weight stays 1."""
    diffs = []
    for c, gold in data:
        if not gold.any():
            continue
        s = combine(c, w0)
        g = np.flatnonzero(gold)[np.argmax(s[gold])]
        negatives = np.flatnonzero(~gold)
        negatives = negatives[np.argsort(-s[negatives])[:20]]
        diffs.append(c.features[g] - c.features[negatives])
    x = np.vstack(diffs)
    scale = np.abs(x).mean(axis=0) + 1e-9
    xs = x / scale
    w = np.asarray(w0, dtype=np.float64) * scale
    for _ in range(steps):
        margin = xs @ w
        p = 1 / (1 + np.exp(np.clip(margin, -30, 30)))
        grad = -(xs * p[:, None]).mean(axis=0) + l2 * w
        w -= lr * grad
    w = w / scale
    w = np.maximum(w, 0)
    return [float(x) for x in w]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--k1", type=float, default=1.2)
    ap.add_argument("--b", type=float, default=0.75)
    ap.add_argument("--candidates", type=int, default=200)
    ap.add_argument("--para-k1", type=float, help="BM25 k1 for paragraphs (default: --k1)")
    ap.add_argument("--para-b", type=float, help="BM25 b for paragraphs (default: --b)")
    ap.add_argument("--quick", action="store_true", help="only score the current weights and the baseline")
    ap.add_argument("--no-frame", action="store_true")
    ap.add_argument("--load", action="store_true", help="reuse the features saved by the last run with these settings")
    ap.add_argument("--from-current", action="store_true", help="only ascend from the current weights (no per-feature or pairwise runs)")
    args = ap.parse_args()
    global FRAME
    FRAME = not args.no_frame
    started = time.perf_counter()
    index = SentenceIndex.build(load_corpus([SQUAD / "articles.jsonl"]), IndexSettings(k1=args.k1, b=args.b))
    if args.para_k1 is not None or args.para_b is not None:
        # Paragraphs scored with other BM25 parameters: swap in the paragraph engine of a second index.
        other = IndexSettings(k1=args.para_k1 or args.k1, b=args.b if args.para_b is None else args.para_b)
        index.paragraph_engine = SentenceIndex.build(load_corpus([SQUAD / "articles.jsonl"]), other).paragraph_engine
    questions = load_questions(SQUAD / "questions.jsonl")
    cache = Path(f"/tmp/tune-{args.k1}-{args.b}-{args.candidates}-{FRAME}-{args.para_k1}-{args.para_b}.pickle")
    if args.load and cache.exists():
        dev, test = pickle.loads(cache.read_bytes())
    else:
        dev = gather(index, split(questions, "dev"), args.candidates)
        test = gather(index, split(questions, "test"), args.candidates)
        cache.write_bytes(pickle.dumps((dev, test)))
    print(f"features in {time.perf_counter() - started:.0f}s; pool recall dev {np.mean([g.any() for _, g in dev]):.3f}")
    base = [1.0, 0.8] + [0.0] * (len(FEATURES) - 2)
    current = [WEIGHTS[f] for f in FEATURES]
    print("current      dev", fmt(metrics(dev, current)), "test", fmt(metrics(test, current)), flush=True)
    print("baseline     dev", fmt(metrics(dev, base)), "test", fmt(metrics(test, base)))
    if args.quick:
        return
    if args.from_current:
        w = ascend(dev, current, rounds=2)
        print("tuned", {f: round(float(x), 3) for f, x in zip(FEATURES, w, strict=True)})
        print("tuned        dev", fmt(metrics(dev, w)), "test", fmt(metrics(test, w)))
        return
    for j in range(2, len(FEATURES)):
        best = max((metrics(dev, base[:j] + [g] + base[j + 1 :])[1], g) for g in GRID)
        w = base[:j] + [best[1]] + base[j + 1 :]
        print(f"alone {FEATURES[j]:<14} w={best[1]:<5} dev", fmt(metrics(dev, w)), "test", fmt(metrics(test, w)), flush=True)
    w = pairwise(dev, base)
    print("pairwise", [round(x, 3) for x in w], "dev", fmt(metrics(dev, w)), "test", fmt(metrics(test, w)), flush=True)
    w = ascend(dev, w)
    print("tuned", {f: round(float(x), 3) for f, x in zip(FEATURES, w, strict=True)})
    print("tuned        dev", fmt(metrics(dev, w)), "test", fmt(metrics(test, w)))


if __name__ == "__main__":
    main()
