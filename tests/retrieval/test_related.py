"""Related words: the WordNet table as index terms, the table builder, and the ``related`` ranking feature."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import numpy as np

from bench.wordnet_table import related_words as build_related_words
from retrieval.corpus import load_corpus
from retrieval.index import SentenceIndex
from retrieval.ranking import FEATURES, query_terms
from retrieval.related import TABLE, related_terms
from retrieval.rerank import rank
from retrieval.tokens import Tokenizer


def _term(word: str) -> str:
    return Tokenizer()(word)[0]


def test_related_words_meet_under_the_index_s_stems() -> None:
    related = related_terms(Tokenizer())
    assert _term("favored") in related.get(_term("prefer"))  # synonym of the first sense, whatever the inflection
    assert _term("death") in related.get(_term("died"))  # derived form
    assert _term("China") in related.get(_term("Chinese"))  # pertainym
    assert _term("win") in related.get(_term("won"))  # irregular form, from the exception list
    assert _term("promote") not in related.get(_term("prefer"))  # a later sense of "prefer" is not followed
    assert related.get("zzyzx") == frozenset()
    for word in ["prefer", "died", "chinese", "won", "house", "run"]:
        found = related.get(_term(word))
        assert found and _term(word) not in found and "" not in found
    assert related_terms(Tokenizer()) is related  # made once per tokenizer setting


def test_a_stemmer_of_another_language_gets_no_english_related_words() -> None:
    german = related_terms(Tokenizer(stem="german"))
    assert german.get(Tokenizer(stem="german")("prefer")[0]) == frozenset()
    assert related_terms(Tokenizer(stem=None)).get("prefer")  # no stemming: the words themselves


def test_the_committed_table_names_its_source() -> None:
    first = gzip.decompress(TABLE.read_bytes()).decode().splitlines()[0]
    assert first.startswith("# Related words from WordNet 3.0") and (TABLE.parent / "WORDNET-LICENSE").is_file()


def test_word_terms_equal_the_tokenizer_s_own_terms() -> None:
    tok = Tokenizer()
    words = ["running", "the", "à", "café", "naïve", "x", "o'neil", "1990s", "études"]
    assert tok.word_terms(words) == [(tok(w) or [""])[0] for w in words]


def _wordnet(folder: Path) -> Path:
    """A tiny WordNet 3.0 ``dict/`` in the real file formats: licence header lines, synsets with pointers, indexes."""
    header = "  1 This is the licence header, skipped.\n"
    files = {
        # prefer (v): sense 1 {prefer, favor} derives "preference" (word 1 -> word 1); sense 2 {prefer, promote}.
        "data.verb": "00000001 31 v 02 prefer 0 favor 0 001 + 00000010 n 0101 01 + 08 00 | like better\n"
        "00000002 41 v 02 prefer 0 promote 0 000 01 + 08 00 | give preference\n"
        "00000003 40 v 01 win 0 001 + 00000040 n 0101 01 + 08 00 | be victorious\n",
        "data.noun": "00000010 07 n 02 preference 0 penchant 0 000 | a liking\n"
        "00000030 15 n 01 China 0 000 | a country\n"
        "00000040 18 n 01 winner 0 000 | one who wins\n",
        # chinese (a) is a pertainym of China; "(a)" marks an adjective's position and is not part of the word.
        "data.adj": "00000020 01 a 01 Chinese(a) 0 001 \\ 00000030 n 0101 | of China\n",
        "data.adv": "",
        "index.verb": "favor v 1 1 + 1 0 00000001\nprefer v 2 1 + 2 0 00000001 00000002\n"
        "promote v 1 0 1 0 00000002\nwin v 1 1 + 1 0 00000003\n",
        "index.noun": "china n 1 0 1 0 00000030\npenchant n 1 0 1 0 00000010\n"
        "preference n 1 0 1 0 00000010\nwinner n 1 0 1 0 00000040\n",
        "index.adj": "chinese a 1 1 \\ 1 0 00000020\n",
        "index.adv": "",
        "verb.exc": "won win\n",
        "noun.exc": "",
        "adj.exc": "",
        "adv.exc": "",
    }
    for name, body in files.items():
        (folder / name).write_text(header + body if name.startswith(("data.", "index.")) else body, encoding="latin-1")
    return folder


def test_the_table_builder_follows_first_senses_derivations_pertainyms_and_exceptions(tmp_path: Path) -> None:
    table = build_related_words(_wordnet(tmp_path))
    assert table["prefer"] == {"favor", "preference"}  # not "promote", of the second sense
    assert table["favor"] == {"prefer"}  # the derivation pointer is from word 1 ("prefer") only
    assert table["preference"] == {"penchant"}
    assert table["chinese"] == {"china"}
    assert table["won"] == {"win", "winner"}


ROUTES = [
    ("memo", "The board favored the northern route for the new railway line."),
    ("minutes", "The board discussed the southern route for the new railway line at length."),
    ("harbour", "The harbour bridge reopened after repairs."),
    ("weather", "Heavy snow closed the mountain pass on Sunday."),
]


def route_index(folder: Path) -> SentenceIndex:
    """Four short articles; "memo" says "favored" where questions say "prefer"."""
    paths = []
    for name, text in ROUTES:
        path = folder / f"{name}.jsonl"
        path.write_text(json.dumps({"id": name, "title": name, "date": "2024-01-02", "text": text}) + "\n", encoding="utf-8")
        paths.append(path)
    return SentenceIndex.build(load_corpus(paths))


def test_a_sentence_that_says_the_question_in_other_words_ranks_first(tmp_path: Path) -> None:
    index = route_index(tmp_path)
    question = "Which route for the railway line did the board prefer?"
    ranked = rank(index, query_terms(index.tokenizer, question), question)
    c = ranked.candidates
    by_article = {index.articles[int(index.sent_article[i])].id: row for row, i in enumerate(c.ids)}
    related = c.features[:, FEATURES.index("related")]
    assert related[by_article["memo"]] > 0 and related[by_article["minutes"]] == 0
    assert np.argmax(ranked.scores) == by_article["memo"]
    without = rank(index, query_terms(index.tokenizer, question), question, weights={"related": 0.0})
    assert without.scores[by_article["memo"]] < ranked.scores[by_article["memo"]]
