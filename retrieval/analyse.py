"""Sentences and index terms of many articles at once: the fast path of index building.

Calling blingfire once per paragraph through its Python wrapper costs more in the
wrapper (a Python loop over every byte, mapping UTF-8 offsets to characters) than in
blingfire itself. Here a whole batch of articles goes to blingfire's C function in one
call, offsets are mapped with NumPy, and sentences are cut at paragraph boundaries
(blingfire sometimes runs a sentence across a blank line). The honorific repair of
:mod:`retrieval.segment` is applied to the few sentences that end in a short word.

Terms are found with one regular-expression pass over all sentences of the batch,
separated by a marker, and mapped to integer ids through a per-worker table, so the
index is built from flat ``int32`` arrays, never from lists of strings.

The spans and terms are exactly those of :func:`retrieval.segment.split_paragraph`
and :class:`retrieval.tokens.Tokenizer` (``tests/retrieval/test_analyse.py``).
"""

from __future__ import annotations

import ctypes
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from blingfire import blingfire as _blingfire_dll
from numpy.typing import NDArray

from .records import Article
from .segment import should_join
from .sparse import sorted_unique
from .tokens import WORD, Tokenizer

#: Separates articles in a batch: a blank line, which no paragraph contains.
ARTICLE_GAP = "\n\n"
#: Separates sentences for the term pass; not a word character, never in a term.
SENTENCE_MARK = "\x01"
_TERMS = re.compile(WORD.pattern + "|" + SENTENCE_MARK)
_SPACE_BYTES = np.zeros(256, dtype=bool)
_SPACE_BYTES[[9, 10, 11, 12, 13, 32]] = True
_SPACE_BYTES[0x80:] = True  # a multi-byte character may be a Unicode space: checked in Python
#: Bytes that can be part of the last word of a sentence ending in an abbreviation.
_ABBREV_BYTES = np.zeros(256, dtype=bool)
_ABBREV_BYTES[[*range(ord("a"), ord("z") + 1), *range(ord("A"), ord("Z") + 1), ord(".")]] = True
#: The longest abbreviation ("messrs", "approx") plus its dot.
_LONGEST_ABBREV = 7
STOP, MARK = -2, -1
#: Longest text (bytes) blingfire is given in one call.
WINDOW = 8 << 20
#: About how many characters of sentences the term pass reads at once.
TERM_PIECE = 1 << 20


@dataclass
class Analysed:
    """Sentences and terms of a batch of articles.

    Offsets are into the batch: ``text`` (characters) and ``data`` (its UTF-8 bytes).
    ``term_ids`` / ``term_sentence`` give, per term occurrence, its id in the :class:`TermTable`
    and its sentence number within the batch. A table can serve many batches: ``terms`` lists only
    the terms this batch added to it, which got ids ``term_base``, ``term_base + 1``, ...
    """

    text: str
    data: bytes
    article_char: NDArray[np.int64]
    article_byte: NDArray[np.int64]
    sent_article: NDArray[np.int32]
    sent_paragraph: NDArray[np.int32]
    sent_char_start: NDArray[np.int64]
    sent_char_end: NDArray[np.int64]
    sent_byte_start: NDArray[np.int64]
    sent_byte_end: NDArray[np.int64]
    par_article: NDArray[np.int32]
    terms: list[str]
    term_ids: NDArray[np.int32]
    term_sentence: NDArray[np.int32]
    term_base: int = 0

    @property
    def num_sentences(self) -> int:
        """Sentences in the batch."""
        return len(self.sent_char_start)


def _blingfire_spans(data: bytes) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Byte spans ``[start, end)`` of blingfire's sentences of ``data`` (one C call)."""
    n = len(data)
    if n == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    size = 2 * n + 16
    out = ctypes.create_string_buffer(size)
    starts = (ctypes.c_int32 * size)()
    ends = (ctypes.c_int32 * size)()
    count = _blingfire_dll.TextToSentencesWithOffsets(
        ctypes.c_char_p(data), ctypes.c_int(n), ctypes.byref(out), ctypes.byref(starts), ctypes.byref(ends), ctypes.c_int(size)
    )
    if count <= 0 or count > size:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    num = out.raw[:count].count(b"\n") + 1
    s = np.ctypeslib.as_array(starts)[:num].astype(np.int64)
    e = np.ctypeslib.as_array(ends)[:num].astype(np.int64) + 1  # blingfire's end is inclusive
    return s, e


class TermTable(dict[str, int]):
    """Word → term id for one batch (stopwords map to ``STOP``, the sentence marker to ``MARK``)."""

    def __init__(self, tokenizer: Tokenizer) -> None:
        super().__init__()
        self.tokenizer = tokenizer
        self.terms: list[str] = []
        self._ids: dict[str, int] = {}
        self[SENTENCE_MARK] = MARK

    def __missing__(self, word: str) -> int:
        if word in self.tokenizer.stopwords:
            value = STOP
        elif not (term := self.tokenizer.term(word)):
            value = STOP
        else:
            value = self._ids.get(term, -3)
            if value == -3:
                value = self._ids[term] = len(self.terms)
                self.terms.append(term)
        self[word] = value
        return value


class _Offsets:
    """Character ↔ UTF-8 byte offsets of one batch's text; the identity for ASCII text."""

    def __init__(self, text: str, data: bytes, raw: NDArray[np.uint8]) -> None:
        self.byte_of_char: NDArray[np.int64] | None = None
        self.char_of_byte: NDArray[np.int64] | None = None
        if len(data) != len(text):
            lead = (raw & 0xC0) != 0x80
            self.byte_of_char = np.append(np.flatnonzero(lead).astype(np.int64), len(data))
            self.char_of_byte = np.append(np.cumsum(lead, dtype=np.int64) - 1, len(text))

    def to_byte(self, c: NDArray[np.int64]) -> NDArray[np.int64]:
        """Byte offsets of character offsets ``c``."""
        return c if self.byte_of_char is None else self.byte_of_char[c]

    def to_char(self, bt: NDArray[np.int64]) -> NDArray[np.int64]:
        """Character offsets of byte offsets ``bt``."""
        return bt if self.char_of_byte is None else self.char_of_byte[bt]


def _paragraphs(articles: Sequence[Article]) -> tuple[NDArray[np.int64], NDArray[np.int32], NDArray[np.int64], NDArray[np.int64]]:
    """Where each article starts in the batch text, and each paragraph's article, start and end (characters)."""
    article_char = np.empty(len(articles), dtype=np.int64)
    pos = 0
    p_art: list[int] = []
    p_start: list[int] = []
    p_end: list[int] = []
    for i, a in enumerate(articles):
        article_char[i] = pos
        for s, e in a.paragraphs:
            p_art.append(i)
            p_start.append(pos + s)
            p_end.append(pos + e)
        pos += len(a.text) + len(ARTICLE_GAP)
    return article_char, np.asarray(p_art, dtype=np.int32), np.asarray(p_start, dtype=np.int64), np.asarray(p_end, dtype=np.int64)


Spans = tuple[NDArray[np.int64], NDArray[np.int64], NDArray[np.int64]]


def _windowed_spans(data: bytes, par_bs: NDArray[np.int64]) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """Blingfire's sentences of ``data``, in windows of at most :data:`WINDOW` bytes when it is longer.

    Blingfire needs 18 bytes of buffers per input byte, so a 100 MB article would need 1.8 GB in one call. A
    window ends at the last paragraph start inside it; a paragraph longer than a window is cut before the last
    sentence blingfire found in it, which starts the next window. Text up to :data:`WINDOW` (every batch of
    ordinary articles) is one call, as before.
    """
    n = len(data)
    if n <= WINDOW:
        return _blingfire_spans(data)
    starts: list[NDArray[np.int64]] = []
    ends: list[NDArray[np.int64]] = []
    pos = 0
    while pos < n:
        end = min(pos + WINDOW, n)
        clean = end == n
        if not clean:
            k = int(np.searchsorted(par_bs, end, side="right")) - 1
            if k >= 0 and par_bs[k] > pos:
                end, clean = int(par_bs[k]), True
            else:
                while end > pos + 1 and (data[end] & 0xC0) == 0x80:  # not inside a character
                    end -= 1
        s, e = _blingfire_spans(data[pos:end])
        after = end
        if not clean and len(s) > 1:
            after = pos + int(s[-1])
            s, e = s[:-1], e[:-1]
        starts.append(s + pos)
        ends.append(np.minimum(e, after - pos) + pos)
        pos = after
    return np.concatenate(starts), np.concatenate(ends)


def _cut(data: bytes, par_bs: NDArray[np.int64], par_be: NDArray[np.int64]) -> Spans:
    """Blingfire over the whole batch, then cut at every paragraph start and keep the pieces inside paragraphs:
    per sentence its byte start, end and paragraph."""
    bs, be = _windowed_spans(data, par_bs)
    cuts = sorted_unique(np.concatenate([bs, par_bs]))
    sent_of_cut = np.searchsorted(bs, cuts, side="right") - 1
    par_of_cut = np.searchsorted(par_bs, cuts, side="right") - 1
    inside = (par_of_cut >= 0) & (sent_of_cut >= 0)
    inside[inside] &= cuts[inside] < par_be[par_of_cut[inside]]
    cuts, sent_of_cut, par_of_cut = cuts[inside], sent_of_cut[inside], par_of_cut[inside]
    next_cut = np.append(cuts[1:], len(data))
    ends = np.minimum(np.minimum(be[sent_of_cut], par_be[par_of_cut]), next_cut)
    starts = cuts
    keep = starts < ends
    return starts[keep], ends[keep], par_of_cut[keep]


def _strip(data: bytes, raw: NDArray[np.uint8], spans: Spans) -> Spans:
    """Strip surrounding white space (blingfire leaves it only around cuts); non-ASCII edges are checked in Python."""
    starts, ends, par_of_cut = spans
    suspect = np.flatnonzero(_SPACE_BYTES[raw[starts]] | _SPACE_BYTES[raw[ends - 1]])
    if not suspect.size:
        return spans
    drop = np.zeros(len(starts), dtype=bool)
    for i in suspect.tolist():
        piece = data[starts[i] : ends[i]].decode("utf-8")
        left = len(piece) - len(piece.lstrip())
        right = len(piece) - len(piece.rstrip())
        if left + right >= len(piece):
            drop[i] = True
            continue
        starts[i] += len(piece[:left].encode("utf-8"))
        ends[i] -= len(piece[len(piece) - right :].encode("utf-8")) if right else 0
    return starts[~drop], ends[~drop], par_of_cut[~drop]


def _rejoin(data: bytes, raw: NDArray[np.uint8], spans: Spans) -> Spans:
    """Rejoin sentences that blingfire ended after an honorific ("Sen. Tim Scott")."""
    starts, ends, par_of_cut = spans
    if len(starts) <= 1:
        return spans
    same_par = par_of_cut[1:] == par_of_cut[:-1]
    e = ends[:-1]
    ends_in_dot = raw[e - 1] == ord(".")
    # Only a last word of at most _LONGEST_ABBREV - 1 letters can be an abbreviation.
    short = np.zeros(len(e), dtype=bool)
    for k in range(2, _LONGEST_ABBREV + 2):
        at = e - k
        short |= (at < 0) | ~_ABBREV_BYTES[raw[np.maximum(at, 0)]]
    check = np.flatnonzero(same_par & ends_in_dot & short)
    join = np.zeros(len(starts), dtype=bool)
    last_start = starts.copy()  # start of the (possibly joined) sentence ending at i
    for i in check.tolist():
        # The last word lies within the final _LONGEST_ABBREV + 1 bytes; only the first
        # character after any opening quotes matters on the right.
        tail = data[max(last_start[i], ends[i] - _LONGEST_ABBREV - 2) : ends[i]].decode("utf-8", "replace")
        head = data[starts[i + 1] : min(ends[i + 1], starts[i + 1] + 24)].decode("utf-8", "replace")
        if should_join(tail, head):
            join[i + 1] = True
            last_start[i + 1] = last_start[i]
    if not join.any():
        return spans
    first = np.flatnonzero(~join)
    last = np.append(first[1:], len(starts)) - 1
    return starts[first], ends[last], par_of_cut[first]


def _terms(
    text: str, sent_cs: NDArray[np.int64], sent_ce: NDArray[np.int64], table: TermTable
) -> tuple[NDArray[np.int32], NDArray[np.int32]]:
    """Terms: one regex pass over the lower-cased sentences joined by a marker; per term its id and sentence.

    The pass goes over pieces of about :data:`TERM_PIECE` characters (a longer sentence is cut at white space,
    which no term spans), so its word list stays small whatever the size of the text.
    """
    if not len(sent_cs):
        return np.empty(0, np.int32), np.empty(0, np.int32)
    # The marker may occur in the corpus itself; it is never part of a word, so a space stands in for it.
    plain = text.replace(SENTENCE_MARK, " ") if SENTENCE_MARK in text else text
    ids_parts: list[NDArray[np.int32]] = []
    sent_parts: list[NDArray[np.int32]] = []
    for first, spans in _pieces(plain, sent_cs.tolist(), sent_ce.tolist()):
        joined = SENTENCE_MARK.join([plain[s:e] for s, e in spans]).lower()
        words = _TERMS.findall(joined)
        ids = np.fromiter(map(table.__getitem__, words), dtype=np.int32, count=len(words))
        sentence = np.cumsum(ids == MARK, dtype=np.int32)
        sentence += first
        real = ids >= 0
        ids_parts.append(ids[real])
        sent_parts.append(sentence[real])
    return np.concatenate(ids_parts), np.concatenate(sent_parts)


def _pieces(text: str, starts: list[int], ends: list[int]) -> list[tuple[int, list[tuple[int, int]]]]:
    """Sentence spans grouped into pieces of about :data:`TERM_PIECE` characters, each with its first sentence's
    number; a sentence longer than that is split at white space into pieces of its own (same sentence number)."""
    pieces: list[tuple[int, list[tuple[int, int]]]] = []
    group: list[tuple[int, int]] = []
    first = size = 0
    for i, (s, e) in enumerate(zip(starts, ends, strict=True)):
        if size and size + e - s > TERM_PIECE:
            pieces.append((first, group))
            group, size = [], 0
        if not group:
            first = i
        if e - s <= TERM_PIECE:
            group.append((s, e))
            size += e - s
            continue
        while e - s > TERM_PIECE:  # one huge sentence: each part becomes a "sentence" numbered i
            space = text.rfind(" ", s + 1, s + TERM_PIECE)
            cut = space if space > 0 else s + TERM_PIECE
            pieces.append((i, [(s, cut)]))
            s = cut
        pieces.append((i, [(s, e)]))
        group, size = [], 0
    if group:
        pieces.append((first, group))
    return pieces


def analyse(articles: Sequence[Article], tokenizer: Tokenizer, table: TermTable | None = None) -> Analysed:
    """Split every paragraph of ``articles`` into sentences and every sentence into term ids.

    Pass the same ``table`` for the batches of one build, so a word is stemmed and looked up once.
    """
    text = ARTICLE_GAP.join(a.text for a in articles)
    data = text.encode("utf-8")
    raw = np.frombuffer(data, dtype=np.uint8)
    offsets = _Offsets(text, data, raw)
    # Articles and paragraphs in batch character offsets.
    article_char, par_article, par_cs, par_ce = _paragraphs(articles)
    spans = _cut(data, offsets.to_byte(par_cs), offsets.to_byte(par_ce))
    starts, ends, par_of_cut = _rejoin(data, raw, _strip(data, raw, spans))
    sent_cs, sent_ce = offsets.to_char(starts), offsets.to_char(ends)
    sent_paragraph = par_of_cut.astype(np.int32)
    sent_article = par_article[sent_paragraph] if len(par_article) else np.empty(0, np.int32)
    table = table if table is not None else TermTable(tokenizer)
    term_base = len(table.terms)
    term_ids, term_sentence = _terms(text, sent_cs, sent_ce, table)
    return Analysed(
        text=text,
        data=data,
        article_char=article_char,
        article_byte=offsets.to_byte(article_char),
        sent_article=sent_article.astype(np.int32),
        sent_paragraph=sent_paragraph,
        sent_char_start=sent_cs,
        sent_char_end=sent_ce,
        sent_byte_start=starts,
        sent_byte_end=ends,
        par_article=par_article,
        terms=table.terms[term_base:],
        term_ids=term_ids,
        term_sentence=term_sentence,
        term_base=term_base,
    )
