"""What the templates see: escaped views of passages and sources, the "why" line, and the Jinja2 environment.

Layout lives in the Jinja2 templates in ``bot/render/templates``; escaping, highlighting and
length limits are applied here (with the escape function of the format asking), before a
template sees any corpus text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from ..models import Explanation, Passage, Source
from .links import discord_link, slack_link, web_url
from .markup import emphasise, fold, shorten

_env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).with_name("templates")),
    autoescape=False,  # escaping is per format, done in markup.py
    keep_trailing_newline=False,
    undefined=jinja2.StrictUndefined,
)
_env.filters["slack_link"] = lambda text, url: slack_link(url, text)
_env.filters["discord_link"] = lambda text, url: discord_link(url, text)


def template(name: str) -> jinja2.Template:
    """The template ``name`` (``plain.j2``, ``slack_quote.j2``, ...) from ``bot/render/templates``."""
    return _env.get_template(name)


def compile_templates() -> None:
    """Compile every template now (about 20 ms), so the first answer after a start does not pay for it."""
    for path in sorted(Path(__file__).with_name("templates").glob("*.j2")):
        _env.get_template(path.name)


def date_text(source: Source) -> str:
    """``2020-06-09``, or ``undated``."""
    return source.date.isoformat() if source.date else "undated"


@dataclass(frozen=True)
class SourceView:
    """What a template sees of one source: escaped strings only."""

    title: str
    date: str
    source: str
    #: The article's link, when it has an http(s) one (raw: each template links or prints it its own way).
    url: str | None = None


def source_view(source: Source, escape: Callable[[str], str], title_limit: int = 200) -> SourceView:
    """``source`` escaped for a template, its title folded and cut to ``title_limit`` characters."""
    title, _ = shorten(" ".join(source.title.split()), [], title_limit)
    return SourceView(escape(title), date_text(source), escape(source.id), web_url(source.url))


def passage_view(
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
    view = source_view(p.source, escape, title_limit)
    return {
        "number": number,
        "quote": emphasise(text, spans, escape, mark),
        "title": view.title,
        "date": view.date,
        "source": view.source,
        "url": view.url,
        "also": [source_view(s, escape, also_title_limit) for s in p.also[:also]],
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
