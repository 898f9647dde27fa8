"""Write the prebuilt lookup tables the bot opens instead of building them (:mod:`retrieval.tables`).

    python -m bench.prebuilt_tables

- ``retrieval/data/related-terms-english.npz``: :func:`retrieval.related.all_related_terms` under the default
  tokenizer, from ``related.txt.gz`` (rerun after ``bench/wordnet_table.py`` or a stemmer or stopword change);
- ``retrieval/data/wordfreq-en.npz``: ``wordfreq-en.txt.gz`` as sorted arrays (rerun after ``bench/wordfreq_table.py``).

Tests check that both equal what their sources give today (``tests/retrieval/test_tables.py``).
"""

from __future__ import annotations

from retrieval import background, related
from retrieval.tables import FloatTable, SetTable
from retrieval.tokens import Tokenizer


def main() -> None:
    """Write both tables and say how large they are."""
    stem, stopwords = related.PREBUILT_SETTINGS
    terms = related.all_related_terms(Tokenizer(stem=stem, stopwords=stopwords), related.related_words())
    SetTable.of(terms).save(related.PREBUILT)
    FloatTable.of(background.read_table()).save(background.PREBUILT)
    for path in (related.PREBUILT, background.PREBUILT):
        print(f"{path.name}: {path.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
