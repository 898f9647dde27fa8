"""The hardened server's pieces that a slow-client test does not reach: quiet accept errors and bad requests."""

from __future__ import annotations

import asyncio
import logging

import pytest
from aiohttp import web

from bot.http_server import AcceptErrorThrottle, HardenedServer


def record(message: str) -> logging.LogRecord:
    return logging.LogRecord("asyncio", logging.ERROR, __file__, 1, message, None, None)


def test_accept_errors_are_logged_once_per_interval_without_traceback() -> None:
    now = [0.0]
    throttle = AcceptErrorThrottle(interval=10.0, clock=lambda: now[0])
    error = "socket.accept() out of system resource\nsocket: <socket>"
    passed = [throttle.filter(record(error)) for _ in range(1000)]
    assert passed.count(True) == 1 and throttle.count == 1000
    now[0] = 10.5
    assert throttle.filter(record(error)) is True
    assert throttle.filter(record("Task exception was never retrieved")) is True  # other asyncio lines untouched


async def test_a_flood_of_unparseable_requests_logs_one_traceback(caplog: pytest.LogCaptureFixture) -> None:
    app = web.Application()
    server = HardenedServer(app)
    await server.start()
    try:
        with caplog.at_level(logging.DEBUG):
            for _ in range(50):  # a header line over aiohttp's 8 KiB limit
                reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
                writer.write(b"GET / HTTP/1.1\r\nHost: x\r\nX: " + b"a" * 20_000 + b"\r\n\r\n")
                assert (await reader.read(100)).startswith(b"HTTP/1.0 400")
                writer.close()
    finally:
        await server.stop()
    logged = [r for r in caplog.records if r.name == "aiohttp.server" and r.levelno >= logging.ERROR]
    assert len(logged) == 1
