"""A hardened aiohttp server for every HTTP port the bot opens (Slack HTTP mode and the operations server, bot/ops.py).

aiohttp on its own waits forever for a client's headers or body and accepts connections
until the process runs out of file descriptors, then asyncio logs every failed ``accept()``.
:class:`HardenedServer` serves any :class:`aiohttp.web.Application` with:

* a **header deadline**: a connection that has not sent a whole request head within
  ``header_timeout`` seconds of connecting (or of its previous response) is closed;
* a **body deadline**: the body is read within ``body_timeout`` seconds, before any handler
  runs, or the request gets 408 (handlers then read it from memory);
* a **connection cap**: at ``max_connections`` open connections, a new one first evicts the
  oldest connection still waiting for its request head (a slow client), and is refused only
  when every open connection is busy with a real request, so ``/healthz`` still answers
  under a slow-client flood;
* **quiet errors**: asyncio already pauses ``accept()`` for a second when the process is out of
  file descriptors, and aiohttp answers an unparseable request with 400; :func:`install_log_throttles`
  keeps each of their log lines (with a traceback apiece) to one per interval.

Use it as ``server = HardenedServer(app, host="127.0.0.1", port=0); await server.start()``,
then ``server.port`` and ``await server.stop()``. :data:`DEFAULT_HOST` is loopback: exposing a
port is a decision made in config (and, for Slack, behind a TLS proxy; see the README).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

log = logging.getLogger("quotebot.http")

class ThrottledLog:
    """Logs a kind of event at most once per ``interval`` seconds, saying how many were held back meanwhile."""

    def __init__(self, logger: logging.Logger, interval: float = 10.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.logger = logger
        self.interval = interval
        self._clock = clock
        self._last: dict[str, float] = {}
        self._held: dict[str, int] = {}
        #: Every event counted, logged or not, by kind (for tests and the chaos run).
        self.counts: dict[str, int] = {}

    def warning(self, kind: str, message: str) -> bool:
        """Log ``message`` (a fixed text, no request data) unless ``kind`` was logged within ``interval``; True if logged."""
        self.counts[kind] = self.counts.get(kind, 0) + 1
        now = self._clock()
        last = self._last.get(kind)
        if last is not None and now - last < self.interval:
            self._held[kind] = self._held.get(kind, 0) + 1
            return False
        held = self._held.pop(kind, 0)
        self._last[kind] = now
        suffix = f" ({held} more like it in the last {self.interval:g}s not logged)" if held else ""
        self.logger.warning("%s%s", message, suffix)
        return True


#: Where servers listen unless told otherwise.
DEFAULT_HOST = "127.0.0.1"


@dataclass(frozen=True)
class ServerLimits:
    """How long a client may take and how many may be connected at once."""

    #: Seconds from connecting (or from the previous response) to a complete request head.
    header_timeout: float = 10.0
    #: Seconds to read a request body once its head has arrived.
    body_timeout: float = 10.0
    #: Open connections at most (well under the usual 1,024 open-file limit).
    max_connections: int = 256
    #: Seconds an idle keep-alive connection stays open (also bounded by ``header_timeout``).
    keepalive_timeout: float = 5.0


class LogThrottle(logging.Filter):
    """Lets one record starting with ``prefix`` through per ``interval`` seconds and drops the rest, counting them.

    With ``keep_traceback`` false the record let through loses its traceback too (it says nothing the message does not).
    """

    def __init__(
        self, prefix: str, interval: float = 10.0, clock: Callable[[], float] = time.monotonic, keep_traceback: bool = False
    ) -> None:
        super().__init__()
        self.prefix = prefix
        self.interval = interval
        self.keep_traceback = keep_traceback
        self._clock = clock
        self._last: float | None = None
        self._held = 0
        #: Matching records seen, logged or not.
        self.count = 0

    def filter(self, record: logging.LogRecord) -> bool:
        """False for a matching record within ``interval`` of the last one let through."""
        if not str(record.msg).startswith(self.prefix):
            return True
        self.count += 1
        now = self._clock()
        if self._last is not None and now - self._last < self.interval:
            self._held += 1
            return False
        self._last = now
        if self._held:
            record.msg = f"{record.msg} ({self._held} more like it not logged)"
            self._held = 0
        if not self.keep_traceback:
            record.exc_info = None
            record.exc_text = None
        return True


class AcceptErrorThrottle(LogThrottle):
    """asyncio's "socket.accept() out of system resource" (it already pauses accepting for a second): one line per interval."""

    MESSAGE = "socket.accept() out of system resource"

    def __init__(self, interval: float = 10.0, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(self.MESSAGE, interval, clock)


#: aiohttp logs every unparseable request (a header over 8 KiB, a bad method, TLS sent to a plain port) at ERROR with a
#: traceback: one per interval, traceback kept (the same line reports exceptions escaping a handler).
BAD_REQUEST_PREFIX = "Error handling request"


def install_log_throttles() -> list[LogThrottle]:
    """Add :class:`AcceptErrorThrottle` to ``asyncio`` and a :data:`BAD_REQUEST_PREFIX` throttle to ``aiohttp.server``,
    once per process; returns them."""
    installed = []
    for name, make in (
        ("asyncio", AcceptErrorThrottle),
        ("aiohttp.server", lambda: LogThrottle(BAD_REQUEST_PREFIX, keep_traceback=True)),
    ):
        logger = logging.getLogger(name)
        existing = [f for f in logger.filters if isinstance(f, LogThrottle)]
        if existing:
            installed.append(existing[0])
            continue
        throttle = make()
        logger.addFilter(throttle)
        installed.append(throttle)
    return installed


class _Connection(asyncio.Protocol):
    """Wraps aiohttp's protocol for one connection: closes it when its request head is late."""

    def __init__(self, inner: asyncio.Protocol, server: HardenedServer) -> None:
        self.inner = inner
        self.server = server
        self.transport: asyncio.Transport | None = None
        self.opened = time.monotonic()
        #: True while a request is being handled (its head has arrived).
        self.busy = False
        self._timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.server._opened(self)
        self.arm()
        self.inner.connection_made(transport)

    def arm(self) -> None:
        """Start the header deadline (on connecting, and after each response)."""
        self.disarm()
        self.busy = False
        loop = asyncio.get_running_loop()
        self._timer = loop.call_later(self.server.limits.header_timeout, self._late)

    def disarm(self) -> None:
        """A request head arrived: its handler's own deadlines apply now."""
        self.busy = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _late(self) -> None:
        self.server.dropped.warning("header timeout", "http: closed connections that sent no complete request in time")
        self.close()

    def close(self) -> None:
        """Close the connection at once."""
        if self.transport is not None and not self.transport.is_closing():
            self.transport.abort()

    def data_received(self, data: bytes) -> None:
        self.inner.data_received(data)

    def eof_received(self) -> bool | None:
        return self.inner.eof_received()

    def pause_writing(self) -> None:
        self.inner.pause_writing()

    def resume_writing(self) -> None:
        self.inner.resume_writing()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        self.server._closed(self)
        self.inner.connection_lost(exc)


class _Refused(asyncio.Protocol):
    """A connection over the cap: closed as soon as it is made."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        transport.abort()  # type: ignore[attr-defined]


class HardenedServer:
    """Serves an aiohttp application on ``host:port`` with :class:`ServerLimits` (see the module docstring)."""

    def __init__(
        self, app: web.Application, *, host: str = DEFAULT_HOST, port: int = 0, limits: ServerLimits | None = None, name: str = "http"
    ) -> None:
        self.app = app
        self.host, self.port = host, port
        self.limits = limits or ServerLimits()
        self.name = name
        self._connections: dict[asyncio.BaseTransport, _Connection] = {}
        self._runner: web.AppRunner | None = None
        self._server: asyncio.base_events.Server | None = None
        #: One log line per interval for each kind of dropped connection; ``counts`` has them all.
        self.dropped = ThrottledLog(log)
        app.middlewares.insert(0, self._deadlines)

    @property
    def listening(self) -> bool:
        """True between a successful :meth:`start` and :meth:`stop`."""
        return self._server is not None

    @property
    def open_connections(self) -> int:
        """Connections open right now."""
        return len(self._connections)

    @web.middleware
    async def _deadlines(self, request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> web.StreamResponse:
        """The head has arrived: stop its deadline, read the body within ``body_timeout``, then re-arm for keep-alive."""
        connection = self._connections.get(request.transport) if request.transport is not None else None
        if connection is not None:
            connection.disarm()
        try:
            try:
                async with asyncio.timeout(self.limits.body_timeout):
                    await request.read()  # kept by aiohttp: the handler's own read() returns it from memory
            except TimeoutError:
                self.dropped.warning("body timeout", "http: refused requests whose body did not arrive in time (408)")
                return web.Response(status=408, text="request body took too long", headers={"Connection": "close"})
            return await handler(request)
        finally:
            if connection is not None and connection.transport is not None and not connection.transport.is_closing():
                connection.arm()

    def _factory(self) -> asyncio.Protocol:
        if len(self._connections) >= self.limits.max_connections and not self._evict_one():
            self.dropped.warning("connection cap", f"http: refused connections over the cap of {self.limits.max_connections}")
            return _Refused()
        assert self._runner is not None and self._runner.server is not None
        return _Connection(self._runner.server(), self)

    def _evict_one(self) -> bool:
        """Close the oldest connection still waiting for its request head; False if every connection is busy."""
        waiting = [c for c in self._connections.values() if not c.busy]
        if not waiting:
            return False
        oldest = min(waiting, key=lambda c: c.opened)
        self.dropped.warning("evicted", "http: at the connection cap; closed the oldest connections still sending headers")
        oldest.close()
        self._connections.pop(oldest.transport, None)  # type: ignore[arg-type]
        return True

    def _opened(self, connection: _Connection) -> None:
        assert connection.transport is not None
        self._connections[connection.transport] = connection

    def _closed(self, connection: _Connection) -> None:
        if connection.transport is not None:
            self._connections.pop(connection.transport, None)

    async def start(self, **runner_kwargs: Any) -> None:
        """Bind and serve; afterwards :attr:`port` is the port actually bound. Raises ``OSError`` if it cannot bind."""
        install_log_throttles()
        self._runner = web.AppRunner(self.app, access_log=None, keepalive_timeout=self.limits.keepalive_timeout, **runner_kwargs)
        await self._runner.setup()
        loop = asyncio.get_running_loop()
        try:
            self._server = await loop.create_server(self._factory, self.host, self.port, reuse_address=True, backlog=128)
        except OSError:
            await self.stop()
            raise
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        """Stop accepting, close open connections and clean the application up."""
        if self._server is not None:
            self._server.close()
            self._server = None
        for connection in list(self._connections.values()):
            if not connection.busy:
                connection.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
