"""Building an index fast: corpus files → sentences → term ids → BM25 matrices, on every core.

The corpus is cut into batches (groups of small files, ranges of lines of a large JSONL file, or
runs of loaded articles), about :data:`BATCH_BYTES` each. Each batch is read,
segmented and tokenized by :func:`retrieval.analyse.analyse` in a worker process; the
parent merges the batches as they arrive (:class:`Merger`: vocabularies, per-sentence arrays,
text and term occurrences spooled to files), and the sentence and paragraph matrices are built
from that (:mod:`retrieval.matrix_build`). Small corpora are done in-process, where starting
workers would cost more than it saves.
"""

from __future__ import annotations

import mmap
import multiprocessing
import os
import tempfile
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from .analyse import ARTICLE_GAP, Analysed, TermTable, analyse
from .corpus import JSONL_SUFFIXES, iter_files, load_file, load_jsonl_text, rename_repeated_ids, source_name
from .ranges import LineRange, cut_lines, read_range
from .records import Article, LoadReport, Problem
from .safe_files import safe_resolve
from .store import ArticleTable, StringColumn
from .tokens import Tokenizer

#: What separates two articles in the text blob, whichever batches they were analysed in.
GAP = ARTICLE_GAP.encode("utf-8")
#: A batch holds about this many bytes of text.
BATCH_BYTES = 4 << 20
#: Below this many bytes the whole corpus is analysed in-process.
PARALLEL_MIN_BYTES = 8 << 20

#: Build memory set aside for the parent (imports, vocabulary, merged arrays) before workers are counted.
PARENT_MB = 900
#: Peak resident memory of one worker analysing one batch of :data:`BATCH_BYTES` (imports included), measured.
WORKER_MB = 300

Progress = Callable[[int, int], None]


@dataclass
class Meta:
    """An article without its text (the text travels in the batch's blob)."""

    id: str
    title: str
    date: object
    url: str | None
    paragraphs: tuple[tuple[int, int], ...]
    file: str | None = None


@dataclass
class BatchResult:
    """What one worker returns for one batch."""

    metas: list[Meta]
    analysed: Analysed
    problems: list[Problem] = field(default_factory=list)
    files: int = 0
    #: The process whose term table numbered this batch's terms.
    worker: int = 0
    #: Bytes of text this batch wrote to a :class:`TextSpool` (its ``analysed.data`` is then empty), or -1.
    spooled: int = -1


class TextSpool:
    """The corpus's text blob written to an unlinked file as batches arrive, so the build never holds it in memory.

    Articles are separated by :data:`GAP` across batches as within them. :meth:`buffer` maps the file read-only:
    the index reads its texts from there, and the file goes away with the last mapping.
    """

    def __init__(self, directory: str | os.PathLike[str] | None = None) -> None:
        self._file = tempfile.TemporaryFile(dir=directory)  # noqa: SIM115 - closed by buffer()
        self.size = 0

    def add(self, result: BatchResult) -> None:
        """Write the batch's text (after a gap when text precedes it) and drop it from the batch."""
        data = result.analysed.data
        if self.size and result.metas:
            self._file.write(GAP)
            self.size += len(GAP)
        self._file.write(data)
        self.size += len(data)
        result.spooled = len(data)
        result.analysed.data = b""

    def buffer(self) -> bytes | mmap.mmap:
        """The whole blob, memory-mapped (``b""`` when empty); the spool is closed."""
        try:
            if not self.size:
                return b""
            self._file.flush()
            return mmap.mmap(self._file.fileno(), 0, access=mmap.ACCESS_READ)
        finally:
            self._file.close()


class OccurrenceSpool:
    """Per term occurrence, its global term id and sentence number, appended to two unlinked files in order as
    batches are merged, so the build's parent never holds them; :meth:`arrays` maps them read-only."""

    def __init__(self, directory: str | os.PathLike[str] | None = None) -> None:
        self._files = [tempfile.TemporaryFile(dir=directory) for _ in range(2)]  # noqa: SIM115 - closed by arrays()
        self.size = 0
        #: Sentences of the batches taken so far.
        self.sentences = 0

    def take(self, result: BatchResult, vocab: Vocabulary) -> None:
        """Append the occurrences of the next batch in corpus order (its terms registered in ``vocab``), with global
        term ids and sentence numbers, and drop them from the batch."""
        an = result.analysed
        term_ids = vocab.remap(result) if len(an.term_ids) else np.empty(0, np.int32)
        for f, values in zip(self._files, (term_ids, an.term_sentence + self.sentences), strict=True):
            f.write(np.ascontiguousarray(values, dtype=np.int32).tobytes())
        self.size += len(term_ids)
        self.sentences += an.num_sentences
        an.term_ids, an.term_sentence = np.empty(0, np.int32), np.empty(0, np.int32)

    def arrays(self) -> tuple[NDArray[np.int32], NDArray[np.int32]]:
        """The term ids and sentence numbers, memory-mapped (empty arrays when there are none); the files are closed."""
        try:
            if not self.size:
                return np.empty(0, np.int32), np.empty(0, np.int32)
            out = []
            for f in self._files:
                f.flush()
                # a plain view of the map: indexing an np.memmap costs microseconds per call
                out.append(np.asarray(np.memmap(f, dtype=np.int32, mode="r", shape=(self.size,))))
            return out[0], out[1]
        finally:
            for f in self._files:
                f.close()


@dataclass
class Corpus:
    """A whole corpus analysed and merged: what :class:`~retrieval.index.SentenceIndex` is made of."""

    articles: ArticleTable
    problems: list[Problem]
    terms: list[str]
    sent_article: NDArray[np.int32]
    sent_paragraph: NDArray[np.int32]
    sent_start: NDArray[np.int32]
    sent_end: NDArray[np.int32]
    sent_byte_start: NDArray[np.int64]
    sent_byte_end: NDArray[np.int64]
    #: Per term occurrence: term id and sentence number.
    term_ids: NDArray[np.int32]
    term_sentence: NDArray[np.int32]
    num_paragraphs: int
    files: int = 0


def _strip(analysed: Analysed) -> Analysed:
    """The batch without its ``str`` copy of the text (the bytes are enough), to send between processes."""
    analysed.text = ""
    return analysed


_TOKENIZERS: dict[str | None, Tokenizer] = {}
#: The term table of the build this process is working for: (build id, stem) → table.
_TABLES: dict[tuple[str, str | None], TermTable] = {}


def _tokenizer(stem: str | None) -> Tokenizer:
    """One tokenizer per stemmer and process, so its stem cache serves every batch."""
    tokenizer = _TOKENIZERS.get(stem)
    if tokenizer is None:
        tokenizer = _TOKENIZERS[stem] = Tokenizer(stem=stem)
    return tokenizer


def _table(build: str, stem: str | None) -> TermTable:
    """This process's term table for one build (a new build starts a new table)."""
    key = (build, stem)
    table = _TABLES.get(key)
    if table is None:
        _TABLES.clear()
        table = _TABLES[key] = TermTable(_tokenizer(stem))
    return table


def _analyse_articles(articles: Sequence[Article], stem: str | None, build: str) -> BatchResult:
    an = analyse(articles, _tokenizer(stem), _table(build, stem))
    metas = [Meta(a.id, a.title, a.date, a.url, a.paragraphs) for a in articles]
    return BatchResult(metas, _strip(an), worker=os.getpid())


def _analyse_files(files: Sequence[tuple[str, str]], stem: str | None, build: str) -> BatchResult:
    report = LoadReport()
    sources: list[str] = []
    for root, path in files:
        before = len(report.articles)
        load_file(Path(root), Path(path), report)
        sources.extend([safe_resolve(path)] * (len(report.articles) - before))
    result = _analyse_articles(report.articles, stem, build)
    for meta, source in zip(result.metas, sources, strict=True):
        meta.file = source
    result.problems, result.files = report.problems, report.files
    return result


def _analyse_range(root: str, path: str, line_range: LineRange, first: bool, stem: str | None, build: str) -> BatchResult:
    """One range of lines of a large JSONL file (:func:`retrieval.ranges.cut_lines`); the file counts once, in its first range."""
    report = LoadReport()
    load_jsonl_text(source_name(Path(root), Path(path)), read_range(Path(path), line_range), report, line_range.first_line)
    result = _analyse_articles(report.articles, stem, build)
    source = safe_resolve(path)
    for meta in result.metas:
        meta.file = source
    result.problems, result.files = report.problems, int(first)
    return result


def analyse_files(files: Sequence[tuple[str, str]], stem: str | None) -> Corpus:
    """Read, segment and tokenize the given ``(corpus root, file)`` pairs in-process (a live update's few files)."""
    merger = Merger(Vocabulary())
    merger.take(_analyse_files(files, stem, uuid.uuid4().hex))
    return merger.corpus([])


class Vocabulary:
    """The build's terms, and per worker process the global id of each of its local term ids.

    Batches register in the order each worker produced them (their ``term_base`` says where
    their new terms start); one that arrives early waits for its predecessors.
    """

    def __init__(self) -> None:
        self.ids: dict[str, int] = {}
        self.maps: dict[int, NDArray[np.int32]] = {}
        self._waiting: dict[int, list[Analysed]] = {}

    def add(self, result: BatchResult) -> None:
        """Register a batch's new terms."""
        self._waiting.setdefault(result.worker, []).append(result.analysed)
        current = self.maps.setdefault(result.worker, np.empty(0, np.int32))
        waiting = self._waiting[result.worker]
        progressed = True
        while progressed:
            progressed = False
            for an in waiting:
                if an.term_base == len(current):
                    ids = self.ids
                    new = np.fromiter((ids.setdefault(t, len(ids)) for t in an.terms), dtype=np.int32, count=len(an.terms))
                    current = np.concatenate([current, new])
                    waiting.remove(an)
                    progressed = True
                    break
        self.maps[result.worker] = current

    def remap(self, result: BatchResult) -> NDArray[np.int32]:
        """Global ids of the batch's term occurrences."""
        return self.maps[result.worker][result.analysed.term_ids]

    def terms(self) -> list[str]:
        """Every term, by global id."""
        out = [""] * len(self.ids)
        for t, i in self.ids.items():
            out[i] = t
        return out


Task = tuple[Callable[..., BatchResult], tuple[object, ...]]


def _line_ranges(root: Path, path: Path, size: int, batch_bytes: int) -> list[LineRange]:
    """A JSONL file of more than ``batch_bytes`` cut into ranges of lines; nothing for other files, and for one that
    can't be cut (the loader then reports why, in a task of its own)."""
    if size <= batch_bytes or path.suffix.lower() not in JSONL_SUFFIXES:
        return []
    return cut_lines(root, path, batch_bytes)[0]


def _file_batches(
    paths: Iterable[str | os.PathLike[str]], stem: str | None, build: str, batch_bytes: int
) -> tuple[list[Task], list[int], list[Problem]]:
    """Corpus files in loader order as batch tasks of about ``batch_bytes``, with each batch's size.

    Small files are grouped; a JSONL file larger than ``batch_bytes`` is cut into ranges of lines, one task each,
    so one big export is read on every core. A file that can't be cut (binary, not UTF-8, too big) is left to the
    loader in a task of its own, which reports it as it always has.
    """
    tasks: list[Task] = []
    sizes: list[int] = []
    problems: list[Problem] = []
    current: list[tuple[str, str]] = []
    size = 0

    def flush() -> None:
        nonlocal current, size
        if current:
            tasks.append((_analyse_files, (current, stem, build)))
            sizes.append(size)
            current, size = [], 0

    for raw in paths:
        root = Path(raw)
        if not root.exists():
            problems.append(Problem(str(raw), None, "corpus path does not exist"))
            continue
        for path in iter_files(root):
            try:
                n = path.stat().st_size
            except OSError:
                n = 0
            ranges = _line_ranges(root, path, n, batch_bytes)
            if ranges:
                flush()
                for i, r in enumerate(ranges):
                    tasks.append((_analyse_range, (str(root), str(path), r, i == 0, stem, build)))
                    sizes.append(r.end - r.start)
                continue
            current.append((str(root), str(path)))
            size += n
            if size >= batch_bytes:
                flush()
    flush()
    return tasks, sizes, problems


def _run(tasks: list[Task], weights: list[int], workers: int, progress: Progress | None, merger: Merger) -> None:
    """Run the batch tasks (in worker processes when ``workers > 1``) and hand their results to ``merger`` in task order.

    So term ids are numbered in order of first appearance in the corpus whatever the batching and worker count. At
    most two tasks per worker are in flight (a finished batch waits for its predecessors), so the results waiting in
    the parent stay few.
    """
    total = sum(weights) or 1
    done = 0
    if progress:
        progress(0, total)

    def take(i: int, result: BatchResult) -> None:
        nonlocal done
        merger.take(result)
        done += weights[i]
        if progress:
            progress(done, total)

    if workers <= 1 or len(tasks) <= 1:
        for i, (fn, args) in enumerate(tasks):
            take(i, fn(*args))
        return
    # fork shares the parent's imported modules, so workers start in milliseconds.
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        pending: deque[Future[BatchResult]] = deque()
        submitted = 0
        for i in range(len(tasks)):
            while submitted < len(tasks) and len(pending) < 2 * workers:
                fn, args = tasks[submitted]
                pending.append(pool.submit(fn, *args))
                submitted += 1
            take(i, pending.popleft().result())


def default_workers() -> int:
    """One worker per available core."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def plan_workers(workers: int, memory_mb: int | None) -> int:
    """How many of ``workers`` fit in a build budget of ``memory_mb`` (at least one): what the parent keeps is set
    aside first (:data:`PARENT_MB`), then each worker is counted at :data:`WORKER_MB`."""
    if memory_mb is None:
        return max(1, workers)
    return max(1, min(workers, (memory_mb - PARENT_MB) // WORKER_MB))


def analyse_paths(
    paths: Iterable[str | os.PathLike[str]],
    stem: str | None,
    workers: int | None = None,
    progress: Progress | None = None,
    memory_mb: int | None = None,
    spool_dir: str | os.PathLike[str] | None = None,
) -> Corpus:
    """Read, segment and tokenize every file under ``paths`` (as :func:`retrieval.corpus.load_corpus` would load them).

    ``memory_mb`` (``[index] build_memory_mb``) bounds how many workers run at once (:func:`plan_workers`). The
    text blob is spooled to an unlinked file in ``spool_dir`` (default: the system's temporary folder) and mapped.
    """
    build = uuid.uuid4().hex
    tasks, sizes, problems = _file_batches(paths, stem, build, BATCH_BYTES)
    workers = plan_workers(default_workers() if workers is None else workers, memory_mb)
    if sum(sizes) < PARALLEL_MIN_BYTES:
        workers = 1
    spool = TextSpool(spool_dir)
    merger = Merger(Vocabulary(), spool, OccurrenceSpool(spool_dir))
    try:
        _run(tasks, sizes, workers, progress, merger)
    finally:
        text = spool.buffer()
    return merger.corpus(problems, text=text)


def analyse_report(
    report: LoadReport,
    stem: str | None,
    workers: int | None = None,
    progress: Progress | None = None,
) -> Corpus:
    """Segment and tokenize the articles of an already loaded corpus."""
    batches: list[list[Article]] = []
    sizes: list[int] = []
    current: list[Article] = []
    size = 0
    for article in report.articles:
        current.append(article)
        size += len(article.text)
        if size >= BATCH_BYTES:
            batches.append(current)
            sizes.append(size)
            current, size = [], 0
    if current or not batches:
        batches.append(current)
        sizes.append(size)
    workers = default_workers() if workers is None else workers
    if sum(sizes) < PARALLEL_MIN_BYTES:
        workers = 1
    build = uuid.uuid4().hex
    tasks: list[Task] = [(_analyse_articles, (b, stem, build)) for b in batches]
    merger = Merger(Vocabulary())
    _run(tasks, sizes, workers, progress, merger)
    corpus = merger.corpus(list(report.problems), dedupe=False)
    corpus.files = report.files
    return corpus


class Merger:
    """Analysed batches merged into one corpus as they arrive, in corpus order.

    Each batch is let go once taken: what is kept of it are its per-sentence offsets in their final dtypes (32 bytes
    a sentence) and its articles' fields as columns (no :class:`Meta` per article), so the build's parent grows by
    tens of bytes per sentence while the workers run. With a :class:`TextSpool` and an :class:`OccurrenceSpool`
    the text and the term occurrences go to files instead of memory.
    """

    def __init__(self, vocab: Vocabulary, text: TextSpool | None = None, occurrences: OccurrenceSpool | None = None) -> None:
        self.vocab, self.text, self.occurrences = vocab, text, occurrences
        self.problems: list[Problem] = []
        self.files = 0
        self._blobs: list[bytes] = []
        self._base = self._sent_base = self._par_base = self._art_base = 0
        self._cols: dict[str, list[NDArray[np.generic]]] = {k: [] for k in _COLUMNS}
        self._ids: list[str] = []
        self._titles: list[str] = []
        self._urls: list[str | None] = []
        self._sources: list[str | None] = []
        self._dates: list[int] = []
        self._par_counts: list[int] = []

    def take(self, r: BatchResult) -> None:
        """Merge the next batch (its terms registered in the vocabulary, its text and occurrences spooled)."""
        self.vocab.add(r)
        if self.text is not None:
            self.text.add(r)
        if self.occurrences is not None:
            self.occurrences.take(r, self.vocab)
        an, cols, base = r.analysed, self._cols, self._base
        self.files += r.files
        self.problems.extend(r.problems)
        if base and r.metas:  # articles are separated by a blank line across batches as within them
            self._blobs.append(GAP)
            base += len(GAP)
        data_len = len(an.data) if r.spooled < 0 else r.spooled
        art_end = np.append(an.article_byte[1:] - 2, data_len) if len(an.article_byte) else an.article_byte
        art_char = an.article_char[an.sent_article] if len(an.sent_article) else np.empty(0, np.int64)
        parts = {
            "art_bs": an.article_byte + base,
            "art_be": art_end + base,
            "sa": an.sent_article + self._art_base,
            "sp": an.sent_paragraph + self._par_base,
            "ss": an.sent_char_start - art_char,
            "se": an.sent_char_end - art_char,
            "sbs": an.sent_byte_start + base,
            "sbe": an.sent_byte_end + base,
        }
        if self.occurrences is None:
            parts["ti"] = self.vocab.remap(r) if len(an.term_ids) else np.empty(0, np.int32)
            parts["ts"] = an.term_sentence + self._sent_base
        for name, values in parts.items():
            cols[name].append(np.asarray(values).astype(_COLUMNS[name], copy=False))
        for m in r.metas:
            self._ids.append(m.id)
            self._titles.append(m.title)
            self._urls.append(m.url)
            self._sources.append(m.file)
            self._dates.append(m.date.toordinal() if m.date else 0)  # type: ignore[attr-defined]
            self._par_counts.append(len(m.paragraphs))
        spans = np.array([span for m in r.metas for span in m.paragraphs], dtype=np.int64).reshape(-1, 2)
        cols["ps"].append(spans[:, 0].copy())
        cols["pe"].append(spans[:, 1].copy())
        self._blobs.append(an.data)
        self._base = base + data_len
        self._sent_base += an.num_sentences
        self._par_base += len(an.par_article)
        self._art_base += len(r.metas)

    def _cat(self, name: str) -> NDArray[np.generic]:
        """Column ``name`` in one array (its parts, already in the column's dtype, are let go)."""
        parts = self._cols.pop(name)
        return np.concatenate(parts) if parts else np.empty(0, _COLUMNS[name])

    def corpus(self, problems: list[Problem], dedupe: bool = True, text: bytes | mmap.mmap | None = None) -> Corpus:
        """The merged corpus, with ``problems`` (found before the batches ran) ahead of the batches' own; called once,
        as it hands the merged columns over.

        With ``dedupe``, a repeated article id is reported and renamed ``id#2`` and so on, as the loader does. ``text``
        is the blob when the batches' texts went to a :class:`TextSpool`.
        """
        problems = problems + self.problems
        if self.occurrences is not None:
            term_ids, term_sentence = self.occurrences.arrays()
        else:
            term_ids, term_sentence = self._cat("ti"), self._cat("ts")
        ids = self._ids
        if dedupe:
            problems.extend(rename_repeated_ids(ids))
        par_offsets = np.zeros(len(ids) + 1, dtype=np.int64)
        np.cumsum(self._par_counts, out=par_offsets[1:])
        table = ArticleTable(
            b"".join(self._blobs) if text is None else text,
            self._cat("art_bs"),  # type: ignore[arg-type]
            self._cat("art_be"),  # type: ignore[arg-type]
            StringColumn.of(ids),
            StringColumn.of(self._titles),
            StringColumn.of(self._urls),
            StringColumn.of(self._sources),
            np.asarray(self._dates, dtype=np.int32),
            par_offsets,
            self._cat("ps"),  # type: ignore[arg-type]
            self._cat("pe"),  # type: ignore[arg-type]
        )
        return Corpus(
            articles=table,
            problems=problems,
            terms=self.vocab.terms(),
            sent_article=self._cat("sa"),  # type: ignore[arg-type]
            sent_paragraph=self._cat("sp"),  # type: ignore[arg-type]
            sent_start=self._cat("ss"),  # type: ignore[arg-type]
            sent_end=self._cat("se"),  # type: ignore[arg-type]
            sent_byte_start=self._cat("sbs"),  # type: ignore[arg-type]
            sent_byte_end=self._cat("sbe"),  # type: ignore[arg-type]
            term_ids=term_ids,
            term_sentence=term_sentence,
            num_paragraphs=self._par_base,
            files=self.files,
        )


#: The merged columns and their dtypes: article byte spans, per sentence its article, paragraph, character span in
#: its article and byte span in the blob, paragraph character spans, and (when not spooled) the term occurrences.
_COLUMNS: dict[str, type] = {
    "art_bs": np.int64,
    "art_be": np.int64,
    "sa": np.int32,
    "sp": np.int32,
    "ss": np.int32,
    "se": np.int32,
    "sbs": np.int64,
    "sbe": np.int64,
    "ps": np.int64,
    "pe": np.int64,
    "ti": np.int32,
    "ts": np.int32,
}
