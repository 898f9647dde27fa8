"""The live watcher under faults: a single-file corpus replaced by rename, a corpus folder deleted and recreated,
and the indexing worker killed. Each time it keeps following the corpus, logs what happened when it happened,
and reports its health."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
import signal
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from retrieval.live import LiveIndex
from tests.retrieval.searching import search

ARTICLE = "date 2020-01-01\n\nThe council approved the new bridge budget. Work starts in spring."


async def until(predicate: Callable[[], object], what: str, timeout: float = 30.0) -> None:
    """Wait until ``predicate()`` holds; fail saying ``what`` did not happen."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for: {what}")
        await asyncio.sleep(0.05)


def answers(live: LiveIndex, question: str, word: str) -> bool:
    hits = search(live, question, k=1)
    return bool(hits) and word in hits[0].text


async def corpus_folder(tmp_path: Path, started: list[LiveIndex]) -> tuple[Path, LiveIndex]:
    """A corpus folder with one article, and a started live index following it."""
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "a.txt").write_text(ARTICLE)
    live = LiveIndex([root], cache_dir=tmp_path / "cache", debounce_ms=50, compact_after=3600)
    started.append(live)
    await live.start()
    return root, live


@pytest.fixture
async def started() -> AsyncIterator[list[LiveIndex]]:
    """Live indexes started by a test, stopped afterwards."""
    running: list[LiveIndex] = []
    yield running
    for live in running:
        await live.stop()


async def test_a_single_file_corpus_replaced_by_rename_is_followed_every_time(tmp_path: Path, started: list[LiveIndex]) -> None:
    article = tmp_path / "news" / "only.txt"
    article.parent.mkdir()
    article.write_text(ARTICLE)
    live = LiveIndex([article], cache_dir=tmp_path / "cache", debounce_ms=50, compact_after=3600)
    started.append(live)
    await live.start()
    for n, animal in enumerate(["walrus", "pelican", "narwhal"]):
        staged = article.parent / f".only.txt.tmp{n}"
        staged.write_text(f"date 2020-01-0{n + 2}\n\nA {animal} escaped from the city zoo on Monday.")
        os.replace(staged, article)  # write-then-rename, as editors and sync tools do
        await until(lambda animal=animal: answers(live, f"What escaped from the zoo? {animal}", animal), f"{animal} answerable")
    assert live.health.ok and live.health.state == "watching"


async def test_a_corpus_folder_deleted_and_recreated_is_followed_again(tmp_path: Path, started: list[LiveIndex]) -> None:
    root, live = await corpus_folder(tmp_path, started)
    shutil.rmtree(root)
    await until(lambda: not answers(live, "bridge budget council", "bridge"), "the deleted article hidden")
    root.mkdir()
    (root / "b.txt").write_text("date 2020-03-03\n\nThe orchestra hired a new conductor from Vienna.")
    await until(lambda: answers(live, "Who did the orchestra hire?", "conductor"), "a file in the recreated folder answerable")
    (root / "c.txt").write_text("date 2020-03-04\n\nThe library extended its opening hours to midnight.")
    await until(lambda: answers(live, "library opening hours", "midnight"), "a later file in the recreated folder answerable")
    # Deleted and recreated at once (the new folder may even get the old inode number back).
    shutil.rmtree(root)
    root.mkdir()
    (root / "d.txt").write_text("date 2020-03-05\n\nThe stadium installed solar panels on its roof.")
    await until(lambda: answers(live, "What did the stadium install?", "solar"), "a file in the at-once recreated folder answerable")
    await until(lambda: not answers(live, "library opening hours", "midnight"), "the deleted folder's files hidden")
    assert live.health.ok


async def test_a_killed_indexing_worker_is_replaced_logged_at_once_and_reported(
    tmp_path: Path, started: list[LiveIndex], caplog: pytest.LogCaptureFixture
) -> None:
    root, live = await corpus_folder(tmp_path, started)
    (root / "warm.txt").write_text("date 2020-01-05\n\nThe ferry timetable changed for the winter.")
    await until(lambda: answers(live, "ferry timetable winter", "ferry"), "the worker to be up")
    caplog.set_level(logging.INFO, "retrieval.live")
    pids = live.worker_pids()
    assert pids
    for pid in pids:
        os.kill(pid, signal.SIGKILL)  # as the OOM killer would
    await until(lambda: live.worker_restarts >= 1, "the dead worker replaced")
    assert any("worker process died" in r.getMessage() and r.levelno == logging.ERROR for r in caplog.records)
    (root / "b.txt").write_text("date 2020-03-03\n\nThe orchestra hired a new conductor from Vienna.")
    await until(lambda: answers(live, "Who did the orchestra hire?", "conductor"), "a new file answerable after the kill")
    await until(lambda: live.health.ok, "healthy again")


async def test_a_stopped_watcher_reports_unhealthy(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "a.txt").write_text(ARTICLE)
    live = LiveIndex([root], cache_dir=tmp_path / "cache", debounce_ms=50)
    await live.start()
    assert live.health.ok
    await live.stop()
    assert not live.health.ok and live.health.state == "stopped"
