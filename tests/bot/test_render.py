"""Renderers: verbatim quotes with title and date, escaping per platform, and platform limits."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from bot.answerer import Answerer
from bot.models import Answer, NoAnswer, Passage, Question, Source
from bot.platforms.discord.render import DISCORD_DESCRIPTION_CHARS, DISCORD_EMBED_TOTAL, discord_embed, render_discord
from bot.platforms.slack.render import SLACK_MAX_BLOCKS, SLACK_SECTION_CHARS, render_slack
from bot.render import render
from bot.render.plain import render_plain
from tests.conftest import IBM_QUOTE

SOURCE = Source("wire/evil.txt", "Title <b> & *stars*", dt.date(2020, 6, 9))


def passage(text: str, highlights: tuple[tuple[int, int], ...] = ()) -> Passage:
    return Passage(text, SOURCE, 0, len(text), 1.0, highlights)


def answer_of(*texts: str, question: str = "q") -> Answer:
    return Answer(question, tuple(passage(t) for t in texts))


def embed_size(embed: dict) -> int:
    return len(embed.get("title", "")) + len(embed.get("description", "")) + len(embed.get("footer", {}).get("text", ""))


@pytest.fixture
def ibm_answer(seed_answerer: Answerer) -> Answer:
    return seed_answerer.answer(Question("Does IBM still sell facial recognition software?"))


def test_plain_shows_quote_title_date_and_source(ibm_answer: Answer) -> None:
    out = render_plain(ibm_answer)
    assert IBM_QUOTE in out and "2020-06-09" in out and ibm_answer.passages[0].source.id in out


def test_every_format_carries_the_quote_and_date(ibm_answer: Answer) -> None:
    for fmt in ("plain", "slack", "discord", "json"):
        out = render(ibm_answer, fmt)
        assert "2020-06-09" in out, fmt
        assert "general purpose" in out, fmt


def test_slack_bolds_matched_words_and_has_context_lines(ibm_answer: Answer) -> None:
    blocks = render_slack(ibm_answer)["blocks"]
    sections = [b for b in blocks if b["type"] == "section"]
    contexts = [b for b in blocks if b["type"] == "context"]
    assert len(sections) == len(contexts) == 3
    assert "*IBM*" in sections[0]["text"]["text"] and "*IBM facial recognition*" in sections[0]["text"]["text"]
    assert "2020-06-09" in contexts[0]["elements"][0]["text"]


def test_slack_escapes_control_characters() -> None:
    out = render_slack(answer_of("Alert <!channel> & <@U123> said <https://x|y>", question="<!here>"), question_header=True)
    dumped = json.dumps(out)
    assert "<!channel>" not in dumped and "<@U123>" not in dumped and "<!here>" not in dumped
    assert "&lt;!channel&gt; &amp; &lt;@U123&gt;" in out["blocks"][1]["text"]["text"]
    assert "Title &lt;b&gt; &amp; *stars*" in out["blocks"][2]["elements"][0]["text"]


def test_discord_escapes_markdown_and_mentions() -> None:
    embed = discord_embed(answer_of("Hi @everyone and @here, <@123> <@&456> **bold** _it_ `code`", question="@everyone?"))
    text = embed["description"] + embed["title"]
    assert "@everyone" not in text and "@here" not in text
    assert "<@123>" not in text and "<@&456>" not in text
    assert "\\*\\*bold\\*\\*" in text and "\\_it\\_" in text
    assert render_discord(answer_of("x"))["allowed_mentions"] == {"parse": []}


def test_discord_bolds_matched_words() -> None:
    text = "IBM no longer offers facial recognition."
    embed = discord_embed(Answer("q", (passage(text, ((0, 3), (21, 27), (28, 39))),)))
    assert "**IBM**" in embed["description"] and "**facial recognition**" in embed["description"]


def test_long_quotes_stay_inside_slack_limits() -> None:
    huge = ("word " * 3000).strip() + "."
    out = render_slack(answer_of(*[huge] * 10))
    assert len(out["blocks"]) <= SLACK_MAX_BLOCKS
    for block in out["blocks"]:
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= SLACK_SECTION_CHARS
    assert "…" in out["blocks"][0]["text"]["text"]


def test_long_quotes_of_ampersands_stay_inside_slack_limits() -> None:
    out = render_slack(answer_of("&" * 5000))
    assert all(len(b["text"]["text"]) <= SLACK_SECTION_CHARS for b in out["blocks"] if b["type"] == "section")


def test_long_quotes_stay_inside_discord_limits() -> None:
    huge = ("word " * 3000).strip() + "."
    answer = answer_of(*[huge] * 10, question="q" * 500)
    embed = discord_embed(answer)
    assert len(embed["title"]) <= 256
    assert len(embed["description"]) <= DISCORD_DESCRIPTION_CHARS
    assert embed_size(embed) <= DISCORD_EMBED_TOTAL


def test_no_answer_renders_its_message_everywhere() -> None:
    answer = Answer("capital?", reason=NoAnswer.NOT_FOUND, message=NoAnswer.NOT_FOUND.value)
    for fmt in ("plain", "slack", "discord", "json"):
        assert "Nothing in the corpus" in render(answer, fmt)


def test_json_schema(ibm_answer: Answer) -> None:
    data = json.loads(render(ibm_answer, "json"))
    assert set(data) == {"question", "answered", "passages"}
    assert set(data["passages"][0]) >= {"text", "title", "source", "date", "start", "end", "score"}


def test_unknown_format() -> None:
    with pytest.raises(ValueError, match="unknown format"):
        render(answer_of("x"), "html")
