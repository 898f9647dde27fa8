"""The layout saved beside an index: what a restart reads instead of a pass over every sentence."""

from __future__ import annotations

import shutil
from dataclasses import fields
from pathlib import Path

import numpy as np

from retrieval.index import SentenceIndex
from retrieval.layout import FOLDER, Layout


def _same(a: Layout, b: Layout) -> None:
    for f in fields(Layout):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray):
            assert isinstance(y, np.ndarray) and x.dtype == y.dtype and np.array_equal(x, y), f.name
        else:
            assert x == y, f.name


def test_a_loaded_index_reads_the_layout_it_was_saved_with(tmp_path: Path, seed_index: SentenceIndex) -> None:
    seed_index.save(tmp_path / "idx")
    loaded = SentenceIndex.load(tmp_path / "idx")
    assert loaded.layout_cache is not None  # opened with the index, not made by the first question
    computed = Layout.of(
        loaded.sent_article, loaded.sent_paragraph, loaded.paragraph_engine.num_docs, loaded.term_ids, loaded.term_ptr, loaded.vocab
    )
    _same(loaded.layout(), computed)
    _same(loaded.layout(), seed_index.layout())


def test_an_index_saved_without_a_layout_still_makes_one(tmp_path: Path, seed_index: SentenceIndex) -> None:
    seed_index.save(tmp_path / "idx")
    shutil.rmtree(tmp_path / "idx" / FOLDER)
    loaded = SentenceIndex.load(tmp_path / "idx")
    assert loaded.layout_cache is None
    _same(loaded.layout(), seed_index.layout())
