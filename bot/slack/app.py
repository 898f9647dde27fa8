"""The Slack adapter: a slack-bolt ``AsyncApp`` whose handlers turn events into questions and post answers.

Everything the handlers need (the answerer, shared state, the feedback log, the
Web API client) is passed in, so tests and the runners build the same app.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from ..feedback import FeedbackLog
from ..models import Answer, Question
from ..pipeline import Answerer
from ..state import State
from .payloads import (
    ACTION_MORE,
    ACTION_SHARE,
    ACTION_VOTE_DOWN,
    ACTION_VOTE_UP,
    ACTIONS,
    EXPIRED_VALUE_HINT,
    VOTES,
    ButtonValue,
    answer_message,
    decode_value,
    help_message,
    notice,
    passages_digest,
)
from .triggers import ignore_reason, is_direct, mentions, reply_thread, unformat

log = logging.getLogger(__name__)

PLATFORM = "slack"
#: How long an event id or message is remembered for de-duplication (Slack retries for up to an hour).
DEDUP_SECONDS = 3600.0
SORRY = "Sorry, something went wrong while answering. Please try again."
CHANGED = "The articles have changed since this answer, so your vote wasn't recorded. Please ask again."
NOT_HERE = "I don't answer questions in this channel. Send me a direct message instead."


@dataclass(frozen=True)
class Outcome:
    """What became of one delivery: ``trigger`` (``app_mention``, ``message``, ``/ask``, an action id) and ``result``."""

    trigger: str
    result: str
    detail: str = ""


class SlackBot:
    """The handlers. Thin: event → :class:`Question` → ``answer_async`` → Block Kit → Slack."""

    def __init__(
        self,
        answerer: Answerer,
        *,
        state: State,
        feedback: FeedbackLog,
        allowed_channels: Sequence[str] = (),
        log_questions: bool = True,
        on_outcome: Callable[[Outcome], None] | None = None,
    ) -> None:
        self.answerer = answerer
        self.state = state
        self.feedback = feedback
        self.allowed_channels = frozenset(allowed_channels)
        self.log_questions = log_questions
        self._on_outcome = on_outcome

    # -- bookkeeping ---------------------------------------------------------------------------

    def _done(self, trigger: str, result: str, detail: str = "") -> None:
        log.debug("slack %s: %s %s", trigger, result, detail)
        if self._on_outcome is not None:
            self._on_outcome(Outcome(trigger, result, detail))

    def _log_question(self, trigger: str, user: str | None, channel: str | None, text: str) -> None:
        if self.log_questions:
            log.info("slack %s from %s in %s: %r", trigger, user, channel, text)
        else:
            log.info("slack %s from %s in %s (%d chars)", trigger, user, channel, len(text))

    def allowed(self, channel: str | None) -> bool:
        """True if the bot may answer in ``channel``: DMs always, others if the allow-list is empty or names it."""
        if not self.allowed_channels or not channel:
            return True
        return channel.startswith("D") or channel in self.allowed_channels

    async def _answer(self, question: Question) -> Answer:
        return await self.answerer.answer_async(question)

    # -- events --------------------------------------------------------------------------------

    async def on_event(
        self, body: Mapping[str, Any], event: Mapping[str, Any], context: AsyncBoltContext, client: AsyncWebClient
    ) -> None:
        """``app_mention`` and ``message``: answer a mention (in its thread) or a DM, exactly once."""
        trigger = str(event.get("type", "event"))
        try:
            await self._on_event(trigger, body, event, context, client)
        except Exception as exc:
            log.error("slack %s: failed to answer: %s", trigger, _describe(exc), exc_info=not isinstance(exc, SlackApiError))
            try:
                await client.chat_postMessage(channel=event["channel"], thread_ts=reply_thread(event), **notice(SORRY))
            except Exception as again:
                log.warning("slack %s: could not send the apology either: %s", trigger, _describe(again))
            self._done(trigger, "error", _describe(exc))

    async def _on_event(
        self, trigger: str, body: Mapping[str, Any], event: Mapping[str, Any], context: AsyncBoltContext, client: AsyncWebClient
    ) -> None:
        bot_user = context.bot_user_id
        reason = ignore_reason(event, bot_user)
        if reason is None and trigger == "message" and not is_direct(event) and not mentions(event.get("text", ""), bot_user):
            reason = "channel message without a mention"
        if reason is None and not self.allowed(event.get("channel")):
            reason = "channel not allowed"
        if reason is not None:
            self._done(trigger, "ignored", reason)
            return
        event_id = body.get("event_id")
        if isinstance(event_id, str) and not await self.state.first_seen(f"slack:event:{event_id}", DEDUP_SECONDS):
            self._done(trigger, "duplicate", "event_id")
            return
        channel, ts = event["channel"], event["ts"]
        if not await self.state.first_seen(f"slack:message:{channel}:{ts}", DEDUP_SECONDS):
            self._done(trigger, "duplicate", "channel and ts")
            return
        text = unformat(event.get("text", ""), bot_user)
        thread_ts = reply_thread(event)
        self._log_question(trigger, event.get("user"), channel, text)
        if not text:
            await client.chat_postMessage(channel=channel, thread_ts=thread_ts, **help_message())
            self._done(trigger, "help")
            return
        answer = await self._answer(Question(text, platform=PLATFORM, user=event.get("user"), channel=channel))
        await client.chat_postMessage(
            channel=channel, thread_ts=thread_ts, unfurl_links=False, unfurl_media=False, **answer_message(answer)
        )
        self._done(trigger, "answered" if answer.answered else "no answer", answer.reason.name if answer.reason else "")

    # -- /ask ----------------------------------------------------------------------------------

    async def on_ask(self, ack: AsyncAck, command: Mapping[str, Any], respond: AsyncRespond) -> None:
        """``/ask``: acknowledge at once, then answer privately with a "Share in channel" button."""
        await ack()
        try:
            text = unformat(str(command.get("text") or ""), None)
            channel, user = command.get("channel_id"), command.get("user_id")
            if not self.allowed(channel):
                await respond(response_type="ephemeral", **notice(NOT_HERE))
                self._done("/ask", "ignored", "channel not allowed")
                return
            self._log_question("/ask", user, channel, text)
            if not text:
                await respond(response_type="ephemeral", **help_message())
                self._done("/ask", "help")
                return
            answer = await self._answer(Question(text, platform=PLATFORM, user=user, channel=channel))
            await respond(response_type="ephemeral", **answer_message(answer, share=True))
            self._done("/ask", "answered" if answer.answered else "no answer")
        except Exception as exc:
            log.error("slack /ask: failed to answer: %s", _describe(exc), exc_info=not isinstance(exc, SlackApiError))
            await self._apologise(respond)
            self._done("/ask", "error", _describe(exc))

    # -- buttons -------------------------------------------------------------------------------

    async def on_action(self, ack: AsyncAck, body: Mapping[str, Any], action: Mapping[str, Any], respond: AsyncRespond) -> None:
        """A click on one of the answer's buttons: acknowledge at once, then share, page or record the vote."""
        await ack()
        action_id = str(action.get("action_id", ""))
        try:
            value = decode_value(action.get("value"))
            if value is None:
                await respond(response_type="ephemeral", replace_original=False, **notice(EXPIRED_VALUE_HINT))
                self._done(action_id, "ignored", "bad value")
                return
            where = _Where.of(body)
            if action_id == ACTION_SHARE:
                await self._share(value, where, respond)
            elif action_id == ACTION_MORE:
                await self._more(value, where, respond)
            elif action_id in VOTES:
                await self._vote(VOTES[action_id], value, where, respond)
        except Exception as exc:
            log.error("slack %s: failed: %s", action_id, _describe(exc), exc_info=not isinstance(exc, SlackApiError))
            await self._apologise(respond)
            self._done(action_id, "error", _describe(exc))

    async def _share(self, value: ButtonValue, where: _Where, respond: AsyncRespond) -> None:
        if not await self.state.first_seen(f"slack:share:{where.channel}:{where.message_ts}", DEDUP_SECONDS):
            self._done(ACTION_SHARE, "duplicate")
            return
        answer = await self._answer(_question(value, where))
        await respond(
            response_type="in_channel", replace_original=False, **answer_message(answer, question_header=True, k=value.k)
        )
        if where.ephemeral:
            await respond(delete_original=True)
        self._done(ACTION_SHARE, "shared")

    async def _more(self, value: ButtonValue, where: _Where, respond: AsyncRespond) -> None:
        key = f"slack:more:{where.channel}:{where.message_ts}:{value.offset}"
        if not await self.state.first_seen(key, DEDUP_SECONDS):
            self._done(ACTION_MORE, "duplicate")
            return
        answer = await self._answer(_question(value, where))
        if where.ephemeral:
            await respond(response_type="ephemeral", replace_original=True, **answer_message(answer, share=True, k=value.k))
        else:
            await respond(
                response_type="in_channel", replace_original=False, thread_ts=where.thread_ts, **answer_message(answer, k=value.k)
            )
        self._done(ACTION_MORE, "answered" if answer.answered else "no answer")

    async def _vote(self, vote: str, value: ButtonValue, where: _Where, respond: AsyncRespond) -> None:
        action_id = ACTION_VOTE_UP if vote == "up" else ACTION_VOTE_DOWN
        key = f"slack:vote:{where.user}:{where.channel}:{where.message_ts}:{value.offset}"
        if not await self.state.first_seen(key, 30 * 24 * 3600.0):
            await respond(response_type="ephemeral", replace_original=False, **notice("You've already rated this answer."))
            self._done(action_id, "duplicate")
            return
        answer = await self._answer(_question(value, where))
        if value.digest is not None and passages_digest(answer) != value.digest:
            # The corpus changed since this answer was shown: don't log passages the user never saw.
            await respond(response_type="ephemeral", replace_original=False, **notice(CHANGED))
            self._done(action_id, "ignored", "answer changed")
            return
        await self.feedback.add(PLATFORM, where.user, vote, answer)
        emoji = "👍" if vote == "up" else "👎"
        await respond(response_type="ephemeral", replace_original=False, **notice(f"Thanks, your {emoji} is recorded."))
        self._done(action_id, "recorded", vote)

    @staticmethod
    async def _apologise(respond: AsyncRespond) -> None:
        try:
            await respond(response_type="ephemeral", replace_original=False, **notice(SORRY))
        except Exception as exc:
            log.warning("slack: could not send the apology either: %s", _describe(exc))

    def register(self, app: AsyncApp) -> AsyncApp:
        """Attach the handlers to ``app``: both events, ``/ask`` and the four buttons."""
        app.event("app_mention")(self.on_event)
        app.event("message")(self.on_event)
        app.command("/ask")(self.on_ask)
        for action_id in ACTIONS:
            app.action(action_id)(self.on_action)
        return app


def _describe(exc: BaseException) -> str:
    """A short, token-free description of an error: Slack's error code for API errors, else the exception's type."""
    if isinstance(exc, SlackApiError) and exc.response is not None:
        return f"Slack API error {exc.response.get('error', 'unknown')}"
    return type(exc).__name__


@dataclass(frozen=True)
class _Where:
    """Where a clicked button sits: the user, channel, message and thread, and whether only the user sees it."""

    user: str | None
    channel: str | None
    message_ts: str | None
    thread_ts: str | None
    ephemeral: bool

    @classmethod
    def of(cls, body: Mapping[str, Any]) -> _Where:
        container = body.get("container") or {}
        message = body.get("message") or {}
        channel = (body.get("channel") or {}).get("id") or container.get("channel_id")
        message_ts = container.get("message_ts") or message.get("ts")
        thread_ts = message.get("thread_ts") or container.get("thread_ts") or message_ts
        return cls((body.get("user") or {}).get("id"), channel, message_ts, thread_ts, bool(container.get("is_ephemeral")))


def _question(value: ButtonValue, where: _Where) -> Question:
    """The question a button asks again: its text and page, from the user who clicked, where they clicked."""
    return Question(value.question, platform=PLATFORM, user=where.user, channel=where.channel, k=value.k, offset=value.offset)


class _TokenFromClient(logging.Filter):
    """Drops bolt's warning that ``$SLACK_BOT_TOKEN`` is unused: we pass the same token in the client on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


def build_app(
    answerer: Answerer,
    *,
    client: AsyncWebClient,
    state: State,
    feedback: FeedbackLog,
    signing_secret: str | None = None,
    allowed_channels: Sequence[str] = (),
    log_questions: bool = True,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> tuple[AsyncApp, SlackBot]:
    """An ``AsyncApp`` with the quotebot handlers, posting through ``client``.

    With a ``signing_secret`` every HTTP request's signature and timestamp are checked
    (HTTP mode); without one the app is for Socket Mode, where Slack's socket is the proof.
    """
    bolt_logger = logging.getLogger("bot.slack.bolt")
    if not any(isinstance(f, _TokenFromClient) for f in bolt_logger.filters):
        bolt_logger.addFilter(_TokenFromClient())
    app = AsyncApp(
        client=client,
        signing_secret=signing_secret or "",
        request_verification_enabled=signing_secret is not None,
        name="quotebot",
        logger=bolt_logger,
    )
    bot = SlackBot(
        answerer,
        state=state,
        feedback=feedback,
        allowed_channels=allowed_channels,
        log_questions=log_questions,
        on_outcome=on_outcome,
    )
    return bot.register(app), bot
