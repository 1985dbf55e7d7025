"""The exports people download from their help center or wiki, read as one document per article.

Recognised by what they hold, not only by their names:

- **Notion** "Markdown & CSV" export (a ZIP): pages are ``.md`` files whose file and
  folder names end in the page's 32-character hex id (``Set up SSO 0f3c…9a.md``), a
  page's sub-pages sit in a folder of the same name, a database is ``<name> <id>.csv``
  (the view) and ``<name> <id>_all.csv`` (every row) plus one ``.md`` per row, images
  sit beside the pages. The ids are stripped from titles and names, the folder chain
  becomes the heading path, a row's "Last edited time" its date, and
  ``https://www.notion.so/<id>`` its address (it opens for the workspace's members).
- **Confluence** HTML space export (a ZIP): ``index.html``, one ``Title_<pageId>.html``
  per page, ``attachments/<pageId>/<id>.<ext>``, ``styles/`` and ``images/``. The
  title is ``#title-text`` (without its "Space : " prefix), the parent chain
  ``#breadcrumbs``, the body ``#main-content``, the date "last modified on …" in
  ``.page-metadata``; the address is rebuilt from the site address the page's own
  attachments name (``data-base-url``) and the page id.
- **Zendesk Guide** and **Intercom** articles JSON, as their articles APIs return it
  (a file, a ZIP of such files, or a folder of them handed over one by one):
  Zendesk's ``{"articles": [...]}`` (or ``{"article": {...}}``), with ``title``,
  ``html_url``, ``body`` (HTML), ``updated_at``/``edited_at``, ``locale``,
  ``section_id`` and, when fetched with ``?include=sections,categories``, the
  section and category names beside them; Intercom's ``{"type": "list", "data":
  [{"type": "article", ...}]}`` with ``title``, ``url``, ``body``, ``updated_at``
  (Unix time), ``state`` and ``parent_id`` (a collection, named when the
  collections list is in the same ZIP). Drafts are left out: they aren't published.
- **HubSpot** knowledge-base CSV (the columns its import and export use: ``URL``,
  ``Title``, ``Category``, ``Subcategory``, ``Article Body``, ...).

Each article becomes a small HTML page, kept as its own original:
its ``<title>``, a canonical link to its live address, a ``last-modified`` meta
tag and, as headings above the title, its place in the help center
(``Billing > Plans > Change your plan``); the body's own headings move below
the title. The HTML parser reads all of that back (``web.py``), so an article
is cited with its title, section and live address like any web page. Notion
pages, written in Markdown, become Markdown with the same facts in front matter.

Everything here is a pure function of the bytes: no network, no store.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from bs4 import BeautifulSoup

from ..errors import FileTooLarge, GroundedError, UnsupportedFile
from ..settings import Limits
from . import archive
from .dates import iso, when

Sources = Iterator[tuple[str, "bytes | GroundedError"]]

_HEX_ID = re.compile(r"(?:^|[ _-])([0-9a-f]{32})$")
_EXPORT_WRAPPER = re.compile(r"^Export-[0-9a-f-]{32,36}$", re.I)
_CONFLUENCE_PAGE = re.compile(r"(?:^|_)(\d+)\.html$")
_IMAGES = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".bmp", ".tif", ".tiff", ".heic")
IMAGE_NOTE = "An image beside the pages of the export: text inside images isn't read yet, so it was left out."
DRAFT_NOTE = "A draft, not a published article, so it was left out."
VIEW_NOTE = "A filtered view of a Notion database: its rows are read from the database's _all.csv and its pages."


@dataclass(frozen=True)
class Article:
    """One article of an export: what its document says about it."""

    title: str
    body: str  # HTML (Markdown for Notion pages)
    url: str | None = None
    updated: float | None = None  # epoch seconds
    path: tuple[str, ...] = ()  # its place in the help center or wiki, outermost first
    locale: str | None = None
    key: str = ""  # its id in the export: tells apart two articles with one title


# --- writing an article as its own small document ---

def _shift_html_headings(body: str, by: int) -> str:
    """The body with every heading moved ``by`` levels down (at most h6), so it sits under the title."""
    if not by:
        return body
    soup = BeautifulSoup(body, "lxml")
    for tag in soup.find_all(re.compile(r"^h[1-6]$")):
        tag.name = f"h{min(6, int(tag.name[1]) + by)}"
    root = soup.body or soup
    return "".join(str(child) for child in root.contents)


def article_html(article: Article) -> bytes:
    """The article as an HTML page: title, canonical link, date, its place as headings, then the body."""
    head = [f"<title>{html.escape(article.title)}</title>"]
    if article.url and article.url.lower().startswith(("http://", "https://")):
        head.append(f'<link rel="canonical" href="{html.escape(article.url, quote=True)}">')
    if article.updated is not None:
        head.append(f'<meta name="last-modified" content="{iso(article.updated)}">')
    levels = [*article.path, article.title][:6]
    headings = "".join(f"<h{n}>{html.escape(text)}</h{n}>" for n, text in enumerate(levels, 1))
    lang = f' lang="{html.escape(article.locale, quote=True)}"' if article.locale else ""
    page = (f'<!doctype html><html{lang}><head><meta charset="utf-8">{"".join(head)}</head>'
            f"<body><article>{headings}\n{_shift_html_headings(article.body, len(levels))}</article></body></html>")
    return page.encode("utf-8")


_MD_HEADING = re.compile(r"^(#{1,6})(\s)", re.M)


def article_markdown(article: Article) -> bytes:
    """A Markdown article (a Notion page) with its facts in front matter and its place as headings."""
    front = [f"title: {json.dumps(article.title, ensure_ascii=False)}"]
    if article.url:
        front.append(f"url: {article.url}")
    if article.updated is not None:
        front.append(f"updated: {iso(article.updated)}")
    levels = [*article.path, article.title][:6]
    headings = "\n".join(f"{'#' * n} {text}" for n, text in enumerate(levels, 1))
    body, in_code = [], False
    for line in article.body.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            in_code = not in_code
        if not in_code:
            line = _MD_HEADING.sub(lambda m: "#" * min(6, len(m.group(1)) + len(levels)) + m.group(2), line)
        body.append(line)
    return ("---\n" + "\n".join(front) + "\n---\n" + headings + "\n\n" + "\n".join(body).strip() + "\n").encode("utf-8")


def _segment(text: str) -> str:
    """A title made safe as one part of a document name (no folders, no odd characters)."""
    cleaned = re.sub(r"[\\/:*?\"<>|\x00-\x1f]+", " ", text)
    return " ".join(cleaned.split()).strip(" .")[:100] or "untitled"


class _Names:
    """Document names for articles: ``display/Section/Title (id).html``, the same on every import.

    The export's id keeps two articles with one title apart, and keeps the name
    stable when the title is reworded elsewhere in the help center. (It also keeps the
    name from being the title itself, which the title rules take for a file name.)
    """

    def __init__(self, display: str):
        self.display = display
        self.taken: set[str] = set()

    def __call__(self, article: Article, suffix: str = ".html") -> str:
        folder = "/".join(_segment(p) for p in article.path)
        base = f"{self.display}/{folder + '/' if folder else ''}{_segment(article.title)} ({_segment(article.key)})"
        name, n = base + suffix, 1
        while name in self.taken:  # the same id twice in one export
            n += 1
            name = f"{base} {n}{suffix}"
        self.taken.add(name)
        return name


# --- recognising an export ---

def _is_zip(display: str, data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04" or display.lower().endswith(".zip")


def _json(data: bytes) -> object | None:
    """The JSON document ``data`` holds, or None; FileTooLarge past :data:`JSON_MAX_MB` (checked before reading it:
    its objects take about ten times its bytes)."""
    start = data.lstrip()[:1]
    if start not in (b"{", b"["):
        return None
    if len(data) > JSON_MAX_MB * archive.MB:
        raise FileTooLarge(f"This JSON file is larger than {JSON_MAX_MB} MB, the limit for one; export the articles "
                           "in smaller files (a page of results each) and upload those.")
    try:
        return json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None


def _article_records(doc: object) -> list[dict] | None:
    """The article objects of a Zendesk or Intercom JSON document (a list, a page of results, or one), or None."""
    if isinstance(doc, dict):
        if isinstance(doc.get("articles"), list):  # Zendesk: a page of results
            records = doc["articles"]
        elif isinstance(doc.get("article"), dict):  # Zendesk: one article
            records = [doc["article"]]
        elif doc.get("type") == "list" and isinstance(doc.get("data"), list):  # Intercom: a page of results
            records = doc["data"]
        elif doc.get("type") == "article":  # Intercom: one article
            records = [doc]
        else:
            return None
    elif isinstance(doc, list):
        records = doc
    else:
        return None
    articles = [r for r in records if isinstance(r, dict) and "title" in r and "body" in r]
    if not articles or len(articles) < len(records) / 2:
        return None
    if not any(k in articles[0] for k in ("html_url", "section_id", "url", "parent_id", "state", "type")):
        return None  # some other list of titled things
    return articles


def _csv_key(name: str) -> str:
    return re.sub(r"[\s_\-]+", "", name.strip().lower().lstrip("\ufeff"))


def _csv_header(data: bytes) -> list[str]:
    from .encoding import decode

    first = decode(data[:20000]).lstrip("\ufeff").splitlines()[:1]
    return next(csv.reader(first), []) if first else []


def _is_hubspot_csv(data: bytes) -> bool:
    keys = {_csv_key(h) for h in _csv_header(data)}
    return "title" in keys and ("articlebody" in keys or "body" in keys) and ("url" in keys or "category" in keys)


def _hex_id(part: str) -> str | None:
    m = _HEX_ID.search(PurePosixPath(part).stem if "." in part else part)
    return m.group(1) if m else None


def _looks_like_notion(names: list[str]) -> bool:
    pages = [n for n in names if n.lower().endswith((".md", ".csv"))]
    with_ids = [n for n in pages if _hex_id(PurePosixPath(n).name)]
    return bool(with_ids) and len(with_ids) * 2 >= len(pages) and any(n.lower().endswith(".md") for n in with_ids)


def _peek(data: bytes, wanted: list[str], limit: int) -> Iterator[tuple[str, bytes]]:
    """The first ``limit`` bytes of each wanted member (names as :func:`archive.member_names` gives them), in order."""
    wanted_set = set(wanted)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = [i for i in zf.infolist() if not i.is_dir()]
            for info, name in zip(infos, archive.unique_names([i.filename for i in infos])):
                if name in wanted_set and not info.flag_bits & 0x1:
                    with zf.open(info) as fh:
                        yield name, fh.read(limit)
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError, NotImplementedError, EOFError):
        return


def _looks_like_confluence(data: bytes, names: list[str]) -> bool:
    if not any(PurePosixPath(n).name == "index.html" for n in names):
        return False
    pages = [n for n in names if _CONFLUENCE_PAGE.search(PurePosixPath(n).name)]
    sample = next((head for _, head in _peek(data, pages[:1], 2 * archive.MB)), b"")
    return b'id="main-content"' in sample or b'id="title-text"' in sample


_PEEK_JSON = 3  # JSON members looked into before a ZIP is taken for something else
JSON_MAX_MB = 50  # one JSON file or member is read whole (in the parse worker): at most this


def _zip_with_article_files(data: bytes, names: list[str]) -> bool:
    csvs = [n for n in names if n.lower().endswith(".csv")]
    if any(_is_hubspot_csv(head) for _, head in _peek(data, csvs, 20000)):
        return True
    jsons = [n for n in names if n.lower().endswith(".json")][:_PEEK_JSON]
    def articles_in(whole: bytes) -> bool:
        try:
            return _article_records(_json(whole)) is not None
        except FileTooLarge:  # too large to read: not looked into (it is refused when read)
            return False

    return any(articles_in(whole) for _, whole in _peek(data, jsons, JSON_MAX_MB * archive.MB + 1))


Reader = Callable[[str, bytes, Limits], Sources]


def recognise(display: str, data: bytes) -> str | None:
    """Which export this is: ``notion``, ``confluence``, ``articles`` (a ZIP of article files),
    ``articles-json`` (Zendesk or Intercom), ``hubspot``; None for anything else."""
    suffix = PurePosixPath(display).suffix.lower()
    if _is_zip(display, data):
        names = archive.member_names(data)
        if not names:
            return None
        if _looks_like_notion(names):
            return "notion"
        if _looks_like_confluence(data, names):
            return "confluence"
        return "articles" if _zip_with_article_files(data, names) else None
    if suffix in (".json", ".txt", "") and _article_records(_json(data)) is not None:
        return "articles-json"
    if suffix in (".csv", ".txt", "") and _is_hubspot_csv(data):
        return "hubspot"
    return None


def expand(display: str, data: bytes, limits: Limits | None = None) -> Sources | None:
    """The documents of an export, one per article, named ``display/...``; None when ``data`` is no export we know.

    Like the members of a ZIP, each item is (name, bytes) or (name, the reason it is left out).
    """
    kind = recognise(display, data)
    if kind is None:
        return None
    return READERS[kind](display, data, limits or Limits())


# --- Zendesk, Intercom ---

def _names_of(doc: object) -> dict[str, dict[str, dict]]:
    """Sections, categories and collections named beside the articles (Zendesk sideloads, Intercom lists)."""
    found: dict[str, dict[str, dict]] = {"sections": {}, "categories": {}, "collections": {}}
    if not isinstance(doc, dict):
        return found
    for key in ("sections", "categories"):
        for item in doc.get(key) or []:
            if isinstance(item, dict) and "id" in item:
                found[key][str(item["id"])] = item
    if doc.get("type") == "list":
        for item in doc.get("data") or []:
            if isinstance(item, dict) and item.get("type") == "collection" and "id" in item:
                found["collections"][str(item["id"])] = item
    return found


def _merge(into: dict[str, dict[str, dict]], more: dict[str, dict[str, dict]]) -> None:
    for key, items in more.items():
        into.setdefault(key, {}).update(items)


def _record_article(record: dict, names: dict[str, dict[str, dict]]) -> Article | None:
    """An Article from a Zendesk or Intercom record; None for a draft."""
    if record.get("draft") is True or record.get("state") == "draft":
        return None
    path: list[str] = []
    section = names.get("sections", {}).get(str(record.get("section_id")))
    if section:
        category = names.get("categories", {}).get(str(section.get("category_id")))
        path = [c for c in ((category or {}).get("name"), section.get("name")) if c]
    collection = names.get("collections", {}).get(str(record.get("parent_id")))
    if collection and collection.get("name"):
        path = [collection["name"]]
    body = str(record.get("body") or "")
    if record.get("description") and record.get("type") == "article":  # Intercom's summary line
        body = f"<p>{html.escape(str(record['description']))}</p>{body}"
    updated = when(record.get("edited_at")) or when(record.get("updated_at"))
    url = record.get("html_url") or (record.get("url") if record.get("type") == "article" else None)
    return Article(
        title=" ".join(str(record.get("title") or "Untitled").split()),
        body=body,
        url=str(url) if url else None,
        updated=updated,
        path=tuple(" ".join(str(p).split()) for p in path),
        locale=record.get("locale") or record.get("default_locale"),
        key=str(record.get("id") or record.get("title") or "article"),
    )


def _article_sources(display: str, records: list[dict], names: dict, named: _Names) -> Sources:
    for record in records:
        article = _record_article(record, names)
        title = " ".join(str(record.get("title") or "Untitled").split())
        if article is None:
            yield f"{display}/{_segment(title)} (draft).html", UnsupportedFile(DRAFT_NOTE)
        else:
            yield named(article), article_html(article)


def _within_entries(records: list, limits: Limits) -> list:
    """``records``, unless there are more than one upload may hold (refused before any is written)."""
    if len(records) > limits.max_zip_entries:
        raise archive.too_many_entries(limits)
    return records


def read_articles_json(display: str, data: bytes, limits: Limits) -> Sources:
    """A Zendesk or Intercom articles file: one HTML document per published article."""
    doc = _json(data)
    records = _within_entries(_article_records(doc) or [], limits)
    yield from _article_sources(display, records, _names_of(doc), _Names(display))


# --- HubSpot ---

def _hubspot_articles(data: bytes) -> Iterator[Article]:
    from .encoding import decode

    csv.field_size_limit(10_000_000)
    rows = list(csv.reader(io.StringIO(decode(data).lstrip("\ufeff"))))
    if not rows:
        return
    keys = [_csv_key(h) for h in rows[0]]

    def cell(row: list[str], *candidates: str) -> str:
        for key in candidates:
            if key in keys and keys.index(key) < len(row):
                return row[keys.index(key)].strip()
        return ""

    for n, row in enumerate(rows[1:], 1):
        title = cell(row, "title", "articletitle")
        body = cell(row, "articlebody", "body")
        if not title and not body:
            continue
        subtitle = cell(row, "subtitle", "articlesubtitle")
        yield Article(
            title=" ".join(title.split()) or "Untitled",
            body=(f"<p>{html.escape(subtitle)}</p>" if subtitle else "") + body,
            url=cell(row, "url", "articleurl") or None,
            updated=when(cell(row, "lastmodifieddate", "lastupdated", "updated", "updatedat", "modified",
                              "publishdate", "publisheddate")),
            path=tuple(p for p in (cell(row, "category"), cell(row, "subcategory")) if p),
            locale=cell(row, "language", "locale") or None,
            key=_url_slug(cell(row, "url", "articleurl")) or str(n),
        )


def _url_slug(url: str) -> str:
    """The last part of an address's path: ``https://kb.acme.com/reset-password`` -> ``reset-password``."""
    return url.split("?", 1)[0].split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1] if "//" in url else ""


def read_hubspot_csv(display: str, data: bytes, limits: Limits) -> Sources:
    """A HubSpot knowledge-base CSV: one HTML document per row."""
    named = _Names(display)
    for article in _hubspot_articles(data):
        yield named(article), article_html(article)


# --- a ZIP of article files ---

def read_article_files(display: str, data: bytes, limits: Limits) -> Sources:
    """A ZIP holding Zendesk/Intercom JSON files or HubSpot CSVs (and perhaps other documents).

    The names of sections, categories and collections are gathered from every JSON file
    first, so an article in one file is placed under a section listed in another.
    """
    from . import PARSERS

    supported = frozenset(PARSERS) | {".json"}
    def json_of(member: bytes) -> object | GroundedError | None:
        try:
            return _json(member)
        except FileTooLarge as err:  # this member is refused; the others are read
            return err

    names: dict[str, dict[str, dict]] = {}
    for _name, member in archive.iter_members(io.BytesIO(data), display, supported, limits):
        if isinstance(member, bytes) and (doc := json_of(member)) is not None and not isinstance(doc, GroundedError):
            _merge(names, _names_of(doc))
    named = _Names(display)  # articles are named by their place, whichever file of the export holds them
    for name, member in archive.iter_members(io.BytesIO(data), display, supported, limits):
        if isinstance(member, GroundedError):
            yield name, member
        elif name.lower().endswith(".json"):
            doc = json_of(member)
            if isinstance(doc, GroundedError):
                yield name, doc
                continue
            records = _article_records(doc)
            if records is not None:
                yield from _article_sources(display, _within_entries(records, limits), names, named)
            elif not any(_names_of(doc).values()):  # not a list of sections or collections either
                from . import unsupported_reason

                yield name, UnsupportedFile(unsupported_reason(name))
        elif name.lower().endswith(".csv") and _is_hubspot_csv(member):
            yield from read_hubspot_csv(name, member, limits)
        else:
            yield name, member


# --- Notion ---

def _notion_part(part: str) -> str:
    """A file or folder name without its Notion id: ``Set up SSO 0f3c…9a.md`` -> ``Set up SSO.md``."""
    path = PurePosixPath(part)
    stem, suffix = (path.stem, path.suffix) if path.suffix.lower() in (".md", ".csv") else (part, "")
    all_rows = stem.endswith("_all")
    if all_rows:
        stem = stem[: -len("_all")]
    stem = _HEX_ID.sub("", stem).strip() or stem
    return stem + ("_all" if all_rows else "") + suffix


_PROPERTY = re.compile(r"^([^:\n]{1,40}):\s+(.+)$")
_EDITED = ("last edited time", "last edited", "updated", "last updated", "last modified", "edited")


def _notion_page(text: str, fallback_title: str) -> tuple[str, str, float | None]:
    """(title, body, last edit) of a Notion page's Markdown: ``# Title``, then any property lines, then the page."""
    lines = text.replace("\r\n", "\n").lstrip("\ufeff").split("\n")
    title = fallback_title
    if lines and lines[0].startswith("# "):
        title = lines.pop(0)[2:].strip() or fallback_title
    updated = None
    n = 0
    while n < len(lines) and not lines[n].strip():
        n += 1
    while n < len(lines) and (m := _PROPERTY.match(lines[n].strip())):  # a database row's properties
        if m.group(1).strip().lower() in _EDITED:
            updated = when(m.group(2).strip())
        n += 1
    return title, "\n".join(lines).strip(), updated


def read_notion(display: str, data: bytes, limits: Limits) -> Sources:
    """A Notion "Markdown & CSV" export: a Markdown document per page, the database tables, images left out."""
    from . import PARSERS

    members = list(archive.member_names(data))
    databases = {m[: -len("_all.csv")] for m in members if m.endswith("_all.csv")}
    named = _Names(display)
    for name, member in archive.iter_members(io.BytesIO(data), display, frozenset(PARSERS) | set(_IMAGES), limits):
        inner = name[len(display) + 1:]
        parts = [p for p in inner.split("/") if not _EXPORT_WRAPPER.match(p)]
        folders = [_notion_part(p) for p in parts[:-1] if not re.fullmatch(r"[0-9a-f]{32}", p)]
        file_name = _notion_part(parts[-1])
        suffix = PurePosixPath(file_name).suffix.lower()
        clean_name = "/".join([display, *folders, file_name])
        if suffix in _IMAGES:
            yield clean_name, UnsupportedFile(IMAGE_NOTE)
        elif isinstance(member, GroundedError):
            yield clean_name, member
        elif suffix == ".csv" and inner[: -len(".csv")] in databases:
            yield clean_name[: -len(".csv")] + " (view).csv", UnsupportedFile(VIEW_NOTE)
        elif suffix == ".csv":  # every row of a database: one table document, named after the database
            yield clean_name.replace("_all.csv", ".csv"), member
        elif suffix == ".md":
            from .encoding import decode

            page_id = _hex_id(parts[-1])
            title, body, updated = _notion_page(decode(member), PurePosixPath(file_name).stem)
            article = Article(title, body, f"https://www.notion.so/{page_id}" if page_id else None, updated,
                              tuple(folders), key=(page_id or file_name)[:8])
            yield named(article, ".md"), article_markdown(article)
        else:  # a PDF or Word file attached to a page: a document of its own
            yield clean_name, member


# --- Confluence ---

def _confluence_title(soup: BeautifulSoup, crumbs: list[str], fallback: str) -> str:
    tag = soup.find(id="title-text")
    title = " ".join(tag.get_text(" ").split()) if tag else ""
    if crumbs and title.startswith(crumbs[0] + " : "):  # "Space name : Page title"
        title = title[len(crumbs[0]) + 3:]
    return title or fallback


_LAST_MODIFIED = re.compile(r"last (?:modified|updated)(?: by .+?)? on ([A-Z][a-z]{2,8}\.? \d{1,2}, \d{4})", re.I | re.S)


def confluence_article(page: bytes, file_name: str) -> Article | None:
    """An Article from one page of a Confluence HTML export; None when it isn't a page (the index, say)."""
    from .encoding import decode

    soup = BeautifulSoup(decode(page), "lxml")
    main = soup.find(id="main-content")
    if main is None:
        return None
    crumbs = [" ".join(li.get_text(" ").split()) for li in soup.select("#breadcrumbs li")]
    crumbs = [c for c in crumbs if c]
    title = _confluence_title(soup, crumbs, PurePosixPath(file_name).stem)
    metadata = soup.select_one(".page-metadata")
    found = _LAST_MODIFIED.search(" ".join(metadata.get_text(" ").split())) if metadata else None
    page_id = _CONFLUENCE_PAGE.search(PurePosixPath(file_name).name)
    base = soup.find(attrs={"data-base-url": True})
    url = None
    if base is not None and page_id and str(base["data-base-url"]).startswith(("http://", "https://")):
        url = f"{str(base['data-base-url']).rstrip('/')}/pages/viewpage.action?pageId={page_id.group(1)}"
    return Article(title, main.decode_contents(), url, when(found.group(1)) if found else None, tuple(crumbs),
                   key=page_id.group(1) if page_id else PurePosixPath(file_name).stem)


_ATTACHMENT_LINK = re.compile(rb'href="(attachments/\d+/[^"?#]+)"[^>]*>\s*([^<]{1,200}?)\s*</a>')


def read_confluence(display: str, data: bytes, limits: Limits) -> Sources:
    """A Confluence HTML space export: an HTML document per page, attachments under their own names.

    The export's own furniture (``styles/``, ``images/`` icons, the ``index.html`` page tree)
    is left out; images attached to pages are reported as left out.
    """
    from . import PARSERS

    supported = frozenset(PARSERS) | set(_IMAGES)
    attachment_names: dict[str, str] = {}  # "SPACE/attachments/1/2.pdf" -> "Price list.pdf"
    for name, member in archive.iter_members(io.BytesIO(data), display, frozenset({".html"}), limits):
        if isinstance(member, bytes):
            folder = name[len(display) + 1:].rsplit("/", 1)[0] + "/" if "/" in name[len(display) + 1:] else ""
            for href, text in _ATTACHMENT_LINK.findall(member):
                attachment_names[folder + href.decode("utf-8", "replace")] = text.decode("utf-8", "replace")
    named = _Names(display)
    for name, member in archive.iter_members(io.BytesIO(data), display, supported, limits):
        inner = name[len(display) + 1:]
        parts = inner.split("/")
        if {"styles", "images"} & set(parts[:-1]) and "attachments" not in parts:
            continue  # the export's stylesheets and icons
        if "attachments" in parts:
            label = attachment_names.get(inner)
            shown = f"{name.rsplit('/', 1)[0]}/{_segment(label)}" if label else name
            if shown.lower().endswith(_IMAGES) or name.lower().endswith(_IMAGES):
                yield shown, UnsupportedFile(IMAGE_NOTE)
            elif label and PurePosixPath(label).suffix.lower() != PurePosixPath(name).suffix.lower():
                yield name, member  # the link's text is no file name: keep the export's own
            else:
                yield shown, member
            continue
        if isinstance(member, GroundedError):
            yield name, member
        elif name.lower().endswith(".html"):
            article = confluence_article(member, parts[-1])
            if article is not None:
                yield named(article), article_html(article)
            elif parts[-1] != "index.html":
                yield name, member
        else:
            yield name, member


READERS: dict[str, Reader] = {
    "notion": read_notion,
    "confluence": read_confluence,
    "articles": read_article_files,
    "articles-json": read_articles_json,
    "hubspot": read_hubspot_csv,
}
