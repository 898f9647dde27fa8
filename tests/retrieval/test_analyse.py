"""The batched segmenter and tokenizer give exactly the spans and terms of the per-paragraph path."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from retrieval.analyse import analyse
from retrieval.corpus import load_corpus, paragraph_spans
from retrieval.records import Article
from retrieval.segment import split_paragraph
from retrieval.tokens import Tokenizer
from tests.conftest import SEEDS, SQUAD


def _article(text: str, n: int = 0) -> Article:
    return Article(f"a{n}", "t", None, None, text, paragraph_spans(text))


def _reference(articles: list[Article], tok: Tokenizer) -> list[tuple[int, int, int, list[str]]]:
    out = []
    for a, art in enumerate(articles):
        for p_start, p_end in art.paragraphs:
            for s, e in split_paragraph(art.text, p_start, p_end):
                out.append((a, s, e, tok(art.text[s:e])))
    return out


def _mine(articles: list[Article], tok: Tokenizer) -> list[tuple[int, int, int, list[str]]]:
    an = analyse(articles, tok)
    terms = np.array(an.terms + [""], dtype=object)
    bounds = np.searchsorted(an.term_sentence, np.arange(an.num_sentences + 1))
    out = []
    spans = zip(an.sent_article.tolist(), an.sent_char_start.tolist(), an.sent_char_end.tolist(), strict=True)
    for i, (a, s, e) in enumerate(spans):
        base = int(an.article_char[a])
        # Byte offsets point at the same text as character offsets.
        assert an.data[an.sent_byte_start[i] : an.sent_byte_end[i]].decode() == an.text[s:e]
        out.append((a, s - base, e - base, list(terms[an.term_ids[bounds[i] : bounds[i + 1]]])))
    return out


TRICKY = [
    "He met Sen. Tim Scott in D.C. on Monday. Then he left.\n\nMr. Smith said “no.” It was 5 p.m. in the U.S. today.",
    "# A heading that is not a paragraph\n\nFirst para ends without a stop\n\nsecond one “quoted.” And é accents — naïve café.",
    "Short.\n\n\n   \n\nSpaces   around.   Inside text.  \n\n“Why?” she asked. Fig. 3 shows it. See approx. 40 items.",
    "Ünïcödé text: 東京 is big. Ça va? Oui.\r\n\r\nWindows lines too. I.B.M. sold it. Inc. is a word.",
    "x",
    "",
]


def test_tricky_texts_match_the_reference() -> None:
    tok = Tokenizer()
    articles = [_article(t, i) for i, t in enumerate(TRICKY) if t]
    assert _mine(articles, tok) == _reference(articles, tok)


@pytest.mark.parametrize("path", [SEEDS, SQUAD])
def test_real_corpora_match_the_reference(path: Path) -> None:
    tok = Tokenizer()
    articles = load_corpus([path]).articles
    mine, ref = _mine(articles, tok), _reference(articles, tok)
    assert len(mine) == len(ref) > 0
    assert mine == ref


def test_no_articles() -> None:
    an = analyse([], Tokenizer())
    assert an.num_sentences == 0 and an.term_ids.size == 0


def test_the_internal_sentence_marker_in_corpus_text_is_harmless() -> None:
    """A control character the term pass uses as a separator must not shift sentence numbers."""
    tok = Tokenizer()
    articles = [_article("\x01 IBM said\x01 no. Second\x01sentence here.", 0)]
    assert _mine(articles, tok) == _reference(articles, tok)
