"""Shared state behind one small interface: event de-duplication, rate limits and feedback.

``MemoryState`` serves one process. ``RedisState`` lets several replicas share
the same state (``[state] backend = "redis"``); every operation on it is one
atomic Redis command or Lua script. ``FallbackState`` wraps a ``RedisState`` and
keeps the bot running on in-process memory while Redis is unreachable, with one
warning per outage, and goes back to Redis when it returns.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar
from urllib.parse import urlsplit, urlunsplit

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from .config import StateConfig

log = logging.getLogger("quotebot.state")

#: Feedback entries kept by a backend (the oldest are dropped first).
FEEDBACK_KEEP = 100_000

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Decision:
    """The verdict of a rate limiter for one request."""

    #: True when the request may go ahead (a token was taken from the bucket).
    allowed: bool
    #: True on the first refusal in a notice window: send the user one friendly notice, then stay silent.
    notify: bool = False
    #: Seconds until the bucket holds a whole token again (0 when allowed).
    retry_after: float = 0.0


def notice_window(rate: float, burst: int) -> float:
    """Seconds between two "slow down" notices for one bucket: the time the bucket takes to refill."""
    return max(burst, 1) / rate


def _check_bucket(rate: float, burst: int) -> None:
    if not rate > 0 or not math.isfinite(rate):
        raise ValueError(f"rate must be a positive number of requests per second, not {rate!r}")
    if burst < 1:
        raise ValueError(f"burst must be at least 1, not {burst!r}")


class State(Protocol):
    """What the adapters need to share between deliveries, and between replicas."""

    async def first_seen(self, key: str, ttl: float = 3600.0) -> bool:
        """True the first time ``key`` is claimed within ``ttl`` seconds, False for every repeat."""
        ...

    async def allow(self, bucket_key: str, rate: float, burst: int) -> Decision:
        """Take one token from the bucket ``bucket_key`` (refilled at ``rate`` per second, holding ``burst``)."""
        ...

    async def add_feedback(self, entry: Mapping[str, Any]) -> None:
        """Store one feedback record (a JSON-serialisable mapping)."""
        ...

    async def recent_feedback(self, limit: int = 100) -> list[dict[str, Any]]:
        """The last ``limit`` feedback records, oldest first."""
        ...

    async def close(self) -> None:
        """Release connections."""
        ...


@dataclass
class _Bucket:
    tokens: float
    updated: float
    noticed: float | None = None


class MemoryState:
    """In-process state: a bounded, expiring set of seen keys, token buckets and a feedback ring.

    ``clock`` (seconds, monotonic) is injectable so tests can move time without sleeping.
    """

    def __init__(self, max_keys: int = 100_000, clock: Callable[[], float] = time.monotonic) -> None:
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._feedback: deque[dict[str, Any]] = deque(maxlen=FEEDBACK_KEEP)
        self._max_keys = max_keys
        self._clock = clock

    async def first_seen(self, key: str, ttl: float = 3600.0) -> bool:
        """Claim ``key``; only the first claim within ``ttl`` seconds wins."""
        return self.claim(key, ttl)

    def claim(self, key: str, ttl: float) -> bool:
        """The synchronous body of :meth:`first_seen`."""
        now = self._clock()
        # Keys are kept in insertion order with one TTL per call site, so expired keys sit at the front.
        while self._seen and next(iter(self._seen.values())) <= now:
            self._seen.popitem(last=False)
        expires = self._seen.get(key)
        if expires is not None and expires > now:
            return False
        self.remember(key, ttl)
        return True

    def remember(self, key: str, ttl: float) -> None:
        """Mark ``key`` as seen for ``ttl`` seconds from now (used to mirror keys claimed elsewhere)."""
        self._seen[key] = self._clock() + ttl
        self._seen.move_to_end(key)
        while len(self._seen) > self._max_keys:
            self._seen.popitem(last=False)

    def remaining(self, key: str) -> float | None:
        """Seconds until ``key`` may be claimed again, or ``None`` if it is free."""
        expires = self._seen.get(key)
        if expires is None:
            return None
        left = expires - self._clock()
        return left if left > 0 else None

    async def allow(self, bucket_key: str, rate: float, burst: int) -> Decision:
        """Token bucket: ``burst`` requests at once, then ``rate`` per second; one notice per window."""
        _check_bucket(rate, burst)
        now = self._clock()
        bucket = self._buckets.get(bucket_key)
        if bucket is None:
            bucket = _Bucket(float(burst), now)
            self._buckets[bucket_key] = bucket
            while len(self._buckets) > self._max_keys:
                self._buckets.popitem(last=False)
        self._buckets.move_to_end(bucket_key)
        bucket.tokens = min(float(burst), bucket.tokens + max(0.0, now - bucket.updated) * rate)
        bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return Decision(True)
        notify = bucket.noticed is None or now - bucket.noticed >= notice_window(rate, burst)
        if notify:
            bucket.noticed = now
        return Decision(False, notify, (1 - bucket.tokens) / rate)

    async def add_feedback(self, entry: Mapping[str, Any]) -> None:
        """Keep the record in memory (a copy, checked to be JSON-serialisable like the Redis backend's)."""
        self._feedback.append(json.loads(json.dumps(entry, ensure_ascii=False)))

    async def recent_feedback(self, limit: int = 100) -> list[dict[str, Any]]:
        """The last ``limit`` records, oldest first."""
        if limit <= 0:
            return []
        return list(self._feedback)[-limit:]

    async def close(self) -> None:
        """Nothing to release."""


# KEYS[1]: the bucket hash. ARGV: rate (tokens per second), burst, notice window (ms).
# Redis's own clock is used so that every replica sees the same time.
_TOKEN_BUCKET = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local window = tonumber(ARGV[3])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local b = redis.call('HMGET', KEYS[1], 'tokens', 'ts', 'noticed')
local tokens = tonumber(b[1])
local ts = tonumber(b[2])
local noticed = tonumber(b[3])
if tokens == nil or ts == nil then
  tokens = burst
  ts = now
end
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate / 1000)
local allowed = 0
local notify = 0
local wait_ms = 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  wait_ms = math.ceil((1 - tokens) * 1000 / rate)
  if noticed == nil or now - noticed >= window then
    notify = 1
    noticed = now
  end
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.6f', tokens), 'ts', tostring(now))
if noticed ~= nil then
  redis.call('HSET', KEYS[1], 'noticed', tostring(noticed))
end
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + window + 1000)
return {allowed, notify, wait_ms}
"""


def redact_url(url: str) -> str:
    """``url`` with any password replaced by ``***``, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    user = f"{parts.username}:***@" if parts.username else ":***@"
    return urlunsplit((parts.scheme, user + host, parts.path, parts.query, parts.fragment))


class RedisState:
    """State shared through Redis by any number of replicas (redis-py's asyncio client).

    ``first_seen`` is one ``SET key 1 NX PX ttl``; ``allow`` is one Lua script on
    Redis's clock; feedback is a capped list. Errors propagate: wrap this in
    :class:`FallbackState` to survive outages.
    """

    def __init__(self, client: aioredis.Redis, prefix: str = "quotebot:", url: str = "") -> None:
        self.client = client
        self.prefix = prefix
        #: Where this client points, password removed (for messages).
        self.where = redact_url(url) if url else "redis"
        self._bucket = client.register_script(_TOKEN_BUCKET)

    @classmethod
    def from_url(cls, url: str, prefix: str = "quotebot:", timeout: float = 1.0, max_connections: int = 32) -> RedisState:
        """Connect lazily to ``url``; operations fail within about ``timeout`` seconds when Redis is away."""
        # A blocking pool: a burst of events queues for a connection instead of failing with "Too many connections".
        pool = aioredis.BlockingConnectionPool.from_url(
            url,
            max_connections=max_connections,
            timeout=max(timeout, 5.0),
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), 0),
        )
        return cls(aioredis.Redis.from_pool(pool), prefix, url)

    async def ping(self) -> None:
        """Raise unless Redis answers."""
        await self.client.ping()

    async def reconnect(self) -> None:
        """Drop every pooled connection, so the next commands open fresh ones (after Redis restarted, say)."""
        await self.client.connection_pool.disconnect()

    async def first_seen(self, key: str, ttl: float = 3600.0) -> bool:
        """Claim ``key`` for ``ttl`` seconds with ``SET NX PX``: exactly one replica wins."""
        return bool(await self.client.set(self.prefix + "seen:" + key, b"1", nx=True, px=max(1, math.ceil(ttl * 1000))))

    async def claim_remaining(self, items: Mapping[str, float]) -> None:
        """Claim many keys at once, each for its remaining seconds (after an outage); existing claims stay."""
        if not items:
            return
        async with self.client.pipeline(transaction=False) as pipe:
            for key, ttl in items.items():
                pipe.set(self.prefix + "seen:" + key, b"1", nx=True, px=max(1, math.ceil(ttl * 1000)))
            await pipe.execute()

    async def allow(self, bucket_key: str, rate: float, burst: int) -> Decision:
        """The token bucket, run atomically in Redis."""
        _check_bucket(rate, burst)
        window_ms = math.ceil(notice_window(rate, burst) * 1000)
        key = self.prefix + "rl:" + bucket_key
        allowed, notify, wait_ms = await self._bucket(keys=[key], args=[repr(float(rate)), burst, window_ms])
        return Decision(bool(allowed), bool(notify), int(wait_ms) / 1000)

    async def add_feedback(self, entry: Mapping[str, Any]) -> None:
        """Append the record to the shared list, keeping the last :data:`FEEDBACK_KEEP`."""
        key = self.prefix + "feedback"
        async with self.client.pipeline(transaction=True) as pipe:
            pipe.rpush(key, json.dumps(entry, ensure_ascii=False))
            pipe.ltrim(key, -FEEDBACK_KEEP, -1)
            await pipe.execute()

    async def recent_feedback(self, limit: int = 100) -> list[dict[str, Any]]:
        """The last ``limit`` records, oldest first."""
        if limit <= 0:
            return []
        raw = await self.client.lrange(self.prefix + "feedback", -limit, -1)
        return [json.loads(item) for item in raw]

    async def close(self) -> None:
        """Close the connection pool."""
        await self.client.aclose()


#: What "Redis is unreachable" looks like from redis-py and the socket layer.
REDIS_DOWN = (RedisError, OSError, TimeoutError)


class FallbackState:
    """Redis while it answers, in-process memory while it doesn't; never raises a Redis error.

    The first failure logs one warning and switches to memory; every
    ``retry_interval`` seconds one operation probes Redis again, and on success
    the keys claimed during the outage are copied to Redis (so a retried event
    is not answered twice) and one "recovered" line is logged. Keys claimed
    through Redis are mirrored in memory, so an outage does not forget them.
    """

    def __init__(
        self,
        primary: RedisState,
        memory: MemoryState | None = None,
        retry_interval: float = 5.0,
        logger: logging.Logger = log,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.primary = primary
        self.memory = memory or MemoryState()
        self.retry_interval = retry_interval
        self._log = logger
        self._clock = clock
        self._down = False
        self._next_probe = 0.0
        self._probe = asyncio.Lock()
        #: Keys claimed in memory during the current outage, with their expiry on our clock.
        self._outage_keys: OrderedDict[str, float] = OrderedDict()
        #: How many outages have been survived (for health reports and tests).
        self.outages = 0

    @property
    def backend(self) -> str:
        """``"redis"`` while Redis is in use, ``"memory"`` during an outage."""
        return "memory" if self._down else "redis"

    async def start(self) -> None:
        """Check Redis once at start-up; warns (and uses memory) if it is not there."""
        try:
            await self.primary.ping()
        except REDIS_DOWN as exc:
            self._fail(exc)
        else:
            self._log.info("shared state: Redis at %s", self.primary.where)

    async def first_seen(self, key: str, ttl: float = 3600.0) -> bool:
        """Claim ``key`` in Redis (mirrored in memory), or in memory alone during an outage."""

        async def shared() -> bool:
            left = self.memory.remaining(key)
            if left is not None:
                # Claimed here before: through Redis, which may have restarted empty since, or on memory during
                # an outage. Our memory outlives both; put the claim back for the other replicas and refuse it.
                await self.primary.claim_remaining({key: left})
                return False
            fresh = await self.primary.first_seen(key, ttl)
            self.memory.remember(key, ttl)
            return fresh

        async def local() -> bool:
            fresh = self.memory.claim(key, ttl)
            if fresh:
                self._outage_keys[key] = self._clock() + ttl
                while len(self._outage_keys) > 100_000:
                    self._outage_keys.popitem(last=False)
            return fresh

        return await self._run(shared, local)

    async def allow(self, bucket_key: str, rate: float, burst: int) -> Decision:
        """The shared bucket, or this process's own bucket during an outage."""
        _check_bucket(rate, burst)
        return await self._run(
            lambda: self.primary.allow(bucket_key, rate, burst),
            lambda: self.memory.allow(bucket_key, rate, burst),
        )

    async def add_feedback(self, entry: Mapping[str, Any]) -> None:
        """Store the record in Redis, or in memory during an outage."""
        await self._run(lambda: self.primary.add_feedback(entry), lambda: self.memory.add_feedback(entry))

    async def recent_feedback(self, limit: int = 100) -> list[dict[str, Any]]:
        """Recent records from Redis, or those kept in memory during an outage."""
        return await self._run(lambda: self.primary.recent_feedback(limit), lambda: self.memory.recent_feedback(limit))

    async def close(self) -> None:
        """Close the Redis connections; never raises."""
        try:
            await self.primary.close()
        except REDIS_DOWN:
            pass

    async def _run(self, shared: Callable[[], Awaitable[T]], local: Callable[[], Awaitable[T]]) -> T:
        if self._down and not await self._try_recover():
            return await local()
        try:
            return await shared()
        except REDIS_DOWN as exc:
            self._fail(exc)
            return await local()

    async def _try_recover(self) -> bool:
        """Probe Redis if it is time to; on success copy the outage's keys over and switch back."""
        if self._clock() < self._next_probe or self._probe.locked():
            return False
        async with self._probe:
            if not self._down:
                return True
            try:
                # Connections opened before the outage point at a server that is gone; a restarted
                # Redis would refuse them one by one, each looking like a new outage.
                await self.primary.reconnect()
                await self.primary.ping()
                now = self._clock()
                live = {k: exp - now for k, exp in self._outage_keys.items() if exp > now}
                await self.primary.claim_remaining(live)
            except REDIS_DOWN:
                self._next_probe = self._clock() + self.retry_interval
                return False
            self._outage_keys.clear()
            self._down = False
            self._log.warning("shared state: Redis at %s is back; using shared state again", self.primary.where)
            return True

    def _fail(self, exc: BaseException) -> None:
        self._next_probe = self._clock() + self.retry_interval
        if self._down:
            return
        self._down = True
        self.outages += 1
        self._log.warning(
            "shared state: Redis at %s is unavailable (%s: %s); falling back to in-process memory. "
            "De-duplication and rate limits now cover this replica only; retrying every %gs.",
            self.primary.where,
            type(exc).__name__,
            exc,
            self.retry_interval,
        )


async def open_state(config: StateConfig, logger: logging.Logger = log) -> MemoryState | FallbackState:
    """The state named by ``[state]``: memory, or Redis with memory fallback (checked once at start)."""
    if config.backend == "memory":
        return MemoryState()
    primary = RedisState.from_url(config.redis_url, timeout=config.timeout)
    state = FallbackState(primary, retry_interval=config.retry_seconds, logger=logger)
    await state.start()
    return state
