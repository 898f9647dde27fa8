"""Slow clients on the Slack HTTP port (loopback, bounded: 60 connections, half-second deadlines): heads and bodies
that never finish are cut off, a flood of them never locks out /healthz or Slack, and it logs a line, not a line each."""

from __future__ import annotations

import asyncio
import logging

import aiohttp
import pytest

from bot.http_server import HardenedServer, ServerLimits

from .conftest import HttpSlack, fixture

LIMITS = ServerLimits(header_timeout=0.5, body_timeout=0.5, max_connections=20, keepalive_timeout=0.5)
SLOW_CLIENTS = 60


def tighten(http_slack: HttpSlack) -> HardenedServer:
    """The bot's listener, with deadlines short enough for a test."""
    server: HardenedServer = http_slack.service.runner.server  # type: ignore[union-attr]
    server.limits = LIMITS
    return server


async def closed_by_server(reader: asyncio.StreamReader) -> bool:
    """True once the server has closed the connection (EOF or reset), waiting at most 10 s."""
    try:
        async with asyncio.timeout(10):
            return await reader.read() == b""
    except (ConnectionError, OSError):
        return True


async def test_a_flood_of_slow_headers_is_cut_off_and_healthz_still_answers(
    http_slack: HttpSlack, caplog: pytest.LogCaptureFixture
) -> None:
    server = tighten(http_slack)
    port = http_slack.service.runner.port  # type: ignore[union-attr]
    slow = [await asyncio.open_connection("127.0.0.1", port) for _ in range(SLOW_CLIENTS)]
    with caplog.at_level(logging.INFO):
        for _, writer in slow:
            writer.write(b"POST /slack/events HTTP/1.1\r\nHost: x\r\n")  # and never the rest
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{port}/healthz") as response:
                assert response.status == 200
        assert server.open_connections <= LIMITS.max_connections
        assert all([await closed_by_server(reader) for reader, _ in slow])
        assert (await http_slack.event(fixture("app_mention.json")))[0] == 200
        (outcome,) = await http_slack.outcomes.wait(1)
        assert outcome.result == "answered"
    for _, writer in slow:
        writer.close()
    lines = [r.getMessage() for r in caplog.records if r.name == "quotebot.http"]
    assert 1 <= len(lines) <= 4  # one line per kind (evicted, header timeout), not one per client
    assert server.dropped.counts.get("evicted", 0) + server.dropped.counts.get("header timeout", 0) >= SLOW_CLIENTS


async def test_a_body_that_never_arrives_gets_408(http_slack: HttpSlack) -> None:
    tighten(http_slack)
    port = http_slack.service.runner.port  # type: ignore[union-attr]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"a\"")
    async with asyncio.timeout(10):
        status_line = await reader.readline()
    assert status_line.startswith(b"HTTP/1.1 408")
    writer.close()
    assert http_slack.outcomes == []


async def test_when_every_connection_is_busy_new_ones_are_refused_not_queued_forever() -> None:
    from aiohttp import web

    release = asyncio.Event()

    async def busy(_: web.Request) -> web.Response:
        await release.wait()
        return web.Response(text="done")

    app = web.Application()
    app.router.add_get("/busy", busy)
    server = HardenedServer(app, limits=ServerLimits(header_timeout=5, body_timeout=5, max_connections=3))
    await server.start()
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as session:
            url = f"http://127.0.0.1:{server.port}/busy"
            held = [asyncio.create_task(session.get(url)) for _ in range(3)]
            while server.open_connections < 3 or not all(c.busy for c in server._connections.values()):
                await asyncio.sleep(0.01)
            with pytest.raises(aiohttp.ClientError):
                async with session.get(url) as response:
                    await response.read()
            release.set()
            for task in held:
                response = await task
                assert response.status == 200
                response.release()
        assert server.dropped.counts["connection cap"] >= 1  # (aiohttp retries a GET once on a closed connection)
    finally:
        await server.stop()
