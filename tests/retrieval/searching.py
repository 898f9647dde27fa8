"""The tests' one way to search: :meth:`retrieval.Searcher.search` without the "nothing found" gate."""

from __future__ import annotations

from retrieval import NO_GATE, AnyIndex, Hit, Searcher


def search(index: AnyIndex, question: str, k: int = 10) -> list[Hit]:
    """The ``k`` best sentences for ``question``, best first, through the search path the bot uses."""
    return [found.hit for found in Searcher(index, NO_GATE).search(question, k).hits]
