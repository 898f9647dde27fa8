"""answer_async runs retrieval on worker threads and never queues more than `queue` questions for them."""

from __future__ import annotations

import asyncio
import dataclasses
import threading

from bot.answerer import Answerer, AnswerSettings
from bot.models import Question
from retrieval.index import SentenceIndex


class _Gate(SentenceIndex):
    """The real index, instrumented so the test can see how many rankings run at once and on which threads."""

    @classmethod
    def of(cls, index: SentenceIndex) -> _Gate:
        gate = cls(**{f.name: getattr(index, f.name) for f in dataclasses.fields(SentenceIndex)})
        gate.running = 0
        gate.peak = 0
        gate.threads = set()
        gate._lock = threading.Lock()
        gate.release = threading.Event()
        return gate

    def layout(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        with self._lock:
            self.running += 1
            self.peak = max(self.peak, self.running)
            self.threads.add(threading.current_thread().name)
        self.release.wait(5)
        try:
            return super().layout(*args, **kwargs)
        finally:
            with self._lock:
                self.running -= 1


async def test_burst_is_bounded_and_answered_off_the_loop(seed_index: SentenceIndex) -> None:
    gate = _Gate.of(seed_index)
    answerer = Answerer(gate, AnswerSettings(workers=2, queue=4))
    try:
        tasks = [asyncio.create_task(answerer.answer_async(Question("Does IBM sell facial recognition?"))) for _ in range(20)]
        await asyncio.sleep(0.2)
        assert answerer.pending == 4  # four handed to the executor, sixteen waiting on the loop
        assert gate.peak <= 2
        gate.release.set()
        answers = await asyncio.gather(*tasks)
        assert all(a.passages for a in answers)
        assert answerer.pending == 0
        assert gate.threads and all(name.startswith("quotebot-answer") for name in gate.threads)
    finally:
        gate.release.set()
        answerer.close()
