"""The Slack adapter: a slack-bolt ``AsyncApp`` whose handlers turn events into questions and post answers.

Everything the handlers need (the answerer, shared state, the feedback log, the
Web API client) is passed in, so tests and the runners build the same app.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from ...feedback import FeedbackLog
from ...messages import ALREADY_RATED, ANSWER_CHANGED, EXPIRED_BUTTON, NOT_HERE, SHUTTING_DOWN, SORRY, thanks
from ...models import Question
from ...redact import question_for_log
from ...service import AnswerService, Handled, Kind, Voted
from .payloads import (
    ACTION_MORE,
    ACTION_SHARE,
    ACTION_VOTE_DOWN,
    ACTION_VOTE_UP,
    ACTIONS,
    VOTES,
    ButtonValue,
    answer_message,
    decode_value,
    help_message,
    notice,
)
from .triggers import ignore_reason, is_direct, mentions, reply_thread, split_why, unformat

log = logging.getLogger(__name__)

PLATFORM = "slack"
#: What a duplicate's claimed key says about it, by the key's second part (``slack:<kind>:...``).
_KEY_DETAIL = {"event": "event_id", "message": "channel and ts", "command": "trigger_id", "share": "", "more": ""}
#: What a vote's outcome is reported as, and the message the voter sees.
_VOTED = {
    Voted.RECORDED: ("recorded", None),
    Voted.DUPLICATE: ("duplicate", ALREADY_RATED),
    Voted.CHANGED: ("ignored", ANSWER_CHANGED),
    Voted.SHUTTING_DOWN: ("refused", SHUTTING_DOWN),
}


@dataclass(frozen=True)
class Outcome:
    """What became of one delivery: ``trigger`` (``app_mention``, ``message``, ``/ask``, an action id) and ``result``."""

    trigger: str
    result: str
    detail: str = ""


class SlackBot:
    """The handlers. Thin: event → :class:`Question` → :class:`AnswerService` → Block Kit → Slack.

    The service claims each event (so a retry, or the same event at another replica, is
    answered once), applies the rate limits, caps concurrent answers, counts and logs.
    """

    def __init__(
        self,
        service: AnswerService,
        *,
        feedback: FeedbackLog,
        allowed_channels: Sequence[str] = (),
        log_questions: bool = True,
        on_outcome: Callable[[Outcome], None] | None = None,
    ) -> None:
        self.service = service
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
            log.info("slack %s from %s in %s: %r", trigger, user, channel, question_for_log(text))
        else:
            log.info("slack %s from %s in %s (%d chars)", trigger, user, channel, len(text))

    def allowed(self, channel: str | None) -> bool:
        """True if the bot may answer in ``channel``: DMs always, others if the allow-list is empty or names it."""
        if not self.allowed_channels or not channel:
            return True
        return channel.startswith("D") or channel in self.allowed_channels

    def _report(self, trigger: str, handled: Handled, failure: BaseException | None) -> None:
        """Turn what the service did (and whether our reply failed) into one :class:`Outcome`."""
        if failure is not None:
            self._done(trigger, "error", _describe(failure))
        elif handled.kind is Kind.ANSWERED and handled.answer is not None:
            answer = handled.answer
            self._done(trigger, "answered" if answer.answered else "no answer", answer.reason.name if answer.reason else "")
        elif handled.kind is Kind.DUPLICATE:
            self._done(trigger, "duplicate", _key_detail(handled.key))
        elif handled.kind is Kind.LIMITED:
            self._done(trigger, "limited", "notice" if handled.notice else "silent")
        elif handled.kind is Kind.CLAIMED:
            self._done(trigger, "help")
        elif handled.kind is Kind.FAILED:
            self._done(trigger, "error", "answering failed")
        else:
            self._done(trigger, "refused", handled.kind.value)

    # -- events --------------------------------------------------------------------------------

    async def on_event(
        self, body: Mapping[str, Any], event: Mapping[str, Any], context: AsyncBoltContext, client: AsyncWebClient
    ) -> None:
        """``app_mention`` and ``message``: answer a mention (in its thread) or a DM, exactly once."""
        trigger = str(event.get("type", "event"))
        try:
            await self._on_event(trigger, body, event, context, client)
        except Exception as exc:  # a malformed event: nothing was claimed or posted
            log.error("slack %s: failed to handle the event: %s", trigger, _describe(exc), exc_info=True)
            self._done(trigger, "error", _describe(exc))

    def _skip_reason(self, trigger: str, event: Mapping[str, Any], bot_user: str | None) -> str | None:
        """Why an event is not a question for the bot (a bot's own message, a channel message without a mention, ...)."""
        reason = ignore_reason(event, bot_user)
        if reason is None and trigger == "message" and not is_direct(event) and not mentions(event.get("text", ""), bot_user):
            reason = "channel message without a mention"
        if reason is None and not self.allowed(event.get("channel")):
            reason = "channel not allowed"
        return reason

    async def _on_event(
        self, trigger: str, body: Mapping[str, Any], event: Mapping[str, Any], context: AsyncBoltContext, client: AsyncWebClient
    ) -> None:
        bot_user = context.bot_user_id
        if (reason := self._skip_reason(trigger, event, bot_user)) is not None:
            self._done(trigger, "ignored", reason)
            return
        channel, ts = event["channel"], event["ts"]
        keys = [f"slack:message:{channel}:{ts}"]
        event_id = body.get("event_id")
        if isinstance(event_id, str):
            keys.insert(0, f"slack:event:{event_id}")
        text = unformat(event.get("text", ""), bot_user)
        question = Question(text, platform=PLATFORM, user=event.get("user"), channel=channel)
        reply = _ThreadReply(client, channel, reply_thread(event), trigger)
        if text:
            self._log_question(trigger, event.get("user"), channel, text)
        handled = await self.service.handle(question, keys, reply.send, answer=bool(text))
        self._report(trigger, handled, reply.failure)

    # -- /ask ----------------------------------------------------------------------------------

    async def on_ask(self, ack: AsyncAck, command: Mapping[str, Any], respond: AsyncRespond) -> None:
        """``/ask``: acknowledge at once, then answer privately with a "Share in channel" button."""
        await ack()
        if not _reply_url(command.get("response_url")):
            self._done("/ask", "ignored", "no response_url")
            return
        try:
            text = unformat(str(command.get("text") or ""), None)
            channel, user = command.get("channel_id"), command.get("user_id")
            if not self.allowed(channel):
                await respond(response_type="ephemeral", **notice(NOT_HERE))
                self._done("/ask", "ignored", "channel not allowed")
                return
            trigger_id = command.get("trigger_id")
            key = f"slack:command:{trigger_id}" if isinstance(trigger_id, str) and trigger_id else None
            failure: list[BaseException] = []

            async def send(handled: Handled) -> None:
                try:
                    if handled.kind is Kind.CLAIMED:
                        await respond(response_type="ephemeral", **help_message())
                    elif handled.answer is not None:
                        await respond(response_type="ephemeral", **answer_message(handled.answer, share=True))
                    else:
                        await respond(response_type="ephemeral", **notice(handled.notice or SORRY))
                except Exception as exc:
                    failure.append(exc)
                    await self._apologise(respond)
                    raise

            if text:
                self._log_question("/ask", user, channel, text)
            explain, text = split_why(text)
            question = Question(text, platform=PLATFORM, user=user, channel=channel, explain=explain)
            handled = await self.service.handle(question, key, send, answer=bool(text))
            self._report("/ask", handled, failure[0] if failure else None)
        except Exception as exc:
            log.error("slack /ask: failed to answer: %s", _describe(exc), exc_info=not isinstance(exc, SlackApiError))
            await self._apologise(respond)
            self._done("/ask", "error", _describe(exc))

    # -- buttons -------------------------------------------------------------------------------

    async def on_action(self, ack: AsyncAck, body: Mapping[str, Any], action: Mapping[str, Any], respond: AsyncRespond) -> None:
        """A click on one of the answer's buttons: acknowledge at once, then share, page or record the vote."""
        await ack()
        action_id = str(action.get("action_id", ""))
        if not _reply_url(body.get("response_url")):
            self._done(action_id, "ignored", "no response_url")
            return
        try:
            value = decode_value(action.get("value"))
            if value is None:
                await respond(response_type="ephemeral", replace_original=False, **notice(EXPIRED_BUTTON))
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
        async def send(handled: Handled) -> None:
            if handled.answer is None:
                await respond(response_type="ephemeral", replace_original=False, **notice(handled.notice or SORRY))
                return
            await respond(
                response_type="in_channel",
                replace_original=False,
                **answer_message(handled.answer, question_header=True, k=value.k),
            )
            if where.ephemeral:
                await respond(delete_original=True)

        key = f"slack:share:{where.channel}:{where.message_ts}"
        handled = await self.service.handle(_question(value, where), key, send)
        if handled.kind is Kind.ANSWERED:
            self._done(ACTION_SHARE, "shared")
        else:
            self._report(ACTION_SHARE, handled, None)

    async def _more(self, value: ButtonValue, where: _Where, respond: AsyncRespond) -> None:
        async def send(handled: Handled) -> None:
            answer = handled.answer
            if answer is None:
                await respond(response_type="ephemeral", replace_original=False, **notice(handled.notice or SORRY))
            elif where.ephemeral:
                await respond(response_type="ephemeral", replace_original=True, **answer_message(answer, share=True, k=value.k))
            else:
                await respond(
                    response_type="in_channel", replace_original=False, thread_ts=where.thread_ts, **answer_message(answer, k=value.k)
                )

        key = f"slack:more:{where.channel}:{where.message_ts}:{value.offset}"
        handled = await self.service.handle(_question(value, where), key, send)
        self._report(ACTION_MORE, handled, None)

    async def _vote(self, vote: str, value: ButtonValue, where: _Where, respond: AsyncRespond) -> None:
        """A 👍 / 👎 through the service's one feedback rule; the answer is found again and must match the one shown."""
        action_id = ACTION_VOTE_UP if vote == "up" else ACTION_VOTE_DOWN
        shown = f"{where.channel}:{where.message_ts}:{value.offset}"
        voted = await self.service.vote(self.feedback, _question(value, where), vote, shown, digest=value.digest)
        result, text = _VOTED[voted]
        await respond(response_type="ephemeral", replace_original=False, **notice(text or thanks(vote)))
        detail = {Voted.RECORDED: vote, Voted.CHANGED: "answer changed"}.get(voted, "")
        self._done(action_id, result, detail)

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


class _ThreadReply:
    """Posts what the service handled into the event's channel (and thread); an apology if that post fails."""

    def __init__(self, client: AsyncWebClient, channel: str, thread_ts: str | None, trigger: str) -> None:
        self.client, self.channel, self.thread_ts, self.trigger = client, channel, thread_ts, trigger
        #: The error that stopped the reply, if one did.
        self.failure: BaseException | None = None

    async def send(self, handled: Handled) -> None:
        """Post the help, the answer or the notice; on failure post the apology, remember the error and re-raise it."""
        if handled.kind is Kind.CLAIMED:
            body = help_message()
        elif handled.answer is not None:
            body = {"unfurl_links": False, "unfurl_media": False, **answer_message(handled.answer)}
        else:
            body = notice(handled.notice or SORRY)
        try:
            await self.client.chat_postMessage(channel=self.channel, thread_ts=self.thread_ts, **body)
        except Exception as exc:
            self.failure = exc
            try:
                await self.client.chat_postMessage(channel=self.channel, thread_ts=self.thread_ts, **notice(SORRY))
            except Exception as again:
                log.warning("slack %s: could not send the apology either: %s", self.trigger, _describe(again))
            raise


def _reply_url(value: object) -> bool:
    """True when ``value`` looks like a ``response_url`` a reply can be posted to (an absolute http(s) URL)."""
    if not isinstance(value, str) or not value.isascii() or any(c.isspace() for c in value):
        return False
    try:
        parts = urlsplit(value)
        return parts.scheme in ("https", "http") and bool(parts.hostname)
    except ValueError:
        return False


def _key_detail(key: str | None) -> str:
    """Which claim a duplicate ran into: ``event_id``, ``channel and ts``, ``trigger_id`` (or empty)."""
    parts = (key or "").split(":")
    return _KEY_DETAIL.get(parts[1], "") if len(parts) > 1 else ""


def api_error(exc: SlackApiError) -> str:
    """Slack's error code from a failed Web API call, or ``HTTP <status>`` when the body was not JSON (a proxy's 502 page, say)."""
    response = exc.response
    data = getattr(response, "data", None)
    error = data.get("error") if isinstance(data, dict) else None
    if isinstance(error, str) and error:
        return error
    status = getattr(response, "status_code", None)
    return f"HTTP {status}" if status else "unknown error"


def _describe(exc: BaseException) -> str:
    """A short, token-free description of an error: Slack's error code for API errors, else the exception's type."""
    if isinstance(exc, SlackApiError):
        return f"Slack API error {api_error(exc)}"
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
    service: AnswerService,
    *,
    client: AsyncWebClient,
    feedback: FeedbackLog,
    signing_secret: str | None = None,
    allowed_channels: Sequence[str] = (),
    log_questions: bool = True,
    on_outcome: Callable[[Outcome], None] | None = None,
) -> tuple[AsyncApp, SlackBot]:
    """An ``AsyncApp`` with the quotebot handlers, answering through ``service`` and posting through ``client``.

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
        service,
        feedback=feedback,
        allowed_channels=allowed_channels,
        log_questions=log_questions,
        on_outcome=on_outcome,
    )
    return bot.register(app), bot
