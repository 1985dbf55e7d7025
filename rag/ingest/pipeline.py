"""The ingest flow: file -> original kept -> parse -> chunk -> embed -> index -> catalog.

Rules this module keeps:
- Re-ingesting an unchanged file (same bytes, same chunk settings) does nothing.
- A changed file's new chunks are stored before the old ones are deleted,
  so a document is never missing from search while it is re-indexed.
- The catalog marks a document ``ready`` only after its chunks are stored.
- One bad file never stops the run: it is reported with a plain reason.
- An upload (a file, or all the documents of one ZIP) makes at most
  ``Limits.max_chunks`` passages, judged before the work is done
  (:mod:`rag.ingest.workload`).
- Memory follows one document's text, not its vectors: chunks are embedded,
  weighed and stored :data:`STORE_BATCH` at a time.
- One operation works on a document at a time (``Store.document_lock``); the
  store's write lock is held only for each short write, so one person's large
  upload being embedded doesn't hold up another's.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Literal

from .. import parse
from ..catalog import DocumentRow
from ..errors import EmptyDocument, GroundedError, NotFound, SetupProblem, TooMuchWork, UnsupportedFile
from ..index.sparse import document_vector
from ..names import document_about
from ..parse import containers, linkedin
from ..parse.containers import Expansion, Member
from ..parse.isolated import expand_isolated, parse_file_isolated
from ..settings import Limits
from ..store import Store
from ..types import Chunk, ChunkSettings, ParsedDocument
from ..words import ENGLISH, detect_language
from . import forgetting, kinds, originals, origins, workload
from .admission import (
    FileResult,
    IngestReport,
    Progress,
    ProgressCallback,
    doc_id_for,
    refusal,
    too_large,
    version_for,
)
from .chunk import chunk_document, embedding_text
from .parse_ahead import ParseAhead
from .workload import Allowance

# Chunks embedded, weighed (BM25) and stored together. Beyond its chunks, this process holds one
# batch's vectors and Qdrant points for a document (a few MB for 256 passages), not all of them:
# the 80,000 passages of a 1,000,000-row CSV made points whose dense vectors alone, as Python
# lists, were about 1 GB. Large enough that a call's overhead is nothing beside embedding it (the
# model itself works 8 texts at a time).
STORE_BATCH = 256

# A document's catalog status while it waits to be indexed again from its kept original, with none of
# its passages in the index: its assistant's language changed (its passages were embedded by the other
# model and dropped). Never "ready", so nothing says it is searchable; a restart resumes it
# (:func:`reindex_next_waiting`, run by the indexer).
WAITING = "waiting"


def iter_files(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Files under ``paths`` (folders walked recursively, hidden entries skipped), sorted."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if not name.startswith("."):
                        yield Path(root) / name
        else:
            yield path


def ingest_bytes(
    store: Store,
    name: str,
    data: bytes,
    workspace: str | None = None,
    chunking: ChunkSettings | None = None,
    kind: str | None = None,
    force: bool = False,
    parse_ahead: ParseAhead | None = None,
    allowance: Allowance | None = None,
) -> FileResult:
    """Index one document given its display name and bytes (an upload, a ZIP member).

    ``force`` re-indexes even when nothing changed. ``parse_ahead`` may already
    be parsing these bytes in the background (see :mod:`rag.parse_ahead`).
    ``allowance`` is what the upload it belongs to may still make (a ZIP's
    documents share one); by default the document is an upload of its own.
    """
    workspace = workspace or store.settings.workspace
    chunking = chunking or store.settings.chunking
    started = time.perf_counter()
    doc_id = doc_id_for(workspace, name)
    content_hash = hashlib.sha256(data).hexdigest()
    version = version_for(content_hash, chunking)
    ahead = parse_ahead.take(name, content_hash) if parse_ahead else None

    if (refused := refusal(store, name, len(data))) is not None:
        return refused
    allowance = allowance or Allowance.for_upload(store)

    # The document is held throughout, the store's writes only for each short step: another
    # person's upload goes on while this one is parsed and embedded.
    with store.document_lock(doc_id):
        with store.write_lock:
            existing = store.catalog.get(doc_id)
            if existing and existing.status == "ready" and existing.version == version and not force:
                return FileResult(name, "unchanged", chunks=existing.chunks, doc_id=doc_id, pages=existing.pages)
            estimate = workload.estimate_passages(name, len(data), chunking, data)
            if (too_much := allowance.refusal(estimate, more_than=allowance.used > 0)) is not None:
                allowance.stop(too_much)
                return FileResult(name, "failed", error=str(too_much))  # refused before anything is kept, like refusal()
            store.catalog.ensure_workspace(workspace)
            # waiting to be indexed again (its assistant's language changed): it stays waiting, not
            # "indexing", until it is ready, so a crash meanwhile leaves it waiting (recovery resumes it)
            waiting = existing is not None and existing.status == WAITING
            original = originals.keep(store, workspace, doc_id, version, name, data)
            now = time.time()
            store.catalog.upsert(
                DocumentRow(
                    doc_id=doc_id,
                    workspace=workspace,
                    file=name,
                    # the row points at the new original only once it is ready (see recover())
                    original_path=existing.original_path if existing and existing.status == "ready" else str(original),
                    content_hash=content_hash,
                    version=existing.version if existing and existing.status == "ready" else None,
                    pending_version=version,
                    kind=kind or (existing.kind if existing else "other"),
                    pages=existing.pages if existing else None,
                    chunks=existing.chunks if existing else 0,
                    status=WAITING if waiting else "indexing",
                    error=None,
                    uploaded=existing.uploaded if existing else now,
                    updated=now,
                    settings=json.dumps(chunking.as_dict()),
                    size_bytes=len(data),
                    title=existing.title if existing else None,
                    language=existing.language if existing else None,
                    **(existing.ocr_columns() if existing else {}),  # the ready version's, until this one is
                )
            )
        try:
            parsed = _parsed(store, original, name, ahead, chunking, allowance)
            ahead = None  # the look-ahead's future holds the parse too
            # the kind: the caller's, else a person's earlier choice, else the guess (rag/kinds.py);
            # a LinkedIn post's chunks carry the post's own date
            kind, stated_date = kinds.assign(store, doc_id, workspace, name, parsed, kind, existing)
            chunks = chunk_document(parsed, chunking, doc_id, version, kind=kind)
            if not chunks:
                raise EmptyDocument("No text could be read from this file.")
            allowance.spend(len(chunks))  # the exact count, before any embedding
            pages, title, url, modified = parsed.pages, parsed.title, parsed.url, parsed.modified
            ocr_record = ocr_columns(parsed)
            del parsed  # the chunks hold its text now; keeping both would double a large document's share
            for c in chunks:
                c.date = stated_date or (existing.uploaded if existing else now)
            language = detect_language(" ".join(c.text for c in chunks[:LANGUAGE_SAMPLE_CHUNKS]))
            _store_chunks(store, workspace, chunks, version, title, language)
            about = document_about(name, title, [c.text for c in chunks])
        except SetupProblem as err:  # the install's fault, not the file's: the queue holds it for another try
            with store.write_lock:
                return replace(_fail(store, doc_id, existing, name, str(err), started), setup=True)
        except UnsupportedFile as err:  # nothing in it we can read (an image without text, no OCR installed)
            with store.write_lock:
                return _fail(store, doc_id, existing, name, str(err), started, status="skipped")
        except Exception as err:  # a parser bug must not stop the run either; its reason is kept plain
            reason = str(err) if isinstance(err, GroundedError) else f"This file could not be read ({type(err).__name__})."
            with store.write_lock:
                return _fail(store, doc_id, existing, name, reason, started)
        with store.write_lock:
            # Ready now; pending_version stays set until older points are gone, so a crash
            # between these two steps is finished by recover() at the next start.
            store.catalog.update(
                doc_id,
                status="ready",
                version=version,
                pending_version=version,
                original_path=str(original),
                kind=kind,
                chunks=len(chunks),
                pages=pages,
                title=title,
                about=about,
                language=language,
                error=None,
                index_seconds=round(time.perf_counter() - started, 3),
                **ocr_record,
            )
            origins.remember(store.catalog, doc_id, url, modified)  # a page's or an article's live address
            replaced = None  # a new version of what it says: the old one's text goes everywhere, and a check proves it
            if existing and existing.status == "ready" and existing.content_hash != content_hash:
                replaced = forgetting.trace_of(store, workspace, doc_id, name, "new version", keep_version=version,
                                                 title=existing.title)
            store.index.delete_document(workspace, doc_id, keep_version=version)
            store.catalog.update(doc_id, pending_version=None)
            if replaced is not None:
                forgetting.forget_old_version(store.catalog, workspace, doc_id, set(replaced.chunk_ids))
                forgetting.remember(store.catalog, replaced)
            originals.remove(originals.doc_folder(store, workspace, doc_id), keep_dir=original.parent)
    return FileResult(name, "indexed", chunks=len(chunks), doc_id=doc_id, pages=pages, seconds=time.perf_counter() - started)


LANGUAGE_SAMPLE_CHUNKS = 20  # a document's language is read from its first passages (rag.words.detect_language)


def _store_chunks(store: Store, workspace: str, chunks: list[Chunk], version: str, title: str | None = None,
                  language: str = ENGLISH) -> None:
    """Embed, weigh and store the chunks :data:`STORE_BATCH` at a time, each batch dropped once stored.

    Each passage is embedded and keyword-indexed with the document's ``title`` above its
    heading path (:func:`rag.ingest.chunk.heading_text`; left out where the path already starts
    with it): a PDF's passages rarely repeat its title. On SciFact train with titles known only
    as the document's, +0.018 nDCG@10 (docs/benchmarks.md, ranking trials).

    Crash safety is the catalog's, as before: until every batch is in, the
    row says ``indexing`` with this version pending, so an interruption
    between batches is rolled back by :func:`rag.ingest.recovery.recover`;
    searches skip a version that is not ready yet (rag/answer/retrieve.py).

    The dense model is the assistant's (its language setting); keyword terms are stemmed in the
    document's ``language``.
    """
    embeddings = store.embeddings_for(workspace)
    for start in range(0, len(chunks), STORE_BATCH):
        batch = chunks[start : start + STORE_BATCH]
        texts = [embedding_text(c, title) for c in batch]
        dense = embeddings.embed_array(texts)
        sparse = [document_vector(t, language=language) for t in texts]
        with store.write_lock:  # index writes stay one at a time; embedding runs beside other uploads
            store.index.upsert(workspace, batch, dense, sparse, version)


def _parsed(store: Store, original: Path, name: str, ahead, chunking: ChunkSettings, allowance: Allowance) -> ParsedDocument:
    """The document parsed: the look-ahead's result when there is one, else parsed now.

    A parse stopped at the text allowance (far more text than the upload may
    make passages of) is reported in passages and time, like every other refusal.
    """
    max_chars = workload.text_allowance(store.settings.limits, chunking)
    try:
        if ahead is not None:
            try:
                return ahead.result()
            except GroundedError:
                raise  # the file's own problem, same as parsing it now would say
            except Exception:  # noqa: BLE001 - the look-ahead itself failed (its temp copy, say): parse in line
                pass
        limits = store.settings.limits
        return parse_file_isolated(original, name, limits.parse_timeout_s, limits.parse_memory_mb, max_chars)
    except TooMuchWork as err:
        at_least = max(round(max_chars / workload.chars_per_passage(chunking)), allowance.limit + 1)
        problem = allowance.refusal(at_least, more_than=True) or err
        allowance.stop(problem)
        raise problem from None


def ocr_columns(parsed: ParsedDocument) -> dict:
    """The catalog's OCR record of a parsed document: pages read by OCR, their lowest and mean confidence, pages left out."""
    confidence = [parsed.ocr_confidence[page] for page in parsed.ocr_pages if page in parsed.ocr_confidence]
    return {
        "ocr_pages": json.dumps(parsed.ocr_pages) if parsed.ocr_pages else None,
        "ocr_lowest": min(confidence) if confidence else None,
        "ocr_mean": round(sum(confidence) / len(confidence), 1) if confidence else None,
        "unread_pages": json.dumps({str(page): why for page, why in sorted(parsed.unread_pages.items())})
        if parsed.unread_pages else None,
    }


def _fail(store: Store, doc_id: str, existing: DocumentRow | None, name: str, reason: str, started: float,
          status: Literal["failed", "skipped"] = "failed") -> FileResult:
    """Record why a document wasn't indexed; an earlier ready version (chunks and original) stays as it was.

    ``status="skipped"``: nothing in it could be read (an image without text). Reported like a file
    type that isn't read, so a new document leaves no row behind: it isn't listed as a failed document.
    """
    row = store.catalog.get(doc_id)
    if existing and existing.status == WAITING and status == "skipped":
        status = "failed"  # it was read before the language change: kept, with why, not dropped
    if existing and existing.status == "ready":
        store.index.delete_document(existing.workspace, doc_id, keep_version=existing.version)
        store.catalog.update(
            doc_id,
            status="ready",
            pending_version=None,
            error=reason,
            original_path=existing.original_path,
            content_hash=existing.content_hash,
            settings=existing.settings,
            size_bytes=existing.size_bytes,
        )
        if existing.original_path:
            originals.remove(originals.doc_folder(store, existing.workspace, doc_id), keep_dir=Path(existing.original_path).parent)
    elif status == "skipped":
        if row:
            store.index.delete_document(row.workspace, doc_id)
            originals.remove(originals.doc_folder(store, row.workspace, doc_id))
        store.catalog.delete(doc_id)
        kinds.forget(store.catalog, doc_id)
        origins.forget(store.catalog, doc_id)
        if row:
            forgetting.forget_traces(store.catalog, row.workspace, doc_id)
        doc_id = None
    else:
        if row:
            store.index.delete_document(row.workspace, doc_id)
        store.catalog.update(doc_id, status="failed", pending_version=None, chunks=0, error=reason)
    return FileResult(name, status, error=reason, doc_id=doc_id, seconds=time.perf_counter() - started)


def open_upload(limits: Limits, name: str, data: bytes, out_dir: Path, prefix: str) -> Expansion:
    """An upload's documents, each written to ``out_dir/<prefix>NNNNNN``: the file itself, or what a ZIP or
    an export holds, opened in the parse worker (:mod:`rag.parse.containers`) within the upload's limits.

    This process holds only ``data`` and the list of names: an export's JSON is never read here.
    """
    if not containers.needs_opening(name, data):
        file = f"{prefix}{1:06d}"
        (out_dir / file).write_bytes(data)
        return Expansion((Member(name, file, len(data)),))
    source = out_dir / f"{prefix}upload"
    source.write_bytes(data)
    try:
        return expand_isolated(source, name, out_dir, prefix, limits)
    finally:
        source.unlink(missing_ok=True)


def what_of(name: str, expansion: Expansion) -> str:
    """How refusals name an upload: "This archive" (a ZIP), "This export" (articles, posts), "This file"."""
    if Path(name).suffix.lower() == ".zip":
        return "This archive"
    if len(expansion.members) > 1 or any(m.name != name for m in expansion.members):
        return "This export"
    return "This file"


def problem_result(name: str, problem: tuple[str, str]) -> FileResult:
    """A FileResult for what was left out (a type not read is skipped; anything else failed)."""
    from .. import errors

    cls = getattr(errors, problem[0], None)
    skipped = isinstance(cls, type) and issubclass(cls, UnsupportedFile)
    return FileResult(name, "skipped" if skipped else "failed", error=problem[1])


def _upload_estimate(folder, members: Iterable[Member], workspace: str, chunking: ChunkSettings) -> int:
    """About how many passages an upload's documents make together, before any is parsed.

    Documents already indexed at the same size and chunk settings count as none:
    re-uploading this week's help-center export redoes only what changed, and if a
    document did change at the same size, the running count (:class:`Allowance`) still
    bounds it.
    """
    settings = json.dumps(chunking.as_dict())
    total = 0
    for m in members:
        if m.problem is not None:
            continue
        row = folder.catalog.get(doc_id_for(workspace, m.name))
        if row is not None and row.status == "ready" and row.size_bytes == m.size and row.settings == settings:
            continue
        total += workload.estimate_member(m.name, m.size, m.text_chars, chunking)
    return total


def upload_estimate_refusal(folder, name: str, expansion: Expansion, workspace: str, chunking: ChunkSettings,
                            allowance: Allowance) -> FileResult | None:
    """Why an opened upload is refused whole before any document is parsed (its documents' estimate is over), or None."""
    if len(expansion.members) <= 1:
        return None  # one document: ingest_bytes judges it (estimate, then the exact count)
    estimate = _upload_estimate(folder, expansion.members, workspace, chunking)
    if (too_much := allowance.refusal(estimate)) is not None:
        return FileResult(name, "failed", error=str(too_much))
    return None


def _archive_estimate(store: Store, display: str, data: bytes, workspace: str, chunking: ChunkSettings) -> int:
    """About how many passages a ZIP's documents make, judged from its directory before any entry is read.

    Entries already indexed count as none (see :func:`_upload_estimate`); private parts of a
    LinkedIn export are never indexed, so they count as none too.
    """
    entries = [(f"{display}/{inner}", size) for inner, size in parse.member_sizes(data, store.settings.limits)]
    private = set(linkedin.private_export_members([name for name, _ in entries]))
    return _upload_estimate(store, (Member(n, size=size) for n, size in entries if n not in private), workspace, chunking)


def documents_of(name: str, data: bytes, limits: Limits, scratch: Path | None = None) -> Iterator[tuple[str, bytes | FileResult]]:
    """The documents in one file: (name, bytes), or (name, result) for an entry that can't be indexed.

    Opened by :func:`open_upload` into a temporary folder (in ``scratch``), each read back as it is needed.
    """
    with tempfile.TemporaryDirectory(prefix="grounded-open-", dir=scratch) as folder:
        yield from _opened(name, open_upload(limits, name, data, Path(folder), "m"), Path(folder))


def _opened(name: str, expansion: Expansion, folder: Path) -> Iterator[tuple[str, bytes | FileResult]]:
    if expansion.problem is not None:  # the upload itself (damaged, too many entries)
        yield name, problem_result(name, expansion.problem)
        return
    for m in expansion.members:
        if m.problem is not None:
            yield m.name, problem_result(m.name, m.problem)
        else:
            path = folder / m.file
            data = path.read_bytes()
            path.unlink()
            yield m.name, data


def upload_refusal(store: Store, name: str, data: bytes, workspace: str, chunking: ChunkSettings,
                   allowance: Allowance | None = None) -> FileResult | None:
    """Why a ZIP is refused whole before any of it is opened (its directory says too many passages), or None."""
    if Path(name).suffix.lower() != ".zip":
        return None
    allowance = allowance or Allowance.for_upload(store, "This archive")
    estimate = _archive_estimate(store, name, data, workspace, chunking)
    if (too_much := allowance.refusal(estimate)) is not None:
        return FileResult(name, "failed", error=str(too_much))
    return None


def _documents_of(
    store: Store, name: str, data: bytes, workspace: str, chunking: ChunkSettings
) -> Iterator[tuple[str | object, bytes | FileResult | Allowance]]:
    """The documents in one upload, after an ``(_ALLOWANCE, allowance)`` marker.

    The allowance is the passages the whole upload may make, shared by all its
    documents. An upload whose documents would make more than that is refused
    whole, before any of them is parsed.
    """
    allowance = Allowance.for_upload(store, "This archive" if Path(name).suffix.lower() == ".zip" else "This file")
    if (refused := upload_refusal(store, name, data, workspace, chunking, allowance)) is not None:
        yield name, refused
        return
    with tempfile.TemporaryDirectory(prefix="grounded-open-", dir=store.settings.data_dir) as folder:
        expansion = open_upload(store.settings.limits, name, data, Path(folder), "m")
        allowance.what = what_of(name, expansion)
        if (refused := upload_estimate_refusal(store, name, expansion, workspace, chunking, allowance)) is not None:
            yield name, refused
            return
        yield _ALLOWANCE, allowance
        yield from _opened(name, expansion, Path(folder))


def _with_next_document(items: Iterable[tuple]) -> Iterator[tuple]:
    """Each (name, payload) item with the next item after it whose payload is bytes, or None.

    That next document is what the look-ahead parses; results and markers in
    between are passed over (they need no parsing).
    """
    it = iter(items)
    queue: deque = deque()
    exhausted = False
    while queue or not exhausted:
        if not queue:
            item = next(it, None)
            if item is None:
                return
            queue.append(item)
        current = queue.popleft()
        while not exhausted and not any(isinstance(payload, bytes) for _name, payload in queue):
            item = next(it, None)
            if item is None:
                exhausted = True
            else:
                queue.append(item)
        yield current, next((i for i in queue if isinstance(i[1], bytes)), None)


def _index_documents(store: Store, documents: Iterable[tuple], workspace: str,
                     chunking: ChunkSettings, ahead: ParseAhead, kind=None, force=False) -> Iterator:
    """Index (name, bytes) documents in order, parsing each next one while the current one is embedded.

    Yields a FileResult per document. An ``_ALLOWANCE`` marker sets the
    allowance the documents after it share (see :func:`_documents_of`); other
    items in the stream (markers whose name is not a string) are passed
    through as they are.
    """
    allowance = None
    for (name, payload), following in _with_next_document(documents):
        if name is _ALLOWANCE:
            allowance = payload
            continue  # not a document: nothing to parse ahead for it
        if following is not None:
            ahead.submit(*following)
        if not isinstance(name, str):
            yield name, payload
        elif isinstance(payload, FileResult):
            yield payload
        else:
            yield ingest_bytes(store, name, payload, workspace, chunking, kind=kind, force=force, parse_ahead=ahead,
                               allowance=allowance)


_ALLOWANCE = object()  # marks the allowance of the upload whose documents follow, in the document stream


def ingest_upload(
    store: Store, name: str, data: bytes, workspace: str | None = None, chunking: ChunkSettings | None = None,
    kind: str | None = None,
) -> list[FileResult]:
    """An uploaded file's documents: the file itself, or each document inside a ZIP or LinkedIn export."""
    with contextlib.closing(ingest_uploads(store, [(name, data)], workspace, chunking, kind)) as batches:
        return next(batches)


def ingest_uploads(
    store: Store, uploads: Iterable[tuple[str, bytes]], workspace: str | None = None,
    chunking: ChunkSettings | None = None, kind: str | None = None,
) -> Iterator[list[FileResult]]:
    """Index several uploads in turn, yielding each one's results (see :func:`ingest_upload`) when it is done.

    The next document, in this upload or the next, is parsed while the current one is embedded.
    """
    workspace = workspace or store.settings.workspace
    chunking = chunking or store.settings.chunking

    def documents() -> Iterator[tuple]:
        for name, data in uploads:
            if (problem := too_large(store, len(data))) is not None:
                yield name, FileResult(name, "failed", error=str(problem))
            else:
                yield from _documents_of(store, name, data, workspace, chunking)
            yield _UPLOAD_DONE, name

    with ParseAhead(store, workspace, chunking) as ahead:
        results: list[FileResult] = []
        for item in _index_documents(store, documents(), workspace, chunking, ahead, kind=kind):
            if isinstance(item, FileResult):
                results.append(item)
            else:
                drop_missing_members(store, workspace, item[1], (r.path for r in results))
                yield results
                results = []


_UPLOAD_DONE = object()


def ingest_paths(
    store: Store,
    paths: Iterable[str | Path],
    workspace: str | None = None,
    chunking: ChunkSettings | None = None,
    on_progress: ProgressCallback | None = None,
    force: bool = False,
) -> IngestReport:
    """Ingest files and folders; each file is reported indexed, unchanged, skipped or failed.

    The next document is parsed while the current one is embedded (:mod:`rag.parse_ahead`).
    """
    paths = list(paths)
    files = list(iter_files(paths))
    workspace = workspace or store.settings.workspace
    chunking = chunking or store.settings.chunking
    report = IngestReport()

    def documents() -> Iterator[tuple]:
        for n, path in enumerate(files):
            yield _FILE_START, (n, path)
            display = display_name(path, paths)
            try:
                if (problem := too_large(store, path.stat().st_size)) is not None:
                    yield display, FileResult(display, "failed", error=str(problem))
                else:
                    yield from _documents_of(store, display, path.read_bytes(), workspace, chunking)
            except OSError as err:
                yield str(path), FileResult(str(path), "failed", error=f"This file could not be opened ({err.strerror}).")
            yield _FILE_DONE, (n, path)

    before = 0
    with ParseAhead(store, workspace, chunking, force) as ahead:
        for item in _index_documents(store, documents(), workspace, chunking, ahead, force=force):
            if isinstance(item, FileResult):
                report.files.append(item)
                continue
            # progress is sent from here, in order: the stream itself is read one document ahead
            marker, (n, path) = item
            if marker is _FILE_START:
                before = len(report.files)
                if on_progress:
                    on_progress(Progress(n, len(files), str(path)))
            else:
                drop_missing_members(store, workspace, display_name(path, paths), (r.path for r in report.files[before:]))
                if on_progress:
                    last = report.files[-1] if len(report.files) > before else None
                    on_progress(Progress(n + 1, len(files), str(path), last))
    return report


_FILE_START, _FILE_DONE = object(), object()  # bracket one file's documents in ingest_paths' stream


def display_name(path: Path, roots: Iterable[str | Path]) -> str:
    """The name a document is known by: its path relative to the folder given."""
    for root in roots:
        root = Path(root)
        if root.is_dir():
            try:
                return path.relative_to(root).as_posix()
            except ValueError:
                continue
    return path.name


def delete_document(store: Store, doc_id: str, reason: forgetting.Reason | None = None) -> forgetting.Trace | None:
    """Remove a document: its chunks, its original, its catalog row and every trace it left in the catalog
    (style rules, search log, quoted passages in saved chats: :mod:`rag.ingest.forgetting`), after any
    ingest of it under way.

    ``reason`` ("deleted", "page gone", "member removed"): what it said is noted first and a forget check
    is left pending for it (:mod:`rag.quality.forget`); the trace is returned. None: no check (its whole
    assistant is going).
    """
    with store.document_lock(doc_id), store.write_lock:
        row = store.catalog.get(doc_id)
        if row is None:
            raise NotFound(f"There is no document with id {doc_id}.")
        trace = forgetting.trace_of(store, row.workspace, doc_id, row.file, reason, title=row.title) if reason else None
        # Marked first: a crash part-way leaves a "deleting" row that recover() finishes,
        # never a "ready" document whose chunks are already gone.
        store.catalog.update(doc_id, status="deleting")
        store.index.delete_document(row.workspace, doc_id)
        originals.remove(originals.doc_folder(store, row.workspace, doc_id))
        store.catalog.delete(doc_id)
        kinds.forget(store.catalog, doc_id)
        origins.forget(store.catalog, doc_id)
        forgetting.forget_traces(store.catalog, row.workspace, doc_id)
        if trace is not None:
            forgetting.remember(store.catalog, trace)
    store.catalog.scrub()
    return trace


def drop_missing_members(store: Store, workspace: str, upload: str, names: Iterable[str]) -> list[str]:
    """A ZIP uploaded again: its documents from last time that it no longer holds are deleted (each with a
    forget check); returns their names. ``names``: every document the new upload held, indexed or not.

    Only a ZIP's own members (named "help.zip/…") are looked at, and only when the upload was opened:
    an upload refused as a whole (its own name among ``names``) changes nothing.
    """
    names = set(names)
    if Path(upload).suffix.lower() != ".zip" or upload in names:
        return []
    prefix = f"{upload}/"
    gone = [r for r in store.catalog.documents(workspace) if r.file.startswith(prefix) and r.file not in names]
    for row in gone:
        try:
            delete_document(store, row.doc_id, reason="member removed")
        except NotFound:
            pass  # deleted meanwhile
    return [r.file for r in gone]


def reindex(store: Store, doc_id: str, chunking: ChunkSettings | None = None, parse_ahead: ParseAhead | None = None) -> FileResult:
    """Re-parse a document from its kept original (with new chunk settings if given)."""
    row = store.catalog.get(doc_id)
    if row is None:
        raise NotFound(f"There is no document with id {doc_id}.")
    if not row.original_path or not Path(row.original_path).exists():
        raise NotFound(f"The original of {row.file} is missing; upload it again.")
    if chunking is None:
        chunking = ChunkSettings(**row.chunk_settings) if row.settings else store.settings.chunking
    data = Path(row.original_path).read_bytes()
    return ingest_bytes(store, row.file, data, row.workspace, chunking, kind=row.kind, force=True, parse_ahead=parse_ahead)


def stored_chunks(store: Store, doc_id: str) -> list:
    """The passages a document is indexed as now, in order (Hits with text, pages and section)."""
    row = store.catalog.get(doc_id)
    if row is None:
        raise NotFound(f"There is no document with id {doc_id}.")
    return store.index.chunks_of(row.workspace, doc_id)


def preview_chunks(store: Store, doc_id: str, chunking: ChunkSettings) -> list:
    """How a document would be split with ``chunking``, without changing the index (for compare-before-apply)."""
    row = store.catalog.get(doc_id)
    if row is None:
        raise NotFound(f"There is no document with id {doc_id}.")
    if not row.original_path or not Path(row.original_path).exists():
        raise NotFound(f"The original of {row.file} is missing; upload it again.")
    limits = store.settings.limits
    parsed = parse_file_isolated(Path(row.original_path), row.file, limits.parse_timeout_s, limits.parse_memory_mb,
                                 workload.text_allowance(limits, chunking))
    return chunk_document(parsed, chunking, doc_id, "preview", kind=row.kind)


def estimate_reindex_seconds(
    store: Store, workspace: str, chunks_per_second: float = workload.DEFAULT_PASSAGES_PER_SECOND
) -> float:
    """How long re-indexing a workspace will take: each document's own last indexing time.

    Embedding dominates and costs about the same for any chunk size (the same
    tokens are embedded), so the last run is the best guess. Documents indexed
    before that was recorded count at ``chunks_per_second`` (the whole pipeline
    on 2 cores, PDFs with tables: docs/benchmarks.md).
    """
    rows = store.catalog.documents(workspace, status="ready")
    return sum(r.index_seconds if r.index_seconds else r.chunks / chunks_per_second + 0.2 for r in rows)


def reindex_workspace(
    store: Store, workspace: str, chunking: ChunkSettings, on_progress: ProgressCallback | None = None
) -> IngestReport:
    """Re-index every document of a workspace with new chunk settings (the next one parsed ahead)."""
    rows = store.catalog.documents(workspace)
    report = IngestReport()
    with ParseAhead(store, workspace, chunking, force=True) as ahead:
        for n, row in enumerate(rows):
            if n + 1 < len(rows):
                _submit_original(ahead, rows[n + 1])
            if on_progress:
                on_progress(Progress(n, len(rows), row.file))
            try:
                result = reindex(store, row.doc_id, chunking, parse_ahead=ahead)
            except GroundedError as err:
                result = FileResult(row.file, "failed", error=str(err), doc_id=row.doc_id)
            report.files.append(result)
            if on_progress:
                on_progress(Progress(n + 1, len(rows), row.file, result))
    return report


# Marking an assistant's documents waiting and dropping its collection (a language change) never interleaves
# with re-indexing one of them: passages embedded by the old model would land in the new model's collection.
REINDEX_GUARD = threading.Lock()
_IN_HAND: dict[tuple[str, str], int] = {}  # (data folder, workspace): callers re-indexing its waiting documents
FAILED_AGAIN = "This document could not be indexed again ({}). Re-index it from the Knowledge page, or upload it again."


def mark_waiting(store: Store, workspace: str) -> int:
    """Mark every ready or failed document of ``workspace`` waiting (see :data:`WAITING`), in one transaction.

    Done before its collection is dropped: from then on the catalog never calls ready a document whose
    passages are gone, and a crash leaves every one of them waiting, to be resumed. Returns how many.
    """
    rows = [r for r in store.catalog.documents(workspace) if r.status in ("ready", "failed")]
    with store.write_lock, store.catalog.transaction(durable=True) as catalog:
        for row in rows:
            catalog.update(row.doc_id, status=WAITING, version=None, pending_version=None)
    return len(rows)


@contextlib.contextmanager
def in_hand(store: Store, workspace: str) -> Iterator[None]:
    """``workspace``'s waiting documents are re-indexed by this caller: the indexer leaves them alone meanwhile."""
    key = (str(store.settings.data_dir), workspace)
    with REINDEX_GUARD:
        _IN_HAND[key] = _IN_HAND.get(key, 0) + 1
    try:
        yield
    finally:
        with REINDEX_GUARD:
            _IN_HAND[key] -= 1
            if not _IN_HAND[key]:
                del _IN_HAND[key]


def reindex_next_waiting(store: Store, workspace: str | None = None, skip_in_hand: bool = True) -> FileResult | None:
    """Index the first waiting document (of ``workspace``, or of any assistant) again from its kept original.

    None when none is waiting. The document always leaves :data:`WAITING`: ready, or failed with a plain
    reason (its original missing, unreadable now), so a caller looping over this always ends.
    ``skip_in_hand``: leave alone the assistants whose re-index a caller is running (:func:`in_hand`).
    """
    with REINDEX_GUARD:
        folder = str(store.settings.data_dir)
        rows = [r for r in store.catalog.documents(workspace, status=WAITING)
                if not (skip_in_hand and (folder, r.workspace) in _IN_HAND)]
        if not rows:
            return None
        row = rows[0]
        try:
            result = reindex(store, row.doc_id)
        except GroundedError as err:
            result = FileResult(row.file, "failed", error=str(err), doc_id=row.doc_id)
        except Exception as err:  # noqa: BLE001 - one document's bug never stops the others
            result = FileResult(row.file, "failed", error=FAILED_AGAIN.format(type(err).__name__), doc_id=row.doc_id)
        with store.write_lock:
            now = store.catalog.get(row.doc_id)
            if now is not None and now.status == WAITING:  # refused before any work (say, a limit): say why
                store.index.delete_document(now.workspace, now.doc_id)
                store.catalog.update(row.doc_id, status="failed", pending_version=None,
                                     error=result.error or FAILED_AGAIN.format(result.status))
                if result.status != "failed":
                    result = FileResult(row.file, "failed", error=result.error, doc_id=row.doc_id)
        return result


def reindex_waiting(store: Store, workspace: str, on_progress: ProgressCallback | None = None) -> IngestReport:
    """Index every waiting document of ``workspace`` again (a language change, or what a crash left of one)."""
    report = IngestReport()
    total = len(store.catalog.documents(workspace, status=WAITING))
    with in_hand(store, workspace):
        while (result := reindex_next_waiting(store, workspace, skip_in_hand=False)) is not None:
            report.files.append(result)
            if on_progress:
                on_progress(Progress(len(report.files), max(total, len(report.files)), result.path, result))
    return report


def _submit_original(ahead: ParseAhead, row: DocumentRow) -> None:
    if row.original_path:
        try:
            ahead.submit(row.file, Path(row.original_path).read_bytes())
        except OSError:
            pass  # reindex() reports the missing original itself
