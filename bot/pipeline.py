"""The one answering pipeline every platform uses: ``Question`` → retrieval → ``Answer``."""

from __future__ import annotations

import asyncio
import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import numpy as np

from retrieval import ranking
from retrieval.dates import date_filter
from retrieval.index import Hit, SentenceIndex

from .models import Answer, Context, NoAnswer, Passage, Question, Source
from .present import explain, leans_on_previous, near_duplicate, word_set


@dataclass(frozen=True)
class AnswerSettings:
    """How answers are chosen and shaped."""

    #: Passages shown per answer.
    passages: int = 3
    #: Without re-ranking (``[index] rerank = false``): below this combined BM25 score a sentence doesn't count as an answer.
    min_score: float = 0.3
    #: With re-ranking: the best sentence, with its two neighbours, must hold at least this share of the question's
    #: IDF mass, else the answer is "nothing found" (calibrated by ``bench/calibrate_threshold.py``).
    min_coverage: float = 0.3
    #: Show the sentence before a quote that leans on it (opens with "He", "However", or ends a quotation).
    context: bool = True
    #: Sentences sharing at least this share of their words (Jaccard) are one quote citing every source; 1 = exact only.
    duplicate_similarity: float = 0.8
    #: Longer questions are refused with a message.
    max_question_chars: int = 1000
    #: Threads that run retrieval off the event loop.
    workers: int = 2


def _normalise(text: str) -> str:
    return " ".join(text.split()).casefold()


#: Which feature of the best candidate decides between an answer and "nothing found".
CONFIDENCE_FEATURE = ranking.FEATURES.index("window")


class Answerer:
    """Answers questions from one :class:`SentenceIndex`; safe to share between platforms."""

    def __init__(self, index: SentenceIndex, settings: AnswerSettings | None = None) -> None:
        self.index = index
        self.settings = settings or AnswerSettings()
        self._executor: ThreadPoolExecutor | None = None
        dates = [a.date for a in index.articles if a.date is not None]
        #: The newest article date: "last year" counts from it. ``None`` when no article is dated (no date filters).
        self.newest: dt.date | None = max(dates) if dates else None

    def answer(self, question: Question) -> Answer:
        """Answer ``question`` with up to ``k`` passages, or say plainly why there are none."""
        text = question.text.strip()
        if not text:
            return Answer(question.text, reason=NoAnswer.EMPTY, message=NoAnswer.EMPTY.value)
        limit = self.settings.max_question_chars
        if len(text) > limit:
            message = NoAnswer.TOO_LONG.value.format(length=len(text), limit=limit)
            return Answer(text, reason=NoAnswer.TOO_LONG, message=message)
        when = date_filter(text, self.newest) if self.newest is not None else None
        search_text = f"{text[: when.span[0]]} {text[when.span[1] :]}" if when else text
        rerank = self.index.settings.rerank
        terms = ranking.query_terms(self.index.tokenizer, search_text) if rerank else self.index.tokenizer(search_text)
        if not terms:
            return Answer(text, reason=NoAnswer.NO_CONTENT_WORDS, message=NoAnswer.NO_CONTENT_WORDS.value)
        k = max(1, question.k or self.settings.passages)
        offset = max(0, question.offset)
        need = (offset + k) * 3 + 10
        note = f"Searched {when.label}." if when else ""
        ranked: ranking.Ranked | None = None
        if rerank:
            allowed = np.array([when.accepts(a.date) for a in self.index.articles]) if when else None
            ranked = self.index.rank(terms, search_text, allowed)
            order = np.argsort(-ranked.scores, kind="stable")[:need]
            confident = order.size and ranked.candidates.features[order[0], CONFIDENCE_FEATURE] >= self.settings.min_coverage
            rows: list[int | None] = [int(r) for r in order] if confident else []
            hits = [self.index.hit(int(ranked.candidates.ids[r]), float(ranked.scores[r])) for r in order] if confident else []
        else:
            hits = self.index.search(terms, k=need if not when else max(need, 1000))
            hits = [h for h in hits if h.score >= self.settings.min_score and (when is None or when.accepts(h.date))][:need]
            rows = [None] * len(hits)
        passages = self._passages(hits, rows, set(terms), ranked if question.explain else None, search_text)
        page = passages[offset : offset + k]
        if not page:
            reason = NoAnswer.NO_MORE if offset and passages else NoAnswer.NOT_FOUND
            message = reason.value if not when else f"{reason.value[:-1]} among the {when.label}."
            return Answer(text, reason=reason, message=message, offset=offset, terms=tuple(terms), note=note)
        return Answer(text, tuple(page), offset=offset, has_more=len(passages) > offset + k, terms=tuple(terms), note=note)

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

    def _passages(
        self, hits: list[Hit], rows: list[int | None], terms: set[str], ranked: ranking.Ranked | None, question: str
    ) -> list[Passage]:
        """Turn hits into passages: near-duplicates (syndicated copy) become one passage citing every source,
        a sentence that leans on the one before gets it as context, and ``ranked`` adds the "why" view."""
        out: list[Passage] = []
        seen: dict[str, int] = {}
        shapes: list[frozenset[str]] = []
        similarity = self.settings.duplicate_similarity
        for hit, row in zip(hits, rows, strict=True):
            source = Source(hit.article_id, hit.title, hit.date, hit.url)
            key = _normalise(hit.text)
            shape = word_set(hit.text)
            same = seen.get(key)
            if same is None and similarity < 1:
                same = next((j for j, other in enumerate(shapes) if near_duplicate(shape, other, similarity)), None)
            if same is not None:
                first = out[same]
                if source.id != first.source.id and all(source.id != s.id for s in first.also):
                    out[same] = replace(first, also=(*first.also, source))
                continue
            seen[key] = len(out)
            shapes.append(shape)
            highlights = tuple((s, e) for term, s, e in self.index.tokenizer.words(hit.text) if term in terms)
            context = self._context(hit) if self.settings.context else None
            why = explain(ranked, row, self.index.tokenizer, question) if ranked is not None and row is not None else None
            out.append(Passage(hit.text, source, hit.start, hit.end, hit.score, highlights, context=context, explanation=why))
        return out

    def _context(self, hit: Hit) -> Context | None:
        """The sentence before ``hit`` in its article, when ``hit`` leans on it (news paragraphs are often one sentence)."""
        i = hit.sentence
        if i == 0 or not leans_on_previous(hit.text):
            return None
        index = self.index
        if index.sent_article[i - 1] != index.sent_article[i]:
            return None
        start, end = int(index.sent_start[i - 1]), int(index.sent_end[i - 1])
        return Context(index.sentence_text(i - 1), start, end)
