"""quotebot's search path beside tantivy (Rust, BM25 with block-max WAND) on the same sentences and questions.

Both sides index the sentences of one synthetic news-like corpus (:mod:`bench.synth`): tantivy gets each sentence
of quotebot's index as one document, with its English stemmer, so the two answer over the same units. Each side
then answers the same questions for its top 10, one at a time on one thread, and the table gives p50 / p99 per
question and each of ours as a multiple of tantivy's p50, measured in this one run (no absolute goal).

``python -m bench.versus [--sentences 200000] [--questions 1000]``; part of ``make bench`` when tantivy is
installed (the ``bench`` extra installs it).
"""

from __future__ import annotations

import argparse
import dataclasses
import re
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from bench.synth import ensure_corpus, questions_from
from retrieval import IndexSettings, Searcher, SentenceIndex, open_index
from retrieval.rerank import reading_by_blocks

ROOT = Path(__file__).resolve().parent
#: Query syntax tantivy's parser would read as operators; the questions keep their words only.
_NOT_A_WORD = re.compile(r"[^\w\s]+")


def _timed(answer: Callable[[str], object], questions: list[str]) -> list[float]:
    """Milliseconds ``answer(question)`` took for each question (after one warm-up question)."""
    answer(questions[0])
    out = []
    for question in questions:
        start = time.perf_counter()
        answer(question)
        out.append((time.perf_counter() - start) * 1000)
    return out


def tantivy_side(index: SentenceIndex, questions: list[str]) -> tuple[list[float], float]:
    """tantivy over ``index``'s sentences: per-question milliseconds, and the build's seconds."""
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("body", stored=False, tokenizer_name="en_stem")
    builder.add_integer_field("sid", stored=True, indexed=False)
    schema = builder.build()
    engine = tantivy.Index(schema)
    start = time.perf_counter()
    writer = engine.writer(heap_size=500_000_000, num_threads=1)
    for sid in range(index.num_sentences):
        writer.add_document(tantivy.Document(body=index.sentence_text(sid), sid=sid))
    writer.commit()
    writer.wait_merging_threads()
    engine.reload()
    built = time.perf_counter() - start
    searcher = engine.searcher()

    def answer(question: str) -> None:
        query = engine.parse_query(_NOT_A_WORD.sub(" ", question), ["body"])
        for _, address in searcher.search(query, 10).hits:
            searcher.doc(address)

    return _timed(answer, questions), built


def ours(index: SentenceIndex, questions: list[str], blocks: bool = False) -> list[float]:
    """quotebot's one search path (:meth:`retrieval.Searcher.search`, top 10) over ``index``; with ``blocks``, its
    candidate stage reading block maxima (:func:`retrieval.rerank.reading_by_blocks`)."""
    searcher = Searcher(index)
    if not blocks:
        return _timed(lambda q: searcher.search(q, 10), questions)
    with reading_by_blocks():
        return _timed(lambda q: searcher.search(q, 10), questions)


def _row(name: str, samples: list[float], reference: float) -> str:
    p50, p99 = np.percentile(samples, [50, 99])
    return f"| {name} | {p50:.2f} | {p99:.2f} | {p50 / reference:.1f}x |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=200_000)
    parser.add_argument("--questions", type=int, default=1000)
    args = parser.parse_args()
    try:
        import tantivy  # noqa: F401
    except ImportError:
        print("bench.versus: tantivy is not installed (pip install -e '.[bench]'); skipped")
        return
    info = ensure_corpus(args.sentences, ROOT / "data")
    questions = questions_from(info.path, args.questions)
    cache = ROOT / "data" / "cache"
    settings = IndexSettings()
    index = open_index([str(info.path)], settings, cache_dir=cache).index
    plain = open_index([str(info.path)], dataclasses.replace(settings, rerank=False), cache_dir=cache).index
    theirs, built = tantivy_side(index, questions)
    reference = float(np.percentile(theirs, 50))
    print(f"\n{index.num_sentences:,} sentences, {len(questions):,} questions, top 10, one thread (tantivy built in {built:.1f} s)\n")
    print("| engine | p50 ms | p99 ms | p50 vs tantivy |")
    print("| --- | --- | --- | --- |")
    print(_row("tantivy 0.27 (en_stem)", theirs, reference))
    print(_row("quotebot, re-ranked (default)", ours(index, questions), reference))
    print(_row("quotebot, re-ranked, block maxima (opt-in)", ours(index, questions, blocks=True), reference))
    print(_row("quotebot, rerank = false", ours(plain, questions), reference))


if __name__ == "__main__":
    main()
