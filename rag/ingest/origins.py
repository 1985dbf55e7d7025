"""Where a document lives on the web, and when it last changed there.

A page read from a site, or an article of a help-center export, has a live
address: citations show it, so a reader can open the page the quote came
from. This keeps it beside the document in a small table of its own
(``doc_origins``), filled from two places:

- the document itself, each time it is indexed: a page's canonical link, an
  export article's URL and date (``ParsedDocument.url`` and ``modified``);
- a site sync, which knows the address it fetched and the date the site gave
  (sitemap ``lastmod``, ``Last-Modified``): it has the last word.
"""

from __future__ import annotations


def remember(catalog, doc_id: str, url: str | None, modified: float | None) -> None:
    """Record (or, with neither, forget) a document's live address and last change."""
    if url is None and modified is None:
        forget(catalog, doc_id)
        return
    catalog.origins.remember(doc_id, url, modified)


def forget(catalog, doc_id: str) -> None:
    catalog.origins.forget(doc_id)


def origin_of(catalog, doc_id: str) -> tuple[str | None, float | None]:
    """(live address, last change) of a document, each None when unknown."""
    return catalog.origins.origin_of(doc_id)


def url_of(catalog, doc_id: str) -> str:
    """The document's live address, or "" when it has none."""
    return catalog.origins.url_of(doc_id)


def modified_of(catalog, workspace: str) -> dict[str, float]:
    """doc_id -> when it last changed at its origin, for an assistant's documents that say so."""
    return catalog.origins.modified_of(workspace)
