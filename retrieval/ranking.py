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
  a year or date / a number / a name / a place that the question does not already contain;
- ``article``: the best paragraph score in the sentence's article; ``article_tf``: how many of the
  article's sentences hold each question term (log-dampened, IDF-weighted): is the article about it;
- ``local``, ``local_coverage``: matched terms weighted by IDF *within the article*, so the article's
  topic words (in most of its sentences) count little when choosing among its sentences; ``local_para``
  the same for the sentence's paragraph among the article's paragraphs;
- ``own_rank``, ``para_rank``: reciprocal ranks of the sentence (among candidates) and of its paragraph;
  ``log_own``, ``log_paragraph``: dampened BM25 scores.

BM25-valued features are divided by the question's IDF mass, so the weights carry across
questions and corpus sizes. :func:`combine` weighs them into one score. Everything here is plain NumPy and regular
expressions over the index's own data; no model, nothing learnt per question or article.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

from .qtype import answer_type
from .tokens import Tokenizer

if TYPE_CHECKING:
    from .index import SentenceIndex

FEATURES = (
    "own", "paragraph", "neighbour", "coverage", "window", "proximity", "answer_type", "article",
    "local", "local_coverage", "local_para", "own_rank", "para_rank", "article_tf", "log_own", "log_paragraph",
)  # fmt: skip

_YEAR = re.compile(r"\b(?:1[0-9]{3}|20[0-9]{2})s?\b")
_MONTH = re.compile(
    r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December)\b"
    r"|\b[0-9]{1,2}(?:st|nd|rd|th)? century\b"
)
_NUMBER = re.compile(
    r"\b\d[\d,.]*\b|\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|thousand|"
    r"million|billion|dozen|half|percent)\b",
    re.I,
)
_NAME = re.compile(r"\b[A-Z][\w'’.-]*[a-z][\w'’-]*")
_PLACE = re.compile(r"\b(?:in|at|from|near|to|into|across|of)\s+(?:the\s+)?([A-Z][\w'’-]+)")


_QWORD = re.compile(r"\w+(?:['’.]\w+)*")

#: Words that frame a question rather than name what it is about ("what *kind* of", "how *many*",
#: "what is the *name* of"): the sentence that answers holds the answer in their place, so they are not searched for.
QUESTION_FRAME = frozenset(
    "kind kinds type types sort sorts many much long percentage name names named call called happen happened happens "
    "besides another think consider considered according example examples".split()
)


def query_terms(tokenizer: Tokenizer, question: str, drop_frame: bool = True) -> list[str]:
    """The distinct search terms of ``question``, in order, without its framing words (unless nothing else is left)."""
    words = _QWORD.findall(question.lower())
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
    #: How many sentences hold each term of ``terms`` (0: the corpus never uses it).
    doc_freq: NDArray[np.int64] = field(default_factory=lambda: np.empty(0, dtype=np.int64))


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
    per_term: list[NDArray[np.float32]],
    paragraph_terms: list[NDArray[np.float32]],
    sent_paragraph: NDArray[np.int32],
    sent_article: NDArray[np.int32],
    texts: Callable[[int], str],
    terms: list[str],
    question: str,
    tokenizer: Tokenizer,
    n: int,
    paragraph_weight: float,
    allowed: NDArray[np.bool_] | None = None,
) -> Candidates:
    """Pick the ``n`` best sentences by BM25 plus ``paragraph_weight`` x paragraph BM25, and compute their features.

    ``per_term[j]`` holds every sentence's BM25 score for ``terms[j]`` alone (their sum is the
    sentence's own score), ``paragraph_terms[j]`` every paragraph's. Only sentences sharing at least
    one term with the query are candidates, and with ``allowed`` (a flag per article) only those of allowed articles.
    """
    num = per_term[0].size if per_term else 0
    no_rows = np.empty((0, len(FEATURES)))
    if num == 0:
        return Candidates(terms, np.empty(0), np.empty(0, dtype=np.int64), no_rows, np.empty((0, len(terms))))
    # Kept in float32 (one row per term, one column per sentence): on a large corpus these are the big arrays.
    stacked = np.vstack(per_term).astype(np.float32, copy=False)
    para_stacked = np.vstack(paragraph_terms).astype(np.float32, copy=False)
    own = stacked.sum(axis=0, dtype=np.float64)
    paragraph_scores = para_stacked.sum(axis=0, dtype=np.float64)
    df = np.count_nonzero(stacked, axis=1)
    idf = np.log1p((num - df + 0.5) / (df + 0.5))
    eligible = own > 0
    if allowed is not None:
        eligible &= allowed[sent_article]
    k = min(n, int(np.count_nonzero(eligible)))
    if k == 0:
        return Candidates(terms, idf, np.empty(0, dtype=np.int64), no_rows, np.empty((0, len(terms))), df)
    pool = np.where(eligible, own + paragraph_weight * paragraph_scores[sent_paragraph], -np.inf)
    ids = (np.argpartition(-pool, k - 1)[:k] if k < num else np.flatnonzero(eligible)).astype(np.int64)
    term_scores = stacked[:, ids].T.astype(np.float64)
    mass = float(idf.sum()) or 1.0
    matched = term_scores > 0
    coverage = (matched * idf).sum(axis=1) / mass

    # The sentences just before and after, when in the same paragraph (pronouns often carry the subject across).
    prev_ids, next_ids = np.maximum(ids - 1, 0), np.minimum(ids + 1, num - 1)
    same_prev = (ids > 0) & (sent_paragraph[prev_ids] == sent_paragraph[ids])
    same_next = (ids < num - 1) & (sent_paragraph[next_ids] == sent_paragraph[ids])
    neighbour = np.maximum(np.where(same_prev, own[prev_ids], 0.0), np.where(same_next, own[next_ids], 0.0))
    prev_matched = (stacked[:, prev_ids].T > 0) & same_prev[:, None]
    window_matched = matched | prev_matched | (stacked[:, next_ids].T > 0) & same_next[:, None]
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

    paras, arts = sent_paragraph[ids], sent_article[ids]
    para_article = np.zeros(paragraph_scores.size, dtype=np.int64)
    para_article[sent_paragraph] = sent_article
    n_articles = int(sent_article.max()) + 1
    article_best = np.zeros(n_articles)
    np.maximum.at(article_best, para_article, paragraph_scores)
    # Article-local IDF: a term found in most of the article's sentences (its topic) says little about which one answers.
    sentences_in = np.bincount(sent_article, minlength=n_articles).astype(np.float64)
    all_matched = stacked > 0
    local_df = np.vstack([np.bincount(sent_article[all_matched[j]], minlength=n_articles) for j in range(len(terms))])
    local_idf = np.log1p((sentences_in - local_df + 0.5) / (local_df + 0.5))[:, arts].T
    local = (matched * local_idf * idf).sum(axis=1)
    local_coverage = local / np.maximum((local_idf * idf).sum(axis=1), 1e-9)
    # How much the article as a whole is about the question's terms: how many of its sentences hold each, dampened.
    article_tf = (np.log1p(local_df[:, arts]).T * idf).sum(axis=1) / mass
    # The same local IDF for paragraphs: which paragraph of the article holds the question's rarer (in the article) terms.
    para_matched = para_stacked > 0
    paragraphs_in = np.bincount(para_article, minlength=n_articles).astype(np.float64)
    local_pdf = np.vstack([np.bincount(para_article[para_matched[j]], minlength=n_articles) for j in range(len(terms))])
    local_pidf = np.log1p((paragraphs_in - local_pdf + 0.5) / (local_pdf + 0.5))[:, arts].T
    local_para = (para_matched[:, paras].T * local_pidf * idf).sum(axis=1) / np.maximum((local_pidf * idf).sum(axis=1), 1e-9)
    # Reciprocal ranks of the sentence among candidates and of its paragraph among all paragraphs.
    own_rank = 1.0 / (1.0 + np.argsort(np.argsort(-own[ids], kind="stable"), kind="stable"))
    para_rank_of = np.empty(paragraph_scores.size, dtype=np.int64)
    para_rank_of[np.argsort(-paragraph_scores, kind="stable")] = np.arange(paragraph_scores.size)
    para_rank = 1.0 / (1.0 + para_rank_of[paras])
    columns = {
        "own": own[ids] / mass,
        "paragraph": paragraph_scores[paras] / mass,
        "neighbour": neighbour / mass,
        "coverage": coverage,
        "window": window,
        "proximity": proximity,
        "answer_type": cue,
        "article": article_best[arts] / mass,
        "local": local / mass,
        "local_coverage": local_coverage,
        "local_para": local_para,
        "own_rank": own_rank,
        "para_rank": para_rank,
        "article_tf": article_tf,
        "log_own": np.log1p(own[ids] / mass),
        "log_paragraph": np.log1p(paragraph_scores[paras] / mass),
    }
    return Candidates(terms, idf, ids, np.column_stack([columns[f] for f in FEATURES]), term_scores, df)


def combine(c: Candidates, weights: Sequence[float]) -> NDArray[np.float64]:
    """One score per candidate: the features weighed by ``weights`` (in :data:`FEATURES` order)."""
    if c.features.size == 0:
        return np.empty(0)
    return c.features @ np.asarray(weights, dtype=np.float64)


#: The weight of each feature (:data:`FEATURES` order), tuned by ``bench/tune_ranking.py`` on the
#: SQuAD dev split (even articles) and checked on the odd ones; see docs/quality.md.
WEIGHTS: dict[str, float] = {
    "own": 0.0,
    "paragraph": 3.0,
    "neighbour": 0.1,
    "coverage": 0.0,
    "window": 3.0,
    "proximity": 0.8,
    "answer_type": 2.0,
    "article": 12.0,
    "local": 0.8,
    "local_coverage": 3.0,
    "local_para": 5.0,
    "own_rank": 0.9,
    "para_rank": 0.7,
    "article_tf": 2.0,
    "log_own": 0.1,
    "log_paragraph": 0.1,
}


@dataclass
class Ranked:
    """Candidates of one query with their combined scores (same order as ``candidates.ids``)."""

    candidates: Candidates
    scores: NDArray[np.float64]


def rank(
    index: SentenceIndex,
    terms: list[str],
    question: str = "",
    weights: dict[str, float] | None = None,
    allowed: NDArray[np.bool_] | None = None,
) -> Ranked:
    """Score ``index``'s sentences for ``terms`` term by term, pick candidates and weigh their features.

    ``allowed`` (one flag per article) limits the candidates to those articles (date-aware questions).
    """
    terms = list(dict.fromkeys(terms))
    per_term = [index.sentence_engine.get_scores([t]) for t in terms]
    para_terms = [index.paragraph_engine.get_scores([t]) for t in terms]
    c = candidates(
        per_term,
        para_terms,
        index.sent_paragraph,
        index.sent_article,
        index.sentence_text,
        terms,
        question,
        index.tokenizer,
        index.settings.candidates,
        index.settings.paragraph_weight,
        allowed,
    )
    w = {**WEIGHTS, **(weights or {})}
    return Ranked(c, combine(c, [w[name] for name in FEATURES]))

