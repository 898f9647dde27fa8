"""The prebuilt lookup tables: the shipped files hold what their sources give today, and read like the old dicts."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval import background, related
from retrieval.tables import FloatTable, SetTable, SortedStrings
from retrieval.tokens import Tokenizer


def test_the_shipped_related_terms_equal_what_the_table_gives_under_the_default_tokenizer() -> None:
    stem, stopwords = related.PREBUILT_SETTINGS
    tokenizer = Tokenizer(stem=stem, stopwords=stopwords)
    assert (tokenizer.stem, tokenizer.stopwords) == (Tokenizer().stem, Tokenizer().stopwords)  # the default
    lazy = related.RelatedTerms(tokenizer, related.related_words())  # what the first questions used to work out
    shipped = SetTable.load(related.PREBUILT)
    terms = lazy.terms()
    assert len(terms) > 30_000
    assert all(shipped.get(t) == lazy.get(t) for t in terms)
    assert set(shipped.keys()) == {t for t in terms if lazy.get(t)}
    assert shipped.get("zzyzx") == lazy.get("zzyzx") == frozenset() and shipped.get("") == frozenset()
    assert related.related_terms(Tokenizer()).get(tokenizer("died")[0]) == lazy.get(tokenizer("died")[0])


def test_all_related_terms_is_the_lazy_table_at_once() -> None:
    tokenizer = Tokenizer(stem="porter")
    table = related.related_words()
    lazy = related.RelatedTerms(tokenizer, table)
    assert related.all_related_terms(tokenizer, table) == {t: lazy.get(t) for t in lazy.terms() if lazy.get(t)}


def test_another_tokenizer_still_works_its_table_out() -> None:
    porter = related.related_terms(Tokenizer(stem="porter"))
    assert isinstance(porter, related.RelatedTerms)
    assert isinstance(related.related_terms(Tokenizer()), SetTable)


def test_the_shipped_word_frequencies_equal_their_text_table() -> None:
    text = background.read_table()
    shipped = FloatTable.load(background.PREBUILT)
    assert len(text) == len(shipped) == 50_000
    assert dict(shipped.items()) == text
    assert background.zipf_table()["the"] == text["the"] and background.zipf_table().get("qwzxv", -1.0) == -1.0


def test_sorted_strings_find_any_utf8_word_and_nothing_else(tmp_path: Path) -> None:
    words = ["zebra", "apple", "café", "東京", "a"]
    strings = SortedStrings.of(words)
    assert sorted(strings) == sorted(words)
    assert all(strings.text(strings.find(w)) == w for w in words)
    assert [strings.find(w) for w in ["", "b", "cafe", "zebras", "x" * 100]] == [-1] * 5
    assert SortedStrings.of([]).find("a") == -1
    table = FloatTable.of({"a": 1.5, "東京": -2.0})
    table.save(tmp_path / "t.npz")
    again = FloatTable.load(tmp_path / "t.npz")
    assert dict(again) == {"a": 1.5, "東京": -2.0} and "b" not in again
    with pytest.raises(KeyError):
        again["b"]
    sets = SetTable.of({"x": frozenset({"y", "z"}), "y": frozenset(), "é": frozenset({"x"})})
    sets.save(tmp_path / "s.npz")
    loaded = SetTable.load(tmp_path / "s.npz")
    assert [loaded.get(k) for k in ["x", "y", "é", "z"]] == [frozenset({"y", "z"}), frozenset(), frozenset({"x"}), frozenset()]
