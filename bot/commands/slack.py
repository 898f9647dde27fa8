"""``quotebot slack``: run the Slack bot in Socket Mode, or in HTTP mode with ``--http``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys

from ..config import Config
from ..pipeline import Answerer
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
            asyncio.run(_serve(config, loaded.answerer, args))
        finally:
            loaded.answerer.close()
    except SlackStartupError as exc:
        print(f"quotebot slack: {exc}", file=sys.stderr)
        return 2
    return 0


async def _serve(config: Config, answerer: Answerer, args: argparse.Namespace) -> None:
    """Serve Slack until SIGINT or SIGTERM, then close the connection cleanly."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # not on Windows
            loop.add_signal_handler(signum, stop.set)
    await run_slack(config, answerer, http=args.http, port=args.port, host=args.host, stop=stop)
