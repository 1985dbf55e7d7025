""""View page" in a source card: the cited page with the passage highlighted, or its section in context.

One function for every page that shows sources (chat, write, test search):
:func:`view_page_button`. The library does the work and the access check
(rag/workspace/page_view.py); this draws it, with previous/next page and zoom,
and keeps the last few rendered pages in the session so paging back is instant.
"""

from __future__ import annotations

from collections import OrderedDict

import streamlit as st

from rag.errors import GroundedError
from rag.present import coloured_markdown, escape_markdown, highlighted_markdown, passage_markdown
from rag.types import Citation, Hit
from rag.workspace import page_view
from rag.workspace.access import User
from rag.workspace.runtime import Store

CACHED_PAGES = 6  # rendered pages kept per session (a PNG of a page at screen width is 100-300 kB)
ZOOMS = {"Fit": page_view.SCREEN_WIDTH_PX, "150%": 1500, "200%": 2000}


def _cache() -> OrderedDict:
    return st.session_state.setdefault("_page_view_cache", OrderedDict())


def _rendered(passage: page_view.Passage, page: int, width: int) -> page_view.PageView:
    """The page from this session's cache, or rendered now (and the oldest cached page dropped)."""
    cache = _cache()
    key = (passage.row.doc_id, passage.row.version, passage.text, passage.quote, page, width)
    if key in cache:
        cache.move_to_end(key)
        return cache[key]
    view = page_view.render(passage, page, width)
    view.image = view.png()  # keep the encoded page, not the bitmap
    cache[key] = view
    while len(cache) > CACHED_PAGES:
        cache.popitem(last=False)
    return view


def view_page_button(store: Store, user: User, source: Citation | Hit, key: str, assistant_id: str | None = None,
                     chunk_index: int | None = None) -> None:
    """A "View page" switch; when on, the cited page drawn with the passage highlighted, or its section in context.

    ``source`` is a citation (its quote is highlighted strongly) or a search hit;
    ``chunk_index`` (from the matching hit) finds the passage faster; ``assistant_id``
    limits it to that assistant's documents.
    """
    if source.ocr is not None:
        st.caption(f":material/document_scanner: {page_view.READ_BY_OCR}")
    if not st.toggle("View page", key=f"vp-{key}", help="See the passage where it is in the document"):
        return
    try:
        passage = page_view.passage(store, user, source, assistant_id=assistant_id, chunk_index=chunk_index)
    except GroundedError as err:
        st.info(escape_markdown(str(err)), icon=":material/info:")
        return
    if not page_view.is_paged(passage.row):
        _section(store, passage)
        return
    page_key = f"vp-page-{key}"
    page = st.session_state.get(page_key) or page_view.cited_page(passage)
    previous, position, following, zoom = st.columns([1, 2, 1, 2], vertical_alignment="center")
    zoom_label = zoom.segmented_control("Zoom", list(ZOOMS), default="Fit", key=f"vp-zoom-{key}",
                                        label_visibility="collapsed") or "Fit"
    try:
        view = _rendered(passage, page, ZOOMS[zoom_label])
    except GroundedError as err:
        st.info(escape_markdown(str(err)), icon=":material/info:")
        return
    previous.button("Previous", key=f"vp-prev-{key}", icon=":material/chevron_left:", disabled=page <= 1,
                    help="Previous page", on_click=st.session_state.__setitem__, args=(page_key, page - 1))
    following.button("Next", key=f"vp-next-{key}", icon=":material/chevron_right:", disabled=page >= view.pages,
                     help="Next page", on_click=st.session_state.__setitem__, args=(page_key, page + 1))
    spans = ("the passage is on pages " + "–".join(map(str, (passage.pages[0], passage.pages[-1])))
             if len(passage.pages) > 1 else "")
    position.caption(f"Page {view.page} of {view.pages}" + (f" · {spans}" if spans else ""))
    for note in view.notes:
        st.caption(f":material/info: {escape_markdown(note)}")
    st.image(view.image, caption=f"{escape_markdown(passage.row.title or passage.row.file)}, page {view.page}",
             width="content" if zoom_label != "Fit" else "stretch")


def _section(store: Store, passage: page_view.Passage) -> None:
    """A document without pages: the passage between the ones around it, its supporting words marked."""
    view = page_view.section(store, passage)
    if view.section:
        st.caption(escape_markdown(view.section))
    if view.before:
        st.markdown(coloured_markdown(view.before[-400:], "gray"))
    if view.quote:
        st.markdown(highlighted_markdown(view.passage, view.quote, colour="orange"))
    else:
        st.markdown(coloured_markdown(view.passage) if "|" not in view.passage else passage_markdown(view.passage))
    if view.after:
        st.markdown(coloured_markdown(view.after[:400], "gray"))
