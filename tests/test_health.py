"""Knowledge-base health: each check finds its problem on real re-exports, and each fix repairs it."""

from __future__ import annotations

import json

from rag.ingest.pipeline import ingest_bytes, ingest_paths
from rag.types import ChunkSettings, Hit
from rag.workspace import health
from rag.workspace.health import Fix, apply_fix, check_health, similarity, title_key
from tests.conftest import run_cli
from tests.fixtures import make_docx, make_pdf
from tests.marketing_fixtures import (
    FABRIKAM,
    NORTHWIND,
    PRICING_FAQ_MD,
    PRICING_FAQ_TXT,
    shares_csv,
)


def _checks(report) -> dict[str, list]:
    return report.by_check()


def test_clean_documents_have_no_findings(store):
    ingest_bytes(store, "northwind-case-study.md", NORTHWIND)
    ingest_bytes(store, "fabrikam-customer-story.md", FABRIKAM)
    report = check_health(store, None, None)
    assert report.documents == 2 and report.findings == [] and report.healthy


def test_same_text_as_md_and_txt_with_small_edits_is_a_near_duplicate(store):
    ingest_bytes(store, "pricing-faq.md", PRICING_FAQ_MD)
    ingest_bytes(store, "Pricing FAQ (export).txt", PRICING_FAQ_TXT)  # re-wrapped lines, three small edits
    ingest_bytes(store, "northwind-case-study.md", NORTHWIND)
    (finding,) = _checks(check_health(store, None, None))["near_duplicate"]
    assert set(finding.files) == {"pricing-faq.md", "Pricing FAQ (export).txt"}
    assert "nearly the same text" in finding.detail
    (fix,) = finding.fixes
    assert fix.action == "delete" and fix.doc_id == finding.doc_ids[0]  # the older copy goes, the newest stays
    message = apply_fix(store, fix, None)
    assert message.startswith("Deleted pricing-faq.md")
    assert "near_duplicate" not in _checks(check_health(store, None, None))


def test_a_word_export_and_a_pdf_export_of_one_document_are_duplicates(store, tmp_path):
    make_docx(tmp_path / "case.docx")
    lines = ["Northwind case study", "Northwind cut onboarding from 41 days to 12 days.", "Results",
             "Support tickets fell by a third.", "Metric Value", "Onboarding 12 days", "Tickets -33%"]
    (tmp_path / "case.pdf").write_bytes(make_pdf([lines]))
    ingest_paths(store, [tmp_path / "case.docx", tmp_path / "case.pdf"])
    findings = _checks(check_health(store, None, None))
    dups = findings.get("duplicate", []) + findings.get("near_duplicate", [])
    assert len(dups) == 1 and set(dups[0].files) == {"case.docx", "case.pdf"}


def test_identical_files_under_two_names_are_exact_duplicates(store):
    ingest_bytes(store, "brand-guide.md", NORTHWIND)
    ingest_bytes(store, "brand-guide copy.md", NORTHWIND)
    (finding,) = _checks(check_health(store, None, None))["duplicate"]
    assert finding.title == "The same document is here twice" and "identical" in finding.detail
    assert "superseded" not in _checks(check_health(store, None, None))  # said once, as a duplicate


def test_different_documents_are_not_near_duplicates():
    a = "the team plan costs 49 dollars per month for twenty seats".split()
    b = "northwind cut onboarding from 41 days to 12 days last year".split()
    assert similarity(a, a) == 1.0 and similarity(a, b) < 0.3


def test_an_older_version_with_the_same_title_is_superseded(store):
    ingest_bytes(store, "pricing-2023.md", b"# Pricing\n\nThe Team plan costs 39 dollars per month. Support is by email.\n")
    ingest_bytes(store, "pricing-2024.md", b"# Pricing\n\nThe Team plan costs 49 dollars per month. Support includes chat.\n")
    (finding,) = _checks(check_health(store, None, None))["superseded"]
    assert finding.title == "Older version of pricing-2024.md"
    assert "pricing-2023.md (2023-01-01)" in finding.detail
    (fix,) = finding.fixes
    assert fix.label == "Delete the older version (pricing-2023.md)"


def test_title_keys_ignore_versions_dates_and_copies():
    assert title_key("Pricing v2 (final).pdf") == title_key("pricing_v1.docx") == "pricing"
    assert title_key("launch-notes-2024-03.md") == title_key("Launch Notes March 2023.pdf") == "launch notes"
    assert title_key("help.zip/en/index.html") == ""  # generic names say nothing


def test_posts_are_not_older_versions_of_each_other(store, tmp_path):
    (tmp_path / "Shares.csv").write_bytes(shares_csv([("2024-01-01 09:00:00", ["Big news today. 🚀", "We launched."]),
                                                      ("2024-02-01 09:00:00", ["Big news today. 🎉", "We hired."])]))
    ingest_paths(store, [tmp_path / "Shares.csv"])
    assert "superseded" not in _checks(check_health(store, None, None))


def test_a_scanned_pdf_and_an_empty_file_are_found(store, tmp_path):
    (tmp_path / "scan.pdf").write_bytes(make_pdf([["Page 1"], ["Page 2"], ["Page 3"]]))
    (tmp_path / "blank.txt").write_bytes(b"   \n\n  ")
    ingest_paths(store, [tmp_path])
    findings = _checks(check_health(store, None, None))["little_text"]
    by_file = {f.files[0]: f for f in findings}
    assert "looks scanned" in by_file["scan.pdf"].title and "OCR" in by_file["scan.pdf"].detail
    assert by_file["scan.pdf"].severity == "high"
    assert "no readable text" in by_file["blank.txt"].title
    apply_fix(store, by_file["blank.txt"].fixes[0], None)
    assert store.catalog.get(by_file["blank.txt"].doc_ids[0]) is None


def test_passages_longer_than_the_model_reads_are_rechunked(store):
    long_text = "# Guide\n\n" + " ".join(f"Sentence {i} explains one more detail of the onboarding process." for i in range(60))
    result = ingest_bytes(store, "guide.md", long_text.encode(), chunking=ChunkSettings("by_title", 512, 32))
    (finding,) = _checks(check_health(store, None, None))["long_chunks"]
    assert "256 tokens" in finding.detail and "invisible to search" in finding.detail
    (fix,) = finding.fixes
    assert fix.action == "rechunk" and fix.args["size"] == 256
    assert apply_fix(store, fix, None).startswith("Re-chunked guide.md into")
    assert store.catalog.get(result.doc_id).chunk_settings["size"] == 256
    assert "long_chunks" not in _checks(check_health(store, None, None))


def test_many_tiny_passages_are_found_and_merged(store):
    sections = "\n\n".join(f"## Question {i}\n\nYes." for i in range(8))
    ingest_bytes(store, "faq.md", f"# FAQ\n\n{sections}\n".encode())
    (finding,) = _checks(check_health(store, None, None))["short_chunks"]
    assert "8 of its 8 passages" in finding.detail
    apply_fix(store, finding.fixes[0], None)
    assert "short_chunks" not in _checks(check_health(store, None, None))


def test_unknown_kind_and_its_fix(store):
    result = ingest_bytes(store, "team-offsite.md", b"# Offsite\n\nLunch is at noon on the terrace. Bring a warm jacket.\n")
    (finding,) = _checks(check_health(store, None, None))["unknown_kind"]
    (fix,) = finding.fixes
    assert fix.action == "set_kind" and "other" not in fix.args["choices"]
    assert apply_fix(store, fix, None, kind="blog") == "team-offsite.md is now marked “blog”."
    assert store.catalog.get(result.doc_id).kind == "blog"
    assert "unknown_kind" not in _checks(check_health(store, None, None))


def test_never_retrieved_only_after_enough_questions(store):
    used = ingest_bytes(store, "northwind-case-study.md", NORTHWIND)
    unused = ingest_bytes(store, "fabrikam-customer-story.md", FABRIKAM)
    chunk = store.index.chunks_of("default", used.doc_id)[0]
    hit = Hit(chunk.chunk_id, used.doc_id, chunk.file, chunk.text, 1.0)
    for _ in range(health.MIN_QUESTIONS - 1):
        store.catalog.record_retrieval("default", [hit])
    assert "never_retrieved" not in _checks(check_health(store, None, None))  # too few questions to judge
    store.catalog.record_retrieval("default", [hit])
    report = check_health(store, None, None)
    (finding,) = _checks(report)["never_retrieved"]
    assert finding.doc_ids == [unused.doc_id] and f"{health.MIN_QUESTIONS} questions" in finding.detail
    assert report.questions == health.MIN_QUESTIONS
    assert health.retrieved_docs(store.catalog, "default") == {used.doc_id: health.MIN_QUESTIONS}
    store.catalog.record_retrieval("other-workspace", [hit])  # workspaces are counted apart
    assert health.questions_since(store.catalog, "default", 0) == health.MIN_QUESTIONS


def test_fix_of_a_document_already_gone_is_a_plain_error(store):
    import pytest

    from rag.errors import GroundedError

    with pytest.raises(GroundedError, match="no longer exists"):
        apply_fix(store, Fix("delete", "nope", "Delete"), None)


def test_cli_health_json_and_text(tmp_path, capsys):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "pricing-faq.md").write_bytes(PRICING_FAQ_MD)
    (docs / "pricing-faq-export.txt").write_bytes(PRICING_FAQ_TXT)
    data = tmp_path / "data"

    def grounded(*args):
        return run_cli(capsys, *args, "--data-dir", data)

    assert grounded("ingest", str(docs)).returncode == 0
    out = grounded("health", "--json")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["documents"] == 2 and report["counts"]["near_duplicate"] == 1
    finding = next(f for f in report["findings"] if f["check"] == "near_duplicate")
    assert finding["fixes"][0]["action"] == "delete"
    text = grounded("health")
    assert "Near-duplicate documents (1)" in text.stdout and f"grounded rm {finding['fixes'][0]['doc_id']}" in text.stdout
