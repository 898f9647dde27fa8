"""Parallel builds: the same index whatever the file layout, batch size and worker count; true line numbers."""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest

import retrieval.build as build
from retrieval.build import plan_workers
from retrieval.corpus import load_corpus
from retrieval.engines.bm25s import Bm25sEngine
from retrieval.index import IndexSettings, SentenceIndex

WORDS = (
    "bridge council river mayor Zürich café budget vote storm harbour school minister said opened closed "
    "report rain trains crème brûlée 東京 workers union strike court ruling appeal"
).split()


def _records(n: int) -> list[dict[str, object]]:
    """``n`` articles of a few paragraphs each, with honorifics, accents and an undated one now and then."""
    rng = random.Random(17)
    out: list[dict[str, object]] = []
    for i in range(n):
        paragraphs = []
        for _ in range(rng.randint(1, 4)):
            sentences = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 12))).capitalize() + "." for _ in range(3)]
            if rng.random() < 0.3:
                sentences.append("Sen. Smith met Mr. Jones at the harbour.")
            paragraphs.append(" ".join(sentences))
        date = None if i % 7 == 0 else f"2020-{1 + i % 12:02d}-{1 + i % 28:02d}"
        out.append({"id": f"a{i}", "title": f"Story {i}", "date": date, "url": f"https://e.x/{i}", "text": "\n\n".join(paragraphs)})
    return out


def _write(path: Path, lines: list[str]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _arrays(index: SentenceIndex) -> dict[str, object]:
    """Everything an index holds, as comparable values (the source file column aside)."""
    out: dict[str, object] = {}
    for name in ("sent_article", "sent_paragraph", "sent_start", "sent_end", "sent_byte_start", "sent_byte_end", "term_ids", "term_ptr"):
        out[name] = np.asarray(getattr(index, name)).tolist()
    table = index.articles
    out["text"] = bytes(table.text)
    for name in ("byte_start", "byte_end", "dates", "par_offsets", "par_start", "par_end"):
        out[f"articles.{name}"] = np.asarray(getattr(table, name)).tolist()
    out["ids"] = [table.ids[i] for i in range(len(table))]
    out["titles"] = [table.titles[i] for i in range(len(table))]
    out["urls"] = [table.urls[i] for i in range(len(table))]
    out["vocab"] = sorted(index.vocab.items(), key=lambda kv: kv[1])
    for which in ("sentence_engine", "paragraph_engine"):
        engine = getattr(index, which)
        assert isinstance(engine, Bm25sEngine)
        m = engine.matrix
        for name in ("data", "indices", "indptr", "col_max", "head_ptr", "head_docs"):
            out[f"{which}.{name}"] = np.asarray(getattr(m, name)).tolist()
        out[f"{which}.avg"] = m.avg_doc_len
    return out


@pytest.fixture
def small_batches(monkeypatch: pytest.MonkeyPatch) -> None:
    """Batches of about 3 KB, and workers even for a small corpus."""
    monkeypatch.setattr(build, "BATCH_BYTES", 3000)
    monkeypatch.setattr(build, "PARALLEL_MIN_BYTES", 0)


def test_one_big_jsonl_many_files_and_any_worker_count_give_the_same_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = [json.dumps(r, ensure_ascii=False) for r in _records(80)]
    one = _write(tmp_path / "one" / "articles.jsonl", lines)
    many = tmp_path / "many"
    for k in range(0, len(lines), 13):
        _write(many / f"part{k:03d}.jsonl", lines[k : k + 13])
    reference = _arrays(SentenceIndex.build_paths([one], workers=1))  # one batch, in-process
    assert len(reference["ids"]) == 80  # type: ignore[arg-type]
    monkeypatch.setattr(build, "BATCH_BYTES", 3000)
    monkeypatch.setattr(build, "PARALLEL_MIN_BYTES", 0)
    tasks, _, _ = build._file_batches([one], None, "x", build.BATCH_BYTES)
    assert len(tasks) > 5  # the big file really was cut into ranges
    for paths, workers in (([one], 1), ([one], 2), ([many], 1), ([many], 2)):
        assert _arrays(SentenceIndex.build_paths(paths, workers=workers)) == reference, (paths, workers)


def test_a_bad_line_in_a_later_range_reports_its_true_line(tmp_path: Path, small_batches: None) -> None:
    lines = [json.dumps(r) for r in _records(40)]
    lines[30] = '{"id": "broken", "text": '
    lines[33] = json.dumps({"title": "no id here", "text": "The harbour opened."})
    lines.insert(20, "")  # a blank line is skipped but still counted
    corpus = _write(tmp_path / "articles.jsonl", lines)
    assert len(build._file_batches([corpus], None, "x", build.BATCH_BYTES)[0]) > 3
    index = SentenceIndex.build_paths([corpus], workers=2)
    assert index.problems == load_corpus([corpus]).problems
    broken = [p for p in index.problems if "broken JSON" in p.reason]
    assert [p.line for p in broken] == [32]  # 0-based 30, one line further down after the blank line
    assert [a.id for a in index.articles][-7] == "articles.jsonl#L35"


def test_a_file_that_cannot_be_cut_is_reported_as_the_loader_reports_it(tmp_path: Path, small_batches: None) -> None:
    lines = [json.dumps(r) for r in _records(30)]
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "bad.jsonl").write_bytes(("\n".join(lines) + "\n").encode() + b"\xff oops\n")
    (corpus / "good.jsonl").write_text("\n".join(lines[:3]) + "\n")
    index = SentenceIndex.build_paths([corpus], workers=2)
    expected = load_corpus([corpus])
    assert index.problems == expected.problems
    assert any("not UTF-8" in p.reason and p.line == 31 for p in index.problems)
    assert len(index.articles) == len(expected.articles) == 3


def test_the_memory_budget_bounds_the_workers_and_leaves_the_index_alone(tmp_path: Path, small_batches: None) -> None:
    assert plan_workers(8, None) == 8
    assert plan_workers(8, 256) == 1  # a tiny budget: one worker
    assert plan_workers(2, 1500) == 2
    assert plan_workers(8, build.PARENT_MB + 3 * build.WORKER_MB) == 3
    corpus = _write(tmp_path / "articles.jsonl", [json.dumps(r) for r in _records(30)])
    tight = SentenceIndex.build_paths([corpus], IndexSettings(build_memory_mb=256), workers=2)
    roomy = SentenceIndex.build_paths([corpus], IndexSettings(build_memory_mb=4000), workers=2)
    assert _arrays(tight) == _arrays(roomy)
    assert IndexSettings(build_memory_mb=256).key() == IndexSettings().key()  # not part of the cache key


def test_ids_repeated_across_batches_are_renamed_and_reported_as_the_loader_does(tmp_path: Path, small_batches: None) -> None:
    records = _records(40)
    for i in (5, 25, 39):  # the same id in batches far apart
        records[i]["id"] = "a1"
    corpus = _write(tmp_path / "articles.jsonl", [json.dumps(r, ensure_ascii=False) for r in records])
    assert len(build._file_batches([corpus], None, "x", build.BATCH_BYTES)[0]) > 3
    for workers in (1, 2):
        index = SentenceIndex.build_paths([corpus], workers=workers)
        loaded = load_corpus([corpus])
        assert [a.id for a in index.articles] == [a.id for a in loaded.articles]
        assert [index.articles.ids[i] for i in (1, 5, 25, 39)] == ["a1", "a1#2", "a1#3", "a1#4"]
        renamed = [p.reason for p in index.problems if "duplicate article id" in p.reason]
        assert renamed == [p.reason for p in loaded.problems if "duplicate article id" in p.reason]
        assert len(renamed) == 3
