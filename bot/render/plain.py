"""Plain text for a terminal (the console and ``quotebot ask``)."""

from __future__ import annotations

from ..models import Answer
from .markup import plain_escape
from .views import passage_view, template


def render_plain(answer: Answer, more_hint: str = "ask again with a higher -k") -> str:
    """Each quote with its title, date and source; ``more_hint`` says how to see more."""
    passages = [passage_view(p, answer.offset + i + 1, plain_escape, "", 100_000) for i, p in enumerate(answer.passages)]
    return template("plain.j2").render(answer=answer, passages=passages, more_hint=more_hint).rstrip("\n")
