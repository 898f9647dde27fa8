"""Our BM25 matrix against bm25s itself: same scores for every method, and top/scores_at agree with full scoring."""

from __future__ import annotations

import threading

import bm25s
import numpy as np
import pytest

from retrieval.engines import Bm25sEngine
from retrieval.sparse import METHODS, build_matrix, ready_scratch, scratch_array

DOCS = [
    ["ibm", "facial", "recognit", "softwar", "ibm"],
    ["senat", "tim", "scott", "legisl"],
    [],
    ["polic", "forc", "report", "feder", "fund", "forc"],
    ["ibm", "polic", "softwar"],
    ["tim", "report"],
    ["legisl"],
]


def _reference(method: str, docs: list[list[str]]) -> tuple[bm25s.BM25, dict[str, int]]:
    model = bm25s.BM25(method=method, k1=1.2, b=0.75)
    model.index([d or [""] for d in docs], show_progress=False)
    return model, model.vocab_dict


@pytest.mark.parametrize("method", METHODS)
def test_scores_equal_bm25s_for_every_method(method: str) -> None:
    docs = [d for d in DOCS if d]  # bm25s counts an empty document as holding the empty token
    engine = Bm25sEngine(method=method)
    engine.index(docs)
    model, _ = _reference(method, docs)
    for query in (["ibm"], ["tim", "legisl"], ["forc", "polic", "ibm"], ["report", "report"]):
        want = model.get_scores(query)
        got = engine.get_scores(query)
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_top_and_scores_at_agree_with_full_scores_on_a_random_corpus() -> None:
    rng = np.random.default_rng(3)
    n_docs, n_terms = 3000, 400
    lengths = rng.integers(0, 25, size=n_docs)
    docs = np.repeat(np.arange(n_docs), lengths)
    terms = rng.zipf(1.3, size=docs.size) % n_terms
    matrix = build_matrix(docs, terms, n_docs, n_terms)
    for query in ([1], [3, 17], [0, 1, 2, 5, 9], [7, 7, 250]):
        full = matrix.get_scores(query)
        ids, scores = matrix.top(query, 50)
        assert len(set(ids.tolist())) == len(ids)
        np.testing.assert_allclose(scores, full[ids], rtol=1e-6)
        # The n best: nothing outside the returned set scores higher than the worst inside it.
        outside = np.setdiff1d(np.flatnonzero(full > 0), ids)
        if len(ids) and outside.size:
            assert full[outside].max() <= scores.min() + 1e-6
        assert len(ids) == min(50, int((full > 0).sum()))
        some = rng.choice(n_docs, size=40, replace=False)
        np.testing.assert_allclose(matrix.scores_at(query, some), full[some], rtol=1e-6)


def test_empty_and_unknown_queries_score_nothing() -> None:
    engine = Bm25sEngine()
    engine.index(DOCS)
    assert engine.top(["nowher"], 10)[0].size == 0
    assert engine.top([], 10)[0].size == 0
    assert not engine.get_scores(["nowher"]).any()
    assert engine.num_docs == len(DOCS)


def test_top_is_exact_when_common_terms_are_skipped() -> None:
    """A rare term fills the top n early, so the common term's postings are only searched, not scanned."""
    rng = np.random.default_rng(5)
    n_docs = 20000
    docs = np.repeat(np.arange(n_docs), 6)
    terms = rng.integers(10, 2000, size=docs.size)
    terms[::2] = 0  # term 0 is in every document
    terms[rng.choice(docs.size, 300, replace=False)] = 1  # term 1 is rare
    matrix = build_matrix(docs, terms, n_docs, 2000)
    for query in ([0, 1], [1, 0, 0], [0, 1, 57], [0], [0, 0], [57, 0]):
        full = matrix.get_scores(query)
        for n in (1, 10, 200):
            ids, scores = matrix.top(query, n)
            best = np.sort(full)[::-1][:n]
            np.testing.assert_allclose(np.sort(scores)[::-1], best, rtol=1e-6)
            np.testing.assert_allclose(scores, full[ids], rtol=1e-6)


def test_a_readied_scratch_array_goes_zeroed_to_the_first_thread_that_asks_and_only_to_it() -> None:
    readied = ready_scratch("test_readied", 5000, np.float64)
    assert ready_scratch("test_readied", 5000, np.float64) is readied  # readying twice makes one array
    got: dict[str, np.ndarray] = {}

    def ask(who: str) -> None:
        got[who] = scratch_array("test_readied", 5000, np.float64)

    for who in ("first", "second"):
        thread = threading.Thread(target=ask, args=(who,))
        thread.start()
        thread.join()
    assert got["first"] is readied and not readied.any()
    assert got["second"] is not readied and not got["second"].any() and got["second"].dtype == np.float64
    other = ready_scratch("test_readied", 5000, np.float32)  # another dtype is another array
    assert other.dtype == np.float32 and other is not readied

