"""Calibrate the no-answer thresholds: on-topic questions against off-corpus ones, on two corpora.

    python -m bench.calibrate_threshold [--limit 3000] [--min-answered 0.99]

The answer is "nothing found" when the best-ranked sentence has too little of the question
(``[answer] min_coverage``, on :func:`bot.pipeline.confidence`: its ``window`` feature plus half its ``related``
one) or sits in a paragraph that matches too little
of it (a candidate ``min_paragraph``, on its ``paragraph`` feature: paragraph BM25 per unit of the
question's IDF mass; measured, not a setting: see docs/quality.md). For every pair of cut-offs on a grid this measures:

- on-topic answered: a sample of SQuAD dev questions on the SQuAD corpus, and eval/seed_on_topic.txt
  on the seed corpus;
- off-corpus refused: eval/off_corpus.txt (the *calibration* set) and eval/off_corpus_heldout.txt
  (written afterwards in another style, news questions, and never used to choose), on both corpora.

It picks the pair that refuses the most calibration questions on the SQuAD corpus while keeping at least
``--min-answered`` of SQuAD on-topic questions and ``--min-seed-answered`` of seed ones answered, then reports
the held-out set for that pair and for the current defaults.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from bench.paths import squad_dir
from bot.evaluate import load_questions
from bot.pipeline import AnswerSettings, confidence
from retrieval.corpus import load_corpus
from retrieval.index import SentenceIndex
from retrieval.ranking import FEATURES, query_terms

ROOT = Path(__file__).resolve().parent.parent
SQUAD = squad_dir()
MEASURES = ("confidence", "paragraph")


def lines(path: Path) -> list[str]:
    """The non-blank lines of a text file of questions."""
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def confidences(index: SentenceIndex, questions: list[str]) -> NDArray[np.float64]:
    """One row per question: the :data:`MEASURES` of its best-ranked sentence (-1 when nothing matches at all)."""
    out = np.full((len(questions), len(MEASURES)), -1.0)
    paragraph = FEATURES.index("paragraph")
    for row, q in enumerate(questions):
        terms = query_terms(index.tokenizer, q)
        ranked = index.rank(terms, q) if terms else None
        if ranked is not None and ranked.scores.size:
            best = int(np.argmax(ranked.scores))
            out[row] = (confidence(ranked.candidates, best), ranked.candidates.features[best, paragraph])
    return out


def answered(conf: NDArray[np.float64], coverage: float, paragraph: float) -> NDArray[np.bool_]:
    """Which questions get an answer at these cut-offs."""
    return (conf[:, 0] >= coverage) & (conf[:, 1] >= paragraph) & (conf[:, 0] >= 0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=int, default=3000, help="on-topic SQuAD questions sampled")
    ap.add_argument("--min-answered", type=float, default=0.99, help="SQuAD on-topic questions that must stay answered")
    ap.add_argument("--min-seed-answered", type=float, default=0.98, help="seed on-topic questions that must stay answered")
    args = ap.parse_args()
    squad = SentenceIndex.build(load_corpus([SQUAD / "articles.jsonl"]))
    seed = SentenceIndex.build(load_corpus([ROOT / "seeds"]))
    random.seed(0)
    on_topic = [q.text for q in random.sample(load_questions(SQUAD / "questions.jsonl"), args.limit)]
    calibration, heldout = lines(ROOT / "eval" / "off_corpus.txt"), lines(ROOT / "eval" / "off_corpus_heldout.txt")
    sets = {
        "squad on": confidences(squad, on_topic),
        "squad off": confidences(squad, calibration),
        "squad held-out off": confidences(squad, heldout),
        "seed on": confidences(seed, lines(ROOT / "eval" / "seed_on_topic.txt")),
        "seed off": confidences(seed, calibration),
        "seed held-out off": confidences(seed, heldout),
    }

    def report(coverage: float, paragraph: float) -> str:
        parts = []
        for name, conf in sets.items():
            share = answered(conf, coverage, paragraph).mean()
            parts.append(f"{name} {'answered' if name.endswith('on') else 'refused'} {share if name.endswith('on') else 1 - share:.3f}")
        return ", ".join(parts)

    best: tuple[float, float, float] | None = None
    for coverage in np.round(np.arange(0.0, 0.61, 0.02), 2):
        for paragraph in np.round(np.arange(0.0, 0.41, 0.01), 2):
            if answered(sets["squad on"], coverage, paragraph).mean() < args.min_answered:
                continue
            if answered(sets["seed on"], coverage, paragraph).mean() < args.min_seed_answered:
                continue
            refused = 1 - answered(sets["squad off"], coverage, paragraph).mean()
            if best is None or refused > best[0] + 1e-9:
                best = (refused, float(coverage), float(paragraph))
    defaults = AnswerSettings()
    print(f"{len(on_topic)} SQuAD on-topic, {len(calibration)} calibration and {len(heldout)} held-out off-corpus questions")
    print(f"default   min_coverage {defaults.min_coverage} (no paragraph cut):")
    print("   ", report(defaults.min_coverage, 0.0))
    if best is not None:
        print(f"best      min_coverage {best[1]} min_paragraph {best[2]}:")
        print("   ", report(best[1], best[2]))
    print()
    print("| min_coverage | min_paragraph | " + " | ".join(sets) + " |")
    print("| --- | --- | " + " | ".join("---" for _ in sets) + " |")
    for coverage, paragraph in [(c, 0.0) for c in (0.2, 0.25, 0.3, 0.35, 0.4, 0.5)] + [(0.2, 0.14), (0.3, 0.15), (0.2, 0.2)]:
        cells = []
        for name, conf in sets.items():
            share = answered(conf, coverage, paragraph).mean()
            cells.append(f"{share if name.endswith('on') else 1 - share:.3f}")
        print(f"| {coverage:.2f} | {paragraph:.2f} | " + " | ".join(cells) + " |")

if __name__ == "__main__":
    main()
