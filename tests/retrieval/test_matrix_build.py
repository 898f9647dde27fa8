"""The out-of-core matrix build writes exactly the files the in-memory build saves."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

import retrieval.index as index_module
import retrieval.store as store
from retrieval.build import analyse_report
from retrieval.corpus import load_corpus
from retrieval.index import IndexSettings, SentenceIndex
from retrieval.matrix_build import _doc_chunks, build_matrix_files, chunk_occurrences
from retrieval.sparse import HEAD_MIN_DF, METHODS, build_matrix


def _corpus(seed: int, num_docs: int, num_terms: int) -> tuple[NDArray[np.int32], NDArray[np.int32]]:
    """Occurrences ordered by document: empty documents, terms repeated within a document, one term in most
    documents (so it has head documents and many blocks) and Zipf-like others."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(0, 12, size=num_docs)
    lengths[rng.random(num_docs) < 0.15] = 0
    docs = np.repeat(np.arange(num_docs, dtype=np.int32), lengths)
    terms = np.minimum(rng.zipf(1.3, size=docs.size) - 1, num_terms - 1).astype(np.int32)
    terms[rng.random(docs.size) < 0.2] = 0
    _, dense = np.unique(terms, return_inverse=True)  # every term occurs (atire's idf is infinite otherwise)
    return docs, dense.astype(np.int32)


def _files(directory: Path) -> dict[str, NDArray[np.generic] | str]:
    out: dict[str, NDArray[np.generic] | str] = {}
    for path in sorted(directory.iterdir()):
        out[path.name] = path.read_text() if path.suffix == ".json" else np.load(path)
    return out


def _assert_same(expected: Path, got: Path) -> None:
    want, have = _files(expected), _files(got)
    assert sorted(want) == sorted(have)
    for name, value in want.items():
        other = have[name]
        if isinstance(value, str):
            assert value == other, name
        else:
            assert isinstance(other, np.ndarray)
            assert value.dtype == other.dtype, name
            assert value.shape == other.shape, name
            assert value.tobytes() == other.tobytes(), name
        assert (expected / name).read_bytes() == (got / name).read_bytes(), name


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("chunk", [40, 997, 100_000])
def test_sentence_matrix_files_equal_the_in_memory_build(tmp_path: Path, method: str, chunk: int) -> None:
    docs, terms = _corpus(1, 2500, 400)
    num_docs, num_terms = 2503, int(terms.max()) + 1  # trailing empty documents
    if method not in ("atire", "bm25+"):
        num_terms += 1  # and a term that never occurs
    assert int(np.count_nonzero(np.bincount(docs[terms == 0]))) > HEAD_MIN_DF
    build_matrix(docs, terms, num_docs, num_terms, method, 1.2, 0.75).save(tmp_path / "memory")
    matrix = build_matrix_files(docs, terms, num_docs, num_terms, tmp_path / "chunks", method, 1.2, 0.75, chunk=chunk)
    _assert_same(tmp_path / "memory", tmp_path / "chunks")
    assert matrix.num_docs == num_docs
    assert np.array_equal(matrix.get_scores([0, 3]), build_matrix(docs, terms, num_docs, num_terms, method).get_scores([0, 3]))


@pytest.mark.parametrize("chunk", [1, 64])
def test_paragraph_matrix_from_memory_mapped_occurrences(tmp_path: Path, chunk: int) -> None:
    """Documents mapped through ``doc_map`` (sentence → paragraph): paragraphs span chunk boundaries, and the
    occurrence arrays are read memory-mapped."""
    sentences, terms = _corpus(2, 3000, 300)
    rng = np.random.default_rng(3)
    sent_paragraph = np.cumsum(rng.random(3000) < 0.3).astype(np.int32)
    num_pars = int(sent_paragraph[-1]) + 1
    build_matrix(sent_paragraph[sentences], terms, num_pars, int(terms.max()) + 1).save(tmp_path / "memory")
    np.save(tmp_path / "ts.npy", sentences)
    np.save(tmp_path / "ti.npy", terms)
    ts, ti = np.load(tmp_path / "ts.npy", mmap_mode="r"), np.load(tmp_path / "ti.npy", mmap_mode="r")
    build_matrix_files(ts, ti, num_pars, int(terms.max()) + 1, tmp_path / "chunks", chunk=chunk, doc_map=sent_paragraph)
    _assert_same(tmp_path / "memory", tmp_path / "chunks")


def test_empty_corpus(tmp_path: Path) -> None:
    empty = np.empty(0, np.int32)
    build_matrix(empty, empty, 4, 2).save(tmp_path / "memory")
    build_matrix_files(empty, empty, 4, 2, tmp_path / "chunks")
    _assert_same(tmp_path / "memory", tmp_path / "chunks")


def test_chunks_end_at_document_boundaries() -> None:
    docs = np.array([0, 0, 0, 1, 2, 2, 2, 2, 2, 5, 5], dtype=np.int32)
    chunks = list(_doc_chunks(docs, None, 2))
    # a document longer than a chunk is taken whole, with what fits before the next boundary
    assert [(s, e) for s, e, _ in chunks] == [(0, 4), (4, 9), (9, 11)]
    assert all(np.array_equal(d, docs[s:e]) for s, e, d in chunks)


def test_unordered_occurrences_are_refused(tmp_path: Path) -> None:
    docs = np.array([0, 2, 1], dtype=np.int32)
    with pytest.raises(ValueError, match="ordered by document"):
        build_matrix_files(docs, np.zeros(3, np.int32), 3, 1, tmp_path, chunk=10)


def test_chunk_size_follows_the_memory_budget() -> None:
    assert abs(chunk_occurrences(3000) - 2 * chunk_occurrences(1500)) <= 1
    assert chunk_occurrences(1) >= 1 << 16


def test_a_full_build_saves_the_index_the_in_memory_build_saves(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Through the index: sentences without a term (only stopwords), repeated terms, paragraphs across chunks."""
    rng = np.random.default_rng(4)
    words = "harbour council storm vote river budget mayor court strike the a of it is".split()
    lines = []
    for i in range(60):
        paragraphs = [
            " ".join(" ".join(rng.choice(words, size=int(rng.integers(2, 9)))).capitalize() + "." for _ in range(3))
            for _ in range(int(rng.integers(1, 4)))
        ]
        paragraphs.append("It is the. Harbour harbour harbour.")
        lines.append(json.dumps({"id": f"a{i}", "title": f"T{i}", "text": "\n\n".join(paragraphs)}))
    corpus = tmp_path / "corpus" / "articles.jsonl"
    corpus.parent.mkdir()
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(index_module, "chunk_occurrences", lambda memory_mb: 23)
    settings = IndexSettings()
    # The reference: articles loaded, analysed and merged in memory, matrices by build_matrix.
    in_memory = SentenceIndex.from_corpus(analyse_report(load_corpus([corpus]), settings.stem, workers=1), settings)
    assert not isinstance(in_memory.term_ids.base, np.memmap)
    assert (np.diff(in_memory.term_ptr) == 0).any()  # sentences without a term really occur
    in_memory.save(tmp_path / "memory")
    monkeypatch.setattr(store, "COPY_CHUNK", 4096)  # the mapped occurrence arrays are saved in several chunks
    out_of_core = SentenceIndex.build_paths([corpus], settings, workers=1, spool_dir=tmp_path)
    assert isinstance(out_of_core.term_ids.base, np.memmap)  # spooled, not held
    assert out_of_core.term_ids.nbytes > 4096  # more than one chunk
    assert out_of_core.sentence_engine.matrix.source is not None  # type: ignore[attr-defined]
    out_of_core.save(tmp_path / "files")
    for sub in ("sentences", "paragraphs"):
        _assert_same(tmp_path / "memory" / sub, tmp_path / "files" / sub)
    for name in ("term_ids.npy", "term_ptr.npy", "sent_paragraph.npy", "sent_start.npy"):
        assert (tmp_path / "memory" / name).read_bytes() == (tmp_path / "files" / name).read_bytes()
    # Once saved, the build's folder can go: the index still reads its matrices, and saves them again the same.
    scratch = Path(out_of_core.scratch.name)  # type: ignore[union-attr]
    before = out_of_core.sentence_engine.get_scores(["harbour", "vote"])
    out_of_core.drop_scratch()
    assert not scratch.exists()
    assert np.array_equal(out_of_core.sentence_engine.get_scores(["harbour", "vote"]), before) and before.any()
    out_of_core.save(tmp_path / "again")
    _assert_same(tmp_path / "memory" / "sentences", tmp_path / "again" / "sentences")
