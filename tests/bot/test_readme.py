"""The README tells the truth: its JSON example is a real answer whose quote is the article sliced at ``start:end``,
and its command table names every command and option the CLI has."""

from __future__ import annotations

import io
import json
import re
import sys

import pytest

from bot.cli import build_parser, main
from tests.conftest import ROOT, SEEDS

README = (ROOT / "README.md").read_text(encoding="utf-8")


def json_example() -> dict[str, object]:
    """The JSON block that follows "JSON answers" in the README."""
    after = README[README.index("JSON answers") :]
    block = re.search(r"```json\n(.*?)\n```", after, re.DOTALL)
    assert block, "no JSON example after 'JSON answers'"
    return json.loads(block.group(1))


def test_the_json_examples_text_is_the_article_at_its_offsets() -> None:
    example = json_example()
    passages = example["passages"]
    assert isinstance(passages, list) and passages
    for p in passages:
        article = (SEEDS / p["source"]).read_text(encoding="utf-8")
        assert article[p["start"] : p["end"]] == p["text"]


def test_the_json_example_is_what_ask_prints(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    example = json_example()
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    assert main(["ask", "--corpus", str(SEEDS), "-k", "1", "--format", "json", str(example["question"])]) == 0
    live = json.loads(capsys.readouterr().out)
    for answer in (live, example):
        for p in answer["passages"]:  # type: ignore[union-attr]
            p.pop("score")  # the one field a ranking change may move without making the example wrong
    assert live == example


def test_every_command_and_option_is_in_the_readme() -> None:
    parser = build_parser()
    subparsers = next(a for a in parser._actions if a.dest == "command")
    for name, sub in subparsers.choices.items():  # type: ignore[attr-defined]
        assert f"`quotebot {name}" in README, f"quotebot {name} is not in the README"
        for action in sub._actions:
            for option in action.option_strings:
                if option.startswith("--") and option != "--help":
                    assert option in README, f"quotebot {name} {option} is not in the README"


def test_every_config_section_is_listed() -> None:
    listed = README[README.index("Sections: `[corpus]`") :].split("\n\n")[0]
    for section in re.findall(r"^\[(\w+)\]", (ROOT / "config.example.toml").read_text(encoding="utf-8"), re.MULTILINE):
        assert f"`[{section}]`" in listed, section
