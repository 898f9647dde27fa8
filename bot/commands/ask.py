"""``quotebot ask``: answer one question, or one per line of standard input."""

from __future__ import annotations

import argparse
import sys

from ..models import Question
from ..render import FORMATS, render
from .common import add_corpus_options, config_from, load


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``ask`` subcommand."""
    p = subparsers.add_parser(
        "ask",
        help="answer a question by quoting the corpus",
        description="Answer QUESTION by quoting the sentences of the corpus that answer it. "
        "With no QUESTION, read one question per line from standard input and write one answer per question.",
    )
    p.add_argument("question", nargs="?", help="the question; omit to read questions from standard input")
    p.add_argument("--format", "-f", choices=FORMATS, default="plain", help="output format (default: plain)")
    p.add_argument("-k", type=int, metavar="N", help="passages per answer (default: [answer] passages, 3)")
    p.add_argument("--explain", action="store_true", help="show why each passage was chosen: matched words and their weights")
    add_corpus_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Answer the question(s) and print the answers."""
    if args.k is not None and not 1 <= args.k <= 10:
        print("quotebot ask: -k must be between 1 and 10", file=sys.stderr)
        return 2
    loaded = load(args, config_from(args))
    questions = [args.question] if args.question is not None else (line.rstrip("\r\n") for line in sys.stdin)
    for text in questions:
        answer = loaded.answerer.answer(Question(text, platform="cli", explain=args.explain))
        if args.format == "plain" and args.question is None:
            print(f"Q: {' '.join(text.split())}")  # which question the answer below belongs to
        print(render(answer, args.format), flush=True)
        if args.format == "plain" and args.question is None:
            print()
    return 0
