"""Tune the ranking weights on SQuAD dev articles (even) and report them on held-out test articles (odd).

    python -m bench.tune_ranking [--k1 1.2 --b 0.75] [--candidates 200]

Features come from :func:`retrieval.ranking.candidates`, computed once per question;
weights are then searched by coordinate ascent on MRR@10 of the dev split only.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from bot.evaluate import load_questions, split
from retrieval.corpus import load_corpus
from retrieval.index import IndexSettings, SentenceIndex
from retrieval.ranking import FEATURES, candidates, combine, query_terms

SQUAD = Path(__file__).resolve().parent.parent.parent.parent / "shared" / "eval" / "squad-dev"


GRID = [0.0, 0.1, 0.2, 0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 3.0, 5.0, 8.0]


FRAME = True


def fmt(m: tuple[float, float, float]) -> str:
    return " ".join(f"{x:.3f}" for x in m)


def gather(index: SentenceIndex, questions, n: int):
    """Per question: its Candidates and a boolean vector of which candidates answer it."""
    out = []
    art_index = {a.id: i for i, a in enumerate(index.articles)}
    for q in questions:
        terms = query_terms(index.tokenizer, q.text, drop_frame=FRAME)
        per_term = [index.sentence_engine.get_scores([t]) for t in terms]
        para_terms = [index.paragraph_engine.get_scores([t]) for t in terms]
        para = np.sum(para_terms, axis=0) if terms else index.paragraph_engine.get_scores(terms)
        c = candidates(
            None, per_term, para, para_terms, index.sent_paragraph, index.sent_article,
            index.sentence_text, terms, q.text, index.tokenizer, n, 0.8,
        )
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


def metrics(data, w) -> tuple[float, float, float]:
    p1 = mrr = r3 = 0.0
    for c, gold in data:
        if not gold.any():
            continue
        s = combine(c, w)
        best = s[gold].max()
        rank = int((s > best).sum())
        if rank < 10:
            mrr += 1 / (rank + 1)
            p1 += rank == 0
            r3 += rank < 3
    n = len(data)
    return p1 / n, mrr / n, r3 / n


def ascend(data, w, rounds: int = 3) -> list[float]:
    w = list(w)
    best = metrics(data, w)[1]
    for _ in range(rounds):
        for j in range(1, len(w)):
            for g in GRID:
                trial = list(w)
                trial[j] = g
                m = metrics(data, trial)[1]
                if m > best + 1e-6:
                    best, w = m, trial
        print("  round", [round(x, 2) for x in w], round(best, 4), flush=True)
    return w


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--k1", type=float, default=1.2)
    ap.add_argument("--b", type=float, default=0.75)
    ap.add_argument("--candidates", type=int, default=200)
    ap.add_argument("--no-frame", action="store_true")
    args = ap.parse_args()
    global FRAME
    FRAME = not args.no_frame
    started = time.perf_counter()
    index = SentenceIndex.build(load_corpus([SQUAD / "articles.jsonl"]), IndexSettings(k1=args.k1, b=args.b))
    questions = load_questions(SQUAD / "questions.jsonl")
    dev = gather(index, split(questions, "dev"), args.candidates)
    test = gather(index, split(questions, "test"), args.candidates)
    print(f"features in {time.perf_counter() - started:.0f}s; pool recall dev {np.mean([g.any() for _, g in dev]):.3f}")
    base = [1.0, 0.8] + [0.0] * (len(FEATURES) - 2)
    print("baseline     dev", fmt(metrics(dev, base)), "test", fmt(metrics(test, base)))
    for j in range(2, len(FEATURES)):
        best = max((metrics(dev, base[:j] + [g] + base[j + 1 :])[1], g) for g in GRID)
        w = base[:j] + [best[1]] + base[j + 1 :]
        print(f"alone {FEATURES[j]:<14} w={best[1]:<5} dev", fmt(metrics(dev, w)), "test", fmt(metrics(test, w)), flush=True)
    w = ascend(dev, base)
    print("tuned", dict(zip(FEATURES, w)))
    print("tuned        dev", fmt(metrics(dev, w)), "test", fmt(metrics(test, w)))


if __name__ == "__main__":
    main()
