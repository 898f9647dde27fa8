"""Hardening around discord.py: malformed gateway events don't stop the bot, payload logs respect privacy, and
voice warnings that don't apply stay out of the log."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

#: discord.py loggers that write whole gateway events and request bodies (questions, answers) at DEBUG.
PAYLOAD_LOGGERS = ("discord.gateway", "discord.http", "discord.state")


def keep_payloads_out_of_logs() -> None:
    """For ``[privacy] log_questions = false``: keep discord.py's payload-dumping loggers at INFO or above."""
    for name in PAYLOAD_LOGGERS:
        logger = logging.getLogger(name)
        if logger.getEffectiveLevel() < logging.INFO:
            logger.setLevel(logging.INFO)


def no_voice_warnings() -> None:
    """This bot never joins voice channels, so discord.py's start-up warnings that PyNaCl and davey (voice libraries)
    are missing say nothing useful: turn them off (they are one-shot flags on :class:`discord.VoiceClient`)."""
    import discord

    discord.VoiceClient.warn_nacl = False
    discord.VoiceClient.warn_dave = False


def guard_parsers(parsers: dict[str, Callable[[Any], Any]]) -> None:
    """Make a malformed gateway event a logged warning instead of an exception that ends the connection loop.

    discord.py calls its ``parse_*`` handlers without a guard, so one event with a missing key
    would stop the client. The handlers live in ``ConnectionState.parsers``, a dict the gateway
    reads on every dispatch; each is wrapped in place.
    """

    def guarded(event: str, parse: Callable[[Any], Any]) -> Callable[[Any], Any]:
        def parse_or_log(data: Any) -> Any:
            try:
                return parse(data)
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                log.warning("ignored a malformed %s event from the gateway (%s: %s)", event, type(exc).__name__, exc)
                return None

        return parse_or_log

    for event, parse in list(parsers.items()):
        parsers[event] = guarded(event, parse)
