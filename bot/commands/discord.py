"""``quotebot discord``: run the Discord bot, or print the URL that invites it to a server."""

from __future__ import annotations

import argparse
import asyncio
import sys

import aiohttp
import discord

from ..logs import setup_logging
from ..platforms.base import Options
from ..platforms.discord.invite import invite_url
from ..platforms.discord.run import fetch_application_id, require_token
from ..serve import plan, serve_until_signalled
from .common import add_corpus_options, config_from, load_to_serve

#: What the gateway's close codes mean for whoever runs the bot.
CLOSE_CODES = {
    4004: "Discord rejected the token (check DISCORD_TOKEN)",
    4013: "the bot asked for invalid gateway intents",
    4014: "the bot asked for a privileged intent that is not enabled in the Developer Portal",
}


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


def _fail(message: str) -> int:
    print(f"quotebot discord: {message}", file=sys.stderr)
    return 1


def run(args: argparse.Namespace) -> int:
    """Print the invite URL, or load the corpus and run the bot until interrupted."""
    config = config_from(args)
    if args.invite_url:
        application_id = args.application_id
        try:
            if application_id is None:
                application_id = asyncio.run(fetch_application_id(config.discord, require_token(config)))
        except discord.LoginFailure:
            return _fail(CLOSE_CODES[4004])
        except (discord.HTTPException, aiohttp.ClientError, OSError) as exc:
            return _fail(f"could not ask Discord for the application id ({exc}); pass --application-id")
        print(invite_url(application_id))
        return 0

    require_token(config)  # before the corpus is loaded, so a missing token fails fast
    setup_logging(config)
    loaded = load_to_serve(args, config)
    try:
        the_plan = plan(config, Options(force_sync=args.sync), ["discord"])
        return asyncio.run(serve_until_signalled(config, loaded.answerer, the_plan, args.corpus))
    except discord.LoginFailure:
        return _fail(CLOSE_CODES[4004])
    except discord.ConnectionClosed as exc:
        return _fail(
            f"the gateway closed the connection ({exc.code}): {CLOSE_CODES.get(exc.code or 0, exc.reason or 'see the log')}"
        )
    except (discord.HTTPException, discord.GatewayNotFound, aiohttp.ClientError, OSError) as exc:
        return _fail(f"cannot reach Discord: {exc}")
    finally:
        loaded.answerer.close()

