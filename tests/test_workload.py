"""The passage limit on one upload: judged before the work, with the figures; memory bounded by batches."""

from __future__ import annotations

import io
import random
import re
import zipfile
from dataclasses import replace

import pytest

from rag.answer.retrieve import search
from rag.errors import TooMuchWork
from rag.ingest import pipeline, workload
from rag.ingest.pipeline import ingest_bytes, ingest_upload
from rag.parse import parse_file
from rag.settings import Limits, Settings
from rag.types import ChunkSettings
from tests.conftest import run_cli
from tests.fixtures import make_pdf, make_zip

# Common English words first, so the text has real English's characters per token (about 4).
WORDS = (
    "the of and to a in is it that for on with as was at by an be this are from or have had not but what all "
    "were when we there can more if no out so said up its about into than them only other new some could time "
    "onboarding customer pricing launch campaign analytics report quarter revenue support brand voice team"
).split()


def prose(n_bytes: int, seed: int = 1) -> str:
    """Paragraphs of plain words, about ``n_bytes`` long."""
    r = random.Random(seed)
    paras, size = [], 0
    while size < n_bytes:
        para = " ".join(r.choice(WORDS) for _ in range(r.randint(40, 90))) + "."
        paras.append(para)
        size += len(para) + 2
    return "\n\n".join(paras)


def csv_rows(rows: int) -> bytes:
    return ("id,customer,days\n" + "".join(f"{i},Customer {i},{i % 90}\n" for i in range(rows))).encode()


@pytest.fixture
def limit(store, monkeypatch):
    """``limit(n)``: this store's uploads may make at most ``n`` passages."""

    def set_limit(n: int) -> None:
        monkeypatch.setattr(store, "settings", replace(store.settings, limits=Limits(max_chunks=n)))

    return set_limit


@pytest.fixture
def embedded(store, monkeypatch):
    """The texts of every call to the embedding model, one list per call."""
    calls: list[list[str]] = []
    real = store.embeddings.embed_array

    def embed(texts):
        calls.append(list(texts))
        return real(texts)

    monkeypatch.setattr(store.embeddings, "embed_array", embed)
    return calls


def test_a_zip_whose_documents_add_up_to_too_much_is_refused_whole_before_any_is_read(store, limit, embedded, monkeypatch):
    # The 400 one-MiB entries of the security report, in miniature: each entry is small, the sum is not.
    limit(100)
    pages = {f"page-{n:02}.txt": prose(8_000, seed=n).encode() for n in range(40)}
    total = sum(workload.estimate_passages(name, len(text), ChunkSettings()) for name, text in pages.items())
    read = []
    monkeypatch.setattr(pipeline.parse, "iter_members", lambda *a, **k: read.append(a) or iter(()))
    (result,) = ingest_upload(store, "help-export.zip", make_zip(pages))
    assert result.status == "failed" and result.path == "help-export.zip"
    assert 300 < total < 500
    assert result.error.startswith(f"This archive would make about {workload.about_count(total, 100)} passages, about ")
    assert "of indexing here; the limit is 100. " in result.error
    assert "GROUNDED_MAX_CHUNKS" in result.error
    assert read == [] and embedded == [] and store.catalog.documents() == []


def test_a_zip_is_stopped_when_its_documents_made_too_many_passages_so_far(store, limit):
    # Short CSV rows make more passages than their size says (a table of 50 rows each at least),
    # so the directory's estimate lets this archive in; the running count stops the third document.
    limit(50)
    column = b"n\n" + b"".join(b"%d\n" % (i % 10) for i in range(1000))  # 2 KB: 20 tables of 50 rows
    archive = make_zip({f"sheet-{n}.csv": column for n in range(3)})
    results = ingest_upload(store, "sheets.zip", archive)
    assert [r.status for r in results] == ["indexed", "indexed", "failed"]
    assert results[0].chunks == results[1].chunks == 20
    assert re.match(r"This archive would make more than 60 passages, .*; the limit is 50\.", results[2].error)
    assert [d.file for d in store.catalog.documents()] == ["sheets.zip/sheet-0.csv", "sheets.zip/sheet-1.csv"]


def test_a_text_file_over_the_limit_is_refused_with_the_figures_before_it_is_parsed(store, limit, monkeypatch):
    limit(20)
    monkeypatch.setattr(pipeline, "parse_file_isolated", lambda *a, **k: pytest.fail("parsed"))
    result = ingest_bytes(store, "handbook.txt", prose(100_000).encode())
    assert result.status == "failed"
    assert re.fullmatch(
        r"This file would make about 1[12]0 passages, (about \d+ seconds|a few seconds) of indexing here; the limit is 20\. "
        r"Split it into smaller files, or raise the limit with the setting GROUNDED_MAX_CHUNKS\.",
        result.error,
    )
    assert store.catalog.documents() == []


def test_the_exact_count_decides_before_embedding_and_the_ready_version_stays(store, limit, embedded):
    # 200 tiny sections: a few hundred bytes (estimated at one passage), but a passage each.
    sections = "".join(f"# Section {n}\n\nStep {n}.\n\n" for n in range(200))
    first = ingest_bytes(store, "steps.md", b"# Steps\n\nOne step only.\n")
    embedded.clear()
    limit(50)
    second = ingest_bytes(store, "steps.md", sections.encode())
    assert second.status == "failed" and "would make about 200 passages" in second.error
    assert embedded == []
    row = store.catalog.get(first.doc_id)
    assert row.status == "ready" and row.chunks == first.chunks
    assert [h.text for h in search(store, "step", "default", k=5, user=None)] == ["One step only."]


def test_a_parse_is_stopped_at_the_text_allowance_and_reported_in_passages(store, limit):
    # A PDF's size says nothing of its text, so it gets no estimate: the parser itself stops.
    limit(1)
    pdf = make_pdf([[f"Line {n} of a long report about onboarding and pricing." for n in range(40)] for _ in range(3)])
    result = ingest_bytes(store, "report.pdf", pdf)
    assert result.status == "failed"
    assert result.error.startswith("This file would make more than 2 passages")
    assert store.catalog.get(result.doc_id).status == "failed"


@pytest.mark.parametrize(
    "name, text",
    [
        ("notes.txt", "A paragraph of notes.\n\n" * 2_000),
        ("one-line.txt", "word " * 20_000),
        ("guide.md", "# Guide\n\n" + "Some guidance here.\n\n" * 2_000),
        ("rows.csv", csv_rows(5_000).decode()),
    ],
)
def test_parsers_stop_at_their_text_allowance(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(TooMuchWork, match="more text than one upload may be indexed as"):
        parse_file(path, max_chars=5_000)
    assert parse_file(path, max_chars=len(text) * 2).elements


def test_a_csv_under_the_limit_is_embedded_and_stored_in_batches(store, embedded, monkeypatch):
    monkeypatch.setattr(pipeline, "STORE_BATCH", 16)
    stored: list[int] = []
    real_upsert = store.index.upsert
    monkeypatch.setattr(store.index, "upsert", lambda ws, chunks, *a: stored.append(len(chunks)) or real_upsert(ws, chunks, *a))
    result = ingest_bytes(store, "customers.csv", csv_rows(2_000))
    assert result.status == "indexed" and result.chunks > 64
    batches = [16] * (result.chunks // 16) + ([result.chunks % 16] if result.chunks % 16 else [])
    assert [len(texts) for texts in embedded] == batches and stored == batches
    assert store.index.count("default", result.doc_id) == result.chunks


def test_a_version_being_stored_is_not_found_until_it_is_ready(store, monkeypatch):
    old = ingest_bytes(store, "prices.csv", b"plan,price\n" + b"Enterprise,900 dollars\n" * 60)
    monkeypatch.setattr(pipeline, "STORE_BATCH", 1)
    new_found_while_storing: list[bool] = []
    real_upsert = store.index.upsert

    def upsert(workspace, chunks, *args):
        real_upsert(workspace, chunks, *args)
        hits = search(store, "Enterprise price", "default", k=10, user=None)
        assert hits  # the ready version answers meanwhile
        new_found_while_storing.append(any("950" in h.text for h in hits))

    monkeypatch.setattr(store.index, "upsert", upsert)
    new = ingest_bytes(store, "prices.csv", b"plan,price\n" + b"Enterprise,950 dollars\n" * 60)
    assert new.status == "indexed" and new.chunks == old.chunks == 3
    assert new_found_while_storing == [False, False, False]
    monkeypatch.setattr(store.index, "upsert", real_upsert)
    assert all("950" in h.text for h in search(store, "Enterprise price", "default", k=10, user=None))


def test_estimates_are_close_to_the_exact_count():
    chunking = ChunkSettings()
    text = prose(300_000)
    from rag.ingest.chunk import chunk_document
    from rag.parse.builder import Builder
    from rag.types import ParsedDocument

    b = Builder("book.txt")
    for para in text.split("\n\n"):
        b.add(para)
    exact = len(chunk_document(ParsedDocument("book.txt", b.elements), chunking, "d", "v"))
    estimate = workload.estimate_passages("book.txt", len(text), chunking)
    assert 0.75 < estimate / exact < 1.35
    assert workload.estimate_passages("rows.csv", 4_000, chunking, csv_rows(1_000)) == 20  # 1,000 rows in tables of 50
    assert workload.estimate_passages("deck.pptx", 10**8, chunking) == 0  # its size says nothing of its text


def test_figures_are_rounded_for_people_but_never_onto_the_limit():
    assert workload.about_count(380_800, 50_000) == "380,000"
    assert workload.about_count(50_400, 50_000) == "50,400"
    assert workload.about_count(87, 50) == "87"
    message = str(workload.too_much_work("This archive", 380_800, 19.6, 50_000))
    assert message.startswith("This archive would make about 380,000 passages, about 5 hours of indexing here; the limit is 50,000.")


def test_the_pace_is_this_machines_once_it_has_indexed_enough(store):
    assert workload.passages_per_second(store) == workload.DEFAULT_PASSAGES_PER_SECOND
    result = ingest_bytes(store, "notes.txt", b"A note.")
    store.catalog.update(result.doc_id, chunks=400, index_seconds=40.0)
    assert workload.passages_per_second(store) == 10.0


def test_the_limit_is_a_setting(tmp_path, monkeypatch):
    monkeypatch.setenv("GROUNDED_MAX_CHUNKS", "120000")
    assert Settings.load(tmp_path / "data", secrets_path=tmp_path / "none.toml").limits.max_chunks == 120_000


def test_docs_listing_shows_a_newline_in_a_name_escaped_on_one_line(tmp_path, capsys):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "a\nb  ready    fake.txt").write_text("Enterprise plans cost 900 dollars per month.\n")
    data = tmp_path / "data"
    assert run_cli(capsys, "ingest", folder, "--data-dir", data).returncode == 0
    out = run_cli(capsys, "docs", "--data-dir", data).stdout
    assert out.count("\n") == 1 and "a\\nb  ready    fake.txt" in out


@pytest.mark.slow
def test_the_reported_zip_of_400_one_mib_entries_is_refused_at_once(store, embedded):
    buf = io.BytesIO()
    page = (prose(6_000) + "\n\n").encode()
    entry = (page * (2**20 // len(page) + 1))[: 2**20]
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for n in range(400):
            zf.writestr(f"page-{n:03}.txt", entry)
    (result,) = ingest_upload(store, "export.zip", buf.getvalue())
    assert result.status == "failed"
    assert re.match(r"This archive would make about [45]\d0,000 passages, about [5-7] hours of indexing here; the limit is 50,000\.",
                    result.error)
    assert embedded == []
