"""/healthz includes the live corpus watcher: 503 while it cannot follow the corpus, 200 while it does."""

from __future__ import annotations

from pathlib import Path

import aiohttp
from aiohttp import web

from bot.answerer import Answerer
from bot.config import Config
from bot.http_server import HardenedServer
from bot.metrics import add_ops_routes
from bot.service import AnswerService, build_service
from bot.state import MemoryState
from retrieval import LiveIndex


async def healthz(service: AnswerService) -> tuple[int, dict[str, object]]:
    """GET /healthz from a real server reporting ``service``'s health."""
    app = add_ops_routes(web.Application(), service.metrics, service.health)
    server = HardenedServer(app)
    await server.start()
    try:
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://127.0.0.1:{server.port}/healthz") as response:
                return response.status, await response.json()
    finally:
        await server.stop()


async def test_healthz_follows_the_watcher(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    root.mkdir()
    (root / "a.txt").write_text("date 2020-01-01\n\nThe council approved the new bridge budget.")
    live = LiveIndex([root], cache_dir=tmp_path / "cache", debounce_ms=50)
    await live.start()
    answerer = Answerer(live)
    service = build_service(Config(), answerer, MemoryState())
    try:
        status, body = await healthz(service)
        assert status == 200 and body["corpus"] == {"ok": True, "state": "watching", "detail": ""}
    finally:
        await live.stop()
    status, body = await healthz(service)
    assert status == 503
    assert body["corpus"] == {"ok": False, "state": "stopped", "detail": ""}
    answerer.close()
