"""``quotebot eval``: measure answer quality on questions with known answer offsets (SQuAD-style)."""

from __future__ import annotations

import argparse
import json
import sys

from ..evaluate import format_report, load_questions, split
from ..evaluate import run as run_questions
from .common import add_corpus_options, config_from, load


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``eval`` subcommand."""
    p = subparsers.add_parser(
        "eval",
        help="measure P@1, MRR@10, R@3 and latency on a questions file",
        description="Ask every question of QUESTIONS (JSON lines: id, question, article_id, answers [{text, start}]) "
        "against the corpus and print P@1, MRR@10, R@3, the answered rate and latency p50/p99, overall and "
        "per question type. A question is answered at rank r when the r-th passage comes from its article and "
        "covers the start of one of its answers.",
    )
    p.add_argument("questions", metavar="QUESTIONS.jsonl", help="the questions file")
    p.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    p.add_argument(
        "--split", choices=("all", "dev", "test"), default="all", help="only questions of even (dev) or odd (test) articles"
    )
    p.add_argument("--limit", type=int, metavar="N", help="only the first N questions (after --split)")
    p.add_argument("--answers", metavar="FILE", help="also write each answer as a JSON line (the `ask --format json` shape)")
    add_corpus_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Load the corpus and questions, answer them all, and print the figures."""
    try:
        questions = split(load_questions(args.questions), args.split)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        print(f"quotebot eval: cannot read {args.questions}: {exc}", file=sys.stderr)
        return 2
    if args.limit is not None:
        questions = questions[: max(0, args.limit)]
    loaded = load(args, config_from(args), quiet=args.json)
    answers, report = run_questions(loaded.answerer, questions)
    if args.answers:
        with open(args.answers, "w", encoding="utf-8") as f:
            for a in answers:
                f.write(json.dumps(a, ensure_ascii=False) + "\n")
    print(json.dumps(report.to_json()) if args.json else format_report(report))
    return 0
