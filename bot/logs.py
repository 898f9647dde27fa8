"""Logging for the running bot: text or JSON lines, secrets redacted from every record, questions optional.

:func:`setup_logging` installs one handler on the root logger, so records from
slack_sdk, slack-bolt, discord.py and aiohttp pass the same
:class:`RedactingFilter` as ours. :class:`AnswerLog` writes the one structured
line per answered question (platform, latency, answered), with the question
text only when ``[privacy] log_questions`` allows it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
import os
import re
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit

from .config import Config, ConfigError, Secret
from .models import Answer, Question
from .redact import question_for_log, scrub_url_tokens

REDACTED = "[redacted]"

#: Token shapes redacted even when they are not in the config (someone else's token pasted into a question, say).
TOKEN_PATTERNS = (
    re.compile(r"\bxox[abeoprs]-[A-Za-z0-9-]{6,}"),  # Slack bot, user, legacy and refresh tokens
    re.compile(r"\bxapp-[A-Za-z0-9-]{6,}"),  # Slack app-level (Socket Mode) tokens
    re.compile(r"\b[A-Za-z0-9_-]{23,28}\.[A-Za-z0-9_-]{6,7}\.[A-Za-z0-9_-]{27,}"),  # Discord bot tokens: id.timestamp.hmac
    re.compile(r"(?<=://)[^/\s:@]*:[^/\s@]+(?=@)"),  # the user:password part of a URL
)

#: Loggers of client libraries that print whole request and response bodies (so, question text) at DEBUG.
PAYLOAD_LOGGERS = ("slack_sdk", "slack_bolt", "discord", "aiohttp.access", "aiohttp.server")

#: Attributes every LogRecord has; anything else on a record came from ``extra=``.
_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime", "taskName"}

#: Shortest configured secret that is redacted by value (shorter ones would redact ordinary words).
MIN_SECRET = 4


class Redactor:
    """Replaces configured secret values and token-shaped strings with ``[redacted]``."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        values = sorted({s for s in secrets if len(s) >= MIN_SECRET}, key=len, reverse=True)
        self._values = re.compile("|".join(re.escape(v) for v in values)) if values else None

    def __call__(self, text: str) -> str:
        """``text`` with every secret removed."""
        if self._values is not None:
            text = self._values.sub(REDACTED, text)
        for pattern in TOKEN_PATTERNS:
            text = pattern.sub(REDACTED, text)
        return scrub_url_tokens(text, REDACTED)

    def value(self, value: Any) -> Any:
        """Redact strings inside ``value`` (strings, mappings, lists and tuples), leaving other types alone."""
        if isinstance(value, str):
            return self(value)
        if isinstance(value, Mapping):
            return {k: self.value(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.value(v) for v in value]
        return value


def config_secrets(config: Config) -> list[str]:
    """Every secret value in ``config``: the platform tokens and any password in the Redis URL."""
    found: list[str] = []
    for section in dataclasses.fields(config):
        value = getattr(config, section.name)
        if dataclasses.is_dataclass(value):
            for f in dataclasses.fields(value):
                item = getattr(value, f.name)
                if isinstance(item, Secret):
                    found.append(item.value)
    password = urlsplit(config.state.redis_url).password
    if password:
        found.append(password)
    return found


class RedactingFilter(logging.Filter):
    """A handler filter that removes secrets from the message, arguments, traceback and extra fields of a record.

    With ``log_questions`` false it also drops the ``question`` field that :class:`AnswerLog` adds.
    """

    def __init__(self, redactor: Redactor, log_questions: bool = True) -> None:
        super().__init__()
        self.redactor = redactor
        self.log_questions = log_questions

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact ``record`` in place; always keeps it."""
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not lose the record, nor leak its arguments
            message = f"{record.msg!s} (unformattable arguments)"
        record.msg = self.redactor(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redactor(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redactor(record.stack_info)
        for key, value in list(record.__dict__.items()):
            if key not in _STANDARD:
                record.__dict__[key] = self.redactor.value(value)
        data = record.__dict__.get("data")
        if not self.log_questions and isinstance(data, dict):
            data.pop("question", None)
        return True


def _extra(record: logging.LogRecord) -> dict[str, Any]:
    data = record.__dict__.get("data")
    return dict(data) if isinstance(data, Mapping) else {}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: ``time``, ``level``, ``logger``, ``message``, then the record's ``data`` fields."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON."""
        out: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        out.update(_extra(record))
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            out["exception"] = record.exc_text
        return json.dumps(out, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    """``time level logger: message key=value ...`` for people reading a terminal."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 (logging's name)
        """The usual line, then the ``data`` fields as ``key=value``."""
        line = super().formatMessage(record)
        pairs = " ".join(f"{k}={json.dumps(v, ensure_ascii=False, default=str)}" for k, v in _extra(record).items())
        return f"{line} {pairs}" if pairs else line


def _handlers_marked(root: logging.Logger) -> list[logging.Handler]:
    return [h for h in root.handlers if getattr(h, "_quotebot", False)]


def private_file_handler(path: Path) -> logging.FileHandler:
    """A handler appending to ``path``, created readable by its owner only (0600); a path that cannot be written is a
    :class:`ConfigError` naming it, not a traceback."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600))
        return logging.FileHandler(path, encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"[logging] file = {str(path)!r}: cannot write the log file: {exc.strerror or exc}") from None


def setup_logging(config: Config, stream: TextIO | None = None) -> list[logging.Handler]:
    """Send all logging to ``stream`` (default stderr) and ``[logging] file``, redacted; returns the handlers.

    Calling it again replaces the handlers it installed before. Python warnings
    are routed through logging too, so they are redacted like everything else.
    """
    root = logging.getLogger()
    for old in _handlers_marked(root):
        root.removeHandler(old)
        old.close()
    redacting = RedactingFilter(Redactor(config_secrets(config)), config.privacy.log_questions)
    formatter: logging.Formatter = JsonFormatter() if config.logging.json else TextFormatter()
    handlers: list[logging.Handler] = [logging.StreamHandler(stream or sys.stderr)]
    if config.logging.file:
        handlers.append(private_file_handler(Path(config.logging.file)))
    for handler in handlers:
        handler.addFilter(redacting)
        handler.setFormatter(formatter)
        handler._quotebot = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    level = logging.getLevelName(config.logging.level)
    root.setLevel(level)
    for name in PAYLOAD_LOGGERS:
        # Their DEBUG lines hold whole message bodies; keep them out unless questions may be logged.
        logging.getLogger(name).setLevel(logging.NOTSET if config.privacy.log_questions else max(level, logging.INFO))
    logging.captureWarnings(True)
    return handlers


def report_fatal(line: str, stream: TextIO | None = None) -> None:
    """A fatal error: ``line`` (``quotebot CMD: what to do``) on stderr, and the same as an ERROR record in the configured
    log (``[logging] file``, and stderr too when it carries JSON), so a service's log says why it stopped.

    A text log on stderr gets no second copy of the line. Before :func:`setup_logging` ran, only stderr is written.
    """
    out = stream or sys.stderr
    logger = logging.getLogger("quotebot")
    record = logger.makeRecord(logger.name, logging.ERROR, __file__, 0, "%s", (line,), None)
    for handler in _handlers_marked(logging.getLogger()):
        is_file = isinstance(handler, logging.FileHandler)
        on_stderr = not is_file and isinstance(handler, logging.StreamHandler) and handler.stream in (sys.stderr, out)
        if on_stderr and isinstance(handler.formatter, TextFormatter):
            continue
        handler.handle(record)
    print(line, file=out, flush=True)


class AnswerLog:
    """Writes one structured line per answered question: platform, latency, answered (and the question, if allowed)."""

    def __init__(self, log_questions: bool = True, logger: logging.Logger | None = None) -> None:
        self.log_questions = log_questions
        self.logger = logger or logging.getLogger("quotebot.answers")

    def fields(self, question: Question, answer: Answer | None, seconds: float, error: str | None = None) -> dict[str, Any]:
        """The fields of the line for ``question``: what an operator needs, and no more."""
        data: dict[str, Any] = {
            "event": "answer",
            "platform": question.platform,
            "latency_ms": round(seconds * 1000, 1),
            "answered": bool(answer and answer.answered),
            "passages": len(answer.passages) if answer else 0,
        }
        if answer is not None and answer.reason is not None:
            data["reason"] = answer.reason.name.lower()
        if error is not None:
            data["error"] = error
        if self.log_questions:
            data["question"] = question_for_log(question.text)
        return data

    def record(self, question: Question, answer: Answer | None, seconds: float, error: str | None = None) -> None:
        """Log the line (at WARNING when answering failed with ``error``)."""
        data = self.fields(question, answer, seconds, error)
        level = logging.WARNING if error else logging.INFO
        message = "answer failed" if error else "answered" if data["answered"] else "no answer"
        self.logger.log(level, message, extra={"data": data})
