"""A small help center served on loopback, made in code: for the crawler's tests and for ``grounded bench crawl``.

Every page carries the furniture real help centers have (a top menu, a
breadcrumb, "Was this article helpful?", a footer with a copyright line),
so a test can check none of it is indexed. The server answers conditional
requests (ETag, Last-Modified -> 304) as a well-behaved site does, and logs
every request it gets, so tests and the benchmark can count them.
"""

from __future__ import annotations

import hashlib
import html
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HTML = "text/html; charset=utf-8"
FOOTER = "© 2026 Acme Inc. All rights reserved."


@dataclass
class Page:
    """What the site serves at one path."""

    body: bytes = b""
    content_type: str = HTML
    status: int = 200
    location: str | None = None  # a redirect's target
    modified: float = 1_767_225_600.0  # 2026-01-01: its Last-Modified
    delay_s: float = 0.0  # a slow page: this long before the answer starts
    conditional: bool = True  # answers If-None-Match / If-Modified-Since with 304

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha1(self.body).hexdigest()[:16] + '"'


@dataclass
class Request:
    path: str
    host: str
    status: int
    conditional: bool
    user_agent: str


@dataclass
class FixtureSite:
    """A site on 127.0.0.1: ``site.pages["/path"] = Page(...)``, ``site.url("/path")``, ``site.requests``."""

    pages: dict[str, Page] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    port: int = 0

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet: the request log is ``site.requests``
                pass

            def do_GET(self) -> None:  # noqa: N802 - the http.server API
                page = site.pages.get(self.path) or Page(b"<h1>Not found</h1>", status=404)
                if page.delay_s:
                    time.sleep(page.delay_s)
                status = page.status
                conditional = bool(self.headers.get("If-None-Match") or self.headers.get("If-Modified-Since"))
                if status == 200 and page.conditional and _not_modified(page, self.headers):
                    status = 304
                with site._lock:
                    site.requests.append(Request(self.path, self.headers.get("Host", ""), status, conditional,
                                                 self.headers.get("User-Agent", "")))
                body = page.body if status == 200 else (b"" if status in (301, 302, 304) else page.body)
                try:
                    self.send_response(status)
                    if page.location:
                        self.send_header("Location", page.location)
                    self.send_header("Content-Type", page.content_type)
                    self.send_header("Content-Length", str(len(body)))
                    if page.conditional:
                        self.send_header("ETag", page.etag)
                        self.send_header("Last-Modified", formatdate(page.modified, usegmt=True))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a time-out, a page too large): that is what the test wants

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def url(self, path: str = "/", host: str = "127.0.0.1") -> str:
        return f"http://{host}:{self.port}{path}"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def requested(self, path: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def __enter__(self) -> "FixtureSite":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _not_modified(page: Page, headers) -> bool:
    if (tag := headers.get("If-None-Match")) is not None:
        return page.etag in [t.strip() for t in tag.split(",")]
    if (since := headers.get("If-Modified-Since")) is not None:
        try:
            return int(page.modified) <= parsedate_to_datetime(since).timestamp()
        except (TypeError, ValueError):
            return False
    return False


# --- a help center ---

def article_page(title: str, paragraphs: list[str], section: str = "Getting started", links: list[str] = ()) -> bytes:
    """An article with the usual furniture around it: menu, breadcrumb, feedback widget, related links, footer."""
    related = "".join(f'<li><a href="{html.escape(href)}">{html.escape(text)}</a></li>' for href, text in links)
    body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{html.escape(title)} – Acme Help Center</title></head><body>
<header class="site-header"><nav><a href="/hc/">Help Center</a> <a href="/hc/contact">Contact us</a>
<a href="/pricing">Pricing</a> <a href="https://status.example.org/">Status</a></nav></header>
<ol class="breadcrumbs"><li><a href="/hc/">Acme Help Center</a></li><li><a href="/hc/">{html.escape(section)}</a></li></ol>
<main><article><h1>{html.escape(title)}</h1>{body}</article>
<section class="article-votes"><p>Was this article helpful?</p><button>Yes</button><button>No</button></section>
<section class="related"><h3>Related articles</h3><ul>{related}</ul></section></main>
<footer class="site-footer"><p>{FOOTER}</p><a href="/privacy">Privacy</a> <a href="/terms">Terms</a></footer>
</body></html>""".encode()


def sitemap(urls: list[tuple[str, str | None]]) -> bytes:
    entries = "".join(f"<url><loc>{html.escape(u)}</loc>" + (f"<lastmod>{m}</lastmod>" if m else "") + "</url>"
                      for u, m in urls)
    return (f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{entries}</urlset>").encode()


def sitemap_index(urls: list[str]) -> bytes:
    entries = "".join(f"<sitemap><loc>{html.escape(u)}</loc></sitemap>" for u in urls)
    return (f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{entries}</sitemapindex>").encode()


def article_text(n: int) -> list[str]:
    """A few distinct sentences for article ``n``, so every page has its own text to embed."""
    return [
        f"Article {n} explains how to configure feature number {n} of the Acme dashboard for your team.",
        f"Open Settings, choose Feature {n}, and switch it on; the change applies to all {n + 2} workspaces within a minute.",
        f"If feature {n} doesn't appear, ask an admin to enable plan option {n % 7} first.",
    ]


def help_center(site: FixtureSite, articles: int, lastmod: bool = True, per_sitemap: int = 100) -> list[str]:
    """Fill ``site`` with ``articles`` articles under /hc/, a sitemap index over sitemaps of ``per_sitemap`` pages
    and a robots.txt pointing at it. Returns the articles' paths."""
    paths = [f"/hc/articles/{n}-feature-{n}" for n in range(1, articles + 1)]
    for n, path in enumerate(paths, 1):
        site.pages[path] = Page(article_page(f"Configure feature {n}", article_text(n)))
    chunks = [paths[i:i + per_sitemap] for i in range(0, len(paths), per_sitemap)]
    for i, chunk in enumerate(chunks, 1):
        site.pages[f"/hc/sitemap-{i}.xml"] = Page(
            sitemap([(site.url(p), "2026-01-01" if lastmod else None) for p in chunk]), "application/xml")
    site.pages["/hc/sitemap.xml"] = Page(
        sitemap_index([site.url(f"/hc/sitemap-{i}.xml") for i in range(1, len(chunks) + 1)]), "application/xml")
    site.pages["/robots.txt"] = Page(f"User-agent: *\nDisallow: /hc/private/\nSitemap: {site.url('/hc/sitemap.xml')}\n"
                                     .encode(), "text/plain")
    return paths
