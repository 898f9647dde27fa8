"""The saved indexes in the cache folder: list them, and prune those no running process has loaded.

Every index :func:`~retrieval.index.open_index` saves is a folder named by its cache key, holding ``meta.json``,
``corpus.json`` (which corpus it indexes) and ``in-use.lock``, which every process that loads the index holds with a
shared lock (:func:`~retrieval.index.hold_shared`). Pruning takes that lock exclusively before removing a folder,
so an index a process has loaded is never removed, and a process that starts loading one while it is being removed
fails to take its shared lock and rebuilds instead.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .cache import CORPUS_FILE, LOCK_FILE, in_use

#: A half-written index (``.tmp-*``) younger than this may still be being written by a running build.
TMP_GRACE_SECONDS = 3600


@dataclass(frozen=True, slots=True)
class SavedIndex:
    """One folder of the cache, as ``quotebot cache list`` shows it."""

    path: Path
    bytes: int
    modified: dt.datetime
    articles: int | None
    sentences: int | None
    #: The corpus paths it indexes, when the folder says (indexes saved before this was recorded do not).
    corpus: tuple[str, ...]
    in_use: bool
    #: False for a half-written ``.tmp-*`` folder or one without ``meta.json``.
    complete: bool

    def to_json(self) -> dict[str, Any]:
        """The fields as JSON values."""
        return {
            "path": str(self.path),
            "bytes": self.bytes,
            "modified": self.modified.isoformat(timespec="seconds"),
            "articles": self.articles,
            "sentences": self.sentences,
            "corpus": list(self.corpus),
            "in_use": self.in_use,
            "complete": self.complete,
        }


def _size(folder: Path) -> int:
    total = 0
    for f in folder.rglob("*"):
        try:
            if f.is_file():
                total += f.stat().st_size
        except OSError:
            continue
    return total


def describe(folder: Path) -> SavedIndex:
    """What ``folder`` (one saved index) holds, read from its small files only."""
    articles = sentences = None
    corpus: tuple[str, ...] = ()
    complete = not folder.name.startswith(".") and (folder / "meta.json").exists()
    try:
        sentences = int(json.loads((folder / "meta.json").read_text(encoding="utf-8"))["sentences"])
        articles = int(np.load(folder / "articles.byte_start.npy", mmap_mode="r").shape[0])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    try:
        marker = json.loads((folder / CORPUS_FILE).read_text(encoding="utf-8"))
        corpus = tuple(str(p) for p in marker.get("paths", ())) if isinstance(marker, dict) else ()
    except (OSError, ValueError):
        pass
    try:
        modified = dt.datetime.fromtimestamp(folder.stat().st_mtime, dt.UTC)
    except OSError:
        modified = dt.datetime.fromtimestamp(0, dt.UTC)
    busy = (folder / LOCK_FILE).exists() and in_use(folder)
    return SavedIndex(folder, _size(folder), modified, articles, sentences, corpus, busy, complete)


def saved_indexes(base: Path) -> Iterator[SavedIndex]:
    """Every index folder under ``base`` (the cache folder), oldest first; nothing when ``base`` does not exist."""
    try:
        folders = [p for p in base.iterdir() if p.is_dir()]
    except OSError:
        return
    for folder in sorted(folders, key=lambda p: (p.stat().st_mtime, p.name)):
        yield describe(folder)


def remove_unused(folder: Path) -> bool:
    """Remove ``folder`` unless a process has its index loaded; True when it was removed.

    The exclusive lock is held while the files go, so no process can load the index half-way through.
    """
    try:
        import fcntl
    except ImportError:  # no locks on this system: nothing can say the folder is in use
        shutil.rmtree(folder, ignore_errors=True)
        return not folder.exists()
    try:
        handle = open(folder / LOCK_FILE, "ab")  # noqa: SIM115 - held across the removal
    except OSError:
        return False
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return False
        shutil.rmtree(folder, ignore_errors=True)
    return not folder.exists()


def indexes_under(saved: SavedIndex, folder: Path) -> bool:
    """True when ``saved`` records its corpus and every corpus path is inside ``folder``."""
    root = folder.resolve()
    return bool(saved.corpus) and all(Path(p).resolve().is_relative_to(root) for p in saved.corpus)


def prune(
    base: Path, dry_run: bool = False, now: float | None = None, under: Path | None = None
) -> tuple[list[SavedIndex], list[SavedIndex]]:
    """Remove every saved index under ``base`` that no running process has loaded (and half-written folders older
    than :data:`TMP_GRACE_SECONDS`); returns ``(removed, kept)``. ``dry_run`` only says what would go; ``under``
    limits the pruning to indexes of corpora inside that folder (others are neither removed nor reported)."""
    now = time.time() if now is None else now
    removed: list[SavedIndex] = []
    kept: list[SavedIndex] = []
    for saved in saved_indexes(base):
        if under is not None and not indexes_under(saved, under):
            continue
        fresh_tmp = saved.path.name.startswith(".tmp-") and now - saved.modified.timestamp() < TMP_GRACE_SECONDS
        if saved.in_use or fresh_tmp:
            kept.append(saved)
        elif dry_run or remove_unused(saved.path):
            removed.append(saved)
        else:
            kept.append(saved)
    return removed, kept
