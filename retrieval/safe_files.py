"""Opening corpus files safely: regular files only, no symlink loops or escapes, a size cap, streaming binary check.

A corpus folder may hold anything: a FIFO (reading it blocks forever), a device
(``/dev/zero`` never ends), a socket, a symlink to itself or to ``/etc/passwd``, a
multi-gigabyte log. :func:`read_corpus_file` reads one file under a :class:`ReadPolicy`
and returns its bytes, or the reason it was skipped, never raising and never blocking:

* only regular files are read (checked with ``stat`` before opening, and again with
  ``fstat`` on the opened descriptor, which is opened non-blocking);
* a symlink loop is reported as such;
* a symlink whose target lies outside every corpus folder is skipped unless
  ``follow_symlinks`` is true (``[corpus] follow_symlinks``);
* a file larger than ``max_file_bytes`` (``[corpus] max_file_bytes``, default 50 MB) is skipped
  before any byte is read, and reading stops there should it grow meanwhile;
* NUL bytes anywhere in the file (not just the first 8 KiB) mark it as binary, found chunk by
  chunk so a text head on a huge binary tail is refused without holding the tail.

The policy travels to indexing worker processes through the environment
(:data:`FOLLOW_ENV`, :data:`MAX_BYTES_ENV`): :func:`set_read_policy` sets both, and
:meth:`ReadPolicy.current` reads them.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

#: Environment variables carrying the policy to worker processes.
FOLLOW_ENV = "QUOTEBOT_CORPUS_FOLLOW_SYMLINKS"
MAX_BYTES_ENV = "QUOTEBOT_CORPUS_MAX_FILE_BYTES"
DEFAULT_MAX_FILE_BYTES = 50 * 1024 * 1024
#: Bytes read at a time.
CHUNK = 1024 * 1024


@dataclass(frozen=True)
class ReadPolicy:
    """What corpus reading may open: symlinks out of the corpus folders or not, and the largest file."""

    follow_symlinks: bool = False
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES

    @classmethod
    def current(cls) -> ReadPolicy:
        """The policy in force in this process (from the environment; defaults when unset or unreadable)."""
        follow = os.environ.get(FOLLOW_ENV, "").strip().lower() in ("1", "true", "yes")
        try:
            limit = int(os.environ.get(MAX_BYTES_ENV, "") or DEFAULT_MAX_FILE_BYTES)
        except ValueError:
            limit = DEFAULT_MAX_FILE_BYTES
        return cls(follow, limit if limit > 0 else DEFAULT_MAX_FILE_BYTES)

    def key(self) -> str:
        """A short string for cache keys: an index built under one policy is not reused under another."""
        return f"follow={int(self.follow_symlinks)},max={self.max_file_bytes}"


def set_read_policy(policy: ReadPolicy) -> None:
    """Make ``policy`` the one this process and the worker processes it starts from now on read with."""
    os.environ[FOLLOW_ENV] = "true" if policy.follow_symlinks else "false"
    os.environ[MAX_BYTES_ENV] = str(policy.max_file_bytes)


def safe_resolve(path: str | os.PathLike[str]) -> str:
    """``path`` made absolute with symlinks resolved where possible; a symlink loop or a bad path is kept as given."""
    try:
        return str(Path(path).resolve())
    except (RuntimeError, OSError):
        return os.path.abspath(path)


def _inside(target: str, roots: Iterable[str]) -> bool:
    return any(target == root or target.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


def _kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


def check_corpus_file(root: Path, path: Path, policy: ReadPolicy | None = None) -> str | None:
    """Why ``path`` (found under the corpus path ``root``) must not be read, or ``None`` if it may be. Never opens it."""
    policy = policy or ReadPolicy.current()
    try:
        st = os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symlink loop"
        return f"cannot read: {exc.strerror or exc}"
    if os.path.islink(path) and not policy.follow_symlinks:
        target = os.path.realpath(path)
        home = os.path.realpath(root if root.is_dir() else root.parent)
        if not _inside(target, [home]):
            return "symlink to a file outside the corpus folder (set [corpus] follow_symlinks = true to read it)"
    if not stat.S_ISREG(st.st_mode):
        return f"{_kind(st.st_mode)}, not a regular file"
    if st.st_size > policy.max_file_bytes:
        return f"{st.st_size:,} bytes, over [corpus] max_file_bytes ({policy.max_file_bytes:,})"
    return None


def read_corpus_file(root: Path, path: Path, policy: ReadPolicy | None = None) -> tuple[bytes | None, str | None]:
    """The bytes of ``path``, or ``(None, reason)`` when it is skipped (see the module docstring). Never blocks or raises."""
    policy = policy or ReadPolicy.current()
    if (reason := check_corpus_file(root, path, policy)) is not None:
        return None, reason
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        return None, ("symlink loop" if exc.errno == errno.ELOOP else f"cannot read: {exc.strerror or exc}")
    try:
        st = os.fstat(fd)  # what was opened, should the file have been swapped since the check
        if not stat.S_ISREG(st.st_mode):
            return None, f"{_kind(st.st_mode)}, not a regular file"
        data = bytearray()
        while True:
            chunk = os.read(fd, CHUNK)
            if not chunk:
                return bytes(data), None
            if b"\x00" in chunk:
                return None, "binary file (contains NUL bytes), not text"
            if len(data) + len(chunk) > policy.max_file_bytes:
                return None, f"grew past [corpus] max_file_bytes ({policy.max_file_bytes:,}) while being read"
            data += chunk
    except OSError as exc:
        return None, f"cannot read: {exc.strerror or exc}"
    finally:
        os.close(fd)
