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
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, NamedTuple

import numpy as np
from numpy.typing import NDArray

from . import ranking, related
from .background import warm as warm_word_frequencies
from .build import Corpus, analyse_paths, analyse_report
from .corpus import iter_files
from .engines import Bm25sEngine, RankBm25Engine, make_engine
from .records import LoadReport, Problem
from .safe_files import ReadPolicy, safe_resolve
from .sparse import Background, build_matrix
from .store import ArticleTable, load_array
from .tokens import Tokenizer

#: 2: article texts in one memory-mapped blob, own BM25 matrices, vocabulary saved once.
#: 3: each sentence's term ids (``term_ids.npy`` / ``term_ptr.npy``), read by the re-ranker's proximity feature.
#: 4: terms with their accents folded ("Möngke" and "Mongke" are one term).
#: 5: no sentence break after the "v." of a case name ("Brown v. Board of Education").
FORMAT_VERSION = 5


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
    sentence_engine: Bm25sEngine | RankBm25Engine
    paragraph_engine: Bm25sEngine | RankBm25Engine
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
    layout_cache: ranking.Layout | None = field(default=None, repr=False, compare=False)
    #: For an index loaded from a folder: the shared lock that marks the folder in use (see :func:`prune_cache`).
    in_use: IO[bytes] | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.settings.rerank:
            related.warm(self.tokenizer)  # the re-ranker's related-words table, ready by the first question
            warm_word_frequencies()  # and the word frequencies that "nothing found" weighs question words by

    @property
    def num_sentences(self) -> int:
        """How many sentences are indexed."""
        return len(self.sent_start)

    def layout(self) -> ranking.Layout:
        """Per-index facts the re-ranker reads (computed on first use, one pass over the sentences)."""
        if self.layout_cache is None:
            stored = len(self.term_ptr) == self.num_sentences + 1
            self.layout_cache = ranking.Layout.of(
                self.sent_article,
                self.sent_paragraph,
                self.paragraph_engine.num_docs,
                self.term_ids if stored else None,
                self.term_ptr if stored else None,
                self.vocab if stored else None,
            )
        return self.layout_cache

    def sentence_text(self, i: int) -> str:
        """The exact text of sentence ``i``: its article's text sliced at its offsets."""
        return self.articles.slice_text(int(self.sent_byte_start[i]), int(self.sent_byte_end[i]))

    def sentence_texts(self, ids: NDArray[np.integer]) -> list[str]:
        """The texts of many sentences (one array lookup per offset, not per sentence)."""
        blob = self.articles.text
        spans = zip(self.sent_byte_start[ids].tolist(), self.sent_byte_end[ids].tolist(), strict=True)
        return [blob[s:e].decode("utf-8") for s, e in spans]

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
        blob = table.text
        fields = zip(
            ids.tolist(),
            scores.tolist(),
            self.sent_article[ids].tolist(),
            self.sent_byte_start[ids].tolist(),
            self.sent_byte_end[ids].tolist(),
            self.sent_start[ids].tolist(),
            self.sent_end[ids].tolist(),
            strict=True,
        )
        ids_, titles, urls = table.ids, table.titles, table.urls
        return [
            Hit(i, score, blob[bs:be].decode("utf-8"), ids_[a] or "", titles[a] or "", table.date(a), urls[a], s, e)
            for i, score, a, bs, be, s, e in fields
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
    ) -> SentenceIndex:
        """Read, segment, tokenize and index every file under ``paths``, reading files in the workers too."""
        settings = settings or IndexSettings()
        return cls.from_corpus(analyse_paths(paths, settings.stem, workers, progress), settings)

    @classmethod
    def from_corpus(cls, corpus: Corpus, settings: IndexSettings, background: SentenceIndex | None = None) -> SentenceIndex:
        """Build the sentence and paragraph engines over an analysed corpus.

        With ``background`` (the large index a small delta is searched alongside) the delta's
        scores use the statistics of both together, so their scores can be merged.
        """
        tokenizer = Tokenizer(stem=settings.stem)
        vocab = {t: i for i, t in enumerate(corpus.terms)}
        n_sent = len(corpus.sent_start)
        term_paragraph = corpus.sent_paragraph[corpus.term_sentence] if len(corpus.term_sentence) else corpus.term_sentence
        if settings.engine == "bm25s":
            args = (len(corpus.terms), settings.method, settings.k1, settings.b)
            bg_sent = bg_par = None
            if isinstance(background, SentenceIndex) and isinstance(background.sentence_engine, Bm25sEngine):
                bg_sent = _background(background.sentence_engine, corpus.terms)
                bg_par = _background(background.paragraph_engine, corpus.terms)  # type: ignore[arg-type]
            sentence_engine: Bm25sEngine | RankBm25Engine = Bm25sEngine.of(
                build_matrix(corpus.term_sentence, corpus.term_ids, n_sent, *args, background=bg_sent), vocab
            )
            paragraph_engine: Bm25sEngine | RankBm25Engine = Bm25sEngine.of(
                build_matrix(term_paragraph, corpus.term_ids, corpus.num_paragraphs, *args, background=bg_par), vocab
            )
        else:
            sentence_engine = make_engine(settings.engine, settings.k1, settings.b, settings.method)
            sentence_engine.index(_token_lists(corpus, corpus.term_sentence, n_sent))
            paragraph_engine = make_engine(settings.engine, settings.k1, settings.b, settings.method)
            paragraph_engine.index(_token_lists(corpus, term_paragraph, corpus.num_paragraphs))
        return cls(
            settings,
            corpus.articles,
            corpus.problems,
            corpus.sent_article,
            corpus.sent_paragraph,
            corpus.sent_start,
            corpus.sent_end,
            sentence_engine,
            paragraph_engine,
            tokenizer,
            corpus.sent_byte_start,
            corpus.sent_byte_end,
            vocab,
            corpus.term_ids,
            _term_ptr(corpus.term_sentence, n_sent),
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
        # The best `candidates` sentences by their own score, reading only the query terms' postings.
        top, own = self.sentence_engine.top(query_terms, self.settings.candidates)
        positive = own > 0
        top, combined = top[positive], own[positive]
        if self.settings.paragraph_weight and top.size:
            context = self.paragraph_engine.scores_at(query_terms, self.sent_paragraph[top].astype(np.int64))
            combined = combined + self.settings.paragraph_weight * context
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
        return self.hits(ids[order], combined[order])

    # -- persistence -------------------------------------------------------------------------

    def save(self, directory: Path) -> None:
        """Write the index to ``directory`` atomically (a temporary folder renamed into place)."""
        directory = Path(directory)
        directory.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=directory.parent))
        try:
            for name in _ARRAYS:
                np.save(tmp / f"{name}.npy", getattr(self, name))
            self.articles.save(tmp)
            problems = [[p.path, p.line, p.reason, p.skipped] for p in self.problems]
            (tmp / "problems.json").write_text(json.dumps(problems))
            terms = [""] * len(self.vocab)
            for t, i in self.vocab.items():
                terms[i] = t
            (tmp / "vocab.txt").write_text("\n".join(terms), encoding="utf-8")
            if isinstance(self.sentence_engine, Bm25sEngine) and isinstance(self.paragraph_engine, Bm25sEngine):
                self.sentence_engine.save(tmp / "sentences")
                self.paragraph_engine.save(tmp / "paragraphs")
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
        in_use = hold_shared(directory)
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
        tokenizer = Tokenizer(stem=settings.stem)
        if settings.engine == "bm25s":
            sentence_engine: Bm25sEngine | RankBm25Engine = Bm25sEngine.load(directory / "sentences", vocab, mmap=mmap)
            paragraph_engine: Bm25sEngine | RankBm25Engine = Bm25sEngine.load(directory / "paragraphs", vocab, mmap=mmap)
            return cls(
                settings,
                table,
                problems,
                arrays["sent_article"],
                arrays["sent_paragraph"],
                arrays["sent_start"],
                arrays["sent_end"],
                sentence_engine,
                paragraph_engine,
                tokenizer,
                arrays["sent_byte_start"],
                arrays["sent_byte_end"],
                vocab,
                arrays["term_ids"],
                arrays["term_ptr"],
                in_use=in_use,
            )
        return cls.build(LoadReport(list(table), problems), settings)


#: The per-sentence arrays saved as ``.npy`` files (loaded memory-mapped).
_ARRAYS = ("sent_article", "sent_paragraph", "sent_start", "sent_end", "sent_byte_start", "sent_byte_end", "term_ids", "term_ptr")


def _term_ptr(term_sentence: NDArray[np.int32], num_sentences: int) -> NDArray[np.int64]:
    """Where each sentence's terms start in the (sentence-ordered) term arrays, plus the end: ``num_sentences + 1`` offsets."""
    ptr = np.zeros(num_sentences + 1, dtype=np.int64)
    np.cumsum(np.bincount(term_sentence, minlength=num_sentences), out=ptr[1:])
    return ptr


def _background(engine: Bm25sEngine, terms: list[str]) -> Background:
    """``engine``'s statistics for ``terms`` (document frequency 0 for terms it does not know)."""
    matrix, vocab = engine.matrix, engine.vocab
    df = np.array([matrix.document_frequency(vocab.get(t, -1)) for t in terms], dtype=np.float64)
    return Background(df, matrix.num_docs, matrix.avg_doc_len)


def _token_lists(corpus: Corpus, doc_of_term: NDArray[np.int32], num_docs: int) -> list[list[str]]:
    """One list of terms per document (for the reference engine, which wants strings)."""
    out: list[list[str]] = [[] for _ in range(num_docs)]
    terms = corpus.terms
    for doc, term in zip(doc_of_term.tolist(), corpus.term_ids.tolist(), strict=True):
        out[doc].append(terms[term])
    return out


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
            out.append((safe_resolve(path), st.st_size, st.st_mtime_ns))
    return out


def cache_key(paths: Iterable[str | os.PathLike[str]], settings: IndexSettings) -> str:
    """A hash of the corpus files (path, size, modification time) and the index settings."""
    h = hashlib.sha256()
    h.update(f"v{FORMAT_VERSION}\n{settings.key()}\n{ReadPolicy.current().key()}\n".encode())
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
    workers: int | None = None,
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
            loaded = SentenceIndex.load(where, settings)
        except (OSError, ValueError, EOFError, KeyError, TypeError):
            pass  # a stale or damaged cache is rebuilt below
        else:
            prune_cache(base, paths, settings, keep=key)
            return OpenedIndex(loaded, key, True, where)
    index = SentenceIndex.build_paths(paths, settings, progress=progress, workers=workers)
    try:
        index.save(where)
        (where / CORPUS_FILE).write_text(json.dumps({"corpus": corpus_identity(paths, settings)}), encoding="utf-8")
    except OSError:
        return OpenedIndex(index, key, False, None)
    prune_cache(base, paths, settings, keep=key)
    return OpenedIndex(index, key, False, where)


#: Written beside each cached index: which corpus (paths and settings, not their contents) it indexes.
CORPUS_FILE = "corpus.json"


def corpus_identity(paths: Iterable[str | os.PathLike[str]], settings: IndexSettings) -> str:
    """A hash of the corpus paths and the index settings: the same for every state of the same corpus."""
    names = sorted(os.path.abspath(p) for p in paths)
    return hashlib.sha256(json.dumps([names, FORMAT_VERSION, settings.key()]).encode()).hexdigest()[:24]


def prune_cache(base: Path, paths: Iterable[str | os.PathLike[str]], settings: IndexSettings, keep: str) -> list[Path]:
    """Remove the cached indexes of earlier states of this corpus (same paths and settings) but ``keep``.

    Without this a corpus that changes daily leaves one index a day in the cache. Only folders marked with
    this corpus's identity are removed, and only when no process has them loaded (:func:`in_use`): a running
    bot's base stays until it has swapped to a newer one. Other corpora's indexes stay. Returns the folders removed.
    """
    identity = corpus_identity(paths, settings)
    removed = []
    try:
        entries = list(base.iterdir())
    except OSError:
        return removed
    for entry in entries:
        if entry.name == keep or not entry.is_dir():
            continue
        try:
            marker = json.loads((entry / CORPUS_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(marker, dict) and marker.get("corpus") == identity and not in_use(entry):
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry)
    return removed


#: In each cached index folder: locked shared by every process that has the index loaded.
LOCK_FILE = "in-use.lock"


def hold_shared(directory: Path) -> IO[bytes] | None:
    """Mark ``directory`` in use for as long as the returned file stays open (None where locks are unavailable:
    no ``fcntl``, or a read-only folder). Removing a folder whose files another process has memory-mapped would
    leave that process to free them when it lets go of the index, on whatever thread does so, possibly its loop."""
    try:
        import fcntl

        handle = open(directory / LOCK_FILE, "ab")  # noqa: SIM115 - held open on purpose
    except (ImportError, OSError):
        return None
    try:
        fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        handle.close()  # held exclusively: being pruned right now
        raise
    return handle


def in_use(directory: Path) -> bool:
    """True when some process holds ``directory``'s index (:func:`hold_shared`); False when it can be removed."""
    try:
        import fcntl

        with open(directory / LOCK_FILE, "ab") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)  # released when the file closes
    except ImportError:
        return False
    except OSError:
        return True
    return False
