"""The console harness: questions, /format previews, /more, /help and /quit."""

from __future__ import annotations

import io
import json

from bot.answerer import Answerer
from bot.console import Console, run_console
from tests.conftest import IBM_QUOTE


def test_question_then_formats_then_quit(seed_answerer: Answerer, capsys) -> None:  # type: ignore[no-untyped-def]
    lines = [
        "Does IBM still sell facial recognition software?",
        "/format slack",
        "Does IBM still sell facial recognition software?",
        "/format discord",
        "Does IBM still sell facial recognition software?",
        "/quit",
        "never asked",
    ]
    assert run_console(seed_answerer, lines=lines) == 0
    out = capsys.readouterr().out
    assert IBM_QUOTE in out
    assert '"blocks"' in out and '"embeds"' in out and '"allowed_mentions"' in out
    assert "never asked" not in out


def test_help_unknown_command_bad_format_and_more(seed_answerer: Answerer) -> None:
    out = io.StringIO()
    console = Console(seed_answerer, out=out)
    console.handle("/more")
    assert "Ask a question first." in out.getvalue()
    console.handle("/help")
    assert "/format" in out.getvalue()
    console.handle("/frobnicate")
    assert "Unknown command /frobnicate" in out.getvalue()
    console.handle("/format html")
    assert "Usage: /format plain|slack|discord|json" in out.getvalue()
    console.handle("/format json")
    out.truncate(0)
    out.seek(0)
    console.handle("IBM facial recognition")
    first = json.loads(out.getvalue().strip().splitlines()[-1])
    out.truncate(0)
    out.seek(0)
    console.handle("/more")
    second = json.loads(out.getvalue().strip().splitlines()[-1])
    assert first["passages"] and second["passages"]
    assert {p["start"] for p in first["passages"]}.isdisjoint({p["start"] for p in second["passages"]})
    assert console.handle("/quit") is False
