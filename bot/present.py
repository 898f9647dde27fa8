"""How passages are shaped for people: neighbour context, near-duplicate collapse, and the "why" view.

Nothing here changes which sentences rank first; it decides what is shown with them.
"""

from __future__ import annotations

import re

import numpy as np

from retrieval import FEATURES, WEIGHTS, Ranked, Tokenizer, related_terms

from .models import Explanation

_WORDS = re.compile(r"\w+")


def word_set(text: str) -> frozenset[str]:
    """The lower-cased words of ``text``, for near-duplicate tests."""
    return frozenset(w.lower() for w in _WORDS.findall(text))


def near_duplicate(a: frozenset[str], b: frozenset[str], threshold: float = 0.8) -> bool:
    """True when two sentences share at least ``threshold`` of their words (Jaccard), as wire copy edited lightly does."""
    if not a or not b:
        return a == b
    small, large = sorted((len(a), len(b)))
    if small / large < threshold:  # the similarity is at most small / large (and so, rounded, is its float)
        return False
    shared = len(a & b)
    return shared / (small + large - shared) >= threshold


def explain(ranked: Ranked, row: int, tokenizer: Tokenizer, question: str, text: str) -> Explanation:
    """Which question words matched sentence ``row`` of ``ranked`` (whose text is ``text``) and how much each counted,
    which it says in related words, and the context signals.

    Word shares are the sentence's BM25 points per term (shown under the question's own word);
    signals are each re-ranking feature's weighted contribution to the final score.
    """
    c = ranked.candidates
    words: dict[str, str] = {}
    for term, start, end in tokenizer.words(question):
        words.setdefault(term, question[start:end])
    terms = tuple(
        (words.get(term, term), round(float(c.term_scores[row, j]), 3))
        for j, term in enumerate(c.terms)
        if c.term_scores[row, j] > 0
    )
    contributions = c.features[row] * np.asarray([WEIGHTS[f] for f in FEATURES])
    signals = tuple((name, round(float(v), 3)) for name, v in zip(FEATURES, contributions, strict=True) if v > 0)
    absent = [term for j, term in enumerate(c.terms) if c.term_scores[row, j] <= 0]
    said_as = related_in(text, absent, tokenizer)
    missing = tuple(words.get(term, term) for term in absent if term not in said_as)
    related = tuple((words.get(term, term), said_as[term]) for term in absent if term in said_as)
    return Explanation(terms, signals, round(float(ranked.scores[row]), 4), missing, related)


def related_in(text: str, terms: list[str], tokenizer: Tokenizer) -> dict[str, str]:
    """For each of ``terms`` that ``text`` says in a related word (:mod:`retrieval.related`), the first such word as written."""
    table = related_terms(tokenizer)
    wanted = {term: related for term in terms if (related := table.get(term))}
    found: dict[str, str] = {}
    for term, start, end in tokenizer.words(text) if wanted else ():
        for asked, related in wanted.items():
            if asked not in found and term in related:
                found[asked] = text[start:end]
    return found
