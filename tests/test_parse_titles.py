"""Every document gets a human title: what a person would call it, never "Microsoft Word - doc1.docx"."""

from __future__ import annotations

import io
from email.message import EmailMessage

import pypdf
import pytest

from rag.parse import parse_file
from rag.parse.titles import choose, is_junk, without_site_name
from tests.fixtures import make_docx, make_pdf, make_pptx, make_xlsx


@pytest.mark.parametrize(
    "title", ["Microsoft Word - doc1.docx", "untitled", "Untitled spreadsheet", "Presentation1", "Document1",
              "q3_results", "Unstructured-test-doc", "logo.jpg", "C:\\Users\\ann\\launch.pdf", "2.3.59 (Rev 12/22)", ""],
)
def test_junk_titles_are_recognised(title):
    assert is_junk(title)


@pytest.mark.parametrize("title", ["Northwind case study", "PAL: Program-aided Language Models", "Self-service", "Q3 results"])
def test_real_titles_are_kept(title):
    assert not is_junk(title)


def test_site_name_goes_only_when_a_heading_agrees():
    assert without_site_name("How to change your plan – Example Help Center", ["How to change your plan"]) == "How to change your plan"
    assert without_site_name("Acme Blog | Launch recap", ["Launch recap"]) == "Launch recap"
    assert without_site_name("Pricing - Acme", ["Some other heading"]) == "Pricing - Acme"
    assert choose([None, "untitled"], "help/q3_launch-notes.md") == "q3 launch notes"


def _title(tmp_path, name: str, data: bytes | str) -> str:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return parse_file(path).title


def test_html_title(tmp_path):
    page = "<html><head><title>{}</title></head><body><h1>Launch recap</h1><p>The launch brought 300 sign-ups.</p></body></html>"
    assert _title(tmp_path, "a.html", page.format("Launch recap · Acme Blog")) == "Launch recap"
    assert _title(tmp_path, "b.html", page.format("Untitled")) == "Launch recap"
    assert _title(tmp_path, "c.html", page.format("Q3 in review")) == "Q3 in review"


def test_markdown_title(tmp_path):
    assert _title(tmp_path, "a.md", "Intro line.\n\n# Launch notes\n\n## Pricing\n\nTeam costs $49.\n") == "Launch notes"
    assert _title(tmp_path, "b.md", "---\ntitle: \"Brand voice guide\"\nlayout: page\n---\n\n## Tone\n\nWarm.\n") == "Brand voice guide"
    assert _title(tmp_path, "q3_launch-notes.md", "Just some notes, no heading at all.\n") == "q3 launch notes"


def test_front_matter_is_not_read_as_text(tmp_path):
    path = tmp_path / "guide.md"
    path.write_text("---\ntitle: Brand voice guide\n---\n\nWe write warmly.\n")
    assert [e.text for e in parse_file(path).elements] == ["We write warmly."]


def test_text_title(tmp_path):
    assert _title(tmp_path, "a.txt", "Spring launch plan\n\nThe dashboard ships in March.\n") == "Spring launch plan"
    assert _title(tmp_path, "spring_plan.txt", "The dashboard ships in March.\nMore later.\n") == "spring plan"


def test_csv_and_xlsx_titles(tmp_path):
    assert _title(tmp_path, "q3_customer-results.csv", "Customer,Days\nNorthwind,12\n") == "q3 customer results"
    make_xlsx(tmp_path / "sheet.xlsx")
    assert parse_file(tmp_path / "sheet.xlsx").title == "Results"  # the one sheet with data names it


def test_office_titles(tmp_path):
    import docx

    make_docx(tmp_path / "case.docx")
    assert parse_file(tmp_path / "case.docx").title == "Northwind case study"
    document = docx.Document(str(tmp_path / "case.docx"))
    document.core_properties.title = "Microsoft Word - case.docx"
    document.save(str(tmp_path / "junk.docx"))
    assert parse_file(tmp_path / "junk.docx").title == "Northwind case study"
    document.core_properties.title = "Northwind: how onboarding went from 41 to 12 days"
    document.save(str(tmp_path / "titled.docx"))
    assert parse_file(tmp_path / "titled.docx").title == "Northwind: how onboarding went from 41 to 12 days"
    make_pptx(tmp_path / "deck.pptx")
    assert parse_file(tmp_path / "deck.pptx").title == "Spring launch"


def _pdf(metadata_title: str | None) -> bytes:
    """A PDF whose title line, second on the page, is set large; a lowercase note above it, body text below."""
    plain = make_pdf([["draft for the team", "# Spring launch plan", "the dashboard ships in march and sign-ups open in april"]])
    writer = pypdf.PdfWriter(clone_from=io.BytesIO(plain))
    if metadata_title:
        writer.add_metadata({"/Title": metadata_title})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_pdf_title(tmp_path):
    assert _title(tmp_path, "a.pdf", _pdf("Spring launch: the plan")) == "Spring launch: the plan"
    assert _title(tmp_path, "b.pdf", _pdf("Microsoft Word - plan.docx")) == "Spring launch plan"  # the large line
    assert _title(tmp_path, "c.pdf", make_pdf([["Spring launch plan", "the dashboard ships in march."]])) == "Spring launch plan"
    assert _title(tmp_path, "d_plan.pdf", make_pdf([["the dashboard ships in march."]])) == "d plan"


def test_eml_title(tmp_path):
    message = EmailMessage()
    message["Subject"] = "Re: Fwd: Launch recap"
    message["From"] = "pm@example.com"
    message.set_content("300 sign-ups in a week.")
    assert _title(tmp_path, "a.eml", bytes(message)) == "Launch recap"
