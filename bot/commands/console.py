"""``quotebot console``: the interactive harness."""

from __future__ import annotations

import argparse

from ..console import run_console
from ..render import FORMATS
from .common import add_corpus_options, config_from, load


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``console`` subcommand."""
    p = subparsers.add_parser(
        "console",
        help="ask questions interactively (the local harness)",
        description="Ask questions at a prompt, answered by the same pipeline as Slack and Discord. Type /help for commands.",
    )
    p.add_argument("--format", "-f", choices=FORMATS, default="plain", help="initial output format (default: plain)")
    add_corpus_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Load the corpus and start the prompt."""
    config = config_from(args)
    loaded = load(args, config)
    index = loaded.opened.index
    how = "loaded from cache" if loaded.opened.from_cache else "indexed"
    banner = (
        f"quotebot: {len(index.articles)} article(s), {index.num_sentences} sentences ({how} in {loaded.seconds:.2f}s).\n"
        "Ask a question, or /help. /quit to leave."
    )
    return run_console(loaded.answerer, fmt=args.format, banner=banner, history=config.privacy.log_questions)
