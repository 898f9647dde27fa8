"""The one answering pipeline every platform uses: ``Question`` → retrieval → ``Answer``."""

from __future__ import annotations

import asyncio
import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

from retrieval import AnyIndex, Blend, Gate, Searcher, SearchHit, SearchResult, SemanticScorer

from .models import Answer, Context, NoAnswer, Passage, Question, Source
from .present import explain, near_duplicate, word_set
from .render.views import compile_templates


@dataclass(frozen=True)
class AnswerSettings:
    """How answers are chosen and shaped."""

    #: Passages shown per answer.
    passages: int = 3
    #: Without re-ranking (``[index] rerank = false``): below this combined BM25 score a sentence doesn't count as an answer.
    min_score: float = 0.3
    #: With re-ranking and ``semantic = False``: the best sentence, with its two neighbours, must hold at least this share of the question
    #: (its words weighed by IDF in the corpus and in English at large: :mod:`retrieval.background`; words the
    #: sentence says in related words count half: :func:`retrieval.search.confidence`), else the answer is "nothing found"
    #: (calibrated by ``bench/calibrate_threshold.py``).
    min_coverage: float = 0.32
    #: Show the sentence before a quote that leans on it (opens with "He", "However", or ends a quotation).
    context: bool = True
    #: Sentences sharing at least this share of their words (Jaccard) are one quote citing every source; 1 = exact only.
    duplicate_similarity: float = 0.8
    #: Longer questions are refused with a message.
    max_question_chars: int = 1000
    #: Weigh semantic evidence (a small sentence-embedding model, :mod:`retrieval.semantic`) with the lexical
    #: features, to re-order the best candidates and to decide "nothing found" (re-ranked indexes only); ``False``:
    #: the lexical path alone (``min_coverage``), and the model is never loaded.
    semantic: bool = True
    #: Threads that run retrieval off the event loop.
    workers: int = 2
    #: Questions handed to those threads at once; more wait on the event loop (cheaply) for a slot.
    queue: int = 16


#: Names listed in "No article mentions …", and the characters kept of each (the message stays one short line).
NAMES_LISTED = 3
NAME_CHARS = 40


def _listed(names: tuple[str, ...]) -> str:
    """``["A"]`` → "A", ``["A", "B"]`` → "A or B", ``["A", "B", "C"]`` → "A, B or C" (at most :data:`NAMES_LISTED`
    names, each cut to :data:`NAME_CHARS` characters)."""
    words = [n if len(n) <= NAME_CHARS else n[: NAME_CHARS - 1] + "…" for n in names[:NAMES_LISTED]]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def _normalise(text: str) -> str:
    return " ".join(text.split()).casefold()


class Answerer:
    """Answers questions through one :class:`~retrieval.Searcher`; safe to share between platforms."""

    def __init__(self, index: AnyIndex, settings: AnswerSettings | None = None, blend: Blend | None = None) -> None:
        """Answer from ``index``; with ``settings.semantic`` the shared model is loaded (``ModelMissing`` when it is
        not installed) and weighed with lexical evidence as ``blend`` says (default: the calibrated blend)."""
        self.settings = settings or AnswerSettings()
        gate = Gate(min_score=self.settings.min_score, min_coverage=self.settings.min_coverage)
        semantic = SemanticScorer.load() if self.settings.semantic else None
        self.searcher = Searcher(index, gate, semantic, blend)
        compile_templates()  # what the first answer's rendering would otherwise do
        self._executor: ThreadPoolExecutor | None = None
        self._slots: asyncio.Semaphore | None = None
        #: Questions now queued for or running on the worker threads (never above ``settings.queue``).
        self.pending = 0

    @property
    def index(self) -> AnyIndex:
        """The index answered from (a live index once the bot follows the corpus)."""
        return self.searcher.index

    @index.setter
    def index(self, index: AnyIndex) -> None:
        """Answer from ``index`` from now on (the bot swaps in a live index when it follows the corpus)."""
        self.searcher = self.searcher.over(index)

    @property
    def semantic(self) -> SemanticScorer | None:
        """The semantic scorer searches use (``settings.semantic``), or ``None`` for the lexical path alone."""
        return self.searcher.semantic

    @property
    def newest(self) -> dt.date | None:
        """The newest article date ("last year" counts from it); ``None`` when no article is dated."""
        return self.searcher.newest

    def answer(self, question: Question) -> Answer:
        """Answer ``question`` with up to ``k`` passages, or say plainly why there are none."""
        text = question.text.strip()
        if not text:
            return Answer(question.text, reason=NoAnswer.EMPTY, message=NoAnswer.EMPTY.value)
        limit = self.settings.max_question_chars
        if len(text) > limit:
            message = NoAnswer.TOO_LONG.value.format(length=len(text), limit=limit)
            return Answer(text, reason=NoAnswer.TOO_LONG, message=message)
        k = max(1, question.k or self.settings.passages)
        offset = max(0, question.offset)
        result = self.searcher.search(text, (offset + k) * 3 + 10)
        if not result.terms:
            return Answer(text, reason=NoAnswer.NO_CONTENT_WORDS, message=NoAnswer.NO_CONTENT_WORDS.value)
        when = result.dates
        note = f"Searched {when.label}." if when else ""
        passages = self._passages(result.hits)
        page = [self._finish(p, f, result, question.explain) for p, f in passages[offset : offset + k]]
        # A sentence leaned on that was just quoted above on this page needs no repeating as context.
        shown: set[tuple[str, int]] = set()
        for i, p in enumerate(page):
            if p.context and (p.source.id, p.context.start) in shown:
                page[i] = replace(p, context=None)
            shown.add((p.source.id, p.start))
        terms = result.terms
        if not page:
            reason = NoAnswer.NO_MORE if offset and passages else NoAnswer.NOT_FOUND
            message = reason.value if not when else f"{reason.value[:-1]} among the {when.label}."
            if reason is NoAnswer.NOT_FOUND and result.unknown and not when:
                reason = NoAnswer.NOT_MENTIONED
                message = reason.value.format(names=_listed(result.unknown))
            return Answer(text, reason=reason, message=message, offset=offset, terms=terms, note=note)
        return Answer(text, tuple(page), offset=offset, has_more=len(passages) > offset + k, terms=terms, note=note)

    async def answer_async(self, question: Question) -> Answer:
        """:meth:`answer` on a worker thread, so a large corpus never blocks the event loop.

        At most ``settings.queue`` questions are queued for the threads; the rest wait for a
        slot on the loop, so a burst can't pile up unbounded work in the executor.
        """
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=self.settings.workers, thread_name_prefix="quotebot-answer")
        if self._slots is None:
            self._slots = asyncio.Semaphore(max(self.settings.queue, self.settings.workers))
        loop = asyncio.get_running_loop()
        async with self._slots:
            self.pending += 1
            try:
                return await loop.run_in_executor(self._executor, self.answer, question)
            finally:
                self.pending -= 1

    def close(self) -> None:
        """Stop the worker threads."""
        if self._executor is not None:
            self._executor.shutdown(wait=True)
            self._executor = None

    def _passages(self, found: tuple[SearchHit, ...]) -> list[tuple[Passage, SearchHit]]:
        """Turn sentences into passages: near-duplicates (syndicated copy) become one passage citing every source."""
        out: list[tuple[Passage, SearchHit]] = []
        seen: dict[str, int] = {}
        shapes: list[frozenset[str]] = []
        similarity = self.settings.duplicate_similarity
        for f in found:
            hit = f.hit
            source = Source(hit.article_id, hit.title, hit.date, hit.url)
            key = _normalise(hit.text)
            shape = word_set(hit.text)
            same = seen.get(key)
            if same is None and similarity < 1:
                same = next((j for j, other in enumerate(shapes) if near_duplicate(shape, other, similarity)), None)
            if same is not None:
                first, first_found = out[same]
                if source.id != first.source.id and all(source.id != s.id for s in first.also):
                    out[same] = (replace(first, also=(*first.also, source)), first_found)
                continue
            seen[key] = len(out)
            shapes.append(shape)
            out.append((Passage(hit.text, source, hit.start, hit.end, hit.score), f))
        return out

    def _finish(self, passage: Passage, f: SearchHit, result: SearchResult, want_why: bool) -> Passage:
        """Add what only shown passages need: highlights, the sentence leaned on, and the "why" view."""
        highlights = self.searcher.highlights(passage.text, result.terms)
        leaned = f.context if self.settings.context else None
        context = Context(leaned.text, leaned.start, leaned.end) if leaned else None
        why = None
        if want_why and f.ranked is not None and f.row is not None:
            why = explain(f.ranked, f.row, self.searcher.tokenizer, result.searched, passage.text)
        return replace(passage, highlights=highlights, context=context, explanation=why)
