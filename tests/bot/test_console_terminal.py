"""The console at a real terminal (a pseudo-terminal): Ctrl-D ends the prompt line, and the history file is written
only while ``[privacy] log_questions`` allows it. Also ``/more`` after a refusal, ``ask`` on stdin naming each question,
and ``--config`` after the command."""

from __future__ import annotations

import io
import os
import re
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.answerer import Answerer
from bot.cli import main
from bot.console import Console
from tests.conftest import IBM_QUOTE, ROOT, SEEDS

_ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class Terminal:
    """``python -m bot ARGS`` with a pseudo-terminal as stdin, stdout and stderr."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.master, slave = os.openpty()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "bot", *args], cwd=ROOT, env=env, stdin=slave, stdout=slave, stderr=slave, close_fds=True
        )
        os.close(slave)
        self.output = ""

    def read_until(self, pattern: str, timeout: float = 60) -> None:
        """Read until ``pattern`` is in the output (escape sequences removed); fails with the output so far."""
        deadline = time.monotonic() + timeout
        while not re.search(pattern, self.output):
            assert time.monotonic() < deadline, self.output
            ready, _, _ = select.select([self.master], [], [], 0.5)
            if ready:
                try:
                    data = os.read(self.master, 4096)
                except OSError:  # the child closed the terminal
                    data = b""
                assert data, self.output
                self.output += _ESCAPES.sub("", data.decode(errors="replace"))

    def type(self, text: str) -> None:
        os.write(self.master, text.encode())

    def finish(self) -> int:
        """Read to the end and return the exit status."""
        while True:
            ready, _, _ = select.select([self.master], [], [], 10)
            try:
                data = os.read(self.master, 4096) if ready else b""
            except OSError:
                data = b""
            if not data:
                break
            self.output += _ESCAPES.sub("", data.decode(errors="replace"))
        code = self.proc.wait(30)
        os.close(self.master)
        return code


@pytest.mark.parametrize("log_questions", [True, False])
def test_ctrl_d_ends_the_line_and_history_follows_privacy(tmp_path: Path, log_questions: bool) -> None:
    config = tmp_path / "q.toml"
    config.write_text(f"[privacy]\nlog_questions = {str(log_questions).lower()}\n", encoding="utf-8")
    env = {"PATH": os.environ["PATH"], "HOME": str(tmp_path), "XDG_STATE_HOME": str(tmp_path / "state"), "TERM": "dumb",
           "QUOTEBOT_CACHE_DIR": os.environ["QUOTEBOT_CACHE_DIR"]}
    term = Terminal(["console", "--config", str(config), "--corpus", str(SEEDS)], env)
    term.read_until(r"quotebot> ")
    term.type("Does IBM still sell facial recognition software?\n")
    term.read_until(r"IBM no longer offers[\s\S]*quotebot> ")
    term.type("\x04")  # Ctrl-D
    assert term.finish() == 0
    assert term.output.endswith("quotebot> \r\n"), repr(term.output[-40:])  # the shell's prompt starts on a new line
    history = tmp_path / "state" / "quotebot" / "history"
    assert history.exists() is log_questions
    if log_questions:
        assert "Does IBM still sell facial recognition software?" in history.read_text(encoding="utf-8")


def test_more_after_a_refusal_says_there_is_nothing_more(seed_answerer: Answerer) -> None:
    out = io.StringIO()
    console = Console(seed_answerer, out=out)
    console.handle("What is the capital of Australia?")
    assert "No article mentions Australia." in out.getvalue()
    console.handle("/more")
    last = out.getvalue().strip().splitlines()[-1]
    assert last == "There is nothing more: the last question got no answer. Try asking it another way."
    console.handle("Does IBM still sell facial recognition software?")
    console.handle("/more")
    assert "nothing more" not in out.getvalue().strip().splitlines()[-1]


def test_ask_on_stdin_names_the_question_before_each_plain_answer(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("Does IBM still sell facial recognition software?\nWhat is the capital of Australia?\n"))
    assert main(["ask", "--corpus", str(SEEDS)]) == 0
    out = capsys.readouterr().out
    first, second = out.split("\nQ: What is the capital of Australia?\n")
    assert first.startswith("Q: Does IBM still sell facial recognition software?\n1. > ") and IBM_QUOTE in first
    assert second.startswith("No article mentions Australia.")


def test_config_is_accepted_after_the_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "q.toml"
    config.write_text(f'[corpus]\npaths = ["{SEEDS}"]\n[answer]\npassages = 1\n', encoding="utf-8")
    assert main(["ask", "--config", str(config), "Does IBM still sell facial recognition software?"]) == 0
    after = capsys.readouterr().out
    assert IBM_QUOTE in after and "2. >" not in after
    assert main(["-c", str(config), "ask", "Does IBM still sell facial recognition software?"]) == 0
    assert capsys.readouterr().out == after
    bad = tmp_path / "bad.toml"
    bad.write_text("[answer]\npassages = 99\n", encoding="utf-8")
    assert main(["--config", str(config), "ask", "-c", str(bad), "q"]) == 2  # the one after the command wins
    assert "bad.toml" in capsys.readouterr().err
