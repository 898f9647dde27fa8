"""``quotebot slack``: run the Slack bot in Socket Mode, or in HTTP mode with ``--http``."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from ..slack.runner import SlackStartupError, check_tokens, run_slack
from .common import add_corpus_options, config_from, load


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``slack`` subcommand."""
    p = subparsers.add_parser(
        "slack",
        help="run the Slack bot (Socket Mode, or HTTP mode with --http)",
        description="Answer Slack mentions, direct messages and /ask. Socket Mode (the default) needs SLACK_APP_TOKEN "
        "and SLACK_BOT_TOKEN; HTTP mode (--http) needs SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN and serves "
        "Slack's requests at [slack] path.",
    )
    p.add_argument("--http", action="store_true", help="receive events over HTTP instead of Socket Mode")
    p.add_argument("--port", type=int, metavar="PORT", help="HTTP mode port (default: [slack] port, 3000)")
    p.add_argument("--host", default="0.0.0.0", help="HTTP mode address to listen on (default: 0.0.0.0)")
    add_corpus_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Check the tokens, load the corpus, and serve Slack until interrupted."""
    config = config_from(args)
    logging.basicConfig(level=config.logging.level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        check_tokens(config.slack, http=args.http)
        loaded = load(args, config)
        try:
            asyncio.run(run_slack(config, loaded.answerer, http=args.http, port=args.port, host=args.host))
        finally:
            loaded.answerer.close()
    except SlackStartupError as exc:
        print(f"quotebot slack: {exc}", file=sys.stderr)
        return 2
    return 0
