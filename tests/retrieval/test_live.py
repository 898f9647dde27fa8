"""The live index on small temporary corpora: added, changed, deleted and broken files, and compaction."""

from __future__ import annotations

import asyncio
import gc
import json
from pathlib import Path

import pytest

from retrieval.cache import open_index
from retrieval.index import SentenceIndex
from retrieval.live import LiveIndex, MergedIndex
from tests.retrieval.live_corpus import BASE
from tests.retrieval.live_corpus import make_corpus as _corpus
from tests.retrieval.live_corpus import wait_until as _until
from tests.retrieval.searching import search


def _first(live: LiveIndex, question: str) -> str | None:
    hits = search(live, question, k=1)
    return hits[0].text if hits else None


@pytest.fixture
async def live(tmp_path: Path) -> LiveIndex:
    index = LiveIndex([_corpus(tmp_path)], cache_dir=tmp_path / "cache", debounce_ms=50, compact_after=3600)
    await index.start()
    yield index  # type: ignore[misc]
    await index.stop()


async def test_added_changed_and_deleted_files_show_up(live: LiveIndex, tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    assert _first(live, "dinosaur exhibit") == "The museum opened a dinosaur exhibit."
    (root / "c.txt").write_text("date 2021-03-03\n\nA comet will pass Earth in June. Astronomers are thrilled.")
    await _until(live, lambda: _first(live, "comet astronomers") is not None)
    hit = search(live, "When does the comet pass?", k=1)[0]
    assert hit.article_id == "c.txt" and hit.date is not None and hit.date.isoformat() == "2021-03-03"
    # A changed file: the old sentence disappears, the new one is found.
    (root / "b.txt").write_text("date 2020-02-02\n\nThe museum closed the whale hall for repairs.")
    await _until(live, lambda: _first(live, "whale hall") is not None)
    assert _first(live, "dinosaur exhibit") is None
    # A deleted file disappears too.
    (root / "a.txt").unlink()
    await _until(live, lambda: _first(live, "bridge budget council") is None)
    assert _first(live, "comet") is not None


async def test_a_broken_file_is_reported_and_the_rest_still_updates(live: LiveIndex, tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    (root / "bad.jsonl").write_text('{"id": "x", "text": "fine line about volcanoes."}\n{not json\n')
    (root / "latin1.txt").write_bytes("date 2020-01-01\n\nCaf\xe9 owners protest.".encode("latin-1"))
    (root / "good.txt").write_text("date 2022-05-05\n\nThe harbour froze for the first time in decades.")
    await _until(live, lambda: _first(live, "harbour froze") is not None and _first(live, "volcanoes") is not None)
    await _until(live, lambda: any("broken JSON" in p.reason for u in live.updates for p in u.problems))
    reasons = [p.reason for p in live.problems]
    assert any("not UTF-8" in r for r in reasons)


async def test_compaction_swaps_in_a_full_index(live: LiveIndex, tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    (root / "d.jsonl").write_text(json.dumps({"id": "d1", "date": "2023-01-01", "text": "Penguins arrived at the zoo."}) + "\n")
    await _until(live, lambda: _first(live, "penguins zoo") is not None)
    assert live.index.delta is not None
    update = await live.compact()
    assert update.compacted
    assert isinstance(live.index, MergedIndex) and live.index.delta is None
    assert isinstance(live.index.base, SentenceIndex)
    assert _first(live, "penguins zoo") == "Penguins arrived at the zoo."
    assert live.num_sentences == 5


async def test_compaction_keeps_the_base_still_in_use_and_a_later_open_prunes_it(live: LiveIndex, tmp_path: Path) -> None:
    """The compaction worker saves the new index but must not delete the one this process has mapped; once the
    swap has let go of it, the next open of the corpus removes it."""
    cache = tmp_path / "cache"
    (before,) = [p.name for p in cache.iterdir() if not p.name.startswith(".")]
    (tmp_path / "corpus" / "d.txt").write_text("date 2023-01-01\n\nPenguins arrived at the zoo.")
    await _until(live, lambda: _first(live, "penguins zoo") is not None)
    await live.compact()
    after = sorted(p.name for p in cache.iterdir() if not p.name.startswith("."))
    assert before in after and len(after) == 2
    gc.collect()  # the swap let go of the old base; nothing holds it now
    opened = open_index([str(tmp_path / "corpus")], cache_dir=cache)
    assert opened.from_cache and sorted(p.name for p in cache.iterdir() if not p.name.startswith(".")) == [opened.key]


async def test_delta_scores_are_comparable_with_the_base(tmp_path: Path) -> None:
    """A sentence scores the same whether it sits in the base or in the delta."""
    root = _corpus(tmp_path)
    live = LiveIndex([root], cache_dir=tmp_path / "cache")
    await live.start(watch=False)
    try:
        before = search(live, "museum dinosaur exhibit", k=1)[0]
        (root / "b.txt").write_text(BASE["b.txt"] + " ")  # same text, new file stats: now in the delta
        await live.refresh([str(root / "b.txt")])
        after = search(live, "museum dinosaur exhibit", k=1)[0]
        assert after.text == before.text
        assert after.sentence >= live.index.base.num_sentences
        assert after.score == pytest.approx(before.score, rel=0.35)
    finally:
        await live.stop()


async def test_a_file_changed_during_compaction_is_answered_once(tmp_path: Path) -> None:
    root = _corpus(tmp_path)
    live = LiveIndex([root], cache_dir=tmp_path / "cache")
    await live.start(watch=False)
    try:
        compaction = asyncio.create_task(live.compact())
        await asyncio.sleep(0.05)  # the compaction's build is under way
        (root / "f.txt").write_text("date 2024-05-05\n\nA glacier calved into the fjord at dawn.")
        await live.refresh([str(root / "f.txt")])
        assert _first(live, "glacier calved fjord") == "A glacier calved into the fjord at dawn."
        await compaction
        hits = search(live, "glacier calved fjord", k=5)
        assert [h.text for h in hits].count("A glacier calved into the fjord at dawn.") == 1
        assert any(u.compacted for u in live.updates)
    finally:
        await live.stop()
