"""Article links: the JSONL/front-matter ``url`` is shown with each quote (plain prints it, Slack and Discord link the
title to it, JSON has ``url``), and only a real http(s) link is ever linked."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from bot.bootstrap import build_answerer
from bot.config import Config
from bot.models import Answer, Passage, Question, Source
from bot.platforms.discord.render import render_discord
from bot.platforms.slack.render import render_slack
from bot.render.json import render_json
from bot.render.links import discord_link, slack_link, web_url
from bot.render.plain import render_plain

URL = "https://example.org/news/ibm-(facial)?a=1&b=2"
SOURCE = Source("a1", "IBM quits facial recognition", dt.date(2020, 6, 9), URL)
ALSO = Source("a2", "Wire copy", dt.date(2020, 6, 10), "https://wire.example/a2")


def linked_answer(source: Source = SOURCE) -> Answer:
    text = "IBM no longer offers general purpose facial recognition software."
    return Answer("Does IBM sell it?", (Passage(text, source, 0, len(text), 1.0, also=(ALSO,)),))


def test_plain_prints_the_url_after_the_source() -> None:
    out = render_plain(linked_answer())
    assert f"— IBM quits facial recognition · 2020-06-09 · a1 · {URL}; also Wire copy · 2020-06-10 · a2 · https://wire.example/a2" in out


def test_slack_links_the_title_in_blocks_and_fallback_text() -> None:
    payload = render_slack(linked_answer())
    context = payload["blocks"][1]["elements"][0]["text"]
    link = "<https://example.org/news/ibm-%28facial%29?a=1&amp;b=2|IBM quits facial recognition>"
    assert context.startswith(f"*{link}* · 2020-06-09 · `a1`")
    assert "also *<https://wire.example/a2|Wire copy>*" in context
    assert f"— {link}, 2020-06-09" in payload["text"]


def test_discord_links_the_title_in_the_embed() -> None:
    description = render_discord(linked_answer())["embeds"][0]["description"]
    assert "— **[IBM quits facial recognition](https://example.org/news/ibm-%28facial%29?a=1&b=2)** · 2020-06-09 · a1" in description
    assert "also **[Wire copy](https://wire.example/a2)**" in description


def test_json_has_the_url_of_each_source() -> None:
    (passage,) = json.loads(render_json(linked_answer()))["passages"]
    assert passage["url"] == URL and passage["also"][0]["url"] == "https://wire.example/a2"


def test_no_url_means_no_link_and_no_url_key() -> None:
    answer = linked_answer(Source("a1", "Plain title", None))
    assert render_slack(answer)["blocks"][1]["elements"][0]["text"].startswith("*Plain title* · undated · `a1` · also *<https")
    assert "— **Plain title** · undated · a1 · also **[Wire copy]" in render_discord(answer)["embeds"][0]["description"]
    assert "url" not in json.loads(render_json(answer))["passages"][0]
    assert "— Plain title · undated · a1;" in render_plain(answer)


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "/relative/path", "ftp://example.org/x", "https://exa mple.org", "https://", "https://x.org/\nline", "x" * 600],
)
def test_only_absolute_http_links_are_linked(url: str) -> None:
    assert web_url(url) is None
    assert slack_link(url, "T") == "T" and discord_link(url, "T") == "T"
    json_url = json.loads(render_json(linked_answer(Source("a1", "T", None, url))))["passages"][0]["url"]
    assert json_url == url  # JSON reports the article's own field as it is; only the chat links are guarded


def test_a_link_cannot_break_out_of_its_markup() -> None:
    assert slack_link("https://x.org/a|<!channel>", "T") == "<https://x.org/a%7C%3C!channel%3E|T>"
    assert discord_link("https://x.org/a)[@everyone](x", "T") == "[T](https://x.org/a%29[@everyone]%28x)"


def test_a_jsonl_url_reaches_the_answer(tmp_path) -> None:  # type: ignore[no-untyped-def]
    corpus = tmp_path / "news.jsonl"
    row = {"id": "z1", "title": "Zeppelins", "date": "2021-05-01", "url": "https://example.org/z1",
           "text": "The airship museum restored a zeppelin gondola for its centenary show."}
    corpus.write_text(json.dumps(row) + "\n", encoding="utf-8")
    config = Config()
    config.corpus.cache_dir = str(tmp_path / "cache")
    answer = build_answerer(config, [str(corpus)]).answerer.answer(Question("What did the airship museum restore?"))
    assert answer.passages[0].source.url == "https://example.org/z1"
    assert re.search(r"· z1 · https://example\.org/z1$", render_plain(answer), re.MULTILINE)
