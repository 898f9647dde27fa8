"""The index cache: build an index once, reload it (memory-mapped) while the corpus is unchanged.

The cache key hashes the corpus files (path, size, modification time) and the index settings
(:func:`cache_key`); earlier states of the same corpus are pruned (:func:`prune_cache`) unless a
process still holds them (a shared file lock, :func:`hold_shared`).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from .corpus import iter_files
from .index import FORMAT_VERSION, IndexSettings, SentenceIndex
from .peak import PeakRss
from .safe_files import ReadPolicy, safe_resolve


def load_index(directory: Path, settings: IndexSettings | None = None, mmap: bool = True) -> SentenceIndex:
    """Load a saved index and mark its folder in use (:func:`hold_shared`) for as long as the index lives."""
    in_use = hold_shared(Path(directory))
    index = SentenceIndex.load(directory, settings, mmap=mmap)
    index.in_use = in_use
    return index



def corpus_fingerprint(paths: Iterable[str | os.PathLike[str]]) -> list[tuple[str, int, int]]:
    """``(path, size, mtime_ns)`` of every file the corpus loader would read, in order."""
    out = []
    for raw in paths:
        root = Path(raw)
        if not root.exists():
            out.append((str(root.resolve()), -1, -1))
            continue
        for path in iter_files(root):
            try:
                st = path.stat()
            except OSError:
                continue
            out.append((safe_resolve(path), st.st_size, st.st_mtime_ns))
    return out


def cache_key(paths: Iterable[str | os.PathLike[str]], settings: IndexSettings) -> str:
    """A hash of the corpus files (path, size, modification time) and the index settings."""
    h = hashlib.sha256()
    h.update(f"v{FORMAT_VERSION}\n{settings.key()}\n{ReadPolicy.current().key()}\n".encode())
    for item in corpus_fingerprint(paths):
        h.update(repr(item).encode("utf-8", "surrogateescape") + b"\n")
    return h.hexdigest()[:24]


def default_cache_dir() -> Path:
    """``$QUOTEBOT_CACHE_DIR``, else ``$XDG_CACHE_HOME/quotebot``, else ``~/.cache/quotebot``."""
    if env := os.environ.get("QUOTEBOT_CACHE_DIR"):
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "quotebot"


@dataclass
class OpenedIndex:
    """An index and how it was obtained."""

    index: SentenceIndex
    key: str
    from_cache: bool
    path: Path | None
    #: For a build: the peak resident bytes of the build's processes together (:class:`~retrieval.peak.PeakRss`).
    peak_rss: int | None = None


def open_index(
    paths: list[str],
    settings: IndexSettings | None = None,
    cache_dir: Path | None = None,
    rebuild: bool = False,
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
) -> OpenedIndex:
    """Load the saved index for ``paths`` if the corpus and settings are unchanged, else build and save it.

    A cache that can't be written (read-only disk) is not an error: the index is built in memory.
    """
    settings = settings or IndexSettings()
    key = cache_key(paths, settings)
    base = cache_dir if cache_dir is not None else default_cache_dir()
    where = base / key
    if not rebuild and (where / "meta.json").exists():
        try:
            loaded = load_index(where, settings)
        except (OSError, ValueError, EOFError, KeyError, TypeError):
            pass  # a stale or damaged cache is rebuilt below
        else:
            prune_cache(base, paths, settings, keep=key)
            return OpenedIndex(loaded, key, True, where)
    with PeakRss() as peak:  # building and saving
        index = SentenceIndex.build_paths(paths, settings, progress=progress, workers=workers, spool_dir=_spool_dir(base))
        try:
            index.save(where)
            marker = {"corpus": corpus_identity(paths, settings), "paths": [os.path.abspath(p) for p in paths]}
            (where / CORPUS_FILE).write_text(json.dumps(marker), encoding="utf-8")
        except OSError:
            saved = False
        else:
            saved = True
        finally:
            index.drop_scratch()
    if not saved:
        return OpenedIndex(index, key, False, None, peak.bytes)
    prune_cache(base, paths, settings, keep=key)
    return OpenedIndex(index, key, False, where, peak.bytes)


def _spool_dir(base: Path) -> Path | None:
    """Where a build spools its text: the cache folder (on disk, where the index goes), else the system's temporary
    folder (``None``)."""
    try:
        base.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return base if os.access(base, os.W_OK) else None


#: Written beside each cached index: which corpus (paths and settings, not their contents) it indexes.
CORPUS_FILE = "corpus.json"


def corpus_identity(paths: Iterable[str | os.PathLike[str]], settings: IndexSettings) -> str:
    """A hash of the corpus paths and the index settings: the same for every state of the same corpus."""
    names = sorted(os.path.abspath(p) for p in paths)
    return hashlib.sha256(json.dumps([names, FORMAT_VERSION, settings.key()]).encode()).hexdigest()[:24]


def prune_cache(base: Path, paths: Iterable[str | os.PathLike[str]], settings: IndexSettings, keep: str) -> list[Path]:
    """Remove the cached indexes of earlier states of this corpus (same paths and settings) but ``keep``.

    Without this a corpus that changes daily leaves one index a day in the cache. Only folders marked with
    this corpus's identity are removed, and only when no process has them loaded (:func:`in_use`): a running
    bot's base stays until it has swapped to a newer one. Other corpora's indexes stay. Returns the folders removed.
    """
    identity = corpus_identity(paths, settings)
    removed = []
    try:
        entries = list(base.iterdir())
    except OSError:
        return removed
    for entry in entries:
        if entry.name == keep or not entry.is_dir():
            continue
        try:
            marker = json.loads((entry / CORPUS_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(marker, dict) and marker.get("corpus") == identity and not in_use(entry):
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


#: In each cached index folder: locked shared by every process that has the index loaded.
LOCK_FILE = "in-use.lock"


def hold_shared(directory: Path) -> IO[bytes] | None:
    """Mark ``directory`` in use for as long as the returned file stays open (None where locks are unavailable:
    no ``fcntl``, or a read-only folder). Removing a folder whose files another process has memory-mapped would
    leave that process to free them when it lets go of the index, on whatever thread does so, possibly its loop."""
    try:
        import fcntl

        handle = open(directory / LOCK_FILE, "ab")  # noqa: SIM115 - held open on purpose
    except (ImportError, OSError):
        return None
    try:
        fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        handle.close()  # held exclusively: being pruned right now
        raise
    return handle


def in_use(directory: Path) -> bool:
    """True when some process holds ``directory``'s index (:func:`hold_shared`); False when it can be removed."""
    try:
        import fcntl

        with open(directory / LOCK_FILE, "ab") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)  # released when the file closes
    except ImportError:
        return False
    except OSError:
        return True
    return False
