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
    catalog.execute(
        "INSERT INTO doc_origins(doc_id, url, modified) VALUES (?, ?, ?) "
        "ON CONFLICT(doc_id) DO UPDATE SET url = excluded.url, modified = excluded.modified",
        (doc_id, url, modified),
    )


def forget(catalog, doc_id: str) -> None:
    catalog.execute("DELETE FROM doc_origins WHERE doc_id = ?", (doc_id,))


def origin_of(catalog, doc_id: str) -> tuple[str | None, float | None]:
    """(live address, last change) of a document, each None when unknown."""
    rows = catalog.query("SELECT url, modified FROM doc_origins WHERE doc_id = ?", (doc_id,))
    return (rows[0]["url"], rows[0]["modified"]) if rows else (None, None)


def url_of(catalog, doc_id: str) -> str:
    """The document's live address, or "" when it has none."""
    rows = catalog.query("SELECT url FROM doc_origins WHERE doc_id = ?", (doc_id,))
    return (rows[0]["url"] or "") if rows else ""


def modified_of(catalog, workspace: str) -> dict[str, float]:
    """doc_id -> when it last changed at its origin, for an assistant's documents that say so."""
    rows = catalog.query(
        "SELECT o.doc_id, o.modified FROM doc_origins o JOIN documents d ON d.doc_id = o.doc_id "
        "WHERE d.workspace = ? AND o.modified IS NOT NULL", (workspace,))
    return {r["doc_id"]: r["modified"] for r in rows}
