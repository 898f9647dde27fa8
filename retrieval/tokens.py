"""Turn text into index terms: Unicode words, lower-cased, stopwords removed, accents folded, Snowball-stemmed.

Unlike bm25s's own tokenizer this keeps one-character tokens such as "5" or "X",
which matter in questions about numbers and names.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

import Stemmer

from .stopwords import STOPWORDS_EN

#: Word characters, allowing inner apostrophes ("don't", "O’Neil") and dots in acronyms ("u.s"), and
#: combining accents after a letter (lower-casing "İstanbul" gives "i" + a combining dot).
#: (Written so that the common case, a run of word characters, stays one fast loop.)
WORD = re.compile(r"\w+(?:[\u0300-\u036f]+\w*)*(?:['’.]\w+(?:[\u0300-\u036f]+\w*)*)*")


def fold_accents(word: str) -> str:
    """``word`` without its accents when it is Latin letters with diacritics ("möngke" → "mongke",
    "são" → "sao"); any other word as it is (ß, 東京, and scripts whose marks are part of the letter)."""
    if word.isascii():
        return word
    bare = "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))
    return bare if bare.isascii() else word


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
        for match in WORD.finditer(text):
            word = match.group().lower().replace("’", "'")
            if word in stopwords:
                continue
            term = cache.get(word)
            if term is None:
                term = self.term(word)
            if term:
                out.append((term, *match.span()))
        return out

    def __call__(self, text: str) -> list[str]:
        """The index terms of ``text``, in order, repeats kept."""
        cache = self._cache
        stopwords = self.stopwords
        terms = []
        for word in WORD.findall(text.lower()):
            if word in stopwords:
                continue
            term = cache.get(word)
            if term is None:
                term = self.term(word)
            if term:
                terms.append(term)
        return terms

    def many(self, texts: Iterable[str]) -> list[list[str]]:
        """Tokenize many texts (sentences of a corpus)."""
        return [self(t) for t in texts]

    def word_terms(self, words: list[str]) -> list[str]:
        """The index term of each single lower-case word of ``words`` ("" for a stopword), as :meth:`__call__` would
        give it: plain ASCII letters are stemmed in one call, anything else one word at a time."""
        plain = [w for w in words if w.isascii() and w.isalpha() and w not in self.stopwords]
        stems = plain
        if self._stemmer:
            # In slices: one stemWords call holds the GIL throughout, and 60,000 words take 0.1 s (an event
            # loop in another thread would stall that long).
            stems = [t for at in range(0, len(plain), 1000) for t in self._stemmer.stemWords(plain[at : at + 1000])]
        found = dict(zip(plain, stems, strict=True))
        return [found[w] if w in found else (self(w) or [""])[0] for w in words]

    def term(self, word: str) -> str:
        """The term of a lower-cased word that is not a stopword; "" when it is one once its accents are folded ("à")."""
        term = self._cache.get(word)
        if term is None:
            plain = word.replace("’", "'")
            folded = fold_accents(plain)
            if folded != plain and folded in self.stopwords:
                if len(self._cache) < 1_000_000:
                    self._cache[word] = ""
                return ""
            base = folded.replace(".", "")
            if base.endswith("'s"):
                base = base[:-2]
            base = base.replace("'", "")
            term = self._stemmer.stemWord(base) if self._stemmer and base else base
            if len(self._cache) < 1_000_000:
                self._cache[word] = term
        return term
