"""Property tests for what the Discord adapter sends: embeds always within limits, no text can ever ping."""

from __future__ import annotations

import datetime as dt
import re

import discord
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.models import Answer, NoAnswer, Passage, Source
from bot.platforms.discord.render import (
    DISCORD_DESCRIPTION_CHARS,
    DISCORD_EMBED_TOTAL,
    DISCORD_FOOTER_CHARS,
    DISCORD_TITLE_CHARS,
    discord_embed,
    render_discord,
)
from bot.render.markup import ZWSP, discord_escape

PROPERTIES = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

#: Text that leans towards what breaks Discord output: markdown, mentions, long runs, odd white space.
TRICKY = st.sampled_from(
    [
        "@everyone",
        "@here",
        "@Everyone",
        "<@123>",
        "<@!45>",
        "<@&6>",
        "<#7>",
        "**",
        "__",
        "~~",
        "||",
        "`",
        "```",
        "> ",
        "# ",
        "[a](b)",
    ]
)
text = st.lists(st.one_of(st.text(max_size=12), TRICKY), max_size=12).map(" ".join)
#: Long text is short text repeated: cheap to generate, and long enough to hit every limit.
long_text = st.one_of(text, st.builds(lambda t, n: (t + " ") * n, text, st.integers(1, 400)))


@st.composite
def passages(draw: st.DrawFn) -> Passage:
    body = draw(long_text.filter(lambda t: t.strip()))
    spans = []
    for _ in range(draw(st.integers(0, 6))):
        start = draw(st.integers(0, len(body) - 1))
        spans.append((start, draw(st.integers(start + 1, len(body)))))

    def source() -> Source:
        date = draw(st.one_of(st.none(), st.dates(dt.date(1990, 1, 1), dt.date(2030, 1, 1))))
        return Source(draw(text), draw(long_text), date)

    also = tuple(source() for _ in range(draw(st.integers(0, 4)))) * draw(st.integers(1, 4))
    return Passage(body, source(), 0, len(body), 1.0, tuple(sorted(spans)), also)


@st.composite
def answers(draw: st.DrawFn) -> Answer:
    question = draw(long_text)
    found = draw(st.lists(passages(), min_size=0, max_size=10))
    if not found:
        reason = draw(st.sampled_from(list(NoAnswer)))
        return Answer(question, reason=reason, message=reason.value)
    return Answer(question, tuple(found), offset=draw(st.integers(0, 50)), has_more=draw(st.booleans()))


def assert_cannot_ping(markdown: str) -> None:
    lowered = markdown.casefold()
    assert "@everyone" not in lowered and "@here" not in lowered
    # every "<" is escaped, so no <@user>, <@&role> or <#channel> survives
    assert not re.search(r"(?<!\\)<", markdown)


@PROPERTIES
@given(answers())
def test_every_answer_fits_discord_limits_and_cannot_ping(answer: Answer) -> None:
    # one property test for both, since generating answers is the expensive part
    embed = discord_embed(answer)
    title, description = embed.get("title", ""), embed["description"]
    footer = embed.get("footer", {}).get("text", "")
    assert len(title) <= DISCORD_TITLE_CHARS
    assert 0 < len(description) <= DISCORD_DESCRIPTION_CHARS
    assert len(footer) <= DISCORD_FOOTER_CHARS
    assert len(title) + len(description) + len(footer) <= DISCORD_EMBED_TOTAL
    assert len(discord.Embed.from_dict(embed)) <= DISCORD_EMBED_TOTAL  # discord.py's own count
    if answer.answered:
        assert description.startswith("> ")  # at least the first quote is always shown
    assert_cannot_ping(title)
    assert_cannot_ping(description)

    assert render_discord(answer)["allowed_mentions"] == {"parse": []}


_ESCAPED = re.compile(r"\\(.)", re.DOTALL)


@PROPERTIES
@given(st.one_of(text, st.text()))
@example("@everyone1 @HEREby <@1> <@&2> \\@everyone")  # mentions glued to words or behind a backslash still ping
def test_escaping_shows_the_text_verbatim_and_breaks_every_mention(raw: str) -> None:
    escaped = discord_escape(raw)
    assert_cannot_ping(escaped)
    # undoing the escapes (a backslash before a character, a zero-width space after "@") gives the text back
    assert _ESCAPED.sub(r"\1", escaped.replace("@" + ZWSP, "@")) == raw
