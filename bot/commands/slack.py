"""``quotebot slack``: run the Slack bot in Socket Mode, or in HTTP mode with ``--http``."""

from __future__ import annotations

import argparse
import asyncio
import sys

from ..answering import open_service
from ..app import follow_corpus
from ..config import Config
from ..logs import setup_logging
from ..pipeline import Answerer
from ..slack.runner import SlackStartupError, check_tokens, start_slack
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
    p.add_argument("--host", default="127.0.0.1", help="HTTP mode address (default: 127.0.0.1; see README, 'Exposing HTTP mode')")
    add_corpus_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Check the tokens, load the corpus, and serve Slack until interrupted."""
    config = config_from(args)
    setup_logging(config)
    try:
        check_tokens(config.slack, http=args.http)
        loaded = load(args, config)
        try:
            return asyncio.run(_serve(config, loaded.answerer, args))
        finally:
            loaded.answerer.close()
    except SlackStartupError as exc:
        print(f"quotebot slack: {exc}", file=sys.stderr)
        return 2


async def _serve(config: Config, answerer: Answerer, args: argparse.Namespace) -> int:
    """Serve Slack until SIGINT or SIGTERM; then finish the answers in flight, close, and return the exit status."""
    service = await open_service(config, answerer)
    stop_following = await follow_corpus(config, answerer, args.corpus)
    try:
        slack = await start_slack(config, answerer, http=args.http, port=args.port, host=args.host, service=service)
    except BaseException:
        await stop_following()
        await service.close()
        raise
    return await service.lifecycle.run_until_stopped(slack.runner.stop, service.close, stop_following)
