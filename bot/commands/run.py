"""``quotebot run``: start every platform that has tokens configured, in one process."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import signal
import sys

from ..config import Config, ConfigError
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
    p.add_argument("--host", default="0.0.0.0", help="Slack HTTP mode address (default: 0.0.0.0)")
    add_corpus_options(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Plan the platforms from the tokens present, load the corpus once, and serve them all."""
    config = config_from(args)
    logging.basicConfig(level=config.logging.level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
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
        asyncio.run(_serve(config, loaded.answerer, the_plan, args))
    except ConfigError:
        raise
    except Exception as exc:  # a platform's startup error: one line, not a traceback
        print(f"quotebot run: {exc}", file=sys.stderr)
        return 1
    finally:
        loaded.answerer.close()
    return 0


async def _serve(config: Config, answerer: Answerer, the_plan: Plan, args: argparse.Namespace) -> None:
    """Serve until SIGINT or SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(signum, stop.set)
    await serve_all(config, answerer, the_plan, stop=stop, slack_port=args.port, slack_host=args.host)
