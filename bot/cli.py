"""The ``quotebot`` command line (also ``python -m bot``)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from retrieval.semantic import ModelMissing

from .commands import ask, console, discord, eval, index, run, slack
from .config import ConfigError

#: Subcommand modules, each with ``register(subparsers)``.
COMMANDS = [ask, console, index, eval, slack, discord, run]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="quotebot",
        description="Answer questions about a corpus of news articles by quoting the sentences that answer them.",
    )
    parser.add_argument("--config", "-c", metavar="FILE", help="config file (default: $QUOTEBOT_CONFIG, else ./quotebot.toml if present)")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMANDS:
        module.register(subparsers)
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
        print(f"quotebot: config error: {exc}", file=sys.stderr)
        return 2
    except ModelMissing as exc:
        print(f"quotebot: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
