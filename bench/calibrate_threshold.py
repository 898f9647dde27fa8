"""Calibrate the no-answer thresholds: on-topic questions against off-corpus ones, on two corpora.

    python -m bench.calibrate_threshold [--limit 3000] [--min-answered 0.994]

The answer is "nothing found" when the best-ranked sentence has too little of the question
(``[answer] min_coverage``, on :func:`retrieval.search.confidence`: the share of the question's words, weighed by
:func:`retrieval.background.evidence_weights`, that it and its neighbours hold, related words counting half) or
sits in a paragraph that matches too little of it (a candidate ``min_paragraph``, on its ``paragraph`` feature:
paragraph BM25 per unit of the question's IDF mass; measured, not a setting: see docs/quality.md). For every pair
of cut-offs on a grid this measures:

- on-topic answered: a sample of SQuAD dev questions on the SQuAD corpus, and eval/seed_on_topic.txt
  on the seed corpus;
- off-corpus refused: eval/off_corpus.txt (the *calibration* set) and eval/off_corpus_heldout.txt
  (written afterwards in another style, news questions, and never used to choose), on both corpora.

It picks the pair that refuses the most calibration questions on the SQuAD corpus while keeping at least
``--min-answered`` of SQuAD on-topic questions and ``--min-seed-answered`` of seed ones answered, then reports
the held-out set for that pair and for the current defaults. The SQuAD floor, 0.994, is the share the
earlier measure (corpus IDF alone, also reported) answered at its cut: a new measure must refuse more
off-corpus questions without answering fewer on-topic ones, which ``make eval`` would count as misses.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from bench.paths import squad_dir
from bot.answerer import AnswerSettings
from bot.evaluate import load_questions
from retrieval.background import evidence_weights
from retrieval.corpus import load_corpus
from retrieval.index import SentenceIndex
from retrieval.ranking import FEATURES, query_terms
from retrieval.rerank import rank
from retrieval.search import confidence

ROOT = Path(__file__).resolve().parent.parent
SQUAD = squad_dir()
MEASURES = ("confidence", "paragraph", "corpus-IDF confidence")


def lines(path: Path) -> list[str]:
    """The non-blank lines of a text file of questions."""
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def confidences(index: SentenceIndex, questions: list[str]) -> NDArray[np.float64]:
    """One row per question: the :data:`MEASURES` of its best-ranked sentence (-1 when nothing matches at all).

    The last, confidence with the corpus's IDF alone (no background), is what ``min_coverage`` was until
    :mod:`retrieval.background`; it is kept for the comparison in docs/quality.md."""
    out = np.full((len(questions), len(MEASURES)), -1.0)
    paragraph = FEATURES.index("paragraph")
    for row, q in enumerate(questions):
        terms = query_terms(index.tokenizer, q)
        ranked = rank(index, terms, q) if terms else None
        if ranked is not None and ranked.scores.size:
            best = int(np.argmax(ranked.scores))
            c = ranked.candidates
            weights = evidence_weights(index.tokenizer, q, c.terms, c.idf, index.num_sentences)
            out[row] = (confidence(c, best, weights), c.features[best, paragraph], confidence(c, best))
    return out


def answered(conf: NDArray[np.float64], coverage: float, paragraph: float, measure: int = 0) -> NDArray[np.bool_]:
    """Which questions get an answer at these cut-offs (``coverage`` on column ``measure`` of :data:`MEASURES`)."""
    return (conf[:, measure] >= coverage) & (conf[:, 1] >= paragraph) & (conf[:, measure] >= 0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--limit", type=int, default=3000, help="on-topic SQuAD questions sampled")
    ap.add_argument("--min-answered", type=float, default=0.994, help="SQuAD on-topic questions that must stay answered")
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

    def report(coverage: float, paragraph: float, measure: int = 0) -> str:
        parts = []
        for name, conf in sets.items():
            share = answered(conf, coverage, paragraph, measure).mean()
            parts.append(f"{name} {'answered' if name.endswith('on') else 'refused'} {share if name.endswith('on') else 1 - share:.3f}")
        return ", ".join(parts)

    def search(measure: int, paragraphs: NDArray[np.float64]) -> tuple[float, float, float] | None:
        """The cut-offs that refuse the most SQuAD calibration questions within the on-topic floors."""
        best: tuple[float, float, float] | None = None
        for coverage in np.round(np.arange(0.0, 0.61, 0.01), 2):
            for paragraph in paragraphs:
                if answered(sets["squad on"], coverage, paragraph, measure).mean() < args.min_answered:
                    continue
                if answered(sets["seed on"], coverage, paragraph, measure).mean() < args.min_seed_answered:
                    continue
                refused = 1 - answered(sets["squad off"], coverage, paragraph, measure).mean()
                if best is None or refused > best[0] + 1e-9:
                    best = (refused, float(coverage), float(paragraph))
        return best

    best = search(0, np.round(np.arange(0.0, 0.41, 0.01), 2))
    defaults = AnswerSettings()
    print(f"{len(on_topic)} SQuAD on-topic, {len(calibration)} calibration and {len(heldout)} held-out off-corpus questions")
    print(f"default   min_coverage {defaults.min_coverage} (no paragraph cut):")
    print("   ", report(defaults.min_coverage, 0.0))
    if best is not None:
        print(f"best      min_coverage {best[1]} min_paragraph {best[2]}:")
        print("   ", report(best[1], best[2]))
    before = search(2, np.zeros(1))
    if before is not None:
        print(f"corpus IDF alone, best min_coverage {before[1]}:")
        print("   ", report(before[1], 0.0, measure=2))
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
