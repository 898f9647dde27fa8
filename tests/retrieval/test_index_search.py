"""The index: search equals scoring every sentence, saving and loading keeps everything, problems survive."""

from __future__ import annotations

import datetime as dt
import gc
import json
from pathlib import Path

import numpy as np

from retrieval.cache import load_index, open_index
from retrieval.corpus import load_corpus, paragraph_spans
from retrieval.index import IndexSettings, SentenceIndex
from tests.conftest import IBM_QUOTE, SEEDS
from tests.retrieval.searching import search


def _brute_force(index: SentenceIndex, terms: list[str], k: int) -> list[int]:
    """Best k sentences by own score plus weighted paragraph score, scoring everything."""
    own = index.sentence_engine.get_scores(terms)
    order = np.argsort(-own, kind="stable")[: index.settings.candidates]
    order = order[own[order] > 0]
    context = index.paragraph_engine.get_scores(terms)[index.sent_paragraph[order]]
    combined = own[order] + index.settings.paragraph_weight * context
    return [int(order[i]) for i in np.argsort(-combined, kind="stable")[:k]]


def test_search_matches_scoring_every_sentence() -> None:
    seed_index = SentenceIndex.build(load_corpus([SEEDS]), IndexSettings(rerank=False))
    for question in ("IBM facial recognition software", "senator legislation Krishna", "police force federal funds report"):
        terms = seed_index.tokenizer(question)
        hits = search(seed_index, question, k=5)
        want = _brute_force(seed_index, terms, 5)
        assert [h.sentence for h in hits][:3] == want[:3]


def test_hits_carry_text_source_and_date(seed_index: SentenceIndex) -> None:
    hit = search(seed_index, "Does IBM still sell facial recognition software?", k=1)[0]
    assert hit.text.startswith(IBM_QUOTE)
    assert hit.date == dt.date(2020, 6, 9)
    article = next(a for a in seed_index.articles if a.id == hit.article_id)
    assert article.text[hit.start : hit.end] == hit.text


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.txt").write_text(
        "date 2021-03-04\n\nThe café in Zürich served crème brûlée. Dr. Müller approved.\n\nA second paragraph here."
    )
    record = {"id": "x1", "title": "Ünï", "date": "2020-01-02", "url": "https://e.x/1", "text": "東京 news: the mayor spoke."}
    (corpus / "b.jsonl").write_text(json.dumps(record) + "\n{broken\n")
    (corpus / "c.pdf").write_bytes(b"%PDF")
    built = SentenceIndex.build_paths([corpus], workers=1)
    built.save(tmp_path / "idx")
    loaded = SentenceIndex.load(tmp_path / "idx")
    assert loaded.num_sentences == built.num_sentences == 4
    assert [loaded.sentence_text(i) for i in range(4)] == [built.sentence_text(i) for i in range(4)]
    assert list(loaded.articles) == list(built.articles) == load_corpus([corpus]).articles
    assert loaded.problems == built.problems == load_corpus([corpus]).problems
    hit = search(loaded, "mayor Tokyo news", k=1)[0]
    assert (hit.article_id, hit.title, hit.url, hit.date) == ("x1", "Ünï", "https://e.x/1", dt.date(2020, 1, 2))
    assert hit.text == "東京 news: the mayor spoke."
    assert search(loaded, "crème brûlée", k=1)[0].text == "The café in Zürich served crème brûlée."


def test_build_in_workers_equals_build_in_process(tmp_path: Path, monkeypatch: object) -> None:
    import retrieval.build as build

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(6):
        text = f"date 2020-01-0{i + 1}\n\nArticle {i} says Sen. Smith met Mr. Jones. It rained.\n\nMore {i}."
        (corpus / f"{i}.txt").write_text(text)
    monkeypatch.setattr(build, "BATCH_BYTES", 100)  # type: ignore[attr-defined]
    monkeypatch.setattr(build, "PARALLEL_MIN_BYTES", 0)  # type: ignore[attr-defined]
    one = SentenceIndex.build_paths([corpus], workers=1)
    two = SentenceIndex.build_paths([corpus], workers=2)
    assert [one.sentence_text(i) for i in range(one.num_sentences)] == [two.sentence_text(i) for i in range(two.num_sentences)]
    q = "Smith met Jones"
    assert [(h.sentence, round(h.score, 5)) for h in search(one, q)] == [(h.sentence, round(h.score, 5)) for h in search(two, q)]


def test_duplicate_ids_are_renamed_as_the_loader_does(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("\n".join(json.dumps({"id": "same", "text": f"Text number {i}."}) for i in range(3)))
    index = SentenceIndex.build_paths([corpus], workers=1)
    assert [a.id for a in index.articles] == [a.id for a in load_corpus([corpus]).articles] == ["same", "same#2", "same#3"]


def test_open_index_reuses_the_saved_index(tmp_path: Path) -> None:
    first = open_index([str(SEEDS)], cache_dir=tmp_path)
    again = open_index([str(SEEDS)], cache_dir=tmp_path)
    assert not first.from_cache and again.from_cache
    assert again.index.num_sentences == first.index.num_sentences


def test_a_changed_corpus_replaces_its_cached_index_and_leaves_other_corpora_alone(tmp_path: Path) -> None:
    cache, news, other = tmp_path / "cache", tmp_path / "news", tmp_path / "other"
    for folder, text in ((news, "The mayor opened the bridge."), (other, "The council met on Monday.")):
        folder.mkdir()
        (folder / "a.txt").write_text(text, encoding="utf-8")
    first = open_index([str(news)], cache_dir=cache)
    kept = open_index([str(other)], cache_dir=cache)
    (news / "b.txt").write_text("The bridge closed again in May.", encoding="utf-8")
    second = open_index([str(news)], cache_dir=cache)
    assert second.key != first.key and not second.from_cache
    assert search(second.index, "bridge closed", k=1)[0].text == "The bridge closed again in May."
    assert sorted(p.name for p in cache.iterdir() if not p.name.startswith(".")) == sorted([second.key, kept.key])
    assert open_index([str(other)], cache_dir=cache).from_cache
    # other settings index the same folder differently: their own entry, not pruned by the default one
    stemless = open_index([str(news)], IndexSettings(stem=None), cache_dir=cache)
    assert open_index([str(news)], cache_dir=cache).from_cache
    assert (cache / stemless.key).is_dir()


def test_an_index_some_process_has_loaded_is_not_pruned_until_it_lets_go(tmp_path: Path) -> None:
    cache, news = tmp_path / "cache", tmp_path / "news"
    news.mkdir()
    (news / "a.txt").write_text("The mayor opened the bridge.", encoding="utf-8")
    first = open_index([str(news)], cache_dir=cache)
    assert first.path is not None
    held = load_index(first.path)  # as a running bot holds its base, memory-mapped
    (news / "b.txt").write_text("The bridge closed again in May.", encoding="utf-8")
    second = open_index([str(news)], cache_dir=cache)
    assert first.path.is_dir() and search(held, "mayor", k=1)[0].text == "The mayor opened the bridge."
    del held
    gc.collect()
    again = open_index([str(news)], cache_dir=cache)  # loaded from the cache: prunes what nobody holds
    assert again.from_cache and again.key == second.key
    assert not first.path.exists()


def test_rank_bm25_engine_ranks_like_the_default(seed_index: SentenceIndex) -> None:
    reference = SentenceIndex.build(load_corpus([SEEDS]), IndexSettings(engine="rank-bm25"))
    q = "Does IBM still sell facial recognition software?"
    assert search(reference, q, k=1)[0].text == search(seed_index, q, k=1)[0].text


def test_single_character_paragraphs_are_their_own_paragraphs() -> None:
    assert paragraph_spans("a\n\nb") == ((0, 1), (3, 4))
