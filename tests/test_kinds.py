"""Document kinds: guessed at upload, stored on every chunk, and a person's correction always wins."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from rag.answer.retrieve import retrieve
from rag.ingest import kinds
from rag.ingest import pipeline as ingest
from rag.ingest.pipeline import ingest_bytes, ingest_paths
from rag.types import RetrievalSettings, SearchFilter
from tests.conftest import run_cli
from tests.fixtures import make_pptx
from tests.marketing_fixtures import FABRIKAM, LAUNCH_2024, NORTHWIND, help_zip


def _day(y: int, m: int, d: int) -> float:
    return datetime(y, m, d, tzinfo=timezone.utc).timestamp()


@pytest.mark.parametrize(
    "name, text, expected",
    [
        ("northwind-case-study.md", "Northwind cut onboarding.", "case study"),
        ("northwind.md", NORTHWIND.decode(), "case study"),  # challenge / solution / results sections
        ("stories/fabrikam.md", FABRIKAM.decode(), "case study"),  # "customer story" in its text
        ("help.zip/help/reset-password.html", "Reset your password", "help center"),
        ("faq/billing.md", "1. Click Billing.\n2. Go to Settings > Invoices.", "help center"),
        ("release-notes-v2.3.md", "Bug fixes.", "product launch"),
        ("dashboards.md", LAUNCH_2024.decode(), "product launch"),
        ("why-we-write.md", "By Ann · 5 min read\n\nWe write every week.", "blog"),
        ("blog/2024/short-lines.html", "Short lines win.", "blog"),
        ("q3-pitch-deck.pdf", "Our pitch.", "sales deck"),
        ("spring.pptx", "Spring launch slides", "sales deck"),
        ("team-offsite.md", "Lunch is at noon. Bring a jacket.", "other"),
        ("linkedin-strategy-2024.md", "Our plan for the year.", "other"),  # about LinkedIn, not a post
        ("linkedin-post-march.txt", "Short lines win.", "LinkedIn post"),
        ("Shares.csv/2024-03-05 We shipped.txt", "LinkedIn post · 2024-03-05 14:02:11 UTC\n\nWe shipped.", "LinkedIn post"),
        # style guides named or written otherwise: notes, rules, a house style, or prose that sets writing rules
        ("pathwise-writing-notes.txt", "Pathwise notes", "style guide"),
        ("Copy rules.docx", "Our rules", "style guide"),
        ("house_style.md", "How we sound", "style guide"),
        ("notes.txt", "We tell one story per post, in short lines.\nWe never use hashtags, and we never use emoji. "
                      "Please don't write \"synergy\"; write \"teamwork\" instead. Keep every post under 160 words.",
         "style guide"),
        ("voice.md", "Sentences stay short. Avoid jargon such as leverage. Always spell out numbers under ten.", "style guide"),
        # rules that are not about writing are not a style guide
        ("security-notes.txt", "Never share your password with anyone. Always sign out on shared computers.", "other"),
        ("offsite.md", "Do not park in the front row. Keep the gate closed after 6 pm.", "other"),
    ],
)
def test_guess(name, text, expected):
    assert kinds.guess(name, text).kind == expected


def test_a_deck_that_calls_itself_a_case_study_is_a_case_study():
    assert kinds.guess("northwind-case-study.pptx", "Northwind case study: onboarding in 12 days").kind == "case study"


def test_guess_gives_a_plain_reason_and_the_post_date():
    g = kinds.guess("Shares.csv/x.txt", "LinkedIn post · 2024-03-05 14:02:11 UTC\nLink: https://x\n\nHello")
    assert g.reason == "it is a post from your LinkedIn export"
    assert g.post_date == _day(2024, 3, 5) + 14 * 3600 + 2 * 60 + 11
    assert "case study" in kinds.guess("acme-case-study.docx", "").reason


def test_document_date_from_name_or_top_of_text():
    assert kinds.document_date("launch-2024-03-05.md") == _day(2024, 3, 5)
    assert kinds.document_date("pricing_march_2023.pdf") == _day(2023, 3, 1)
    assert kinds.document_date("launch.md", "# Launch\n\nReleased March 5, 2024.\n") == _day(2024, 3, 5)
    assert kinds.document_date("launch.md", "# Launch\n\nPublished 10 May 2023") == _day(2023, 5, 10)
    assert kinds.document_date("notes.md", "We started in March 2023 and grew.") is None  # a month in passing isn't a date
    assert kinds.document_date("notes.md", "x " * 2000 + "2024-01-01") is None  # too far down to be the document's date


def test_ingest_stores_the_guess_on_catalog_and_chunks(store, tmp_path):
    (tmp_path / "help.zip").write_bytes(help_zip())
    make_pptx(tmp_path / "spring.pptx")
    (tmp_path / "northwind-case-study.md").write_bytes(NORTHWIND)
    report = ingest_paths(store, [tmp_path])
    assert report.count("indexed") == 4, report.as_dict()
    by_file = {r.file: r.kind for r in store.catalog.documents("default")}
    assert by_file == {
        "help.zip/help/reset-password.html": "help center",
        "help.zip/help/invite-teammates.html": "help center",
        "spring.pptx": "sales deck",
        "northwind-case-study.md": "case study",
    }
    # every chunk carries its document's kind, so a kind filter finds exactly those documents
    found = retrieve(store, "how do I reset my password", "default",
                     RetrievalSettings(threshold=-1.0, where=SearchFilter(kinds=("help center",))), user=None)
    assert found.hits and {h.kind for h in found.hits} == {"help center"}
    assert {h.file for h in found.hits} <= {"help.zip/help/reset-password.html", "help.zip/help/invite-teammates.html"}


def test_a_correction_wins_over_the_guess_on_reupload(store):
    first = ingest_bytes(store, "northwind.md", NORTHWIND)
    assert store.catalog.get(first.doc_id).kind == "case study"
    kinds.set_kind(store, first.doc_id, "blog")
    assert kinds.explain(store.catalog, first.doc_id) == "You chose this kind."
    ingest_bytes(store, "northwind.md", NORTHWIND + b"\nUpdated in 2024.\n")  # changed bytes: re-indexed, not re-guessed
    assert store.catalog.get(first.doc_id).kind == "blog"
    assert {h.kind for h in store.index.chunks_of("default", first.doc_id)} == {"blog"}


def test_a_correction_back_to_other_also_wins(store):
    """Choosing "other" by hand is a choice too: a re-upload doesn't guess over it."""
    first = ingest_bytes(store, "northwind.md", NORTHWIND)
    kinds.set_kind(store, first.doc_id, "other")
    ingest_bytes(store, "northwind.md", NORTHWIND + b"\nMore results soon.\n")
    assert store.catalog.get(first.doc_id).kind == "other"


def test_an_uncorrected_guess_follows_the_content(store):
    first = ingest_bytes(store, "northwind.md", b"# Northwind\n\nNotes for the team lunch on Friday.\n")
    assert store.catalog.get(first.doc_id).kind == "other"
    ingest_bytes(store, "northwind.md", NORTHWIND)
    assert store.catalog.get(first.doc_id).kind == "case study"


def test_explicit_kind_and_reindex_keep_the_kind(store):
    result = ingest_bytes(store, "notes.md", b"# Notes\n\nSome notes about our launch plans.\n", kind="sales deck")
    assert store.catalog.get(result.doc_id).kind == "sales deck"
    ingest.reindex(store, result.doc_id)
    assert store.catalog.get(result.doc_id).kind == "sales deck"
    assert {h.kind for h in store.index.chunks_of("default", result.doc_id)} == {"sales deck"}


def test_cli_kind_sets_and_explains(tmp_path, capsys):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "northwind.md").write_bytes(NORTHWIND)
    data = tmp_path / "data"

    def grounded(*args):
        return run_cli(capsys, *args, "--data-dir", data)

    assert grounded("ingest", str(folder)).returncode == 0
    import json

    (doc,) = json.loads(grounded("docs", "--json").stdout)["documents"]
    assert doc["kind"] == "case study"
    out = grounded("kind", doc["doc_id"], "linkedin-post")
    assert out.returncode == 0 and out.stdout.strip() == "northwind.md is now “LinkedIn post”."
    assert json.loads(grounded("docs", "--json").stdout)["documents"][0]["kind"] == "LinkedIn post"
    bad = grounded("kind", doc["doc_id"], "press release")
    assert bad.returncode == 1 and "Unknown kind" in bad.stderr and "case study" in bad.stderr
    gone = grounded("kind", "no-such-document", "case-study")  # through the door: a plain "not found", no traceback
    assert gone.returncode == 1 and "no longer exists" in gone.stderr and "Traceback" not in gone.stderr
