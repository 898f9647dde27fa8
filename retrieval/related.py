"""Words related in meaning, as index terms: a question's "prefer" finds a sentence's "favored", "died" finds "death".

The table (``data/related.txt.gz``, built from WordNet 3.0 by ``bench/wordnet_table.py``) lists, for each word,
the synonyms of its most frequent sense, its derived forms and its pertainyms. It is read once per process and
turned into index terms with the index's own tokenizer, so "preferred", "preference" and "prefer" all meet
under one stem. The ranker uses it for one feature (``related``): how much of the question a sentence says in
other words. Matching and quoting still use only the corpus's own text.
"""

from __future__ import annotations

import gzip
import threading
from functools import cache
from pathlib import Path

from .tokens import Tokenizer

TABLE = Path(__file__).with_name("data") / "related.txt.gz"


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


_built: dict[tuple[str | None, frozenset[str]], RelatedTerms] = {}
_warming: set[tuple[str | None, frozenset[str]]] = set()
_lock = threading.Lock()


def warm(tokenizer: Tokenizer) -> None:
    """Make :func:`related_terms` for ``tokenizer`` on a background thread, unless it is made or being made, so
    the first question neither waits for it nor holds up an event loop that searches in its own thread."""
    key = (tokenizer.stem, tokenizer.stopwords)
    with _lock:
        if key in _built or key in _warming:
            return
        _warming.add(key)
    threading.Thread(target=related_terms, args=(tokenizer,), daemon=True, name="quotebot-related-words").start()


#: Stemmer settings under which the index's terms are English words: WordNet's table applies to those only.
ENGLISH = frozenset({"english", "porter", None})


def related_terms(tokenizer: Tokenizer) -> RelatedTerms:
    """The related terms under ``tokenizer``'s settings, made on first use (about 0.2 s; :func:`warm` starts it when
    an index opens) and kept for the process. Empty for a stemmer of another language than English."""
    key = (tokenizer.stem, tokenizer.stopwords)
    found = _built.get(key)
    if found is None:
        with _lock:  # two first questions at once build it once
            found = _built.get(key)
            if found is None:
                table = related_words() if tokenizer.stem in ENGLISH else {}
                found = _built[key] = RelatedTerms(Tokenizer(stem=tokenizer.stem, stopwords=tokenizer.stopwords), table)
    return found
