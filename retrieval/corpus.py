"""Load a corpus of articles from files, reporting every file or line that can't be used.

Supported files:

* ``.txt`` / ``.md`` with an optional ``date YYYY-MM-DD`` first line (leading
  whitespace allowed, and the article may start on the same line), or a front
  matter block (``---`` / ``title:`` / ``date:`` / ``url:`` / ``---``);
* ``.jsonl`` with one article per line: ``{"id", "title", "date", "url", "text"}``.

Nothing is dropped silently: a file or line that can't be used becomes a
:class:`~retrieval.records.Problem` with its path, line and reason, and the rest
of the corpus still loads.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from .records import Article, LoadReport, Problem
from .safe_files import read_corpus_file
from .segment import split_paragraph

TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown"})
JSONL_SUFFIXES = frozenset({".jsonl"})
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | JSONL_SUFFIXES
#: Folders the loader never walks into (our own index cache, VCS metadata).
IGNORED_DIRS = frozenset({".quotebot", ".git", ".hg", ".svn", "__pycache__"})
TITLE_MAX = 80
#: How much of an untitled article's first paragraph is segmented to find its first sentence.
TITLE_WINDOW = 8192

_DATE_HEADER = re.compile(r"\A[\s\ufeff]*date:?[ \t]+(\S+)[ \t]*\n?", re.IGNORECASE)
_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
#: The core of a paragraph break: a blank line (the white space around it belongs to the break too).
_BLANK_LINE = re.compile(r"\n[ \t]*\r?\n")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ][0-9:.+\-Z]*)?")


class DateError(ValueError):
    """A date that is not ``YYYY-MM-DD`` or does not exist on the calendar."""


def parse_date(value: object) -> dt.date | None:
    """Parse an article date (``YYYY-MM-DD``, optionally with a time); ``None`` stays ``None``."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise DateError(f"date must be a string like 2020-06-09, not {type(value).__name__}")
    match = _ISO_DATE.fullmatch(value.strip().strip("\"'"))
    if not match:
        raise DateError(f"date {value!r} is not in YYYY-MM-DD form")
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError as exc:
        raise DateError(f"impossible date {value!r} ({exc})") from None


def paragraph_spans(text: str, start: int = 0) -> tuple[tuple[int, int], ...]:
    """Split ``text[start:]`` at blank lines into ``(start, end)`` spans with no outer whitespace.

    A break is a run of white space holding a blank line (a line of only spaces and tabs).
    Markdown headings (``# ...``) are not paragraphs: they are not sentences to quote.
    """
    spans: list[tuple[int, int]] = []
    pos = start
    n = len(text)
    for blank in _BLANK_LINE.finditer(text, start):
        if blank.start() < pos:
            continue  # inside the break already taken
        end = blank.end()
        while end < n and text[end].isspace():
            end += 1
        _add_span(text, pos, blank.start(), spans)
        pos = end
    _add_span(text, pos, n, spans)
    return tuple(spans)


def _add_span(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    """Append ``text[start:end]`` without its outer white space, unless it is empty or a heading."""
    piece = text[start:end]
    stripped = piece.lstrip()
    if stripped and stripped[0] != "#":
        s = start + len(piece) - len(stripped)
        spans.append((s, start + len(piece.rstrip())))


def make_title(text: str, spans: tuple[tuple[int, int], ...], limit: int = TITLE_MAX) -> str:
    """A title for an article that has none: its first sentence as the index splits it (so "Sen." or "U.S." does not
    end it), shortened to ``limit`` characters."""
    if not spans:
        return "(untitled)"
    # The first sentence is all a title needs: a window of the paragraph keeps a 100 MB one-line file cheap.
    first, last = spans[0]
    start, end = next(split_paragraph(text, first, min(last, first + TITLE_WINDOW)), spans[0])
    sentence = " ".join(text[start:end].split())
    if len(sentence) <= limit:
        return sentence
    cut = sentence[: limit - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _decode(path: str, data: bytes) -> tuple[str | None, Problem | None]:
    if b"\x00" in data[:8192]:
        return None, Problem(path, None, "binary file (contains NUL bytes), not text")
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        reason = f"not UTF-8: byte 0x{data[exc.start]:02x} at offset {exc.start} ({exc.reason}); save the file as UTF-8"
        return None, Problem(path, line, reason)


def _front_matter(block: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    for raw in block.splitlines():
        key, sep, value = raw.partition(":")
        if sep and key.strip():
            fields[key.strip().lower()] = value.strip().strip("\"'")
    return fields


def parse_text_article(source: str, text: str) -> tuple[Article | None, list[Problem]]:
    """Turn the text of one ``.txt`` / ``.md`` file into an article, with any problems found."""
    problems: list[Problem] = []
    title = url = None
    raw_date: str | None = None
    date_line = 1
    body_start = 0
    if fm := _FRONT_MATTER.match(text):
        fields = _front_matter(fm.group(1))
        title, raw_date, url = fields.get("title") or None, fields.get("date"), fields.get("url") or None
        body_start = fm.end()
        date_line = next((i for i, line in enumerate(fm.group(1).splitlines(), 2) if line.lower().startswith("date")), 1)
    elif header := _DATE_HEADER.match(text):
        raw_date = header.group(1)
        body_start = header.end()
        date_line = _line_of(text, header.start(1))
    spans = paragraph_spans(text, body_start)
    if not spans:
        return None, [Problem(source, None, "no text to index (the file is empty or holds only a header)")]
    if title is None:
        heading = re.search(r"^#{1,6}[ \t]+(.+?)[ \t#]*$", text[body_start:], re.MULTILINE)
        title = heading.group(1).strip() if heading else make_title(text, spans)
    try:
        date = parse_date(raw_date)
    except DateError as exc:
        date = None
        problems.append(Problem(source, date_line, f"{exc}; the article is kept without a date", skipped=False))
    else:
        if date is None:
            problems.append(Problem(source, 1, "no date header (`date YYYY-MM-DD`); the article is kept as undated", skipped=False))
    return Article(source, title, date, url, text, spans), problems


def parse_jsonl_line(path: str, lineno: int, line: str) -> tuple[Article | None, list[Problem]]:
    """Turn one JSONL line into an article, with any problems found."""
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, [Problem(path, lineno, f"broken JSON: {exc.msg} at column {exc.colno}")]
    except RecursionError:
        return None, [Problem(path, lineno, "JSON nested too deeply to read")]
    if not isinstance(obj, dict):
        return None, [Problem(path, lineno, f"expected a JSON object, got {type(obj).__name__}")]
    text = obj.get("text")
    if not isinstance(text, str) or not text.strip():
        return None, [Problem(path, lineno, 'no text: the "text" field is missing or empty')]
    problems: list[Problem] = []
    raw_id = obj.get("id")
    if raw_id is None or raw_id == "":
        article_id = f"{path}#L{lineno}"
        problems.append(Problem(path, lineno, f'no "id"; using {article_id!r}', skipped=False))
    else:
        article_id = str(raw_id)
    try:
        date = parse_date(obj.get("date"))
    except DateError as exc:
        date = None
        problems.append(Problem(path, lineno, f"{exc}; the article is kept without a date", skipped=False))
    spans = paragraph_spans(text)
    raw_title = obj.get("title")
    title = str(raw_title).strip() if raw_title else make_title(text, spans)
    raw_url = obj.get("url")
    url = str(raw_url) if raw_url else None
    return Article(article_id, title, date, url, text, spans), problems


def load_jsonl_text(source: str, text: str, report: LoadReport, first_line: int = 1) -> None:
    """Load the JSONL lines of ``text`` (whose first line is line ``first_line`` of ``source``) into ``report``.

    Lines end at ``\\n`` only, as JSON Lines says: a U+2028 inside a JSON string does not cut a record in two.
    """
    for lineno, line in enumerate(text.split("\n"), first_line):
        if line.strip():
            article, problems = parse_jsonl_line(source, lineno, line)
            report.problems.extend(problems)
            if article is not None:
                report.articles.append(article)


def iter_files(root: Path) -> Iterator[Path]:
    """Every file under ``root`` in a stable order, skipping hidden files and ignored folders."""
    if root.is_file():
        yield root
        return
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in IGNORED_DIRS and not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith("."):
                yield Path(dirpath) / name


def source_name(root: Path, path: Path) -> str:
    """The article id of a text file: its path relative to the corpus path, with ``/`` separators."""
    if root.is_file():
        return path.name
    return path.relative_to(root).as_posix()


def load_file(root: Path, path: Path, report: LoadReport) -> None:
    """Load one file of the corpus into ``report``."""
    source = source_name(root, path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        report.problems.append(Problem(source, None, f"unsupported file type {suffix or '(none)'!r}; expected .txt, .md or .jsonl"))
        return
    data, reason = read_corpus_file(root, path)
    if data is None:
        report.problems.append(Problem(source, None, reason or "unreadable"))
        return
    report.files += 1
    text, problem = _decode(source, data)
    if problem is not None or text is None:
        report.problems.append(problem or Problem(source, None, "unreadable"))
        return
    if suffix in JSONL_SUFFIXES:
        load_jsonl_text(source, text, report)
        return
    article, problems = parse_text_article(source, text)
    report.problems.extend(problems)
    if article is not None:
        report.articles.append(article)


def load_corpus(paths: Iterable[str | os.PathLike[str]]) -> LoadReport:
    """Load every article under ``paths`` (files or folders) and report what could not be used.

    Article ids are unique: a repeated id is reported and the later article gets a ``#2``-style suffix.
    """
    report = LoadReport()
    for raw in paths:
        root = Path(raw)
        if not root.exists():
            report.problems.append(Problem(str(raw), None, "corpus path does not exist"))
            continue
        for path in iter_files(root):
            load_file(root, path, report)
    ids = [a.id for a in report.articles]
    report.problems.extend(rename_repeated_ids(ids))
    for i, (article, new_id) in enumerate(zip(report.articles, ids, strict=True)):
        if new_id != article.id:
            report.articles[i] = Article(new_id, article.title, article.date, article.url, article.text, article.paragraphs)
    return report


def rename_repeated_ids(ids: list[str]) -> list[Problem]:
    """Rename, in place, each repeat of an article id ``id#2``, ``id#3``, ... in order, and report each one (the
    loader's rule, which an index build follows too)."""
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for i, old in enumerate(ids):
        count = seen.get(old, 0) + 1
        seen[old] = count
        if count > 1:
            ids[i] = f"{old}#{count}"
            problems.append(Problem(old, None, f"duplicate article id; this copy is indexed as {ids[i]!r}", skipped=False))
    return problems
