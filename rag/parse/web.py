"""HTML pages (help-center exports, blog archives): headings, paragraphs, lists, tables.

Hidden content is dropped before anything is read (scripts, styles, forms,
and everything the page's styles hide: see ``hidden.py``), so text a reader
can't see can't steer the assistant either. Then the page's furniture
(menus, breadcrumbs, footers, cookie banners, "Was this article helpful?")
is left out by keeping only the blocks of its main content (``main_content.py``).
"""

from __future__ import annotations

import re
from pathlib import Path

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from ..errors import EmptyDocument
from ..types import Element, ElementKind, ParsedDocument
from . import hidden, tables, titles
from .builder import Builder
from .dates import when
from .encoding import decode
from .main_content import MainContent, find_main_content, is_furniture, is_furniture_heading

DROP_TAGS = ["script", "style", "noscript", "template", "iframe", "svg", "canvas", "nav", "head", "form", "button"]
HEADINGS = {f"h{i}": i for i in range(1, 7)}
BLOCKS = {"p", "li", "pre", "blockquote", "dd", "dt", "figcaption", "caption", "td", "th", "address"}
_CHARSET = re.compile(rb"""<meta[^>]+charset=["']?([\w-]+)""", re.IGNORECASE)


def _decode_html(data: bytes) -> str:
    m = _CHARSET.search(data[:4096])
    if m and not data.startswith((b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf")):
        try:
            return data.decode(m.group(1).decode("ascii"), errors="replace")
        except LookupError:
            pass
    return decode(data)


def visible_soup(soup: BeautifulSoup) -> BeautifulSoup:
    """The page, in place, with everything a reader can't see removed (styles are read before they go)."""
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    for tag in soup.find_all(True):
        if not tag.decomposed and (tag.has_attr("hidden") or tag.get("aria-hidden") == "true"):
            tag.decompose()
    hidden.remove_hidden(soup)
    for tag in soup(DROP_TAGS):
        tag.decompose()
    return soup


# Tags that start a new line on screen: their text is kept apart from the text around them.
_BREAKS = {
    "br", "hr", "p", "div", "li", "td", "th", "tr", "table", "ul", "ol", "dl", "dd", "dt", "pre", "blockquote",
    "section", "article", "main", "header", "footer", "aside", "figure", "figcaption", "caption", "address",
    *HEADINGS,
}
_WHITESPACE = re.compile(r"\s+")
_GAP = object()


def _text(tag: Tag) -> str:
    """A tag's text as a reader sees it: inline parts joined as they are ("<b>a</b>ssets" -> "assets",
    "Open <b>Settings</b>." -> "Open Settings."), blocks and line breaks apart."""
    out: list[str] = []
    stack: list = [tag]
    while stack:  # iterative: deeply nested pages must not hit the recursion limit
        node = stack.pop()
        if node is _GAP:
            out.append(" ")
        elif type(node) is NavigableString:
            out.append(str(node))
        elif isinstance(node, Tag):
            if node.name in _BREAKS:
                out.append(" ")
                stack.append(_GAP)
            stack.extend(reversed(node.contents))
    return _WHITESPACE.sub(" ", "".join(out)).strip()


def _linked(tag: Tag) -> bool:
    """Is most of this block's text link text (a menu entry, a breadcrumb, a related article)?"""
    total = len(_text(tag))
    return total > 0 and 2 * sum(len(_text(a)) for a in tag.find_all("a")) > total


def _layout_table(table: Tag) -> bool:
    """A table used for page layout (nested tables, cells holding whole articles): read it as text."""
    if table.find("table"):
        return True
    return any(len(_text(cell)) > tables.MAX_CELL_CHARS for cell in table.find_all(["td", "th"]))


CONTAINERS = {"div", "section", "article", "main", "header", "footer", "aside", "dl", "figure"}

# A line of links such as "Help Center › Billing › Plans": a breadcrumb trail.
_CRUMBS = re.compile(r"^\s*[^›»>/|]{1,60}(\s*[›»>/|]\s*[^›»>/|]{1,60}){1,6}\s*$")
# Class, id and ARIA names the help-center and blog themes give their widgets (Zendesk, Intercom, Help Scout,
# Freshdesk, WordPress): related and popular articles, breadcrumbs, article votes, share buttons.
_FURNITURE_NAMES = re.compile(
    r"(^|[-_\s])(related|breadcrumbs?|crumbs|article-votes?|votes?|voting|article-feedback|feedback-(form|widget|block)|"
    r"helpful|was-this-helpful|article-rating|reactions?|reaction-picker|share-(buttons|links|bar|this)|social-(share|links)|"
    r"sharing|sharedaddy|yarpp|relatedposts|recently-viewed|recent-articles|popular-articles|promoted-articles|"
    r"see-also|post-navigation|nav-links|comments-area|article-footer|article-sidebar|section-articles)([-_\s]|$)",
    re.IGNORECASE,
)
FURNITURE_BOX_WORDS = 80  # a widget box holding more words than this, most of them not links, is kept


def _drop_furniture_boxes(body: Tag) -> None:
    """Remove the boxes a site's theme names as furniture (``class="related-articles"``, ``aria-label="Breadcrumb"``)
    when they look it too: short, or mostly links. A box of prose is kept whatever it is called."""
    for tag in body.find_all(True):
        if tag.decomposed or tag.name in ("html", "body", "main", "article"):
            continue
        names = " ".join([*tag.get("class", []), tag.get("id") or "", tag.get("aria-label") or "", tag.get("role") or ""])
        if not names.strip() or not _FURNITURE_NAMES.search(names.replace(" ", "  ")):
            continue
        if len(_text(tag).split()) <= FURNITURE_BOX_WORDS or _linked(tag):
            tag.decompose()


class _PageReader:
    """Reads a cleaned page into elements; with ``main`` only the blocks that belong to its main content.

    Headings are held back until a block under them is kept, so the
    headings of furniture ("Related articles", "Was this article helpful?")
    go with it, while the article's headings (which extractors often drop
    as "the title") still give its blocks their heading path.
    """

    def __init__(self, name: str, main: MainContent | None, site: bool = True):
        self.b = Builder(name)
        self.main = main
        self.site = site  # a site's page (not an e-mail): its furniture sections are left out
        self.inline: list[tuple[str, bool]] = []  # text run not yet in a block: (piece, inside a link)
        self.held: list[tuple[str, int]] = []
        self.depth = 0  # containers the walk is inside
        self.furniture: tuple[int, int] | None = None  # (heading level, depth) of a furniture section being skipped

    def heading(self, text: str, level: int) -> None:
        self.flush_inline()
        if self.furniture is not None and level <= self.furniture[0]:
            self.furniture = None  # the next section of the page
        if self.site and is_furniture_heading(text):
            # "Related articles", "Was this helpful?": the heading and everything under it, until the
            # next heading as high or the end of the box it is in
            self.furniture = (level, self.depth)
            return
        if self.furniture is not None:
            return
        if self.main is None:
            self.b.title(text, level)
            return
        self.held = [(t, lv) for t, lv in self.held if lv < level] + [(text, level)]

    def leave(self) -> None:
        """The walk left a container: a furniture section that started in it ends with it."""
        self.depth -= 1
        if self.furniture is not None and self.depth < self.furniture[1]:
            self.furniture = None

    def add(self, text: str, kind: ElementKind = "text", checked: bool = False, linked: bool = False) -> None:
        if not text.strip() or is_furniture(text) or self.furniture is not None or (linked and _CRUMBS.match(text)):
            return
        if self.main is not None and not checked and not self.main.keeps(text, linked):
            return
        for held_text, level in self.held:
            self.b.title(held_text, level)
        self.held.clear()
        self.b.add(text, kind)

    def flush_inline(self) -> None:
        if self.inline:
            text = "".join(t for t, _ in self.inline)
            linked = sum(len(t.strip()) for t, in_link in self.inline if in_link)
            self.add(text, linked=linked * 2 > len(text.strip()))
            self.inline.clear()

    def table(self, table: Tag) -> None:
        rows = [[_text(c) for c in tr.find_all(["td", "th"])] for tr in table.find_all("tr")]
        if self.main is None or self.main.keeps_table(rows):
            self.add(tables.to_markdown(rows), "table", checked=True)

    def items(self, items: list[Tag], numbered: bool) -> None:
        """A list's kept items; an ordered list keeps its numbers, so "step 3" can still be found."""
        texts = [(n, _text(li), _linked(li)) for n, li in enumerate(items, 1)]
        kept = [(n, i) for n, i, linked in texts
                if i and not is_furniture(i) and (self.main is None or self.main.keeps(i, linked))]
        if kept:
            self.add("\n".join(f"{n}. {i}" if numbered else f"- {i}" for n, i in kept), "list", checked=True)

    def walk(self, node: Tag, in_link: bool = False) -> None:
        for child in node.children:
            if isinstance(child, str):
                if type(child) is NavigableString:  # joined as written: "<b>a</b>ssets" is one word
                    self.inline.append((_WHITESPACE.sub(" ", child), in_link))
                continue
            if not isinstance(child, Tag):
                continue
            tag = child.name
            if tag in HEADINGS:
                self.heading(_text(child), HEADINGS[tag])
            elif tag == "table":
                self.flush_inline()
                if _layout_table(child):
                    self.walk(child, in_link)
                else:
                    self.table(child)
            elif tag in ("ul", "ol"):
                self.flush_inline()
                if child.find(["table", "h1", "h2", "h3", "h4", "h5", "h6"]):
                    self.walk(child, in_link)
                else:
                    self.items(child.find_all("li", recursive=False), numbered=tag == "ol")
            elif tag in BLOCKS:
                self.flush_inline()
                if child.find(["table", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "p", "div"]):
                    self.walk(child, in_link)
                else:
                    self.add(child.get_text() if tag == "pre" else _text(child), linked=_linked(child))
            elif tag == "br":
                self.inline.append(("\n", in_link))
            elif tag in CONTAINERS:
                self.flush_inline()
                self.depth += 1
                self.walk(child, in_link)
                self.flush_inline()
                self.leave()
            else:
                self.walk(child, in_link or tag == "a")


MAX_DEPTH = 200  # the walk recurses once per level; pages nest 20-40 deep


def _flatten_deep(root: Tag) -> None:
    """Unwrap elements nested deeper than ``MAX_DEPTH`` (broken or hostile pages), keeping their text in order."""
    deep: list[Tag] = []
    stack = [(root, 0)]
    while stack:
        tag, depth = stack.pop()
        for child in tag.find_all(True, recursive=False):
            if depth >= MAX_DEPTH:
                deep.append(child)
            stack.append((child, depth + 1))
    for tag in deep:
        tag.unwrap()


def _read(body: Tag, name: str, main: MainContent | None, site: bool = True) -> list[Element]:
    reader = _PageReader(name, main, site)
    reader.walk(body)
    reader.flush_inline()
    return reader.b.elements


def _page_titles(soup: BeautifulSoup) -> list[str]:
    """The page's own names for itself, best first: ``<title>``, then og:title."""
    found = [soup.title.get_text(" ", strip=True)] if soup.title else []
    meta = soup.find("meta", attrs={"property": "og:title"}) or soup.find("meta", attrs={"name": "title"})
    if meta is not None and meta.get("content"):
        found.append(str(meta["content"]))
    return found


# Where a page says when it last changed, most specific first (Open Graph, Dublin Core, schema.org, plain meta).
_MODIFIED_META = (
    ("property", "article:modified_time"), ("property", "og:updated_time"), ("itemprop", "dateModified"),
    ("name", "last-modified"), ("http-equiv", "last-modified"), ("name", "dcterms.modified"),
    ("name", "dc.date.modified"), ("name", "revised"),
)


def page_address(soup: BeautifulSoup) -> str | None:
    """The page's own address for itself: its canonical link, else og:url (absolute http(s) only)."""
    links = [t.get("href") for t in soup.find_all("link", href=True) if "canonical" in [r.lower() for r in t.get("rel", [])]]
    meta = soup.find("meta", attrs={"property": "og:url"})
    for candidate in (*links[:1], meta.get("content") if meta else None):
        if candidate and str(candidate).strip().lower().startswith(("http://", "https://")):
            return str(candidate).strip()
    return None


def page_modified(soup: BeautifulSoup) -> float | None:
    """When the page says it last changed (meta tags, a schema.org dateModified), epoch seconds."""
    for attr, value in _MODIFIED_META:
        for tag in soup.find_all(["meta", "time"], attrs={attr: re.compile(f"^{re.escape(value)}$", re.I)}):
            stamp = when(tag.get("content") or tag.get("datetime"))
            if stamp is not None:
                return stamp
    return None


def parse_html_text(html: str, name: str, main_content_only: bool = True) -> ParsedDocument:
    """A page's elements; with ``main_content_only`` its furniture (menus, footers, banners) is left out.

    When the extractor finds no main content, or none that our walk can place,
    the whole visible page is read: a page is never lost to the filter.
    """
    soup = BeautifulSoup(html, "lxml")
    page_titles = _page_titles(soup)
    url, modified = page_address(soup), page_modified(soup)
    visible_soup(soup)
    body = soup.body or soup
    _flatten_deep(body)
    if main_content_only:
        _drop_furniture_boxes(body)
    main = find_main_content(str(soup)) if main_content_only else None
    elements = _read(body, name, main, main_content_only)
    if main is not None and not any(e.kind != "title" for e in elements):
        elements = _read(body, name, None, main_content_only)
    if not elements and page_titles:
        elements = [Element(titles.tidy(page_titles[0]), "text", None, (), name)]
    headings = [e.text for e in elements if e.kind == "title"]
    first_h1 = next((_text(h) for h in body.find_all("h1")), None)
    title = titles.choose([*page_titles, first_h1, *headings[:1]], name, headings=[h for h in (first_h1, *headings) if h])
    return ParsedDocument(name, elements, title=title, url=url, modified=modified)


def parse_html(path: Path, name: str) -> ParsedDocument:
    data = path.read_bytes()
    if not data.strip():
        raise EmptyDocument("This file is empty.")
    return parse_html_text(_decode_html(data), name)
