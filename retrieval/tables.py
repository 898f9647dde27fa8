"""Read-only lookup tables kept as sorted arrays, so opening one costs milliseconds, not a pass building a dict.

The shipped tables (``data/*.npz``, made from the ``.txt.gz`` sources by ``bench/prebuilt_tables.py``) are:

- ``related-terms-english.npz``: the related-words table (:mod:`retrieval.related`) turned into index terms under the
  default tokenizer (Snowball English, the default stopwords): ``term -> related terms``, what
  :class:`retrieval.related.RelatedTerms` used to work out in the first seconds after an index opened;
- ``wordfreq-en.npz``: the word-frequency table (:mod:`retrieval.background`), ``word -> Zipf frequency``.

Strings are UTF-8 in a fixed-width byte array sorted by bytes, so a lookup is one binary search
(:meth:`SortedStrings.find`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

DATA = Path(__file__).with_name("data")


@dataclass(frozen=True)
class SortedStrings:
    """Distinct strings, sorted by their UTF-8 bytes, in one fixed-width byte array."""

    keys: NDArray[np.bytes_]

    @classmethod
    def of(cls, strings: Sequence[str]) -> SortedStrings:
        """The sorted table of ``strings`` (distinct, none empty or ending in a NUL, which fixed-width bytes drop)."""
        encoded = sorted(s.encode("utf-8") for s in strings)
        return cls(np.array(encoded, dtype=np.bytes_) if encoded else np.empty(0, dtype="S1"))

    def __len__(self) -> int:
        return len(self.keys)

    def find(self, s: str) -> int:
        """The position of ``s``, or -1 when the table does not hold it."""
        key = s.encode("utf-8")
        if not key or len(self.keys) == 0 or len(key) > self.keys.dtype.itemsize:
            return -1
        i = int(np.searchsorted(self.keys, key))
        return i if i < len(self.keys) and self.keys[i] == key else -1

    def text(self, i: int) -> str:
        """The string at position ``i``."""
        return bytes(self.keys[i]).decode("utf-8")

    def __iter__(self) -> Iterator[str]:
        return (k.decode("utf-8") for k in self.keys.tolist())


class FloatTable(Mapping[str, float]):
    """``string -> float`` over sorted strings and one float per string: a read-only dict that opens in a millisecond."""

    def __init__(self, keys: SortedStrings, values: NDArray[np.float64]) -> None:
        self.strings = keys
        self.values = values

    @classmethod
    def of(cls, table: Mapping[str, float]) -> FloatTable:
        """The table holding what ``table`` holds."""
        keys = SortedStrings.of(list(table))
        return cls(keys, np.array([table[k] for k in keys], dtype=np.float64))

    def __getitem__(self, key: str) -> float:
        i = self.strings.find(key)
        if i < 0:
            raise KeyError(key)
        return float(self.values[i])

    def get(self, key: str, default: float | None = None) -> float | None:  # type: ignore[override]
        """The value of ``key``, or ``default`` (one binary search; no exception raised and caught)."""
        i = self.strings.find(key)
        return default if i < 0 else float(self.values[i])

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.strings.find(key) >= 0

    def __iter__(self) -> Iterator[str]:
        return iter(self.strings)

    def __len__(self) -> int:
        return len(self.strings)

    def save(self, path: Path) -> None:
        """Write the table as one compressed ``.npz``."""
        np.savez_compressed(path, keys=self.strings.keys, values=self.values)

    @classmethod
    def load(cls, path: Path) -> FloatTable:
        """A table written by :meth:`save`."""
        with np.load(path, allow_pickle=False) as saved:
            return cls(SortedStrings(saved["keys"]), saved["values"])


class SetTable:
    """``string -> frozenset of strings`` over one sorted pool of every string: row ``i`` of the pool holds
    ``pool[members[ptr[i]:ptr[i + 1]]]``. Sets are made on first lookup and kept."""

    def __init__(self, pool: SortedStrings, ptr: NDArray[np.int32], members: NDArray[np.int32]) -> None:
        self.pool = pool
        self.ptr = ptr
        self.members = members
        self._memo: dict[str, frozenset[str]] = {}

    @classmethod
    def of(cls, table: Mapping[str, frozenset[str]]) -> SetTable:
        """The table holding what ``table`` holds (keys with an empty set are left out: they read as empty)."""
        pool = SortedStrings.of(sorted({s for k, v in table.items() if v for s in (k, *v)}))
        position = {s: i for i, s in enumerate(pool)}
        rows: list[list[int]] = [[] for _ in range(len(pool))]
        for key, members in table.items():
            if members:
                rows[position[key]] = sorted(position[m] for m in members)
        ptr = np.zeros(len(pool) + 1, dtype=np.int32)
        np.cumsum([len(r) for r in rows], out=ptr[1:])
        flat = np.array([m for r in rows for m in r], dtype=np.int32)
        return cls(pool, ptr, flat)

    def get(self, key: str) -> frozenset[str]:
        """The set of ``key``; empty when the table has none."""
        found = self._memo.get(key)
        if found is None:
            i = self.pool.find(key)
            rows = self.members[self.ptr[i] : self.ptr[i + 1]] if i >= 0 else ()
            found = self._memo[key] = frozenset(self.pool.text(int(j)) for j in rows)
        return found

    def keys(self) -> Iterator[str]:
        """Every string with a non-empty set."""
        sizes = np.diff(self.ptr)
        return (self.pool.text(int(i)) for i in np.flatnonzero(sizes))

    def save(self, path: Path) -> None:
        """Write the table as one compressed ``.npz``."""
        np.savez_compressed(path, pool=self.pool.keys, ptr=self.ptr, members=self.members)

    @classmethod
    def load(cls, path: Path) -> SetTable:
        """A table written by :meth:`save`."""
        with np.load(path, allow_pickle=False) as saved:
            return cls(SortedStrings(saved["pool"]), saved["ptr"], saved["members"])
