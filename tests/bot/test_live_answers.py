"""The answerer over a live index: new files are answered from, a changed file's old text never is."""

from __future__ import annotations

from pathlib import Path

from bot.answerer import Answerer
from bot.config import Config, CorpusConfig
from bot.models import Question
from retrieval import NO_GATE, LiveIndex
from tests.retrieval.live_corpus import make_corpus, wait_until


async def _start_live(config: Config) -> tuple[Answerer, LiveIndex]:
    """An answerer over a started :class:`~retrieval.LiveIndex` of the configured corpus (watching it)."""
    live = LiveIndex(config.corpus.paths, config.index, cache_dir=Path(config.corpus.cache_dir) if config.corpus.cache_dir else None)
    await live.start()
    return Answerer(live, config.answer), live


def _first(answerer: Answerer, question: str) -> str | None:
    """The best sentence for ``question`` through the answerer's searcher, ungated."""
    hits = answerer.searcher.search(question, 1, NO_GATE).hits
    return hits[0].hit.text if hits else None


async def test_the_bot_answers_from_a_live_index(tmp_path: Path) -> None:
    root = make_corpus(tmp_path)
    config = Config(corpus=CorpusConfig(paths=[str(root)], cache_dir=str(tmp_path / "cache")))
    answerer, live = await _start_live(config)
    try:
        (root / "e.txt").write_text("date 2024-04-04\n\nThe lighthouse keeper retired after forty years.")
        await wait_until(live, lambda: _first(answerer, "lighthouse keeper") is not None)
        answer = await answerer.answer_async(Question("Who retired from the lighthouse?"))
        assert answer.passages[0].text == "The lighthouse keeper retired after forty years."
        assert answer.passages[0].source.id == "e.txt"
    finally:
        answerer.close()
        await live.stop()


async def test_the_bot_never_quotes_a_changed_files_old_text(tmp_path: Path) -> None:
    """With re-ranking (the default) the answerer searches base and delta itself: the base copy of a changed file stays hidden."""
    root = make_corpus(tmp_path)
    config = Config(corpus=CorpusConfig(paths=[str(root)], cache_dir=str(tmp_path / "cache")))
    answerer, live = await _start_live(config)
    try:
        question = Question("What did the council approve for the bridge?")
        assert answerer.answer(question).passages[0].text == "The council approved the new bridge budget."
        (root / "a.txt").write_text("date 2020-01-01\n\nThe council rejected the bridge budget after a long debate.")
        await wait_until(live, lambda: live.index.delta is not None and live.index.delta.num_sentences > 0)
        texts = [p.text for p in answerer.answer(Question("council bridge budget", k=5)).passages]
        assert texts[0] == "The council rejected the bridge budget after a long debate."
        assert "The council approved the new bridge budget." not in texts
    finally:
        answerer.close()
        await live.stop()
