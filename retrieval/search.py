"""The one query path: question → terms and date range → candidates of every part → re-order → decline or keep.

Everything that answers a question (the bot, the evaluation, the tests and the benchmarks) calls
:meth:`Searcher.search`. It

1. finds a date phrase ("in 2020", "last year") and leaves it out of the search (:mod:`retrieval.dates`);
2. turns the rest into search terms (:func:`retrieval.ranking.query_terms` when re-ranking, else the tokenizer);
3. searches every *part*: one index, or a live index's base (its changed files hidden) and its delta;
4. re-orders the candidates of all parts by one score (:func:`reorder`: the re-ranker's, or BM25 plus paragraph);
5. decides whether the best of them answers the question at all (:func:`decide`: the "nothing found" gate): by
   lexical coverage alone, or, with a semantic scorer (:mod:`retrieval.semantic`), by coverage and the best
   candidates' closeness in meaning together; then :func:`reorder` again puts those candidates in the order the two
   kinds of evidence give together;
6. returns a :class:`SearchResult` whose hits carry their text, source, offsets, and the sentence they lean on, and
   (re-ranked) the question's names that no article mentions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .background import evidence_weights, zipf_table
from .continuation import leans_on_previous
from .dates import DateFilter, date_filter
from .index import Hit, SentenceIndex
from .live import LiveIndex, MergedIndex
from .ranking import Candidates, Ranked, query_terms
from .related import ENGLISH
from .rerank import rank
from .semantic import Blend, SemanticScorer, candidate_text, declines, order, unknown_names
from .tokens import Tokenizer

#: What a :class:`Searcher` searches: one index, or a live one (a base plus a delta of changed files).
AnyIndex = SentenceIndex | MergedIndex | LiveIndex


@dataclass(frozen=True)
class Gate:
    """When a search says "nothing found" rather than return its best sentences."""

    #: Without re-ranking (``[index] rerank = false``): below this combined BM25 score a sentence doesn't count.
    min_score: float = 0.3
    #: With re-ranking and no semantic scorer: the best sentence, with its two neighbours, must hold at least this share of the question
    #: (its words weighed by IDF in the corpus and in English at large: :mod:`retrieval.background`; words the
    #: sentence says in related words count half: :func:`confidence`), else nothing is found
    #: (calibrated by ``bench/calibrate_threshold.py``).
    min_coverage: float = 0.32


#: No gate at all: every candidate sharing a term with the question is returned (by a :class:`Searcher` without a
#: semantic scorer; one with a scorer still declines what the model and coverage together reject).
NO_GATE = Gate(min_score=0.0, min_coverage=0.0)

#: How much a question word the best sentence says in a related word counts towards :func:`confidence`.
RELATED_CREDIT = 0.5


def confidence(candidates: Candidates, row: int, weights: NDArray[np.float64] | None = None) -> float:
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
class Context:
    """The sentence before a hit, shown with it because the hit leans on it ("He died in 1259.")."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class SearchHit:
    """One sentence found: what a quote shows, the sentence it leans on, and (re-ranked) its row for ``--explain``."""

    hit: Hit
    context: Context | None = None
    #: The re-ranked candidates it is one of, and its row among them (``None`` for plain BM25).
    ranked: Ranked | None = None
    row: int | None = None


@dataclass(frozen=True)
class SearchResult:
    """What one search found, best first, and why it may have found nothing."""

    question: str
    #: The question without its date phrase: what was searched.
    searched: str
    terms: tuple[str, ...]
    hits: tuple[SearchHit, ...]
    #: The date range the question asked about, if any.
    dates: DateFilter | None = None
    #: Re-ranked: how much of the question the best candidate answers (:func:`confidence`); ``None`` for plain BM25
    #: or when there was no candidate.
    confidence: float | None = None
    #: True when candidates were found but the gate judged the best one not to answer the question.
    declined: bool = False
    #: Re-ranked: the names (and rare words) in the question that no sentence of any article uses
    #: (:func:`retrieval.semantic.unknown_names`), for saying what no article mentions when nothing is found.
    unknown: tuple[str, ...] = ()


@dataclass(frozen=True)
class Verdict:
    """What :func:`decide` found about the best candidates: whether they answer the question, and the evidence."""

    #: How much of the question the best (lexical) candidate answers (:func:`confidence`).
    confidence: float
    declined: bool
    #: With a semantic scorer: each of the first ``len(semantic)`` candidates' closeness in meaning to the question.
    semantic: NDArray[np.float64] | None = None
    #: The semantic share of the re-ordering score (:meth:`retrieval.semantic.Blend.weight`).
    weight: float = 0.0


@dataclass(frozen=True)
class _Part:
    """One index searched, and which of its articles may be quoted (``None``: all)."""

    index: SentenceIndex
    hidden: NDArray[np.bool_] | None = None
    #: Added to its sentence numbers: a delta's follow the base's, so every hit of a live index has its own number.
    offset: int = 0


@dataclass(frozen=True)
class _Scored:
    """One candidate of one part, before the gate."""

    score: float
    part: _Part
    sentence: int
    ranked: Ranked | None = None
    row: int | None = None


def _parts(index: AnyIndex) -> list[_Part]:
    """The indexes to search: the index itself, or a live index's base (minus changed files) and delta."""
    if isinstance(index, SentenceIndex):
        return [_Part(index)]
    merged = index.index if isinstance(index, LiveIndex) else index
    parts = [_Part(merged.base, merged.hidden_articles)]
    if merged.delta is not None and merged.delta.num_sentences:
        parts.append(_Part(merged.delta, offset=merged.base.num_sentences))
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


def _reranked(part: _Part, terms: list[str], question: str, allowed: NDArray[np.bool_] | None, need: int) -> list[_Scored]:
    """The ``need`` best candidates of one part by the re-ranker's score."""
    ranked = rank(part.index, terms, question, allowed=allowed)
    order = np.argsort(-ranked.scores, kind="stable")[:need]
    return [_Scored(float(ranked.scores[r]), part, int(ranked.candidates.ids[r]), ranked, int(r)) for r in order]


def _plain(part: _Part, terms: list[str], allowed: NDArray[np.bool_] | None, need: int, min_score: float) -> list[_Scored]:
    """The ``need`` best sentences of one part by own BM25 plus weighted paragraph BM25, at least ``min_score``."""
    index, settings = part.index, part.index.settings
    # The best `candidates` sentences by their own score, reading only the query terms' postings.
    top, own = index.sentence_engine.top(terms, settings.candidates)
    positive = own > 0
    ids, combined = top[positive], own[positive]
    if settings.paragraph_weight and ids.size:
        context = index.paragraph_engine.scores_at(terms, index.sent_paragraph[ids].astype(np.int64))
        combined = combined + settings.paragraph_weight * context
    combined = combined.astype(np.float32)
    keep = combined >= min_score
    if allowed is not None:
        keep &= allowed[index.sent_article[ids]]
    ids, combined = ids[keep], combined[keep]
    order = np.argsort(-combined, kind="stable")[:need]
    return [_Scored(float(s), part, int(i)) for i, s in zip(ids[order].tolist(), combined[order].tolist(), strict=True)]


def reorder(scored: list[_Scored], need: int, verdict: Verdict | None = None) -> list[_Scored]:
    """All parts' candidates in one order, best first (ties keep part order), cut to ``need``; with a
    :class:`Verdict` holding semantic scores of the first candidates (in that order), those re-ordered by lexical
    and semantic evidence together (:func:`retrieval.semantic.order`), the rest after them.

    The one place candidates are re-ordered.
    """
    lexical = sorted(scored, key=lambda s: -s.score)[:need]
    if verdict is None or verdict.semantic is None:
        return lexical
    head, tail = lexical[: verdict.semantic.size], lexical[verdict.semantic.size :]
    scores = np.array([s.score for s in head])
    return [head[i] for i in order(scores, verdict.semantic, verdict.weight)] + tail


def coverage(best: _Scored, question: str) -> float:
    """How much of the question the best re-ranked candidate answers (:func:`confidence`, its words weighed by
    :func:`~retrieval.background.evidence_weights`)."""
    assert best.ranked is not None and best.row is not None
    c = best.ranked.candidates
    index = best.part.index
    weights = evidence_weights(index.tokenizer, question, c.terms, c.idf, index.num_sentences)
    return confidence(c, best.row, weights)


def decide(
    kept: list[_Scored], question: str, gate: Gate, semantic: SemanticScorer | None, blend: Blend, unknown: tuple[str, ...]
) -> Verdict:
    """Whether the re-ranked candidates ``kept`` (best lexical first) answer ``question``: the one place "nothing
    found" is decided. Without a semantic scorer, the best must hold ``gate.min_coverage`` of the question
    (:func:`coverage`); with one, the model reads the best ``blend.top`` and the search declines when coverage and
    the closest in meaning together fall short (:func:`retrieval.semantic.declines`)."""
    sure = coverage(kept[0], question)
    if semantic is None:
        return Verdict(sure, sure < gate.min_coverage)
    head = kept[: blend.top]
    scores = semantic.score(question, [_candidate_text(s) for s in head])
    return Verdict(sure, declines(sure, float(scores.max()), unknown, blend), scores, blend.weight(sure))


def _candidate_text(s: _Scored) -> str:
    """What the semantic model reads of one candidate: its article's title, the sentence it leans on, and itself."""
    index = s.part.index
    text = index.sentence_text(s.sentence)
    leaned = context_before(index, s.sentence, text)
    a = int(index.sent_article[s.sentence])
    return candidate_text(text, index.articles.titles[a], leaned.text if leaned else None)


def _unknown(question: str, parts: list[_Part]) -> tuple[str, ...]:
    """The names (and, for English, rare words) in ``question`` that no sentence of any part uses."""
    tokenizer = parts[0].index.tokenizer
    frequencies = zipf_table() if tokenizer.stem in ENGLISH else None
    return tuple(unknown_names(question, tokenizer, [p.index for p in parts], frequencies))


def context_before(index: SentenceIndex, i: int, text: str) -> Context | None:
    """The sentence before sentence ``i`` in its article, when ``i`` (of ``text``) leans on it."""
    if i == 0 or not leans_on_previous(text):
        return None
    if index.sent_article[i - 1] != index.sent_article[i]:
        return None
    return Context(index.sentence_text(i - 1), int(index.sent_start[i - 1]), int(index.sent_end[i - 1]))


def _hits(scored: list[_Scored]) -> tuple[SearchHit, ...]:
    """The :class:`SearchHit` of every kept candidate."""
    out = []
    for s in scored:
        hit = s.part.index.hit(s.sentence, s.score)
        context = context_before(s.part.index, s.sentence, hit.text)
        out.append(SearchHit(hit._replace(sentence=hit.sentence + s.part.offset), context, s.ranked, s.row))
    return tuple(out)


class Searcher:
    """Answers searches over one index (or a live one); safe to share between threads.

    With a ``semantic`` scorer (:class:`retrieval.semantic.SemanticScorer`), re-ranked searches weigh its evidence
    with the lexical one as ``blend`` says, to decide "nothing found" and to order the best candidates; without
    one (the default), the lexical path alone.
    """

    def __init__(
        self, index: AnyIndex, gate: Gate | None = None, semantic: SemanticScorer | None = None, blend: Blend | None = None
    ) -> None:
        self.index = index
        self.gate = gate or Gate()
        self.semantic = semantic
        self.blend = blend or Blend()

    def over(self, index: AnyIndex) -> Searcher:
        """A searcher like this one (gate, semantic scorer, blend) over ``index`` (a live index swapped in)."""
        return Searcher(index, self.gate, self.semantic, self.blend)

    @property
    def tokenizer(self) -> Tokenizer:
        """The tokenizer of the index (the same for a live index's base and delta)."""
        return _parts(self.index)[0].index.tokenizer

    @property
    def newest(self) -> dt.date | None:
        """The newest article date ("last year" counts from it); ``None`` when no article is dated."""
        days = [int(np.max(p.index.articles.dates)) for p in _parts(self.index) if len(p.index.articles)]
        best = max(days, default=0)
        return dt.date.fromordinal(best) if best > 0 else None

    def terms(self, text: str) -> list[str]:
        """The search terms of ``text``: without framing words when re-ranking, else every token."""
        first = _parts(self.index)[0].index
        return query_terms(first.tokenizer, text) if first.settings.rerank else first.tokenizer(text)

    def highlights(self, text: str, terms: tuple[str, ...]) -> tuple[tuple[int, int], ...]:
        """Character spans of ``text`` whose term is one of ``terms``."""
        wanted = set(terms)
        return tuple((s, e) for term, s, e in self.tokenizer.words(text) if term in wanted)

    def search(self, question: str, k: int = 10, gate: Gate | None = None) -> SearchResult:
        """The ``k`` best sentences for ``question``, best first, or none when the best does not answer it."""
        gate = gate or self.gate
        parts = _parts(self.index)
        newest = self.newest
        when = date_filter(question, newest) if newest is not None else None
        searched = f"{question[: when.span[0]]} {question[when.span[1] :]}" if when else question
        terms = self.terms(searched)
        if not terms or k <= 0:
            return SearchResult(question, searched, tuple(terms), (), when)
        rerank = parts[0].index.settings.rerank
        scored: list[_Scored] = []
        for part in parts:
            allowed = _allowed(part, when)
            found = _reranked(part, terms, searched, allowed, k) if rerank else _plain(part, terms, allowed, k, gate.min_score)
            scored.extend(found)
        kept = reorder(scored, k)
        if not rerank:
            return SearchResult(question, searched, tuple(terms), _hits(kept), when)
        unknown = _unknown(searched, parts)
        if not kept:
            return SearchResult(question, searched, tuple(terms), (), when, unknown=unknown)
        verdict = decide(kept, searched, gate, self.semantic, self.blend, unknown)
        if verdict.declined:
            return SearchResult(question, searched, tuple(terms), (), when, verdict.confidence, declined=True, unknown=unknown)
        kept = reorder(kept, k, verdict)
        return SearchResult(question, searched, tuple(terms), _hits(kept), when, verdict.confidence, unknown=unknown)
