"""The full scans of the candidate stage give the values of summing every posting: :class:`retrieval.pools.ScannedPool`
(every posting at once) and :class:`retrieval.pools.StretchedPool` (one stretch of sentences at a time, whatever the
stretch size, and whether a stretch is read through its postings or whole). Checked against a brute-force sum over
random postings and layouts, and against each other on a real index's questions."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval import kernels
from retrieval import pools as pool_module
from retrieval.index import SentenceIndex
from retrieval.layout import Layout
from retrieval.pools import Postings, ScannedPool, StretchedPool
from retrieval.ranking import query_terms
from retrieval.rerank import index_candidates
from retrieval.sparse import scratch_array
from tests.retrieval.test_sparse_ranking import SEED_QUESTIONS

WEIGHT = 0.8


def _layout(rng: np.random.Generator, ordered: bool) -> Layout:
    """About 3,000 sentences in paragraphs of 1-6 sentences, articles of 1-5 paragraphs; out of article order, the
    paragraphs are numbered at random."""
    sizes = rng.integers(1, 7, size=700)
    sent_paragraph = np.repeat(np.arange(sizes.size), sizes)
    para_article = np.repeat(np.arange(sizes.size), rng.integers(1, 6, size=sizes.size))[: sizes.size]
    sent_article = para_article[sent_paragraph]
    if not ordered:
        sent_paragraph = rng.permutation(sizes.size)[sent_paragraph]
    layout = Layout.of(sent_article.astype(np.int32), sent_paragraph.astype(np.int32), sizes.size)
    assert layout.in_article_order == ordered
    return layout


def _postings(rng: np.random.Generator, layout: Layout, terms: int, tied: bool = False) -> tuple[list[Postings], list[Postings]]:
    """Sentence and paragraph postings per term, from a handful of sentences to most of them (a paragraph holds a
    term when one of its sentences does); the last term repeats the first. ``tied``: scores of three values, so that
    many sentences tie on pool score."""

    def scores(size: int) -> np.ndarray:
        values = rng.choice([0.5, 1.0, 2.0], size=size) if tied else rng.uniform(0.05, 3.0, size=size)
        return values.astype(np.float32)

    sentence_lists, paragraph_lists = [], []
    for t in range(terms):
        share = [0.001, 0.02, 0.3, 0.8][t % 4]
        docs = np.flatnonzero(rng.random(layout.num_sentences) < share).astype(np.int32)
        paras = np.unique(layout.sent_paragraph[docs]).astype(np.int32)
        sentence_lists.append((docs, scores(docs.size)))
        paragraph_lists.append((paras, scores(paras.size)))
    return [*sentence_lists, sentence_lists[0]], [*paragraph_lists, paragraph_lists[0]]


def _summed(lists: list[Postings], size: int) -> np.ndarray:
    out = np.zeros(size)
    for docs, scores in lists:
        out[docs] += scores
    return out


@pytest.mark.parametrize("compiled", [True, False], ids=["compiled", "numpy"])
@pytest.mark.parametrize("ordered", [True, False])
@pytest.mark.parametrize(
    ("scan_class", "stretch", "dense"),
    [(ScannedPool, 0, 0), (StretchedPool, 1 << 18, 4), (StretchedPool, 1, 4), (StretchedPool, 7, 0), (StretchedPool, 97, 4),
     (StretchedPool, 97, 10**9), (StretchedPool, 500, 0)],
)  # fmt: skip
def test_every_scan_gives_the_brute_force_values(
    monkeypatch: pytest.MonkeyPatch,
    compiled: bool,
    ordered: bool,
    scan_class: type[ScannedPool | StretchedPool],
    stretch: int,
    dense: int,
) -> None:
    if not compiled:  # the NumPy loops a machine without a C compiler runs
        monkeypatch.setattr(kernels, "compiled", None)
    for name, value in (("STRETCH", stretch), ("DENSE", dense), ("COMPILED_STRETCH", stretch), ("COMPILED_DENSE", dense)):
        monkeypatch.setattr(pool_module, name, value)
    rng = np.random.default_rng(stretch + dense + ordered)
    layout = _layout(rng, ordered)
    num, paragraphs = layout.num_sentences, len(layout.para_article)
    for trial in range(12):
        sentence_lists, paragraph_lists = _postings(rng, layout, 1 + trial % 4, tied=trial >= 6)
        allowed = rng.random(int(layout.sent_article.max()) + 1) < 0.6 if trial % 3 == 2 else None
        n = [200, 20, 3][trial % 3]

        own, para = _summed(sentence_lists, num), _summed(paragraph_lists, paragraphs)
        pool = own + WEIGHT * para[layout.sent_paragraph]
        eligible = own > 0 if allowed is None else (own > 0) & allowed[layout.sent_article]
        by_pool = sorted(np.flatnonzero(eligible).tolist(), key=lambda s: (-pool[s], s))[:n]
        touched = np.flatnonzero(para > 0)

        scan = scan_class(sentence_lists, paragraph_lists, layout, WEIGHT)
        try:
            ids, pools = scan.best(n, allowed)
            assert ids.tolist() == sorted(by_pool)
            assert np.array_equal(pools, pool[ids])  # the same floats: summed term by term in query order
            assert np.array_equal(scan.own(ids), own[ids])
            paras = layout.sent_paragraph[ids].astype(np.int64)
            assert np.array_equal(scan.para(paras), para[paras])
            arts = layout.sent_article[ids].astype(np.int64)
            best_in = np.zeros(int(layout.para_article.max()) + 1)
            np.maximum.at(best_in, layout.para_article, para)
            assert np.array_equal(scan.article_best(arts), best_in[arts])
            rank = {p: r for r, p in enumerate(sorted(touched.tolist(), key=lambda p: (-para[p], p)))}
            if ids.size:  # the candidate stage asks for ranks only of some candidates' paragraphs
                assert np.array_equal(scan.para_rank(paras), 1.0 / (1.0 + np.array([rank[p] for p in paras.tolist()])))
        finally:
            scan.close()
        assert not scratch_array("rank_own", num, np.float64).any()  # left zeroed for the next query
        assert not scratch_array("rank_para", paragraphs, np.float64).any()


def test_a_paragraph_rank_without_best_reads_every_paragraph() -> None:
    rng = np.random.default_rng(5)
    layout = _layout(rng, ordered=True)
    sentence_lists, paragraph_lists = _postings(rng, layout, 2)
    para = _summed(paragraph_lists, len(layout.para_article))
    scan = StretchedPool(sentence_lists, paragraph_lists, layout, WEIGHT)
    try:
        best = int(np.argmax(para))
        assert scan.para_rank(np.array([best])).tolist() == [1.0]
    finally:
        scan.close()
    assert not scratch_array("rank_para", len(layout.para_article), np.float64).any()


def test_stretches_give_a_real_index_the_same_candidates(monkeypatch: pytest.MonkeyPatch, seed_index: SentenceIndex) -> None:
    assert seed_index.num_sentences < pool_module.STRETCHED_FROM  # scanned whole
    whole = {q: index_candidates(seed_index, query_terms(seed_index.tokenizer, q), q) for q in SEED_QUESTIONS}
    monkeypatch.setattr(pool_module, "STRETCHED_FROM", 0)
    monkeypatch.setattr(pool_module, "STRETCH", 5)
    monkeypatch.setattr(pool_module, "COMPILED_STRETCH", 5)
    for question, expected in whole.items():
        got = index_candidates(seed_index, query_terms(seed_index.tokenizer, question), question)
        assert got.ids.tolist() == expected.ids.tolist()
        assert np.array_equal(got.features, expected.features), question
