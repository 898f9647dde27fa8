"""A synthetic, news-like corpus for benchmarks: Zipfian vocabulary, realistic sentence and article lengths, dates.

The text is nonsense but shaped like news: sentences of about 20 words (log-normal), paragraphs of one to
four sentences, articles of about 20 sentences, function words as frequent as in English, content words
drawn from a Zipf–Mandelbrot distribution over a pseudo-word vocabulary, numbers, honorifics ("Sen. Varo said ..."),
quotes and a date per article. Articles are written as JSONL shards (a newsroom archive export), so a
million sentences are a few dozen files, not fifty thousand.

``python -m bench.synth 100000 bench/data/synth-100k`` writes a corpus; :func:`ensure_corpus` caches it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np

#: Function words with rough relative frequencies from English text; they make up about 45 % of words.
FUNCTION_WORDS = (
    "the of and to a in that is was he for it with as his on be at by had are from this not but have "
    "they which were or an been their has would will who more its after there than about can when said "
    "into new two also over most could what may first only last some while her people year before other"
).split()
SYLLABLES = (
    "ba be bi bo bu ca ce co cu da de di do du fa fe fi fo ga ge go ha he hi ho ja jo ka ke ki ko la le li lo lu "
    "ma me mi mo mu na ne ni no nu pa pe pi po ra re ri ro ru sa se si so su ta te ti to tu va ve vi vo za ze zo "
    "bar ber bor can cor dan der don fan fer gan gar han her kan lan len lin lor man mar mer min mon nan nor "
    "par per por ran ren ron san sen son tan ten ton van ver von"
).split()
HONORIFICS = ("Sen.", "Mr.", "Mrs.", "Dr.", "Gov.", "Rep.")
SENTENCES_PER_SHARD = 20_000
VOCABULARY = 60_000
ZIPF_S = 1.07
#: Ranks taken by function words before the first content word.
CONTENT_RANK_OFFSET = 50
#: Bumped when the generator changes, so cached corpora are regenerated.
GENERATOR_VERSION = 2


@dataclass(frozen=True)
class CorpusInfo:
    """Where a generated corpus is and what it holds."""

    path: Path
    sentences: int
    articles: int
    files: int


def make_vocabulary(rng: np.random.Generator, size: int) -> list[str]:
    """``size`` distinct pronounceable pseudo-words of two to four syllables."""
    words: list[str] = []
    seen: set[str] = set()
    syllables = np.array(SYLLABLES)
    while len(words) < size:
        counts = rng.integers(2, 5, size=size)
        picks = rng.integers(0, len(syllables), size=(size, 4))
        for n, row in zip(counts, picks, strict=True):
            word = "".join(syllables[row[:n]])
            if word not in seen:
                seen.add(word)
                words.append(word)
                if len(words) == size:
                    break
    return words


def zipf_probabilities(n: int, s: float = ZIPF_S, offset: float = 0.0) -> np.ndarray:
    """Probabilities of ranks 1..n under the Zipf–Mandelbrot law ``1 / (rank + offset) ** s``."""
    p = 1.0 / (np.arange(1, n + 1) + offset) ** s
    return p / p.sum()


class Generator:
    """Draws sentences, paragraphs and articles from one seeded random source."""

    def __init__(self, seed: int = 7, vocabulary: int = VOCABULARY) -> None:
        self.rng = np.random.default_rng(seed)
        self.vocab = make_vocabulary(self.rng, vocabulary)
        self.capitalised = [w.capitalize() for w in self.vocab]
        # Content words are the tail of one Zipf law over all words: function words hold the first
        # ranks, so the commonest content word is in about 4 % of sentences, as "said" is in news.
        self.p_content = zipf_probabilities(vocabulary, offset=CONTENT_RANK_OFFSET)
        self.p_function = zipf_probabilities(len(FUNCTION_WORDS), 1.0)

    def sentences(self, n: int) -> list[str]:
        """``n`` sentences of about 20 words (log-normal, 4 to 60)."""
        rng = self.rng
        lengths = np.clip(rng.lognormal(np.log(18), 0.45, size=n).astype(np.int64), 4, 60)
        total = int(lengths.sum())
        content = rng.choice(len(self.vocab), size=total, p=self.p_content)
        function = rng.choice(len(FUNCTION_WORDS), size=total, p=self.p_function)
        is_function = rng.random(total) < 0.45
        is_name = rng.random(total) < 0.04
        is_number = rng.random(total) < 0.015
        numbers = rng.integers(1, 2030, size=total)
        kinds = rng.random(n)
        honor = rng.integers(0, len(HONORIFICS), size=n)
        out: list[str] = []
        pos = 0
        vocab, capitalised = self.vocab, self.capitalised
        for i in range(n):
            end = pos + int(lengths[i])
            words = []
            for j in range(pos, end):
                if is_number[j]:
                    words.append(str(numbers[j]))
                elif is_function[j]:
                    words.append(FUNCTION_WORDS[function[j]])
                elif is_name[j]:
                    words.append(capitalised[content[j]])
                else:
                    words.append(vocab[content[j]])
            pos = end
            kind = kinds[i]
            if kind < 0.08:
                words.insert(1, HONORIFICS[honor[i]])
                words[2] = words[2].capitalize()
            words[0] = words[0].capitalize()
            if len(words) > 8 and kind > 0.7:
                words[len(words) // 2] += ","
            sentence = " ".join(words)
            if 0.08 <= kind < 0.16:
                sentence = f"“{sentence},” {self.capitalised[content[pos - 1]]} said."
            elif 0.16 <= kind < 0.19:
                sentence += "?"
            else:
                sentence += "."
            out.append(sentence)
        return out

    def articles(self, sentences: int, start_id: int = 0) -> list[dict[str, object]]:
        """Articles (JSONL records) holding ``sentences`` sentences in all."""
        rng = self.rng
        pool = self.sentences(sentences)
        out: list[dict[str, object]] = []
        pos = 0
        first_day = dt.date(2015, 1, 1).toordinal()
        while pos < len(pool):
            size = int(np.clip(rng.lognormal(np.log(18), 0.5), 3, 80))
            body = pool[pos : pos + size]
            pos += size
            paragraphs = []
            i = 0
            while i < len(body):
                step = int(rng.integers(1, 5))
                paragraphs.append(" ".join(body[i : i + step]))
                i += step
            n = start_id + len(out)
            date = dt.date.fromordinal(first_day + int(rng.integers(0, 3650)))
            title = " ".join(w.capitalize() for w in body[0].split()[:6]).rstrip(".,?”")
            out.append({"id": f"synth-{n:07d}", "title": title, "date": date.isoformat(), "text": "\n\n".join(paragraphs)})
        return out


def write_corpus(sentences: int, directory: Path, seed: int = 7) -> CorpusInfo:
    """Generate a corpus of about ``sentences`` sentences as JSONL shards under ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    gen = Generator(seed)
    written = articles = files = 0
    while written < sentences:
        chunk = min(SENTENCES_PER_SHARD, sentences - written)
        records = gen.articles(chunk, start_id=articles)
        with open(directory / f"shard-{files:04d}.jsonl", "w", encoding="utf-8") as f:
            for record in records:
                f.write(json.dumps(record, ensure_ascii=False) + "\n")
        written += chunk
        articles += len(records)
        files += 1
    info = CorpusInfo(directory, written, articles, files)
    meta = {"sentences": written, "articles": articles, "files": files, "seed": seed}
    (directory / ".corpus.json").write_text(json.dumps(meta))
    return info


def ensure_corpus(sentences: int, root: Path, seed: int = 7) -> CorpusInfo:
    """The cached corpus of ``sentences`` sentences under ``root``, generated on first use."""
    directory = root / f"synth-{sentences}-s{seed}-v{GENERATOR_VERSION}"
    meta = directory / ".corpus.json"
    if meta.exists():
        m = json.loads(meta.read_text())
        return CorpusInfo(directory, m["sentences"], m["articles"], m["files"])
    tmp = root / f".tmp-{directory.name}"
    shutil.rmtree(tmp, ignore_errors=True)
    info = write_corpus(sentences, tmp, seed)
    tmp.rename(directory)
    return CorpusInfo(directory, info.sentences, info.articles, info.files)


def questions_from(directory: Path, n: int, seed: int = 11) -> list[str]:
    """``n`` questions made from corpus sentences: a few of a sentence's words, with question words around them."""
    rng = np.random.default_rng(seed)
    texts: list[str] = []
    for shard in sorted(directory.glob("*.jsonl"))[:3]:
        with open(shard, encoding="utf-8") as f:
            texts.extend(json.loads(line)["text"] for line in f)
    stems = ("What did", "Who said", "When was", "Why did", "How many", "Where is")
    out = []
    for _ in range(n):
        text = texts[int(rng.integers(len(texts)))]
        words = [w.strip(".,?“”") for w in text.split() if len(w) > 3 and w.lower() not in FUNCTION_WORDS]
        k = int(rng.integers(2, 6))
        start = int(rng.integers(0, max(1, len(words) - k)))
        out.append(f"{stems[int(rng.integers(len(stems)))]} {' '.join(words[start : start + k])}?")
    return out


def main() -> None:
    """Write a corpus from the command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sentences", type=int)
    parser.add_argument("directory", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    info = write_corpus(args.sentences, args.directory, args.seed)
    print(f"{info.sentences} sentences in {info.articles} articles, {info.files} file(s) under {info.path}")


if __name__ == "__main__":
    main()
