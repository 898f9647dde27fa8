"""Templated responder: render an :class:`~bot.models.Answer` for the console, Slack, Discord or JSON.

Layout lives in the Jinja2 templates beside this module (``bot/templates``);
escaping, highlighting and platform limits are applied here, before the
template sees any corpus text.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from .markup import discord_escape, emphasise, fold, plain_escape, shorten, slack_escape
from .models import Answer, Explanation, Passage, Source
from .slack_text import clean_echo, cut_utf16, escape_broadcasts, utf16_len

FORMATS = ("plain", "slack", "discord", "json")

#: Platform limits (Slack Block Kit, Discord embeds and messages).
SLACK_SECTION_CHARS = 3000
SLACK_MAX_BLOCKS = 50
SLACK_TEXT_CHARS = 3000
DISCORD_CONTENT_CHARS = 2000
DISCORD_TITLE_CHARS = 256
DISCORD_DESCRIPTION_CHARS = 4096
DISCORD_FOOTER_CHARS = 2048
DISCORD_EMBED_TOTAL = 6000
DISCORD_COLOUR = 0x4F7CAC
#: In a Discord answer: the longest article title shown, and how many syndicated copies are named (the rest counted).
DISCORD_SOURCE_TITLE_CHARS = 100
DISCORD_ALSO_SHOWN = 2
DISCORD_ALSO_TITLE_CHARS = 60

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).with_name("templates")),
    autoescape=False,  # escaping is per platform, done in markup.py
    keep_trailing_newline=False,
    undefined=jinja2.StrictUndefined,
)


def date_text(source: Source) -> str:
    """``2020-06-09``, or ``undated``."""
    return source.date.isoformat() if source.date else "undated"


@dataclass(frozen=True)
class _View:
    """What a template sees of one source: escaped strings only."""

    title: str
    date: str
    source: str


def _source_view(source: Source, escape: Callable[[str], str], title_limit: int = 200) -> _View:
    title, _ = shorten(" ".join(source.title.split()), [], title_limit)
    return _View(escape(title), date_text(source), escape(source.id))


def _passage_view(
    p: Passage,
    number: int,
    escape: Callable[[str], str],
    mark: str,
    limit: int,
    title_limit: int = 200,
    also: int | None = None,
    also_title_limit: int = 200,
) -> dict[str, Any]:
    """What a template sees of one passage; ``also`` caps how many syndicated copies are named (default all)."""
    text, spans = shorten(p.text, p.highlights, limit)
    view = _source_view(p.source, escape, title_limit)
    return {
        "number": number,
        "quote": emphasise(text, spans, escape, mark),
        "title": view.title,
        "date": view.date,
        "source": view.source,
        "also": [_source_view(s, escape, also_title_limit) for s in p.also[:also]],
        "more_also": len(p.also[also:]) if also is not None else 0,
        "context": escape(fold(shorten(p.context.text, [], limit)[0])) if p.context else "",
        "why": escape(why_text(p.explanation)) if p.explanation else "",
    }


def why_text(explanation: Explanation) -> str:
    """One line for the "why" view: each matched word's points, words said otherwise, what was missing, and the context signals."""
    matched = ", ".join(f"{word} {points:.2f}" for word, points in explanation.terms) or "none"
    signals = ", ".join(f"{name} {points:.2f}" for name, points in sorted(explanation.signals, key=lambda s: -s[1])[:5])
    related = ", ".join(f"{asked} ≈ {said}" for asked, said in explanation.related)
    said_as = f"; in other words: {related}" if related else ""
    missing = f"; not found: {', '.join(explanation.missing)}" if explanation.missing else ""
    return f"score {explanation.score:.2f}; words (BM25): {matched}{said_as}{missing}; signals: {signals or 'none'}"


def render_plain(answer: Answer, more_hint: str = "ask again with a higher -k") -> str:
    """Plain text for a terminal: each quote with its title, date and source; ``more_hint`` says how to see more."""
    passages = [_passage_view(p, answer.offset + i + 1, plain_escape, "", 100_000) for i, p in enumerate(answer.passages)]
    return _env.get_template("plain.j2").render(answer=answer, passages=passages, more_hint=more_hint).rstrip("\n")


def render_json(answer: Answer) -> str:
    """One line of JSON in the documented schema."""
    return json.dumps(answer.to_json(), ensure_ascii=False)


# -- Slack ------------------------------------------------------------------------------------


def _cut_mrkdwn(text: str, limit: int) -> str:
    """:func:`shorten` for text that is already escaped: never ends inside an ``&amp;``-style entity.

    ``limit`` is in UTF-16 code units, the way Slack's limits are safe to count (see :mod:`bot.slack_text`).
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
    return _cut_mrkdwn("*Q:* " + slack_escape(escape_broadcasts(" ".join(clean_echo(question).split()))), limit)


def slack_mrkdwn(answer: Answer, limit: int = SLACK_TEXT_CHARS) -> str:
    """The whole answer as Slack mrkdwn: the message's ``text``, which notifications and old clients show."""
    per = max(60, limit // max(len(answer.passages), 1) - 80)
    passages = [_passage_view(p, i + 1, slack_escape, "", per) for i, p in enumerate(answer.passages)]
    text = _env.get_template("slack_text.j2").render(answer=answer, passages=passages, message=slack_escape(answer.message))
    return _cut_mrkdwn(text, limit)


def _slack_section(p: Passage, number: int) -> tuple[dict[str, Any], dict[str, Any]]:
    limit = SLACK_SECTION_CHARS
    keep_also = True
    while True:
        view = _passage_view(p, number, slack_escape, "*", limit)
        if not keep_also:
            view["also"] = []
        quote = _env.get_template("slack_quote.j2").render(p=view)
        context = _env.get_template("slack_context.j2").render(p=view)
        if utf16_len(quote) <= SLACK_SECTION_CHARS and utf16_len(context) <= SLACK_SECTION_CHARS:
            break
        if limit < 20:
            if not keep_also:  # a source id alone is too long: cut the context line itself
                context = _cut_mrkdwn(context, SLACK_SECTION_CHARS)
                break
            keep_also = False
        limit = int(limit * 0.8)
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


# -- Discord ----------------------------------------------------------------------------------


def _discord_passage_view(p: Passage, number: int, limit: int) -> dict[str, Any]:
    """A passage for Discord: titles kept short and at most a few syndicated copies named, so quotes keep the room."""
    return _passage_view(
        p, number, discord_escape, "**", limit, DISCORD_SOURCE_TITLE_CHARS, DISCORD_ALSO_SHOWN, DISCORD_ALSO_TITLE_CHARS
    )


def _discord_blocks(answer: Answer, budget: int) -> list[str]:
    """One markdown block per passage, all together within ``budget`` characters."""
    n = max(len(answer.passages), 1)
    limit = max(40, budget // n - 120)
    while True:
        blocks = []
        for i, p in enumerate(answer.passages):
            view = _discord_passage_view(p, answer.offset + i + 1, limit)
            blocks.append(_env.get_template("discord_passage.j2").render(p=view))
        if sum(len(b) + 2 for b in blocks) <= budget or limit <= 40:
            break
        limit = int(limit * 0.8)
    while blocks and sum(len(b) + 2 for b in blocks) > budget:
        blocks.pop()
    return blocks


def discord_markdown(answer: Answer, limit: int = DISCORD_CONTENT_CHARS) -> str:
    """The answer as Discord message content (markdown), at most ``limit`` characters."""
    if not answer.answered:
        return shorten(discord_escape(answer.message), [], limit)[0]
    return "\n\n".join(_discord_blocks(answer, limit))[:limit]


def discord_embed(answer: Answer) -> dict[str, Any]:
    """An embed dict (as ``discord.Embed.to_dict``): question as title, quotes in the description."""
    title, _ = shorten(" ".join(answer.question.split()), [], DISCORD_TITLE_CHARS)
    embed: dict[str, Any] = {"type": "rich", "title": discord_escape(title)[:DISCORD_TITLE_CHARS], "color": DISCORD_COLOUR}
    if answer.answered:
        budget = min(DISCORD_DESCRIPTION_CHARS, DISCORD_EMBED_TOTAL - len(embed["title"]) - 200)
        blocks = _discord_blocks(answer, budget)
        embed["description"] = "\n\n".join(blocks)
        first, last = answer.offset + 1, answer.offset + len(blocks)
        note = f" · {answer.note}" if answer.note else ""
        embed["footer"] = {"text": f"quotes {first}–{last} · verbatim from the corpus{note}"[:DISCORD_FOOTER_CHARS]}
    else:
        embed["description"] = shorten(discord_escape(answer.message), [], DISCORD_DESCRIPTION_CHARS)[0]
    return embed


def render_discord(answer: Answer) -> dict[str, Any]:
    """A Discord message body: an embed, and ``allowed_mentions`` that can ping nobody."""
    return {"content": "", "embeds": [discord_embed(answer)], "allowed_mentions": {"parse": []}}


def render(answer: Answer, fmt: str) -> str:
    """Render for the CLI: ``plain`` text, or the exact ``slack`` / ``discord`` payload, or ``json``."""
    if fmt == "plain":
        return render_plain(answer)
    if fmt == "json":
        return render_json(answer)
    if fmt == "slack":
        return json.dumps(render_slack(answer), ensure_ascii=False, indent=2)
    if fmt == "discord":
        return json.dumps(render_discord(answer), ensure_ascii=False, indent=2)
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
