"""A wrong corpus is an error: a missing path or an empty corpus exits 2 naming the paths, in every command;
the default corpus resolves against the current folder, configured paths against the config file's folder."""

from __future__ import annotations

import io
import json
import logging
import shutil
import sys
from pathlib import Path

import pytest

from bot.bootstrap import build_answerer
from bot.cli import main
from bot.config import Config, load_config
from bot.corpus_paths import describe, log_start
from tests.conftest import IBM_QUOTE, SEEDS

IBM_QUESTION = "Does IBM still sell facial recognition software?"

#: Every command that reads the corpus, with what it needs besides ``--corpus`` and the environment it needs to get there.
COMMANDS: dict[str, tuple[list[str], dict[str, str]]] = {
    "ask": (["ask", IBM_QUESTION], {}),
    "index": (["index"], {}),
    "console": (["console"], {}),
    "eval": (["eval", "QUESTIONS"], {}),
    "slack": (["slack"], {"SLACK_BOT_TOKEN": "xoxb-1-test", "SLACK_APP_TOKEN": "xapp-1-test"}),
    "discord": (["discord"], {"DISCORD_TOKEN": "a-discord-token"}),
    "run": (["run"], {"DISCORD_TOKEN": "a-discord-token"}),
}
BOTS = ("slack", "discord", "run")


def command(name: str, corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The argument list for ``name`` over ``corpus``, with its tokens set and stdin empty."""
    args, env = COMMANDS[name]
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))
    questions = tmp_path / "questions.jsonl"
    questions.write_text(json.dumps({"id": "q1", "question": IBM_QUESTION, "article_id": "a", "answers": []}) + "\n")
    return [str(questions) if a == "QUESTIONS" else a for a in args] + ["--corpus", str(corpus)]


@pytest.mark.parametrize("name", list(COMMANDS))
def test_a_missing_corpus_path_exits_2_naming_it(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "no-such-corpus"
    assert main(command(name, missing, tmp_path, monkeypatch)) == 2
    out, err = capsys.readouterr()
    assert f"corpus path does not exist: {missing}" in err
    assert "Nothing in the corpus answers" not in out + err and "Traceback" not in err
    (line,) = [line for line in err.splitlines() if line.startswith("quotebot:")]  # one line, not a traceback
    assert str(missing) in line


@pytest.mark.parametrize("name", list(COMMANDS))
def test_an_empty_corpus_exits_2_saying_so(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(command(name, empty, tmp_path, monkeypatch)) == 2
    out, err = capsys.readouterr()
    assert f"The corpus is empty: no articles in {empty}" in err
    assert "Nothing in the corpus answers" not in out + err and "Traceback" not in err


def test_an_empty_corpus_names_what_was_skipped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "notes.pdf").write_bytes(b"%PDF-1.4")
    assert main(["index", "--corpus", str(corpus)]) == 2
    err = capsys.readouterr().err
    assert "The corpus is empty" in err and "notes.pdf: unsupported file type '.pdf'" in err


def test_one_missing_path_among_several_is_still_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ask", "--corpus", str(SEEDS), "--corpus", str(tmp_path / "gone"), IBM_QUESTION]) == 2
    assert str(tmp_path / "gone") in capsys.readouterr().err


def test_the_default_corpus_resolves_against_the_current_folder_not_the_config_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    etc = tmp_path / "etc" / "quotebot"
    etc.mkdir(parents=True)
    config = etc / "quotebot.toml"
    config.write_text("[answer]\npassages = 2\n", encoding="utf-8")  # no [corpus] paths
    work = tmp_path / "work"
    shutil.copytree(SEEDS, work / "seeds")
    monkeypatch.chdir(work)
    monkeypatch.setenv("QUOTEBOT_CONFIG", str(config))
    assert load_config().corpus.paths == ["seeds"]
    assert main(["ask", IBM_QUESTION]) == 0
    assert IBM_QUOTE in capsys.readouterr().out

    monkeypatch.chdir(tmp_path)  # no seeds/ here: the error names the folder it looked in
    assert main(["ask", IBM_QUESTION]) == 2
    assert f"corpus path does not exist: {tmp_path / 'seeds'}" in capsys.readouterr().err


def test_configured_paths_resolve_against_the_config_files_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    etc = tmp_path / "etc"
    shutil.copytree(SEEDS, etc / "articles")
    config = etc / "quotebot.toml"
    config.write_text('[corpus]\npaths = ["articles"]\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert load_config(config).corpus.paths == [str(etc / "articles")]
    # written as the default is, it is still the user's own path, so it is relative to the file
    config.write_text('[corpus]\npaths = ["seeds"]\n', encoding="utf-8")
    assert load_config(config).corpus.paths == [str(etc / "seeds")]


def test_a_bot_logs_what_it_serves_at_start(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    config = Config()
    config.corpus.cache_dir = str(tmp_path / "cache")
    built = build_answerer(config, [str(SEEDS)])
    line = describe(built.opened, built.seconds)
    assert line.startswith("corpus: 1 article(s), 14 sentences, dated 2020-06-09 to 2020-06-09; index built in ")
    assert line.endswith(f" at {built.opened.path}")
    again = build_answerer(config, [str(SEEDS)])
    with caplog.at_level(logging.INFO, logger="quotebot.corpus"):
        log_start(again.opened, again.seconds, [str(SEEDS)])
    (record,) = caplog.records
    assert "index loaded from the saved index at" in record.getMessage() and f"corpus paths: {SEEDS}" in record.getMessage()
