"""Shared state behind one small interface: event de-duplication (and, later, rate limits).

``MemoryState`` serves one process. A Redis backend with the same interface lets
several replicas share it (``[state] backend = "redis"``).
"""

from __future__ import annotations

import time
from collections import OrderedDict
from typing import Protocol


class State(Protocol):
    """What the adapters need to share between deliveries, and between replicas."""

    async def first_seen(self, key: str, ttl: float = 3600.0) -> bool:
        """True the first time ``key`` is claimed within ``ttl`` seconds, False for every repeat."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...


class MemoryState:
    """In-process state: a bounded, expiring set of seen keys."""

    def __init__(self, max_keys: int = 100_000) -> None:
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._max_keys = max_keys

    async def first_seen(self, key: str, ttl: float = 3600.0) -> bool:
        """Claim ``key``; only the first claim within ``ttl`` seconds wins."""
        now = time.monotonic()
        while self._seen and next(iter(self._seen.values())) <= now:
            self._seen.popitem(last=False)
        expires = self._seen.get(key)
        if expires is not None and expires > now:
            return False
        self._seen[key] = now + ttl
        self._seen.move_to_end(key)
        while len(self._seen) > self._max_keys:
            self._seen.popitem(last=False)
        return True

    async def close(self) -> None:
        """Nothing to release."""
