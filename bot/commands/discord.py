"""``quotebot discord``: run the Discord bot, or print the URL that invites it to a server."""

from __future__ import annotations

import argparse
import asyncio

import discord

from ..logs import report_fatal, setup_logging
from ..platforms.base import EXIT_RUNTIME, Options
from ..platforms.discord.failures import UNREACHABLE, describe_failure
from ..platforms.discord.invite import invite_url
from ..platforms.discord.run import fetch_application_id, require_token
from ..serve import plan
from .common import add_corpus_options, config_from, serve_loaded


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``discord`` subcommand."""
    p = subparsers.add_parser(
        "discord",
        help="run the Discord bot (needs DISCORD_TOKEN)",
        description="Answer /ask, mentions and DMs on Discord by quoting the corpus. The bot token comes from DISCORD_TOKEN; "
        "[discord] in the config sets guild_ids (instant command sync for development), shard_count, api_base and gateway_url.",
    )
    p.add_argument("--invite-url", action="store_true", help="print the URL that adds the bot to a server, then exit")
    p.add_argument(
        "--application-id",
        type=int,
        metavar="ID",
        help="the application id for --invite-url (default: asked from Discord using DISCORD_TOKEN)",
    )
    p.add_argument("--sync", action="store_true", help="sync the slash commands even if their schema has not changed")
    add_corpus_options(p)
    p.set_defaults(func=run)


def _fail(message: str, exit_code: int) -> int:
    report_fatal(f"quotebot discord: {message}")
    return exit_code


def run(args: argparse.Namespace) -> int:
    """Print the invite URL, or load the corpus and run the bot until interrupted."""
    config = config_from(args)
    if args.invite_url:
        application_id = args.application_id
        try:
            if application_id is None:
                application_id = asyncio.run(fetch_application_id(config.discord, require_token(config)))
        except discord.LoginFailure as exc:
            return _fail(*describe_failure(exc))
        except UNREACHABLE as exc:
            return _fail(f"could not ask Discord for the application id ({exc}); pass --application-id", EXIT_RUNTIME)
        print(invite_url(application_id))
        return 0

    setup_logging(config)
    require_token(config)  # before the corpus is loaded, so a missing token fails fast
    return serve_loaded("discord", args, config, plan(config, Options(force_sync=args.sync), ["discord"]))
