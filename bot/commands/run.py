"""``quotebot run``: start every platform that has tokens configured, in one process."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from ..answering import open_service
from ..app import follow_corpus
from ..config import Config, ConfigError
from ..logs import setup_logging
from ..pipeline import Answerer
from ..services import Plan, plan, serve_all
from .common import add_corpus_options, config_from, load


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
    the_plan = plan(config, args.slack_http)
    if the_plan.empty:
        print("quotebot run: no platform has tokens configured:", file=sys.stderr)
        for reason in the_plan.skipped:
            print(f"  {reason}", file=sys.stderr)
        print("Set them in the environment (see README), or use `quotebot console` to try it locally.", file=sys.stderr)
        return 2
    for reason in the_plan.skipped:
        logging.getLogger("quotebot.run").info("not starting %s", reason)
    loaded = load(args, config)
    try:
        return asyncio.run(_serve(config, loaded.answerer, the_plan, args))
    except ConfigError:
        raise
    except Exception as exc:  # a platform's startup error: one line, not a traceback
        print(f"quotebot run: {exc}", file=sys.stderr)
        return 1
    finally:
        loaded.answerer.close()


async def _serve(config: Config, answerer: Answerer, the_plan: Plan, args: argparse.Namespace) -> int:
    """Serve until SIGINT or SIGTERM, then finish the answers in flight and close; returns the exit status."""
    service = await open_service(config, answerer)
    stop_following = await follow_corpus(config, answerer, args.corpus)
    remove = service.lifecycle.install_signal_handlers()
    try:
        return await serve_all(config, answerer, the_plan, service=service, slack_port=args.port, slack_host=args.host)
    finally:
        remove()
        await service.close()
        await stop_following()
