"""One allowance per upload, whatever holds its documents: passages, documents and bytes counted across
all its members and all the jobs it becomes; exports opened in the parse worker, never in the queuing process."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

from rag.errors import FileTooLarge
from rag.ingest import queue
from rag.ingest.indexer import Indexer
from rag.parse import containers, exports
from rag.settings import Limits
from rag.workspace import jobs
from rag.workspace.assistants import ensure_default
from tests.fixtures import make_zip
from tests.test_exports import _confluence_page
from tests.test_queue import _reopen
from tests.test_workload import prose

ROOT = Path(__file__).resolve().parents[1]
PAGES = 12
TEXTS = [prose(60_000, seed=n) for n in range(PAGES)]  # the report's 12 x 60 KB: about 850 passages of 256 tokens
PASSAGES_REFUSED = re.compile(r"^This (archive|export|file) would make (about|more than) [\d,]+ passages, .+; the limit is 300\. ")


def _paragraphs_html(text: str) -> str:
    return "".join(f"<p>{p}</p>" for p in text.split("\n\n"))


def _docx(text: str) -> bytes:
    import docx

    d = docx.Document()
    for para in text.split("\n\n"):
        d.add_paragraph(para)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _zendesk(texts: list[str], start: int = 0) -> dict:
    return {"articles": [{"id": start + n, "html_url": f"https://acme.zendesk.com/hc/en-us/articles/{start + n}",
                          "title": f"Article {start + n}", "body": _paragraphs_html(t), "locale": "en-us",
                          "section_id": 1, "draft": False, "updated_at": "2024-04-01T09:30:00Z"}
                         for n, t in enumerate(texts)]}


def _intercom(texts: list[str]) -> dict:
    return {"type": "list", "data": [{"type": "article", "id": str(n), "title": f"Article {n}", "body": _paragraphs_html(t),
                                      "url": f"https://help.acme.com/en/articles/{n}", "state": "published",
                                      "updated_at": 1709640000} for n, t in enumerate(texts)]}


def _hubspot(texts: list[str]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["URL", "Title", "Category", "Article Body"])
    for n, t in enumerate(texts):
        w.writerow([f"https://kb.acme.com/article-{n}", f"Article {n}", "Help", _paragraphs_html(t)])
    return buf.getvalue().encode()


def _linkedin(texts: list[str]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["Date", "ShareLink", "ShareCommentary", "SharedUrl", "MediaUrl", "Visibility"])
    for n, t in enumerate(texts):
        w.writerow([f"2024-03-{n + 1:02d} 10:00:00", f"https://www.linkedin.com/feed/update/urn:li:share:{n}", t, "", "", "PUBLIC"])
    return buf.getvalue().encode()


def _notion(texts: list[str]) -> bytes:
    return make_zip({f"Export-0c8f4a2e-1d3b-4c5a-9e7f-123456789abc/Page {n} {n:032x}.md": f"# Page {n}\n\n{t}\n".encode()
                     for n, t in enumerate(texts)})


def _confluence(texts: list[str]) -> bytes:
    pages = {f"MKT/Page-{n}_{65600 + n}.html": _confluence_page(f"Page {n}", [("Marketing", "index.html")],
                                                                 _paragraphs_html(t), "Mar 05, 2024")
             for n, t in enumerate(texts)}
    return make_zip({"MKT/index.html": b"<html><body><ul></ul></body></html>", **pages})


# The same 12 x 60 KB of text, in every container the upload box takes (and one Word file holding it all).
CONTAINERS = {
    "zip-of-txt": lambda: ("pages.zip", make_zip({f"page-{n}.txt": t.encode() for n, t in enumerate(TEXTS)})),
    "zip-of-docx": lambda: ("pages.zip", make_zip({f"page-{n}.docx": _docx(t) for n, t in enumerate(TEXTS)})),
    "zip-of-html": lambda: ("pages.zip", make_zip({f"page-{n}.html": f"<html><body>{_paragraphs_html(t)}</body></html>".encode()
                                                   for n, t in enumerate(TEXTS)})),
    "zendesk-json": lambda: ("articles.json", json.dumps(_zendesk(TEXTS)).encode()),
    "intercom-json": lambda: ("articles.json", json.dumps(_intercom(TEXTS)).encode()),
    "zip-of-zendesk-json": lambda: ("help.zip", make_zip({"articles-1.json": json.dumps(_zendesk(TEXTS[:6])).encode(),
                                                          "articles-2.json": json.dumps(_zendesk(TEXTS[6:], 6)).encode()})),
    "notion": lambda: ("notion.zip", _notion(TEXTS)),
    "confluence": lambda: ("space.zip", _confluence(TEXTS)),
    "hubspot-csv": lambda: ("kb.csv", _hubspot(TEXTS)),
    "linkedin-posts": lambda: ("Shares.csv", _linkedin(TEXTS)),
    "one-docx": lambda: ("all.docx", _docx("\n\n".join(TEXTS))),
}


@pytest.fixture
def limits(store, monkeypatch):
    """``limits(**fields)``: this store's input limits."""

    def set_limits(**fields) -> None:
        monkeypatch.setattr(store, "settings", replace(store.settings, limits=replace(Limits(), **fields)))

    return set_limits


@pytest.fixture
def embedded(store, monkeypatch):
    calls: list[list[str]] = []
    real = store.embeddings.embed_array
    monkeypatch.setattr(store.embeddings, "embed_array", lambda texts: calls.append(list(texts)) or real(texts))
    return calls


def _queue(store, name: str, data: bytes) -> list[queue.Job]:
    ensure_default(store.catalog, "default")
    return jobs.queue_uploads(store, [(name, data)], "default", None)


def _run(store) -> list[queue.Job]:
    finished: list[queue.Job] = []
    assert Indexer(store, "test").run(on_finished=finished.append)
    return finished


def _stored_files(store) -> list[Path]:
    root = queue.queue_dir(store.settings)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.slow
@pytest.mark.parametrize("kind", sorted(CONTAINERS))
def test_the_same_text_is_refused_the_same_way_whatever_holds_it(store, limits, embedded, kind):
    # Reported: refused as a ZIP of .txt, but 665 passages from a Zendesk JSON or a ZIP of DOCX (each job its own allowance).
    limits(max_chunks=300)
    name, data = CONTAINERS[kind]()
    queued = _queue(store, name, data)
    finished = _run(store)
    everything = queue.jobs(store.catalog)
    assert everything and all(j.status == "failed" for j in everything), [(j.name, j.status, j.error) for j in everything]
    assert all(PASSAGES_REFUSED.match(j.error) for j in everything), [j.error for j in everything]
    assert embedded == []
    assert [d.file for d in store.catalog.documents(status="ready")] == []
    if kind != "one-docx":  # an upload of many documents is refused whole, before any is queued
        assert [j.name for j in queued] == [name] and finished == []
        assert _stored_files(store) == []


@pytest.mark.slow
def test_every_job_of_an_upload_draws_on_one_allowance_kept_across_a_restart(store, limits):
    # Short CSV rows make far more passages than their size says, so the estimate lets the archive in:
    # the running count, kept in the catalog, stops it across jobs, and across a restart.
    limits(max_chunks=50)
    column = b"n\n" + b"".join(b"%d\n" % (i % 10) for i in range(1000))  # 2 KB: 20 tables of 50 rows
    archive = make_zip({**{f"sheet-{n}.csv": column for n in range(3)}, "sheet-3.csv": b"n\n1\n"})
    queued = _queue(store, "sheets.zip", archive)
    assert [j.status for j in queued] == ["queued"] * 4 and len({j.upload_id for j in queued}) == 1

    first: list[queue.Job] = []
    indexer = Indexer(store, "test")
    indexer.run(on_finished=lambda job: first.append(job) or (len(first) == 2 and indexer._stop.set()))
    assert [(j.status, j.chunks) for j in first] == [("indexed", 20), ("indexed", 20)]

    store = _reopen(store)
    monkeypatched = replace(store.settings, limits=Limits(max_chunks=50))
    store.settings = monkeypatched
    rest = _run(store)
    assert [j.status for j in rest] == ["failed", "failed"]
    assert re.match(r"This archive would make more than 60 passages, .*; the limit is 50\.", rest[0].error)
    assert rest[1].error == rest[0].error  # one passage would fit, but the upload is stopped: what was indexed stays
    assert sorted(d.file for d in store.catalog.documents(status="ready")) == ["sheets.zip/sheet-0.csv", "sheets.zip/sheet-1.csv"]
    (row,) = store.catalog.query("SELECT passages, refused FROM uploads")
    assert row["passages"] == 40 and row["refused"] == rest[0].error
    store.catalog.close()


def test_twenty_thousand_articles_in_a_small_json_meet_the_document_limit(store):
    # Reported: a 3.8 MB Zendesk JSON with 20,000 articles became 20,000 documents.
    articles = {"articles": [{"id": n, "html_url": f"https://acme.zendesk.com/hc/articles/{n}", "title": f"Tip {n}",
                              "body": f"<p>Tip number {n}: keep it short.</p>", "section_id": 1} for n in range(20_000)]}
    data = json.dumps(articles).encode()
    assert len(data) < 4_000_000
    (job,) = _queue(store, "articles.json", data)
    assert job.status == "failed" and job.name == "articles.json"
    assert job.error == ("This upload holds more than 2,000 documents; the limit for one upload is 2,000. "
                         "Split it into smaller uploads, or raise the limit with the setting GROUNDED_MAX_ZIP_ENTRIES.")
    assert _stored_files(store) == []


ENTRIES = {  # 60 entries each, in every container; the limit is 50
    "zendesk-json-in-two-files": ("help.zip", lambda: make_zip({
        "a.json": json.dumps(_zendesk(["Short."] * 30)).encode(), "b.json": json.dumps(_zendesk(["Short."] * 30, 30)).encode()})),
    "intercom-json": ("help.json", lambda: json.dumps(_intercom(["Short."] * 60)).encode()),
    "hubspot-csv": ("kb.csv", lambda: _hubspot(["Short."] * 60)),
    "linkedin-posts": ("Shares.csv", lambda: _linkedin([f"Post {n} about our launch." for n in range(60)])),
    "linkedin-posts-in-a-zip": ("export.zip", lambda: make_zip({"Shares.csv": _linkedin([f"Post {n}." for n in range(60)])})),
    "notion": ("notion.zip", lambda: _notion(["Short."] * 60)),
    "confluence": ("space.zip", lambda: _confluence(["Short."] * 60)),
    "zip": ("pages.zip", lambda: make_zip({f"p{n}.txt": b"Short." for n in range(60)})),
}


@pytest.mark.parametrize("kind", sorted(ENTRIES))
def test_every_container_counts_its_entries_against_one_upload(store, limits, kind):
    limits(max_zip_entries=50)
    name, make = ENTRIES[kind]
    (job,) = _queue(store, name, make())
    assert job.status == "failed" and job.name == name
    assert re.search(r"the limit (for one upload )?is 50\b", job.error), job.error
    assert _stored_files(store) == []


def test_an_upload_whose_documents_come_to_too_many_bytes_is_refused_whole(store, limits):
    limits(max_zip_total_mb=1)
    data = json.dumps(_zendesk([prose(100_000, seed=n) for n in range(15)])).encode()  # 1.5 MB of articles
    (job,) = _queue(store, "articles.json", data)
    assert job.status == "failed"
    assert job.error.startswith("This upload's documents come to more than 1 MB; the limit for one upload is 1 MB.")
    assert _stored_files(store) == []


def test_a_json_over_its_byte_limit_is_refused_plainly_before_it_is_read(tmp_path, monkeypatch):
    monkeypatch.setattr(exports, "JSON_MAX_MB", 1)
    big = json.dumps(_zendesk([prose(100_000, seed=n) for n in range(15)])).encode()
    small = json.dumps(_zendesk(["Open Settings, then Billing."], 100)).encode()
    monkeypatch.setattr(json, "loads", lambda s, *a, _real=json.loads, **k: _real(s, *a, **k) if len(s) < 2**20 else pytest.fail("read"))
    for name, data in [("big.json", big), ("help.zip", make_zip({"big.json": big, "small.json": small}))]:
        (tmp_path / "upload").write_bytes(data)
        found = containers.expand_to(tmp_path / "upload", name, Limits(), tmp_path, "m")
        if name == "big.json":
            assert found.members == () and found.problem[0] == "FileTooLarge"
            assert found.problem[1].startswith("This JSON file is larger than 1 MB")
        else:
            assert found.problem is None
            assert [(m.name, m.problem and m.problem[0]) for m in found.members] == [
                ("help.zip/big.json", "FileTooLarge"), ("help.zip/Article 100 (100).html", None)]


def test_a_notion_page_named_with_a_leading_dot_is_kept_and_os_junk_is_not(tmp_path):
    page = "1" * 32
    data = make_zip({
        f"Export-0c8f4a2e-1d3b-4c5a-9e7f-123456789abc/Wiki {'0' * 32}.md": b"# Wiki\n\nWelcome.\n",
        f"Export-0c8f4a2e-1d3b-4c5a-9e7f-123456789abc/.env setup {page}.md": b"# .env setup\n\nPut the API key in .env.\n",
        "Export-0c8f4a2e-1d3b-4c5a-9e7f-123456789abc/.DS_Store": b"\x00\x00\x00\x01Bud1",
        "Export-0c8f4a2e-1d3b-4c5a-9e7f-123456789abc/Thumbs.db": b"\xd0\xcf\x11\xe0",
        "__MACOSX/Export-0c8f4a2e-1d3b-4c5a-9e7f-123456789abc/._Wiki.md": b"\x00\x05\x16\x07",
        "Export-0c8f4a2e-1d3b-4c5a-9e7f-123456789abc/.hidden-notes.txt": b"A team member's notes.",
    })
    docs = dict(exports.expand("notion.zip", data))
    assert sorted(docs) == ["notion.zip/.hidden-notes.txt", "notion.zip/Wiki (00000000).md", "notion.zip/env setup (11111111).md"]
    assert b"Put the API key in .env." in docs["notion.zip/env setup (11111111).md"]
    assert b'title: ".env setup"' in docs["notion.zip/env setup (11111111).md"]
    # in a plain ZIP too: a dot-named file is read (or reported), only the system's own files are left out
    (tmp_path / "u").write_bytes(make_zip({".notes.md": b"# Notes\n\nKeep.\n", ".DS_Store": b"x", "a/Thumbs.db": b"x",
                                           "._a.md": b"x", "__MACOSX/a.md": b"x", ".config.json": b"{}"}))
    found = containers.expand_to(tmp_path / "u", "files.zip", Limits(), tmp_path, "m")
    assert [(m.name, m.problem and m.problem[0]) for m in found.members] == [
        ("files.zip/.notes.md", None), ("files.zip/.config.json", "UnsupportedFile")]


def test_a_workbook_of_too_many_sheets_is_refused_plainly(tmp_path, monkeypatch):
    import openpyxl

    from rag.parse import office

    monkeypatch.setattr(office, "MAX_SHEETS", 3)
    book = openpyxl.Workbook()
    for n in range(4):
        book.create_sheet(f"Sheet {n}")
    book.save(tmp_path / "plan.xlsx")
    with pytest.raises(FileTooLarge, match=r"This workbook has 5 sheets; the limit is 3\."):
        office.parse_xlsx(tmp_path / "plan.xlsx", "plan.xlsx")


MEMORY_SCRIPT = textwrap.dedent("""
    import io, json, random, resource, sys, zipfile
    from pathlib import Path
    from rag.ingest import queue
    from rag.settings import Settings
    from rag.store import DataFolder
    from rag.workspace.assistants import ensure_default

    def export(members, articles, bodies):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:  # written piece by piece: never whole here
            for m in range(members):
                with zf.open(f"articles-{m}.json", "w") as fh:
                    fh.write(b'{"articles": [')
                    for n in range(articles):
                        record = {"id": m * 10_000 + n, "title": f"Plan {m}-{n}", "section_id": 1,
                                  "html_url": f"https://acme.zendesk.com/hc/articles/{m}-{n}", "body": bodies[n % len(bodies)]}
                        fh.write((", " if n else "").encode() + json.dumps(record).encode())
                    fh.write(b"]}")
        return buf.getvalue()

    words = "open settings choose billing then change plan team invoice seat admin export report brand".split()
    r = random.Random(1)
    varied = ["<p>" + " ".join(r.choice(words) for _ in range(5000)) + "</p>" for _ in range(40)]
    reported = export(3, 1500, ["<p>" + "Open Settings, choose Billing, then Change plan. " * 600 + "</p>"])
    big = export(1, 1500, varied)  # one 45 MB member that is opened (about 3-fold compression)
    folder = DataFolder(Settings.load(sys.argv[1], secrets_path=Path(sys.argv[1]) / "none.toml"))
    ensure_default(folder.catalog, "default")
    figures = {"reported_kb": len(reported) // 1024, "big_kb": len(big) // 1024}
    rss = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    figures["before_mb"] = rss()
    for label, data in (("reported", reported), ("big", big)):
        queued = queue.enqueue(folder, [("help.zip", data)], "default", folder.settings.chunking)
        figures[label] = {"jobs": len(queued), "statuses": sorted({j.status for j in queued}),
                          "errors": sorted({j.error for j in queued if j.error}), "after_mb": rss()}
    print(json.dumps(figures))
""")


@pytest.mark.slow
def test_queuing_a_big_json_export_keeps_the_queuing_process_small(tmp_path):
    # Reported: 1,403 MB in the app for a 130 KB ZIP of three 45 MB JSON members, read whole where it was queued.
    out = subprocess.run([sys.executable, "-c", MEMORY_SCRIPT, str(tmp_path / "data")], capture_output=True, text=True,
                         timeout=900, env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT)
    assert out.returncode == 0, out.stderr[-3000:]
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    print(figures)
    reported, big = figures["reported"], figures["big"]
    # the reported ZIP's members expand a thousand-fold: refused as zip bombs, by the worker, each plainly
    assert figures["reported_kb"] < 1024 and reported["statuses"] == ["failed"] and reported["jobs"] == 3, figures
    assert reported["errors"] == ["This entry expands more than 100-fold (it looks like a zip bomb); it was not read."]
    # a 45 MB member that is read: 1,500 articles queued, the JSON never read in this process
    assert big["jobs"] == 1500 and big["statuses"] == ["queued"], figures
    assert big["after_mb"] - figures["before_mb"] < 150, figures  # json.loads of the member alone takes ~400 MB


@pytest.mark.slow
def test_a_relative_data_folder_works_from_any_folder(tmp_path):
    # Reported: with a relative data folder every document failed "couldn't be read (FileNotFoundError)"
    # unless the command ran from the project folder (the parse worker runs from there).
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "pricing.md").write_text("# Pricing\n\nThe Team plan costs 49 dollars a month.\n")
    (docs / "guide.zip").write_bytes(make_zip({"setup.txt": b"Install the agent, then sign in."}))
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("QDRANT_URL", "OPENAI_API_KEY")}
    env.update(PYTHONPATH=str(ROOT), GROUNDED_DATA_DIR="relative-data")
    out = subprocess.run([sys.executable, "-m", "rag.cli", "ingest", str(docs)], cwd=elsewhere, env=env,
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout + out.stderr
    import sqlite3

    catalog = sqlite3.connect(elsewhere / "relative-data" / "catalog.sqlite3")
    rows = dict(catalog.execute("SELECT file, status FROM documents").fetchall())
    assert rows == {"pricing.md": "ready", "guide.zip/setup.txt": "ready"}, (rows, out.stdout)
    assert not (ROOT / "relative-data").exists()


def test_the_data_folder_is_made_absolute_when_settings_load(tmp_path, monkeypatch):
    from rag.settings import Settings

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GROUNDED_DATA_DIR", "rel")
    assert Settings.load(secrets_path=tmp_path / "none.toml").data_dir == tmp_path / "rel"
    monkeypatch.delenv("GROUNDED_DATA_DIR")
    assert Settings.load(secrets_path=tmp_path / "none.toml").data_dir == tmp_path / "data"
    assert Settings().data_dir.is_absolute()
