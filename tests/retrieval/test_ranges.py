"""Cutting a JSONL file into ranges of lines: whole lines, true line numbers, the loader's checks chunk by chunk."""

from __future__ import annotations

from pathlib import Path

import pytest

import retrieval.ranges as ranges
from retrieval.corpus import load_corpus
from retrieval.ranges import cut_lines, read_range


@pytest.fixture(autouse=True)
def tiny_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Read 7 bytes at a time, so lines, characters and cuts straddle chunk ends."""
    monkeypatch.setattr(ranges, "CHUNK", 7)


def test_ranges_cover_the_file_in_whole_lines_with_their_line_numbers(tmp_path: Path) -> None:
    lines = [f'{{"id": "{i}", "text": "Zürich café № {i} 東京"}}' for i in range(50)]
    path = tmp_path / "a.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    cut, problem = cut_lines(tmp_path, path, 100)
    assert problem is None and len(cut) > 10
    assert cut[0].start == 0 and cut[-1].end == path.stat().st_size
    assert all(a.end == b.start for a, b in zip(cut, cut[1:], strict=False))
    for r in cut:
        text = read_range(path, r)
        assert text.endswith("\n")
        first = text.split("\n", 1)[0]
        assert first == lines[r.first_line - 1]


def test_a_file_without_a_final_newline_keeps_its_last_line(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_text("\n".join(f'{{"text": "line {i}"}}' for i in range(20)), encoding="utf-8")
    cut, _ = cut_lines(tmp_path, path, 50)
    assert read_range(path, cut[-1]).split("\n")[-1] == '{"text": "line 19"}'
    assert "".join(read_range(path, r) for r in cut) == path.read_text()


@pytest.mark.parametrize(
    "tail",
    [b"\xff bad byte\n", b"ok \xc3\n", b"cut at the end \xe6\x9d"],
    ids=["invalid start byte", "broken character", "truncated at end of file"],
)
def test_invalid_utf8_anywhere_gets_the_loaders_message(tmp_path: Path, tail: bytes) -> None:
    path = tmp_path / "a.jsonl"
    path.write_bytes("".join(f'{{"text": "Zürich {i}"}}\n' for i in range(12)).encode() + tail)
    cut, problem = cut_lines(tmp_path, path, 40)
    (expected,) = load_corpus([path]).problems
    assert cut == [] and problem == (expected.line, expected.reason)


def test_a_nul_byte_after_valid_text_marks_the_file_binary(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_bytes(b'{"text": "fine"}\n' * 10 + b"\x00" * 100)
    cut, problem = cut_lines(tmp_path, path, 40)
    assert cut == [] and problem == (None, "binary file (contains NUL bytes), not text")
