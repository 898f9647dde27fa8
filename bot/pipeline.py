"""The one answering pipeline every platform uses: ``Question`` → retrieval → ``Answer``."""

from __future__ import annotations

import asyncio
import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from retrieval import ranking
from retrieval.background import evidence_weights, zipf_table
from retrieval.continuation import leans_on_previous
from retrieval.dates import DateFilter, date_filter
from retrieval.index import Hit, SentenceIndex
from retrieval.live import LiveIndex, MergedIndex
from retrieval.related import ENGLISH
from retrieval.semantic import Blend, SemanticScorer, candidate_text, declines, leaned_on, order, unknown_names

from .models import Answer, Context, NoAnswer, Passage, Question, Source
from .present import explain, near_duplicate, word_set

#: What an :class:`Answerer` can answer from: one index, or a live one (a base plus a delta of changed files).
AnyIndex = SentenceIndex | MergedIndex | LiveIndex


@dataclass(frozen=True)
class AnswerSettings:
    """How answers are chosen and shaped."""

    #: Passages shown per answer.
    passages: int = 3
    #: Without re-ranking (``[index] rerank = false``): below this combined BM25 score a sentence doesn't count as an answer.
    min_score: float = 0.3
    #: With re-ranking: the best sentence, with its two neighbours, must hold at least this share of the question
    #: (its words weighed by IDF in the corpus and in English at large: :mod:`retrieval.background`; words the
    #: sentence says in related words count half: :func:`confidence`), else the answer is "nothing found"
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


def _listed(names: list[str]) -> str:
    """``["A"]`` → "A", ``["A", "B"]`` → "A or B", ``["A", "B", "C"]`` → "A, B or C" (at most :data:`NAMES_LISTED`
    names, each cut to :data:`NAME_CHARS` characters)."""
    words = [n if len(n) <= NAME_CHARS else n[: NAME_CHARS - 1] + "…" for n in names[:NAMES_LISTED]]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"


def _normalise(text: str) -> str:
    return " ".join(text.split()).casefold()


#: How much a question word the best sentence says in a related word counts towards :func:`confidence`.
RELATED_CREDIT = 0.5


def confidence(candidates: ranking.Candidates, row: int, weights: NDArray[np.float64] | None = None) -> float:
    """How much of the question candidate ``row`` answers, to compare with ``min_coverage``: the share of the
    question's words (by ``weights``, default their IDF) that it and its two neighbours hold, plus half the share
    it says in related words. With the default weights this is ``window + 0.5 * related`` of its features."""
    w = candidates.idf if weights is None else weights
    mass = float(w.sum())
    if mass <= 0:
        return 0.0
    held = candidates.window_hits[row] + RELATED_CREDIT * candidates.related_hits[row]
    return float(held @ w) / mass


@dataclass(frozen=True)
class _Part:
    """One index searched for an answer, and which of its articles may be quoted (``None``: all)."""

    index: SentenceIndex
    hidden: NDArray[np.bool_] | None = None


@dataclass(frozen=True)
class _Found:
    """One retrieved sentence, with the part it came from and, when re-ranked, its row for the "why" view."""

    part: _Part
    hit: Hit
    ranked: ranking.Ranked | None = None
    row: int | None = None


def _parts(index: AnyIndex) -> list[_Part]:
    """The indexes to search: the index itself, or a live index's base (minus changed files) and delta."""
    if isinstance(index, SentenceIndex):
        return [_Part(index)]
    merged = index.index if isinstance(index, LiveIndex) else index
    parts = [_Part(merged.base, merged.hidden_articles)]
    if merged.delta is not None and merged.delta.num_sentences:
        parts.append(_Part(merged.delta))
    return parts


def _allowed(part: _Part, when: DateFilter | None) -> NDArray[np.bool_] | None:
    """One flag per article of ``part``: may it be quoted (not replaced by a newer file, in the date range)?"""
    if part.hidden is None and when is None:
        return None
    dates = np.asarray(part.index.articles.dates)
    allowed = np.ones(len(dates), dtype=bool) if part.hidden is None else ~part.hidden
    if when is not None:
        allowed &= dates > 0
        if when.start is not None:
            allowed &= dates >= when.start.toordinal()
        if when.end is not None:
            allowed &= dates < when.end.toordinal()
    return allowed


class Answerer:
    """Answers questions from one :class:`SentenceIndex` (or a live index); safe to share between platforms."""

    def __init__(self, index: AnyIndex, settings: AnswerSettings | None = None, blend: Blend | None = None) -> None:
        self.index = index
        self.settings = settings or AnswerSettings()
        #: With ``settings.semantic``: the semantic weight, how many candidates the model reads, the "nothing found" cut.
        self.blend = blend or Blend()
        #: The semantic scorer (``settings.semantic``); loading it raises ``ModelMissing`` when it is not installed.
        self.semantic = SemanticScorer.load() if self.settings.semantic else None
        self._executor: ThreadPoolExecutor | None = None
        self._slots: asyncio.Semaphore | None = None
        #: Questions now queued for or running on the worker threads (never above ``settings.queue``).
        self.pending = 0

    @property
    def newest(self) -> dt.date | None:
        """The newest article date ("last year" counts from it); ``None`` when no article is dated."""
        days = [int(np.max(p.index.articles.dates)) for p in _parts(self.index) if len(p.index.articles)]
        best = max(days, default=0)
        return dt.date.fromordinal(best) if best > 0 else None

    def answer(self, question: Question) -> Answer:
        """Answer ``question`` with up to ``k`` passages, or say plainly why there are none."""
        text = question.text.strip()
        if not text:
            return Answer(question.text, reason=NoAnswer.EMPTY, message=NoAnswer.EMPTY.value)
        limit = self.settings.max_question_chars
        if len(text) > limit:
            message = NoAnswer.TOO_LONG.value.format(length=len(text), limit=limit)
            return Answer(text, reason=NoAnswer.TOO_LONG, message=message)
        parts = _parts(self.index)
        first = parts[0].index
        newest = self.newest
        when = date_filter(text, newest) if newest is not None else None
        search_text = f"{text[: when.span[0]]} {text[when.span[1] :]}" if when else text
        rerank = first.settings.rerank
        terms = ranking.query_terms(first.tokenizer, search_text) if rerank else first.tokenizer(search_text)
        if not terms:
            return Answer(text, reason=NoAnswer.NO_CONTENT_WORDS, message=NoAnswer.NO_CONTENT_WORDS.value)
        k = max(1, question.k or self.settings.passages)
        offset = max(0, question.offset)
        need = (offset + k) * 3 + 10
        note = f"Searched {when.label}." if when else ""
        unknown: list[str] = []
        if rerank:
            found, unknown = self._reranked(parts, terms, search_text, when, need)
        else:
            found = self._plain(parts, terms, when, need)
        passages = self._passages(found)
        page = [self._finish(p, f, set(terms), question.explain, search_text) for p, f in passages[offset : offset + k]]
        # A sentence leaned on that was just quoted above on this page needs no repeating as context.
        shown: set[tuple[str, int]] = set()
        for i, p in enumerate(page):
            if p.context and (p.source.id, p.context.start) in shown:
                page[i] = replace(p, context=None)
            shown.add((p.source.id, p.start))
        if not page:
            reason = NoAnswer.NO_MORE if offset and passages else NoAnswer.NOT_FOUND
            message = reason.value if not when else f"{reason.value[:-1]} among the {when.label}."
            if reason is NoAnswer.NOT_FOUND and unknown and not when:
                reason = NoAnswer.NOT_MENTIONED
                message = reason.value.format(names=_listed(unknown))
            return Answer(text, reason=reason, message=message, offset=offset, terms=tuple(terms), note=note)
        return Answer(text, tuple(page), offset=offset, has_more=len(passages) > offset + k, terms=tuple(terms), note=note)

    def _reranked(
        self, parts: list[_Part], terms: list[str], question: str, when: DateFilter | None, need: int
    ) -> tuple[list[_Found], list[str]]:
        """The best re-ranked sentences of every part, or none when the best is not confident enough; with the
        semantic scorer, its best candidates re-ordered and "nothing found" decided by :meth:`_semantic`. Also the
        question's names that no article mentions (for the message when there is no answer)."""
        scored: list[tuple[float, _Part, ranking.Ranked, int]] = []
        for part in parts:
            ranked = part.index.rank(terms, question, _allowed(part, when))
            order = np.argsort(-ranked.scores, kind="stable")[:need]
            scored.extend((float(ranked.scores[r]), part, ranked, int(r)) for r in order)
        scored.sort(key=lambda item: -item[0])
        scored = scored[:need]
        tokenizer = parts[0].index.tokenizer
        unknown = unknown_names(question, tokenizer, [p.index for p in parts], zipf_table() if tokenizer.stem in ENGLISH else None)
        if not scored:
            return [], unknown
        _, part, best, row = scored[0]
        c = best.candidates
        weights = evidence_weights(part.index.tokenizer, question, c.terms, c.idf, part.index.num_sentences)
        coverage = confidence(c, row, weights)
        found = [_Found(part, part.index.hit(int(ranked.candidates.ids[r]), score), ranked, r) for score, part, ranked, r in scored]
        if self.semantic is not None:
            return self._semantic(self.semantic, question, found, coverage, unknown), unknown
        if coverage < self.settings.min_coverage:
            return [], unknown
        return found, unknown

    def _semantic(self, scorer: SemanticScorer, question: str, found: list[_Found], coverage: float, unknown: list[str]) -> list[_Found]:
        """The best ``blend.top`` of ``found`` re-ordered by lexical and semantic evidence together (the rest after
        them), or none when the two together say the corpus does not answer the question."""
        settings = self.blend
        head, tail = found[: settings.top], found[settings.top :]
        semantic = scorer.score(question, [candidate_text(f.hit.text, f.hit.title, leaned_on(f.part.index, f.hit.sentence)) for f in head])
        if declines(coverage, float(semantic.max()), unknown, settings):
            return []
        lexical = np.array([f.hit.score for f in head])
        return [head[i] for i in order(lexical, semantic, settings.weight(coverage))] + tail

    def _plain(self, parts: list[_Part], terms: list[str], when: DateFilter | None, need: int) -> list[_Found]:
        """The best sentences by BM25 plus paragraph context, above ``min_score``."""
        found: list[_Found] = []
        for part in parts:
            ids, combined = part.index.scores(terms)
            allowed = _allowed(part, when)
            keep = combined >= self.settings.min_score
            if allowed is not None:
                keep &= allowed[part.index.sent_article[ids]]
            ids, combined = ids[keep], combined[keep]
            order = np.argsort(-combined, kind="stable")[:need]
            found.extend(_Found(part, hit) for hit in part.index.hits(ids[order], combined[order]))
        found.sort(key=lambda f: -f.hit.score)
        return found[:need]

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

    def _passages(self, found: list[_Found]) -> list[tuple[Passage, _Found]]:
        """Turn sentences into passages: near-duplicates (syndicated copy) become one passage citing every source."""
        out: list[tuple[Passage, _Found]] = []
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

    def _finish(self, passage: Passage, f: _Found, terms: set[str], want_why: bool, question: str) -> Passage:
        """Add what only shown passages need: highlights, the sentence leaned on, and the "why" view."""
        tokenizer = f.part.index.tokenizer
        highlights = tuple((s, e) for term, s, e in tokenizer.words(passage.text) if term in terms)
        context = self._context(f) if self.settings.context else None
        why = None
        if want_why and f.ranked is not None and f.row is not None:
            why = explain(f.ranked, f.row, tokenizer, question, passage.text)
        return replace(passage, highlights=highlights, context=context, explanation=why)

    def _context(self, f: _Found) -> Context | None:
        """The sentence before the hit in its article, when the hit leans on it (news paragraphs are often one sentence)."""
        i = f.hit.sentence
        index = f.part.index
        if i == 0 or not leans_on_previous(f.hit.text):
            return None
        if index.sent_article[i - 1] != index.sent_article[i]:
            return None
        start, end = int(index.sent_start[i - 1]), int(index.sent_end[i - 1])
        return Context(index.sentence_text(i - 1), start, end)
