"""``quotebot discord``: run the Discord bot, or print the URL that invites it to a server."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from typing import Any

import aiohttp
import discord

from ..answering import open_service
from ..app import follow_corpus
from ..config import Config
from ..corpus_paths import corpus_paths, log_start
from ..discord import fetch_application_id, invite_url, run_discord
from ..discord.run import require_token
from ..logs import setup_logging
from ..pipeline import Answerer
from .common import add_corpus_options, config_from, load

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
    loaded = load(args, config)
    setup_logging(config)
    log_start(loaded.opened, loaded.seconds, corpus_paths(config.corpus.paths, args.corpus))
    try:
        return asyncio.run(_serve(config, loaded.answerer, args.sync, args.corpus))
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


async def _serve(config: Config, answerer: Answerer, force_sync: bool, corpus: list[str] | None = None) -> int:
    """Run the bot until SIGINT or SIGTERM; then finish the answers in flight, close, and return the exit status.

    A login or gateway failure ends the run with that error (for :func:`run` to explain).
    """
    service = await open_service(config, answerer)
    stop_following = await follow_corpus(config, answerer, corpus)
    clients: list[Any] = []
    bot = asyncio.create_task(run_discord(config, answerer, service=service, force_sync=force_sync, ready=clients.append))

    async def close_client() -> None:
        for client in clients:
            await client.close()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(bot, 10)

    stopper = asyncio.create_task(service.lifecycle.run_until_stopped(close_client, service.close, stop_following))
    try:
        await asyncio.wait({bot, stopper}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        if not stopper.done():  # the bot ended by itself (an error): no signal to wait for
            stopper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await stopper
            await service.close()
            await stop_following()
    if bot.done() and not bot.cancelled() and bot.exception() is not None:
        raise bot.exception()  # type: ignore[misc]
    return stopper.result() if not stopper.cancelled() else 1
