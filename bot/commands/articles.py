"""``quotebot articles``: list what is indexed, one article per line (id, date, title, sentences, url)."""

from __future__ import annotations

import argparse
import datetime as dt
import json

from retrieval import DateError, date_range, parse_date, rows

from .common import add_corpus_options, config_from, load


def _date(value: str) -> dt.date:
    """An argparse type: ``YYYY-MM-DD``."""
    try:
        parsed = parse_date(value)
    except DateError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    if parsed is None:
        raise argparse.ArgumentTypeError("expected a date like 2020-06-09")
    return parsed


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``articles`` subcommand."""
    p = subparsers.add_parser(
        "articles",
        help="list the indexed articles: id, date, title, sentences, url",
        description="List every indexed article (id, date, title, sentence count and url), then the date range. "
        "Filter by date with --since/--until (inclusive; undated articles are left out then) and by id or title with --grep.",
    )
    p.add_argument("--since", type=_date, metavar="DATE", help="only articles dated on or after DATE (YYYY-MM-DD)")
    p.add_argument("--until", type=_date, metavar="DATE", help="only articles dated on or before DATE (YYYY-MM-DD)")
    p.add_argument("--grep", metavar="WORD", help="only articles whose id or title contains WORD (any case)")
    p.add_argument(
        "--format", "-f", choices=("plain", "json"), default="plain", help="plain: tab-separated columns; json: one JSON object per line"
    )
    add_corpus_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Load the index and print the articles that pass the filters."""
    loaded = load(args, config_from(args), quiet=args.format == "json")
    index = loaded.opened.index
    shown = 0
    if args.format == "plain":
        print("id\tdate\tsentences\ttitle\turl")
    for row in rows(index, since=args.since, until=args.until, grep=args.grep):
        shown += 1
        if args.format == "json":
            print(json.dumps(row.to_json(), ensure_ascii=False))
        else:
            print(f"{row.id}\t{row.date or 'undated'}\t{row.sentences}\t{' '.join(row.title.split())}\t{row.url or ''}")
    if args.format == "plain":
        first, last, undated = date_range(index.articles)
        dates = f"dated {first} to {last}" if first else "no dates"
        print(f"{shown} of {len(index.articles)} article(s) shown; the corpus has {index.num_sentences} sentences, {dates}"
              f"{f', {undated} undated' if undated else ''}.")
    return 0
