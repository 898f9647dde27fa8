"""Re-scoring candidate sentences with context and answer cues, on top of BM25.

:func:`candidates` scores every sentence with BM25 one query term at a time (so
each term's share is known, for ``--explain`` and for coverage), keeps the best
``n`` by BM25 plus paragraph context, and computes a row of features for each:

- ``own``: the sentence's BM25 score;
- ``paragraph``: its paragraph's BM25 score;
- ``neighbour``: the better BM25 score of the sentences just before and after it, in its paragraph;
- ``coverage``: the share of the question's IDF mass whose terms the sentence contains;
- ``window``: the same share over the sentence and its two neighbours;
- ``proximity``: the share of the question's adjacent term pairs that are adjacent in the sentence too;
- ``answer_type``: 1 when the question asks when / how many / who / where / why and the sentence holds
  a year or date / a number / a name / a place / a reason ("because", "due to") that the question does not already contain;
- ``article``: the best paragraph score in the sentence's article; ``article_tf``: how many of the
  article's sentences hold each question term (log-dampened, IDF-weighted): is the article about it;
- ``local``, ``local_coverage``: matched terms weighted by IDF *within the article*, so the article's
  topic words (in most of its sentences) count little when choosing among its sentences; ``local_para``
  the same for the sentence's paragraph among the article's paragraphs;
- ``own_rank``, ``para_rank``: reciprocal ranks of the sentence (among candidates) and of its paragraph;
  ``log_own``, ``log_paragraph``: dampened BM25 scores;
- ``phrase``, ``window_phrase``: the share of the question's word pairs (as written, stopwords included:
  "the first Lutheran hymnal", "forced four fumbles") found word for word in the sentence, and in the
  sentence or its neighbours. People asking about a passage reuse its phrasing;
- ``prev_only``, ``next_only``: the share of the question's IDF mass that the sentence before (after) it in its
  paragraph holds and it lacks; ``prev_phrase_only`` the same for the question's word pairs; ``lean_prev_only`` is
  ``prev_only`` for a sentence that leans on the one before (:func:`retrieval.continuation.leans_on_previous`).
  A question's words often sit in one sentence and its answer in the next ("Möngke Khan …" / "He died in 1259");
- ``related``: the share of the question's IDF mass that the sentence lacks but says in related words
  (:mod:`retrieval.related`, from WordNet: "favored" for "prefer", "death" for "died", "China" for "Chinese").

BM25-valued features are divided by the question's IDF mass, so the weights carry across
questions and corpus sizes. :func:`combine` weighs them into one score. Everything here is plain NumPy and regular
expressions over the index's own data and one fixed table of related words; no model, nothing learnt per
question or article.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import accumulate

import numpy as np
from numpy.typing import NDArray

from .continuation import leans_on_previous
from .layout import Layout
from .pools import PoolScores, Postings, full_scan
from .qtype import answer_type
from .reads import count
from .related import related_terms
from .sparse import locate, search_sorted, sorted_unique
from .tokens import Tokenizer

FEATURES = (
    "own", "paragraph", "neighbour", "coverage", "window", "proximity", "answer_type", "article",
    "local", "local_coverage", "local_para", "own_rank", "para_rank", "article_tf", "log_own", "log_paragraph", "phrase", "window_phrase",
    "prev_only", "next_only", "prev_phrase_only", "lean_prev_only", "related",
)  # fmt: skip

_YEAR = re.compile(r"\b(?:1[0-9]{3}|20[0-9]{2})s?\b")
_MONTHS = "January February March April May June July August September October November December".split()
_MONTH = re.compile(r"\b(?:" + "|".join(_MONTHS) + r")\b|\b[0-9]{1,2}(?:st|nd|rd|th)? century\b")
_NUMBER = re.compile(
    r"\b\d[\d,.]*\b|\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|thousand|"
    r"million|billion|dozen|half|percent)\b",
    re.I,
)
_NAME = re.compile(r"\b[A-Z][\w'’.-]*[a-z][\w'’-]*")
#: What a sentence that gives a reason says ("why" questions).
_REASON = re.compile(
    r"\b(?:because|due to|as a result|in order to|so that|so as to|owing to|thanks to|led to|leading to|caused|causing|"
    r"reasons?|to avoid|to prevent|for fear|since|therefore|thus|result of)\b",
    re.I,
)
_PLACE_WORDS = "in at from near to into across of".split()
_PLACE = re.compile(r"\b(?:" + "|".join(_PLACE_WORDS) + r")\s+(?:the\s+)?([A-Z][\w'’-]+)")


def _word_start(words: list[str]) -> str:
    r"""``\b(?:w1|w2|…)`` for words that start with a word character, written so that Python's ``re`` can skip from
    one possible first letter to the next: it does that only when every alternative starts with a literal, so each
    word comes first and the check that no word character is before it (a look-behind) after."""
    return "(?:" + "|".join(f"{re.escape(w)}(?<!\\w{re.escape(w)})" for w in words) + ")"


#: The cues' patterns as :func:`answer_cues` searches them: each finds exactly what the pattern it stands for finds
#: (``tests/retrieval/test_ranking.py`` checks match by match). A word boundary first (``\b``) makes ``re`` try every
#: position; these start with a literal or a class it can skip ahead to, which pays where those are rare (capitals,
#: digits). Alternatives that start differently are split into patterns of their own, which finds the same matches
#: because no two of them can match overlapping text. On 200 Wikinews sentences: date cues 1.17 -> 0.46 ms, person
#: 0.38 -> 0.29, place 0.48 -> 0.39. Number and reason words start with common letters, where this measured slower.
_FAST: dict[re.Pattern[str], list[re.Pattern[str]]] = {
    _YEAR: [re.compile(r"(?:1(?<!\w1)[0-9]{3}|2(?<!\w2)0[0-9]{2})s?\b")],
    _MONTH: [re.compile(_word_start(_MONTHS) + r"\b"), re.compile(r"[0-9](?<!\w[0-9])[0-9]?(?:st|nd|rd|th)? century\b")],
    _NAME: [re.compile(r"[A-Z](?<!\w[A-Z])[\w'’.-]*[a-z][\w'’-]*")],
    _PLACE: [re.compile(_word_start(_PLACE_WORDS) + r"\s+(?:the\s+)?([A-Z][\w'’-]+)")],
}
#: The case-blind patterns without ``re.I``, for lower-cased text: Python's ``re`` matches word alternations 2.5x
#: faster that way (200 candidate texts: _NUMBER 1.54 -> 0.61 ms, _REASON 1.23 -> 0.45 ms).
_LOWERED = {p: re.compile(p.pattern) for p in (_NUMBER, _REASON)}
#: Letters that ``re.I`` matches to an ASCII letter but ``str.lower`` leaves alone (dotless i, long s).
_FOLDED_ONLY = re.compile("[\u0131\u017f]")


_QWORD = re.compile(r"\w+(?:['’.]\w+)*")

#: Words that frame a question rather than name what it is about ("what *kind* of", "how *many*",
#: "what is the *name* of"): the sentence that answers holds the answer in their place, so they are not searched for.
QUESTION_FRAME = frozenset(
    "kind kinds type types sort sorts many much long percentage name names named call called happen happened happens "
    "besides another think consider considered according example examples".split()
)


def query_terms(tokenizer: Tokenizer, question: str, drop_frame: bool = True) -> list[str]:
    """The distinct search terms of ``question``, in order, without its framing words (unless nothing else is left)."""
    words = _QWORD.findall(question.lower())
    terms = list(dict.fromkeys(tokenizer(question)))
    if not drop_frame:
        return terms
    frame = {tokenizer(w)[0] for w in words if w in QUESTION_FRAME and tokenizer(w)}
    kept = [t for t in terms if t not in frame]
    return kept or terms


@dataclass
class Candidates:
    """The candidate sentences of one query, with their features and each term's BM25 share."""

    terms: list[str]
    #: IDF of each term of ``terms`` among sentences.
    idf: NDArray[np.float64]
    ids: NDArray[np.int64]
    #: One row per candidate, one column per name in :data:`FEATURES`.
    features: NDArray[np.float64]
    #: One row per candidate, one column per term: that term's share of the sentence's BM25 score.
    term_scores: NDArray[np.float64]
    #: How many sentences hold each term of ``terms`` (0: the corpus never uses it).
    doc_freq: NDArray[np.int64] = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    #: One row per candidate, one column per term: does the sentence or a neighbour in its paragraph hold the term.
    window_hits: NDArray[np.bool_] = field(default_factory=lambda: np.empty((0, 0), dtype=bool))
    #: One row per candidate, one column per term: does the sentence lack the term but hold a word related to it.
    related_hits: NDArray[np.bool_] = field(default_factory=lambda: np.empty((0, 0), dtype=bool))


_POSSESSIVE = re.compile(r"['’]s?$")


def _bare(found: str) -> str:
    """A match lower-cased and without a possessive ending: "IBM’s" is "ibm", "CEO’s" is "ceo"."""
    return _POSSESSIVE.sub("", found.lower())


def _novel(pattern: re.Pattern[str], text: str, question: str, group: int = 0) -> bool:
    """True when ``pattern`` matches something in ``text`` that ``question`` does not contain."""
    lowered = question.lower()
    return any(_bare(m.group(group)) not in lowered for m in pattern.finditer(text))


def answer_cue(kind: str | None, text: str, question: str) -> float:
    """1.0 when ``text`` holds an answer of ``kind`` (see :func:`retrieval.qtype.answer_type`) not already in the question."""
    if kind == "date":
        return float(_novel(_YEAR, text, question) or _novel(_MONTH, text, question))
    if kind == "number":
        return float(_novel(_NUMBER, text, question))
    if kind == "person":
        names = [m for m in _NAME.finditer(text) if m.start() > 0]
        lowered = question.lower()
        return float(any(_bare(m.group()) not in lowered for m in names))
    if kind == "place":
        return float(_novel(_PLACE, text, question, group=1))
    if kind == "reason":
        return float(_novel(_REASON, text, question))
    return 0.0


def answer_cues(kind: str | None, texts: Sequence[str], question: str) -> NDArray[np.float64]:
    """:func:`answer_cue` for many texts at once: one search through all of them (joined by NUL, which no
    pattern matches across) that skips to the next text as soon as one holds a novel match."""
    out = np.zeros(len(texts))
    if kind is None or not texts:
        return out
    joined = "\x00".join(texts)
    lengths = np.fromiter((len(t) + 1 for t in texts), dtype=np.int64, count=len(texts))
    ends = np.cumsum(lengths).tolist()  # one past each text's NUL
    starts = [0, *ends[:-1]]
    lowered = question.lower()
    patterns = {
        "date": [(_YEAR, 0), (_MONTH, 0)],
        "number": [(_NUMBER, 0)],
        "person": [(_NAME, 0)],
        "place": [(_PLACE, 1)],
        "reason": [(_REASON, 0)],
    }
    searches: list[tuple[re.Pattern[str], int, str]] = []
    for pattern, group in patterns.get(kind, []):
        if pattern in _LOWERED:
            # Lower-cased, the text must keep its length (so positions stay put) and hold no letter only re.I folds.
            lowered_text = joined.lower()
            if len(lowered_text) == len(joined) and not _FOLDED_ONLY.search(joined):
                searches.append((_LOWERED[pattern], group, lowered_text))
                continue
        searches += [(fast, group, joined) for fast in _FAST.get(pattern, [pattern])]
    for pattern, group, haystack in searches:
        search = pattern.search
        row, pos = 0, 0
        while (m := search(haystack, pos)) is not None:
            at = m.start()
            while at >= ends[row]:
                row += 1
            if out[row] or (kind == "person" and at == starts[row]):
                pos = ends[row] if out[row] else m.end()
            elif _bare(m.group(group)) not in lowered:
                out[row] = 1.0
                pos = ends[row]
            else:
                pos = m.end()
    return out


_WORD = re.compile(r"\w+")
#: Words that open a question and so are not part of the phrasing it borrows from a passage.
_OPENERS = frozenset("what who whom whose when where which why how did does do was were is are".split())


def question_phrases(question: str) -> list[str]:
    """The question's adjacent word pairs, lower-cased, without its opening question words: "the first", …"""
    words = _WORD.findall(question.lower())
    start = 0
    while start < len(words) and words[start] in _OPENERS:
        start += 1
    words = words[start:]
    return sorted({f"{a} {b}" for a, b in zip(words, words[1:], strict=False)})


def _word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def phrase_hits(phrases: Sequence[str], texts: Sequence[str]) -> NDArray[np.bool_]:
    """One row per text, one column per phrase of ``phrases`` (from :func:`question_phrases`): does the text hold
    it, as whole words separated by one space (case aside).

    One ``str.find`` scan per phrase over all the texts joined: plain substring search, far cheaper than
    tokenizing every text, with the word boundaries checked only where a phrase occurs.
    """
    out = np.zeros((len(texts), len(phrases)), dtype=bool)
    if not phrases or not texts:
        return out
    # Lower-cased once: the same as text by text unless a length changes ("\n" is neither cased nor case-ignorable, so a
    # final sigma still sees where its text ends).
    raw = "\n".join(texts)
    joined = raw.lower()
    lengths: Sequence[str] = texts
    if len(joined) != len(raw):  # lower() changed a length ("İ"): find where each text went
        lowered = [t.lower() for t in texts]
        joined, lengths = "\n".join(lowered), lowered
    starts = list(accumulate(len(t) + 1 for t in lengths))  # where each next text starts
    size = len(joined)
    for col, phrase in enumerate(phrases):
        find, width = joined.find, len(phrase)
        at = find(phrase)
        while at >= 0:
            row, after = bisect_right(starts, at), at + width
            if (at == 0 or not _word_char(joined[at - 1])) and (after == size or not _word_char(joined[after])):
                out[row, col] = True
                at = find(phrase, starts[row])  # the text holds it: on to the next text
            else:
                at = find(phrase, at + 1)
    return out


def _pairs(terms: Sequence[str]) -> set[tuple[str, str]]:
    return {(a, b) for a, b in zip(terms, terms[1:], strict=False) if a != b}


def _gather(postings: Postings, at: NDArray[np.int64]) -> NDArray[np.float64]:
    """The scores ``postings`` give the documents ``at`` (0 for those it does not hold)."""
    docs, scores = postings
    found, pos = locate(docs, at)
    count(located=at.size)
    out = np.zeros(at.size)
    out[found] = scores[pos[found]]
    return out


def _in_articles(
    docs: NDArray[np.int32],
    doc_article: NDArray[np.integer],
    lo: NDArray[np.int64],
    hi: NDArray[np.int64],
    arts: NDArray[np.int64],
    ordered: bool,
) -> NDArray[np.int64]:
    """How many of the sorted ``docs`` (sentences or paragraphs) lie in each article of ``arts``.

    In article order, article ``a``'s documents are ``lo[a]:hi[a]``: two binary searches per article.
    Otherwise each document's article is looked up (``doc_article``) and counted.
    """
    if ordered:
        count(located=2 * arts.size)
        return search_sorted(docs, hi[arts]) - search_sorted(docs, lo[arts])
    count(scanned=docs.size)
    values = np.sort(doc_article[docs].astype(np.int64))
    return np.searchsorted(values, arts, side="right") - np.searchsorted(values, arts, side="left")


#: The stored term ids of some sentences, concatenated in order, and the row (position among those sentences) of each.
StoredTerms = tuple[NDArray[np.int64], NDArray[np.int64]]


def _stored_terms(layout: Layout, ids: NDArray[np.int64]) -> StoredTerms:
    """The :data:`StoredTerms` of sentences ``ids``, read from the index's term ids."""
    assert layout.term_ids is not None and layout.term_ptr is not None
    starts, ends = layout.term_ptr[ids], layout.term_ptr[ids + 1]
    lens = ends - starts
    total = int(lens.sum())
    first = np.cumsum(lens) - lens
    toks = layout.term_ids[np.repeat(starts - first, lens) + np.arange(total)].astype(np.int64)
    return toks, np.repeat(np.arange(ids.size), lens)


def _proximity(vocab: dict[str, int], held: StoredTerms, k: int, query_pairs: set[tuple[str, str]]) -> NDArray[np.float64]:
    """Per candidate (``k`` of them, their terms ``held``), the share of ``query_pairs`` adjacent in it."""
    known = [(vocab[a], vocab[b]) for a, b in query_pairs if a in vocab and b in vocab]
    out = np.zeros(k)
    toks, row = held
    if not known or toks.size < 2:
        return out
    width = np.int64(len(vocab))
    codes = toks[:-1] * width + toks[1:]
    wanted = np.asarray(sorted(a * int(width) + b for a, b in known), dtype=np.int64)
    hit = (row[:-1] == row[1:]) & np.isin(codes, wanted)
    # Each distinct (candidate, pair) counts once, however often the pair recurs in the sentence.
    pairs = np.unique(row[:-1][hit] * wanted.size + np.searchsorted(wanted, codes[hit]))
    np.add.at(out, pairs // wanted.size, 1.0)
    return out / len(query_pairs)


def related_hits(
    vocab: dict[str, int] | None, held: StoredTerms | None, terms: list[str], tokenizer: Tokenizer, cand_texts: Sequence[str]
) -> NDArray[np.bool_]:
    """One row per candidate, one column per term: does the sentence hold a word related to the term
    (:func:`retrieval.related.related_terms`: "favored" for "prefer")? Read from the candidates' stored terms
    (``held``, with ``vocab``) when the index keeps them, else from their texts."""
    table = related_terms(tokenizer)
    wanted = [table.get(t) for t in terms]
    out = np.zeros((len(cand_texts), len(terms)), dtype=bool)
    if not cand_texts or not any(wanted):
        return out
    if vocab is not None and held is not None:
        toks, row = held
        for col, rel in enumerate(wanted):
            rel_ids = [vocab[r] for r in rel if r in vocab]
            if rel_ids:
                out[row[np.isin(toks, rel_ids)], col] = True
        return out
    for r, text in enumerate(cand_texts):
        own = set(tokenizer(text))
        out[r] = [not own.isdisjoint(rel) for rel in wanted]
    return out


#: The sentences just before and after this many of the best candidates (by BM25 plus paragraph context) are
#: candidates too, even when they share no word with the question: an answer often continues the sentence
#: that names its subject ("He died in 1259 without a successor.").
NEIGHBOURS_OF = 5


def with_neighbours(ids: NDArray[np.int64], pool: NDArray[np.float64], sent_paragraph: NDArray[np.int32]) -> NDArray[np.int64]:
    """``ids`` (sorted) and the same-paragraph neighbours of the :data:`NEIGHBOURS_OF` best by ``pool``, sorted."""
    if not NEIGHBOURS_OF or ids.size == 0:
        return ids
    top = ids[np.argsort(-pool, kind="stable")[:NEIGHBOURS_OF]]
    num = sent_paragraph.size
    before, after = top - 1, top + 1
    before = before[(top > 0) & (sent_paragraph[np.maximum(before, 0)] == sent_paragraph[top])]
    after = after[(after < num) & (sent_paragraph[np.minimum(after, num - 1)] == sent_paragraph[top])]
    return sorted_unique(np.concatenate([ids, before, after])).astype(np.int64)


@dataclass
class _Near:
    """Each candidate's sentences just before and after it, when in the same paragraph, and which query terms they hold."""

    prev_ids: NDArray[np.int64]
    next_ids: NDArray[np.int64]
    same_prev: NDArray[np.bool_]
    same_next: NDArray[np.bool_]
    prev_matched: NDArray[np.bool_]
    next_matched: NDArray[np.bool_]


def _near(ids: NDArray[np.int64], sent_paragraph: NDArray[np.int32], sentence_postings: list[Postings]) -> _Near:
    """The neighbours of every candidate in its paragraph (pronouns often carry the subject across)."""
    num = sent_paragraph.size
    prev_ids, next_ids = np.maximum(ids - 1, 0), np.minimum(ids + 1, num - 1)
    same_prev = (ids > 0) & (sent_paragraph[prev_ids] == sent_paragraph[ids])
    same_next = (ids < num - 1) & (sent_paragraph[next_ids] == sent_paragraph[ids])
    count(located=2 * ids.size * len(sentence_postings))
    prev_matched = np.column_stack([locate(docs, prev_ids)[0] for docs, _ in sentence_postings]) & same_prev[:, None]
    next_matched = np.column_stack([locate(docs, next_ids)[0] for docs, _ in sentence_postings]) & same_next[:, None]
    return _Near(prev_ids, next_ids, same_prev, same_next, prev_matched, next_matched)


def _phrases(
    question: str, ids: NDArray[np.int64], near: _Near, texts: Callable[[NDArray[np.int64]], list[str]]
) -> tuple[dict[str, NDArray[np.float64]], list[str]]:
    """The question's phrasing looked for in each candidate and its neighbours (their texts read once): the
    ``phrase``, ``window_phrase`` and ``prev_phrase_only`` columns, and the candidates' texts."""
    k = ids.size
    phrases = question_phrases(question)
    if not phrases:
        zero = np.zeros(k)
        return {"phrase": zero, "window_phrase": zero, "prev_phrase_only": zero}, texts(ids)
    near_ids = sorted_unique(np.concatenate([near.prev_ids[near.same_prev], ids, near.next_ids[near.same_next]]))
    near_texts = texts(near_ids)
    hits = phrase_hits(phrases, near_texts)
    at = np.searchsorted(near_ids, ids)
    own_held = hits[at]
    last = near_ids.size - 1  # a neighbour outside the paragraph is not in ``near_ids``; its (clipped) row is masked off
    prev_held = hits[np.minimum(np.searchsorted(near_ids, near.prev_ids), last)] & near.same_prev[:, None]
    next_held = hits[np.minimum(np.searchsorted(near_ids, near.next_ids), last)] & near.same_next[:, None]
    columns = {
        "phrase": own_held.sum(axis=1) / len(phrases),
        "window_phrase": (own_held | prev_held | next_held).sum(axis=1) / len(phrases),
        "prev_phrase_only": (prev_held & ~own_held).sum(axis=1) / len(phrases),
    }
    return columns, [near_texts[j] for j in at.tolist()]


def _proximity_of(
    layout: Layout, ids: NDArray[np.int64], terms: list[str], tokenizer: Tokenizer, cand_texts: list[str], held: StoredTerms | None
) -> NDArray[np.float64]:
    """The share of the question's adjacent term pairs adjacent in each candidate: from the stored term ids
    (``held``) when the index keeps them, else by tokenizing the candidates' texts."""
    query_pairs = _pairs(terms)
    k = ids.size
    if not query_pairs:
        return np.zeros(k)
    if layout.vocab is not None and held is not None:
        return _proximity(layout.vocab, held, k, query_pairs)
    proximity = np.zeros(k)
    for row, text in enumerate(cand_texts):
        proximity[row] = len(query_pairs & _pairs(tokenizer(text))) / len(query_pairs)
    return proximity


def _local(
    layout: Layout,
    sentence_postings: list[Postings],
    paragraph_postings: list[Postings],
    ids: NDArray[np.int64],
    matched: NDArray[np.bool_],
    idf: NDArray[np.float64],
    mass: float,
) -> dict[str, NDArray[np.float64]]:
    """Article-local IDF: a term found in most of the article's sentences (its topic) says little about which one answers.
    Counted from each term's postings: how many of them fall in each candidate's article (or paragraph's article)."""
    arts = layout.sent_article[ids].astype(np.int64)
    paras = layout.sent_paragraph[ids].astype(np.int64)
    ordered = layout.in_article_order
    local_df = np.vstack(
        [_in_articles(docs, layout.sent_article, layout.sent_lo, layout.sent_hi, arts, ordered) for docs, _ in sentence_postings]
    )
    local_idf = np.log1p((layout.sentences_in[arts] - local_df + 0.5) / (local_df + 0.5)).T
    local = (matched * local_idf * idf).sum(axis=1)
    local_coverage = local / np.maximum((local_idf * idf).sum(axis=1), 1e-9)
    # How much the article as a whole is about the question's terms: how many of its sentences hold each, dampened.
    article_tf = (np.log1p(local_df).T * idf).sum(axis=1) / mass
    # The same local IDF for paragraphs: which paragraph of the article holds the question's rarer (in the article) terms.
    local_pdf = np.vstack(
        [_in_articles(docs, layout.para_article, layout.para_lo, layout.para_hi, arts, ordered) for docs, _ in paragraph_postings]
    )
    local_pidf = np.log1p((layout.paragraphs_in[arts] - local_pdf + 0.5) / (local_pdf + 0.5)).T
    count(located=paras.size * len(paragraph_postings))
    para_matched = np.column_stack([locate(docs, paras)[0] for docs, _ in paragraph_postings])
    local_para = (para_matched * local_pidf * idf).sum(axis=1) / np.maximum((local_pidf * idf).sum(axis=1), 1e-9)
    return {"local": local / mass, "local_coverage": local_coverage, "local_para": local_para, "article_tf": article_tf}


def _continuation(
    near: _Near, matched: NDArray[np.bool_], idf: NDArray[np.float64], mass: float, cand_texts: list[str]
) -> dict[str, NDArray[np.float64]]:
    """What the sentence before (after) holds of the question and this one lacks: this one may be its continuation."""
    prev_only = ((near.prev_matched & ~matched) * idf).sum(axis=1) / mass
    next_only = ((near.next_matched & ~matched) * idf).sum(axis=1) / mass
    # Whether a sentence leans on the one before only matters where that one holds something of the question.
    leaning = np.zeros(len(cand_texts), dtype=bool)
    for row in np.flatnonzero(prev_only > 0).tolist():
        leaning[row] = leans_on_previous(cand_texts[row])
    return {"prev_only": prev_only, "next_only": next_only, "lean_prev_only": np.where(leaning, prev_only, 0.0)}


def candidates(
    sentence_postings: list[Postings],
    paragraph_postings: list[Postings],
    layout: Layout,
    texts: Callable[[NDArray[np.int64]], list[str]],
    terms: list[str],
    question: str,
    tokenizer: Tokenizer,
    n: int,
    paragraph_weight: float,
    allowed: NDArray[np.bool_] | None = None,
    pool: Callable[[], PoolScores] | None = None,
) -> Candidates:
    """Pick the ``n`` best sentences by BM25 plus ``paragraph_weight`` x paragraph BM25, with the neighbours of the
    best few (:func:`with_neighbours`), and compute their features.

    ``sentence_postings[j]`` holds the sentences containing ``terms[j]`` (ascending) and that term's
    BM25 score in each (their sum is a sentence's own score); ``paragraph_postings[j]`` the same for
    paragraphs. Only those postings are read, so the cost grows with the query terms' document
    frequencies, not with the corpus. Only sentences sharing at least one term with the query are
    candidates, and with ``allowed`` (a flag per article) only those of allowed articles. ``pool`` makes the
    :class:`PoolScores` the scores are read from (default :func:`retrieval.pools.full_scan`, every posting; the block-max
    :class:`retrieval.blocks.BlockPool` reads fewer and picks the same candidates with the same features).

    The result equals scoring every sentence and paragraph per term (``tests/retrieval/dense_ranking.py``)
    when postings hold exactly the nonzero scores, as with the default ``lucene`` method. (bm25s's
    ``robertson`` stores zero scores for terms in over half the documents, which then count in df here;
    ``bm25l`` / ``bm25+`` give every document a constant per term, which postings leave out.)
    """
    num = layout.num_sentences
    no_rows = np.empty((0, len(FEATURES)))
    if num == 0 or not terms:
        return Candidates(terms, np.empty(0), np.empty(0, dtype=np.int64), no_rows, np.empty((0, len(terms))))
    sent_article, sent_paragraph = layout.sent_article, layout.sent_paragraph
    df = np.asarray([docs.size for docs, _ in sentence_postings], dtype=np.int64)
    idf = np.log1p((num - df + 0.5) / (df + 0.5))
    mass = float(idf.sum()) or 1.0
    scores = pool() if pool is not None else full_scan(sentence_postings, paragraph_postings, layout, paragraph_weight)
    try:
        ids, pools = scores.best(n, allowed)
        if ids.size == 0:
            return Candidates(terms, idf, np.empty(0, dtype=np.int64), no_rows, np.empty((0, len(terms))), df)
        ids = with_neighbours(ids, pools, sent_paragraph)
        own_ids = scores.own(ids)
        term_scores = np.column_stack([_gather(p, ids) for p in sentence_postings])
        near = _near(ids, sent_paragraph, sentence_postings)
        neighbour = np.maximum(
            np.where(near.same_prev, scores.own(near.prev_ids), 0.0), np.where(near.same_next, scores.own(near.next_ids), 0.0)
        )
        paras = sent_paragraph[ids].astype(np.int64)
        para_ids = scores.para(paras)
        article_best = scores.article_best(sent_article[ids].astype(np.int64))
        para_rank = scores.para_rank(paras)
    finally:
        scores.close()
    return _features(
        _Scored(ids, own_ids, para_ids, neighbour, article_best, para_rank, term_scores, near),
        sentence_postings, paragraph_postings, layout, texts, terms, question, tokenizer, idf, mass, df,
    )  # fmt: skip


@dataclass
class _Scored:
    """The BM25 side of the candidates, read while the scratch scores were filled."""

    ids: NDArray[np.int64]
    own: NDArray[np.float64]
    para: NDArray[np.float64]
    neighbour: NDArray[np.float64]
    article_best: NDArray[np.float64]
    para_rank: NDArray[np.float64]
    term_scores: NDArray[np.float64]
    near: _Near


def _features(
    scored: _Scored,
    sentence_postings: list[Postings],
    paragraph_postings: list[Postings],
    layout: Layout,
    texts: Callable[[NDArray[np.int64]], list[str]],
    terms: list[str],
    question: str,
    tokenizer: Tokenizer,
    idf: NDArray[np.float64],
    mass: float,
    df: NDArray[np.int64],
) -> Candidates:
    """Every feature row of the candidates: BM25 ones from ``scored``, then text, local-IDF and continuation ones."""
    ids, own_ids, para_ids, near = scored.ids, scored.own, scored.para, scored.near
    k = ids.size
    matched = scored.term_scores > 0
    coverage = (matched * idf).sum(axis=1) / mass
    window_hits = matched | near.prev_matched | near.next_matched
    window = (window_hits * idf).sum(axis=1) / mass
    kind = answer_type(question)
    # Each candidate's terms, read once for proximity and related words (None: the index keeps no term ids).
    vocab = layout.vocab  # set together with the term ids, or not at all
    held = _stored_terms(layout, ids) if vocab is not None else None
    phrase_columns, cand_texts = _phrases(question, ids, near, texts)
    proximity = _proximity_of(layout, ids, terms, tokenizer, cand_texts, held)
    cue = answer_cues(kind, cand_texts, question) if kind is not None else np.zeros(k)
    bridged = related_hits(vocab, held, terms, tokenizer, cand_texts) & ~matched
    related = (bridged * idf).sum(axis=1) / mass
    # Reciprocal rank of the sentence among candidates.
    own_rank = 1.0 / (1.0 + np.argsort(np.argsort(-own_ids, kind="stable"), kind="stable"))
    columns = {
        "own": own_ids / mass,
        "paragraph": para_ids / mass,
        "neighbour": scored.neighbour / mass,
        "coverage": coverage,
        "window": window,
        "proximity": proximity,
        "answer_type": cue,
        "article": scored.article_best / mass,
        **_local(layout, sentence_postings, paragraph_postings, ids, matched, idf, mass),
        "own_rank": own_rank,
        "para_rank": scored.para_rank,
        "log_own": np.log1p(own_ids / mass),
        "log_paragraph": np.log1p(para_ids / mass),
        **phrase_columns,
        **_continuation(near, matched, idf, mass, cand_texts),
        "related": related,
    }
    features = np.column_stack([columns[f] for f in FEATURES])
    return Candidates(terms, idf, ids, features, scored.term_scores, df, window_hits, bridged)


def combine(c: Candidates, weights: Sequence[float]) -> NDArray[np.float64]:
    """One score per candidate: the features weighed by ``weights`` (in :data:`FEATURES` order)."""
    if c.features.size == 0:
        return np.empty(0)
    return c.features @ np.asarray(weights, dtype=np.float64)


#: The weight of each feature (:data:`FEATURES` order), tuned by ``bench/tune_ranking.py`` on the
#: SQuAD dev split (even articles) and checked on the odd ones; see docs/quality.md.
WEIGHTS: dict[str, float] = {
    "own": 5.0,
    "paragraph": 2.0,
    "neighbour": 0.8,
    "coverage": 0.3,
    "window": 3.0,
    "proximity": 0.8,
    "answer_type": 3.0,
    "article": 16.0,
    "local": 0.8,
    "local_coverage": 5.0,
    "local_para": 5.0,
    "own_rank": 0.5,
    "para_rank": 0.7,
    "article_tf": 3.0,
    "log_own": 0.5,
    "log_paragraph": 0.1,
    "phrase": 5.0,
    "window_phrase": 1.5,
    "prev_only": 3.0,
    "next_only": -0.5,
    "prev_phrase_only": 3.0,
    "lean_prev_only": 5.0,
    "related": 8.0,
}


@dataclass
class Ranked:
    """Candidates of one query with their combined scores (same order as ``candidates.ids``)."""

    candidates: Candidates
    scores: NDArray[np.float64]
