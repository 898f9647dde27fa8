"""The 👍 / 👎 feedback rule and log, the same on every platform.

The rule: one vote per person per answer (per page of quotes shown), remembered for
:data:`VOTE_TTL` (30 days); a second vote in that time is refused with one message.
:meth:`bot.service.AnswerService.vote` applies it; :class:`FeedbackLog` writes the records.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import os
from pathlib import Path
from typing import Any

from .config import Config
from .logs import Redactor, config_secrets
from .models import Answer
from .state import FallbackState, State

#: How long one person's vote on one answer blocks a second vote, on every platform (30 days).
VOTE_TTL = 30 * 24 * 3600.0


def passages_digest(answer: Answer) -> str:
    """A short fingerprint of which passages an answer shows (article, start, end), to tell if the corpus changed since."""
    refs = "|".join(f"{p.source.id}:{p.start}:{p.end}" for p in answer.passages)
    return hashlib.blake2s(refs.encode("utf-8"), digest_size=6).hexdigest()


class FeedbackLog:
    """Appends feedback records to a JSON-lines file; never stores tokens.

    Every string in a record passes ``redactor`` first (by default one that
    removes token-shaped strings, such as a token pasted into a question;
    pass ``Redactor(config_secrets(config))`` to remove the configured ones too).
    With a shared ``state`` each record is also stored there, so the feedback of
    every replica can be read in one place (``State.recent_feedback``).
    """

    def __init__(self, path: str | Path, redactor: Redactor | None = None, state: State | None = None) -> None:
        self.path = Path(path)
        self.redactor = redactor or Redactor()
        self.state = state
        self._lock = asyncio.Lock()

    @staticmethod
    def record(platform: str, user: str | None, vote: str, answer: Answer) -> dict[str, Any]:
        """The record for one click: when, where, who, the vote, the question and the passages shown."""
        return {
            "time": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "platform": platform,
            "user": user,
            "vote": vote,
            "question": answer.question,
            "passages": [
                {"source": p.source.id, "start": p.start, "end": p.end, "text": p.text} for p in answer.passages
            ],
        }

    async def add(self, platform: str, user: str | None, vote: str, answer: Answer) -> dict[str, Any]:
        """Append one feedback record and return it."""
        entry = self.redactor.value(self.record(platform, user, vote, answer))
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        async with self._lock:
            await asyncio.to_thread(self._append, line)
        if self.state is not None:
            await self.state.add_feedback(entry)
        return entry

    def _append(self, line: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line.encode("utf-8"))
        finally:
            os.close(fd)


def open_feedback(config: Config, state: State | None = None) -> FeedbackLog:
    """The configured feedback file (``[feedback] path``), redacting the configured secrets.

    With Redis as the shared ``state``, records also go to its capped list, so the feedback
    of every replica can be read in one place.
    """
    shared = state if isinstance(state, FallbackState) else None
    return FeedbackLog(config.feedback.path, Redactor(config_secrets(config)), shared)
