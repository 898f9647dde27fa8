"""The OAuth2 URL that adds the bot to a server, with the least it needs."""

from __future__ import annotations

import discord

#: Scopes: the bot user (for mentions and DMs) and its slash commands.
SCOPES = ("bot", "applications.commands")


def minimal_permissions() -> discord.Permissions:
    """What answering needs: see the channel, send (also in threads), embed, and read history to reply to a message.

    ``/ask`` answers go through the interaction webhook and need no channel permission at all.
    """
    return discord.Permissions(
        view_channel=True,
        send_messages=True,
        send_messages_in_threads=True,
        embed_links=True,
        read_message_history=True,
    )


def invite_url(application_id: int) -> str:
    """The ``https://discord.com/oauth2/authorize?...`` URL for ``application_id`` with :data:`SCOPES`."""
    return discord.utils.oauth_url(application_id, permissions=minimal_permissions(), scopes=SCOPES)
