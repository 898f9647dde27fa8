"""The core issue's acceptance questions, asked through the real CLI entry point."""

from __future__ import annotations

import json

import pytest

from bot.cli import main
from tests.conftest import IBM_QUOTE, SEED_FILE, SEEDS


def ask(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["ask", "--corpus", str(SEEDS), *args])
    return code, capsys.readouterr().out


def test_ibm_question_quotes_the_ibm_sentence_with_date_and_source(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = ask(capsys, "Does IBM still sell facial recognition software?", "--format", "json")
    assert code == 0
    answer = json.loads(out)
    assert answer["answered"] is True
    first = answer["passages"][0]
    assert first["text"].startswith(IBM_QUOTE)
    assert first["date"] == "2020-06-09"
    assert first["source"] == SEED_FILE


def test_ibm_question_plain_output_shows_quote_and_date(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = ask(capsys, "Does IBM still sell facial recognition software?")
    assert code == 0
    assert IBM_QUOTE in out.splitlines()[0]
    assert "2020-06-09" in out and SEED_FILE in out


def test_senator_question_puts_the_whole_tim_scott_sentence_first(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = ask(capsys, "Which senator sponsored the legislation Krishna supports?", "--format", "json")
    first = json.loads(out)["passages"][0]["text"]
    assert first == (
        "He wrote that he wants Congress to adopt the legislation sponsored by Sen. Tim Scott, South Carolina Republican, "
        "to force states receiving federal funds to report more details on the use of deadly force to the U.S. Department of Justice."
    )


def test_off_corpus_question_names_what_no_article_mentions_and_exits_zero(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = ask(capsys, "What is the capital of Australia?", "--format", "json")
    assert code == 0
    answer = json.loads(out)
    assert answer["answered"] is False and answer["passages"] == []
    code, out = ask(capsys, "What is the capital of Australia?")
    assert code == 0 and "No article mentions Australia." in out
