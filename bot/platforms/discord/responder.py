"""The thin part of the adapter: Discord event → :class:`Question` → Answerer → embed → send.

Every send passes ``allowed_mentions=AllowedMentions.none()`` (the client sets the same default),
so neither a quote nor an echoed question can ping anyone.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any

import discord

from ...feedback import FeedbackLog
from ...messages import ALREADY_RATED, ANSWER_CHANGED, SHUTTING_DOWN, SORRY, thanks
from ...models import Answer, Question
from ...redact import question_for_log
from ...service import AnswerService, Handled, Kind, Voted
from .render import discord_embed
from .views import NO_PINGS, AnswerView

log = logging.getLogger(__name__)

PLATFORM = "discord"
#: Discord gives an interaction 3 s for its first response; answers not ready by then are deferred.
RESPOND_WITHIN = 2.0
#: Buttons stay live this long (under the 15 minutes an interaction token lasts, so the timeout can still edit).
VIEW_TIMEOUT = 600.0
#: What the voter is told, by what became of the vote (a recorded one is thanked).
_VOTED = {Voted.DUPLICATE: ALREADY_RATED, Voted.CHANGED: ANSWER_CHANGED, Voted.SHUTTING_DOWN: SHUTTING_DOWN}


def strip_mention(content: str, user_id: int) -> str:
    """The message text without mentions of the bot (``<@id>`` or ``<@!id>``)."""
    return " ".join(re.sub(rf"<@!?{user_id}>", " ", content).split())


def answer_embed(answer: Answer) -> discord.Embed:
    """The rendered answer as a :class:`discord.Embed`."""
    return discord.Embed.from_dict(discord_embed(answer))


class Responder:
    """Answers ``/ask``, mentions and DMs through the :class:`AnswerService`, and handles the answer's buttons.

    The service claims each interaction or message (so with shards in several processes
    sharing Redis, each is answered once), applies the rate limits and the concurrency cap,
    counts and logs; the responder only turns events into questions and results into sends.
    """

    def __init__(
        self,
        service: AnswerService,
        feedback: FeedbackLog,
        *,
        respond_within: float = RESPOND_WITHIN,
        view_timeout: float = VIEW_TIMEOUT,
        log_questions: bool = True,
    ) -> None:
        self.service = service
        self.feedback = feedback
        self.respond_within = respond_within
        self.view_timeout = view_timeout
        self.log_questions = log_questions

    # -- /ask and the buttons ------------------------------------------------------------------

    async def ask(self, interaction: discord.Interaction[Any], text: str, private: bool, explain: bool = False) -> None:
        """Answer ``/ask``: respond directly when the answer is ready in time, else defer and edit it in.

        ``explain`` adds the "why" view: which question words matched each quote and how much each counted."""
        question = Question(text, PLATFORM, user=str(interaction.user.id), channel=str(interaction.channel_id), explain=explain)
        self._log("/ask", question)
        await self._answer_interaction(interaction, question, private=private, update=False)

    async def more(self, interaction: discord.Interaction[Any], view: AnswerView) -> None:
        """The "More results" button: replace the quotes on the message with the next page."""
        view.stop()
        q = view.question
        question = Question(
            q.text, PLATFORM, str(interaction.user.id), q.channel, q.k, view.answer.offset + len(view.answer.passages)
        )
        await self._answer_interaction(interaction, question, private=False, update=True)

    async def vote(self, interaction: discord.Interaction[Any], view: AnswerView, vote: str) -> None:
        """A 👍 / 👎 click: through the service's one feedback rule (once per person per answer), thanked privately."""
        message_id = interaction.message.id if interaction.message else interaction.id
        q = view.question
        voter = Question(q.text, PLATFORM, str(interaction.user.id), q.channel, q.k, view.answer.offset)
        shown = f"{message_id}:{view.answer.offset}"
        voted = await self.service.vote(self.feedback, voter, vote, shown, answer=view.answer)
        text = _VOTED.get(voted) or thanks(vote)
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_PINGS)

    async def _answer_interaction(self, interaction: discord.Interaction[Any], question: Question, *, private: bool, update: bool) -> None:
        # The first response must come within Discord's 3 s. ``send`` and the deferral share a lock,
        # so exactly one of them makes the first response: a direct reply, or "thinking…" then an edit.
        first = asyncio.Lock()

        async def send(handled: Handled) -> None:
            async with first:
                await self._send_interaction(interaction, question, handled, private=private, update=update)

        task = asyncio.ensure_future(self.service.handle(question, f"{PLATFORM}:interaction:{interaction.id}", send))
        done, _ = await asyncio.wait({task}, timeout=self.respond_within)
        if task not in done:
            async with first:
                if not interaction.response.is_done() and not task.done():
                    # Too slow for the 3-second window: acknowledge now ("thinking…"), edit the answer in later.
                    if update:
                        await interaction.response.defer()
                    else:
                        await interaction.response.defer(ephemeral=private, thinking=True)
        handled = await task
        if handled.kind is Kind.SHUTTING_DOWN and interaction.response.is_done():
            await interaction.followup.send(SHUTTING_DOWN, ephemeral=True, allowed_mentions=NO_PINGS)

    async def _send_interaction(
        self, interaction: discord.Interaction[Any], question: Question, handled: Handled, *, private: bool, update: bool
    ) -> None:
        """Make (or complete) the interaction's response: the answer with its buttons, or a private notice."""
        answer = handled.answer
        if answer is None:
            text = handled.notice or SORRY
            if interaction.response.is_done():
                await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_PINGS)
            else:
                await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_PINGS)
            return
        view = AnswerView(self, question, answer, self.view_timeout)
        embed = answer_embed(answer)
        shown = view if view.children else None
        if interaction.response.is_done():
            await interaction.edit_original_response(embed=embed, view=shown, allowed_mentions=NO_PINGS)
        elif update:
            await interaction.response.edit_message(embed=embed, view=shown, allowed_mentions=NO_PINGS)
        elif shown is not None:
            await interaction.response.send_message(embed=embed, view=shown, ephemeral=private, allowed_mentions=NO_PINGS)
        else:
            await interaction.response.send_message(embed=embed, ephemeral=private, allowed_mentions=NO_PINGS)
        if shown is not None:
            view.bind(interaction.edit_original_response)

    # -- mentions and DMs ----------------------------------------------------------------------

    async def message(self, message: discord.Message, me: discord.ClientUser) -> None:
        """Answer a DM, or a channel message that mentions the bot, as a reply; ignore bots and everything else.

        No message-content intent is needed: Discord delivers the content of DMs and of messages that mention the bot.
        """
        if message.author.bot or message.author.id == me.id or message.webhook_id is not None:
            return
        if message.type not in (discord.MessageType.default, discord.MessageType.reply):
            return
        direct = isinstance(message.channel, discord.DMChannel)
        # In a channel, a direct mention only: @everyone / @here and role pings are not questions for the bot.
        if not direct and not any(user.id == me.id for user in message.mentions):
            return
        question = Question(strip_mention(message.content, me.id), PLATFORM, str(message.author.id), str(message.channel.id))
        self._log("DM" if direct else "mention", question)

        async def send(handled: Handled) -> None:
            answer = handled.answer
            if answer is None:
                await message.reply(handled.notice or SORRY, allowed_mentions=NO_PINGS, mention_author=False)
                return
            view = AnswerView(self, question, answer, self.view_timeout)
            embed = answer_embed(answer)
            if view.children:
                sent = await message.reply(embed=embed, view=view, allowed_mentions=NO_PINGS, mention_author=False)
                view.bind(sent.edit)
            else:
                await message.reply(embed=embed, allowed_mentions=NO_PINGS, mention_author=False)

        await self.service.handle(question, f"{PLATFORM}:message:{message.id}", send)

    def _log(self, kind: str, question: Question) -> None:
        if self.log_questions:
            log.info("discord %s from %s in %s: %r", kind, question.user, question.channel, question_for_log(question.text))
        else:
            log.info("discord %s from %s in %s", kind, question.user, question.channel)
