"""Parse the next document while this one is embedded.

Ingesting a folder spends its time in two places that need different
resources: parsing runs in the parse worker process (one core, mostly PDF
text and table extraction), embedding runs in onnxruntime's threads. Done one
after the other, a 20-PDF folder spent a quarter of its time waiting for the
parser. ``ParseAhead`` hands the *next* document to the worker (from a helper
thread that only waits on the worker's pipe) while the caller embeds the
current one, so the two overlap.

It is only an optimisation: a document is parsed ahead only if it would be
indexed (supported, within the size limit and the passage limit, not unchanged), from a private copy
of the exact bytes the caller will index, and ``take`` hands the result back
only for the same name and bytes. Anything else falls back to parsing in line.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from ..parse.isolated import parse_file_isolated
from ..types import ParsedDocument
from . import workload
from .admission import doc_id_for, refusal, version_for
from .originals import safe_filename

FOLDER_PREFIX = "parse-ahead-"


class ParseAhead:
    """One-slot look-ahead parser for a run of documents (a folder, a ZIP, a re-index).

    Use as a context manager; ``submit`` the next document before indexing the
    current one, and ``take`` a document's parse when its turn comes.
    """

    def __init__(self, store, workspace: str, chunking, force: bool = False):
        self._store = store
        self._workspace = workspace
        self._chunking = chunking
        self._force = force
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="parse-ahead")
        self._pending: dict[str, tuple[str, Future]] = {}  # name -> (content hash, parse)
        self._folder = Path(tempfile.mkdtemp(prefix=FOLDER_PREFIX, dir=store.settings.data_dir))

    def __enter__(self) -> ParseAhead:
        return self

    def __exit__(self, exc_type, *exc) -> None:
        # after an error (Ctrl-C included) don't sit out a slow parse nobody will use
        self.close(wait=exc_type is None)

    def submit(self, name: str, data: bytes) -> bool:
        """Start parsing ``name`` in the background if it is going to be indexed; True if started."""
        if name in self._pending or not self._would_parse(name, data):
            return False
        content_hash = hashlib.sha256(data).hexdigest()
        if not self._force:
            existing = self._store.catalog.get(doc_id_for(self._workspace, name))
            if existing and existing.status == "ready" and existing.version == version_for(content_hash, self._chunking):
                return False  # unchanged: ingest will not parse it
        self._pending[name] = (content_hash, self._pool.submit(self._parse, name, data))
        return True

    def take(self, name: str, content_hash: str) -> Future | None:
        """The background parse of exactly these bytes under this name, if one was started."""
        pending = self._pending.pop(name, None)
        if pending is None:
            return None
        submitted_hash, future = pending
        if submitted_hash != content_hash:
            future.cancel()
            return None
        return future

    def close(self, wait: bool = True) -> None:
        for _hash, future in self._pending.values():
            future.cancel()
        self._pending.clear()
        self._pool.shutdown(wait=wait, cancel_futures=True)
        shutil.rmtree(self._folder, ignore_errors=True)

    def _would_parse(self, name: str, data: bytes) -> bool:
        if not data or refusal(self._store, name, len(data)) is not None:
            return False
        return workload.estimate_passages(name, len(data), self._chunking, data) <= self._store.settings.limits.max_chunks

    def _parse(self, name: str, data: bytes) -> ParsedDocument:
        fd, tmp = tempfile.mkstemp(dir=self._folder, suffix="-" + safe_filename(name))
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            limits = self._store.settings.limits
            max_chars = workload.text_allowance(limits, self._chunking)
            return parse_file_isolated(Path(tmp), name, limits.parse_timeout_s, limits.parse_memory_mb, max_chars)
        finally:
            Path(tmp).unlink(missing_ok=True)  # gone already if the run was abandoned


def sweep(data_dir: Path) -> int:
    """Remove look-ahead folders a killed run left behind; returns how many."""
    swept = 0
    for folder in data_dir.glob(FOLDER_PREFIX + "*"):
        shutil.rmtree(folder, ignore_errors=True)
        swept += 1
    return swept
