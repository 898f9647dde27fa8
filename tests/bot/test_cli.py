"""The CLI, run in-process: stdin batches, JSON lines, corpus problems and config errors as clear messages."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import build_parser, main
from tests.conftest import ROOT, SEEDS, SQUAD


def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, args: list[str], stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_every_command_has_help_text() -> None:
    parser = build_parser()
    subparsers = next(a for a in parser._actions if a.dest == "command")
    for name, sub in subparsers.choices.items():  # type: ignore[attr-defined]
        assert sub.description, f"{name} has no description"
        for action in sub._actions:
            if action.dest not in ("help",):
                assert action.help, f"{name} {action.dest} has no help"


def test_stdin_questions_give_one_json_line_each(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    questions = ["Does IBM still sell facial recognition software?", "", "What is the capital of Australia?", "the of", "🙂"]
    code, out, err = run(capsys, monkeypatch, ["ask", "--corpus", str(SEEDS), "--format", "json"], "\n".join(questions) + "\n")
    assert code == 0
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["question"] for line in lines] == [q.strip() if q.strip() else q for q in questions]
    assert [line["answered"] for line in lines] == [True, False, False, False, False]


def test_squad_questions_are_all_answered_with_exact_offsets(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    questions = [json.loads(line) for line in (SQUAD / "questions.jsonl").read_text(encoding="utf-8").splitlines()[:200:10]]
    articles = {a["id"]: a["text"] for a in map(json.loads, (SQUAD / "articles.jsonl").read_text(encoding="utf-8").splitlines())}
    stdin = "\n".join(q["question"] for q in questions) + "\n"
    args = ["ask", "--corpus", str(SQUAD / "articles.jsonl"), "--format", "json"]
    code, out, _ = run(capsys, monkeypatch, args, stdin)
    assert code == 0
    answers = [json.loads(line) for line in out.splitlines()]
    assert len(answers) == len(questions)
    assert sum(a["answered"] for a in answers) >= len(answers) * 0.9
    for answer in answers:
        for p in answer["passages"]:
            assert articles[p["source"]][p["start"] : p["end"]] == p["text"]


def test_broken_corpus_folder_reports_problems_and_still_answers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "seed.txt").write_text((SEEDS / "000_c80df7419379041d.txt").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "blob.txt").write_bytes(bytes(range(256)))
    (tmp_path / "old.txt").write_bytes("date 2020-01-01\nNa\xefve caf\xe9.".encode("latin-1"))
    (tmp_path / "feed.jsonl").write_text('{"id": "a", "text": "Zeppelins return."}\n{broken\n', encoding="utf-8")
    (tmp_path / "undated.txt").write_text("Undated story about zeppelins.", encoding="utf-8")
    code, out, err = run(capsys, monkeypatch, ["index", "--corpus", str(tmp_path)])
    assert code == 0
    assert "3 article(s)" in out or "4 article(s)" in out
    assert "blob.txt: binary file" in out
    assert "old.txt:2: not UTF-8" in out
    assert "feed.jsonl:2: broken JSON" in out
    assert "undated.txt:1: no date header" in out
    code, out, err = run(capsys, monkeypatch, ["ask", "--corpus", str(tmp_path), "Does IBM still sell facial recognition software?"])
    assert code == 0 and "general purpose" in out
    assert "corpus problem(s)" in err and "Traceback" not in err


def test_bad_config_is_one_line_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = tmp_path / "q.toml"
    bad.write_text("[index]\nk1 = \"x\"\n", encoding="utf-8")
    code, out, err = run(capsys, monkeypatch, ["--config", str(bad), "ask", "IBM"])
    assert code == 2
    assert err.strip() == f"quotebot: config error: {bad}:2: index.k1 = 'x': expected a number"


def test_k_out_of_range(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = run(capsys, monkeypatch, ["ask", "-k", "0", "IBM"])
    assert code == 2 and "-k must be between 1 and 10" in err


def test_python_dash_m_bot_runs_from_a_fresh_interpreter(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--corpus", str(SEEDS), "--format", "json", "What is the capital of Australia?"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={"PATH": "/usr/bin:/bin", "QUOTEBOT_CACHE_DIR": str(tmp_path), "HOME": str(tmp_path)},
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["answered"] is False
