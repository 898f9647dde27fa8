"""Slack rendering: an answer as mrkdwn text and Block Kit blocks, inside Slack's limits."""

from __future__ import annotations

import json
from typing import Any

from ...models import Answer, Passage
from ...render.markup import shorten, slack_escape
from ...render.views import passage_view, template
from .text import clean_echo, cut_utf16, escape_broadcasts, utf16_len

#: Slack Block Kit limits.
SLACK_SECTION_CHARS = 3000
SLACK_MAX_BLOCKS = 50
SLACK_TEXT_CHARS = 3000


def cut_mrkdwn(text: str, limit: int) -> str:
    """:func:`shorten` for text that is already escaped: never ends inside an ``&amp;``-style entity.

    ``limit`` is in UTF-16 code units, the way Slack's limits are safe to count (see :mod:`bot.platforms.slack.text`).
    """
    room = limit
    while utf16_len(text) > limit:
        cut = shorten(text, [], room)[0][:-1]
        amp = cut.rfind("&")
        if amp != -1 and ";" not in cut[amp:]:
            cut = cut[:amp]
        cut = cut.rstrip() + "…"
        over = utf16_len(cut) - limit
        if over <= 0:
            return cut
        room -= over
    return text


def slack_question(question: str, limit: int = SLACK_SECTION_CHARS) -> str:
    """``*Q:* question`` as mrkdwn, escaped, white space folded, control and bidi characters removed, ``@channel``
    and ``@here`` broken, at most ``limit`` UTF-16 code units."""
    return cut_mrkdwn("*Q:* " + slack_escape(escape_broadcasts(" ".join(clean_echo(question).split()))), limit)


def slack_mrkdwn(answer: Answer, limit: int = SLACK_TEXT_CHARS) -> str:
    """The whole answer as Slack mrkdwn: the message's ``text``, which notifications and old clients show."""
    per = max(60, limit // max(len(answer.passages), 1) - 80)
    passages = [passage_view(p, i + 1, slack_escape, "", per) for i, p in enumerate(answer.passages)]
    text = template("slack_text.j2").render(answer=answer, passages=passages, message=slack_escape(answer.message))
    return cut_mrkdwn(text, limit)


def _fitted_views(p: Passage, number: int) -> tuple[dict[str, Any], str, str]:
    """The passage's view, quote and context line, the quote cut (and syndicated copies dropped) until both fit a section."""
    limit = SLACK_SECTION_CHARS
    keep_also = True
    while True:
        view = passage_view(p, number, slack_escape, "*", limit)
        if not keep_also:
            view["also"] = []
        quote = template("slack_quote.j2").render(p=view)
        context = template("slack_context.j2").render(p=view)
        if utf16_len(quote) <= SLACK_SECTION_CHARS and utf16_len(context) <= SLACK_SECTION_CHARS:
            return view, quote, context
        if limit < 20:
            if not keep_also:  # a source id alone is too long: cut the context line itself
                return view, quote, cut_mrkdwn(context, SLACK_SECTION_CHARS)
            keep_also = False
        limit = int(limit * 0.8)


def _slack_section(p: Passage, number: int) -> tuple[dict[str, Any], dict[str, Any]]:
    view, quote, context = _fitted_views(p, number)
    section = {"type": "section", "text": {"type": "mrkdwn", "text": quote}}
    elements = [{"type": "mrkdwn", "text": context}]
    for label, extra in (("context, the sentence before", view["context"]), ("why", view["why"])):
        if extra:
            elements.append({"type": "mrkdwn", "text": cut_utf16(f"_{label}:_ {extra}", SLACK_SECTION_CHARS)})
    ctx = {"type": "context", "elements": elements}
    return section, ctx


def slack_blocks(answer: Answer, question_header: bool = False, reserve: int = 0) -> list[dict[str, Any]]:
    """Block Kit blocks: one section per quote, a context line (title · date · source) under each.

    ``question_header`` restates the question (for an answer shared in a channel);
    ``reserve`` keeps that many of the 50 blocks free for the caller's buttons.
    """
    blocks: list[dict[str, Any]] = []
    if question_header:
        header = slack_question(answer.question, SLACK_SECTION_CHARS)
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": header, "verbatim": True}})
    if answer.note:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": slack_escape(answer.note)}]})
    if not answer.answered:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": slack_escape(answer.message)}})
        return blocks
    room = SLACK_MAX_BLOCKS - reserve - len(blocks)
    for i, p in enumerate(answer.passages):
        if room < 3:
            break
        if i:
            blocks.append({"type": "divider"})
            room -= 1
        section, ctx = _slack_section(p, answer.offset + i + 1)
        blocks += [section, ctx]
        room -= 2
    return blocks


def render_slack(answer: Answer, question_header: bool = False) -> dict[str, Any]:
    """A ``chat.postMessage`` payload body: ``text`` fallback and ``blocks``."""
    return {"text": slack_mrkdwn(answer), "blocks": slack_blocks(answer, question_header)}


def render_slack_json(answer: Answer) -> str:
    """The exact ``chat.postMessage`` body, as indented JSON (``--format slack``)."""
    return json.dumps(render_slack(answer), ensure_ascii=False, indent=2)
