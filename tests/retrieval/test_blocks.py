"""The block-max candidate stage (:class:`retrieval.blocks.BlockPool`) picks the same candidates with the same
feature values as the full scan of every posting (:class:`retrieval.pools.ScannedPool`), on many random queries
over a synthetic corpus whose common words fill many blocks and whose rare ones are read whole."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from retrieval import Searcher, pools
from retrieval.build import analyse_paths
from retrieval.corpus import load_corpus
from retrieval.index import IndexSettings, SentenceIndex
from retrieval.live import MergedIndex, file_rows
from retrieval.ranking import Candidates
from retrieval.reads import counting
from retrieval.rerank import block_pool, index_candidates, reading_by_blocks
from retrieval.sparse import BLOCK, block_maxima

#: Made-up words: the first few are in most paragraphs (many blocks each), the last ones in a handful of sentences.
WORDS = [f"w{chr(97 + i % 26)}{chr(97 + i // 26)}x" for i in range(400)]


def _sentence(rng: random.Random) -> str:
    """A sentence of Zipf-distributed made-up words."""
    n = rng.randint(4, 14)
    picks = [WORDS[min(int(rng.paretovariate(0.9)) - 1, len(WORDS) - 1)] for _ in range(n)]
    return " ".join(picks).capitalize() + "."


def _write(path: Path, articles: int, seed: int) -> None:
    """A JSONL file of ``articles`` articles, each of a few paragraphs of a few sentences."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as f:
        for a in range(articles):
            paragraphs = [" ".join(_sentence(rng) for _ in range(rng.randint(1, 5))) for _ in range(rng.randint(1, 4))]
            record = {"id": f"a{seed}-{a}", "title": f"Article {a}", "date": "2021-03-04", "text": "\n\n".join(paragraphs)}
            f.write(json.dumps(record) + "\n")


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("blocks")
    _write(root / "one.jsonl", 900, 1)
    _write(root / "two.jsonl", 300, 2)
    return root


@pytest.fixture(scope="module")
def index(corpus_dir: Path) -> SentenceIndex:
    return SentenceIndex.build_paths([corpus_dir / "one.jsonl", corpus_dir / "two.jsonl"], workers=1)


def _both(index: SentenceIndex, terms: list[str], allowed: np.ndarray | None = None) -> tuple[Candidates, Candidates]:
    question = " ".join(terms)
    scanned = index_candidates(index, terms, question, allowed=allowed)
    with reading_by_blocks():
        return scanned, index_candidates(index, terms, question, allowed=allowed)


def _assert_equal(scanned: Candidates, blocked: Candidates) -> None:
    assert blocked.ids.tolist() == scanned.ids.tolist()
    assert np.array_equal(blocked.features, scanned.features)  # exactly: the same floats summed in the same order
    assert np.array_equal(blocked.term_scores, scanned.term_scores)


def test_the_corpus_has_terms_on_both_sides_of_the_block_size(index: SentenceIndex) -> None:
    dfs = [index.sentence_engine.document_frequency(w) for w in WORDS]
    assert max(dfs) > 20 * BLOCK and any(0 < d < BLOCK for d in dfs)
    assert block_pool(index, WORDS[:2]) is None  # by default every posting is read
    with reading_by_blocks():
        assert block_pool(index, WORDS[:2]) is not None  # the index can use blocks
    assert index.layout().in_article_order


def test_block_maxima_are_each_block_s_largest_score(index: SentenceIndex) -> None:
    matrix = index.sentence_engine.matrix  # type: ignore[attr-defined]
    ptr, best = block_maxima(matrix.data, matrix.indptr)
    assert np.array_equal(ptr, matrix.block_ptr) and np.array_equal(best, matrix.block_max)
    term = int(np.argmax(np.diff(matrix.indptr)))
    s, e = int(matrix.indptr[term]), int(matrix.indptr[term + 1])
    expected = [matrix.data[i : min(i + BLOCK, e)].max() for i in range(s, e, BLOCK)]
    assert best[ptr[term] : ptr[term + 1]].tolist() == expected
    # A range of terms alone gives the same blocks, shifted.
    mid = matrix.num_terms // 2
    part_ptr, part_best = block_maxima(matrix.data, matrix.indptr[mid:])
    assert np.array_equal(part_best, best[ptr[mid] :]) and np.array_equal(part_ptr + ptr[mid], ptr[mid:])


@pytest.mark.parametrize("candidates", [200, 20, 3])
def test_random_queries_give_the_full_scan_s_candidates_and_features(index: SentenceIndex, candidates: int) -> None:
    small = SentenceIndex(**{**index.__dict__, "settings": replace(index.settings, candidates=candidates)})
    rng = random.Random(candidates)
    used = 0
    for _ in range(60):
        k = rng.randint(1, 5)
        # Common and rare words alike, sometimes one word twice, sometimes a word the corpus never uses.
        terms = [WORDS[min(int(rng.paretovariate(0.6)) - 1, len(WORDS) - 1)] for _ in range(k)]
        if rng.random() < 0.2:
            terms.append(terms[0])
        if rng.random() < 0.1:
            terms.append("neverseenword")
        scanned, blocked = _both(small, terms)
        _assert_equal(scanned, blocked)
        with reading_by_blocks():
            used += block_pool(small, terms) is not None
    assert used > 10  # many queries hold a term common enough to be bounded by its blocks


def test_a_fallback_to_the_scan_in_stretches_gives_the_same(index: SentenceIndex, monkeypatch: pytest.MonkeyPatch) -> None:
    """When the blocks do not prune they fall back to the full scan that suits the index's size; on an index of
    millions that is :class:`retrieval.pools.StretchedPool`, here forced with stretches of 37 sentences."""
    made: list[pools.StretchedPool] = []

    class Noted(pools.StretchedPool):  # the real scan, noting that it was made
        def __init__(self, *args: object) -> None:
            super().__init__(*args)  # type: ignore[arg-type]
            made.append(self)

    rng = random.Random(11)
    for _ in range(40):
        terms = [WORDS[min(int(rng.paretovariate(0.6)) - 1, len(WORDS) - 1)] for _ in range(rng.randint(2, 5))]
        question = " ".join(terms)
        whole = index_candidates(index, terms, question)
        with monkeypatch.context() as m:
            m.setattr(pools, "STRETCHED_FROM", 0)
            m.setattr(pools, "STRETCH", 37)
            m.setattr(pools, "COMPILED_STRETCH", 37)
            m.setattr(pools, "StretchedPool", Noted)
            with reading_by_blocks():
                blocked = index_candidates(index, terms, question)
        _assert_equal(whole, blocked)
    assert made  # some queries fell back to the scan


def test_one_common_word_and_one_rare_word(index: SentenceIndex) -> None:
    for terms in ([WORDS[0]], [WORDS[-1]], [WORDS[0], WORDS[0]], [WORDS[0], WORDS[1], WORDS[2]], [WORDS[300], WORDS[0]]):
        _assert_equal(*_both(index, terms))


def test_allowed_articles(index: SentenceIndex) -> None:
    rng = np.random.default_rng(3)
    for share in (0.5, 0.02):
        allowed = rng.random(len(index.articles)) < share
        for terms in ([WORDS[0]], [WORDS[1], WORDS[40]], [WORDS[5], WORDS[0], WORDS[150]]):
            _assert_equal(*_both(index, terms, allowed))


def test_saved_and_loaded_matrices_keep_their_blocks(index: SentenceIndex, tmp_path: Path) -> None:
    index.save(tmp_path / "ix")
    loaded = SentenceIndex.load(tmp_path / "ix")
    matrix = loaded.sentence_engine.matrix  # type: ignore[attr-defined]
    assert matrix.block_max is not None
    _assert_equal(*_both(loaded, [WORDS[0], WORDS[7]]))


def test_a_live_index_s_base_and_delta_search_alike(index: SentenceIndex, corpus_dir: Path, tmp_path: Path) -> None:
    """A base with one file hidden and a delta scored with the base's statistics: every search path agrees."""
    changed = tmp_path / "two.jsonl"
    _write(changed, 200, 9)
    delta = SentenceIndex.from_corpus(analyse_paths([changed], index.settings.stem, 1), index.settings, index)
    hidden = str((corpus_dir / "two.jsonl").resolve())
    assert hidden in file_rows(index)
    merged = MergedIndex(index, delta, frozenset({hidden}), [], file_rows(index))
    assert delta.num_sentences and merged.hidden_articles is not None
    searcher = Searcher(merged)
    for question in ("wax wbx", f"{WORDS[3]} {WORDS[60]} {WORDS[200]}", f"{WORDS[0]}", f"{WORDS[10]} {WORDS[11]}"):
        expected = searcher.search(question, 10)
        with reading_by_blocks():
            got = searcher.search(question, 10)
        assert [(h.hit.sentence, h.hit.score) for h in got.hits] == [(h.hit.sentence, h.hit.score) for h in expected.hits]
        assert got.confidence == expected.confidence


def test_an_index_of_another_engine_scans_every_posting(corpus_dir: Path) -> None:
    other = SentenceIndex.build(load_corpus([corpus_dir / "two.jsonl"]), IndexSettings(engine="rank-bm25"), workers=1)
    with reading_by_blocks():
        assert block_pool(other, WORDS[:1]) is None


def test_the_postings_read_are_counted(index: SentenceIndex) -> None:
    """The full scan reads every sentence and paragraph posting of each term (and looks up a few more)."""
    terms = [WORDS[0], WORDS[30]]
    every = sum(index.sentence_engine.document_frequency(t) + index.paragraph_engine.document_frequency(t) for t in terms)
    with counting() as read:
        index_candidates(index, terms, "")
    assert read.scanned >= every and read.located > 0
    with counting() as outside:
        pass
    index_candidates(index, terms, "")  # not counted: no counting block is open
    assert outside.postings == 0
