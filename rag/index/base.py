"""The index contract both engines satisfy, and what they share.

One collection (a Qdrant server) or shard (Qdrant Edge) per workspace, with a
named dense vector and a named sparse (BM25) vector per chunk. A collection
per workspace makes isolation free at query time: no payload filter keeps
workspaces apart. Each collection records the embedding model that built it;
opening it with another model is an error that says to re-index.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Literal, Protocol, runtime_checkable

import numpy as np

from ..errors import IndexMismatch
from ..types import Chunk, Hit, SearchFilter, TextBox
from .sparse import SparseVector

DENSE = "dense"
SPARSE = "sparse"
UPSERT_BATCH = 256
PAYLOAD_KEYWORDS = ("doc_id", "version", "kind", "file")  # payload indexes, both engines

# Approximate dense search, the same in both engines: once a workspace holds
# ``Settings.approximate_from`` passages its dense vectors get an HNSW graph, searched over
# int8 copies of the vectors kept in memory, and the best candidates are rescored with the
# full vectors (read from disk). Smaller workspaces are searched exactly, point by point.
# Chosen by measurement in ``grounded bench query`` (docs/benchmarks.md).
HNSW_M = 16  # links per point in the graph
HNSW_EF_CONSTRUCT = 100  # candidates considered while linking a point
# candidates explored per search (at least the hybrid's 50 per list): at 1,000,000 passages 128 gave
# recall@10 0.983 hybrid / 0.973 dense and 256 gave 0.997 / 0.995 for +1.3 ms at p95 (README)
HNSW_EF = 256
OVERSAMPLING = 2.0  # quantized candidates fetched per wanted result, then rescored with full vectors
INT8_QUANTILE = 0.99  # int8 range covers this share of the values; outliers are clipped


def indexing_threshold_kb(approximate_from: int, dimension: int) -> int:
    """Qdrant's indexing threshold (KB of float32 dense vectors in a segment) for ``approximate_from`` points."""
    return max(1, approximate_from * int(dimension) * 4 // 1024)

EngineStrategy = Literal["dense", "sparse", "hybrid"]  # what the engines search; MMR is built on hybrid in answer/retrieve


@runtime_checkable
class Index(Protocol):
    """Vector storage and search for every workspace of one data folder, for one embedding model."""

    model_id: str
    dimension: int
    # The model (id, dimension) that builds a workspace's collection: ``model_id``/``dimension`` unless the
    # store says otherwise (an assistant whose language is "multilingual", rag/store.py).
    model_of: Callable[[str], tuple[str, int]] | None

    def ensure(self, workspace: str) -> str:
        """Create the workspace's collection if needed (refusing a mismatched model); its name."""

    def upsert(
        self, workspace: str, chunks: Sequence[Chunk], dense: np.ndarray, sparse: Sequence[SparseVector], version: str
    ) -> None:
        """Store chunks with their vectors, tagged with the document ``version`` they belong to."""

    def delete_document(self, workspace: str, doc_id: str, keep_version: str | None = None) -> None:
        """Remove a document's points, except those of ``keep_version`` if given."""

    def set_kind(self, workspace: str, doc_id: str, kind: str) -> None:
        """Re-tag every chunk of a document (kind filters read this payload field)."""

    def count(self, workspace: str, doc_id: str | None = None, version: str | None = None) -> int:
        """Points in a workspace (of one document, of one version)."""

    def drop(self, workspace: str) -> None:
        """Delete a workspace's collection and everything in it."""

    def chunks_of(self, workspace: str, doc_id: str) -> list[Hit]:
        """Every stored chunk of a document, in order."""

    def all_chunks(self, workspace: str, fields: list[str]) -> Iterable[tuple[str, dict]]:
        """(point id, payload ``fields``) for every point of a workspace, without vectors."""

    def neighbours(self, workspace: str, doc_id: str, first: int, last: int, version: str | None = None) -> list[Hit]:
        """Chunks ``first``..``last`` (by chunk index) of a document (of one ``version`` if given), in order."""

    def workspaces_with_points(self) -> Iterable[str]:
        """Collection names that exist in this index."""

    def search(
        self,
        workspace: str,
        strategy: EngineStrategy,
        dense: Sequence[float] | None,
        sparse: SparseVector | None,
        k: int = 5,
        candidates: int = 50,
        where: SearchFilter | None = None,
        with_vectors: bool = False,
        exact: bool = False,
    ) -> list[Hit]:
        """Top ``k`` chunks by ``dense`` (cosine), ``sparse`` (BM25) or ``hybrid`` (both fused by DBSF).

        ``exact`` compares the query with every dense vector at full precision, bypassing the
        approximate index: what the benchmark measures the approximate search against.
        """

    def settle(self, workspace: str, timeout: float | None = None) -> bool:
        """Wait until the workspace's approximate index is built, starting now any build it is due.

        For benchmarks, tests and the end of a bulk import; True once nothing is left to build.
        """


def workspace_model(index, workspace: str) -> tuple[str, int]:
    """The (model id, dimension) that ``workspace``'s collection is built with."""
    model_of = getattr(index, "model_of", None)
    return model_of(workspace) if model_of is not None else (index.model_id, index.dimension)


def locked_message(folder) -> str:
    """What a second process on the same data folder is told."""
    return (
        f"Another Grounded process is already using the data folder {folder}. "
        "Close it (or use another --data-dir), or set QDRANT_URL to share a Qdrant server."
    )


def mismatch_error(built_with: str, size: int, model_id: str, dimension: int) -> IndexMismatch:
    return IndexMismatch(
        f"This knowledge base was indexed with {built_with} ({size} dimensions) but the current "
        f"embedding model is {model_id} ({dimension}). Re-index it (grounded reindex) "
        "or switch the embedding setting back."
    )


def collection_name(workspace: str) -> str:
    """A Qdrant-safe collection name for a workspace (stable, collision-resistant; also the Edge shard's folder)."""
    slug = re.sub(r"[^a-zA-Z0-9_-]+", "-", workspace).strip("-").lower()[:40] or "ws"
    return f"grounded_{slug}_{hashlib.sha1(workspace.encode()).hexdigest()[:8]}"


def chunk_payload(chunk: Chunk, version: str) -> dict:
    """What each point stores beside its vectors (both engines)."""
    return {
        "doc_id": chunk.doc_id,
        "version": version,
        "file": chunk.file,
        "chunk_index": chunk.index,
        "text": chunk.text,
        "pages": chunk.pages,
        "heading_path": list(chunk.heading_path),
        "content_hash": chunk.content_hash,
        "settings": chunk.settings.as_dict(),
        "tokens": chunk.tokens,
        "kind": chunk.kind,
        "date": chunk.date,
        # where the text sits on its pages: [page, start, end, x0, y0, x1, y1] per line (PDFs, images)
        "boxes": [b.as_list() for b in chunk.boxes],
        "ocr": chunk.ocr,  # read by OCR: its confidence (0-100)
    }


def hit_from_point(point, score: float | None = None) -> Hit:
    """A Hit from a scored point or record (qdrant_client's and Qdrant Edge's have the same fields)."""
    p = point.payload or {}
    pages = p.get("pages") or []
    vector = point.vector.get(DENSE) if isinstance(point.vector, dict) else None
    return Hit(
        chunk_id=str(point.id),
        doc_id=p.get("doc_id", ""),
        file=p.get("file", ""),
        text=p.get("text", ""),
        score=float(point.score if score is None else score),
        page=pages[0] if pages else None,
        pages=pages,
        section=" > ".join(p.get("heading_path") or []),
        chunk_index=p.get("chunk_index", 0),
        kind=p.get("kind", "other"),
        vector=list(vector) if vector is not None else None,
        boxes=[TextBox.from_list(b) for b in p.get("boxes") or []],
        ocr=p.get("ocr"),
        version=p.get("version", ""),
    )
