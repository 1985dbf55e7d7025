"""Every request made to import or sync a site has a TOTAL deadline: connecting, headers and body together.

httpx's own read timeout starts again with every byte, so a server that sends its status line and
then one header byte every few seconds held a sync for 550 s (security report, issue 21 point 1).
These tests stand a real loopback server in for the outside host: a tiny threaded socket server
that drips its headers, or its body, a byte at a time, faster than any per-read timeout but
slower than the whole answer may take; or that accepts a connection and says nothing (a TLS
handshake that never comes). Each fetch must end at its deadline plus a little, with a typed,
plain-language error.
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import replace

import httpx
import pytest

from rag.ingest import sources
from rag.ingest.crawl import CrawlOptions, Fetcher
from rag.netguard import TooSlow, http_client

DEADLINE = 1.5  # the total each request may take, in these tests
SLACK = 0.75  # what the fetch may take beyond it (a last socket call, closing, thread switches on a busy machine)
DRIP = 0.2  # a byte this often: far inside any per-read timeout of DEADLINE seconds


class DripServer:
    """A loopback HTTP server in a thread: ``routes[path] = (mode, body)``; modes:

    - ``"ok"``: a normal answer;
    - ``"headers"``: the status line, then the headers one byte every ``DRIP`` seconds, for ever;
    - ``"body"``: status line and headers at once (a large Content-Length), then the body a byte at a time;
    - ``"silent"``: accepts the connection, reads the request, and never answers.
    """

    def __init__(self, routes: dict[str, tuple[str, bytes]] | None = None, default: str = "headers"):
        self.routes = routes or {}
        self.default = default
        self.hits: list[str] = []
        self._stop = threading.Event()
        self._sock = socket.socket()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self._sock.settimeout(0.2)
        self.port = self._sock.getsockname()[1]
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except (TimeoutError, OSError):
                continue
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(30)
        try:
            while not self._stop.is_set():
                request = b""
                while b"\r\n\r\n" not in request:
                    chunk = conn.recv(4096)
                    if not chunk:
                        return
                    request += chunk
                path = request.split(b" ", 2)[1].decode()
                self.hits.append(path)
                mode, body = self.routes.get(path, (self.default, b"<html><body><p>Hello</p></body></html>"))
                if mode == "silent":
                    self._stop.wait(60)
                    return
                if mode == "ok":
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: "
                                 + str(len(body)).encode() + b"\r\n\r\n" + body)
                    continue
                if mode == "headers":
                    conn.sendall(b"HTTP/1.1 200 OK\r\n")
                    filler = b"X-Slow: " + b"a" * 100_000
                    for i in range(len(filler)):
                        if self._stop.wait(DRIP):
                            return
                        conn.sendall(filler[i:i + 1])
                    return
                if mode == "body":
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n<html>")
                    while not self._stop.wait(DRIP):
                        conn.sendall(b"a")
                    return
        except OSError:
            return  # the client hung up: what these tests expect of it
        finally:
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._sock.close()
        self._thread.join(2)

    def __enter__(self) -> "DripServer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _timed(call):
    started = time.monotonic()
    try:
        return call(), time.monotonic() - started
    except Exception as err:  # noqa: BLE001 - returned for the test to look at
        return err, time.monotonic() - started


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["headers", "body"])
@pytest.mark.parametrize("guarded", [True, False], ids=["guarded", "private-allowed"])
def test_a_server_dripping_bytes_is_cut_at_the_total_deadline(mode, guarded, monkeypatch):
    if guarded:  # the guard refuses loopback: let this one loopback port pass it, as a public host would
        monkeypatch.setattr("rag.netguard.address_is_public", lambda ip: True)
    with DripServer(default=mode) as server, http_client(allow_private=not guarded, timeout=DEADLINE,
                                                         total_s=DEADLINE) as client:
        err, seconds = _timed(lambda: client.get(server.url("/page")).read())
    assert isinstance(err, TooSlow), err
    assert DEADLINE - 0.1 <= seconds <= DEADLINE + SLACK, seconds
    assert "took longer than 1.5 seconds" in str(err) and "try again later" in str(err)
    assert server.hits == ["/page"]


@pytest.mark.slow
def test_a_tls_handshake_that_never_comes_is_cut_at_the_deadline():
    with DripServer(default="silent") as server, http_client(allow_private=True, timeout=30, total_s=DEADLINE) as client:
        err, seconds = _timed(lambda: client.get(f"https://127.0.0.1:{server.port}/"))
    assert isinstance(err, TooSlow), err
    assert seconds <= DEADLINE + SLACK, seconds


@pytest.mark.slow
def test_without_a_total_deadline_the_drip_outlives_the_read_timeout():
    """The case the total deadline exists for: httpx's read timeout alone never fires against a drip."""
    with DripServer(default="headers") as server, httpx.Client(timeout=DEADLINE) as client:
        holder: dict = {}
        worker = threading.Thread(target=lambda: holder.setdefault("r", _timed(lambda: client.get(server.url()))),
                                  daemon=True)
        worker.start()
        worker.join(DEADLINE * 3)
        assert worker.is_alive()  # still "reading headers" at three times the read timeout
        server.close()
        worker.join(5)


@pytest.mark.slow
def test_honest_answers_pass_and_connections_are_reused_within_each_deadline():
    pages = {f"/p{i}": ("ok", f"<p>page {i}</p>".encode()) for i in range(5)}
    with DripServer(pages) as server, http_client(allow_private=True, timeout=DEADLINE, total_s=DEADLINE) as client:
        for i in range(5):
            assert client.get(server.url(f"/p{i}")).text == f"<p>page {i}</p>"
            time.sleep(DEADLINE / 4)  # together longer than one deadline: each request has its own


@pytest.mark.slow
@pytest.mark.parametrize("mode", ["headers", "body", "silent"])
def test_the_crawler_reports_a_dripping_page_as_too_slow_within_its_time_limit(mode):
    with DripServer(default=mode) as server:
        fetcher = Fetcher(CrawlOptions(timeout_s=DEADLINE, requests_per_second=10), allow_private=True)
        response, seconds = _timed(lambda: fetcher.get(server.url("/hc/slow")))
        fetcher.close()
    assert seconds <= DEADLINE + SLACK, seconds
    assert response.status == 0 and response.body == b""
    assert response.error.startswith("The site took longer than 1.5 seconds")


@pytest.fixture
def settings(settings):
    return replace(settings, allow_private_urls=True)  # the dripping "site" is on loopback


@pytest.mark.slow
def test_a_sync_of_a_site_whose_pages_drip_ends_and_records_its_result(store):
    """The report's case: the sync ends, its result and "last synced" are written, honest pages are indexed."""
    sitemap = ("<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
               + "".join(f"<url><loc>{{base}}/hc/{p}</loc></url>" for p in ("a", "drip-1", "drip-2", "b"))
               + "</urlset>")
    with DripServer(default="headers") as server:
        server.routes.update({
            "/robots.txt": ("ok", b""),
            "/hc/sitemap.xml": ("ok", sitemap.replace("{base}", server.url("").rstrip("/")).encode()),
            "/hc/a": ("ok", b"<html><head><title>A</title></head><body><p>Refunds take five days.</p></body></html>"),
            "/hc/b": ("ok", b"<html><head><title>B</title></head><body><p>Plans start at $49.</p></body></html>"),
            "/hc/drip-2": ("body", b""),
        })
        options = CrawlOptions(timeout_s=DEADLINE, requests_per_second=10)
        source = sources.create(store.catalog, "default", server.url("/hc/"), options, schedule="daily",
                                allow_private=True)
        report, seconds = _timed(lambda: sources.sync(store, source))
    assert not isinstance(report, Exception), report
    assert seconds <= 2 * (DEADLINE + SLACK) + 10, seconds  # two dripping pages, each cut at its deadline
    by_page = {p.url.rsplit("/", 1)[1]: p for p in report.pages}
    assert {k: p.status for k, p in by_page.items()} == {"a": "indexed", "b": "indexed", "drip-1": "failed",
                                                         "drip-2": "failed"}
    assert by_page["drip-1"].error.startswith("The site took longer than 1.5 seconds")
    saved = sources.get(store.catalog, source.source_id)
    assert saved.last_status == "ok" and saved.resume_since is None
    assert not saved.due(time.time() + 3600)  # synced: not due again until tomorrow, restart or not
