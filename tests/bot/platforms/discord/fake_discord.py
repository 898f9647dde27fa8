"""A loopback fake of Discord's REST API and gateway, for driving the real discord.py client.

One aiohttp server on 127.0.0.1, port 0, serves both:

- REST under ``/api/v10``: login (``GET /users/@me``, ``GET /oauth2/applications/@me``), ``GET /gateway/bot``,
  command sync (``GET`` and ``PUT`` global and guild commands, kept per target), interaction callbacks, webhook follow-ups and edits,
  channel messages and their edits. Every request is recorded in :attr:`FakeDiscord.requests`.
- a gateway WebSocket at ``/gateway`` (and ``/resume``, the ``resume_gateway_url`` READY hands out):
  HELLO → IDENTIFY → READY (and the test guild's GUILD_CREATE), heartbeats answered with ACKs, RESUME answered by replaying missed
  dispatches and then ``RESUMED``; :meth:`FakeDiscord.dispatch` sends events, :meth:`FakeDiscord.drop`
  closes the socket the way a gateway restart does.

Fault injection: :meth:`FakeDiscord.inject` queues :class:`Fault` s for requests matching a method and
path: a 429 with the JSON body and ``Via`` header discord.py expects (refused, nothing done), or a 5xx.

Like Discord, it rejects an interaction callback that arrives after the 3-second window
(404, code 10062 "Unknown interaction"), and a second callback for the same interaction (400, code 40060).
JSON responses carry ``Content-Type: application/json`` exactly, since discord.py parses nothing else as JSON.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import WSMsgType, web

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "discord"
API = "/api/v10"
INTERACTION_WINDOW = 3.0


def fixture(name: str) -> dict[str, Any]:
    """A gateway or REST payload from ``tests/fixtures/discord/<name>.json`` (a fresh copy each time)."""
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def json_response(data: Any, status: int = 200) -> web.Response:
    """A JSON response whose Content-Type is exactly ``application/json`` (no charset), as Discord sends."""
    return web.Response(status=status, body=json.dumps(data).encode(), headers={"Content-Type": "application/json"})


@dataclass
class Recorded:
    """One REST request the client made."""

    method: str
    path: str
    query: dict[str, str]
    body: Any
    headers: dict[str, str]
    at: float
    status: int = 200
    #: The JSON the fake answered with.
    response: Any = None

    @property
    def route(self) -> str:
        """``METHOD path`` without the API prefix, e.g. ``POST /channels/1/messages``."""
        return f"{self.method} {self.path.removeprefix(API)}"


@dataclass(frozen=True)
class Fault:
    """One injected REST fault: ``"ratelimited"`` (429, retry after ``retry_after`` s), ``"server_error"`` (``status``),
    or ``"slow"`` (carried out, answered after ``delay`` s)."""

    kind: str
    retry_after: float = 0.2
    status: int = 500
    delay: float = 0.0


@dataclass
class GatewaySession:
    """What the fake remembers of one gateway session (for RESUME)."""

    session_id: str
    shard: list[int] | None
    sent: list[dict[str, Any]] = field(default_factory=list)
    seq: int = 0


class FakeDiscord:
    """The fake server; use as ``async with FakeDiscord(...) as fake`` and point the client at :attr:`api_base`."""

    def __init__(
        self,
        token: str = "fake-bot-token",
        heartbeat_interval_ms: int = 45_000,
        shards: int = 1,
        max_concurrency: int = 1,
        interaction_window: float = INTERACTION_WINDOW,
    ) -> None:
        self.token = token
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.shards = shards
        self.max_concurrency = max_concurrency
        self.interaction_window = interaction_window
        self.user = fixture("bot_user")
        self.application = fixture("application")
        self.requests: list[Recorded] = []
        self._faults: list[tuple[str, str, Fault]] = []
        #: When set, command sync fails with a 500 (to test that the bot runs on and retries next start).
        self.reject_commands = False
        #: The commands Discord holds, per application and target ("global" or the guild id), as its GET returns them.
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        #: Every gateway frame received from the client, in order: (connection number, payload).
        self.received: list[tuple[int, dict[str, Any]]] = []
        self.sessions: dict[str, GatewaySession] = {}
        self.connections = 0
        self.identified = asyncio.Event()
        self.resumed = asyncio.Event()
        self._sockets: dict[int, tuple[web.WebSocketResponse, GatewaySession | None]] = {}
        self._interactions: dict[str, float] = {}
        self._answered: set[str] = set()
        self._ids = itertools.count(1_300_000_000_000_000_001)
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # -- lifecycle -----------------------------------------------------------------------------

    async def __aenter__(self) -> FakeDiscord:
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        app.router.add_get("/resume", self._gateway)
        app.router.add_route("*", API + "/{tail:.*}", self._rest)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        for ws, _ in list(self._sockets.values()):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_base(self) -> str:
        """The value for ``[discord] api_base``."""
        return f"http://127.0.0.1:{self.port}{API}"

    @property
    def gateway_url(self) -> str:
        """The value for ``[discord] gateway_url``."""
        return f"ws://127.0.0.1:{self.port}/gateway"

    def new_id(self) -> str:
        """A fresh snowflake."""
        return str(next(self._ids))

    # -- what tests look at --------------------------------------------------------------------

    def calls(self, method: str, pattern: str) -> list[Recorded]:
        """Recorded requests whose method matches and whose path (without ``/api/v10``) fully matches ``pattern``."""
        rx = re.compile(pattern)
        return [r for r in self.requests if r.method == method and rx.fullmatch(r.path.removeprefix(API))]

    def sends(self) -> list[Recorded]:
        """Every request that creates or edits a message (the ones that could ping someone)."""
        message_routes = (
            ("POST", r"/interactions/\d+/[^/]+/callback"),
            ("POST", r"/webhooks/\d+/[^/]+"),
            ("PATCH", r"/webhooks/\d+/[^/]+/messages/[^/]+"),
            ("POST", r"/channels/\d+/messages"),
            ("PATCH", r"/channels/\d+/messages/\d+"),
        )
        out = []
        for r in self.requests:
            for method, pattern in message_routes:
                if r.method == method and re.fullmatch(pattern, r.path.removeprefix(API)):
                    # a callback that only defers carries no message
                    if r.method == "POST" and r.path.endswith("/callback") and r.body.get("type") in (5, 6):
                        break
                    out.append(r)
                    break
        return out

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 10.0) -> Any:
        """Wait until ``predicate()`` is truthy (re-checked whenever a request or frame arrives); return its value."""

        async def check() -> Any:
            async with self._changed:
                while not (value := predicate()):
                    await self._changed.wait()
                return value

        return await asyncio.wait_for(check(), timeout)

    async def wait_for_call(self, method: str, pattern: str, count: int = 1, timeout: float = 10.0) -> list[Recorded]:
        """Wait until at least ``count`` matching requests were made; return them all."""
        return await self.wait_for(lambda: (c := self.calls(method, pattern)) and len(c) >= count and c, timeout)

    async def _changed_now(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    # -- gateway -------------------------------------------------------------------------------

    async def dispatch(self, event: str, data: dict[str, Any], shard: int = 0) -> None:
        """Send a dispatch (op 0) on the shard's session; if its socket is down, it is replayed on RESUME."""
        if event == "INTERACTION_CREATE":
            self._interactions[data["id"]] = time.monotonic()
        session = next((s for s in self.sessions.values() if (s.shard or [0])[0] == shard), None)
        if session is None:
            raise RuntimeError("no gateway session has identified yet")
        session.seq += 1
        frame: dict[str, Any] = {"op": 0, "t": event, "s": session.seq, "d": data}
        session.sent.append(frame)
        for ws, live in self._sockets.values():
            if live is session and not ws.closed:
                await ws.send_str(json.dumps(frame))

    def live_sockets(self) -> list[web.WebSocketResponse]:
        """The gateway sockets still open."""
        return [ws for ws, _ in self._sockets.values() if not ws.closed]

    async def drop(self, code: int = 4000) -> None:
        """Close every gateway socket with ``code`` (4000: "unknown error, reconnect"), as a gateway restart does."""
        self.resumed.clear()
        for ws, _ in list(self._sockets.values()):
            await ws.close(code=code, message=b"fake gateway restart")

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self.connections += 1
        number = self.connections
        self._sockets[number] = (ws, None)
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": self.heartbeat_interval_ms}}))
        try:
            async for msg in ws:
                if msg.type is not WSMsgType.TEXT:
                    continue
                payload = json.loads(msg.data)
                self.received.append((number, payload))
                await self._on_frame(ws, number, payload)
                await self._changed_now()
        finally:
            self._sockets.pop(number, None)
            await self._changed_now()
        return ws

    async def _on_frame(self, ws: web.WebSocketResponse, number: int, payload: dict[str, Any]) -> None:
        op = payload.get("op")
        raw = payload.get("d")
        d: dict[str, Any] = raw if isinstance(raw, dict) else {}
        if op == 1:
            await ws.send_str(json.dumps({"op": 11}))
        elif op == 2:
            if d.get("token") != self.token:
                await ws.close(code=4004, message=b"Authentication failed.")
                return
            session = GatewaySession(session_id=f"session-{self.new_id()}", shard=d.get("shard"))
            self.sessions[session.session_id] = session
            self._sockets[number] = (ws, session)
            ready = fixture("ready")
            ready["user"] = self.user
            ready["application"] = {"id": self.application["id"], "flags": self.application["flags"]}
            ready["session_id"] = session.session_id
            ready["resume_gateway_url"] = f"ws://127.0.0.1:{self.port}/resume"
            if session.shard:
                ready["shard"] = session.shard
            guild = fixture("guild_create")
            ready["guilds"] = [{"id": guild["id"], "unavailable": True}]
            for event, data in (("READY", ready), ("GUILD_CREATE", guild)):
                session.seq += 1
                frame: dict[str, Any] = {"op": 0, "t": event, "s": session.seq, "d": data}
                session.sent.append(frame)
                await ws.send_str(json.dumps(frame))
            self.identified.set()
        elif op == 6:
            known = self.sessions.get(d.get("session_id", ""))
            if known is None or d.get("token") != self.token:
                await ws.send_str(json.dumps({"op": 9, "d": False}))
                return
            self._sockets[number] = (ws, known)
            for frame in known.sent:
                if frame["s"] > (d.get("seq") or 0):
                    await ws.send_str(json.dumps(frame))
            known.seq += 1
            resumed = {"op": 0, "t": "RESUMED", "s": known.seq, "d": {}}
            known.sent.append(resumed)
            await ws.send_str(json.dumps(resumed))
            self.resumed.set()

    # -- REST ----------------------------------------------------------------------------------

    async def _rest(self, request: web.Request) -> web.Response:
        body: Any = None
        if request.can_read_body:
            raw = await request.read()
            body = json.loads(raw) if raw and request.content_type == "application/json" else raw.decode(errors="replace")
        record = Recorded(request.method, request.path, dict(request.query), body, dict(request.headers), time.monotonic())
        self.requests.append(record)
        try:
            fault = self._next_fault(record)
            if fault is not None and fault.kind == "slow":
                await self._changed_now()  # the request has arrived; its response is late
                await asyncio.sleep(fault.delay)
                fault = None
            response = self._refuse(fault) if fault is not None else self._route(request, record)
        finally:
            await self._changed_now()
        record.status = response.status
        assert isinstance(response.body, bytes)
        record.response = json.loads(response.body)
        return response

    def inject(self, method: str, pattern: str, *faults: Fault) -> None:
        """Queue ``faults`` for the next requests whose method is ``method`` and path (without ``/api/v10``) fully matches ``pattern``."""
        self._faults.extend((method, pattern, fault) for fault in faults)

    def _next_fault(self, r: Recorded) -> Fault | None:
        path = r.path.removeprefix(API)
        for i, (method, pattern, fault) in enumerate(self._faults):
            if method == r.method and re.fullmatch(pattern, path):
                del self._faults[i]
                return fault
        return None

    @staticmethod
    def _refuse(fault: Fault) -> web.Response:
        if fault.kind == "ratelimited":
            body = {"message": "You are being rate limited.", "retry_after": fault.retry_after, "global": False}
            response = json_response(body, 429)
            response.headers.update({"Via": "1.1 google", "X-RateLimit-Remaining": "0", "X-RateLimit-Scope": "user"})
            return response
        return json_response({"message": f"{fault.status}: Internal Server Error", "code": 0}, fault.status)

    def _authorised(self, request: web.Request) -> bool:
        return request.headers.get("Authorization") == f"Bot {self.token}"

    def _route(self, request: web.Request, r: Recorded) -> web.Response:
        path = r.path.removeprefix(API)
        method = r.method
        if method == "POST" and re.fullmatch(r"/channels/\d+/typing", path):
            return json_response({})
        webhook = re.fullmatch(r"/webhooks/(\d+)/([^/]+)(?:/messages/([^/]+))?", path)
        callback = re.fullmatch(r"/interactions/(\d+)/([^/]+)/callback", path)
        # Interaction webhooks are authorised by their token, everything else by the bot token.
        if not (webhook or callback) and not self._authorised(request):
            return json_response({"message": "401: Unauthorized", "code": 0}, 401)
        if callback and method == "POST":
            return self._callback(callback.group(1), r)
        if webhook and method in ("POST", "PATCH"):
            return json_response(self.message(self.application["id"], r.body, author=self.user, webhook_id=webhook.group(1)))
        found = self._route_application(method, path, r) or self._route_channel(method, path, r)
        return found or json_response({"message": f"404: Not Found ({method} {path})", "code": 0}, 404)

    def _route_application(self, method: str, path: str, r: Recorded) -> web.Response | None:
        """The bot user, the application, the gateway URL and the command sync; ``None`` for other paths."""
        if method == "GET" and path == "/users/@me":
            return json_response(self.user)
        if method == "GET" and path == "/oauth2/applications/@me":
            return json_response(self.application)
        if method == "GET" and path == "/gateway/bot":
            limit = {"total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": self.max_concurrency}
            return json_response({"url": self.gateway_url, "shards": self.shards, "session_start_limit": limit})
        if method in ("GET", "PUT") and (m := re.fullmatch(r"/applications/(\d+)(?:/guilds/(\d+))?/commands", path)):
            if self.reject_commands:
                return json_response({"message": "Missing Access", "code": 50001}, 403)
            target = (m.group(1), m.group(2) or "global")
            if method == "GET":
                return json_response(self.commands.get(target, []))
            out = []
            for command in r.body:
                command = {**command, "id": self.new_id(), "application_id": m.group(1), "version": self.new_id()}
                if m.group(2):
                    command["guild_id"] = m.group(2)
                out.append(command)
            self.commands[target] = out
            return json_response(out)
        return None

    def _route_channel(self, method: str, path: str, r: Recorded) -> web.Response | None:
        """A channel message created or edited by the bot; ``None`` for other paths."""
        if method == "POST" and (m := re.fullmatch(r"/channels/(\d+)/messages", path)):
            return json_response(self.message(m.group(1), r.body, author=self.user))
        if method == "PATCH" and (m := re.fullmatch(r"/channels/(\d+)/messages/(\d+)", path)):
            return json_response(self.message(m.group(1), r.body, author=self.user, message_id=m.group(2)))
        return None

    def _callback(self, interaction_id: str, r: Recorded) -> web.Response:
        created = self._interactions.get(interaction_id)
        if created is None or r.at - created > self.interaction_window:
            return json_response({"message": "Unknown interaction", "code": 10062}, 404)
        if interaction_id in self._answered:
            return json_response({"message": "Interaction has already been acknowledged.", "code": 40060}, 400)
        self._answered.add(interaction_id)
        kind = r.body.get("type")
        data = r.body.get("data") or {}
        ephemeral = bool((data.get("flags") or 0) & 64)
        message = self.message(self.new_id(), data, author=self.user)
        out: dict[str, Any] = {
            "interaction": {
                "id": interaction_id,
                "type": 2,
                "response_message_id": message["id"],
                "response_message_loading": kind == 5,
                "response_message_ephemeral": ephemeral,
            }
        }
        if kind in (4, 5, 7):
            out["resource"] = {"type": kind, "message": message}
        return json_response(out)

    def message(
        self,
        channel_id: str,
        body: dict[str, Any] | None,
        author: dict[str, Any],
        message_id: str | None = None,
        webhook_id: str | None = None,
    ) -> dict[str, Any]:
        """A message payload as Discord returns it for a create or edit with ``body``."""
        body = body or {}
        message = copy.deepcopy(fixture("message_base"))
        message.update(
            id=message_id or self.new_id(),
            channel_id=channel_id,
            author=author,
            content=body.get("content") or "",
            embeds=body.get("embeds") or [],
            components=body.get("components") or [],
            flags=body.get("flags") or 0,
        )
        if webhook_id:
            message["webhook_id"] = webhook_id
        return message
