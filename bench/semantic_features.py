"""Collect, per question, the lexical and semantic evidence the answerer weighs, for calibrating the semantic blend.

    python -m bench.semantic_features OUT.pkl [--squad-limit 1500] [--top 30]

For every question of Wikinews dev (all kinds), a SQuAD dev sample, eval/seed_questions.jsonl and the off-corpus
sets (on the SQuAD and the seed corpus), it stores the best ``--top`` lexically ranked candidates with their
lexical scores, their semantic scores (:class:`retrieval.semantic.SemanticScorer`), the rank of the candidate that
answers (answerable questions), the lexical coverage of the best (:func:`retrieval.search.confidence`) and the
question's names the corpus never uses (:func:`retrieval.semantic.unknown_names`). ``bench/semantic_calibrate.py``
reads the file and chooses the blend weight and the "nothing found" rule without running the model again.
"""

from __future__ import annotations

import argparse
import json
import pickle
import random
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.paths import ROOT, squad_dir
from retrieval.background import evidence_weights, zipf_table
from retrieval.corpus import load_corpus
from retrieval.index import SentenceIndex
from retrieval.ranking import query_terms
from retrieval.rerank import rank
from retrieval.search import confidence, context_before
from retrieval.semantic import SemanticScorer, candidate_text, unknown_names

WIKINEWS = ROOT.parent / "shared" / "eval" / "wikinews"


@dataclass
class Row:
    """The evidence about one question."""

    corpus: str
    kind: str
    question: str
    lexical: np.ndarray
    semantic: np.ndarray
    #: 0-based rank among the candidates of the one that answers; -1 none does; -2 not answerable.
    gold: int
    coverage: float
    unknown: tuple[str, ...]
    seconds: float


class _Unpickler(pickle.Unpickler):
    """Reads rows pickled by this script run as ``__main__``."""

    def find_class(self, module: str, name: str) -> type:
        return Row if name == "Row" else super().find_class(module, name)


def load_rows(path: str) -> list[Row]:
    """The rows a run of this script stored."""
    with open(path, "rb") as f:
        return list(_Unpickler(f).load())


def lines(path: Path) -> list[str]:
    """The non-blank lines of a text file of questions."""
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def collect(index: SentenceIndex, scorer: SemanticScorer, corpus: str, items: list[dict], top: int, titles: bool = True) -> list[Row]:
    """Evidence for ``items`` (``{"question", "kind", "article_id", "starts"}``) over ``index``."""
    rows = []
    for item in items:
        q = item["question"]
        started = time.perf_counter()
        terms = query_terms(index.tokenizer, q)
        ranked = rank(index, terms, q) if terms else None
        if ranked is None or not ranked.scores.size:
            rows.append(Row(corpus, item["kind"], q, np.zeros(0), np.zeros(0), -1 if item["starts"] else -2, -1.0, (), 0.0))
            continue
        c = ranked.candidates
        order = np.argsort(-ranked.scores, kind="stable")[:top]
        weights = evidence_weights(index.tokenizer, q, c.terms, c.idf, index.num_sentences)
        coverage = confidence(c, int(order[0]), weights)
        hits = [index.hit(int(c.ids[r]), float(ranked.scores[r])) for r in order]
        leaned = [context_before(index, h.sentence, h.text) for h in hits]
        texts = [candidate_text(h.text, h.title if titles else None, c.text if c else None) for h, c in zip(hits, leaned, strict=True)]
        semantic = scorer.score(q, texts)
        unknown = unknown_names(q, index.tokenizer, [index], zipf_table())
        seconds = time.perf_counter() - started
        gold = -2
        if item["starts"]:
            gold = next(
                (i for i, h in enumerate(hits) if h.article_id == item["article_id"] and any(h.start <= s < h.end for s in item["starts"])),
                -1,
            )
        rows.append(Row(corpus, item["kind"], q, ranked.scores[order].copy(), semantic, gold, coverage, tuple(unknown), seconds))
    return rows


def jsonl(path: Path) -> list[dict]:
    """A questions file as evaluation items."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        answerable = row.get("answerable", True)
        out.append(
            {
                "question": row["question"],
                "kind": row.get("kind", "on-topic"),
                "article_id": str(row.get("article_id")),
                "starts": [int(a["start"]) for a in row.get("answers", [])] if answerable else [],
            }
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--squad-limit", type=int, default=1500)
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("--no-titles", action="store_true", help="the model reads the sentence alone, without its title")
    ap.add_argument("--sets", default="wikinews,seed,squad")
    args = ap.parse_args()
    sets = args.sets.split(",")
    titles = not args.no_titles
    scorer = SemanticScorer.load()
    def unanswerable(kind: str, name: str) -> list[dict]:
        return [{"question": q, "kind": kind, "article_id": "", "starts": []} for q in lines(ROOT / "eval" / name)]

    off, heldout = unanswerable("off-corpus", "off_corpus.txt"), unanswerable("off-corpus-heldout", "off_corpus_heldout.txt")
    rows: list[Row] = []
    if "wikinews" in sets:
        wikinews = SentenceIndex.build(load_corpus([WIKINEWS / "articles.jsonl"]))
        rows += collect(wikinews, scorer, "wikinews", jsonl(WIKINEWS / "questions.jsonl"), args.top, titles)
        print("wikinews", len(rows), flush=True)
    if "seed" in sets:
        seed = SentenceIndex.build(load_corpus([ROOT / "seeds"]))
        rows += collect(seed, scorer, "seed", jsonl(ROOT / "eval" / "seed_questions.jsonl") + off + heldout, args.top, titles)
        print("seed", len(rows), flush=True)
    if "squad" not in sets:
        with open(args.out, "wb") as f:
            pickle.dump(rows, f)
        return
    squad = squad_dir()
    index = SentenceIndex.build(load_corpus([squad / "articles.jsonl"]))
    random.seed(0)
    sample = random.sample(jsonl(squad / "questions.jsonl"), args.squad_limit)
    rows += collect(index, scorer, "squad", sample + off + heldout, args.top, titles)
    print("squad", len(rows), flush=True)
    with open(args.out, "wb") as f:
        pickle.dump(rows, f)


if __name__ == "__main__":
    main()
