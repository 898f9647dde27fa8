"""Calibrate the no-answer threshold: on-topic SQuAD questions against the off-corpus set in eval/.

    python -m bench.calibrate_threshold [--limit 3000]

For several confidence measures of the best-ranked sentence it prints the cut-off that
keeps 98.5% of on-topic questions answered, and the share of off-corpus questions it refuses,
on the SQuAD corpus and on the one-article seed corpus.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

import numpy as np

from bench.paths import squad_dir
from bot.evaluate import load_questions
from retrieval.corpus import load_corpus
from retrieval.index import SentenceIndex
from retrieval.ranking import FEATURES, query_terms

ROOT = Path(__file__).resolve().parent.parent
SQUAD = squad_dir()
MEASURES = ("coverage", "window", "local_coverage", "combined")


def lines(path: Path) -> list[str]:
    """The non-blank lines of a text file of questions."""
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def confidences(index: SentenceIndex, questions: list[str]) -> dict[str, np.ndarray]:
    """Per measure, one value per question (0 when nothing matches at all)."""
    out: dict[str, list[float]] = {m: [] for m in MEASURES}
    for q in questions:
        terms = query_terms(index.tokenizer, q)
        ranked = index.rank(terms, q) if terms else None
        if ranked is None or ranked.scores.size == 0:
            for m in MEASURES:
                out[m].append(0.0)
            continue
        best = int(np.argmax(ranked.scores))
        row = ranked.candidates.features[best]
        for m in MEASURES:
            out[m].append(float(ranked.scores[best]) if m == "combined" else float(row[FEATURES.index(m)]))
    return {m: np.asarray(v) for m, v in out.items()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=int, default=3000, help="on-topic SQuAD questions sampled")
    args = ap.parse_args()
    off = lines(ROOT / "eval" / "off_corpus.txt")
    squad = SentenceIndex.build(load_corpus([SQUAD / "articles.jsonl"]))
    seed = SentenceIndex.build(load_corpus([ROOT / "seeds"]))
    random.seed(0)
    on = [q.text for q in random.sample(load_questions(SQUAD / "questions.jsonl"), args.limit)]
    on_conf = confidences(squad, on)
    off_conf = confidences(squad, off)
    seed_off = confidences(seed, off)
    seed_on = confidences(seed, lines(ROOT / "eval" / "seed_on_topic.txt"))
    for m in MEASURES:
        cut = float(np.quantile(on_conf[m], 0.015))
        print(
            f"{m:<14} cut {cut:.3f}: on-topic answered {np.mean(on_conf[m] >= cut):.3f}, "
            f"off-corpus refused {np.mean(off_conf[m] < cut):.3f} (squad) {np.mean(seed_off[m] < cut):.3f} (seed); "
            f"seed on-topic answered {np.mean(seed_on[m] >= cut):.3f}"
        )
        for c in (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5) if m != "combined" else ():
            print(
                f"    at {c:.2f}: on {np.mean(on_conf[m] >= c):.3f} off-refused {np.mean(off_conf[m] < c):.3f} "
                f"seed-off-refused {np.mean(seed_off[m] < c):.3f} seed-on {np.mean(seed_on[m] >= c):.3f}"
            )


if __name__ == "__main__":
    main()
