"""``quotebot run``: start every platform that has tokens configured, in one process."""

from __future__ import annotations

import argparse
import logging

from ..logs import report_fatal, setup_logging
from ..platforms.base import Options
from ..serve import plan
from .common import add_corpus_options, config_from, serve_loaded


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``run`` subcommand."""
    p = subparsers.add_parser(
        "run",
        help="run Slack and Discord together (whichever have tokens)",
        description="Start every platform that has tokens in the environment, in one process and one event loop: "
        "Slack (Socket Mode with SLACK_APP_TOKEN, else HTTP mode with SLACK_SIGNING_SECRET; both need SLACK_BOT_TOKEN) "
        "and Discord (DISCORD_TOKEN). Stops cleanly on SIGINT or SIGTERM.",
    )
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--slack-http", dest="slack_http", action="store_true", default=None, help="use Slack HTTP mode")
    mode.add_argument("--slack-socket", dest="slack_http", action="store_false", help="use Slack Socket Mode")
    p.add_argument("--port", type=int, metavar="PORT", help="Slack HTTP mode port (default: [slack] port, 3000)")
    p.add_argument("--host", default="127.0.0.1", help="Slack HTTP mode address (default: 127.0.0.1; see README, 'Exposing HTTP mode')")
    add_corpus_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Plan the platforms from the tokens present, load the corpus once, and serve them all."""
    config = config_from(args)
    setup_logging(config)
    the_plan = plan(config, Options(http=args.slack_http, port=args.port, host=args.host))
    if the_plan.empty:
        lines = ["quotebot run: no platform has tokens configured:", *(f"  {reason}" for reason in the_plan.skipped)]
        lines.append("Set them in the environment (see README), or use `quotebot console` to try it locally.")
        report_fatal("\n".join(lines))
        return 2
    for reason in the_plan.skipped:
        logging.getLogger("quotebot.run").info("not starting %s", reason)
    return serve_loaded("run", args, config, the_plan)

