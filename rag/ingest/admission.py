"""Admission: what a document is called, which version it is, and whether it is indexed at all.

Every way in (an upload, a folder, a ZIP member, a re-index, a look-ahead
parse) asks the same questions here, so they all give the same answers.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from .. import parse
from ..errors import FileTooLarge
from ..store import Store
from ..types import ChunkSettings

Status = Literal["indexed", "unchanged", "skipped", "failed"]


@dataclass
class FileResult:
    """What happened to one document: indexed, unchanged, skipped or failed (with a plain reason)."""

    path: str
    status: Status
    chunks: int = 0
    error: str | None = None
    doc_id: str | None = None
    pages: int | None = None
    seconds: float = 0.0
    setup: bool = False  # failed because the install lacks something (SetupProblem): read again once it is fixed

    def as_dict(self) -> dict:
        return {"path": self.path, "status": self.status, "chunks": self.chunks, "error": self.error}


@dataclass
class IngestReport:
    """The results of a run over several files."""

    files: list[FileResult] = field(default_factory=list)

    def count(self, status: Status) -> int:
        return sum(1 for f in self.files if f.status == status)

    def as_dict(self) -> dict:
        return {
            "files": [f.as_dict() for f in self.files],
            **{s: self.count(s) for s in ("indexed", "unchanged", "skipped", "failed")},
        }


@dataclass(frozen=True)
class Progress:
    """Sent to the progress callback before each file starts and after it ends."""

    done: int
    total: int
    path: str
    result: FileResult | None = None


ProgressCallback = Callable[[Progress], None]


def doc_id_for(workspace: str, name: str) -> str:
    """A document's id: stable across versions of the same file name in a workspace."""
    return hashlib.sha256(f"{workspace}\0{name}".encode()).hexdigest()[:16]


def version_for(content_hash: str, settings: ChunkSettings) -> str:
    """A version changes when the bytes or the chunk settings change."""
    key = content_hash + json.dumps(settings.as_dict(), sort_keys=True)
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def refusal(store: Store, name: str, size: int) -> FileResult | None:
    """Why a document of this name and size is not indexed at all (too large, unsupported type), or None."""
    if (problem := too_large(store, size)) is not None:
        return FileResult(name, "failed", error=str(problem))
    if Path(name).suffix.lower() not in parse.SUPPORTED_EXTENSIONS:
        return FileResult(name, "skipped", error=parse.unsupported_reason(name))
    return None


def too_large(store: Store, size: int) -> FileTooLarge | None:
    limit = store.settings.limits.max_file_mb
    return FileTooLarge(f"This file is larger than the {limit} MB limit.") if size > limit * 1024 * 1024 else None


