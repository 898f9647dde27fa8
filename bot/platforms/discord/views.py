"""The buttons under an answer: "More results", 👍 and 👎, disabled when the view times out."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

import discord

from ...models import Answer, Question

log = logging.getLogger(__name__)

NO_PINGS = discord.AllowedMentions.none()

#: Edits the message the view is attached to (``Message.edit`` or ``Interaction.edit_original_response``).
Editor = Callable[..., Awaitable[Any]]


class AnswerActions(Protocol):
    """What the buttons do; implemented by :class:`~bot.platforms.discord.responder.Responder`."""

    async def more(self, interaction: discord.Interaction[Any], view: AnswerView) -> None:
        """Show the next page of quotes for the view's question."""
        ...

    async def vote(self, interaction: discord.Interaction[Any], view: AnswerView, vote: str) -> None:
        """Log a 👍 (``"up"``) or 👎 (``"down"``) for the view's answer."""
        ...


class AnswerView(discord.ui.View):
    """Buttons for one answer; "More results" only when more quotes follow, votes only when something was quoted."""

    def __init__(self, actions: AnswerActions, question: Question, answer: Answer, timeout: float) -> None:
        super().__init__(timeout=timeout)
        self.actions = actions
        self.question = question
        self.answer = answer
        self._edit: Editor | None = None
        if not answer.has_more:
            self.remove_item(self.more)
        if not answer.answered:
            self.remove_item(self.up)
            self.remove_item(self.down)

    def bind(self, edit: Editor) -> None:
        """Remember how to edit the message this view is on, so the timeout can disable its buttons."""
        self._edit = edit

    @discord.ui.button(label="More results", style=discord.ButtonStyle.primary)
    async def more(self, interaction: discord.Interaction[Any], button: discord.ui.Button[AnswerView]) -> None:
        """Replace the quotes with the next page."""
        await self.actions.more(interaction, self)

    @discord.ui.button(emoji="👍", style=discord.ButtonStyle.secondary)
    async def up(self, interaction: discord.Interaction[Any], button: discord.ui.Button[AnswerView]) -> None:
        """These quotes answered the question."""
        await self.actions.vote(interaction, self, "up")

    @discord.ui.button(emoji="👎", style=discord.ButtonStyle.secondary)
    async def down(self, interaction: discord.Interaction[Any], button: discord.ui.Button[AnswerView]) -> None:
        """These quotes did not answer the question."""
        await self.actions.vote(interaction, self, "down")

    async def on_timeout(self) -> None:
        """Disable every button on the message, so nobody clicks one that no longer works."""
        for item in self.children:
            if isinstance(item, discord.ui.Button):
                item.disabled = True
        if self._edit is None:
            return
        try:
            await self._edit(view=self, allowed_mentions=NO_PINGS)
        except discord.HTTPException as exc:
            log.info("could not disable the buttons of a timed-out answer: %s", exc)

    async def on_error(self, interaction: discord.Interaction[Any], error: Exception, item: discord.ui.Item[Any]) -> None:
        """Log a failed button click; the user already got an error message from the responder if one could be sent."""
        log.exception("discord button %r failed", getattr(item, "label", None) or getattr(item, "emoji", None), exc_info=error)
