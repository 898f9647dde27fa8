"""How much a question word says, judged by English at large as well as by the corpus: for "nothing found".

A corpus's IDF is a poor guide when the corpus is small. In one article, "stop" and "sell" are in no sentence, so
they get the highest IDF of all and outweigh "IBM" and "facial", which the article uses in many sentences: the
question "Why did IBM stop selling facial recognition?" looks as if the best sentence held little of it. English at
large says the opposite: "stop" and "sell" are common words, "IBM" and "facial" are rare ones.

:func:`evidence_weights` blends the two. Each question word gets the IDF it would have in sentences of ordinary
English (from its frequency in ``data/wordfreq-en.txt.gz``, built by ``bench/wordfreq_table.py``), mixed with its
IDF in the corpus by the corpus's size: a corpus of :data:`BACKGROUND_SENTENCES` sentences counts as much as the
background, a much larger one nearly alone. The weights decide only whether the best sentence holds enough of the
question to be quoted; ranking uses the corpus's own IDF.

The table is read from ``data/wordfreq-en.npz`` (:data:`PREBUILT`, the same table as sorted arrays, written by
``bench/prebuilt_tables.py``), which opens in about a millisecond.
"""

from __future__ import annotations

import gzip
import threading
from collections.abc import Mapping

import numpy as np
from numpy.typing import NDArray

from .related import ENGLISH
from .tables import DATA, FloatTable
from .tokens import Tokenizer

TABLE = DATA / "wordfreq-en.txt.gz"
#: :data:`TABLE` as a :class:`~retrieval.tables.FloatTable`.
PREBUILT = DATA / "wordfreq-en.npz"
#: The corpus size (in sentences) at which the corpus's IDF and the background's count the same.
BACKGROUND_SENTENCES = 1000
#: Words in a sentence of ordinary English, to turn a word's frequency into the share of sentences that hold it.
WORDS_PER_SENTENCE = 25
#: The Zipf frequency given to a word the table does not list (it lists words down to about 2.5).
RARE_ZIPF = 2.5

_lock = threading.Lock()
_table: Mapping[str, float] | None = None


def warm() -> None:
    """Open the table (about a millisecond), once per process, so the first question need not."""
    zipf_table()


def zipf_table() -> Mapping[str, float]:
    """The table as ``word -> Zipf frequency`` (log10 of uses per billion words), opened once: :data:`PREBUILT`,
    else read from :data:`TABLE`; empty when both are missing."""
    global _table
    with _lock:
        if _table is None:
            _table = FloatTable.load(PREBUILT) if PREBUILT.is_file() else read_table()
        return _table


def read_table() -> dict[str, float]:
    """:data:`TABLE` read into a dict (what :data:`PREBUILT` is made from); empty when it is missing."""
    try:
        text = gzip.decompress(TABLE.read_bytes()).decode()
    except FileNotFoundError:
        text = ""
    table = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            word, _, zipf = line.partition("\t")
            table[word] = float(zipf)
    return table


def background_idf(tokenizer: Tokenizer, question: str, terms: list[str]) -> NDArray[np.float64] | None:
    """Per term of ``terms``, its IDF among sentences of ordinary English, from the question words that make it
    (the most common of them when several do); ``None`` for a tokenizer of another language than English."""
    if tokenizer.stem not in ENGLISH:
        return None
    table = zipf_table()
    if not table:
        return None
    zipf = dict.fromkeys(terms, RARE_ZIPF)
    for term, start, end in tokenizer.words(question):
        if term in zipf:
            word = question[start:end].lower().replace("’", "'")
            zipf[term] = max(zipf[term], table.get(word, RARE_ZIPF))
    per_word = 10.0 ** (np.array([zipf[t] for t in terms], dtype=np.float64) - 9.0)
    in_sentences = -np.expm1(-per_word * WORDS_PER_SENTENCE)
    return np.log1p((1.0 - in_sentences) / in_sentences)


def evidence_weights(
    tokenizer: Tokenizer, question: str, terms: list[str], idf: NDArray[np.float64], num_sentences: int
) -> NDArray[np.float64]:
    """How much each term of the question counts towards "is it answered": its corpus ``idf`` (over
    ``num_sentences`` sentences) blended with :func:`background_idf` by corpus size; ``idf`` itself when there
    is no background for the tokenizer's language."""
    background = background_idf(tokenizer, question, terms)
    if background is None or len(terms) == 0:
        return idf
    share = num_sentences / (num_sentences + BACKGROUND_SENTENCES)
    return share * idf + (1.0 - share) * background
