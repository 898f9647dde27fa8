"""The ``quotebot`` command line (also ``python -m bot``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from importlib import metadata

from retrieval import ModelMissing

from .commands import articles, ask, cache, console, discord, eval, index, run, slack
from .config import ConfigError
from .corpus_paths import CorpusError
from .logs import report_fatal

#: Subcommand modules, each with ``register(subparsers)``.
COMMANDS = [ask, console, index, articles, cache, eval, slack, discord, run]
#: ``--config`` is accepted before the command and after it (``quotebot ask --config q.toml "…"``).
CONFIG_HELP = "config file (default: $QUOTEBOT_CONFIG, else ./quotebot.toml if present)"


def version() -> str:
    """The installed package's version (from its metadata, so it is the one ``pyproject.toml`` declares)."""
    try:
        return metadata.version("quotebot")
    except metadata.PackageNotFoundError:
        return "unknown (not installed)"


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="quotebot",
        description="Answer questions about a corpus of news articles by quoting the sentences that answer them.",
    )
    parser.add_argument("--config", "-c", metavar="FILE", help=CONFIG_HELP)
    parser.add_argument("--version", action="version", version=f"quotebot {version()}", help="print the version and exit")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMANDS:
        module.register(subparsers)
    for sub in subparsers.choices.values():
        # SUPPRESS: when not given after the command, the value given before it (or none) stands.
        sub.add_argument("--config", "-c", metavar="FILE", default=argparse.SUPPRESS, help=CONFIG_HELP)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status. Config errors are one clear line, never a traceback."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        args = parser.parse_args([*(argv or sys.argv[1:]), "console"])
    try:
        return int(args.func(args))
    except ConfigError as exc:
        report_fatal(f"quotebot: config error: {exc}")
        return 2
    except (CorpusError, ModelMissing) as exc:
        report_fatal(f"quotebot: {exc}")
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
