"""HTML pages (help-center exports, blog archives): headings, paragraphs, lists, tables.

Hidden content is dropped before anything is read — scripts, styles,
navigation chrome, elements hidden with ``hidden``/``display:none``/
``visibility:hidden``, and white or transparent text — so text a reader
can't see can't steer the assistant either.
"""

from __future__ import annotations

import re
from pathlib import Path

from bs4 import BeautifulSoup, Comment, Tag

from ..errors import EmptyDocument
from ..types import ParsedDocument
from . import tables
from .builder import Builder
from .text import decode

DROP_TAGS = ["script", "style", "noscript", "template", "iframe", "svg", "canvas", "nav", "head", "form", "button"]
_HIDDEN_STYLE = re.compile(
    r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0(?![.\d]*[1-9])|opacity\s*:\s*0(?![.\d]*[1-9])"
    r"|(?<![-\w])color\s*:\s*(#fff\b|#ffffff\b|white\b|transparent\b|rgba?\(\s*255\s*,\s*255\s*,\s*255)",
    re.IGNORECASE,
)
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


def _hidden(tag: Tag) -> bool:
    if tag.has_attr("hidden") or tag.get("aria-hidden") == "true":
        return True
    style = tag.get("style")
    return bool(style and _HIDDEN_STYLE.search(str(style)))


def visible_soup(html: str) -> BeautifulSoup:
    """The page with everything a reader can't see removed."""
    soup = BeautifulSoup(html, "lxml")
    for tag in soup(DROP_TAGS):
        tag.decompose()
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    for tag in soup.find_all(True):
        if not tag.decomposed and _hidden(tag):
            tag.decompose()
    return soup


def parse_html_text(html: str, name: str) -> ParsedDocument:
    soup = visible_soup(html)
    page_title = soup.title.get_text(" ", strip=True) if soup.title else None
    b = Builder(name)
    body = soup.body or soup
    pending: list[str] = []

    def flush_inline():
        if pending:
            b.add(" ".join(pending))
            pending.clear()

    def walk(node: Tag) -> None:
        for child in node.children:
            if isinstance(child, str):
                if child.strip():
                    pending.append(child.strip())
                continue
            if not isinstance(child, Tag):
                continue
            name_ = child.name
            if name_ in HEADINGS:
                flush_inline()
                b.title(child.get_text(" ", strip=True), HEADINGS[name_])
            elif name_ == "table":
                flush_inline()
                if child.find("table"):  # layout table: read its cells as text
                    walk(child)
                else:
                    rows = [
                        [c.get_text(" ", strip=True) for c in tr.find_all(["td", "th"])] for tr in child.find_all("tr")
                    ]
                    md = tables.to_markdown(rows)
                    if md:
                        b.add(md, "table")
            elif name_ in ("ul", "ol"):
                flush_inline()
                items = [li.get_text(" ", strip=True) for li in child.find_all("li", recursive=False)]
                nested_blocks = child.find(["table", "h1", "h2", "h3", "h4", "h5", "h6"])
                if nested_blocks:
                    walk(child)
                elif items:
                    b.add("\n".join(f"- {i}" for i in items if i), "list")
            elif name_ in BLOCKS:
                flush_inline()
                if child.find(["table", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "p", "div"]):
                    walk(child)
                else:
                    b.add(child.get_text(" " if name_ != "pre" else "", strip=name_ != "pre"))
            elif name_ == "br":
                pending.append("\n")
            elif name_ in ("div", "section", "article", "main", "header", "footer", "aside", "body", "span", "a", "strong", "em", "b", "i", "font", "center", "dl", "figure", "tbody", "tr", "html"):
                if name_ in ("div", "section", "article", "main", "header", "footer", "aside", "dl", "figure"):
                    flush_inline()
                walk(child)
                if name_ in ("div", "section", "article", "main", "header", "footer", "aside", "dl", "figure"):
                    flush_inline()
            else:
                walk(child)

    walk(body)
    flush_inline()
    if not b.elements and page_title:
        b.add(page_title)
    title = page_title or next((e.text for e in b.elements if e.kind == "title"), None)
    return ParsedDocument(name, b.elements, title=title)


def parse_html(path: Path, name: str) -> ParsedDocument:
    data = path.read_bytes()
    if not data.strip():
        raise EmptyDocument("This file is empty.")
    return parse_html_text(_decode_html(data), name)
