"""``quotebot index``: build or refresh the saved index and summarise the corpus."""

from __future__ import annotations

import argparse

from retrieval import date_range

from .common import add_corpus_options, config_from, load


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``index`` subcommand."""
    p = subparsers.add_parser(
        "index",
        help="build or refresh the index and list corpus problems",
        description="Build the index for the corpus (or confirm the saved one is current) and print a summary: "
        "articles, sentences, and every file or line skipped, with its reason.",
    )
    add_corpus_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Build or load the index and print the summary."""
    loaded = load(args, config_from(args), quiet=True)
    opened = loaded.opened
    index = opened.index
    how = "up to date, loaded" if opened.from_cache else "built"
    print(f"Index {how} in {loaded.seconds:.2f}s: {len(index.articles)} article(s), {index.num_sentences} sentences.")
    if opened.peak_rss is not None:
        budget = index.settings.build_memory_mb
        print(f"Peak build memory: {opened.peak_rss / 2**20:,.0f} MB resident (build processes together; budget {budget:,} MB).")
    print(f"Saved at: {opened.path}" if opened.path else "Not saved (the cache folder is not writable).")
    first, last, undated = date_range(index.articles)
    print(f"Dates: {first} to {last} ({undated} undated)." if first else f"Dates: none ({undated} undated).")
    skipped = [p for p in index.problems if p.skipped]
    kept = [p for p in index.problems if not p.skipped]
    print(f"Skipped: {len(skipped)}" + (":" if skipped else "."))
    for p in skipped:
        print(f"  {p.path}{f':{p.line}' if p.line else ''}: {p.reason}")
    if kept:
        print(f"Warnings (kept): {len(kept)}:")
        for p in kept:
            print(f"  {p.path}{f':{p.line}' if p.line else ''}: {p.reason}")
    return 0
