"""Reading a site by its address: which pages it has, and each one fetched politely and safely.

What it does, in order:

1. ``robots.txt`` is read first (RFC 9309: the longest matching rule wins, ``*`` and
   ``$`` patterns, the group for our product token ``GroundedBot`` or else ``*``;
   a missing file allows everything, a server error forbids everything, as the RFC
   says). Its ``Crawl-delay`` slows us down further; its ``Sitemap:`` lines are used.
2. The pages come from the sitemap when there is one (``Sitemap:`` lines, else
   ``sitemap.xml`` under the address, else at the site's root; sitemap indexes and
   gzipped sitemaps are followed), keeping those on the same host under the
   address's path and matching the include/exclude patterns. Otherwise links are
   followed from the address, breadth first, on the same host and under the same
   path, to a depth limit. Documents a page links to on the same host (PDFs, Word,
   slides, spreadsheets, text) are fetched too, wherever they sit on that host.
3. Every request: a user agent naming the product, a polite pace (2 requests a
   second by default, settable, slower if robots.txt asks), a time limit for the
   whole response (connecting, headers and body together: :mod:`rag.netguard`'s total
   deadline, which a server sending a byte at a time can't stretch), a size cap (the body is streamed and dropped past it),
   redirects followed by hand (at most 5, each hop checked against the scope and
   robots.txt), content types checked (HTML pages and the document types Grounded
   reads; anything else is skipped with the reason). A page that asks not to be
   indexed (``<meta name="robots" content="noindex">``) isn't; ``nofollow`` is obeyed.
4. A page known from a previous sync is asked for conditionally (``If-None-Match``
   with its ETag, ``If-Modified-Since`` with its Last-Modified): an unchanged page
   costs one request and a ``304``. When the sitemap gives a ``lastmod`` equal to the
   one stored, the page isn't requested at all, except once every ``recheck_days``
   (a sitemap's dates are not always kept up to date).

Safety: every request goes through :func:`rag.netguard.http_client`, whose
transport refuses private, loopback, link-local and other internal addresses
when each connection is opened (redirects and names that re-resolve included)
unless the owner allows them (``GROUNDED_ALLOW_PRIVATE_URLS``). XML is parsed
with entity expansion, DTDs and network access off, within a size cap (gzip
included).

The HTTP client is httpx, already a dependency (the OpenAI client uses it) and
the one the guard is built on. langchain-community's ``SitemapLoader`` and
``RecursiveUrlLoader`` are not used: both fetch with ``requests``/``aiohttp``
(``RecursiveUrlLoader``'s async path even turns TLS checks off), so the address
guard can't sit under their connections; neither reads robots.txt, sends
conditional requests, caps a response's size or time, nor reports why a page was
left out; ``requests_per_second`` in ``SitemapLoader`` bounds concurrency, not the pace.

Nothing here indexes anything: :func:`crawl` yields what it found, page by page,
and :mod:`rag.ingest.sources` decides what to index, keep or remove.
"""

from __future__ import annotations

import fnmatch
import hashlib
import re
import threading
import time
import zlib
from collections import deque
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import PurePosixPath
from typing import Literal
from urllib.parse import quote, unquote, urljoin, urlsplit, urlunsplit

import httpx
from lxml import etree
from lxml import html as lxml_html

from .. import parse
from ..errors import GroundedError
from ..netguard import check_url, http_client
from ..parse.dates import when

PRODUCT_TOKEN = "GroundedBot"
USER_AGENT = f"{PRODUCT_TOKEN}/0.1 (Grounded knowledge assistant: imports a site its owner added)"
MB = 1024 * 1024
REDIRECTS = (301, 302, 303, 307, 308)

# What a response's content type says it is: the suffix its document is named with.
CONTENT_TYPES = {
    "text/html": ".html",
    "application/xhtml+xml": ".html",
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "text/markdown": ".md",
    "text/x-markdown": ".md",
    "text/csv": ".csv",
    "text/plain": ".txt",
}
PAGE_SUFFIXES = {".html", ".htm", ".php", ".asp", ".aspx", ".jsp", ""}
DOCUMENT_SUFFIXES = frozenset(parse.SUPPORTED_EXTENSIONS) - {".html", ".htm", ".zip", ".eml"}
# Links never worth a request: media, styles, scripts, fonts, archives.
NOT_CONTENT = re.compile(
    r"\.(png|jpe?g|gif|svg|webp|ico|bmp|tiff?|heic|mp[34]|m4[av]|mov|avi|webm|wav|ogg|css|js|mjs|json|xml|rss|atom|"
    r"woff2?|ttf|otf|eot|zip|gz|tgz|rar|7z|dmg|exe|msi|apk|iso)$", re.IGNORECASE)


@dataclass(frozen=True)
class CrawlOptions:
    """How a site is read; saved with its source, so every sync reads it the same way."""

    include: tuple[str, ...] = ()  # only addresses matching one of these (a path prefix, or a pattern with *)
    exclude: tuple[str, ...] = ()  # never addresses matching any of these
    max_pages: int = 500
    max_depth: int = 5  # links followed from the address, when there is no sitemap
    requests_per_second: float = 2.0
    timeout_s: float = 20.0  # for a whole response, headers and body
    max_page_mb: float = 10.0
    max_redirects: int = 5
    recheck_days: float = 7.0  # a page the sitemap says is unchanged is still asked this often

    def as_dict(self) -> dict:
        return {**asdict(self), "include": list(self.include), "exclude": list(self.exclude)}

    @classmethod
    def from_dict(cls, data: dict) -> "CrawlOptions":
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["include"] = tuple(known.get("include") or ())
        known["exclude"] = tuple(known.get("exclude") or ())
        return cls(**known)

    def checked(self) -> "CrawlOptions":
        """These options, or a plain error saying which one is out of range."""
        if self.max_pages < 1:
            raise GroundedError("The most pages to read must be at least 1.")
        if self.max_depth < 0:
            raise GroundedError("The link depth can't be negative.")
        if not 0 < self.requests_per_second <= 10:
            raise GroundedError("The pace must be between 0.1 and 10 requests a second (be kind to the site).")
        if self.timeout_s <= 0 or self.max_page_mb <= 0:
            raise GroundedError("The time limit and the page size limit must be positive.")
        return self


# --- addresses ---

def normalise(url: str) -> str:
    """One spelling per address: no fragment, lower-case scheme and host, no default port, a path."""
    parts = urlsplit(url.strip())
    scheme, host = parts.scheme.lower(), (parts.hostname or "").lower()
    port = parts.port
    netloc = host if port is None or (scheme, port) in (("http", 80), ("https", 443)) else f"{host}:{port}"
    return urlunsplit((scheme, netloc, parts.path or "/", parts.query, ""))


def absolute(base: str, href: str) -> str | None:
    """``href`` as a full address from the page at ``base``; None for a malformed one (a bad port, a broken IPv6 host)."""
    try:
        return normalise(urljoin(base, href))
    except ValueError:
        return None


def _matches(pattern: str, path: str) -> bool:
    """A pattern with ``*``, ``?`` or ``[`` is matched against the whole path (and query); else it is a path prefix."""
    if any(ch in pattern for ch in "*?["):
        return fnmatch.fnmatchcase(path, pattern if pattern.startswith(("/", "*")) else "/" + pattern)
    return path.startswith(pattern if pattern.startswith("/") else "/" + pattern)


@dataclass(frozen=True)
class Scope:
    """Which addresses belong to a source: its host, the path under its address, the include/exclude patterns."""

    host: str  # "help.example.com" or "help.example.com:8080"
    prefix: str  # "/hc/" ("/" for a whole site)
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    @classmethod
    def of(cls, address: str, options: CrawlOptions) -> "Scope":
        parts = urlsplit(normalise(address))
        path = parts.path
        if not path.endswith("/") and "." in PurePosixPath(path).name:  # a page's address: its folder is the scope
            path = path.rsplit("/", 1)[0] + "/"
        return cls(parts.netloc, path, options.include, options.exclude)

    def on_site(self, url: str) -> bool:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and parts.netloc == self.host

    def _path(self, url: str) -> str:
        parts = urlsplit(url)
        return parts.path + (f"?{parts.query}" if parts.query else "")

    def allows(self, url: str) -> bool:
        """On the site and wanted by the patterns (documents may sit outside the prefix)."""
        path = self._path(url)
        return (self.on_site(url) and (not self.include or any(_matches(p, path) for p in self.include))
                and not any(_matches(p, path) for p in self.exclude))

    def covers(self, url: str) -> bool:
        """A page of this source: allowed and under its path."""
        path = urlsplit(url).path
        under = path.startswith(self.prefix) or path + "/" == self.prefix
        return self.allows(url) and under


def document_name(url: str, suffix: str) -> str:
    """The name a page's document is known by: ``help.example.com/articles/reset.html``."""
    parts = urlsplit(url)
    path = unquote(parts.path)
    if path.endswith("/"):
        path += "index"
    if parts.query:
        path += "_" + re.sub(r"[^\w.=-]+", "_", unquote(parts.query))[:60]
    if PurePosixPath(path).suffix.lower() != suffix:
        path += suffix
    name = parts.netloc + path
    if len(name) > 200:  # very long addresses: a readable start, and a hash to keep them apart
        digest = hashlib.sha256(url.encode()).hexdigest()[:10]
        name = f"{name[:180]}-{digest}{suffix}"
    return name


# --- robots.txt (RFC 9309) ---

def _rule_pattern(path: str) -> re.Pattern:
    anchored = path.endswith("$")
    body = re.escape(path[:-1] if anchored else path).replace(r"\*", ".*")
    return re.compile(body + ("$" if anchored else ""))


@dataclass
class Robots:
    """The rules of a site's robots.txt that apply to us."""

    rules: list[tuple[int, bool, re.Pattern]] = field(default_factory=list)  # (length, allow, pattern)
    delay: float | None = None
    sitemaps: list[str] = field(default_factory=list)
    forbid_all: bool = False

    @classmethod
    def parse(cls, text: str) -> "Robots":
        groups: list[tuple[set[str], list[tuple[str, str]]]] = []
        sitemaps: list[str] = []
        agents: set[str] = set()
        rules: list[tuple[str, str]] = []
        last_was_agent = False
        for raw in text.splitlines():
            line = raw.split("#", 1)[0].strip()
            if ":" not in line:
                continue
            key, value = (part.strip() for part in line.split(":", 1))
            key = key.lower()
            if key == "sitemap":
                sitemaps.append(value)
            elif key == "user-agent":
                if not last_was_agent:  # a new group starts
                    agents, rules = set(), []
                    groups.append((agents, rules))
                agents.add(value.lower())
                last_was_agent = True
                continue
            elif key in ("allow", "disallow", "crawl-delay") and groups:
                rules.append((key, value))
            last_was_agent = False
        ours = [r for a, r in groups if PRODUCT_TOKEN.lower() in a] or [r for a, r in groups if "*" in a]
        robots = cls(sitemaps=sitemaps)
        for group in ours:
            for key, value in group:
                if key == "crawl-delay":
                    try:
                        robots.delay = float(value)
                    except ValueError:
                        pass
                elif value:  # an empty Disallow allows everything
                    robots.rules.append((len(value), key == "allow", _rule_pattern(value)))
        return robots

    def allowed(self, url: str) -> bool:
        if self.forbid_all:
            return False
        parts = urlsplit(url)
        if parts.path == "/robots.txt":
            return True
        path = quote(unquote(parts.path), safe="/%-._~!$&'()*+,;=:@") + (f"?{parts.query}" if parts.query else "")
        best: tuple[int, bool] | None = None
        for length, allow, pattern in self.rules:
            if pattern.match(path) and (best is None or (length, allow) > best):
                best = (length, allow)  # the longest rule wins; allow wins a tie
        return best is None or best[1]


# --- fetching ---

@dataclass
class Response:
    """One fetch, after any redirects: what came back, or why nothing usable did."""

    url: str  # the address asked for
    final_url: str  # where it ended, after redirects
    status: int = 0  # 0: no answer at all
    headers: Mapping[str, str] = field(default_factory=dict)
    body: bytes = b""
    error: str | None = None  # a plain reason, when it failed
    left_scope: bool = False  # a redirect led off the site (or to a page robots.txt forbids)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()


class Fetcher:
    """Polite, guarded GETs for one site: one at a time, at the pace asked, within time and size limits."""

    def __init__(self, options: CrawlOptions, allow_private: bool, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep, stop: threading.Event | None = None):
        self.options = options
        self.stop = stop  # set: the next request isn't made (Stopped); the pause before it ends at once
        # timeout_s bounds each whole response (connection, headers and body: netguard's total deadline),
        # not only each read, so a server dripping a byte at a time can't hold a sync
        self.client = http_client(allow_private, timeout=options.timeout_s, total_s=options.timeout_s,
                                  headers={"User-Agent": USER_AGENT}, follow_redirects=False)
        self.interval = 1.0 / options.requests_per_second
        self.requests = 0
        self._clock, self._sleep = clock, sleep
        self._last = float("-inf")

    def close(self) -> None:
        self.client.close()

    def slow_down(self, seconds: float) -> None:
        """A longer gap between requests (robots.txt's Crawl-delay), up to a minute."""
        self.interval = max(self.interval, min(seconds, 60.0))

    def _wait_turn(self) -> None:
        wait = self._last + self.interval - self._clock()
        if wait > 0:
            if self.stop is not None:
                self.stop.wait(wait)
            else:
                self._sleep(wait)
        if self.stop is not None and self.stop.is_set():
            raise Stopped
        self._last = self._clock()

    def get(self, url: str, headers: Mapping[str, str] | None = None, max_bytes: int | None = None,
            follow: Callable[[str], bool] = lambda _url: True) -> Response:
        """GET ``url``, following redirects while ``follow`` allows the next address."""
        limit = max_bytes or int(self.options.max_page_mb * MB)
        current = url
        for _hop in range(self.options.max_redirects + 1):
            self._wait_turn()
            self.requests += 1
            response = self._one(url, current, dict(headers or {}), limit)
            if response.status not in REDIRECTS or response.error:
                return response
            target = response.headers.get("location")
            if not target:
                return response
            moved = absolute(current, target)
            if moved is None:
                return Response(url, current, response.status, response.headers, error="It redirects to a malformed address.")
            current = moved
            if urlsplit(current).scheme not in ("http", "https") or not follow(current):
                return Response(url, current, response.status, response.headers, error=f"It moved to {current}.",
                                left_scope=True)
        return Response(url, current, error=f"It redirects more than {self.options.max_redirects} times.")

    def _one(self, url: str, current: str, headers: dict[str, str], limit: int) -> Response:
        deadline = self._clock() + self.options.timeout_s
        try:
            with self.client.stream("GET", current, headers=headers) as r:
                found = Response(url, current, r.status_code, dict(r.headers))
                if r.status_code != 200:
                    return found
                length = r.headers.get("content-length", "")
                if length.isdigit() and int(length) > limit:
                    found.error = _too_large(limit)
                    return found
                chunks, size = [], 0
                for chunk in r.iter_bytes():
                    size += len(chunk)
                    if size > limit:
                        found.error = _too_large(limit)
                        return found
                    if self._clock() > deadline:
                        found.error = _too_slow(self.options.timeout_s)
                        return found
                    chunks.append(chunk)
                found.body = b"".join(chunks)
                return found
        except httpx.TimeoutException:
            return Response(url, current, error=_too_slow(self.options.timeout_s))
        except GroundedError as err:  # the guard refused the address, or the name doesn't resolve
            return Response(url, current, error=str(err))
        except httpx.HTTPError as err:
            return Response(url, current, error=f"The site couldn't be reached ({type(err).__name__}).")


class Stopped(Exception):
    """The crawl was asked to stop (its process is shutting down) before its next request."""


def _too_large(limit: int) -> str:
    return f"It is larger than the {limit / MB:.3g} MB limit for one page."


def _too_slow(seconds: float) -> str:
    return f"The site took longer than {seconds:g} second{'' if seconds == 1 else 's'} to send it."


def _http_error(status: int) -> str:
    if status in (401, 403):
        return f"The site doesn't let visitors read it without signing in ({status})."
    if status == 429:
        return "The site asked us to slow down (429); it will be tried again at the next sync."
    if status >= 500:
        return f"The site had an error ({status}); it will be tried again at the next sync."
    return f"The site answered {status}."


# --- sitemaps ---

_XML = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True)
MAX_SITEMAPS = 50
MAX_SITEMAP_MB = 50  # the sitemap protocol's own limit, uncompressed


def _gunzip(data: bytes, limit: int) -> bytes | None:
    """Gzipped bytes unpacked, if they fit in ``limit`` (a gzip bomb stops there)."""
    try:
        out = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data, limit + 1)
    except zlib.error:
        return None
    return out if len(out) <= limit else None


def read_sitemap(data: bytes) -> tuple[list[tuple[str, str | None]], list[str]] | None:
    """(page addresses with their lastmod, child sitemaps) of a sitemap or sitemap index; None if it is neither."""
    if data[:2] == b"\x1f\x8b":
        data = _gunzip(data, MAX_SITEMAP_MB * MB) or b""
    try:
        root = etree.fromstring(data, parser=_XML)
    except (etree.XMLSyntaxError, ValueError):
        lines = [line.strip() for line in data.decode("utf-8", "replace").splitlines() if line.strip()]
        if lines and all(line.startswith(("http://", "https://")) for line in lines):
            return [(line, None) for line in lines], []  # a text sitemap: one address per line
        return None
    if root is None:
        return None

    def local(el) -> str:
        return etree.QName(el).localname if isinstance(el.tag, str) else ""

    def child_text(el, name: str) -> str | None:
        for child in el:
            if local(child) == name and child.text and child.text.strip():
                return child.text.strip()
        return None

    kind = local(root)
    if kind == "urlset":
        return [(loc, child_text(u, "lastmod")) for u in root if local(u) == "url" and (loc := child_text(u, "loc"))], []
    if kind == "sitemapindex":
        return [], [loc for s in root if local(s) == "sitemap" and (loc := child_text(s, "loc"))]
    return None


# --- pages ---

@dataclass
class PageFacts:
    """What a fetched HTML page says about itself and where it links."""

    links: list[str] = field(default_factory=list)
    canonical: str | None = None
    noindex: bool = False
    fingerprint: str = ""  # a hash of its visible text: the same text is the same page, whatever the markup


def read_page(body: bytes, url: str) -> PageFacts:
    """Links, canonical address, robots meta and a fingerprint of the visible text of an HTML page."""
    try:
        doc = lxml_html.document_fromstring(body)
    except (etree.ParserError, ValueError):
        return PageFacts(fingerprint=hashlib.sha256(body).hexdigest())
    base = next((b for b in doc.xpath("//base/@href")), url)
    robots = " ".join(m.get("content", "") for m in doc.xpath("//meta[@name]")
                      if m.get("name", "").lower() in ("robots", PRODUCT_TOKEN.lower())).lower()
    nofollow = "nofollow" in robots or "none" in robots
    links = []
    if not nofollow:
        for a in doc.xpath("//a[@href]"):
            if "nofollow" in (a.get("rel") or "").lower():
                continue
            href = a.get("href", "").strip()
            if href and not href.startswith(("#", "mailto:", "tel:", "javascript:")) and (link := absolute(base, href)):
                links.append(link)
    canonical = next((absolute(base, link.get("href")) for link in doc.xpath("//link[@rel][@href]")
                      if "canonical" in link.get("rel", "").lower().split()), None)
    for tag in doc.xpath("//script|//style|//noscript|//template"):
        tag.drop_tree()
    text = " ".join(doc.text_content().split())
    return PageFacts(list(dict.fromkeys(links)), canonical, "noindex" in robots or "none" in robots,
                     hashlib.sha256(text.encode()).hexdigest())


def _suffix(response: Response) -> str | None:
    """The document type of a response: by its content type, else by its address; None if not one we read."""
    by_type = CONTENT_TYPES.get(response.content_type)
    by_name = PurePosixPath(urlsplit(response.final_url).path).suffix.lower()
    if by_type == ".txt" and by_name in (".md", ".markdown", ".csv", ".tsv", ".rst", ".org"):
        return by_name  # text files served as text/plain keep their own type
    if by_type is None and response.content_type in ("application/octet-stream", "") and by_name in DOCUMENT_SUFFIXES:
        return by_name
    return by_type


# --- the crawl ---

Outcome = Literal["fetched", "not_modified", "gone", "skipped", "failed"]


@dataclass
class Known:
    """What the last sync learnt about a page: for conditional requests and for links of unchanged pages."""

    etag: str | None = None
    last_modified: str | None = None
    lastmod: str | None = None
    last_checked: float | None = None
    links: list[str] = field(default_factory=list)
    final_url: str | None = None
    indexed: bool = False  # it has a document: asking conditionally is safe
    status: str | None = None  # what the sync made of it: "indexed", "unchanged", "skipped", "failed"
    error: str | None = None  # why it was skipped or failed


@dataclass
class Visit:
    """One address of the source, and what became of it."""

    url: str
    outcome: Outcome
    depth: int = 0
    final_url: str = ""
    error: str | None = None
    response: Response | None = None
    suffix: str = ""  # the document type it is read as (".html", ".pdf", ...)
    lastmod: str | None = None  # from the sitemap
    modified: float | None = None  # the best date of its last change: sitemap lastmod, else Last-Modified
    facts: PageFacts = field(default_factory=PageFacts)
    requested: bool = True

    @property
    def moved(self) -> bool:
        return bool(self.final_url) and self.final_url != self.url


@dataclass
class CrawlState:
    """What a crawl learnt about the site as a whole (read by the sync once the visits are done)."""

    mode: Literal["sitemap", "links"] = "links"
    listed: set[str] = field(default_factory=set)  # every page the sitemap lists in scope (not only those read)
    complete: bool = False  # every page found was visited (nothing cut by max_pages or the run's budget)
    error: str | None = None  # why the site couldn't be read at all
    cut: Literal["pages", "time", "stopped"] | None = None  # the run's budget ran out, or it was asked to stop
    requested: int = 0  # pages requested in this run (what the run's page budget counts)


@dataclass(frozen=True)
class RunBudget:
    """How much one run of a crawl may do: pages requested, and seconds (what it carries over costs nothing).

    A run that reaches either stops before its next request (so it ends at most one request's
    time limit and one page's indexing past ``seconds``); the next run carries on from there.
    """

    max_requests: int = 300
    seconds: float = 300.0


class Crawl:
    """One pass over a site: ``for visit in crawl.visits(): ...``, then ``crawl.state``."""

    def __init__(self, address: str, options: CrawlOptions, known: Mapping[str, Known], allow_private: bool,
                 fetcher: Fetcher | None = None, now: Callable[[], float] = time.time, budget: RunBudget | None = None,
                 carry_since: float | None = None, stop: threading.Event | None = None):
        """``budget`` bounds this run; ``carry_since``: pages checked since then (by the runs this one continues)
        aren't asked for again, what became of them is carried over; ``stop``: stop before the next request."""
        self.address = normalise(check_url(address, allow_private))
        self.options = options
        self.scope = Scope.of(self.address, options)
        self.known = known
        self.fetcher = fetcher or Fetcher(options, allow_private, stop=stop)
        if stop is not None and self.fetcher.stop is None:
            self.fetcher.stop = stop
        self.budget = budget
        self.carry_since = carry_since
        self._deadline = time.monotonic() + budget.seconds if budget else float("inf")
        self.state = CrawlState()
        self.robots = Robots()
        self._now = now
        self._seen: set[str] = set()  # sitemaps read
        self._read_as: dict[str, str] = {}  # where a page ended up -> the address it was read for

    def close(self) -> None:
        self.fetcher.close()

    # discovery
    def _read_robots(self) -> None:
        parts = urlsplit(self.address)
        response = self.fetcher.get(f"{parts.scheme}://{parts.netloc}/robots.txt", max_bytes=512 * 1024,
                                    follow=self.scope.on_site)
        if response.status == 200 and not response.error:
            self.robots = Robots.parse(response.body.decode("utf-8", "replace"))
        elif response.status == 0:
            self.state.error = f"The site couldn't be reached: {response.error}"
        elif response.status >= 500 or response.status == 429:
            # RFC 9309: when robots.txt is unavailable for a server fault, crawlers assume everything is off limits
            self.robots = Robots(forbid_all=True)
            self.state.error = (f"The site's robots.txt couldn't be read (it answered {response.status}), so nothing "
                                "was read: sites expect crawlers to stop then. Try again later.")
        if self.robots.delay:
            self.fetcher.slow_down(self.robots.delay)

    def _sitemap_entries(self) -> dict[str, str | None]:
        """In-scope pages listed by the site's sitemaps (robots.txt's, else the usual places), with lastmod."""
        root = f"{urlsplit(self.address).scheme}://{self.scope.host}"
        declared = [u for s in self.robots.sitemaps if (u := absolute(self.address, s)) and self.scope.on_site(u)]
        candidates = declared or list(dict.fromkeys([f"{root}{self.scope.prefix}sitemap.xml", f"{root}/sitemap.xml"]))
        entries: dict[str, str | None] = {}
        queue, read = deque(candidates), 0
        while queue and read < MAX_SITEMAPS and time.monotonic() < self._deadline:
            url = queue.popleft()
            if url in self._seen or not self.robots.allowed(url):
                continue
            self._seen.add(url)
            read += 1
            response = self.fetcher.get(url, max_bytes=MAX_SITEMAP_MB * MB, follow=self.scope.on_site)
            if response.status != 200 or response.error:
                continue
            found = read_sitemap(response.body)
            if found is None:
                continue
            pages, children = found
            queue.extend(u for c in children if (u := absolute(url, c)) and self.scope.on_site(u))
            for loc, lastmod in pages:
                page = absolute(url, loc)
                if page and self.scope.covers(page):
                    entries.setdefault(page, lastmod)
            if entries and not declared:
                break  # the first usual place that has a sitemap is the site's sitemap
        return entries

    # visiting
    def visits(self) -> Iterator[Visit]:
        """Every page of the source, in order, each fetched (or not) and judged."""
        try:
            self._read_robots()
            if self.state.error:
                return
            entries = self._sitemap_entries()
            if entries:
                self.state.mode = "sitemap"
                self.state.listed = set(entries)
                # pages never read first, then those read longest ago: a run cut short is followed by one
                # that starts where it stopped, and no page waits behind the others for ever
                order = sorted(entries, key=lambda u: (self.known[u].last_checked or 0.0) if u in self.known else -1.0)
                frontier = deque((url, 0, entries[url]) for url in order)
            else:
                frontier = deque([(self.address, 0, None)])
            yield from self._walk(frontier)
        except Stopped:
            self.state.cut = "stopped"
        finally:
            self.close()

    def _spent(self) -> Literal["pages", "time", "stopped"] | None:
        """Why this run may make no more requests, if it may not."""
        if self.fetcher.stop is not None and self.fetcher.stop.is_set():
            return "stopped"
        if self.budget is None:
            return None
        if self.state.requested >= self.budget.max_requests:
            return "pages"
        return "time" if time.monotonic() >= self._deadline else None

    def _walk(self, frontier: deque) -> Iterator[Visit]:
        pages = 0
        queued = {url for url, _, _ in frontier}
        while frontier:
            if pages >= self.options.max_pages:
                return  # the rest is left for a larger max_pages; state.complete stays False
            url, depth, lastmod = frontier[0]
            visit = self._without_request(url, depth, lastmod)
            if visit is None:
                if (why := self._spent()) is not None:
                    self.state.cut = why  # the rest is for the next run, which carries this one's pages over
                    return
                visit = self._visit(url, depth, lastmod)
                self.state.requested += 1
            frontier.popleft()
            pages += visit.requested or visit.outcome != "skipped"  # what robots.txt forbids doesn't count
            for link in self._follow(visit):
                if link not in queued:
                    queued.add(link)
                    frontier.append((link, depth + 1, None))
            yield visit
        self.state.complete = True

    def _follow(self, visit: Visit) -> list[str]:
        """The addresses to visit next from this page: pages (without a sitemap, within the depth) and documents."""
        if visit.outcome not in ("fetched", "not_modified"):
            return []
        links = visit.facts.links or (self.known[visit.url].links if visit.url in self.known else [])
        out = []
        for link in links:
            if NOT_CONTENT.search(urlsplit(link).path) or not self.scope.allows(link):
                continue
            is_document = PurePosixPath(urlsplit(link).path).suffix.lower() in DOCUMENT_SUFFIXES
            if is_document or (self.state.mode == "links" and visit.depth < self.options.max_depth
                               and self.scope.covers(link)):
                out.append(link)
        return out

    def _without_request(self, url: str, depth: int, lastmod: str | None) -> Visit | None:
        """The visit of a page that needs no request (robots.txt forbids it, the sitemap says it is unchanged,
        a run this one continues read it already); None when it must be asked for."""
        known = self.known.get(url)
        if not self.robots.allowed(url):
            return Visit(url, "skipped", depth, error="The site's robots.txt asks crawlers not to read it.",
                         requested=False)
        recent = known and known.last_checked and self._now() - known.last_checked < self.options.recheck_days * 86400
        if known and known.indexed and lastmod and known.lastmod == lastmod and recent:
            return Visit(url, "not_modified", depth, final_url=known.final_url or url, lastmod=lastmod,
                         modified=when(lastmod), requested=False)
        if known and self.carry_since is not None and (known.last_checked or 0.0) >= self.carry_since:
            # read by a run this one continues: what became of it is carried over, not asked for again
            if known.indexed:
                return Visit(url, "not_modified", depth, final_url=known.final_url or url, lastmod=lastmod or known.lastmod,
                             modified=when(lastmod or known.lastmod), requested=False)
            if known.status in ("skipped", "failed"):
                return Visit(url, known.status, depth, final_url=known.final_url or url, error=known.error,
                             requested=False)
        return None

    def _visit(self, url: str, depth: int, lastmod: str | None) -> Visit:
        known = self.known.get(url)
        if (free := self._without_request(url, depth, lastmod)) is not None:
            return free
        headers = {}
        if known and known.indexed:
            if known.etag:
                headers["If-None-Match"] = known.etag
            if known.last_modified:
                headers["If-Modified-Since"] = known.last_modified
        response = self.fetcher.get(url, headers, follow=lambda u: self.scope.allows(u) and self.robots.allowed(u))
        final = response.final_url
        visit = Visit(url, "failed", depth, final_url=final, response=response, lastmod=lastmod,
                      modified=when(lastmod) or when(response.headers.get("last-modified")))
        if response.left_scope:
            visit.outcome, visit.error = "skipped", f"It moved to {final}, outside this source."
        elif response.error:
            visit.error = response.error
        elif response.status == 304:
            visit.outcome = "not_modified"
        elif response.status in (404, 410):
            visit.outcome, visit.error = "gone", f"The page is gone from the site ({response.status})."
        elif response.status != 200:
            visit.error = _http_error(response.status)
        elif final != url and final in self.state.listed:
            visit.outcome, visit.error = "skipped", f"It moved to {final}, which is read as its own page."
        elif self._read_as.get(final, url) != url:
            visit.outcome, visit.error = "skipped", f"It is the same page as {self._read_as[final]}."
        else:
            self._judge(visit, response)
        if visit.outcome in ("fetched", "not_modified"):
            self._read_as.setdefault(final, url)
        return visit

    def _judge(self, visit: Visit, response: Response) -> None:
        """A 200 response: is it a page or document we read, and one that may be indexed?"""
        suffix = _suffix(response)
        if suffix is None:
            kind = response.content_type or "unknown"
            visit.outcome, visit.error = "skipped", f"It isn't a page or a document Grounded reads ({kind})."
            return
        visit.suffix = suffix
        if suffix == ".html":
            visit.facts = read_page(response.body, visit.final_url)
            canonical = visit.facts.canonical
            if visit.facts.noindex:
                visit.outcome, visit.error = "skipped", "The page asks search engines and crawlers not to index it."
                return
            if canonical and canonical != visit.final_url and self.scope.covers(canonical) and (
                    canonical in self.state.listed or canonical in self._read_as):
                visit.outcome, visit.error = "skipped", f"It is the same page as {canonical}."
                return
        else:
            visit.facts = PageFacts(fingerprint=hashlib.sha256(response.body).hexdigest())
        visit.outcome = "fetched"

