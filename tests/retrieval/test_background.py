"""The background word frequencies, and the evidence weights that blend them with the corpus's IDF."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

from retrieval.background import RARE_ZIPF, TABLE, background_idf, evidence_weights, zipf_table
from retrieval.tokens import Tokenizer


def test_the_table_ranks_common_words_above_rare_ones() -> None:
    table = zipf_table()
    assert len(table) == 50000
    assert table["the"] > 7 > table["stop"] > table["facial"] > RARE_ZIPF - 0.5
    assert "qwzxv" not in table
    header = gzip.decompress(TABLE.read_bytes()).decode().splitlines()[:2]
    assert all(line.startswith("#") for line in header) and "WORDFREQ-LICENSE" in header[1]
    assert (TABLE.parent / "WORDFREQ-LICENSE").read_text(encoding="utf-8").count("Creative Commons") >= 2


def test_common_question_words_weigh_less_than_rare_ones() -> None:
    tokenizer = Tokenizer()
    question = "Why did IBM stop selling facial recognition to the qwzxv?"
    terms = list(dict.fromkeys(tokenizer(question)))
    idf = background_idf(tokenizer, question, terms)
    assert idf is not None and len(idf) == len(terms)
    weight = dict(zip(terms, idf.tolist(), strict=True))
    stop, sell, ibm, facial, unknown = (weight[tokenizer(w)[0]] for w in ["stop", "selling", "IBM", "facial", "qwzxv"])
    assert max(stop, sell) < min(ibm, facial) < unknown
    assert unknown == max(weight.values())  # a word the table does not list counts as rare


def test_a_term_takes_the_frequency_of_its_most_common_form_in_the_question() -> None:
    tokenizer = Tokenizer()
    terms = [tokenizer("selling")[0]]
    assert tokenizer("sells") == terms
    one, other, both = (background_idf(tokenizer, q, terms) for q in ["selling", "sells", "selling sells"])
    assert one is not None and other is not None and both is not None
    assert one[0] != other[0] and both[0] == min(one[0], other[0])


def test_the_corpus_counts_more_the_larger_it_is() -> None:
    tokenizer = Tokenizer()
    question = "Why did IBM stop selling facial recognition?"
    terms = list(dict.fromkeys(tokenizer(question)))
    idf = np.linspace(1.0, 5.0, len(terms))
    background = background_idf(tokenizer, question, terms)
    assert background is not None
    small = evidence_weights(tokenizer, question, terms, idf, 50)
    large = evidence_weights(tokenizer, question, terms, idf, 1_000_000)
    assert np.abs(small - background).max() < np.abs(small - idf).max()
    assert np.allclose(large, idf, atol=0.01 * float(np.abs(background - idf).max()))
    even = evidence_weights(tokenizer, question, terms, idf, 1000)
    assert np.allclose(even, (idf + background) / 2)


@pytest.mark.parametrize("stem", ["german", "french"])
def test_another_language_keeps_the_corpus_idf(stem: str) -> None:
    tokenizer = Tokenizer(stem=stem)
    terms = tokenizer("Warum hat IBM aufgehört")
    idf = np.ones(len(terms))
    assert background_idf(tokenizer, "Warum hat IBM aufgehört", terms) is None
    assert evidence_weights(tokenizer, "Warum hat IBM aufgehört", terms, idf, 10) is idf
