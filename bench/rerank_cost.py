"""What re-ranking costs per question, as a ratio to plain BM25 + paragraph measured in the same run.

    python -m bench.rerank_cost [--questions 500]

Both rank the same SQuAD dev questions over the same index (one build); the figure to watch is
the ratio, since absolute times depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import random
import time
from dataclasses import replace

from bench.paths import squad_dir
from bot.evaluate import load_questions
from retrieval import NO_GATE, Searcher
from retrieval.corpus import load_corpus
from retrieval.index import SentenceIndex

SQUAD = squad_dir()


def per_question_ms(index: SentenceIndex, questions: list[str]) -> float:
    """Mean milliseconds of :meth:`retrieval.Searcher.search` per question (top 10, ungated), after one warm-up pass."""
    searcher = Searcher(index, NO_GATE)
    for q in questions[:20]:
        searcher.search(q, k=10)
    started = time.perf_counter()
    for q in questions:
        searcher.search(q, k=10)
    return (time.perf_counter() - started) / len(questions) * 1000


def main() -> None:
    """Print both timings and their ratio."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--questions", type=int, default=500)
    args = ap.parse_args()
    index = SentenceIndex.build(load_corpus([SQUAD / "articles.jsonl"]))
    plain = SentenceIndex(**{**index.__dict__, "settings": replace(index.settings, rerank=False)})
    random.seed(0)
    questions = [q.text for q in random.sample(load_questions(SQUAD / "questions.jsonl"), args.questions)]
    base = per_question_ms(plain, questions)
    reranked = per_question_ms(index, questions)
    print(f"{index.num_sentences} sentences, {len(questions)} questions")
    print(f"plain BM25 + paragraph: {base:.2f} ms/question")
    print(f"re-ranked:              {reranked:.2f} ms/question  ({reranked / base:.1f}x)")


if __name__ == "__main__":
    main()
