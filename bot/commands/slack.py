"""``quotebot slack``: run the Slack bot in Socket Mode, or in HTTP mode with ``--http``."""

from __future__ import annotations

import argparse

from ..logs import report_fatal, setup_logging
from ..platforms.base import Options
from ..platforms.slack.runner import SlackStartupError, check_tokens
from ..serve import plan
from .common import add_corpus_options, config_from, serve_loaded


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
    p.add_argument("--host", default="127.0.0.1", help="HTTP mode address (default: 127.0.0.1; see README, 'Exposing HTTP mode')")
    add_corpus_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Check the tokens, load the corpus, and serve Slack until interrupted."""
    config = config_from(args)
    setup_logging(config)
    try:
        check_tokens(config.slack, http=args.http)  # before the corpus is loaded, so a missing token fails fast
    except SlackStartupError as exc:
        report_fatal(f"quotebot slack: {exc}")
        return exc.exit_code
    the_plan = plan(config, Options(http=args.http, port=args.port, host=args.host), ["slack"])
    return serve_loaded("slack", args, config, the_plan)
