"""A small corpus for live-index tests, and waiting for the live index to catch up."""

from __future__ import annotations

import asyncio
from pathlib import Path

from retrieval import LiveIndex

BASE = {
    "a.txt": "date 2020-01-01\n\nThe council approved the new bridge budget. Work starts in spring.",
    "b.txt": "date 2020-02-02\n\nThe museum opened a dinosaur exhibit. Children loved the fossils.",
}


def make_corpus(tmp_path: Path) -> Path:
    """A folder ``corpus`` under ``tmp_path`` holding the files of :data:`BASE`."""
    root = tmp_path / "corpus"
    root.mkdir()
    for name, text in BASE.items():
        (root / name).write_text(text)
    return root


async def wait_until(live: LiveIndex, predicate: object, timeout: float = 20.0) -> None:
    """Wait until ``predicate()`` holds, failing with the live index's updates after ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():  # type: ignore[operator]
        if loop.time() > deadline:
            raise AssertionError(f"timed out; updates: {live.updates}")
        await asyncio.sleep(0.05)
