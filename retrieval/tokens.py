"""Turn text into index terms: Unicode words, lower-cased, stopwords removed, Snowball-stemmed.

Unlike bm25s's own tokenizer this keeps one-character tokens such as "5" or "X",
which matter in questions about numbers and names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import Stemmer

from .stopwords import STOPWORDS_EN

#: Word characters, allowing inner apostrophes ("don't", "O’Neil") and dots in acronyms ("u.s").
_WORD = re.compile(r"\w+(?:['’.]\w+)*")


@dataclass
class Tokenizer:
    """Tokenizes sentences and questions the same way, so their terms meet in the index.

    ``stem`` names a Snowball stemmer (``"english"``), or ``None`` for none.
    The stem cache makes repeated words cheap: news text repeats most of its words.
    """

    stem: str | None = "english"
    stopwords: frozenset[str] = STOPWORDS_EN
    _stemmer: Stemmer.Stemmer | None = field(init=False, repr=False, default=None)
    _cache: dict[str, str] = field(init=False, repr=False, default_factory=dict)

    def __post_init__(self) -> None:
        self._stemmer = Stemmer.Stemmer(self.stem) if self.stem else None

    def words(self, text: str) -> list[tuple[str, int, int]]:
        """The content words of ``text`` as ``(term, start, end)``; ``start:end`` is the word in ``text``."""
        out = []
        cache, stopwords = self._cache, self.stopwords
        for match in _WORD.finditer(text):
            word = match.group().lower().replace("’", "'")
            if word in stopwords:
                continue
            term = cache.get(word)
            out.append((term if term is not None else self._term(word), *match.span()))
        return out

    def __call__(self, text: str) -> list[str]:
        """The index terms of ``text``, in order, repeats kept."""
        cache = self._cache
        stopwords = self.stopwords
        terms = []
        for word in _WORD.findall(text.lower()):
            if word in stopwords:
                continue
            term = cache.get(word)
            if term is None:
                term = self._term(word)
            terms.append(term)
        return terms

    def many(self, texts: Iterable[str]) -> list[list[str]]:
        """Tokenize many texts (sentences of a corpus)."""
        return [self(t) for t in texts]

    def _term(self, word: str) -> str:
        term = self._cache.get(word)
        if term is None:
            base = word.replace("’", "'").replace(".", "")
            if base.endswith("'s"):
                base = base[:-2]
            base = base.replace("'", "")
            term = self._stemmer.stemWord(base) if self._stemmer and base else base
            if len(self._cache) < 1_000_000:
                self._cache[word] = term
        return term
