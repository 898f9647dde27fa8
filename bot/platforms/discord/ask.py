"""The ``/ask`` slash command: its user-facing name, descriptions and options."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from .responder import Responder

#: Discord's own cap on a string option.
DISCORD_OPTION_MAX = 6000


def ask_command(responder: Responder, max_length: int) -> app_commands.Command[Any, ..., None]:
    """``/ask question:<text> [private:<bool>] [why:<bool>]``, with the question capped at ``max_length`` characters."""

    async def ask(interaction: discord.Interaction[Any], question: str, private: bool = False, why: bool = False) -> None:
        """Ask about the news articles; I answer by quoting them word for word, with dates."""
        await responder.ask(interaction, question, private, explain=why)

    # The cap comes from the config, so the annotation is set as an object (string annotations
    # are evaluated by discord.py against module globals only).
    ask.__annotations__["question"] = app_commands.Range[str, 1, min(max_length, DISCORD_OPTION_MAX)]
    command: app_commands.Command[Any, ..., None] = app_commands.command(name="ask")(ask)
    command = app_commands.describe(
        question="What you want to know, e.g. “Does IBM still sell facial recognition software?”",
        private="Only you see the answer (default: everyone in the channel sees it)",
        why="Also show which of your words matched each quote and how much each counted",
    )(command)
    return app_commands.allowed_contexts(guilds=True, dms=True, private_channels=True)(command)
