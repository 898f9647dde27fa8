"""The compiled posting loops (``retrieval/_kernels.c``) give NumPy's values to the bit, for every index and score
width the pools pass, and refuse what would read or write outside an array."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from retrieval import kernels

compiled = kernels.compiled


def test_the_kernels_were_built() -> None:
    # `make install` builds them (gcc is part of the set-up); without them every question takes the NumPy loops.
    assert compiled is not None, "retrieval._kernels was not built: is a C compiler installed?"


@pytest.mark.parametrize("index_type", [np.int32, np.int64, np.intp])
@pytest.mark.parametrize("score_type", [np.float32, np.float64])
def test_adding_and_zeroing_match_numpy(index_type: type, score_type: type) -> None:
    rng = np.random.default_rng(5)
    for size in (1, 17, 5_000):
        start = rng.uniform(-2, 2, size=size)
        ours, theirs = start.copy(), start.copy()
        for _ in range(4):  # one term's postings after another: distinct within a call
            docs = np.sort(rng.choice(size, size=rng.integers(0, size + 1), replace=False)).astype(index_type)
            scores = rng.uniform(0, 3, size=docs.size).astype(score_type)
            kernels.add_at(ours, docs, scores)
            theirs[docs] += scores
            assert np.array_equal(ours, theirs)
        docs = rng.choice(size, size=size // 2, replace=False).astype(index_type)
        kernels.zero_at(ours, docs)
        theirs[docs] = 0.0
        assert np.array_equal(ours, theirs)


@pytest.mark.parametrize("index_type", [np.int32, np.int64])
def test_pool_scores_match_numpy(index_type: type) -> None:
    rng = np.random.default_rng(9)
    own = rng.uniform(0, 20, size=3_000)
    sent_paragraph = np.sort(rng.integers(0, 800, size=own.size)).astype(np.int32)
    para = rng.uniform(0, 30, size=800)
    docs = rng.integers(0, own.size, size=10_000).astype(index_type)  # repeats allowed: a read
    for weight in (0.8, 0.1 + 0.2, -1.5, 0.0):
        expected = own[docs] + weight * para[sent_paragraph[docs]]
        assert np.array_equal(kernels.pool_at(own, sent_paragraph, para, weight, docs), expected)
    strided = docs[::3]  # not contiguous: copied first
    assert np.array_equal(kernels.pool_at(own, sent_paragraph, para, 0.8, strided), own[strided] + 0.8 * para[sent_paragraph[strided]])


@pytest.mark.parametrize("index_type", [np.int32, np.int64])
@pytest.mark.parametrize("loops", ["compiled", "numpy"])
def test_keeping_documents_at_a_floor_matches_numpy(index_type: type, loops: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if loops == "numpy":
        monkeypatch.setattr(kernels, "compiled", None)
    rng = np.random.default_rng(13)
    values = rng.choice([0.0, 0.5, 1.0, 2.5, np.nan], size=2_000)
    docs = rng.integers(0, values.size, size=6_000).astype(index_type)
    values[:3] = -0.0
    for floor in (-1.0, 0.0, 0.5, 1.0, 3.0, np.nan):  # NaN scores, or a NaN floor, never reach it
        kept = kernels.at_least(values, docs, floor)
        assert kept.dtype == docs.dtype
        assert np.array_equal(kept, docs[values[docs] >= floor])
    assert kernels.at_least(values, docs[:0], 0.0).size == 0


@pytest.mark.skipif(compiled is None, reason="retrieval._kernels was not built")
def test_out_of_range_and_wrong_types_are_refused() -> None:
    assert compiled is not None
    scratch = np.zeros(10)
    for bad in (10, -1):
        with pytest.raises(IndexError, match=f"document {bad} out of range"):
            compiled.add_at(scratch, np.array([1, bad], dtype=np.int32), np.ones(2, dtype=np.float32))
        with pytest.raises(IndexError):
            compiled.zero_at(scratch, np.array([bad]))
        with pytest.raises(IndexError):
            compiled.pool_at(np.empty(1), scratch, np.zeros(10, dtype=np.int32), np.zeros(3), 0.8, np.array([bad]))
        with pytest.raises(IndexError):
            compiled.at_least(np.empty(1, dtype=np.int64), scratch, np.array([bad]), 0.0)
    assert not scratch.any()  # checked before anything is written
    with pytest.raises(ValueError, match="match docs"):
        compiled.at_least(np.empty(2, dtype=np.int32), scratch, np.array([1, 2]), 0.0)
    with pytest.raises(IndexError, match="paragraph 3 out of range"):
        compiled.pool_at(np.empty(1), scratch, np.full(10, 3, dtype=np.int32), np.zeros(3), 0.8, np.array([2]))
    with pytest.raises(TypeError, match="docs"):
        compiled.add_at(scratch, np.array([1.0]), np.ones(1))
    with pytest.raises(TypeError, match="scratch"):
        compiled.add_at(scratch.astype(np.float32), np.array([1]), np.ones(1))
    with pytest.raises(TypeError, match="scores"):
        compiled.add_at(scratch, np.array([1]), np.ones(1, dtype=np.int64))
    with pytest.raises(ValueError, match="differ in length"):
        compiled.add_at(scratch, np.array([1, 2]), np.ones(1))
    with pytest.raises((TypeError, BufferError)):
        compiled.zero_at(np.zeros(10).tobytes(), np.array([1]))  # read-only


def _stretch_best(
    own: np.ndarray, para: np.ndarray, sentence_postings: list, paragraph_postings: list, n: int, *, weight: float = 0.8,
    dense: int = 4, bounds: np.ndarray | None = None, para_bounds: np.ndarray | None = None,
) -> tuple[np.ndarray, ...]:
    """:func:`kernels.stretch_best` over one stretch of sentences in paragraphs of one sentence each (article 0)."""
    size = own.size
    return kernels.stretch_best(
        own, para, np.arange(size, dtype=np.int32), np.zeros(size, dtype=np.int32), None, weight, n, dense,
        sentence_postings, paragraph_postings,
        np.array([0, size]) if bounds is None else bounds, np.array([0, para.size]) if para_bounds is None else para_bounds,
    )  # fmt: skip


def _terms(*lists: tuple[list[int], list[float]]) -> list:
    """Posting lists (int32 documents, float32 scores) from plain lists."""
    return [(np.array(docs, dtype=np.int32), np.array(scores, dtype=np.float32)) for docs, scores in lists]


@pytest.mark.skipif(compiled is None, reason="retrieval._kernels was not built")
def test_the_compiled_stretch_scan_breaks_a_tie_at_the_floor_to_the_lower_number() -> None:
    # Read through its postings (dense 0), sentence 5 (first term) is kept before sentence 2 (second term) is seen:
    # tied with the floor, 2 must still take its place.
    own, para = np.zeros(8), np.zeros(8)
    found = _stretch_best(own, para, _terms(([5], [1.0]), ([2], [1.0])), _terms(([5], [0.5]), ([2], [0.5])), 1, dense=0)
    ids, pools, seen_docs, seen_values = found
    assert ids.tolist() == [2] and pools.tolist() == [1.0 + 0.8 * 0.5]
    assert seen_docs.tolist() == [5, 2] and seen_values.tolist() == [0.5, 0.5]
    assert not own.any() and not para.any()  # left zeroed


@pytest.mark.skipif(compiled is None, reason="retrieval._kernels was not built")
def test_the_compiled_stretch_scan_refuses_what_it_cannot_read_and_leaves_the_scratch_zeroed() -> None:
    own, para = np.zeros(8), np.zeros(8)
    one = _terms(([1, 3], [1.0, 2.0]))
    with pytest.raises(ValueError, match="ascending"):
        _stretch_best(own, para, _terms(([3, 1], [1.0, 2.0])), one, 3)
    with pytest.raises(ValueError, match="ascending"):
        _stretch_best(own, para, one, _terms(([-1], [1.0])), 3)
    with pytest.raises(ValueError, match="within the bounds"):  # a document past the last sentence
        _stretch_best(own, para, _terms(([1, 8], [1.0, 2.0])), one, 3)
    assert not own.any() and not para.any()
    with pytest.raises(ValueError, match="bounds"):
        _stretch_best(own, para, one, one, 3, bounds=np.array([0, 4, 2, 8]), para_bounds=np.array([0, 4, 6, 8]))
    with pytest.raises(TypeError, match="sentence_postings"):
        _stretch_best(own, para, [(np.array([1]), np.ones(1, dtype=np.float32))], one, 3)  # int64 documents
    with pytest.raises(TypeError, match="paragraph_postings"):
        _stretch_best(own, para, one, [(np.array([1], dtype=np.int32), np.ones(1))], 3)  # float64 scores
    with pytest.raises(IndexError, match="paragraph"):
        kernels.stretch_best(
            own, para, np.full(8, 9, dtype=np.int32), np.zeros(8, dtype=np.int32), None, 0.8, 3, 4, one, one,
            np.array([0, 8]), np.array([0, 8]),
        )  # fmt: skip
    assert not own.any() and not para.any()


@pytest.mark.parametrize("backing", ["bytes", "mmap"])
def test_reading_texts_matches_slicing_and_decoding(backing: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import mmap

    words = ["plain", "naïve", "Zürich", "İstanbul", "東京", "emoji 🙂", "", "ß"]
    rng = np.random.default_rng(3)
    body = " ".join(rng.choice(words, size=400)).encode("utf-8")
    path = tmp_path / "text.bin"
    path.write_bytes(body)
    with path.open("rb") as f:
        blob = body if backing == "bytes" else mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        cuts = np.array([0, *[i for i in range(1, len(body)) if (body[i] & 0xC0) != 0x80], len(body)])  # character starts
        starts = np.sort(rng.choice(cuts, size=300))
        ends = np.minimum(starts + rng.integers(0, 40, size=300), len(body))
        ends = cuts[np.searchsorted(cuts, ends)]  # on a character boundary
        expected = [body[s:e].decode("utf-8") for s, e in zip(starts.tolist(), ends.tolist(), strict=True)]
        assert kernels.texts(blob, starts, ends) == expected
        assert kernels.texts(blob, starts[:0], ends[:0]) == []
        with monkeypatch.context() as patched:
            patched.setattr(kernels, "compiled", None)  # the NumPy side, as without a C compiler
            assert kernels.texts(blob, starts, ends) == expected
        if compiled is not None:
            with pytest.raises(IndexError, match="out of range"):
                compiled.texts(blob, np.array([0, 5]), np.array([3, len(body) + 1]))
            with pytest.raises(IndexError):
                compiled.texts(blob, np.array([4]), np.array([3]))
            with pytest.raises(ValueError, match="int64"):
                compiled.texts(blob, np.array([0], dtype=np.int32), np.array([3], dtype=np.int32))
            split = int(np.flatnonzero(np.frombuffer(body, np.uint8) >= 0xC0)[0]) + 1  # inside a character
            with pytest.raises(UnicodeDecodeError):
                compiled.texts(blob, np.array([0]), np.array([split]))
        if backing == "mmap":
            blob.close()  # type: ignore[union-attr]  # released: nothing holds its buffer
