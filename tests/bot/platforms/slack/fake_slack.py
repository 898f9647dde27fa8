"""A loopback fake of Slack: the Web API methods the bot calls, ``response_url`` endpoints, and Socket Mode.

One aiohttp server on 127.0.0.1, port 0. Every Web API call and ``response_url``
post that Slack carried out is recorded in :attr:`FakeSlack.calls`; every attempt,
faulted or not, in :attr:`FakeSlack.attempts`. The Socket Mode side sends ``hello``
and whatever envelopes a test pushes, and records the client's acks.

Fault injection: :meth:`FakeSlack.inject` queues :class:`Fault` s for a Web API method,
used up one per request in order: a 429 with ``Retry-After`` (refused before it runs,
as Slack does), a 500, a connection dropped before any response, or a slow response.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import WSMsgType, web

BOT_USER = "UQUOTEBOT"
BOT_ID = "BQUOTEBOT"
TEAM = "T0TEAM"


@dataclass
class Call:
    """One request the bot made: a Web API ``method`` (or ``response_url``), its arguments and token."""

    method: str
    args: dict[str, Any]
    token: str | None = None
    path: str = ""


@dataclass(frozen=True)
class Fault:
    """One injected failure for one request.

    ``kind``: ``"ratelimited"`` (429 with ``Retry-After: retry_after``, nothing done),
    ``"server_error"`` (HTTP ``status``, nothing done), ``"drop"`` (the connection is closed
    before Slack does anything) or ``"slow"`` (carried out, answered after ``delay`` seconds).
    """

    kind: str
    retry_after: int = 1
    status: int = 500
    delay: float = 0.0


@dataclass
class FakeSlack:
    """The fake server's state; start it with :meth:`start`."""

    auth_error: str | None = None
    open_error: str | None = None
    #: Web API methods that answer ``{"ok": false, "error": ...}``, by method name.
    failing: dict[str, str] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    #: Every Web API request, including those a fault refused or dropped: (method, fault kind or "").
    attempts: list[tuple[str, str]] = field(default_factory=list)
    faults: dict[str, list[Fault]] = field(default_factory=dict)
    acks: list[dict[str, Any]] = field(default_factory=list)
    connections: int = 0
    port: int = 0
    _changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    _sockets: list[web.WebSocketResponse] = field(default_factory=list)
    _ts: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _runner: web.AppRunner | None = None

    @property
    def base(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        """The Web API base URL to configure (``[slack] api_url``)."""
        return f"{self.base}/api/"

    def response_url(self, name: str) -> str:
        """A ``response_url`` on this server; posts to it are recorded as method ``response_url``."""
        return f"{self.base}/respond/{name}"

    def slack_shaped_response_url(self, secret: str) -> str:
        """A ``response_url`` with the path Slack's have (``/commands/TEAM/ID/SECRET``), on this server."""
        return f"{self.base}/commands/{TEAM}/1234567890/{secret}"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_post("/respond/{name}", self._respond)
        app.router.add_post("/commands/{team}/{id}/{secret}", self._respond)  # a response_url shaped like Slack's
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def stop(self) -> None:
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    # -- what the bot sees ---------------------------------------------------------------------

    async def _record(self, call: Call) -> None:
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        raw = await request.text()
        if request.content_type == "application/json":
            args = json.loads(raw or "{}")
        else:
            args = dict(parse_qsl(raw))
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ") or args.get("token")
        queued = self.faults.get(method)
        fault = queued.pop(0) if queued else None
        self.attempts.append((method, fault.kind if fault else ""))
        if fault is not None and fault.kind == "ratelimited":
            await self._changed_now()
            headers = {"Retry-After": str(fault.retry_after)}
            return web.json_response({"ok": False, "error": "ratelimited"}, status=429, headers=headers)
        if fault is not None and fault.kind == "server_error":
            await self._changed_now()
            return web.Response(status=fault.status, text="Internal Server Error")
        if fault is not None and fault.kind == "drop":
            await self._changed_now()
            assert request.transport is not None
            request.transport.abort()  # no status line at all: the client sees the server disconnect
            raise asyncio.CancelledError
        if fault is not None and fault.kind == "slow":
            await self._changed_now()
            await asyncio.sleep(fault.delay)
        await self._record(Call(method, args, token, request.path))
        return web.json_response(self._reply(method, args))

    def inject(self, method: str, *faults: Fault) -> None:
        """Queue ``faults`` for the next requests to ``method`` (one each, in order)."""
        self.faults.setdefault(method, []).extend(faults)

    async def _changed_now(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    def _reply(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        if method in self.failing:
            return {"ok": False, "error": self.failing[method]}
        if method == "auth.test":
            if self.auth_error:
                return {"ok": False, "error": self.auth_error}
            return {
                "ok": True,
                "url": "https://fake.slack/",
                "team": "Fake",
                "user": "quotebot",
                "team_id": TEAM,
                "user_id": BOT_USER,
                "bot_id": BOT_ID,
                "is_enterprise_install": False,
            }
        if method == "chat.postMessage":
            ts = f"1700000000.{next(self._ts):06d}"
            return {"ok": True, "channel": args.get("channel"), "ts": ts, "message": {"ts": ts, "text": args.get("text")}}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"1700000000.{next(self._ts):06d}"}
        if method == "chat.update":
            return {"ok": True, "channel": args.get("channel"), "ts": args.get("ts")}
        if method == "apps.connections.open":
            if self.open_error:
                return {"ok": False, "error": self.open_error}
            return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket"}
        return {"ok": False, "error": "unknown_method"}

    async def _respond(self, request: web.Request) -> web.Response:
        await self._record(Call("response_url", await request.json(), None, request.path))
        return web.Response(text="ok")

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self._sockets.append(ws)
        async with self._changed:
            self.connections += 1
            self._changed.notify_all()
        await ws.send_json({"type": "hello", "num_connections": 1, "debug_info": {"host": "fake"}})
        try:
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    async with self._changed:
                        self.acks.append(json.loads(message.data))
                        self._changed.notify_all()
        finally:
            self._sockets.remove(ws)
        return ws

    # -- what a test does ----------------------------------------------------------------------

    async def send_envelope(self, envelope: dict[str, Any]) -> None:
        """Send a Socket Mode envelope over the newest open socket."""
        await self.wait_for(lambda: bool(self._sockets))
        await self._sockets[-1].send_json(envelope)

    async def close_sockets(self) -> None:
        """Close every open socket from the server side, as Slack does when it rotates connections."""
        for ws in list(self._sockets):
            await ws.close()

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        """Wait until ``predicate()`` holds (checked whenever the fake records something)."""
        async with asyncio.timeout(timeout):
            async with self._changed:
                await self._changed.wait_for(predicate)

    def posts(self, method: str = "chat.postMessage") -> list[Call]:
        """The recorded calls of one method."""
        return [c for c in self.calls if c.method == method]
