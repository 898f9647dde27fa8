"""The re-ranker's candidates and features computed densely: every query term scored for every sentence and
paragraph. This was :func:`retrieval.ranking.candidates` before it read only postings; kept here as the
reference the sparse implementation must agree with (``test_sparse_ranking.py``)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.typing import NDArray

from retrieval.continuation import leans_on_previous
from retrieval.pools import best_k
from retrieval.qtype import answer_type
from retrieval.ranking import FEATURES, Candidates, _pairs, answer_cue, phrase_hits, question_phrases, with_neighbours
from retrieval.related import related_terms
from retrieval.tokens import Tokenizer


def dense_candidates(
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
    # The one change from the original (``np.argpartition(-pool, k - 1)[:k]``): ties are broken by sentence number,
    # at the cut and in ``own_rank`` (candidates in sentence order), where argpartition's order was arbitrary.
    ids = best_k(np.flatnonzero(eligible), pool[eligible], k)
    ids = with_neighbours(ids, pool[ids], sent_paragraph)
    k = ids.size
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
    next_matched = (stacked[:, next_ids].T > 0) & same_next[:, None]
    window_matched = matched | prev_matched | next_matched
    window = (window_matched * idf).sum(axis=1) / mass

    query_pairs = _pairs(terms)
    kind = answer_type(question)
    proximity = np.zeros(k)
    cue = np.zeros(k)
    phrases = question_phrases(question)
    phrase = np.zeros(k)
    window_phrase = np.zeros(k)
    prev_phrase_only = np.zeros(k)
    leaning = np.zeros(k, dtype=bool)
    table = related_terms(tokenizer)
    related_hit = np.zeros((k, len(terms)), dtype=bool)
    for row, i in enumerate(ids):
        text = texts(int(i))
        leaning[row] = bool(same_prev[row]) and leans_on_previous(text)
        held = set(tokenizer(text))
        related_hit[row] = [bool(held & table.get(t)) for t in terms]
        if phrases:
            # One text at a time: the sentence, and each neighbour in its paragraph.
            own_held = phrase_hits(phrases, [text])[0]
            prev_held = phrase_hits(phrases, [texts(int(i - 1))])[0] if same_prev[row] else np.zeros(len(phrases), bool)
            next_held = phrase_hits(phrases, [texts(int(i + 1))])[0] if same_next[row] else np.zeros(len(phrases), bool)
            phrase[row] = own_held.sum() / len(phrases)
            window_phrase[row] = (own_held | prev_held | next_held).sum() / len(phrases)
            prev_phrase_only[row] = (prev_held & ~own_held).sum() / len(phrases)
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
        "phrase": phrase,
        "window_phrase": window_phrase,
        "prev_only": ((prev_matched & ~matched) * idf).sum(axis=1) / mass,
        "next_only": ((next_matched & ~matched) * idf).sum(axis=1) / mass,
        "prev_phrase_only": prev_phrase_only,
        "lean_prev_only": np.where(leaning, ((prev_matched & ~matched) * idf).sum(axis=1) / mass, 0.0),
        "related": ((related_hit & ~matched) * idf).sum(axis=1) / mass,
    }
    return Candidates(terms, idf, ids, np.column_stack([columns[f] for f in FEATURES]), term_scores, df)
