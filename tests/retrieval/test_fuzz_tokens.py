"""Property-based tests of the tokenizer: any text tokenizes, offsets point at the words, and both paths agree."""

from __future__ import annotations

from hypothesis import example, given
from hypothesis import strategies as st

from retrieval.tokens import WORD, Tokenizer

TOKENIZER = Tokenizer()
WORDY = st.text(st.sampled_from("abcXYZ019 .,'’-_\n\téüßİı"), max_size=60)


@given(st.one_of(st.text(max_size=200), WORDY))
@example("U.S. don't O’Neil's 5 X")
@example("'s ’s . .. _ __")
def test_any_text_gives_nonempty_terms_without_stopwords(text: str) -> None:
    terms = TOKENIZER(text)
    assert all(isinstance(t, str) and t for t in terms)
    assert not set(terms) & {"the", "and", "of", "a"}


@given(st.one_of(st.text(max_size=200), WORDY))
def test_word_offsets_point_at_words_in_order(text: str) -> None:
    previous_end = 0
    for term, start, end in TOKENIZER.words(text):
        assert previous_end <= start < end <= len(text)
        assert WORD.fullmatch(text[start:end])
        assert term
        previous_end = end


@given(st.one_of(st.text(max_size=200), WORDY))
@example("İstanbul")
@example("À la carte")
def test_highlight_terms_match_index_terms(text: str) -> None:
    """words() (for highlights) and the tokenizer (for the index) give the same terms, even where lower-casing
    lengthens a word ("İ" becomes "i" and a combining dot, which folds away)."""
    assert [t for t, _, _ in TOKENIZER.words(text)] == TOKENIZER(text)


@given(st.lists(st.text(max_size=40), max_size=10))
def test_many_is_one_call_per_text(texts: list[str]) -> None:
    assert TOKENIZER.many(texts) == [TOKENIZER(t) for t in texts]
