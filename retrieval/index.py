"""The sentence index: every sentence of the corpus, scored with BM25 and its paragraph as context.

Shape, as in bm25s: tokenize → :meth:`SentenceIndex.build` → :meth:`SentenceIndex.search`,
which returns :class:`Hit` records that already carry everything a quote needs
(text, article, date, offsets), and :meth:`save` / :meth:`load`.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, NamedTuple

import numpy as np
from numpy.typing import NDArray

from . import related
from .background import warm as warm_word_frequencies
from .build import Corpus, analyse_paths, analyse_report
from .engines import Documents, Engine, Params, engine_class
from .engines.bm25s import Bm25sEngine
from .kernels import texts
from .layout import Layout, load_layout, save_layout
from .matrix_build import build_matrix_files, chunk_occurrences
from .records import LoadReport, Problem
from .sparse import ready_scratch
from .store import ArticleTable, drop_pages, load_array, save_array
from .tokens import Tokenizer

#: 2: article texts in one memory-mapped blob, own BM25 matrices, vocabulary saved once.
#: 3: each sentence's term ids (``term_ids.npy`` / ``term_ptr.npy``), read by the re-ranker's proximity feature.
#: 4: terms with their accents folded ("Möngke" and "Mongke" are one term).
#: 5: no sentence break after the "v." of a case name ("Brown v. Board of Education").
#: 6: generated titles are the first sentence as the segmenter splits it (not cut at "Sen." or "U.S.").
#: 7: the re-ranker's layout saved beside the index (``layout/``), read at open instead of made by the first question;
#:    block maxima of every term's postings (``blockptr.npy`` / ``blockmax.npy``), read by :mod:`retrieval.blocks`.
FORMAT_VERSION = 7


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
    #: Peak memory (MB, the build's processes together) a build plans for: it bounds how many workers run at once.
    build_memory_mb: int = 1500

    def key(self) -> str:
        """A stable string of the settings that shape the saved index (not query-time weights, not build resources)."""
        not_shaping = ("paragraph_weight", "candidates", "rerank", "build_memory_mb")
        return json.dumps({k: v for k, v in asdict(self).items() if k not in not_shaping}, sort_keys=True)


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
    """Sentences and paragraphs of a corpus with a BM25 engine over each.

    Article texts live in :attr:`articles` (an :class:`~retrieval.store.ArticleTable`, memory-mapped
    when loaded); per sentence the index keeps its article, paragraph, character offsets into the
    article text and byte offsets into the table's text blob.
    """

    settings: IndexSettings
    articles: ArticleTable
    problems: list[Problem]
    #: Per sentence: article number, paragraph number, start and end offsets into the article text.
    sent_article: NDArray[np.int32]
    sent_paragraph: NDArray[np.int32]
    sent_start: NDArray[np.int32]
    sent_end: NDArray[np.int32]
    sentence_engine: Engine
    paragraph_engine: Engine
    tokenizer: Tokenizer = field(default_factory=Tokenizer)
    #: Per sentence: byte span of its text in ``articles.text``.
    sent_byte_start: NDArray[np.int64] = field(default_factory=lambda: np.empty(0, np.int64))
    sent_byte_end: NDArray[np.int64] = field(default_factory=lambda: np.empty(0, np.int64))
    #: Term → column of both engines' matrices.
    vocab: dict[str, int] = field(default_factory=dict)
    #: The analysed terms of every sentence in order (stopwords left out): sentence ``i`` holds
    #: ``term_ids[term_ptr[i]:term_ptr[i + 1]]``. Empty ``term_ptr``: not kept (proximity tokenizes instead).
    term_ids: NDArray[np.int32] = field(default_factory=lambda: np.empty(0, np.int32))
    term_ptr: NDArray[np.int64] = field(default_factory=lambda: np.empty(0, np.int64))
    #: :meth:`layout`, once computed.
    layout_cache: Layout | None = field(default=None, repr=False, compare=False)
    #: For an index loaded from a folder: the shared lock that marks the folder in use (see :func:`prune_cache`).
    in_use: IO[bytes] | None = field(default=None, repr=False, compare=False)
    #: For a full build: the temporary folder its matrices were written to (removed when the index goes).
    scratch: tempfile.TemporaryDirectory[str] | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.settings.rerank:
            related.warm(self.tokenizer)  # the re-ranker's related-words table, ready by the first question
            warm_word_frequencies()  # and the word frequencies that "nothing found" weighs question words by
            ready_scratch("rank_own", self.num_sentences, np.float64)  # and the candidate stage's scratch scores
            ready_scratch("rank_para", self.paragraph_engine.num_docs, np.float64)

    @property
    def num_sentences(self) -> int:
        """How many sentences are indexed."""
        return len(self.sent_start)

    def layout(self) -> Layout:
        """Per-index facts the re-ranker reads (computed on first use, one pass over the sentences)."""
        if self.layout_cache is None:
            stored = len(self.term_ptr) == self.num_sentences + 1
            self.layout_cache = Layout.of(
                self.sent_article,
                self.sent_paragraph,
                self.paragraph_engine.num_docs,
                self.term_ids if stored else None,
                self.term_ptr if stored else None,
                self.vocab if stored else None,
            )
        return self.layout_cache

    def drop_scratch(self) -> None:
        """Remove the folder a full build wrote its matrices to (:attr:`scratch`), once they are saved: the index
        keeps reading them through its memory maps until it goes, and a cache prune never sees the folder."""
        if self.scratch is not None:
            self.scratch.cleanup()
            self.scratch = None

    def sentence_text(self, i: int) -> str:
        """The exact text of sentence ``i``: its article's text sliced at its offsets."""
        return self.articles.slice_text(int(self.sent_byte_start[i]), int(self.sent_byte_end[i]))

    def sentence_texts(self, ids: NDArray[np.integer]) -> list[str]:
        """The texts of many sentences (one array lookup per offset, not per sentence)."""
        return texts(self.articles.text, self.sent_byte_start[ids], self.sent_byte_end[ids])

    def hit(self, i: int, score: float) -> Hit:
        """The :class:`Hit` record for sentence ``i``."""
        table = self.articles
        a = int(self.sent_article[i])
        return Hit(
            int(i),
            float(score),
            self.sentence_text(i),
            table.ids[a] or "",
            table.titles[a] or "",
            table.date(a),
            table.urls[a],
            int(self.sent_start[i]),
            int(self.sent_end[i]),
        )

    def hits(self, ids: NDArray[np.integer], scores: NDArray[np.floating]) -> list[Hit]:
        """:class:`Hit` records for many sentences at once (one array lookup per field, not per hit)."""
        table = self.articles
        fields = zip(
            ids.tolist(),
            scores.tolist(),
            self.sentence_texts(ids),
            self.sent_article[ids].tolist(),
            self.sent_start[ids].tolist(),
            self.sent_end[ids].tolist(),
            strict=True,
        )
        ids_, titles, urls = table.ids, table.titles, table.urls
        return [
            Hit(i, score, text, ids_[a] or "", titles[a] or "", table.date(a), urls[a], s, e)
            for i, score, text, a, s, e in fields
        ]

    @classmethod
    def build(
        cls,
        report: LoadReport,
        settings: IndexSettings | None = None,
        progress: Callable[[int, int], None] | None = None,
        workers: int | None = None,
    ) -> SentenceIndex:
        """Segment, tokenize and index every article of ``report`` (on ``workers`` processes; default all cores)."""
        settings = settings or IndexSettings()
        return cls.from_corpus(analyse_report(report, settings.stem, workers, progress), settings)

    @classmethod
    def build_paths(
        cls,
        paths: Iterable[str | os.PathLike[str]],
        settings: IndexSettings | None = None,
        progress: Callable[[int, int], None] | None = None,
        workers: int | None = None,
        spool_dir: Path | None = None,
    ) -> SentenceIndex:
        """Read, segment, tokenize and index every file under ``paths``, reading files in the workers too (at most
        as many as ``settings.build_memory_mb`` allows); the articles' text is kept in an unlinked file in
        ``spool_dir`` (default: the system's temporary folder), memory-mapped. The BM25 matrices are built out of
        core (:mod:`retrieval.matrix_build`) in a temporary folder there, and copied from it on :meth:`save`."""
        settings = settings or IndexSettings()
        corpus = analyse_paths(paths, settings.stem, workers, progress, settings.build_memory_mb, spool_dir)
        scratch = tempfile.TemporaryDirectory(prefix=".tmp-matrix-", dir=spool_dir, ignore_cleanup_errors=True)
        index = cls.from_corpus(corpus, settings, matrix_dir=Path(scratch.name))
        index.scratch = scratch
        return index

    @classmethod
    def from_corpus(
        cls, corpus: Corpus, settings: IndexSettings, background: SentenceIndex | None = None, matrix_dir: Path | None = None
    ) -> SentenceIndex:
        """Build the sentence and paragraph engines over an analysed corpus.

        With ``background`` (the large index a small delta is searched alongside) the delta's
        scores use the statistics of both together, so their scores can be merged. With ``matrix_dir`` (and no
        background) the default engine's matrices are built out of core into files there
        (:func:`retrieval.matrix_build.build_matrix_files`), in memory that does not grow with the corpus.
        """
        vocab = {t: i for i, t in enumerate(corpus.terms)}
        n_sent = len(corpus.sent_start)
        kind, params = engine_class(settings.engine), _params(settings)
        if matrix_dir is not None and background is None and kind is Bm25sEngine:
            sentence_engine, paragraph_engine = _engines_out_of_core(corpus, settings, vocab, matrix_dir)
        else:
            term_paragraph = corpus.sent_paragraph[corpus.term_sentence] if len(corpus.term_sentence) else corpus.term_sentence
            sentences = Documents(corpus.terms, vocab, corpus.term_ids, corpus.term_sentence, n_sent)
            paragraphs = Documents(corpus.terms, vocab, corpus.term_ids, term_paragraph, corpus.num_paragraphs)
            bg_sent = background.sentence_engine if background is not None else None
            bg_par = background.paragraph_engine if background is not None else None
            sentence_engine, paragraph_engine = kind.build(sentences, params, bg_sent), kind.build(paragraphs, params, bg_par)
        return cls(
            settings=settings,
            articles=corpus.articles,
            problems=corpus.problems,
            sent_article=corpus.sent_article,
            sent_paragraph=corpus.sent_paragraph,
            sent_start=corpus.sent_start,
            sent_end=corpus.sent_end,
            sentence_engine=sentence_engine,
            paragraph_engine=paragraph_engine,
            tokenizer=Tokenizer(stem=settings.stem),
            sent_byte_start=corpus.sent_byte_start,
            sent_byte_end=corpus.sent_byte_end,
            vocab=vocab,
            term_ids=corpus.term_ids,
            term_ptr=_term_ptr(corpus.term_sentence, n_sent),
        )

    # -- persistence -------------------------------------------------------------------------

    def save(self, directory: Path) -> None:
        """Write the index to ``directory`` atomically (a temporary folder renamed into place)."""
        directory = Path(directory)
        directory.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=directory.parent))
        try:
            for name in _ARRAYS:
                save_array(tmp / f"{name}.npy", getattr(self, name))
            self.articles.save(tmp)
            problems = [[p.path, p.line, p.reason, p.skipped] for p in self.problems]
            (tmp / "problems.json").write_text(json.dumps(problems))
            terms = [""] * len(self.vocab)
            for t, i in self.vocab.items():
                terms[i] = t
            (tmp / "vocab.txt").write_text("\n".join(terms), encoding="utf-8")
            self.sentence_engine.save(tmp / "sentences")
            self.paragraph_engine.save(tmp / "paragraphs")
            save_layout(self.layout(), tmp)
            (tmp / "meta.json").write_text(
                json.dumps({"version": FORMAT_VERSION, "settings": asdict(self.settings), "sentences": self.num_sentences})
            )
            if directory.exists():
                shutil.rmtree(directory)
            os.replace(tmp, directory)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise

    @classmethod
    def load(cls, directory: Path, settings: IndexSettings | None = None, mmap: bool = True) -> SentenceIndex:
        """Load an index written by :meth:`save`; arrays and texts are memory-mapped by default."""
        directory = Path(directory)
        meta = json.loads((directory / "meta.json").read_text())
        if meta.get("version") != FORMAT_VERSION:
            raise ValueError(f"index format {meta.get('version')} is not {FORMAT_VERSION}")
        saved = IndexSettings(**meta["settings"])
        settings = settings or saved
        table = ArticleTable.load(directory)
        saved_problems = json.loads((directory / "problems.json").read_text())
        problems = [Problem(path, line, reason, skipped) for path, line, reason, skipped in saved_problems]
        arrays = {name: load_array(directory / f"{name}.npy", mmap) for name in _ARRAYS}
        text = (directory / "vocab.txt").read_text(encoding="utf-8")
        terms = text.split("\n") if text else []
        vocab = dict(zip(terms, range(len(terms)), strict=True))
        kind, params = engine_class(settings.engine), _params(settings)
        sentence_engine = kind.load(directory / "sentences", vocab, params, mmap=mmap)
        paragraph_engine = kind.load(directory / "paragraphs", vocab, params, mmap=mmap)
        if sentence_engine is None or paragraph_engine is None:  # an engine that is not saved: rebuilt
            return cls.build(LoadReport(list(table), problems), settings)
        index = cls(
            settings=settings,
            articles=table,
            problems=problems,
            sentence_engine=sentence_engine,
            paragraph_engine=paragraph_engine,
            tokenizer=Tokenizer(stem=settings.stem),
            vocab=vocab,
            **arrays,
        )
        shape = (index.sent_article, index.sent_paragraph, index.term_ids, index.term_ptr, vocab)
        index.layout_cache = load_layout(directory, *shape, mmap=mmap)
        return index


#: The per-sentence arrays saved as ``.npy`` files (loaded memory-mapped).
_ARRAYS = ("sent_article", "sent_paragraph", "sent_start", "sent_end", "sent_byte_start", "sent_byte_end", "term_ids", "term_ptr")


def _term_ptr(term_sentence: NDArray[np.int32], num_sentences: int) -> NDArray[np.int64]:
    """Where each sentence's terms start in the (sentence-ordered) term arrays, plus the end: ``num_sentences + 1`` offsets."""
    counts = np.zeros(num_sentences, dtype=np.int64)
    step = 1 << 22  # a memory-mapped array is read a chunk at a time, its pages let go after each
    for start in range(0, len(term_sentence), step):
        part = np.asarray(term_sentence[start : start + step], dtype=np.int64)
        low = int(part.min())
        counts[low : int(part.max()) + 1] += np.bincount(part - low)
        drop_pages(term_sentence)
    ptr = np.zeros(num_sentences + 1, dtype=np.int64)
    np.cumsum(counts, out=ptr[1:])
    return ptr


def _engines_out_of_core(
    corpus: Corpus, settings: IndexSettings, vocab: dict[str, int], directory: Path
) -> tuple[Bm25sEngine, Bm25sEngine]:
    """The sentence and paragraph engines of the default kind, their matrices built out of core into ``directory``
    (``sentences/`` and ``paragraphs/``) in chunks sized by ``settings.build_memory_mb``."""
    chunk = chunk_occurrences(settings.build_memory_mb)
    bm25 = (settings.method, settings.k1, settings.b)
    occurrences = (corpus.term_sentence, corpus.term_ids)
    terms = len(corpus.terms)
    sent = build_matrix_files(*occurrences, len(corpus.sent_start), terms, directory / "sentences", *bm25, chunk=chunk)
    par_dir = directory / "paragraphs"
    par = build_matrix_files(*occurrences, corpus.num_paragraphs, terms, par_dir, *bm25, chunk=chunk, doc_map=corpus.sent_paragraph)
    return Bm25sEngine.of(sent, vocab), Bm25sEngine.of(par, vocab)


def _params(settings: IndexSettings) -> Params:
    """The BM25 parameters of ``settings``."""
    return Params(settings.k1, settings.b, settings.method)
