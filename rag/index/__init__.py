"""The index stage: embeddings, BM25 sparse vectors, and the vector store behind one contract.

- ``base``: the :class:`Index` Protocol both engines satisfy, and what they share.
- ``edge``: Qdrant Edge in this process, the embedded default.
- ``server``: a Qdrant server or cluster through ``qdrant_client`` (``QDRANT_URL``).
- ``embed``: the embedding models; ``sparse``: BM25 term weights.

:func:`open_index` picks the engine the settings call for.
"""

from __future__ import annotations

from .base import Index


def open_index(settings, model_id: str, dimension: int) -> Index:
    """The index for ``settings``: a Qdrant server with ``QDRANT_URL``, else the embedded Edge engine."""
    if settings.qdrant_url:
        from .server import QdrantIndex

        return QdrantIndex(settings, model_id, dimension)
    from .edge import EdgeIndex

    return EdgeIndex(settings, model_id, dimension)


def close_index(settings) -> None:
    """Release this data folder's index in this process: the server client, or the Edge shards and folder lock."""
    if settings.qdrant_url:
        from .server import close_server_client

        close_server_client(settings.qdrant_url)
    else:
        from .edge import close_engine

        close_engine(settings)


def close_all_indexes() -> None:
    """Release every index this process opened (server clients and Edge data folders)."""
    from .edge import close_engines
    from .server import close_server_clients

    close_server_clients()
    close_engines()


__all__ = ["Index", "close_all_indexes", "close_index", "open_index"]
