"""Property-based tests of the corpus loader: no input raises, and whatever is not used is reported."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import example, given
from hypothesis import strategies as st

from retrieval.corpus import DateError, load_corpus, parse_date, parse_jsonl_line, parse_text_article

#: Lines that look almost like the formats the loader knows.
NEAR_MISSES = st.sampled_from(
    [
        "date 2020-06-09", "date: 2020-02-30", "Date 20-6-9", "date\t2020-06-09T10:00:00Z", "---", "title: x", "date: ",
        "url: http://e.com", "# Heading", "", " ", "\t", "\r", "\ufeff", "\x00", "{", "}", '{"text": 1}', "[1, 2]",
    ]
)  # fmt: skip
LINES = st.lists(st.one_of(st.text(max_size=40), NEAR_MISSES), max_size=25)
TEXT = LINES.map("\n".join)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
ARTICLE_OBJECTS = st.fixed_dictionaries(
    {},
    optional={
        "id": JSON_VALUES,
        "title": JSON_VALUES,
        "date": st.one_of(JSON_VALUES, st.dates().map(str), st.just("2020-13-45")),
        "url": JSON_VALUES,
        "text": st.one_of(JSON_VALUES, TEXT),
    },
)


def check_article_text(article_text: str, paragraphs: tuple[tuple[int, int], ...]) -> None:
    for start, end in paragraphs:
        assert 0 <= start < end <= len(article_text)
        chunk = article_text[start:end]
        assert chunk == chunk.strip() and chunk


@given(TEXT)
@example("date 2020-06-09\n\n")
@example("---\ntitle: x\n---\n")
@example("---\ndate: 2020-02-30\n---\nBody.")
def test_text_articles_parse_or_report_a_problem(text: str) -> None:
    article, problems = parse_text_article("a.txt", text)
    if article is None:
        assert problems and all(p.skipped for p in problems)
    else:
        assert article.text == text
        check_article_text(article.text, article.paragraphs)
        assert all(not p.skipped for p in problems)


@given(st.one_of(ARTICLE_OBJECTS.map(json.dumps), JSON_VALUES.map(json.dumps), st.text(max_size=200)))
@example("[" * 100_000)
@example('{"text": "' + "x" * 10 + '", "id": ' + "[" * 50_000 + "]" * 50_000 + "}")
def test_jsonl_lines_parse_or_report_a_problem(line: str) -> None:
    article, problems = parse_jsonl_line("a.jsonl", 7, line)
    if article is None:
        assert len(problems) == 1 and problems[0].skipped and problems[0].line == 7
    else:
        assert article.text.strip()
        check_article_text(article.text, article.paragraphs)
        assert isinstance(article.id, str) and isinstance(article.title, str)


@given(st.one_of(st.text(max_size=30), JSON_VALUES))
def test_dates_parse_or_raise_date_error_only(value: object) -> None:
    try:
        parsed = parse_date(value)
    except DateError as exc:
        assert str(exc)
    else:
        assert parsed is None or 1 <= parsed.year <= 9999


FILES = st.dictionaries(
    st.tuples(st.text("abcxyz_-.", min_size=1, max_size=8), st.sampled_from([".txt", ".md", ".jsonl", ".csv", ""])).map("".join),
    st.one_of(st.binary(max_size=300), TEXT.map(lambda t: t.encode("utf-8")), st.lists(ARTICLE_OBJECTS.map(json.dumps)).map(
        lambda lines: "\n".join(lines).encode("utf-8"))),
    max_size=6,
)  # fmt: skip


@given(FILES)
def test_a_folder_of_random_files_loads_and_every_unused_file_is_reported(files: dict[str, bytes]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        written = []
        for name, data in files.items():
            if name.startswith(".") or name in {"..", "."}:
                continue
            (root / name).write_bytes(data)
            written.append(name)
        report = load_corpus([root])
        sources_with_articles = {a.id.split("#")[0] for a in report.articles}
        reported = {p.path for p in report.problems}
        for name in written:
            if not name.endswith(".jsonl"):
                assert name in sources_with_articles or name in reported, name
        assert len({a.id for a in report.articles}) == len(report.articles)
        for article in report.articles:
            check_article_text(article.text, article.paragraphs)
