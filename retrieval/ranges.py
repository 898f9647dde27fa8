"""Cutting a large JSONL file into byte ranges of whole lines, so one big export is read on every core.

The parent reads the file once, a chunk at a time (:data:`~retrieval.safe_files.CHUNK`), and
checks it as :func:`~retrieval.safe_files.read_corpus_file` would (regular file, size cap, a NUL
byte anywhere, UTF-8), counting newlines so every range knows the number of its first line:
a problem in the tenth range still names its true line. Workers then read only their own range
(:func:`read_range`). Memory is one chunk, whatever the file's size.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from .safe_files import CHUNK, ReadPolicy, check_corpus_file


@dataclass(frozen=True)
class LineRange:
    """Bytes ``[start, end)`` of a file, beginning at a line start; ``first_line`` is that line's number (1-based)."""

    start: int
    end: int
    first_line: int


def _open(path: Path) -> tuple[int | None, str | None]:
    """A non-blocking read descriptor on the regular file ``path``, or the reason it can't be had."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        return None, ("symlink loop" if exc.errno == errno.ELOOP else f"cannot read: {exc.strerror or exc}")
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        return None, "not a regular file"
    return fd, None


def _utf8_check(buf: bytes, at: int, lines_before: int, final: bool) -> tuple[tuple[int, str] | None, bytes]:
    """The line and message of the first invalid UTF-8 in ``buf`` (which starts at file offset ``at``), if any, and
    the incomplete character at its end that the next chunk completes (unless ``final``)."""
    try:
        buf.decode("utf-8")
    except UnicodeDecodeError as exc:
        if not final and exc.reason == "unexpected end of data" and exc.start >= len(buf) - 3:
            return None, buf[exc.start :]
        line = lines_before + buf.count(b"\n", 0, exc.start) + 1
        offset = at + exc.start
        return (line, f"not UTF-8: byte 0x{buf[exc.start]:02x} at offset {offset} ({exc.reason}); save the file as UTF-8"), b""
    return None, b""


class _Scan:
    """The state of :func:`cut_lines` between chunks: where the open range starts, bytes and lines read so far, the
    incomplete character carried over, the first UTF-8 error."""

    def __init__(self, batch_bytes: int) -> None:
        self.batch_bytes = batch_bytes
        self.ranges: list[LineRange] = []
        self.start, self.start_line = 0, 1
        self.pos, self.lines = 0, 0
        self.carry = b""
        self.bad: tuple[int, str] | None = None

    def feed(self, chunk: bytes) -> None:
        """Check one chunk and close every range that ends in it (at the first line end past ``batch_bytes``)."""
        if self.bad is None:
            self.bad, self.carry = _utf8_check(self.carry + chunk, self.pos - len(self.carry), self.lines, final=False)
        target = self.start + self.batch_bytes
        while target < self.pos + len(chunk):
            cut = chunk.find(b"\n", max(target - self.pos, 0))
            if cut < 0:
                break
            end_line = self.lines + chunk.count(b"\n", 0, cut + 1) + 1
            self.ranges.append(LineRange(self.start, self.pos + cut + 1, self.start_line))
            self.start, self.start_line = self.pos + cut + 1, end_line
            target = self.start + self.batch_bytes
        self.lines += chunk.count(b"\n")
        self.pos += len(chunk)

    def finish(self) -> tuple[list[LineRange], tuple[int | None, str] | None]:
        """The ranges, or the first UTF-8 error (a character cut off by the end of the file is one too)."""
        if self.carry and self.bad is None:
            self.bad, _ = _utf8_check(self.carry, self.pos - len(self.carry), self.lines, final=True)
        if self.bad is not None:
            return [], self.bad
        if self.start < self.pos or not self.ranges:
            self.ranges.append(LineRange(self.start, self.pos, self.start_line))
        return self.ranges, None


def cut_lines(
    root: Path, path: Path, batch_bytes: int, policy: ReadPolicy | None = None
) -> tuple[list[LineRange], tuple[int | None, str] | None]:
    """``path`` cut into ranges of about ``batch_bytes`` at line ends, or ``([], (line, reason))`` when the file is
    not read (the same reasons, in the same order, as :func:`~retrieval.safe_files.read_corpus_file` and the loader's
    UTF-8 check give)."""
    policy = policy or ReadPolicy.current()
    if (reason := check_corpus_file(root, path, policy)) is not None:
        return [], (None, reason)
    fd, reason = _open(path)
    if fd is None:
        return [], (None, reason or "unreadable")
    scan = _Scan(batch_bytes)
    try:
        while chunk := os.read(fd, CHUNK):
            if b"\x00" in chunk:
                return [], (None, "binary file (contains NUL bytes), not text")
            if scan.pos + len(chunk) > policy.max_file_bytes:
                return [], (None, f"grew past [corpus] max_file_bytes ({policy.max_file_bytes:,}) while being read")
            scan.feed(chunk)
    except OSError as exc:
        return [], (None, f"cannot read: {exc.strerror or exc}")
    finally:
        os.close(fd)
    return scan.finish()


def read_range(path: Path, line_range: LineRange) -> str:
    """The text of one range of a file :func:`cut_lines` checked (undecodable bytes, should the file have changed
    since, become U+FFFD)."""
    with open(path, "rb") as f:
        f.seek(line_range.start)
        data = f.read(line_range.end - line_range.start)
    return data.decode("utf-8", "replace")
