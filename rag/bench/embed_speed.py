"""Embedding speed: the product's MiniLM against the way it embedded before, on real chunks.

The chunk texts come from the product's own steps (``parse_file`` ->
``chunk_document`` -> ``embedding_text``, default chunk settings), so the
lengths are those ingest really embeds. Both models embed every text, in
rounds that alternate which goes first (A B, B A, ...): on a shared machine
the load changes by the minute, and interleaving spreads it over both.

``LegacyMiniLM`` is the embedding code as it was before ``grounded bench
embed`` existed (texts sorted by characters, fixed batches of 8 padded by the
tokenizer, one session on up to 4 threads with every graph optimisation). It
lives here, not in the product, as the baseline the targets are judged
against: at least 1.3x the texts per second, and every vector within cosine
0.9999 of the old one (same vectors, so retrieval quality cannot change).
"""

from __future__ import annotations

import os
import random
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from .common import Target, header, progress, table, target_lines


@dataclass(frozen=True)
class EmbedConfig:
    folder: Path
    limit: int | None = None  # only N chunk texts, drawn at random (quick looks; report full runs)
    rounds: int = 10  # alternating rounds; each embeds 1/rounds of the texts with both models
    batch_tokens: int | None = None  # the new model's batch budget; None = the product's default
    target_speedup: float = 1.3
    min_cosine: float = 0.9999


class LegacyMiniLM:
    """The product's embedding path before the speed work, kept only as the baseline."""

    def __init__(self, batch_size: int = 8, threads: int | None = None):
        import onnxruntime as ort
        from tokenizers import Tokenizer

        from ..index.embed import MINILM_MAX_TOKENS, _minilm_paths

        model_path, tokenizer_path = _minilm_paths()
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or min(4, os.cpu_count() or 1)
        options.log_severity_level = 3
        self._session = ort.InferenceSession(str(model_path), options, providers=["CPUExecutionProvider"])
        self._tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self._tokenizer.enable_truncation(MINILM_MAX_TOKENS)
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        self._lock = threading.Lock()
        self.batch_size = batch_size

    def _embed_batch(self, texts: list[str]):
        import numpy as np

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

    def embed_array(self, texts: list[str]):
        import numpy as np

        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            out[idx] = self._embed_batch([texts[i] or " " for i in idx])
        return out


def chunk_texts(folder: Path) -> tuple[list[str], int]:
    """What ingest would embed for every file in ``folder`` (files that fail are skipped), and the file count."""
    from ..errors import GroundedError
    from ..ingest.chunk import chunk_document, embedding_text
    from ..ingest.pipeline import iter_files
    from ..parse import parse_file
    from ..types import ChunkSettings

    files = list(iter_files([folder]))
    if not files:
        raise FileNotFoundError(f"No files in {folder}.")
    texts: list[str] = []
    for n, path in enumerate(files, 1):
        try:
            parsed = parse_file(path)
        except GroundedError as err:
            progress(f"[{n}/{len(files)}] skipped {path.name}: {err}")
            continue
        chunks = chunk_document(parsed, ChunkSettings(), path.name, "bench")
        texts.extend(embedding_text(c) for c in chunks)
        progress(f"[{n}/{len(files)}] {path.name}: {len(chunks)} chunks")
    return texts, len(files)


def run(config: EmbedConfig) -> dict:
    import numpy as np

    from ..index.embed import MiniLMEmbeddings, count_tokens

    texts, files = chunk_texts(config.folder)
    random.Random(7).shuffle(texts)  # every round gets a mix of short and long chunks
    texts = texts[: config.limit]
    if not texts:
        raise ValueError(f"No text to embed in {config.folder}.")
    models = {"old": LegacyMiniLM()}
    models["new"] = MiniLMEmbeddings(batch_tokens=config.batch_tokens) if config.batch_tokens else MiniLMEmbeddings()
    for model in models.values():
        model.embed_array(texts[:16])  # warm each session once
    seconds = dict.fromkeys(models, 0.0)
    vectors = {name: np.zeros((len(texts), 384), dtype=np.float32) for name in models}
    bounds = np.linspace(0, len(texts), min(config.rounds, len(texts)) + 1).astype(int)
    load_before = os.getloadavg()
    for r, (start, end) in enumerate(zip(bounds[:-1], bounds[1:])):
        for name in ("old", "new") if r % 2 == 0 else ("new", "old"):
            began = time.perf_counter()
            vectors[name][start:end] = models[name].embed_array(texts[start:end])
            seconds[name] += time.perf_counter() - began
        progress(f"round {r + 1}/{len(bounds) - 1}: {end} texts; old {end / seconds['old']:.1f}/s, "
                 f"new {end / seconds['new']:.1f}/s, load {os.getloadavg()[0]:.2f}")
    cosines = (vectors["old"] * vectors["new"]).sum(axis=1)
    rates = {name: len(texts) / s for name, s in seconds.items()}
    speedup = rates["new"] / rates["old"]
    result = header("embed") | {
        "folder": str(config.folder),
        "files": files,
        "texts": len(texts),
        "tokens": int(sum(count_tokens(texts))),
        "rounds": len(bounds) - 1,
        "batch_tokens": models["new"].batch_tokens,
        "threads": models["new"].threads,
        "old": {"seconds": round(seconds["old"], 3), "texts_per_s": round(rates["old"], 2)},
        "new": {"seconds": round(seconds["new"], 3), "texts_per_s": round(rates["new"], 2)},
        "speedup": round(speedup, 3),
        "cosine_min": float(cosines.min()),
        "cosine_max": float(cosines.max()),
        "load_average": {"before": [round(x, 2) for x in load_before], "after": [round(x, 2) for x in os.getloadavg()]},
    }
    result["targets"] = [
        Target("texts/s new / old", round(speedup, 3), config.target_speedup, ">=", "x").as_dict(),
        # as a distance in millionths: a cosine of 0.99999 would print as 1.000 with three decimals
        Target("largest 1 - cosine to the old vectors", round(max(1 - float(cosines.min()), 0.0) * 1e6, 3),
               round((1 - config.min_cosine) * 1e6, 3), "<=", "e-6").as_dict(),
    ]
    return result


def render(result: dict) -> str:
    rows = [
        ["old (characters, batches of 8, one session on all threads)", result["old"]["seconds"], result["old"]["texts_per_s"]],
        [f"new (tokens, {result['batch_tokens']} per batch, {result['threads']} batches at once)",
         result["new"]["seconds"], result["new"]["texts_per_s"]],
    ]
    load = result["load_average"]
    lines = [
        f"{result['texts']} chunk texts ({result['tokens']} word pieces) from {result['files']} files, "
        f"{result['rounds']} alternating rounds",
        table(["embedding", "seconds", "texts/s"], rows),
        f"speed-up x{result['speedup']}; cosine to the old vectors: min {result['cosine_min']:.7f}, "
        f"max {result['cosine_max']:.7f}",
        f"load average {load['before'][0]} before, {load['after'][0]} after (1 minute)",
    ]
    return "\n".join(lines + target_lines(result["targets"]))
