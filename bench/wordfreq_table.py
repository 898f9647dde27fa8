"""Build ``retrieval/data/wordfreq-en.txt.gz``, how common each English word is, from the ``wordfreq`` package.

    pip install 'wordfreq>=3' && python -m bench.wordfreq_table [--words 50000]

``wordfreq`` (Robyn Speer; code Apache-2.0, data CC BY-SA 4.0: ``retrieval/data/WORDFREQ-LICENSE``) blends word
counts from Wikipedia, subtitles, news, books, web text, Twitter and Reddit. Its wheel is 57 MB for 40 languages;
the bot needs one number for each of the most common English words, so the table is committed instead and the
package is needed only here. Each line is ``word<TAB>zipf``: the base-10 logarithm of the word's uses per billion
words (6: once in a thousand words, 3: once in a million).
"""

from __future__ import annotations

import argparse
import gzip

from bench.paths import ROOT

OUT = ROOT / "retrieval" / "data" / "wordfreq-en.txt.gz"


def table(words: int) -> str:
    """The table's text: a header, then the ``words`` most common English words with their Zipf frequencies."""
    from importlib.metadata import version

    import wordfreq  # only this script needs it

    top = wordfreq.top_n_list("en", words, wordlist="best")
    lines = [
        f"# The {len(top):,} most common English words in wordfreq {version('wordfreq')} ('best' list), with their Zipf frequencies.",
        "# Data CC BY-SA 4.0, from wordfreq by Robyn Speer: see WORDFREQ-LICENSE.",
    ]
    lines += [f"{word}\t{wordfreq.zipf_frequency(word, 'en', wordlist='best'):.2f}" for word in top if "\t" not in word]
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--words", type=int, default=50000, help="how many of the most common words to keep")
    args = ap.parse_args()
    text = table(args.words)
    OUT.write_bytes(gzip.compress(text.encode(), compresslevel=9, mtime=0))
    print(f"{OUT.relative_to(ROOT)}: {text.count(chr(10)) - 2:,} words, {OUT.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
