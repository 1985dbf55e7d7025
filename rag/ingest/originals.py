"""Where the originals of documents are kept: ``files/<workspace hash>/<doc id>/<version>/<name>``.

One folder per version, so a re-index that fails or is interrupted never
touches the original of the version that is still being served.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from pathlib import Path


def safe_filename(name: str) -> str:
    """A file name that is safe on disk: no directories, no control or odd characters."""
    base = re.split(r"[\\/]", name)[-1]
    base = re.sub(r"[^\w.\- ()]+", "_", base).strip(" .") or "file"
    return base[:150]


def doc_folder(store, workspace: str, doc_id: str) -> Path:
    return store.files_root / hashlib.sha256(workspace.encode()).hexdigest()[:12] / doc_id


def keep(store, workspace: str, doc_id: str, version: str, name: str, data: bytes) -> Path:
    """Write the original under the data directory, one folder per version, atomically."""
    folder = doc_folder(store, workspace, doc_id) / version
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / safe_filename(name)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".part-")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, target)
    return target


def remove(folder: Path, keep_dir: Path | None = None) -> None:
    """Delete a document's kept originals except the version folder ``keep_dir``."""
    if not folder.is_dir():
        return
    for version_dir in folder.iterdir():
        if version_dir != keep_dir:
            shutil.rmtree(version_dir, ignore_errors=True)
    if keep_dir is None:
        shutil.rmtree(folder, ignore_errors=True)
