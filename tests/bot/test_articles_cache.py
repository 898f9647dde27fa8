"""``quotebot articles`` lists what is indexed; ``quotebot index`` ends with the date range; ``quotebot cache
list|prune`` shows the saved indexes and removes those no process has loaded."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest

from bot.cli import main
from retrieval import open_index
from retrieval.cache_admin import TMP_GRACE_SECONDS, prune, saved_indexes
from tests.conftest import SEED_FILE, SEEDS


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """The seed article, two JSONL articles (one undated, one with a url) and a file to grep for."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy(SEEDS / SEED_FILE, folder / SEED_FILE)
    rows = [
        {"id": "z1", "title": "Zeppelins return", "date": "2021-05-01", "url": "https://example.org/z1",
         "text": "A zeppelin flew. It landed."},
        {"id": "u1", "title": "Undated note", "date": None, "text": "No date here. Two sentences."},
    ]
    (folder / "more.jsonl").write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return folder


def test_articles_lists_id_date_sentences_title_and_url(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["articles", "--corpus", str(corpus)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "id\tdate\tsentences\ttitle\turl"
    assert lines[1].startswith(f"{SEED_FILE}\t2020-06-09\t14\tThe George Floyd protests")
    assert lines[2] == "z1\t2021-05-01\t2\tZeppelins return\thttps://example.org/z1"
    assert lines[3] == "u1\tundated\t2\tUndated note\t"
    assert lines[4] == "3 of 3 article(s) shown; the corpus has 18 sentences, dated 2020-06-09 to 2021-05-01, 1 undated."


def test_articles_filters_by_date_and_word_and_writes_json(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["articles", "--corpus", str(corpus), "--since", "2021-01-01", "--format", "json"]) == 0
    (row,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert row == {"id": "z1", "date": "2021-05-01", "title": "Zeppelins return", "sentences": 2, "url": "https://example.org/z1"}
    assert main(["articles", "--corpus", str(corpus), "--until", "2020-12-31", "--format", "json"]) == 0
    assert [json.loads(line)["id"] for line in capsys.readouterr().out.splitlines()] == [SEED_FILE]
    assert main(["articles", "--corpus", str(corpus), "--grep", "UNDATED", "--format", "json"]) == 0
    assert [json.loads(line)["id"] for line in capsys.readouterr().out.splitlines()] == ["u1"]


def test_articles_refuses_a_bad_date(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["articles", "--corpus", str(corpus), "--since", "2021-02-30"])
    assert exited.value.code == 2 and "impossible date" in capsys.readouterr().err


def test_index_ends_with_the_date_range(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["index", "--corpus", str(corpus)]) == 0
    assert "Dates: 2020-06-09 to 2021-05-01 (1 undated)." in capsys.readouterr().out


def test_cache_list_shows_each_saved_index(corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cache = Path(os.environ["QUOTEBOT_CACHE_DIR"])
    assert main(["index", "--corpus", str(corpus)]) == 0
    assert main(["index", "--corpus", str(SEEDS)]) == 0
    capsys.readouterr()
    assert main(["cache", "list", "--json"]) == 0
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert sorted((s["articles"], s["sentences"], s["corpus"]) for s in listed) == [(1, 14, [str(SEEDS)]), (3, 18, [str(corpus)])]
    assert all(not s["in_use"] and s["complete"] and s["bytes"] > 0 and Path(s["path"]).parent == cache for s in listed)
    assert main(["cache", "list"]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("2 saved index(es), ")


def test_prune_never_removes_an_index_a_process_has_loaded(corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cache = tmp_path / "cache"
    loaded = open_index([str(SEEDS)], cache_dir=cache)  # built, then kept loaded below
    held = open_index([str(SEEDS)], cache_dir=cache)  # loaded from the cache: holds the folder's shared lock
    assert held.from_cache and held.index.in_use is not None
    other = open_index([str(corpus)], cache_dir=cache)
    other.index.in_use = None  # a process that has let go of its index
    stale = cache / ".tmp-old"
    stale.mkdir()
    old = time.time() - TMP_GRACE_SECONDS - 10
    os.utime(stale, (old, old))
    fresh = cache / ".tmp-now"  # a build writing right now
    fresh.mkdir()

    removed, kept = prune(cache, dry_run=True)
    assert {s.path for s in removed} == {other.path, stale} and all(p.exists() for p in (other.path, stale))

    (tmp_path / "q.toml").write_text(f'[corpus]\ncache_dir = "{cache}"\n', encoding="utf-8")
    assert main(["cache", "prune", "--config", str(tmp_path / "q.toml")]) == 0
    out = capsys.readouterr().out
    assert not other.path.exists() and not stale.exists()
    assert held.path is not None and held.path.exists() and fresh.exists()
    assert "Removed 2 saved index(es)" in out and f"kept\t{held.path.name}" in out
    assert {s.path for s in saved_indexes(cache)} == {held.path, fresh}
    assert loaded.index.num_sentences == held.index.num_sentences == 14  # still usable


def test_cache_commands_on_a_missing_cache_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("QUOTEBOT_CACHE_DIR", str(tmp_path / "none"))
    assert main(["cache", "list"]) == 0
    assert main(["cache", "prune"]) == 0
    out = capsys.readouterr().out
    assert f"0 saved index(es), 0 B, in {tmp_path / 'none'}" in out and "Removed 0 saved index(es)" in out


def test_prune_under_a_folder_keeps_other_corpora(corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cache = tmp_path / "cache"
    mine = open_index([str(corpus)], cache_dir=cache)
    theirs = open_index([str(SEEDS)], cache_dir=cache)
    mine.index.in_use = theirs.index.in_use = None  # neither is loaded any more
    removed, kept = prune(cache, under=tmp_path)
    assert [s.path for s in removed] == [mine.path] and kept == []
    assert theirs.path is not None and theirs.path.exists()
