"""Hostile corpus files: a FIFO, a symlink loop, a symlink to /dev/zero or out of the corpus, an oversized file and
a text head on a binary tail are each skipped and reported; the rest of the corpus is indexed, nothing hangs."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from retrieval.cache import open_index
from retrieval.corpus import load_corpus
from retrieval.records import LoadReport
from retrieval.safe_files import FOLLOW_ENV, MAX_BYTES_ENV, ReadPolicy, read_corpus_file

GOOD = "date 2020-06-09 The mayor opened the new bridge over the river on Tuesday.\n"


def finishes(call: Callable[[], Any], seconds: float = 60.0) -> Any:
    """``call()``'s result, failing the test (not hanging it) if it blocks, as reading a FIFO does."""
    out: list[Any] = []
    thread = threading.Thread(target=lambda: out.append(call()), daemon=True)
    thread.start()
    thread.join(seconds)
    assert out, f"still running after {seconds}s (blocked on a file?)"
    return out[0]


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A corpus folder with one good article."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD, encoding="utf-8")
    return folder


def reasons(report: LoadReport) -> dict[str, str]:
    return {p.path: p.reason for p in report.problems}


def test_a_fifo_is_skipped_and_reported_not_read(corpus: Path) -> None:
    os.mkfifo(corpus / "pipe.txt")
    report = finishes(lambda: load_corpus([corpus]))
    assert [a.id for a in report.articles] == ["good.txt"]
    assert "FIFO" in reasons(report)["pipe.txt"]


def test_index_and_a_rebuild_do_not_hang_on_a_fifo(corpus: Path, tmp_path: Path) -> None:
    os.mkfifo(corpus / "pipe.txt")
    opened = finishes(lambda: open_index([str(corpus)], cache_dir=tmp_path / "cache", rebuild=True))
    assert opened.index.num_sentences >= 1
    assert any("FIFO" in p.reason for p in opened.index.problems)


def test_a_symlink_loop_is_reported_and_the_rest_still_indexes(corpus: Path, tmp_path: Path) -> None:
    (corpus / "loop.txt").symlink_to(corpus / "loop.txt")
    (corpus / "a.txt").symlink_to(corpus / "b.txt")
    (corpus / "b.txt").symlink_to(corpus / "a.txt")
    opened = finishes(lambda: open_index([str(corpus)], cache_dir=tmp_path / "cache"))
    found = {p.path: p.reason for p in opened.index.problems}
    assert found["loop.txt"] == found["a.txt"] == found["b.txt"] == "symlink loop"
    assert opened.index.num_sentences >= 1


def test_symlinks_out_of_the_corpus_are_not_followed_unless_allowed(corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = tmp_path / "passwd.txt"
    secret.write_text("date 2020-01-01 root:x:0:0:root:/root:/bin/bash is the secret line.\n")
    (corpus / "leak.txt").symlink_to(secret)
    (corpus / "zero.txt").symlink_to("/dev/zero")
    (corpus / "inside.txt").symlink_to(corpus / "good.txt")  # inside the corpus: fine
    report = finishes(lambda: load_corpus([corpus]))
    assert sorted(a.id for a in report.articles) == ["good.txt", "inside.txt"]
    assert "outside the corpus folder" in reasons(report)["leak.txt"]
    assert "outside the corpus folder" in reasons(report)["zero.txt"]

    monkeypatch.setenv(FOLLOW_ENV, "true")
    report = finishes(lambda: load_corpus([corpus]))
    assert sorted(a.id for a in report.articles) == ["good.txt", "inside.txt", "leak.txt"]
    assert reasons(report)["zero.txt"] == "a device, not a regular file"


def test_a_file_over_max_file_bytes_is_skipped_before_reading(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(MAX_BYTES_ENV, "4096")
    (corpus / "big.txt").write_text("date 2020-06-09 " + "Words fill this article. " * 400)
    report = load_corpus([corpus])
    assert [a.id for a in report.articles] == ["good.txt"]
    assert "over [corpus] max_file_bytes (4,096)" in reasons(report)["big.txt"]


def test_the_default_cap_is_50_mb(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(MAX_BYTES_ENV, raising=False)
    assert ReadPolicy.current().max_file_bytes == ReadPolicy().max_file_bytes == 50 * 1024 * 1024


def test_nul_bytes_after_the_first_8_kib_still_mark_the_file_binary(corpus: Path, tmp_path: Path) -> None:
    with open(corpus / "tail.txt", "wb") as f:
        f.write(("date 2020-06-09 " + "Plain text at the start. " * 400).encode())  # 10 KB of text
        f.write(b"\x00" * (3 * 1024 * 1024))  # then 3 MB of NUL bytes
    report = load_corpus([corpus])
    assert [a.id for a in report.articles] == ["good.txt"]
    assert reasons(report)["tail.txt"] == "binary file (contains NUL bytes), not text"
    data, reason = read_corpus_file(corpus, corpus / "good.txt")
    assert data == GOOD.encode() and reason is None
