"""Weighing lexical and semantic evidence together: re-ordering the best candidates, and deciding "nothing found".

Pure functions of numbers the answerer already has (lexical scores and coverage, semantic scores), so they are
cheap to test and to calibrate offline (``bench/semantic_calibrate.py``); plus :func:`unknown_names`, which finds
the names in a question that no article uses, for the "No article mentions …" message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from ..tokens import Tokenizer


class Vocabulary(Protocol):
    """What :func:`unknown_names` reads of an index: its term → column table."""

    vocab: dict[str, int]


#: A word rarer than this in English (Zipf frequency; the frequency table lists words down to about 2.5) is "rare".
RARE_ZIPF = 2.5

#: A capitalised word (a name, or part of one), allowing inner apostrophes, hyphens and dots ("O'Neil", "Moo-hyun").
_NAME_WORD = re.compile(r"[A-Z][\w]*(?:['’.\-][\w]+)*")


def names(question: str) -> list[tuple[int, int]]:
    """Spans of the names in ``question``: runs of capitalised words, leaving out its first word unless all capitals
    ("Who is ..." is not a name; "NATO" is)."""
    spans: list[tuple[int, int]] = []
    first = re.search(r"\w", question)
    for match in _NAME_WORD.finditer(question):
        start, end = match.span()
        word = match.group()
        if first is not None and start == first.start() and not (word.isupper() and len(word) > 1):
            continue
        if spans and question[spans[-1][1] : start] == " ":
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return spans


def unknown_names(
    question: str, tokenizer: Tokenizer, indexes: Iterable[Vocabulary], frequencies: Mapping[str, float] | None = None
) -> list[str]:
    """The names in ``question`` (:func:`names`) holding a word that no sentence of any of ``indexes`` uses; with
    ``frequencies`` (word → Zipf frequency in English, :func:`retrieval.background.zipf_table`), also its other
    rare words (below :data:`RARE_ZIPF`, "plastome") that no sentence uses."""
    vocabularies = [ix.vocab for ix in indexes]

    def unused(term: str) -> bool:
        return all(term not in vocab for vocab in vocabularies)

    out = []
    spans = names(question)
    for start, end in spans:
        span = question[start:end]
        if any(unused(term) for term, _, _ in tokenizer.words(span)):
            out.append(re.sub(r"['’]s?$", "", span.strip(" .")))
    if frequencies:
        for term, start, end in tokenizer.words(question):
            word = question[start:end]
            inside = any(s <= start < e for s, e in spans)
            english = word.isascii() and word.isalpha()  # the table is English's: other scripts are not "rare"
            if not inside and english and frequencies.get(word.lower(), 0.0) < RARE_ZIPF and unused(term):
                out.append(word)
    return out


@dataclass(frozen=True)
class Blend:
    """How semantic evidence is weighed with lexical evidence (calibrated by ``bench/semantic_calibrate.py`` on seed,
    SQuAD and Wikinews dev together; see docs/quality.md)."""

    #: The semantic share of the re-ordering score is ``weight_base - weight_slope * coverage`` (kept in 0..1): a
    #: question whose words the best sentence holds (coverage near 1, as SQuAD's) keeps mostly the lexical order; one
    #: asked in other words (Wikinews readers' questions) leans on meaning.
    weight_base: float = 1.4
    weight_slope: float = 1.1
    #: Candidates (best lexical first) the model reads; the rest keep their lexical order after them.
    top: int = 20
    #: "Nothing found" when the best candidate's semantic score is below ``floor + slope * (coverage_ref - coverage)``
    #: (a question the best sentence holds little of needs a sentence nearer in meaning, and one it holds well less).
    floor: float = 0.40
    slope: float = 0.5
    coverage_ref: float = 0.5
    #: Below this semantic score, a question naming something no article mentions is not answered (0: off; measured
    #: at 0.45-0.6 it declined SQuAD answerable questions with rare names, and no off-topic one the cut above missed).
    unknown_name_floor: float = 0.0

    def weight(self, coverage: float) -> float:
        """The semantic share of the re-ordering score for a question whose best sentence holds ``coverage`` of it."""
        return min(1.0, max(0.0, self.weight_base - self.weight_slope * coverage))


def blend(lexical: NDArray[np.float64], semantic: NDArray[np.float64], weight: float) -> NDArray[np.float64]:
    """One re-ordering score per candidate: the lexical scores scaled to the best one's (1 = the best), mixed
    with the semantic scores by ``weight``. Scaling by the best makes the mix mean the same on any corpus size."""
    if lexical.size == 0:
        return np.zeros(0)
    top = float(np.max(lexical))
    scaled = lexical / top if top > 0 else np.zeros_like(lexical)
    return (1 - weight) * scaled + weight * semantic


def order(lexical: NDArray[np.float64], semantic: NDArray[np.float64], weight: float) -> NDArray[np.int64]:
    """Candidate positions, best first, by :func:`blend` (ties keep the lexical order)."""
    return np.argsort(-blend(lexical, semantic, weight), kind="stable")


def declines(coverage: float, best_semantic: float, unknown: Sequence[str], settings: Blend) -> bool:
    """Whether to answer "nothing found": too little of the question held, lexically and in meaning together,
    or a name no article mentions and no candidate close in meaning."""
    need = settings.floor + settings.slope * (settings.coverage_ref - coverage)
    if best_semantic < need:
        return True
    return bool(unknown) and best_semantic < settings.unknown_name_floor
