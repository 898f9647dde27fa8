"""A live corpus: the index follows the corpus files while the bot runs, without blocking it.

:class:`LiveIndex` serves a :class:`MergedIndex`: the saved *base* index plus a small *delta*
index of the files added or changed since the base was built. Base sentences of changed or
deleted files are hidden. The delta is scored with the base's statistics (see
:meth:`SentenceIndex.from_corpus`), so base and delta hits merge by score.

* ``await live.start()`` opens (or builds) the base and starts watching the corpus paths
  with watchfiles.
* On a change, the changed files are re-read in a worker process and a new delta is built;
  the new :class:`MergedIndex` replaces the old one in one assignment, so a query sees the
  old view or the new one, never a mix. A file that can't be read is reported in the
  :class:`Update` and skipped; the other files still go in.
* When the delta grows past ``compact_sentences``, or ``compact_after`` seconds after the
  last change, the whole corpus is re-indexed in a worker process and saved, then swapped in
  as the new base with an empty delta.

Builds run in a separate process, so the event loop (Slack acks, Discord heartbeats)
is never held by indexing.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from .build import Corpus, analyse_files
from .cache import load_index, open_index
from .corpus import IGNORED_DIRS, iter_files
from .index import IndexSettings, SentenceIndex
from .records import Problem
from .safe_files import safe_resolve
from .tokens import Tokenizer

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Seconds between checks that the indexing workers are alive; also the watcher's restart back-off.
SUPERVISE_SECONDS = 1.0


@dataclass(frozen=True)
class WatchHealth:
    """Whether the live index can follow the corpus right now, for ``/healthz`` (or ``/readyz``).

    ``state``: ``"watching"``, ``"off"`` (not asked to watch), ``"starting"``, ``"rewatching"`` (the
    watcher failed and is being restarted), ``"restarting"`` (an indexing worker died and is being
    replaced), or ``"stopped"``.
    """

    ok: bool
    state: str
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        """``{"ok", "state", "detail"}`` for a JSON health report."""
        return {"ok": self.ok, "state": self.state, "detail": self.detail}


@dataclass
class MergedIndex:
    """What queries see: a base index, a delta of changed files, and the base files to hide."""

    base: SentenceIndex
    delta: SentenceIndex | None = None
    #: Absolute paths of files whose base sentences are out of date (changed or deleted).
    hidden_files: frozenset[str] = frozenset()
    delta_problems: list[Problem] = field(default_factory=list)
    #: Base article rows per source file (see :func:`file_rows`).
    rows_by_file: dict[str, list[int]] = field(default_factory=dict, repr=False)
    _hidden_articles: np.ndarray | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        rows = [r for f in self.hidden_files for r in self.rows_by_file.get(f, ())]
        if rows:
            mask = np.zeros(len(self.base.articles), dtype=bool)
            mask[rows] = True
            self._hidden_articles = mask

    @property
    def tokenizer(self) -> Tokenizer:
        """The tokenizer shared by base and delta."""
        return self.base.tokenizer

    @property
    def hidden_articles(self) -> np.ndarray | None:
        """One flag per base article: True where its file changed since the base was built."""
        return self._hidden_articles

    @property
    def settings(self) -> IndexSettings:
        """The index settings."""
        return self.base.settings

    @property
    def num_sentences(self) -> int:
        """Sentences that can be answered from (hidden base sentences included until compaction)."""
        return self.base.num_sentences + (self.delta.num_sentences if self.delta else 0)

    @property
    def problems(self) -> list[Problem]:
        """Corpus problems of the base build and of the files changed since."""
        return [*self.base.problems, *self.delta_problems]


@dataclass
class Update:
    """What one refresh did."""

    changed: list[str]
    deleted: list[str]
    delta_sentences: int
    problems: list[Problem]
    seconds: float
    compacted: bool = False


def file_rows(index: SentenceIndex) -> dict[str, list[int]]:
    """The base article rows read from each file."""
    out: dict[str, list[int]] = {}
    files = index.articles.files
    for i in range(len(files)):
        name = files[i]
        if name is not None:
            out.setdefault(name, []).append(i)
    return out


#: How much lower the indexing processes' CPU priority is (``nice``); their workers inherit it.
NICENESS = 10


def _background_priority() -> None:
    """Run this worker process (and the build workers it forks) at a lower CPU priority."""
    try:
        os.nice(NICENESS)
    except OSError:  # pragma: no cover - not permitted on this system
        pass


def _open_in_child(paths: list[str], settings: IndexSettings, cache_dir: str | None, rebuild: bool) -> str | None:
    """Build (or find) and save the index in this worker process; the parent loads it memory-mapped."""
    opened = open_index(paths, settings, cache_dir=Path(cache_dir) if cache_dir else None, rebuild=rebuild)
    return str(opened.path) if opened.path else None


def _analyse_in_child(files: list[tuple[str, str]], stem: str | None) -> Corpus:
    return analyse_files(files, stem)


class LiveIndex:
    """Holds the current :class:`MergedIndex` of a corpus and keeps it up to date in the background."""

    def __init__(
        self,
        paths: Iterable[str | os.PathLike[str]],
        settings: IndexSettings | None = None,
        cache_dir: Path | None = None,
        *,
        compact_sentences: int = 50_000,
        compact_after: float = 300.0,
        debounce_ms: int = 200,
        on_update: Callable[[Update], None] | None = None,
    ) -> None:
        self.paths = [str(Path(p).resolve()) for p in paths]
        self.settings = settings or IndexSettings()
        self.cache_dir = cache_dir
        self.compact_sentences = compact_sentences
        self.compact_after = compact_after
        self.debounce_ms = debounce_ms
        self.on_update = on_update
        self.updates: list[Update] = []
        self._current: MergedIndex | None = None
        self._dirty: set[str] = set()
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._pool: ProcessPoolExecutor | None = None
        self._builder: ProcessPoolExecutor | None = None
        self._lock = asyncio.Lock()
        self._compacting = asyncio.Lock()
        #: Files changed while a compaction runs (None when none runs).
        self._during: set[str] | None = None
        self._last_change = 0.0
        self._rows: dict[str, list[int]] = {}
        self._health = WatchHealth(True, "off")
        #: Indexing workers replaced after dying, and watcher restarts (for reports and tests).
        self.worker_restarts = 0
        self.watch_restarts = 0

    @property
    def health(self) -> WatchHealth:
        """Whether the corpus is being followed right now (see :class:`WatchHealth`)."""
        return self._health

    def worker_pids(self) -> list[int]:
        """Process ids of the indexing workers running now (for fault tests)."""
        pids: list[int] = []
        for pool in (self._pool, self._builder):
            processes = getattr(pool, "_processes", None) or {}
            pids.extend(int(pid) for pid in processes)
        return pids

    @property
    def index(self) -> MergedIndex:
        """The index to query now (replaced whole on every update)."""
        if self._current is None:
            raise RuntimeError("LiveIndex.start() has not finished")
        return self._current

    @property
    def tokenizer(self) -> Tokenizer:
        """The tokenizer of the current index."""
        return self.index.tokenizer

    @property
    def num_sentences(self) -> int:
        """Sentences in the current index."""
        return self.index.num_sentences

    @property
    def problems(self) -> list[Problem]:
        """Corpus problems of the current index."""
        return self.index.problems

    async def start(self, watch: bool = True) -> None:
        """Open (or build, in a worker process) the base index and start watching the corpus."""
        # spawn, not fork: the bot's process has threads (executor, client libraries). One process
        # for deltas, another for full builds, so a compaction never holds up a new article.
        # Both run at a lower CPU priority: the bot's own process must win the cores whenever
        # it has an event to answer, or a full re-index would delay heartbeats and acks.
        self._pool = _new_pool()
        self._builder = _new_pool()
        base = await self._load_base(rebuild=False)
        self._rows = await asyncio.to_thread(file_rows, base)
        self._current = MergedIndex(base)
        if watch:
            self._health = WatchHealth(False, "starting")
            ready = asyncio.Event()
            self._tasks.append(asyncio.create_task(self._watch(ready), name="quotebot-live-watch"))
            self._tasks.append(asyncio.create_task(self._compactor(), name="quotebot-live-compact"))
            self._tasks.append(asyncio.create_task(self._supervise(), name="quotebot-live-supervise"))
            await ready.wait()

    async def stop(self) -> None:
        """Stop watching and shut the worker process down."""
        self._stop.set()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            try:
                await task
            except asyncio.CancelledError:
                pass
        self._tasks.clear()
        for pool in (self._pool, self._builder):
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
        self._pool = self._builder = None
        self._health = WatchHealth(False, "stopped")

    async def _in_worker(self, which: str, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(*args)`` in the ``"delta"`` or ``"builder"`` worker; if that worker died, replace it and try once more."""
        loop = asyncio.get_running_loop()
        pool = self._pool if which == "delta" else self._builder
        try:
            return await loop.run_in_executor(pool, fn, *args)
        except BrokenProcessPool:
            self._replace_worker(which, "an indexing worker process died (killed, or out of memory?)")
            result = await loop.run_in_executor(self._pool if which == "delta" else self._builder, fn, *args)
            if self._health.state == "restarting":
                self._health = WatchHealth(True, "watching")
                log.warning("corpus: indexing worker replaced; following the corpus again")
            return result

    def _replace_worker(self, which: str, why: str) -> None:
        """Start a fresh worker in place of a dead one, saying so in the log now."""
        self._health = WatchHealth(False, "restarting", why)
        log.error("corpus: %s; starting a new one", why)
        old = self._pool if which == "delta" else self._builder
        if old is not None:
            old.shutdown(wait=False, cancel_futures=True)
        if which == "delta":
            self._pool = _new_pool()
        else:
            self._builder = _new_pool()
        self.worker_restarts += 1

    async def _supervise(self) -> None:
        """Notice a dead indexing worker when it dies, not at the next change: replace it and report health."""
        while not self._stop.is_set():
            await asyncio.sleep(SUPERVISE_SECONDS)
            for which in ("delta", "builder"):
                pool = self._pool if which == "delta" else self._builder
                if pool is not None and _broken(pool):
                    self._replace_worker(which, "an indexing worker process died (killed, or out of memory?)")
                    try:
                        await self._in_worker(which, os.getpid)  # the new worker is up
                    except Exception as exc:  # pragma: no cover - cannot start processes at all
                        log.error("corpus: cannot start an indexing worker: %s", exc)
                        continue
                    log.warning("corpus: indexing worker replaced; following the corpus again")
                    if self._health.state == "restarting":
                        self._health = WatchHealth(True, "watching")

    async def _load_base(self, rebuild: bool, which: str = "delta") -> SentenceIndex:
        cache = str(self.cache_dir) if self.cache_dir else None
        path = await self._in_worker(which, _open_in_child, self.paths, self.settings, cache, rebuild)
        if path is None:
            # The cache is not writable: build here, off the loop.
            opened = await asyncio.to_thread(open_index, self.paths, self.settings, self.cache_dir, rebuild)
            return opened.index
        return await asyncio.to_thread(load_index, Path(path), self.settings)

    def _watch_targets(self) -> tuple[str, ...]:
        """What to hand the file watcher: each folder root itself, the folder holding each file root (so a file
        replaced by rename is still seen), and for a root that does not exist the nearest folder above it that does."""
        targets: list[str] = []
        for root in self.paths:
            path = Path(root)
            if path.is_dir():
                target = path
            else:
                target = path.parent
                while not target.is_dir() and target != target.parent:
                    target = target.parent
            if str(target) not in targets:
                targets.append(str(target))
        return tuple(targets)

    def _root_identities(self) -> dict[str, tuple[int, int]]:
        """``(device, inode)`` of each corpus folder that exists now: a folder deleted and recreated gets a new one."""
        out = {}
        for root in self.paths:
            try:
                st = os.stat(root)
            except OSError:
                continue
            if os.path.isdir(root):
                out[root] = (st.st_dev, st.st_ino)
        return out

    def _files_under(self, roots: Iterable[str]) -> set[str]:
        """Every file of ``roots`` known to the index or on disk now: what to re-read after a root reappears or vanishes."""
        roots = list(roots)
        known = {f for f in [*self._rows, *self._dirty] if any(f == r or f.startswith(r.rstrip(os.sep) + os.sep) for r in roots)}
        return known | {str(f) for r in roots if Path(r).exists() for f in iter_files(Path(r))}

    async def _watch(self, ready: asyncio.Event) -> None:
        """Follow the corpus; re-watch when a root appears, vanishes or is replaced, and restart after any failure."""
        import watchfiles

        present = self._root_identities()
        resync: set[str] = set()
        while not self._stop.is_set():
            targets = self._watch_targets()
            try:
                async for changes in watchfiles.awatch(
                    *targets,
                    stop_event=self._stop,
                    debounce=self.debounce_ms,
                    step=20,
                    watch_filter=lambda _change, path: self._wanted(path),
                    recursive=True,
                    yield_on_timeout=True,
                    rust_timeout=200,
                ):
                    ready.set()
                    if self._health.state in ("starting", "rewatching"):  # the watch is (back) up
                        self._health = WatchHealth(True, "watching")
                    if resync:  # the new watch is up: re-read what may have come and gone while none was
                        await self.refresh(self._files_under(resync))
                        resync = set()
                    if changes:
                        await self.refresh(path for _, path in changes)
                    now_present = self._root_identities()
                    # A change to a corpus folder itself (deleted, created) also counts: a folder recreated at once
                    # may even get its old inode number back, while the old watch on it is gone.
                    roots_touched = {path for _, path in changes if path in self.paths and path not in self._rows}
                    if now_present != present or roots_touched or self._watch_targets() != targets:
                        # A corpus folder was deleted, (re)created or replaced (a new folder under the same name
                        # leaves the old watch on nothing), or a file root's folder changed.
                        changed_roots = {root for root in self.paths if now_present.get(root) != present.get(root)}
                        resync = (changed_roots | roots_touched) or set(self.paths)
                        log.warning("corpus: %s appeared or vanished; watching again and re-reading it", ", ".join(sorted(resync)))
                        present = now_present
                        break
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.watch_restarts += 1
                self._health = WatchHealth(False, "rewatching", f"the corpus watcher failed: {type(exc).__name__}: {exc}")
                resync = set(self.paths)
                log.error("corpus: the watcher failed (%s: %s); restarting it in %gs", type(exc).__name__, exc, SUPERVISE_SECONDS)
                ready.set()
                await asyncio.sleep(SUPERVISE_SECONDS)
        ready.set()

    async def _compactor(self) -> None:
        while not self._stop.is_set():
            await asyncio.sleep(min(self.compact_after, 5.0))
            if self._dirty and time.monotonic() - self._last_change >= self.compact_after:
                try:
                    await self.compact()
                except Exception as exc:  # logged now, tried again at the next turn; the delta keeps serving
                    log.error("corpus: compaction failed (%s: %s); will try again", type(exc).__name__, exc)

    def _wanted(self, path: str) -> bool:
        """Files the corpus loader would read: under a corpus path, not hidden, not in an ignored folder."""
        root = self._root_of(path)
        if root is None:
            return False
        parts = Path(path).relative_to(root).parts if path != root else ()
        return not any(p in IGNORED_DIRS or p.startswith(".") for p in parts)

    def _root_of(self, path: str) -> str | None:
        for root in self.paths:
            if path == root or path.startswith(root.rstrip(os.sep) + os.sep):
                return root
        return None

    async def refresh(self, changed_paths: Iterable[str]) -> Update:
        """Re-read the given files (added, changed or deleted) and swap in a new delta."""
        async with self._lock:
            paths = {safe_resolve(p) for p in changed_paths}
            self._dirty |= paths
            if self._during is not None:
                self._during |= paths
            self._last_change = time.monotonic()
            update = await self._rebuild_delta()
        if update.delta_sentences >= self.compact_sentences and self._during is None:
            await self.compact()
        return update

    async def _rebuild_delta(self) -> Update:
        """Index every file changed since the base was built into a new delta, and swap it in (lock held)."""
        started = time.perf_counter()
        # Anything that is there and not a folder goes to the loader, which skips and reports FIFOs, devices and loops.
        present = sorted(p for p in self._dirty if os.path.lexists(p) and not os.path.isdir(p))
        deleted = sorted(p for p in self._dirty if not os.path.lexists(p))
        pairs = [(root, p) for p in present if (root := self._root_of(p)) is not None]
        base = self.index.base
        corpus = await self._in_worker("delta", _analyse_in_child, pairs, self.settings.stem)
        delta = await asyncio.to_thread(SentenceIndex.from_corpus, corpus, self.settings, base)
        self._current = MergedIndex(base, delta, frozenset(self._dirty), list(corpus.problems), self._rows)
        for problem in corpus.problems:
            log.warning("corpus update: %s", problem)
        update = Update(present, deleted, delta.num_sentences, list(corpus.problems), time.perf_counter() - started)
        self._report(update)
        return update

    async def compact(self) -> Update:
        """Re-index the whole corpus in a worker process and swap it in as the new base.

        Updates keep flowing into the delta meanwhile; files changed during the build stay in
        the delta afterwards, since the new base may hold either version of them.
        """
        async with self._compacting:
            started = time.perf_counter()
            async with self._lock:
                self._during = set()
            try:
                base = await self._load_base(rebuild=False, which="builder")
                rows = await asyncio.to_thread(file_rows, base)
                async with self._lock:
                    self._dirty = set(self._during)
                    self._rows = rows
                    self._current = MergedIndex(base)
                    if self._dirty:
                        await self._rebuild_delta()
            finally:
                self._during = None
            update = Update([], [], 0, list(base.problems), time.perf_counter() - started, compacted=True)
            self._report(update)
            return update

    def _report(self, update: Update) -> None:
        self.updates.append(update)
        if self.on_update is not None:
            self.on_update(update)


def _new_pool() -> ProcessPoolExecutor:
    """One indexing worker process, started with spawn (the bot's process has threads) at a lower CPU priority."""
    return ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"), initializer=_background_priority)


def _broken(pool: ProcessPoolExecutor) -> bool:
    """True once ``pool``'s worker has died (the executor then refuses all work)."""
    if getattr(pool, "_broken", False):
        return True
    processes = getattr(pool, "_processes", None) or {}
    return any(process.exitcode is not None for process in processes.values())

