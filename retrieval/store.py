"""Article texts and metadata stored as flat files that load memory-mapped: a restart reads almost nothing.

All article texts live in one UTF-8 blob (``text.bin``) with byte offsets per article;
ids, titles and URLs are string columns (one blob plus offsets each); dates are day
numbers; paragraphs are offset arrays. :class:`ArticleTable` turns a row back into an
:class:`~retrieval.records.Article` only when someone asks for it.
"""

from __future__ import annotations

import datetime as dt
import mmap
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, overload

import numpy as np
from numpy.typing import NDArray

from .records import Article

Buffer = bytes | mmap.mmap


def _map(path: Path) -> Buffer:
    """The file's bytes, memory-mapped (an empty file can't be mapped, and needs not be)."""
    if path.stat().st_size == 0:
        return b""
    with open(path, "rb") as f:
        return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)


def load_array(path: Path, mmap: bool = True) -> NDArray[Any]:
    """A saved array, memory-mapped, as a plain ndarray view (``np.memmap`` indexing costs microseconds per call)."""
    if not mmap:
        return np.load(path)
    return np.asarray(np.load(path, mmap_mode="r"))


#: Bytes of a mapped blob copied at a time by :func:`_write_blob`.
COPY_CHUNK = 64 << 20


def drop_pages(array: NDArray[Any]) -> None:
    """Let go of the pages a memory-mapped ``array`` has brought into this process (they stay in the page cache and
    are read again on use); nothing for an array in memory."""
    base: object = array
    while isinstance(base, np.ndarray):
        base = base.base
    if isinstance(base, mmap.mmap) and hasattr(mmap, "MADV_DONTNEED"):
        base.madvise(mmap.MADV_DONTNEED)


def save_array(path: Path, array: NDArray[Any]) -> None:
    """``np.save(path, array)``; a memory-mapped 1-d array is copied a chunk at a time, letting go of each chunk's
    pages, so saving it never makes it all resident (the file is the same either way)."""
    base: object = array
    while isinstance(base, np.ndarray):
        base = base.base
    if not isinstance(base, mmap.mmap) or array.ndim != 1:
        np.save(path, array)
        return
    step = max(1, COPY_CHUNK // array.itemsize)
    header = {"descr": np.lib.format.dtype_to_descr(array.dtype), "fortran_order": False, "shape": array.shape}
    with open(path, "wb") as f:
        np.lib.format.write_array_header_1_0(f, header)
        for start in range(0, len(array), step):
            f.write(np.ascontiguousarray(array[start : start + step]).tobytes())
            drop_pages(array)


def _write_blob(f: BinaryIO, blob: Buffer) -> None:
    """Write ``blob`` to ``f``; a mapped blob a chunk at a time, letting go of each chunk's pages once written, so
    saving a large index does not make all of its text resident at once."""
    if not isinstance(blob, mmap.mmap):
        f.write(blob)
        return
    for start in range(0, len(blob), COPY_CHUNK):
        end = min(start + COPY_CHUNK, len(blob))
        f.write(blob[start:end])
        if hasattr(mmap, "MADV_DONTNEED"):
            blob.madvise(mmap.MADV_DONTNEED, start, end - start)


@dataclass
class StringColumn:
    """Many strings as one UTF-8 blob and ``len + 1`` offsets; ``None`` is stored as a flagged empty string."""

    blob: Buffer
    offsets: NDArray[np.int64]
    present: NDArray[np.bool_]

    @classmethod
    def of(cls, values: Sequence[str | None]) -> StringColumn:
        """Pack ``values``."""
        encoded = [(v or "").encode("utf-8") for v in values]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([len(e) for e in encoded], out=offsets[1:])
        return cls(b"".join(encoded), offsets, np.array([v is not None for v in values], dtype=bool))

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, i: int) -> str | None:
        # Scalars read from the (memory-mapped) arrays, about 0.1 µs each. Python lists of them, made on first use,
        # cost the first question after a restart 1 ms per 10,000 articles and the process about 50 bytes per string.
        if not self.present[i]:
            return None
        return self.blob[int(self.offsets[i]) : int(self.offsets[i + 1])].decode("utf-8")

    def save(self, directory: Path, name: str) -> None:
        """Write ``name.bin``, ``name.offsets.npy`` and ``name.present.npy``."""
        (directory / f"{name}.bin").write_bytes(bytes(self.blob))
        np.save(directory / f"{name}.offsets.npy", self.offsets)
        np.save(directory / f"{name}.present.npy", self.present)

    @classmethod
    def load(cls, directory: Path, name: str) -> StringColumn:
        """Map a column written by :meth:`save`."""
        return cls(
            _map(directory / f"{name}.bin"),
            load_array(directory / f"{name}.offsets.npy"),
            load_array(directory / f"{name}.present.npy"),
        )


@dataclass
class ArticleTable(Sequence[Article]):
    """Every article of an index, as columns; indexing yields :class:`Article` records."""

    text: Buffer
    #: Byte span of each article's text in ``text``.
    byte_start: NDArray[np.int64]
    byte_end: NDArray[np.int64]
    ids: StringColumn
    titles: StringColumn
    urls: StringColumn
    #: The file each article was read from (absolute path), or ``None`` when built from loaded articles.
    files: StringColumn
    #: Proleptic Gregorian day number, 0 for no date.
    dates: NDArray[np.int32]
    #: Paragraph spans (characters into the article text) of article ``i``: rows ``par_offsets[i]:par_offsets[i+1]``.
    par_offsets: NDArray[np.int64]
    par_start: NDArray[np.int64]
    par_end: NDArray[np.int64]

    def __len__(self) -> int:
        return len(self.byte_start)

    @overload
    def __getitem__(self, i: int) -> Article: ...
    @overload
    def __getitem__(self, i: slice) -> list[Article]: ...
    def __getitem__(self, i: int | slice) -> Article | list[Article]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        if not 0 <= i < len(self):
            raise IndexError(i)
        a, b = int(self.par_offsets[i]), int(self.par_offsets[i + 1])
        paragraphs = tuple(zip(self.par_start[a:b].tolist(), self.par_end[a:b].tolist(), strict=True))
        return Article(self.ids[i] or "", self.titles[i] or "", self.date(i), self.urls[i], self.article_text(i), paragraphs)

    def __iter__(self) -> Iterator[Article]:
        for i in range(len(self)):
            yield self[i]

    def article_text(self, i: int) -> str:
        """The whole text of article ``i``."""
        return bytes(self.text[int(self.byte_start[i]) : int(self.byte_end[i])]).decode("utf-8")

    def date(self, i: int) -> dt.date | None:
        """The date of article ``i``, if it has one."""
        day = int(self.dates[i])
        return dt.date.fromordinal(day) if day else None

    def slice_text(self, byte_start: int, byte_end: int) -> str:
        """Text at an absolute byte span of the blob (a sentence)."""
        return bytes(self.text[byte_start:byte_end]).decode("utf-8")

    def save(self, directory: Path) -> None:
        """Write every column under ``directory``."""
        with open(directory / "text.bin", "wb") as f:
            _write_blob(f, self.text)
            f.flush()
            os.fsync(f.fileno())
        for name in ("byte_start", "byte_end", "dates", "par_offsets", "par_start", "par_end"):
            np.save(directory / f"articles.{name}.npy", getattr(self, name))
        self.ids.save(directory, "articles.ids")
        self.titles.save(directory, "articles.titles")
        self.urls.save(directory, "articles.urls")
        self.files.save(directory, "articles.files")

    @classmethod
    def load(cls, directory: Path) -> ArticleTable:
        """Map a table written by :meth:`save`; nothing is read until an article is used."""

        def arr(name: str) -> NDArray[np.generic]:
            return load_array(directory / f"articles.{name}.npy")

        return cls(
            _map(directory / "text.bin"),
            arr("byte_start"),  # type: ignore[arg-type]
            arr("byte_end"),  # type: ignore[arg-type]
            StringColumn.load(directory, "articles.ids"),
            StringColumn.load(directory, "articles.titles"),
            StringColumn.load(directory, "articles.urls"),
            StringColumn.load(directory, "articles.files"),
            arr("dates"),  # type: ignore[arg-type]
            arr("par_offsets"),  # type: ignore[arg-type]
            arr("par_start"),  # type: ignore[arg-type]
            arr("par_end"),  # type: ignore[arg-type]
        )
