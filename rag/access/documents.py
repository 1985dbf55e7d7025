"""One document, if the acting user may see (or manage) its assistant: the check every stage makes before it reads,
changes or removes a document by id."""

from __future__ import annotations

from ..catalog import DocumentRow
from ..errors import NotFound
from .assistants import get_assistant
from .users import User


def readable_document(catalog, doc_id: str, user: User | None, manage: bool = False,
                      assistant_id: str | None = None) -> DocumentRow:
    """A document's catalog row, if ``user`` may see (or ``manage``) its assistant; else "not found".

    ``assistant_id`` also requires it to belong to that assistant (a page showing one assistant
    never acts on another's document, whatever id a request carries).
    """
    row = catalog.get(doc_id)
    if row is None or (assistant_id is not None and row.workspace != assistant_id):
        raise NotFound("That document no longer exists.")
    try:
        get_assistant(catalog, row.workspace, user, manage=manage)
    except NotFound:
        raise NotFound("That document no longer exists.") from None
    return row
