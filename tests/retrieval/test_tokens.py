"""The tokenizer: lower case, Unicode words, stopwords out, Snowball stems, one-character tokens kept."""

from __future__ import annotations

from retrieval.tokens import Tokenizer, fold_accents


def test_terms_are_stemmed_and_stopwords_dropped() -> None:
    assert Tokenizer()("Does IBM still sell facial recognition software?") == ["ibm", "still", "sell", "facial", "recognit", "softwar"]


def test_single_characters_and_numbers_are_kept() -> None:
    assert Tokenizer()("5 cats and X") == ["5", "cat", "x"]


def test_negations_are_not_stopwords() -> None:
    assert "no" in Tokenizer()("IBM no longer offers it")


def test_unicode_words() -> None:
    terms = Tokenizer()("Ελλάδα 東京 naïve O’Neil’s")
    assert terms == ["ελλάδα", "東京", "naiv", "oneil"]


def test_only_stopwords_and_emoji_give_no_terms() -> None:
    assert Tokenizer()("what is the of 🙂🙂") == []


def test_words_returns_spans_into_the_text() -> None:
    text = "Which senator sponsored it?"
    assert [(t, text[s:e]) for t, s, e in Tokenizer().words(text)] == [("senat", "senator"), ("sponsor", "sponsored")]


def test_without_stemming() -> None:
    assert Tokenizer(stem=None)("Sponsored bills") == ["sponsored", "bills"]


def test_accents_are_folded_in_latin_words_only() -> None:
    tok = Tokenizer()
    assert tok("Möngke Khan") == tok("Mongke Khan")
    assert tok("São Paulo café") == tok("Sao Paulo cafe")
    assert tok("İstanbul") == tok("Istanbul")
    assert fold_accents("straße") == "straße"  # no decomposition: kept
    assert fold_accents("東京") == "東京"
    assert fold_accents("हिंदी") == "हिंदी"  # its marks are part of the letters
    assert fold_accents("naïve") == "naive"


def test_folded_words_keep_their_spans() -> None:
    text = "Möngke died."
    (term, start, end), *_ = Tokenizer().words(text)
    assert text[start:end] == "Möngke" and term == Tokenizer()("mongke")[0]
