"""Re-scoring candidate sentences with context and answer cues, on top of BM25.

:func:`candidates` scores every sentence with BM25 one query term at a time (so
each term's share is known, for ``--explain`` and for coverage), keeps the best
``n`` by BM25 plus paragraph context, and computes a row of features for each:

- ``own``: the sentence's BM25 score;
- ``paragraph``: its paragraph's BM25 score;
- ``neighbour``: the better BM25 score of the sentences just before and after it, in its paragraph;
- ``coverage``: the share of the question's IDF mass whose terms the sentence contains;
- ``window``: the same share over the sentence and its two neighbours;
- ``proximity``: the share of the question's adjacent term pairs that are adjacent in the sentence too;
- ``answer_type``: 1 when the question asks when / how many / who / where and the sentence holds
  a year or date / a number / a name / a place that the question does not already contain.

:func:`combine` weighs them into one score. Everything here is plain NumPy and regular
expressions over the index's own data; no model, nothing learnt per question or article.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from .qtype import answer_type
from .tokens import Tokenizer

if TYPE_CHECKING:
    from .index import SentenceIndex

FEATURES = ("own", "paragraph", "neighbour", "coverage", "window", "proximity", "answer_type", "article", "para_coverage", "art_coverage", "local", "local_coverage", "local_para")

_YEAR = re.compile(r"\b(?:1[0-9]{3}|20[0-9]{2})s?\b")
_MONTH = re.compile(
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December)\b|\b[0-9]{1,2}(?:st|nd|rd|th)? century\b"
)
_NUMBER = re.compile(
    r"\b\d[\d,.]*\b|\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|thousand|"
    r"million|billion|dozen|half|percent)\b",
    re.I,
)
_NAME = re.compile(r"\b[A-Z][\w'’.-]*[a-z][\w'’-]*")
_PLACE = re.compile(r"\b(?:in|at|from|near|to|into|across|of)\s+(?:the\s+)?([A-Z][\w'’-]+)")


#: Words that frame a question rather than name what it is about ("what *kind* of", "how *many*",
#: "what is the *name* of"): the sentence that answers holds the answer in their place, so they are not searched for.
QUESTION_FRAME = frozenset(
    "kind kinds type types sort sorts many much long percentage name names named call called happen happened happens "
    "besides another think consider considered according example examples".split()
)


def query_terms(tokenizer: Tokenizer, question: str, drop_frame: bool = True) -> list[str]:
    """The distinct search terms of ``question``, in order, without its framing words (unless nothing else is left)."""
    words = [w for w in re.findall(r"\w+(?:['’.]\w+)*", question.lower())]
    terms = list(dict.fromkeys(tokenizer(question)))
    if not drop_frame:
        return terms
    frame = {tokenizer(w)[0] for w in words if w in QUESTION_FRAME and tokenizer(w)}
    kept = [t for t in terms if t not in frame]
    return kept or terms


@dataclass
class Candidates:
    """The candidate sentences of one query, with their features and each term's BM25 share."""

    terms: list[str]
    #: IDF of each term of ``terms`` among sentences.
    idf: NDArray[np.float64]
    ids: NDArray[np.int64]
    #: One row per candidate, one column per name in :data:`FEATURES`.
    features: NDArray[np.float64]
    #: One row per candidate, one column per term: that term's share of the sentence's BM25 score.
    term_scores: NDArray[np.float64]


def _novel(pattern: re.Pattern[str], text: str, question: str, group: int = 0) -> bool:
    """True when ``pattern`` matches something in ``text`` that ``question`` does not contain."""
    lowered = question.lower()
    return any(m.group(group).lower() not in lowered for m in pattern.finditer(text))


def answer_cue(kind: str | None, text: str, question: str) -> float:
    """1.0 when ``text`` holds an answer of ``kind`` (see :func:`retrieval.qtype.answer_type`) not already in the question."""
    if kind == "date":
        return float(_novel(_YEAR, text, question) or _novel(_MONTH, text, question))
    if kind == "number":
        return float(_novel(_NUMBER, text, question))
    if kind == "person":
        names = [m for m in _NAME.finditer(text) if m.start() > 0]
        lowered = question.lower()
        return float(any(m.group().lower() not in lowered for m in names))
    if kind == "place":
        return float(_novel(_PLACE, text, question, group=1))
    return 0.0


def _pairs(terms: Sequence[str]) -> set[tuple[str, str]]:
    return {(a, b) for a, b in zip(terms, terms[1:], strict=False) if a != b}


def candidates(
    sentence_scores: NDArray[np.float32] | None,
    per_term: list[NDArray[np.float32]],
    paragraph_scores: NDArray[np.float32],
    paragraph_terms: list[NDArray[np.float32]],
    sent_paragraph: NDArray[np.int32],
    sent_article: NDArray[np.int32],
    texts: Callable[[int], str],
    terms: list[str],
    question: str,
    tokenizer: Tokenizer,
    n: int,
    paragraph_weight: float,
) -> Candidates:
    """Pick the ``n`` best sentences by BM25 plus ``paragraph_weight`` x paragraph BM25, and compute their features.

    ``per_term[j]`` holds every sentence's BM25 score for ``terms[j]`` alone; their sum is the
    sentence's own score. Only sentences sharing at least one term with the query are candidates.
    """
    num = per_term[0].size if per_term else 0
    if num == 0:
        empty = np.empty((0, len(FEATURES)))
        return Candidates(terms, np.empty(0), np.empty(0, dtype=np.int64), empty, np.empty((0, len(terms))))
    stacked = np.vstack(per_term).astype(np.float64)
    own = stacked.sum(axis=0) if sentence_scores is None else sentence_scores.astype(np.float64)
    df = np.count_nonzero(stacked, axis=1)
    idf = np.log1p((num - df + 0.5) / (df + 0.5))
    pool = own + paragraph_weight * paragraph_scores[sent_paragraph]
    pool[own <= 0] = -np.inf
    k = min(n, int(np.count_nonzero(own > 0)))
    if k == 0:
        empty = np.empty((0, len(FEATURES)))
        return Candidates(terms, idf, np.empty(0, dtype=np.int64), empty, np.empty((0, len(terms))))
    ids = np.argpartition(-pool, k - 1)[:k] if k < num else np.flatnonzero(own > 0)
    ids = ids.astype(np.int64)
    term_scores = stacked[:, ids].T
    mass = float(idf.sum()) or 1.0
    matched = term_scores > 0
    coverage = (matched * idf).sum(axis=1) / mass

    same_prev = np.zeros(k, dtype=bool)
    same_next = np.zeros(k, dtype=bool)
    prev_ids = np.maximum(ids - 1, 0)
    next_ids = np.minimum(ids + 1, num - 1)
    same_prev = (ids > 0) & (sent_paragraph[prev_ids] == sent_paragraph[ids])
    same_next = (ids < num - 1) & (sent_paragraph[next_ids] == sent_paragraph[ids])
    neighbour = np.maximum(np.where(same_prev, own[prev_ids], 0.0), np.where(same_next, own[next_ids], 0.0))
    window_matched = matched | (stacked[:, prev_ids].T > 0) & same_prev[:, None] | (stacked[:, next_ids].T > 0) & same_next[:, None]
    window = (window_matched * idf).sum(axis=1) / mass

    query_pairs = _pairs(terms)
    kind = answer_type(question)
    proximity = np.zeros(k)
    cue = np.zeros(k)
    for row, i in enumerate(ids):
        text = texts(int(i))
        if query_pairs:
            proximity[row] = len(query_pairs & _pairs(tokenizer(text))) / len(query_pairs)
        if kind is not None:
            cue[row] = answer_cue(kind, text, question)
    paras = sent_paragraph[ids]
    para_article = np.zeros(paragraph_scores.size, dtype=np.int64)
    para_article[sent_paragraph] = sent_article
    n_articles = int(sent_article.max()) + 1 if sent_article.size else 1
    article_best = np.zeros(n_articles)
    np.maximum.at(article_best, para_article, paragraph_scores)
    para_matched = np.vstack(paragraph_terms) > 0 if paragraph_terms else np.zeros((0, paragraph_scores.size), dtype=bool)
    para_coverage = (para_matched[:, paras].T * idf).sum(axis=1) / mass
    art_matched = np.zeros((len(terms), n_articles), dtype=bool)
    for j in range(len(terms)):
        art_matched[j, np.unique(para_article[para_matched[j]])] = True
    arts = sent_article[ids]
    art_coverage = (art_matched[:, arts].T * idf).sum(axis=1) / mass
    # Article-local IDF: a term found in most of the article's sentences (its topic) says little about which one answers.
    sentences_in = np.bincount(sent_article, minlength=n_articles).astype(np.float64)
    all_matched = stacked > 0
    local_df = np.vstack([np.bincount(sent_article[all_matched[j]], minlength=n_articles) for j in range(len(terms))])
    local_idf = np.log1p((sentences_in - local_df + 0.5) / (local_df + 0.5))[:, arts].T
    local = (matched * local_idf * idf).sum(axis=1)
    local_mass = (local_idf * idf).sum(axis=1)
    local_coverage = local / np.maximum(local_mass, 1e-9)
    # The same for paragraphs: which paragraph of the article holds the rarer (in the article) question terms.
    paragraphs_in = np.bincount(para_article, minlength=n_articles).astype(np.float64)
    local_pdf = np.vstack([np.bincount(para_article[para_matched[j]], minlength=n_articles) for j in range(len(terms))])
    local_pidf = np.log1p((paragraphs_in - local_pdf + 0.5) / (local_pdf + 0.5))[:, arts].T
    p_matched = para_matched[:, paras].T
    local_para = (p_matched * local_pidf * idf).sum(axis=1) / np.maximum((local_pidf * idf).sum(axis=1), 1e-9)
    features = np.column_stack(
        [
            own[ids] / mass, paragraph_scores[paras] / mass, neighbour / mass, coverage, window, proximity, cue,
            article_best[arts] / mass, para_coverage, art_coverage, local / mass, local_coverage, local_para,
        ]
    )
    return Candidates(terms, idf, ids, features, term_scores)


def combine(c: Candidates, weights: Sequence[float]) -> NDArray[np.float64]:
    """One score per candidate: the features weighed by ``weights`` (in :data:`FEATURES` order)."""
    if c.features.size == 0:
        return np.empty(0)
    return c.features @ np.asarray(weights, dtype=np.float64)


#: The weight of each feature (:data:`FEATURES` order), tuned by ``bench/tune_ranking.py`` on the
#: SQuAD dev split (even articles) and checked on the odd ones; see docs/quality.md.
WEIGHTS: dict[str, float] = {
    "own": 1.0,
    "paragraph": 2.0,
    "neighbour": 0.0,
    "coverage": 0.0,
    "window": 0.8,
    "proximity": 0.5,
    "answer_type": 0.5,
    "article": 8.0,
    "para_coverage": 0.0,
    "art_coverage": 0.8,
    "local": 0.3,
    "local_coverage": 0.8,
    "local_para": 0.5,
}


@dataclass
class Ranked:
    """Candidates of one query with their combined scores (same order as ``candidates.ids``)."""

    candidates: Candidates
    scores: NDArray[np.float64]


def rank(index: SentenceIndex, terms: list[str], question: str = "", weights: dict[str, float] | None = None) -> Ranked:
    """Score ``index``'s sentences for ``terms`` term by term, pick candidates and weigh their features."""
    terms = list(dict.fromkeys(terms))
    per_term = [index.sentence_engine.get_scores([t]) for t in terms]
    para_terms = [index.paragraph_engine.get_scores([t]) for t in terms]
    para = np.sum(para_terms, axis=0) if para_terms else np.zeros(0, dtype=np.float32)
    c = candidates(
        None,
        per_term,
        para,
        para_terms,
        index.sent_paragraph,
        index.sent_article,
        index.sentence_text,
        terms,
        question,
        index.tokenizer,
        index.settings.candidates,
        index.settings.paragraph_weight,
    )
    w = {**WEIGHTS, **(weights or {})}
    return Ranked(c, combine(c, [w[name] for name in FEATURES]))
