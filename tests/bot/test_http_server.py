"""The hardened server's pieces that a slow-client test does not reach: quiet accept errors."""

from __future__ import annotations

import logging

from bot.http_server import AcceptErrorThrottle


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
