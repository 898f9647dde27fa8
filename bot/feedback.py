"""The 👍 / 👎 feedback log: one JSON object per line, shared by Slack and Discord."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

from .models import Answer


class FeedbackLog:
    """Appends feedback records to a JSON-lines file; never stores tokens."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
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
        entry = self.record(platform, user, vote, answer)
        line = json.dumps(entry, ensure_ascii=False) + "\n"
        async with self._lock:
            await asyncio.to_thread(self._append, line)
        return entry

    def _append(self, line: str) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line.encode("utf-8"))
        finally:
            os.close(fd)
