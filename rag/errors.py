"""Errors a user can cause, each with a plain-language message.

Only these reach the CLI or a page as text; anything else is a bug and is
reported generically (and logged).
"""

from __future__ import annotations


class GroundedError(Exception):
    """Base class: ``str(err)`` is a sentence a non-technical user can act on."""


class UnsupportedFile(GroundedError):
    """The file type is not one we read."""


class NoReadableText(UnsupportedFile):
    """OCR found no text it could read reliably in an image or a scan: skipped with what to do, not failed."""


class EmptyDocument(GroundedError):
    """The file holds no readable text."""


class EncryptedFile(GroundedError):
    """The file is password-protected."""


class BrokenFile(GroundedError):
    """The file is damaged or not what its name says."""


class SetupProblem(GroundedError):
    """This install lacks something a reader or model needs (a Python module, system data): not the file's fault.

    The message names what is missing and how to fix it; a document that met it waits to be read again
    once the install is fixed (rag/ingest/queue.py), and ``grounded doctor`` and the Health page list it.
    """


class FileTooLarge(GroundedError):
    """The file exceeds a configured limit."""


class TooMuchWork(FileTooLarge):
    """Indexing the file would make more passages than the configured limit (hours of work)."""


class ParseTimeout(GroundedError):
    """Reading the file took longer than the per-file time limit."""


class IndexMismatch(GroundedError):
    """The index was built with another embedding model or dimension."""


class IndexLocked(GroundedError):
    """Another process holds the embedded index's data folder."""


class NotFound(GroundedError):
    """A document or workspace that does not exist."""


class AccessDenied(GroundedError):
    """The signed-in user may see this but not change it."""
