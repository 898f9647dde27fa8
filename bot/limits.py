"""Per-user and per-channel rate limits over the shared :class:`~bot.state.State`.

An adapter asks :meth:`RateLimiter.check` before answering. A refused question
gets one friendly notice per window (``Verdict.notice``), then silence until
the bucket refills, so a flood never turns into a flood of replies.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .config import LimitsConfig
from .models import Question
from .state import State

USER_NOTICE = "You're asking faster than I can answer. Please wait about {seconds} and ask again."
CHANNEL_NOTICE = "This channel is asking faster than I can answer. Please wait about {seconds} and ask again."


@dataclass(frozen=True, slots=True)
class Verdict:
    """Whether a question may be answered; if not, which limit said no and what (if anything) to tell the user."""

    allowed: bool
    #: ``"user"`` or ``"channel"``: the limit that refused the question.
    scope: str | None = None
    #: The one notice to send for this window, or ``None`` to stay silent.
    notice: str | None = None


def _seconds(value: float) -> str:
    whole = max(1, math.ceil(value))
    return "1 second" if whole == 1 else f"{whole} seconds"


class RateLimiter:
    """Token buckets keyed by platform and user, and by platform and channel."""

    def __init__(self, state: State, settings: LimitsConfig) -> None:
        self.state = state
        self.settings = settings

    async def check(self, question: Question) -> Verdict:
        """Take a token for the question's user, then for its channel; a limit of 0 per minute is off."""
        s = self.settings
        checks = [
            ("user", question.user, s.user_per_minute, s.user_burst, USER_NOTICE),
            ("channel", question.channel, s.channel_per_minute, s.channel_burst, CHANNEL_NOTICE),
        ]
        for scope, who, per_minute, burst, notice in checks:
            if who is None or per_minute <= 0:
                continue
            decision = await self.state.allow(f"{question.platform}:{scope}:{who}", per_minute / 60.0, burst)
            if not decision.allowed:
                text = notice.format(seconds=_seconds(decision.retry_after)) if decision.notify else None
                return Verdict(False, scope, text)
        return Verdict(True)
