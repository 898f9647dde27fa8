"""The local console harness: an input loop over the same ``answer()`` pipeline as the chat platforms.

Commands: ``/help``, ``/format plain|slack|discord|json`` (preview exactly what
each platform receives), ``/more`` (next passages for the last question), ``/quit``.
History is kept with readline where available, unless ``[privacy] log_questions = false``.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from .answerer import Answerer
from .lifecycle import TerminateGuard
from .messages import MORE_AFTER_REFUSAL
from .models import Question
from .render import FORMATS, render
from .render.plain import render_plain

HELP = """Ask a question about the articles, or type a command:
  /help                          this help
  /format plain|slack|discord|json   show answers as that platform would receive them
  /more                          the next passages for the last question
  /quit                          leave (Ctrl-D works too)"""


@dataclass
class Console:
    """One console session: the answerer, the output format and the last question asked."""

    answerer: Answerer
    fmt: str = "plain"
    out: TextIO = field(default_factory=lambda: sys.stdout)
    last: Question | None = None
    #: Whether the last question got passages; ``/more`` after a refusal has nothing to page through.
    last_answered: bool = False

    def handle(self, line: str) -> bool:
        """Handle one input line; return False when the user asked to quit."""
        line = line.strip()
        if not line:
            return True
        if line.startswith("/"):
            return self._command(line)
        self.last = Question(line, platform="console")
        self._show(self.last)
        return True

    def _command(self, line: str) -> bool:
        name, _, arg = line.partition(" ")
        arg = arg.strip().lower()
        if name in ("/quit", "/exit", "/q"):
            return False
        if name in ("/help", "/?"):
            self._print(HELP)
        elif name == "/format":
            if arg in FORMATS:
                self.fmt = arg
                self._print(f"Answers are now shown as {arg}.")
            else:
                self._print(f"Usage: /format {'|'.join(FORMATS)} (now: {self.fmt})")
        elif name == "/more":
            if self.last is None:
                self._print("Ask a question first.")
            elif not self.last_answered:
                self._print(MORE_AFTER_REFUSAL)
            else:
                k = self.last.k or self.answerer.settings.passages
                self.last = Question(self.last.text, platform="console", offset=self.last.offset + k)
                self._show(self.last)
        else:
            self._print(f"Unknown command {name}. Type /help for the list.")
        return True

    def _show(self, question: Question) -> None:
        answer = self.answerer.answer(question)
        self.last_answered = answer.answered
        self._print(render_plain(answer, "type /more") if self.fmt == "plain" else render(answer, self.fmt))

    def _print(self, text: str) -> None:
        print(text, file=self.out, flush=True)


def _history_file() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(base) / "quotebot" / "history"


def _open_history() -> Callable[[], None]:
    """Load the readline history for an interactive session; returns what saves it (a no-op without readline)."""
    try:
        import readline

        path = _history_file()
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            readline.read_history_file(path)
        readline.set_history_length(1000)
    except (ImportError, OSError):
        return lambda: None

    def save() -> None:
        try:
            readline.write_history_file(path)
        except OSError:
            pass

    return save


def _reader(lines: Iterable[str] | None, interactive: bool) -> Callable[[], str | None]:
    """What reads the next line, ``None`` at the end: from ``lines``, else the keyboard's prompt, else stdin."""
    if lines is not None:
        source = iter(lines)
        return lambda: next(source, None)
    if interactive:

        def prompt() -> str | None:
            try:
                return input("quotebot> ")
            except EOFError:
                print()  # Ctrl-D: end the prompt's line, so the shell prompt starts on its own
                return None

        return prompt
    return lambda: sys.stdin.readline() or None


def run_console(
    answerer: Answerer, lines: Iterable[str] | None = None, fmt: str = "plain", banner: str = "", history: bool = True
) -> int:
    """Run the interactive loop until ``/quit`` or end of input; ``lines`` replaces the keyboard in tests.

    ``history`` keeps the questions in the history file (``$XDG_STATE_HOME/quotebot/history``) across sessions;
    false (``[privacy] log_questions = false``) neither reads nor writes it.
    """
    console = Console(answerer, fmt)
    interactive = lines is None and sys.stdin.isatty()
    save_history = _open_history() if interactive and history else (lambda: None)
    read = _reader(lines, interactive)
    if banner:
        console._print(banner)
    # SIGTERM ends the session cleanly (exit 0): at once while waiting for input, after the answer while answering.
    with TerminateGuard() as guard:
        try:
            while not guard.requested:
                try:
                    line = read()
                except KeyboardInterrupt:
                    console._print("")
                    continue
                if line is None:
                    break
                with guard.busy():
                    keep_going = console.handle(line)
                if not keep_going:
                    break
        finally:
            save_history()
    return 0
