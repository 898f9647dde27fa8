"""JSON output: one line per answer in the documented schema (``Answer.to_json``)."""

from __future__ import annotations

import json

from ..models import Answer


def render_json(answer: Answer) -> str:
    """One line of JSON in the documented schema."""
    return json.dumps(answer.to_json(), ensure_ascii=False)
