"""Slack message bodies: answers with their buttons, the help text, and the values the buttons carry.

A button's ``value`` travels to Slack and back with every click, so it carries
what a click needs (the question, which page, how many passages) and nothing
secret. Slack caps a value at 2,000 characters; :func:`encode_value` keeps it there.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ...feedback import passages_digest
from ...models import Answer
from .render import SLACK_TEXT_CHARS, slack_blocks, slack_mrkdwn, slack_question
from .text import utf16_len

#: Action ids of the buttons under an answer.
ACTION_MORE = "quotebot_more"
ACTION_SHARE = "quotebot_share"
ACTION_VOTE_UP = "quotebot_vote_up"
ACTION_VOTE_DOWN = "quotebot_vote_down"
ACTIONS = (ACTION_MORE, ACTION_SHARE, ACTION_VOTE_UP, ACTION_VOTE_DOWN)
VOTES = {ACTION_VOTE_UP: "up", ACTION_VOTE_DOWN: "down"}

#: Block Kit limits that apply to the buttons.
SLACK_VALUE_CHARS = 2000
SLACK_BUTTON_TEXT_CHARS = 75
SLACK_ID_CHARS = 255

HELP = (
    "Ask me a question about the news articles and I'll quote the sentences that answer it, "
    "with their title, date and source. Mention me with your question, send me a direct message, "
    "or use `/ask your question`. For example: _/ask Does IBM still sell facial recognition software?_ "
    "Start with `--why` (`/ask --why your question`) to also see which of your words matched each quote."
)


@dataclass(frozen=True)
class ButtonValue:
    """What a button remembers about the answer it sits under: the question, which page, and which passages."""

    question: str
    offset: int = 0
    k: int | None = None
    #: :func:`passages_digest` of the passages shown, so a vote can tell if the corpus changed since.
    digest: str | None = None


def encode_value(value: ButtonValue, limit: int = SLACK_VALUE_CHARS) -> str:
    """``value`` as compact JSON of at most ``limit`` UTF-16 code units (see :mod:`bot.platforms.slack.text`), shortening the
    question if it must."""
    question = value.question
    while True:
        data: dict[str, Any] = {"q": question, "o": value.offset}
        if value.k is not None:
            data["k"] = value.k
        if value.digest is not None:
            data["h"] = value.digest
        text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        if utf16_len(text) <= limit:
            return text
        question = question[: max(0, len(question) - (utf16_len(text) - limit) - 1)]


def decode_value(text: object) -> ButtonValue | None:
    """The :class:`ButtonValue` in a click's ``value``, or ``None`` if it isn't one of ours."""
    if not isinstance(text, str):
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    question, offset, k, digest = data.get("q"), data.get("o", 0), data.get("k"), data.get("h")
    if not isinstance(question, str) or type(offset) is not int or offset < 0:
        return None
    if k is not None and (type(k) is not int or not 1 <= k <= 10):
        return None
    if digest is not None and (not isinstance(digest, str) or len(digest) > 32):
        return None
    return ButtonValue(question, offset, k, digest)


def _button(text: str, action_id: str, value: str, style: str | None = None) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": text[:SLACK_BUTTON_TEXT_CHARS], "emoji": True},
        "action_id": action_id,
        "value": value,
    }
    if style:
        button["style"] = style
    return button


def action_block(answer: Answer, *, share: bool, k: int | None = None) -> dict[str, Any]:
    """The buttons under an answer: "Share in channel" (when ``share``), "More results" (when more exist), 👍 and 👎."""
    here = encode_value(ButtonValue(answer.question, answer.offset, k, passages_digest(answer)))
    elements = []
    if share:
        elements.append(_button("Share in channel", ACTION_SHARE, here, "primary"))
    if answer.has_more:
        following = encode_value(ButtonValue(answer.question, answer.offset + len(answer.passages), k))
        elements.append(_button("More results", ACTION_MORE, following))
    elements.append(_button("👍", ACTION_VOTE_UP, here))
    elements.append(_button("👎", ACTION_VOTE_DOWN, here))
    return {"type": "actions", "block_id": "quotebot_actions", "elements": elements}


def answer_message(answer: Answer, *, share: bool = False, question_header: bool = False, k: int | None = None) -> dict[str, Any]:
    """A message body (``text`` and ``blocks``) for ``answer``, with buttons when it holds passages.

    ``share`` adds "Share in channel" (for an answer only the asker sees); ``question_header``
    restates the question above the quotes (for an answer others see without the question).
    """
    text = slack_mrkdwn(answer)
    if question_header:
        header = slack_question(answer.question, SLACK_TEXT_CHARS // 3) + "\n"
        text = header + slack_mrkdwn(answer, SLACK_TEXT_CHARS - utf16_len(header))
    if not answer.answered:
        return {"text": text, "blocks": slack_blocks(answer, question_header)}
    blocks = slack_blocks(answer, question_header, reserve=1)
    blocks.append(action_block(answer, share=share, k=k))
    return {"text": text, "blocks": blocks}


def help_message() -> dict[str, Any]:
    """The short help shown for an empty mention or a bare ``/ask``."""
    return {"text": HELP, "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": HELP}}]}


def notice(text: str) -> dict[str, Any]:
    """A one-line message (already mrkdwn) such as a thank-you for feedback."""
    return {"text": text, "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]}
