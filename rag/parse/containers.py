"""An upload opened into its documents, in the parse worker, within one upload's limits.

A ZIP, a help-center or wiki export (Notion, Confluence, Zendesk, Intercom, HubSpot) or a
LinkedIn posts export is one upload holding many documents. Opening one means decompressing
entries and, for JSON exports, reading the whole JSON into objects: a 130 KB ZIP of three 45 MB
JSON members took the app that queued it to 1,403 MB. So it is done here, in the parse worker
(:func:`rag.parse.isolated.expand_isolated`) under its memory and time limits, and each document
is written to a file as it is made: the process that queues never holds more than the upload's
own bytes and a list of names.

One upload, one allowance, whatever holds its documents: at most ``Limits.max_zip_entries``
entries (documents, articles, posts, pages and those left out, counted across all its members and
nested exports) and ``Limits.max_zip_total_mb`` of documents in all. Past either, the upload is
refused whole (nothing of it is queued) with a plain message. The passages it may make are counted
by the indexer (:mod:`rag.ingest.workload`); :func:`text_chars` measures the text of documents
whose size says little about it (HTML pages, Word, PowerPoint), so that estimate covers them too.

Everything here is a pure function of the bytes: no network, no store.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..errors import GroundedError, UnsupportedFile
from ..settings import Limits
from . import archive, exports, linkedin
from .archive import too_many_bytes, too_many_entries

MB = archive.MB
# Files that are one document whatever they hold: opened without the worker.
_SINGLE = frozenset({".pdf", ".docx", ".pptx", ".xlsx", ".html", ".htm", ".md", ".markdown", ".rst", ".org", ".eml",
                     ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".webp"})
_TEXT_XML = {".docx": "word/document.xml", ".pptx": "ppt/slides/"}
_TAG = re.compile(r"<[^>]*>")
_SCRIPT = re.compile(r"<(script|style|template|noscript)\b.*?</\1\s*>", re.I | re.S)
_XML_TEXT = re.compile(rb"<(?:w|a):t(?:\s[^>]*)?>([^<]*)</(?:w|a):t>")


@dataclass(frozen=True)
class Member:
    """One document of an upload: where its bytes were written, or why it is left out."""

    name: str  # "help.zip/Billing/Change your plan (360).html"
    file: str | None = None  # its bytes, a file name in the output folder
    size: int = 0
    text_chars: int | None = None  # characters of text it holds, when its size says little about it
    problem: tuple[str, str] | None = None  # (error class name, message) when it is left out


@dataclass(frozen=True)
class Expansion:
    """An upload's documents, or why the upload as a whole is refused."""

    members: tuple[Member, ...] = ()
    problem: tuple[str, str] | None = None


def needs_opening(display: str, data: bytes) -> bool:
    """Whether an upload may hold several documents (decided from its name and first bytes, cheaply).

    False only when it surely is one document; the worker decides the rest.
    """
    suffix = PurePosixPath(display).suffix.lower()
    if suffix in _SINGLE:
        return False
    if suffix in (".zip", ".json") or data[:4] == b"PK\x03\x04":
        return True
    if suffix in (".txt", "") and data.lstrip()[:1] in (b"{", b"["):
        return True
    if suffix in (".csv", ".txt", ""):
        head = data[:20000]
        return exports._is_hubspot_csv(head) or linkedin.is_posts_csv(display, head)
    return False


def sources(display: str, data: bytes, limits: Limits) -> Iterator[tuple[str, bytes | GroundedError]]:
    """(name, bytes) for one upload, or one item per document inside a ZIP or an export.

    A LinkedIn posts export (a CSV, alone or inside a ZIP) gives one document per post; the
    private parts of a full LinkedIn data export (messages, contacts) are left out. A help-center
    or wiki export (Notion, Confluence, Zendesk, Intercom, HubSpot) gives one document per article.
    """
    from . import PARSERS

    if (articles := exports.expand(display, data, limits)) is not None:
        yield from articles
        return
    if PurePosixPath(display).suffix.lower() == ".zip":
        private = linkedin.private_export_members([display + "/" + n for n in archive.member_names(data)])
        for name, member in archive.iter_members(io.BytesIO(data), display, frozenset(PARSERS), limits):
            if name in private:
                yield name, UnsupportedFile(linkedin.PRIVATE_REASON)
            elif isinstance(member, bytes) and linkedin.is_posts_csv(name, member):
                yield from linkedin.post_sources(name, member)
            else:
                yield name, member
        return
    if linkedin.is_posts_csv(display, data):
        yield from linkedin.post_sources(display, data)
        return
    yield display, data


def text_chars(name: str, data: bytes) -> int | None:
    """The characters of text a document holds, for types whose size says little about it; else None.

    HTML without its tags, scripts and styles; a Word file's or a PowerPoint's text runs. A PDF
    gets None (its text is only known by reading it), so do types whose size is their text.
    """
    suffix = PurePosixPath(name).suffix.lower()
    if suffix in (".html", ".htm"):
        text = data.decode("utf-8", "replace")
        return len(" ".join(_TAG.sub(" ", _SCRIPT.sub(" ", text)).split()))
    if suffix in _TEXT_XML:
        part = _TEXT_XML[suffix]
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                total = 0
                for info in zf.infolist():
                    if info.filename == part or (part.endswith("/") and info.filename.startswith(part)
                                                 and info.filename.endswith(".xml")):
                        with zf.open(info) as fh:
                            xml = fh.read(archive.MAX_RATIO * max(info.compress_size, 1) + 1)
                        total += sum(len(t) for t in _XML_TEXT.findall(xml))
                return total
        except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, NotImplementedError, EOFError):
            return None
    return None


def expand_to(path: Path, display: str, limits: Limits, out_dir: Path, prefix: str) -> Expansion:
    """Open the upload at ``path`` into documents written to ``out_dir/<prefix>NNNNNN``, within ``limits``.

    The upload's entries and bytes are counted across everything it holds; past a limit every
    file written is removed again and the upload is refused whole.
    """
    data = path.read_bytes()
    members: list[Member] = []
    entries = total = 0
    try:
        for name, payload in sources(display, data, limits):
            entries += 1
            if entries > limits.max_zip_entries:
                raise too_many_entries(limits)
            if isinstance(payload, GroundedError):
                members.append(Member(name, problem=(type(payload).__name__, str(payload))))
                continue
            total += len(payload)
            if total > limits.max_zip_total_mb * MB:
                raise too_many_bytes(limits)
            file = f"{prefix}{entries:06d}"
            (out_dir / file).write_bytes(payload)
            members.append(Member(name, file, len(payload), text_chars(name, payload)))
    except GroundedError as err:  # the upload itself: damaged, too many entries, too large
        for member in members:
            if member.file:
                (out_dir / member.file).unlink(missing_ok=True)
        return Expansion((), (type(err).__name__, str(err)))
    return Expansion(tuple(members))
