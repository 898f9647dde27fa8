"""Words related in meaning, as index terms: a question's "prefer" finds a sentence's "favored", "died" finds "death".

The table (``data/related.txt.gz``, built from WordNet 3.0 by ``bench/wordnet_table.py``) lists, for each word,
the synonyms of its most frequent sense, its derived forms and its pertainyms. It is read once per process and
turned into index terms with the index's own tokenizer, so "preferred", "preference" and "prefer" all meet
under one stem. The ranker uses it for one feature (``related``): how much of the question a sentence says in
other words. Matching and quoting still use only the corpus's own text.

Under the default tokenizer (Snowball English, the default stopwords) the table as terms is shipped prebuilt
(``data/related-terms-english.npz``, :data:`PREBUILT`, written by ``bench/prebuilt_tables.py``) and opens in a few
milliseconds; under any other tokenizer it is worked out when an index opens, on a thread (:func:`warm`).
"""

from __future__ import annotations

import gzip
import threading
from functools import cache
from typing import Protocol

from .stopwords import STOPWORDS_EN
from .tables import DATA, SetTable
from .tokens import Tokenizer

TABLE = DATA / "related.txt.gz"
#: :func:`all_related_terms` under :data:`PREBUILT_SETTINGS`, as a :class:`~retrieval.tables.SetTable`.
PREBUILT = DATA / "related-terms-english.npz"
#: The tokenizer settings (stemmer, stopwords) :data:`PREBUILT` was made under.
PREBUILT_SETTINGS: tuple[str | None, frozenset[str]] = ("english", STOPWORDS_EN)


class TermSets(Protocol):
    """``term -> related terms``, however it is kept."""

    def get(self, term: str) -> frozenset[str]:
        """The terms related to ``term`` (never ``term`` itself); empty when there are none."""
        ...


@cache
def related_words() -> dict[str, tuple[str, ...]]:
    """The table as ``word -> related words`` (lower case, single words); empty when the file is missing."""
    try:
        text = gzip.decompress(TABLE.read_bytes()).decode()
    except FileNotFoundError:
        return {}
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            word, *others = line.split(" ")
            out[word] = tuple(others)
    return out


class RelatedTerms:
    """``term -> related terms`` under one tokenizer: the related words of every table word with that term, as terms.

    Only the table's words are turned into terms up front (one batch); each term's related terms are worked
    out the first time a question asks for them, and kept.
    """

    def __init__(self, tokenizer: Tokenizer, table: dict[str, tuple[str, ...]]) -> None:
        self._tokenizer = tokenizer
        self._table = table
        words = list(table)
        self._words_of: dict[str, list[str]] = {}
        for word, term in zip(words, tokenizer.word_terms(words), strict=True):
            if term:
                self._words_of.setdefault(term, []).append(word)
        self._memo: dict[str, frozenset[str]] = {}

    def get(self, term: str) -> frozenset[str]:
        """The terms related to ``term`` (never ``term`` itself); empty when the table has none."""
        found = self._memo.get(term)
        if found is None:
            words = sorted({other for word in self._words_of.get(term, ()) for other in self._table[word]})
            found = frozenset(t for t in self._tokenizer.word_terms(words) if t and t != term)
            self._memo[term] = found
        return found

    def terms(self) -> list[str]:
        """Every term some table word has (the terms :meth:`get` can find anything for)."""
        return list(self._words_of)


def all_related_terms(tokenizer: Tokenizer, table: dict[str, tuple[str, ...]]) -> dict[str, frozenset[str]]:
    """What :meth:`RelatedTerms.get` gives for every term of the table, worked out at once (every word's term in
    one batch): the contents of :data:`PREBUILT` under its settings. Terms with nothing related are left out."""
    terms = RelatedTerms(tokenizer, table)
    words_of = terms._words_of
    others = sorted({other for words in words_of.values() for word in words for other in table[word]})
    term_of = dict(zip(others, tokenizer.word_terms(others), strict=True))
    out = {}
    for term, words in words_of.items():
        found = frozenset(t for w in {o for word in words for o in table[word]} if (t := term_of[w]) and t != term)
        if found:
            out[term] = found
    return out


_built: dict[tuple[str | None, frozenset[str]], TermSets] = {}
_warming: set[tuple[str | None, frozenset[str]]] = set()
_lock = threading.Lock()


def warm(tokenizer: Tokenizer) -> None:
    """Make :func:`related_terms` for ``tokenizer`` ahead of the first question: the prebuilt table is opened at
    once (milliseconds); any other is worked out on a background thread, unless it is made or being made, so the
    first question neither waits for it nor holds up an event loop that searches in its own thread."""
    key = (tokenizer.stem, tokenizer.stopwords)
    if key == PREBUILT_SETTINGS and PREBUILT.is_file():
        related_terms(tokenizer)
        return
    with _lock:
        if key in _built or key in _warming:
            return
        _warming.add(key)
    threading.Thread(target=related_terms, args=(tokenizer,), daemon=True, name="quotebot-related-words").start()


#: Stemmer settings under which the index's terms are English words: WordNet's table applies to those only.
ENGLISH = frozenset({"english", "porter", None})


def related_terms(tokenizer: Tokenizer) -> TermSets:
    """The related terms under ``tokenizer``'s settings, kept for the process: :data:`PREBUILT` under its settings
    (a few milliseconds to open), else made on first use (about 0.2 s; :func:`warm` starts it when an index opens).
    Empty for a stemmer of another language than English."""
    key = (tokenizer.stem, tokenizer.stopwords)
    found = _built.get(key)
    if found is None:
        with _lock:  # two first questions at once build it once
            found = _built.get(key)
            if found is None:
                found = _built[key] = _make(key)
    return found


def _make(key: tuple[str | None, frozenset[str]]) -> TermSets:
    """The related terms under the tokenizer settings ``key``: the prebuilt table when it fits, else worked out."""
    stem, stopwords = key
    if key == PREBUILT_SETTINGS and PREBUILT.is_file():
        return SetTable.load(PREBUILT)
    table = related_words() if stem in ENGLISH else {}
    return RelatedTerms(Tokenizer(stem=stem, stopwords=stopwords), table)
