"""The sentence index: every sentence of the corpus, scored with BM25 and its paragraph as context.

Shape, as in bm25s: tokenize → :meth:`SentenceIndex.build` → :meth:`SentenceIndex.search`,
which returns :class:`Hit` records that already carry everything a quote needs
(text, article, date, offsets), and :meth:`save` / :meth:`load`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import pickle
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np
from numpy.typing import NDArray

from . import ranking
from .corpus import iter_files, load_corpus
from .engines import Bm25sEngine, RankBm25Engine, make_engine
from .records import Article, LoadReport, Problem
from .segment import split_paragraph
from .tokens import Tokenizer

FORMAT_VERSION = 1


@dataclass(frozen=True)
class IndexSettings:
    """Everything that changes what the index holds or how it scores; part of the cache key."""

    engine: str = "bm25s"
    method: str = "lucene"
    k1: float = 1.2
    b: float = 0.75
    stem: str | None = "english"
    #: Weight of the sentence's paragraph score added to its own score.
    paragraph_weight: float = 0.8
    #: How many sentences, by their own score, are re-scored with context.
    candidates: int = 200
    #: Re-score the candidates with :mod:`retrieval.ranking` (context, coverage, answer-type cues);
    #: false keeps plain BM25 + ``paragraph_weight`` x paragraph BM25.
    rerank: bool = True

    def key(self) -> str:
        """A stable string of the settings that shape the saved index (not query-time weights)."""
        query_time = ("paragraph_weight", "candidates", "rerank")
        return json.dumps({k: v for k, v in asdict(self).items() if k not in query_time}, sort_keys=True)


class Hit(NamedTuple):
    """One retrieved sentence, with what a quote shows."""

    sentence: int
    score: float
    text: str
    article_id: str
    title: str
    date: dt.date | None
    url: str | None
    start: int
    end: int


@dataclass
class SentenceIndex:
    """Sentences and paragraphs of a corpus with a BM25 engine over each."""

    settings: IndexSettings
    articles: list[Article]
    problems: list[Problem]
    #: Per sentence: article number, paragraph number, start and end offsets into the article text.
    sent_article: NDArray[np.int32]
    sent_paragraph: NDArray[np.int32]
    sent_start: NDArray[np.int32]
    sent_end: NDArray[np.int32]
    sentence_engine: Bm25sEngine | RankBm25Engine
    paragraph_engine: Bm25sEngine | RankBm25Engine
    tokenizer: Tokenizer = field(default_factory=Tokenizer)

    @property
    def num_sentences(self) -> int:
        """How many sentences are indexed."""
        return len(self.sent_start)

    def sentence_text(self, i: int) -> str:
        """The exact text of sentence ``i``: its article's text sliced at its offsets."""
        return self.articles[self.sent_article[i]].text[self.sent_start[i] : self.sent_end[i]]

    def hit(self, i: int, score: float) -> Hit:
        """The :class:`Hit` record for sentence ``i``."""
        article = self.articles[self.sent_article[i]]
        start, end = int(self.sent_start[i]), int(self.sent_end[i])
        return Hit(int(i), float(score), article.text[start:end], article.id, article.title, article.date, article.url, start, end)

    @classmethod
    def build(
        cls,
        report: LoadReport,
        settings: IndexSettings | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> SentenceIndex:
        """Segment, tokenize and index every article of ``report``."""
        settings = settings or IndexSettings()
        tokenizer = Tokenizer(stem=settings.stem)
        sent_article: list[int] = []
        sent_paragraph: list[int] = []
        sent_start: list[int] = []
        sent_end: list[int] = []
        sentence_tokens: list[list[str]] = []
        paragraph_tokens: list[list[str]] = []
        total = len(report.articles)
        for a, article in enumerate(report.articles):
            text = article.text
            for p_start, p_end in article.paragraphs:
                paragraph_terms: list[str] = []
                p = len(paragraph_tokens)
                for s, e in split_paragraph(text, p_start, p_end):
                    terms = tokenizer(text[s:e])
                    paragraph_terms.extend(terms)
                    sentence_tokens.append(terms)
                    sent_article.append(a)
                    sent_paragraph.append(p)
                    sent_start.append(s)
                    sent_end.append(e)
                paragraph_tokens.append(paragraph_terms)
            if progress is not None:
                progress(a + 1, total)
        sentence_engine = make_engine(settings.engine, settings.k1, settings.b, settings.method)
        paragraph_engine = make_engine(settings.engine, settings.k1, settings.b, settings.method)
        sentence_engine.index(sentence_tokens)
        paragraph_engine.index(paragraph_tokens)
        return cls(
            settings,
            report.articles,
            report.problems,
            np.asarray(sent_article, dtype=np.int32),
            np.asarray(sent_paragraph, dtype=np.int32),
            np.asarray(sent_start, dtype=np.int32),
            np.asarray(sent_end, dtype=np.int32),
            sentence_engine,
            paragraph_engine,
            tokenizer,
        )

    def rank(self, query_terms: list[str], question: str = "", allowed: NDArray[np.bool_] | None = None) -> ranking.Ranked:
        """Candidate sentences re-scored by :mod:`retrieval.ranking`, with each term's share (for ``--explain``);
        ``allowed`` (a flag per article) restricts them to those articles."""
        return ranking.rank(self, query_terms, question, allowed=allowed)

    def scores(self, query_terms: list[str], question: str = "") -> tuple[NDArray[np.int64], NDArray[np.float32]]:
        """Candidate sentences and their scores: re-ranked (``settings.rerank``), else own BM25 plus weighted paragraph BM25.

        Only sentences that share at least one term with the query are candidates,
        so every quote visibly relates to the question.
        """
        if self.settings.rerank:
            ranked = self.rank(query_terms, question)
            return ranked.candidates.ids, ranked.scores.astype(np.float32)
        own = self.sentence_engine.get_scores(query_terms)
        if own.size == 0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
        n = min(self.settings.candidates, own.size)
        top = np.argpartition(-own, n - 1)[:n] if n < own.size else np.arange(own.size)
        top = top[own[top] > 0]
        combined = own[top]
        if self.settings.paragraph_weight and top.size:
            context = self.paragraph_engine.get_scores(query_terms)
            combined = combined + self.settings.paragraph_weight * context[self.sent_paragraph[top]]
        return top, combined

    def search(self, query: str | list[str], k: int = 10, question: str = "") -> list[Hit]:
        """The ``k`` best sentences for ``query`` (text or terms), best first; ``question`` is its text, for answer cues."""
        if isinstance(query, str):
            question = question or query
            terms = ranking.query_terms(self.tokenizer, query) if self.settings.rerank else self.tokenizer(query)
        else:
            terms = query
        if not terms or k <= 0:
            return []
        ids, combined = self.scores(terms, question)
        order = np.argsort(-combined, kind="stable")[:k]
        return [self.hit(int(ids[i]), float(combined[i])) for i in order]

    # -- persistence -------------------------------------------------------------------------

    def save(self, directory: Path) -> None:
        """Write the index to ``directory`` atomically (a temporary folder renamed into place)."""
        directory = Path(directory)
        directory.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=directory.parent))
        try:
            np.save(tmp / "sent_article.npy", self.sent_article)
            np.save(tmp / "sent_paragraph.npy", self.sent_paragraph)
            np.save(tmp / "sent_start.npy", self.sent_start)
            np.save(tmp / "sent_end.npy", self.sent_end)
            with open(tmp / "articles.pickle", "wb") as f:
                pickle.dump((self.articles, self.problems), f, protocol=pickle.HIGHEST_PROTOCOL)
            if isinstance(self.sentence_engine, Bm25sEngine) and isinstance(self.paragraph_engine, Bm25sEngine):
                self.sentence_engine.save(tmp / "sentences")
                self.paragraph_engine.save(tmp / "paragraphs")
            (tmp / "meta.json").write_text(json.dumps({"version": FORMAT_VERSION, "settings": asdict(self.settings)}))
            if directory.exists():
                shutil.rmtree(directory)
            os.replace(tmp, directory)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise

    @classmethod
    def load(cls, directory: Path, settings: IndexSettings | None = None, mmap: bool = True) -> SentenceIndex:
        """Load an index written by :meth:`save`; the BM25 matrices are memory-mapped by default."""
        directory = Path(directory)
        meta = json.loads((directory / "meta.json").read_text())
        if meta.get("version") != FORMAT_VERSION:
            raise ValueError(f"index format {meta.get('version')} is not {FORMAT_VERSION}")
        saved = IndexSettings(**meta["settings"])
        settings = settings or saved
        with open(directory / "articles.pickle", "rb") as f:
            articles, problems = pickle.load(f)
        mode = "r" if mmap else None
        arrays = [np.load(directory / f"{name}.npy", mmap_mode=mode) for name in ("sent_article", "sent_paragraph", "sent_start", "sent_end")]
        tokenizer = Tokenizer(stem=settings.stem)
        if settings.engine == "bm25s":
            sentence_engine: Bm25sEngine | RankBm25Engine = Bm25sEngine.load(directory / "sentences", mmap=mmap)
            paragraph_engine: Bm25sEngine | RankBm25Engine = Bm25sEngine.load(directory / "paragraphs", mmap=mmap)
            return cls(settings, articles, problems, *arrays, sentence_engine, paragraph_engine, tokenizer)
        return cls.build(LoadReport(articles, problems), settings)


# -- the cache: build once, reload while the corpus is unchanged ---------------------------------


def corpus_fingerprint(paths: Iterable[str | os.PathLike[str]]) -> list[tuple[str, int, int]]:
    """``(path, size, mtime_ns)`` of every file the corpus loader would read, in order."""
    out = []
    for raw in paths:
        root = Path(raw)
        if not root.exists():
            out.append((str(root.resolve()), -1, -1))
            continue
        for path in iter_files(root):
            try:
                st = path.stat()
            except OSError:
                continue
            out.append((str(path.resolve()), st.st_size, st.st_mtime_ns))
    return out


def cache_key(paths: Iterable[str | os.PathLike[str]], settings: IndexSettings) -> str:
    """A hash of the corpus files (path, size, modification time) and the index settings."""
    h = hashlib.sha256()
    h.update(f"v{FORMAT_VERSION}\n{settings.key()}\n".encode())
    for item in corpus_fingerprint(paths):
        h.update(repr(item).encode("utf-8", "surrogateescape") + b"\n")
    return h.hexdigest()[:24]


def default_cache_dir() -> Path:
    """``$QUOTEBOT_CACHE_DIR``, else ``$XDG_CACHE_HOME/quotebot``, else ``~/.cache/quotebot``."""
    if env := os.environ.get("QUOTEBOT_CACHE_DIR"):
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "quotebot"


@dataclass
class OpenedIndex:
    """An index and how it was obtained."""

    index: SentenceIndex
    key: str
    from_cache: bool
    path: Path | None


def open_index(
    paths: list[str],
    settings: IndexSettings | None = None,
    cache_dir: Path | None = None,
    rebuild: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> OpenedIndex:
    """Load the saved index for ``paths`` if the corpus and settings are unchanged, else build and save it.

    A cache that can't be written (read-only disk) is not an error: the index is built in memory.
    """
    settings = settings or IndexSettings()
    key = cache_key(paths, settings)
    base = cache_dir if cache_dir is not None else default_cache_dir()
    where = base / key
    if not rebuild and (where / "meta.json").exists():
        try:
            return OpenedIndex(SentenceIndex.load(where, settings), key, True, where)
        except (OSError, ValueError, EOFError, pickle.UnpicklingError, KeyError, TypeError):
            pass  # a stale or damaged cache is rebuilt below
    index = SentenceIndex.build(load_corpus(paths), settings, progress=progress)
    try:
        index.save(where)
    except OSError:
        return OpenedIndex(index, key, False, None)
    return OpenedIndex(index, key, False, where)
