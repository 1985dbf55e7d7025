"""Text a reader of a Word, PowerPoint or Excel file can't see never reaches the index: one file per trick."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from rag.parse import parse_file

SECRET = "Refunds are available for 203 days"
VISIBLE = "Refunds are available for 30 days after purchase."
AFTER = "Support answers within a day."
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _xml(fragment: str):
    from docx.oxml import parse_xml

    return parse_xml(f'<root xmlns:w="{W}">{fragment}</root>')[0]


def _rpr(run, *children: str) -> None:
    rpr = run._r.get_or_add_rPr()
    for child in children:
        rpr.append(_xml(child))


def _secret_paragraph(doc):
    return doc.add_paragraph("Our policy: ")


def _build(tmp_path: Path, trick) -> Path:
    import docx

    doc = docx.Document()
    doc.add_paragraph(VISIBLE)
    trick(doc)
    doc.add_paragraph(AFTER)
    path = tmp_path / "policy.docx"
    doc.save(path)
    return path


def _style(doc, name: str, kind: str = "character", base=None):
    from docx.enum.style import WD_STYLE_TYPE

    style = doc.styles.add_style(name, WD_STYLE_TYPE.CHARACTER if kind == "character" else WD_STYLE_TYPE.PARAGRAPH)
    if base is not None:
        style.base_style = base
    return style


def _hidden_run(doc):
    _secret_paragraph(doc).add_run(SECRET).font.hidden = True


def _spec_vanish(doc):
    _rpr(_secret_paragraph(doc).add_run(SECRET), "<w:specVanish/>")


def _web_hidden(doc):
    _rpr(_secret_paragraph(doc).add_run(SECRET), "<w:webHidden/>")


def _white(doc):
    from docx.shared import RGBColor

    _secret_paragraph(doc).add_run(SECRET).font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)


def _near_white(doc):
    _rpr(_secret_paragraph(doc).add_run(SECRET), '<w:color w:val="FEFEFE"/>')


def _colour_of_its_shading(doc):
    _rpr(_secret_paragraph(doc).add_run(SECRET), '<w:color w:val="336699"/>', '<w:shd w:val="clear" w:fill="336699"/>')


def _colour_of_the_paragraph_shading(doc):
    p = _secret_paragraph(doc)
    p._p.get_or_add_pPr().append(_xml('<w:shd w:val="clear" w:fill="000000"/>'))
    _rpr(p.add_run(SECRET), '<w:color w:val="000000"/>')


def _one_point(doc):
    from docx.shared import Pt

    _secret_paragraph(doc).add_run(SECRET).font.size = Pt(1)


def _two_points(doc):
    _rpr(_secret_paragraph(doc).add_run(SECRET), '<w:sz w:val="4"/>')


def _squeezed(doc):
    _rpr(_secret_paragraph(doc).add_run(SECRET), '<w:w w:val="1"/>')


def _tracked_deletion(doc):
    p = _secret_paragraph(doc)
    p._p.append(_xml(f'<w:del w:id="7" w:author="x"><w:r><w:delText>{SECRET}</w:delText></w:r></w:del>'))


def _moved_away(doc):
    p = _secret_paragraph(doc)
    p._p.append(_xml(f'<w:moveFrom w:id="8" w:author="x"><w:r><w:t>{SECRET}</w:t></w:r></w:moveFrom>'))


def _character_style(doc):
    _style(doc, "Quiet").font.hidden = True
    _secret_paragraph(doc).add_run(SECRET, style="Quiet")


def _paragraph_style(doc):
    _style(doc, "Quiet paragraph", "paragraph").font.hidden = True
    doc.add_paragraph(SECRET, style="Quiet paragraph")


def _inherited_style(doc):
    from docx.shared import RGBColor

    base = _style(doc, "Paper", "paragraph")
    base.font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)
    _style(doc, "Paper note", "paragraph", base=base)
    doc.add_paragraph(SECRET, style="Paper note")


def _tiny_character_style(doc):
    from docx.shared import Pt

    _style(doc, "Fine").font.size = Pt(1)
    _secret_paragraph(doc).add_run(SECRET, style="Fine")


def _table_cell(doc):
    table = doc.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Plan"
    table.cell(0, 1).paragraphs[0].add_run(SECRET).font.hidden = True


def _white_in_a_white_cell(doc):
    from docx.shared import RGBColor

    table = doc.add_table(rows=1, cols=1)
    cell = table.cell(0, 0)
    cell._tc.get_or_add_tcPr().append(_xml('<w:shd w:val="clear" w:fill="FFFFFF"/>'))
    cell.paragraphs[0].add_run(SECRET).font.color.rgb = RGBColor(0xFF, 0xFF, 0xFF)


WORD_TRICKS = {
    "vanish": _hidden_run,
    "specVanish": _spec_vanish,
    "webHidden": _web_hidden,
    "white text": _white,
    "near-white text": _near_white,
    "text in its shading's colour": _colour_of_its_shading,
    "text in the paragraph shading's colour": _colour_of_the_paragraph_shading,
    "1 pt text": _one_point,
    "2 pt text": _two_points,
    "squeezed to 1% width": _squeezed,
    "tracked deletion": _tracked_deletion,
    "tracked move away": _moved_away,
    "hidden character style": _character_style,
    "hidden paragraph style": _paragraph_style,
    "white from a base style": _inherited_style,
    "1 pt character style": _tiny_character_style,
    "hidden text in a table": _table_cell,
    "white text in a white table cell": _white_in_a_white_cell,
}


def _text(path: Path) -> str:
    return "\n".join(e.text for e in parse_file(path).elements)


@pytest.mark.parametrize("trick", sorted(WORD_TRICKS))
def test_hidden_word_text_is_dropped_and_the_visible_text_kept(tmp_path, trick):
    text = _text(_build(tmp_path, WORD_TRICKS[trick]))
    assert "203" not in text
    assert VISIBLE in text and AFTER in text


def _inserted(doc):
    p = doc.add_paragraph("Our policy: ")
    p._p.append(_xml(f'<w:ins w:id="9" w:author="x"><w:r><w:t>{SECRET}</w:t></w:r></w:ins>'))


def _white_on_black_shading(doc):
    p = doc.add_paragraph()
    _rpr(p.add_run(SECRET), '<w:color w:val="FFFFFF"/>', '<w:shd w:val="clear" w:fill="1F1F1F"/>')


def _white_on_a_dark_cell(doc):
    table = doc.add_table(rows=1, cols=1)
    cell = table.cell(0, 0)
    cell._tc.get_or_add_tcPr().append(_xml('<w:shd w:val="clear" w:fill="0B3D91"/>'))
    _rpr(cell.paragraphs[0].add_run(SECRET), '<w:color w:val="FFFFFF"/>')


def _white_highlighted(doc):
    _rpr(doc.add_paragraph().add_run(SECRET), '<w:color w:val="FFFFFF"/>', '<w:highlight w:val="darkBlue"/>')


def _style_hidden_run_shown(doc):
    _style(doc, "Quiet").font.hidden = True
    _rpr(doc.add_paragraph().add_run(SECRET, style="Quiet"), '<w:vanish w:val="0"/>')


def _auto_colour_small_print(doc):
    _rpr(doc.add_paragraph().add_run(SECRET), '<w:color w:val="auto"/>', '<w:sz w:val="14"/>')


def _grey(doc):
    _rpr(doc.add_paragraph().add_run(SECRET), '<w:color w:val="808080"/>')


def _hidden_paragraph_mark(doc):
    p = doc.add_paragraph(SECRET)
    p._p.get_or_add_pPr().append(_xml("<w:rPr><w:vanish/></w:rPr>"))  # hides the mark only, not the text


def _white_in_a_shaded_style(doc):
    style = _style(doc, "Callout", "paragraph")
    style.element.get_or_add_pPr().append(_xml('<w:shd w:val="clear" w:fill="0B3D91"/>'))
    style.element.get_or_add_rPr().append(_xml('<w:color w:val="FFFFFF"/>'))
    doc.add_paragraph(SECRET, style="Callout")


def _white_in_a_table_styled_header(doc):
    table = doc.add_table(rows=2, cols=1, style="Medium Shading 1 Accent 1")  # a filled header row
    _rpr(table.cell(0, 0).paragraphs[0].add_run(SECRET), '<w:color w:val="FFFFFF"/>')
    table.cell(1, 0).text = "Starter"


WORD_SHOWN = {
    "white in a paragraph style shaded dark": _white_in_a_shaded_style,
    "white in a table style's filled header": _white_in_a_table_styled_header,
    "tracked insertion": _inserted,
    "white on dark shading": _white_on_black_shading,
    "white in a dark table cell": _white_on_a_dark_cell,
    "white on a dark highlight": _white_highlighted,
    "hidden style switched off on the run": _style_hidden_run_shown,
    "7 pt automatic colour": _auto_colour_small_print,
    "grey text": _grey,
    "hidden paragraph mark": _hidden_paragraph_mark,
}


@pytest.mark.parametrize("case", sorted(WORD_SHOWN))
def test_word_text_a_reader_can_see_is_kept(tmp_path, case):
    text = _text(_build(tmp_path, WORD_SHOWN[case]))
    assert SECRET in text and VISIBLE in text


def test_document_defaults_decide_until_a_run_says_otherwise(tmp_path):
    import docx

    doc = docx.Document()
    defaults = doc.styles.element.find(f"{{{W}}}docDefaults/{{{W}}}rPrDefault/{{{W}}}rPr")
    defaults.find(f"{{{W}}}sz").set(f"{{{W}}}val", "2")  # every run 1 pt unless it says otherwise
    doc.add_paragraph(SECRET)
    _rpr(doc.add_paragraph().add_run(VISIBLE), '<w:sz w:val="24"/>')
    doc.save(tmp_path / "defaults.docx")
    text = _text(tmp_path / "defaults.docx")
    assert "203" not in text and VISIBLE in text


def test_headers_footers_and_text_boxes_are_cleaned_too(tmp_path):
    """Parts the parser may read besides the body: the rewritten file has no hidden run anywhere."""
    import docx

    from rag.parse.office_hidden import visible_docx

    doc = docx.Document()
    doc.add_paragraph(VISIBLE)
    section = doc.sections[0]
    section.header.paragraphs[0].add_run(SECRET + " (header)").font.hidden = True
    section.footer.paragraphs[0].add_run(SECRET + " (footer)").font.hidden = True
    section.footer.paragraphs[0].add_run("Page footer")
    box = _xml(
        '<w:r><w:pict><v:shape xmlns:v="urn:schemas-microsoft-com:vml"><v:textbox><w:txbxContent><w:p>'
        f'<w:r><w:rPr><w:vanish/></w:rPr><w:t>{SECRET} (box)</w:t></w:r><w:r><w:t>Boxed note</w:t></w:r>'
        "</w:p></w:txbxContent></v:textbox></v:shape></w:pict></w:r>"
    )
    doc.add_paragraph()._p.append(box)
    doc.save(tmp_path / "parts.docx")
    cleaned = visible_docx(tmp_path / "parts.docx")
    assert cleaned is not None
    with zipfile.ZipFile(cleaned) as zf:
        parts = {n: zf.read(n).decode() for n in zf.namelist() if n.startswith("word/") and n.endswith(".xml")}
    everything = "".join(parts.values())
    assert "203 days" not in everything
    assert "Boxed note" in everything and "Page footer" in everything and VISIBLE in everything


def test_a_word_file_with_nothing_hidden_is_read_as_it_is(tmp_path):
    from rag.parse.office_hidden import visible_docx

    path = _build(tmp_path, lambda doc: doc.add_paragraph("Plain text."))
    assert visible_docx(path) is None and "Plain text." in _text(path)


def test_hidden_word_sentence_is_never_answered(store, tmp_path):
    from rag.answer.chain import ask
    from rag.ingest.pipeline import ingest_bytes

    def planted(doc):
        from docx.shared import Pt

        _secret_paragraph(doc).add_run(SECRET + " on every plan.").font.size = Pt(1)

    path = _build(tmp_path, planted)
    ingest_bytes(store, "policy.docx", path.read_bytes())
    result = ask(store, "How many days are refunds available for?", user=None)
    assert "203" not in result.answer and all("203" not in c.quote for c in result.citations)
    assert "30 days" in result.answer


# ---------------------------------------------------------------- PowerPoint and Excel


def test_hidden_slides_and_shapes_are_left_out(tmp_path):
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    layout = deck.slide_layouts[5]
    first = deck.slides.add_slide(layout)
    first.shapes.title.text = "Refund policy"
    first.shapes.add_textbox(Inches(1), Inches(2), Inches(6), Inches(1)).text_frame.text = VISIBLE
    ghost = first.shapes.add_textbox(Inches(1), Inches(3), Inches(6), Inches(1))
    ghost.text_frame.text = SECRET + " (hidden shape)"
    ghost._element.nvSpPr.cNvPr.set("hidden", "1")
    second = deck.slides.add_slide(layout)
    second.shapes.title.text = "Old policy"
    second.shapes.add_textbox(Inches(1), Inches(2), Inches(6), Inches(1)).text_frame.text = SECRET + " (hidden slide)"
    second._element.set("show", "0")
    third = deck.slides.add_slide(layout)
    third.shapes.title.text = "Support"
    third.shapes.add_textbox(Inches(1), Inches(2), Inches(6), Inches(1)).text_frame.text = AFTER
    deck.save(tmp_path / "deck.pptx")
    parsed = parse_file(tmp_path / "deck.pptx")
    text = "\n".join(e.text for e in parsed.elements)
    assert "203" not in text and "Old policy" not in text
    assert VISIBLE in text and AFTER in text
    assert {e.page for e in parsed.elements} == {1, 3}  # slide numbers stay those of the deck


def test_hidden_sheets_rows_and_columns_are_left_out(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Plans"
    sheet.append(["Plan", "Refund days", "Internal"])
    sheet.append(["Starter", "30", "margin 12%"])
    sheet.append(["Legacy", "203", "secret row"])
    sheet.append(["Pro", "30", "margin 40%"])
    sheet.row_dimensions[3].hidden = True
    sheet.column_dimensions["C"].hidden = True
    hidden = book.create_sheet("Old terms")
    hidden.append(["Refunds", "203 days"])
    hidden.sheet_state = "hidden"
    very = book.create_sheet("Notes")
    very.append(["Refunds for 203 days"])
    very.sheet_state = "veryHidden"
    book.save(tmp_path / "plans.xlsx")
    text = _text(tmp_path / "plans.xlsx")
    assert "203" not in text and "margin" not in text and "Internal" not in text and "Old terms" not in text
    assert "Starter" in text and "Pro" in text and "Refund days" in text


def test_a_workbook_whose_sheets_are_all_hidden_has_no_text(tmp_path):
    import openpyxl

    from rag.errors import EmptyDocument

    book = openpyxl.Workbook()
    first = book.active
    first.append(["Refunds", "203 days"])
    book.active = book.create_sheet("Blank")
    first.sheet_state = "hidden"
    book.save(tmp_path / "ghost.xlsx")
    with pytest.raises(EmptyDocument):
        parse_file(tmp_path / "ghost.xlsx")

