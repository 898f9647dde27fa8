"""The one answering pipeline every platform uses: ``Question`` → retrieval → ``Answer``."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from retrieval import ranking
from retrieval.index import Hit, SentenceIndex

from .models import Answer, NoAnswer, Passage, Question, Source


@dataclass(frozen=True)
class AnswerSettings:
    """How answers are chosen and shaped."""

    #: Passages shown per answer.
    passages: int = 3
    #: Below this combined score the best sentence doesn't count as an answer.
    min_score: float = 0.3
    #: Longer questions are refused with a message.
    max_question_chars: int = 1000
    #: Threads that run retrieval off the event loop.
    workers: int = 2


def _normalise(text: str) -> str:
    return " ".join(text.split()).casefold()


class Answerer:
    """Answers questions from one :class:`SentenceIndex`; safe to share between platforms."""

    def __init__(self, index: SentenceIndex, settings: AnswerSettings | None = None) -> None:
        self.index = index
        self.settings = settings or AnswerSettings()
        self._executor: ThreadPoolExecutor | None = None

    def answer(self, question: Question) -> Answer:
        """Answer ``question`` with up to ``k`` passages, or say plainly why there are none."""
        text = question.text.strip()
        if not text:
            return Answer(question.text, reason=NoAnswer.EMPTY, message=NoAnswer.EMPTY.value)
        limit = self.settings.max_question_chars
        if len(text) > limit:
            message = NoAnswer.TOO_LONG.value.format(length=len(text), limit=limit)
            return Answer(text, reason=NoAnswer.TOO_LONG, message=message)
        terms = ranking.query_terms(self.index.tokenizer, text) if self.index.settings.rerank else self.index.tokenizer(text)
        if not terms:
            return Answer(text, reason=NoAnswer.NO_CONTENT_WORDS, message=NoAnswer.NO_CONTENT_WORDS.value)
        k = max(1, question.k or self.settings.passages)
        offset = max(0, question.offset)
        hits = self.index.search(terms, k=(offset + k) * 3 + 10, question=text)
        hits = [h for h in hits if h.score >= self.settings.min_score]
        passages = self._passages(hits, set(terms))
        page = passages[offset : offset + k]
        if not page:
            reason = NoAnswer.NO_MORE if offset and passages else NoAnswer.NOT_FOUND
            return Answer(text, reason=reason, message=reason.value, offset=offset, terms=tuple(terms))
        return Answer(text, tuple(page), offset=offset, has_more=len(passages) > offset + k, terms=tuple(terms))

    async def answer_async(self, question: Question) -> Answer:
        """:meth:`answer` on a worker thread, so a large corpus never blocks the event loop."""
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=self.settings.workers, thread_name_prefix="quotebot-answer")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self.answer, question)

    def close(self) -> None:
        """Stop the worker threads."""
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None

    def _passages(self, hits: list[Hit], terms: set[str]) -> list[Passage]:
        """Turn hits into passages, merging identical sentences from several articles into one."""
        out: list[Passage] = []
        seen: dict[str, int] = {}
        for hit in hits:
            source = Source(hit.article_id, hit.title, hit.date, hit.url)
            key = _normalise(hit.text)
            if key in seen:
                first = out[seen[key]]
                out[seen[key]] = Passage(first.text, first.source, first.start, first.end, first.score, first.highlights, (*first.also, source))
                continue
            seen[key] = len(out)
            highlights = tuple((s, e) for term, s, e in self.index.tokenizer.words(hit.text) if term in terms)
            out.append(Passage(hit.text, source, hit.start, hit.end, hit.score, highlights))
        return out
