"""The sentence index: hits carry exact quotes; the saved index is reused while the corpus is unchanged."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from retrieval import sparse
from retrieval.cache import cache_key, open_index
from retrieval.corpus import load_corpus
from retrieval.index import IndexSettings, SentenceIndex
from tests.conftest import SEEDS, SQUAD
from tests.retrieval.searching import search


def test_every_hit_is_its_article_text_sliced_at_its_offsets(seed_index: SentenceIndex) -> None:
    texts = {a.id: a.text for a in seed_index.articles}
    hits = search(seed_index, "IBM facial recognition Congress police", k=20)
    assert len(hits) > 5
    for hit in hits:
        assert texts[hit.article_id][hit.start : hit.end] == hit.text


def test_squad_offsets_are_exact() -> None:
    report = load_corpus([SQUAD / "articles.jsonl"])
    report.articles = report.articles[:3]
    index = SentenceIndex.build(report)
    assert index.num_sentences > 300
    for i in range(index.num_sentences):
        article = index.articles[index.sent_article[i]]
        text = article.text[index.sent_start[i] : index.sent_end[i]]
        assert text == text.strip() and text


def test_context_lifts_a_sentence_in_a_relevant_paragraph(seed_index: SentenceIndex) -> None:
    question = "Congress registry of police misconduct"
    terms = seed_index.tokenizer(question)
    hits = search(seed_index, question, k=seed_index.settings.candidates)
    ids, with_context = np.array([h.sentence for h in hits]), np.array([h.score for h in hits])
    own = seed_index.sentence_engine.get_scores(terms)[ids]
    assert (with_context >= own).all() and (with_context > own).any()


def test_save_and_load_round_trip(tmp_path: Path, seed_index: SentenceIndex) -> None:
    seed_index.save(tmp_path / "idx")
    loaded = SentenceIndex.load(tmp_path / "idx")
    question = "Does IBM still sell facial recognition software?"
    assert [h.text for h in search(loaded, question, 5)] == [h.text for h in search(seed_index, question, 5)]


def test_open_index_reuses_the_cache_until_the_corpus_changes(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(SEEDS, corpus)
    cache = tmp_path / "cache"
    first = open_index([str(corpus)], cache_dir=cache)
    assert not first.from_cache and first.path is not None and (first.path / "meta.json").exists()
    second = open_index([str(corpus)], cache_dir=cache)
    assert second.from_cache and second.key == first.key
    extra = corpus / "new.txt"
    extra.write_text("date 2021-01-01\nA brand new article about zeppelins.", encoding="utf-8")
    third = open_index([str(corpus)], cache_dir=cache)
    assert not third.from_cache and third.key != first.key
    assert search(third.index, "zeppelins", 1)[0].article_id == "new.txt"
    os.utime(extra, ns=(1, 1))
    assert cache_key([str(corpus)], IndexSettings()) != third.key


def test_settings_change_the_cache_key() -> None:
    assert cache_key([str(SEEDS)], IndexSettings(k1=1.2)) != cache_key([str(SEEDS)], IndexSettings(k1=1.5))
    assert cache_key([str(SEEDS)], IndexSettings(paragraph_weight=0.1)) == cache_key([str(SEEDS)], IndexSettings())


def test_damaged_cache_is_rebuilt(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = open_index([str(SEEDS)], cache_dir=cache)
    assert first.path is not None
    (first.path / "meta.json").write_text(json.dumps({"version": -1}))
    again = open_index([str(SEEDS)], cache_dir=cache)
    assert not again.from_cache and again.index.num_sentences == 14


def test_unwritable_cache_still_gives_an_index(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    opened = open_index([str(SEEDS)], cache_dir=blocker / "cache")
    assert opened.path is None and opened.index.num_sentences == 14


@pytest.mark.parametrize("engine", ["bm25s", "rank-bm25"])
def test_a_corpus_of_only_stopwords_or_nothing_builds_and_finds_nothing(engine: str) -> None:
    from retrieval.records import Article, LoadReport

    only_stopwords = LoadReport([Article("a.txt", "a", None, None, "the.", ((0, 4),))])
    for report in (only_stopwords, LoadReport([])):
        index = SentenceIndex.build(report, IndexSettings(engine=engine))
        assert search(index, "the IBM", 5) == []


@pytest.mark.parametrize("rerank", [True, False])
def test_opening_an_index_readies_the_candidate_stage_scratch_when_it_reranks(rerank: bool) -> None:
    sparse._SPARE.clear()  # the arrays readied ahead for the first question (see ready_scratch)
    index = SentenceIndex.build(load_corpus([SEEDS]), IndexSettings(rerank=rerank))
    wanted = [("rank_own", index.num_sentences), ("rank_para", index.paragraph_engine.num_docs)]
    readied = [sparse._SPARE.get((name, size, np.dtype(np.float64))) for name, size in wanted]
    if rerank:
        assert all(a is not None and a.size == size and not a.any() for a, (_, size) in zip(readied, wanted, strict=True))
    else:
        assert readied == [None, None]
