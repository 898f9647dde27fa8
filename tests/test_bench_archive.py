"""bench-archive's corpus: one JSONL file generated in chunks, cached by size, seed and generator version, and
readable by the corpus loader as one archive export; and its goal table says by how much a target is missed."""

from __future__ import annotations

import json
from pathlib import Path

from bench.archive import ensure_archive, goals
from bench.synth import Generator
from retrieval.corpus import load_corpus


def test_the_archive_is_one_jsonl_file_of_the_synthetic_articles_and_is_cached(tmp_path: Path) -> None:
    info, seconds = ensure_archive(4_500, tmp_path, seed=3, chunk_sentences=2_000)
    files = [p.name for p in info.path.iterdir() if not p.name.startswith(".")]
    assert files == ["articles.jsonl"] and seconds is not None and info.sentences == 4_500
    lines = (info.path / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(lines) == info.articles
    # The same articles as the generator gives chunk by chunk (so the corpus does not depend on the writer).
    gen = Generator(3)
    expected = gen.articles(2_000) + gen.articles(2_000) + gen.articles(500)
    assert [json.loads(line)["text"] for line in lines] == [r["text"] for r in expected]
    again, seconds_again = ensure_archive(4_500, tmp_path, seed=3, chunk_sentences=2_000)
    assert again == info and seconds_again is None  # cached: not written again
    report = load_corpus([info.path / "articles.jsonl"])
    assert len(report.articles) == info.articles and not [p for p in report.problems if p.skipped]


def test_the_goal_table_says_by_how_much_a_target_is_missed() -> None:
    build = {"peak_rss_mb": 3000.0, "rate": 30_000.0}
    serve = {"full_alone": {"p50": 10.0, "p99": 40.0}, "full": {"p50": 12.0, "p99": 60.0}, "rss_mb": 1000.0, "process_ready_seconds": 0.5}
    slow_start = {**serve, "process_ready_seconds": 2.0}
    lines = goals({"sentences": 1_000_000, "build": build, "serve": {"lexical": serve, "semantic": slow_start}})
    table = {line.split(" | ")[0].lstrip("| "): line for line in lines if line.startswith("| ")}
    assert "**no** (1.50× the target)" in table["peak build RSS"]
    assert "**no** (0.50× the target)" in table["build rate"]
    assert "**no** (2.00× the target)" in table["restart → first answer (semantic on)"]
    assert table["lexical answer path p99, questions back to back"].endswith("| yes |")
    assert "**no** (1.20× the target)" in table["lexical answer path p99, each after a raw bm25s sweep"]
    assert table["serving RSS (semantic on)"].endswith("| yes |")
