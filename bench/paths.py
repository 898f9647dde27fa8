"""Where the benchmark scripts find their data, wherever the checkout sits."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def find_squad() -> Path | None:
    """The shared SQuAD dev set: ``$QUOTEBOT_SQUAD``, else ``shared/eval/squad-dev`` beside the checkout or one
    level up; ``None`` when there is none."""
    if env := os.environ.get("QUOTEBOT_SQUAD"):
        return Path(env)
    for base in (ROOT.parent, ROOT.parent.parent):
        candidate = base / "shared" / "eval" / "squad-dev"
        if candidate.is_dir():
            return candidate
    return None


def squad_dir() -> Path:
    """:func:`find_squad`, for scripts that cannot run without it."""
    found = find_squad()
    if found is None:
        raise SystemExit("SQuAD dev not found: set QUOTEBOT_SQUAD to its folder (../shared/eval/squad-dev)")
    return found
