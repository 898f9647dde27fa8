"""The operations HTTP server: ``/healthz`` (live), ``/readyz`` (corpus loaded, platforms connected), ``/metrics``.

One per bot process, for every mode (Slack Socket Mode, Slack HTTP mode, Discord, ``run``),
when ``[ops] port`` is set; it binds ``[ops] host`` (loopback by default) and is served by
:class:`~bot.http_server.HardenedServer` (read deadlines, a connection cap, quiet accept errors).
:class:`Readiness` also feeds ``/readyz`` on Slack HTTP mode's own port.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from .http_server import HardenedServer
from .metrics import ops_app
from .service import AnswerService

log = logging.getLogger("quotebot.ops")


def corpus_figures(index: Any) -> tuple[int, int]:
    """Articles and sentences in the index being served now (a live index reports its current merged index)."""
    current = getattr(index, "index", index)  # LiveIndex -> its current MergedIndex; a SentenceIndex is itself
    base = getattr(current, "base", None)
    if base is None:
        return len(current.articles), int(current.num_sentences)
    hidden = current.hidden_articles
    delta = current.delta
    count = len(base.articles) - (int(hidden.sum()) if hidden is not None else 0) + (len(delta.articles) if delta else 0)
    return count, int(current.num_sentences)


class Readiness:
    """Whether the bot is ready to answer: corpus loaded, not draining, and every platform connected.

    Each platform registers a ``connected()`` callable once it has a running object; a platform
    that has not registered yet counts as not connected.
    """

    def __init__(self, service: AnswerService, platforms: list[str], clock: Callable[[], float] = time.time) -> None:
        self.service = service
        self._clock = clock
        #: The index object served and since when this process has served it (a live index swaps it on every update).
        self._index: tuple[int, float] | None = None
        self._connected: dict[str, Callable[[], bool]] = {}
        self.platforms = list(platforms)
        self.report()  # the index age counts from now

    def track(self, platform: str, connected: Callable[[], bool]) -> None:
        """From now on, ``platform`` is connected whenever ``connected()`` is true."""
        self._connected[platform] = connected

    def is_connected(self, platform: str) -> bool:
        """Whether ``platform`` has registered and is connected now."""
        check = self._connected.get(platform)
        try:
            return bool(check()) if check else False
        except Exception:  # a client mid-shutdown: not connected
            return False

    def report(self) -> dict[str, Any]:
        """For ``/readyz``: ``ok``, articles, sentences, each platform's connection, draining, and ``index_age_seconds``:
        how long the index now served has been served (since start, or since the corpus watcher last swapped it)."""
        index = self.service.answerer.index
        try:
            articles, sentences = corpus_figures(index)
        except RuntimeError:  # a live index still opening
            articles = sentences = 0
        current = id(getattr(index, "index", index)) if articles else 0
        if self._index is None or self._index[0] != current:
            self._index = (current, self._clock())
        platforms = {name: self.is_connected(name) for name in self.platforms}
        accepting = self.service.lifecycle.accepting
        return {
            "ok": articles > 0 and accepting and all(platforms.values()),
            "articles": articles,
            "sentences": sentences,
            "index_age_seconds": round(self._clock() - self._index[1], 1),
            "platforms": platforms,
            "accepting": accepting,
        }


async def start_ops_server(host: str, port: int, service: AnswerService, readiness: Readiness) -> HardenedServer:
    """Serve ``/healthz``, ``/readyz`` and ``/metrics`` on ``host:port``; raises ``OSError`` when it cannot bind."""
    app = ops_app(service.metrics, service.health, ready=readiness.report)
    server = HardenedServer(app, host=host, port=port, name="ops")
    await server.start()
    log.info("ops: serving /healthz, /readyz and /metrics on http://%s:%d", host, server.port)
    return server
