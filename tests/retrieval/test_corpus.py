"""The corpus loader: every supported format, and every broken input reported with file, line and reason."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from retrieval.corpus import load_corpus, paragraph_spans, parse_date
from tests.conftest import SEED_FILE, SEEDS


def write(path: Path, data: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data, encoding="utf-8")
    return path


def test_seed_article_has_its_date_and_no_header_in_the_first_paragraph() -> None:
    report = load_corpus([SEEDS])
    assert report.problems == []
    (article,) = report.articles
    assert article.id == SEED_FILE
    assert article.date == dt.date(2020, 6, 9)
    first = article.text[slice(*article.paragraphs[0])]
    assert first.startswith("The George Floyd protests")
    assert len(article.paragraphs) == 10
    assert article.title.startswith("The George Floyd protests") and len(article.title) <= 80


def test_paragraph_spans_have_no_outer_whitespace() -> None:
    text = "  One.\nstill one.\n\n \n Two.  \n\n\nThree."
    spans = paragraph_spans(text)
    assert [text[s:e] for s, e in spans] == ["One.\nstill one.", "Two.", "Three."]


def test_front_matter_gives_title_date_and_url(tmp_path: Path) -> None:
    front = '---\ntitle: "Budget passes"\ndate: 2021-03-04\nurl: https://example.org/a\n---\n'
    write(tmp_path / "a.md", front + "\n# Heading\n\nThe council passed the budget.\n")
    report = load_corpus([tmp_path])
    (article,) = report.articles
    assert (article.title, article.date, article.url) == ("Budget passes", dt.date(2021, 3, 4), "https://example.org/a")
    assert [article.text[s:e] for s, e in article.paragraphs] == ["The council passed the budget."]
    assert report.problems == []


def test_jsonl_articles_and_null_dates(tmp_path: Path) -> None:
    lines = [
        {"id": "a1", "title": "T1", "date": "2020-01-02", "url": "u", "text": "First article. It has two sentences."},
        {"id": "a2", "title": None, "date": None, "text": "Untitled article text here.\n\nSecond paragraph."},
    ]
    write(tmp_path / "c.jsonl", "\n".join(json.dumps(x) for x in lines))
    report = load_corpus([tmp_path / "c.jsonl"])
    assert [a.id for a in report.articles] == ["a1", "a2"]
    assert report.articles[1].title == "Untitled article text here."
    assert report.articles[1].date is None and len(report.articles[1].paragraphs) == 2
    assert report.problems == []


def test_broken_inputs_are_reported_and_the_rest_loads(tmp_path: Path) -> None:
    write(tmp_path / "good.txt", "date 2020-06-09\nA good article about budgets.")
    write(tmp_path / "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    write(tmp_path / "latin1.txt", "date 2020-06-09\nline two\nCaf\xe9 society.".encode("latin-1"))
    write(tmp_path / "lines.jsonl", '{"id": "ok", "text": "Fine line."}\n{"id": "bad", "text": \n{"id": "empty", "text": ""}\n[1, 2]\n')
    write(tmp_path / "nodate.txt", "An article without a date header.")
    write(tmp_path / "baddate.md", "---\ntitle: X\ndate: 2021-02-30\n---\nText of an article with an impossible date.")
    write(tmp_path / "empty.txt", "date 2020-01-01\n   \n")
    write(tmp_path / "notes.pdf", b"%PDF-1.4")
    report = load_corpus([tmp_path])
    ids = sorted(a.id for a in report.articles)
    assert ids == ["baddate.md", "good.txt", "nodate.txt", "ok"]
    by_path = {(p.path, p.line): p for p in report.problems}
    assert "binary" in by_path[("image.txt", None)].reason
    latin = by_path[("latin1.txt", 3)]
    assert "not UTF-8" in latin.reason and latin.skipped
    assert "broken JSON" in by_path[("lines.jsonl", 2)].reason
    assert "no text" in by_path[("lines.jsonl", 3)].reason
    assert "expected a JSON object" in by_path[("lines.jsonl", 4)].reason
    assert not by_path[("nodate.txt", 1)].skipped and "no date" in by_path[("nodate.txt", 1)].reason
    impossible = by_path[("baddate.md", 3)]
    assert "impossible date" in impossible.reason and not impossible.skipped
    assert "no text" in by_path[("empty.txt", None)].reason
    assert "unsupported file type" in by_path[("notes.pdf", None)].reason
    assert all(str(p) for p in report.problems)


def test_duplicate_ids_are_kept_under_a_new_id(tmp_path: Path) -> None:
    write(tmp_path / "c.jsonl", '{"id": "x", "text": "One."}\n{"id": "x", "text": "Two."}\n')
    report = load_corpus([tmp_path])
    assert [a.id for a in report.articles] == ["x", "x#2"]
    assert any("duplicate" in p.reason for p in report.problems)


def test_missing_corpus_path_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    report = load_corpus([tmp_path / "nope"])
    assert report.articles == [] and report.problems[0].reason == "corpus path does not exist"


def test_parse_date_accepts_iso_datetimes_and_rejects_nonsense() -> None:
    assert parse_date("2020-06-09T12:00:00Z") == dt.date(2020, 6, 9)
    assert parse_date(None) is None
    for bad in ("June 9", "2020-13-01", 20200609):
        try:
            parse_date(bad)
        except ValueError:
            continue
        raise AssertionError(f"{bad!r} was accepted")
