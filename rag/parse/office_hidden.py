"""Text a reader of a Word, PowerPoint or Excel file can't see, removed before the file is read.

Word keeps text it doesn't show: hidden runs (``w:vanish``, ``w:specVanish``,
``w:webHidden``), text in the page's or its shading's colour, text of 2 pt or
less, text squeezed to a tenth of its width, and tracked deletions. Each run's
formatting is resolved as Word does (document defaults, table style, paragraph
style, character style, then the run's own formatting, each style with the
styles it is based on), and the runs that come out hidden are removed from a
copy of the file, in the body, tables, text boxes, headers, footers and notes.
Tracked changes are read as accepted: deletions go, insertions stay.

PowerPoint: shapes marked hidden are removed; hidden slides are left out by
the parser (see ``office.parse_pptx``). Excel: hidden sheets, rows and columns
(see ``office.parse_xlsx``).
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from .hidden import invisible_on, parse_colour

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MIN_HALF_POINTS = 4  # w:sz counts half-points: text of 2 pt or less can't be read
MIN_WIDTH_PERCENT = 10  # w:w: characters squeezed to a tenth of their width or less can't be read
WHITE = (1.0, 1.0, 1.0, 1.0)
HIGHLIGHTS = {
    "black": "000000", "blue": "0000FF", "cyan": "00FFFF", "green": "00FF00", "magenta": "FF00FF", "red": "FF0000",
    "yellow": "FFFF00", "white": "FFFFFF", "darkBlue": "000080", "darkCyan": "008080", "darkGreen": "008000",
    "darkMagenta": "800080", "darkRed": "800000", "darkYellow": "808000", "darkGray": "808080", "lightGray": "C0C0C0",
}
_WORD_PARTS = re.compile(r"word/(document\d*|header\d*|footer\d*|footnotes|endnotes|comments)\.xml")
_TOGGLES = ("vanish", "specVanish", "webHidden")


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


def _parser():
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=False)


def _on(el) -> bool:
    """A Word toggle (``<w:vanish/>``, ``w:val="true"``/``"1"``/``"on"``; ``"0"``/``"false"``/``"off"`` turn it off)."""
    return el.get(_w("val"), "true").lower() not in ("0", "false", "off")


def _fill(shd) -> str | None:
    """A shading element's colour as hex, None for none/auto."""
    if shd is None:
        return None
    fill = shd.get(_w("fill"))
    if shd.get(_w("val")) == "solid" and shd.get(_w("color"), "auto") != "auto":
        fill = shd.get(_w("color"))  # a solid pattern shows its pattern colour
    return fill if fill and fill.lower() != "auto" else None


def _read_rpr(rpr) -> dict:
    """The run properties that can hide text, as set in one ``w:rPr``."""
    props: dict = {}
    if rpr is None:
        return props
    for name in _TOGGLES:
        el = rpr.find(_w(name))
        if el is not None:
            props[name] = _on(el)
    for name, key in (("color", "color"), ("sz", "sz"), ("w", "w"), ("highlight", "highlight")):
        el = rpr.find(_w(name))
        if el is not None and el.get(_w("val")):
            props[key] = el.get(_w("val"))
    shd = rpr.find(_w("shd"))
    if shd is not None:
        props["shd"] = _fill(shd)
    return props


class Styles:
    """The run properties of each style of a document, with the styles it is based on."""

    def __init__(self, root) -> None:
        self.styles = {}
        self.defaults: dict = {}
        self.default_paragraph: str | None = None
        self.default_character: str | None = None
        self._resolved: dict[str, dict] = {}
        self._shading: dict[str, str | None] = {}
        if root is None:
            return
        defaults = root.find(f"{_w('docDefaults')}/{_w('rPrDefault')}/{_w('rPr')}")
        self.defaults = _read_rpr(defaults)
        for style in root.findall(_w("style")):
            style_id = style.get(_w("styleId"))
            if not style_id:
                continue
            self.styles[style_id] = style
            if style.get(_w("default")) in ("1", "true", "on"):
                kind = style.get(_w("type"))
                if kind == "paragraph":
                    self.default_paragraph = style_id
                elif kind == "character":
                    self.default_character = style_id

    def _chain(self, style_id: str) -> list:
        """The style and the styles it is based on, nearest first (a cycle of bases ends)."""
        chain, seen = [], set()
        current: str | None = style_id
        while current and current in self.styles and current not in seen and len(chain) < 50:
            seen.add(current)
            chain.append(self.styles[current])
            based = self.styles[current].find(_w("basedOn"))
            current = based.get(_w("val")) if based is not None else None
        return chain

    def run_props(self, style_id: str | None) -> dict:
        """The run properties a style sets, its base styles' first."""
        if not style_id or style_id not in self.styles:
            return {}
        if style_id not in self._resolved:
            props: dict = {}
            for style in reversed(self._chain(style_id)):
                props.update(_read_rpr(style.find(_w("rPr"))))
            self._resolved[style_id] = props
        return self._resolved[style_id]

    def shading(self, style_id: str | None) -> str | None:
        """The fill a paragraph style (or a style it is based on) shades its paragraphs with, as hex."""
        if not style_id or style_id not in self.styles:
            return None
        if style_id not in self._shading:
            fills = [_fill(s.find(f"{_w('pPr')}/{_w('shd')}")) for s in self._chain(style_id)]
            self._shading[style_id] = next((f for f in fills if f), None)
        return self._shading[style_id]

    def shades_cells(self, style_id: str | None) -> bool:
        """Does a table style fill any of its cells (banded rows, a header row)?"""
        return bool(style_id) and any(
            _fill(shd) for s in self._chain(style_id or "") for shd in s.iter(_w("shd"))
        )


def _val(el, child: str) -> str | None:
    found = el.find(_w(child)) if el is not None else None
    return found.get(_w("val")) if found is not None else None


def _colour(hex_value: str | None):
    """A Word colour (``FFFFFF``) as sRGB + alpha; None for "auto" or none."""
    if not hex_value or hex_value.lower() in ("auto", "none"):
        return None
    return parse_colour(hex_value)


def run_hidden(run, styles: Styles, page) -> bool:
    """Would Word show this run's text to a reader? (Its formatting resolved through the styles.)"""
    paragraph = cell = table = None
    for ancestor in run.iterancestors():
        if ancestor.tag == _w("p") and paragraph is None:
            paragraph = ancestor
        elif ancestor.tag == _w("tc") and cell is None:
            cell = ancestor
        elif ancestor.tag == _w("tbl") and table is None:
            table = ancestor
            break
    ppr = paragraph.find(_w("pPr")) if paragraph is not None else None
    rpr = run.find(_w("rPr"))
    props = dict(styles.defaults)
    table_style = _val(table.find(_w("tblPr")), "tblStyle") if table is not None else None
    paragraph_style = _val(ppr, "pStyle") or styles.default_paragraph
    props.update(styles.run_props(table_style))
    props.update(styles.run_props(paragraph_style))
    props.update(styles.run_props(_val(rpr, "rStyle") or styles.default_character))
    props.update(_read_rpr(rpr))
    if any(props.get(name) for name in _TOGGLES):
        return True
    if _small(props.get("sz"), MIN_HALF_POINTS) or _small(props.get("w"), MIN_WIDTH_PERCENT):
        return True
    text = _colour(props.get("color"))
    if text is None:
        return False  # "auto": Word picks black or white against the background
    background = (
        _colour(props.get("shd"))
        or _colour(HIGHLIGHTS.get(props.get("highlight") or ""))
        or _colour(_fill(ppr.find(_w("shd"))) if ppr is not None else None)
        or _colour(styles.shading(paragraph_style))
        or _colour(_fill(cell.find(f"{_w('tcPr')}/{_w('shd')}")) if cell is not None else None)
    )
    if background is None and styles.shades_cells(table_style):
        return False  # the table style's own fills (a header row, bands) aren't resolved: any colour may show
    return invisible_on(text, background or page or WHITE)


def _small(value: str | None, limit: int) -> bool:
    try:
        return value is not None and float(value) <= limit
    except ValueError:
        return False


def strip_hidden_part(root, styles: Styles) -> int:
    """Remove, in place, a Word part's hidden runs and tracked deletions; accept insertions. Returns the changes made."""
    removed = 0
    for el in list(root.iter(_w("del"), _w("moveFrom"), _w("delText"), _w("delInstrText"))):
        if el.getparent() is not None:
            el.getparent().remove(el)
            removed += 1
    for el in list(root.iter(_w("ins"), _w("moveTo"))):
        parent = el.getparent()
        if parent is None:
            continue
        if parent.tag in (_w("rPr"), _w("trPr"), _w("tcPr"), _w("pPr")):
            parent.remove(el)  # a mark on a paragraph or row, not content
            continue
        index = parent.index(el)
        for offset, child in enumerate(list(el)):
            parent.insert(index + offset, child)
        parent.remove(el)
        removed += 1  # the file changed: an insertion accepted
    background = root.find(_w("background"))
    page = _colour(background.get(_w("color"))) if background is not None else None
    for run in list(root.iter(_w("r"))):
        if run.getparent() is not None and run_hidden(run, styles, page):
            run.getparent().remove(run)
            removed += 1
    return removed


def visible_docx(path: Path) -> io.BytesIO | None:
    """A copy of the Word file without the text a reader can't see; None when it has none."""
    from lxml import etree

    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        styles_root = None
        if "word/styles.xml" in names:
            try:
                styles_root = etree.fromstring(zf.read("word/styles.xml"), _parser())
            except etree.XMLSyntaxError:
                styles_root = None
        styles = Styles(styles_root)
        changed: dict[str, bytes] = {}
        for name in names:
            if not _WORD_PARTS.fullmatch(name):
                continue
            try:
                root = etree.fromstring(zf.read(name), _parser())
            except etree.XMLSyntaxError:
                continue  # the parser will say the file is damaged
            if strip_hidden_part(root, styles):
                changed[name] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
        if not changed:
            return None
        return _rewritten(zf, changed)


def _rewritten(zf: zipfile.ZipFile, changed: dict[str, bytes]) -> io.BytesIO:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for info in zf.infolist():
            new.writestr(info, changed.get(info.filename) or zf.read(info.filename), compress_type=zipfile.ZIP_DEFLATED)
    out.seek(0)
    return out


# ---------------------------------------------------------------- PowerPoint and Excel

_SLIDE = re.compile(r"ppt/slides/slide\d+\.xml")


def visible_pptx(path: Path) -> io.BytesIO | None:
    """A copy of the presentation without its hidden shapes; None when it has none."""
    from lxml import etree

    with zipfile.ZipFile(path) as zf:
        changed: dict[str, bytes] = {}
        for name in zf.namelist():
            if not _SLIDE.fullmatch(name):
                continue
            try:
                root = etree.fromstring(zf.read(name), _parser())
            except etree.XMLSyntaxError:
                continue
            hidden = [el for el in root.iter("{*}cNvPr") if el.get("hidden", "").lower() in ("1", "true")]
            for el in hidden:
                shape = el.getparent().getparent() if el.getparent() is not None else None
                if shape is not None and shape.getparent() is not None:
                    shape.getparent().remove(shape)
            if hidden:
                changed[name] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
        if not changed:
            return None
        return _rewritten(zf, changed)


def hidden_slides(deck) -> set[int]:
    """The numbers (from 1) of a deck's slides marked "Hide slide": not shown in the slide show."""
    return {n for n, slide in enumerate(deck.slides, 1) if slide._element.get("show", "1").lower() in ("0", "false")}


def hidden_rows_and_columns(path: Path, sheet_part: str) -> tuple[set[int], set[int]]:
    """The hidden row numbers and column numbers (from 1) of one sheet, read from its XML as it streams."""
    from lxml import etree

    rows: set[int] = set()
    columns: set[int] = set()
    try:
        with zipfile.ZipFile(path) as zf, zf.open(sheet_part.lstrip("/")) as fh:
            for _, el in etree.iterparse(fh, events=("end",), tag=("{*}row", "{*}col", "{*}sheetData"),
                                         resolve_entities=False, no_network=True):
                name = etree.QName(el).localname
                hidden = el.get("hidden", "").lower() in ("1", "true")
                if name == "row" and hidden and (el.get("r") or "").isdigit():
                    rows.add(int(el.get("r")))
                elif name == "col" and hidden and (el.get("min") or "").isdigit():
                    last = int(el.get("max") or el.get("min"))
                    columns.update(range(int(el.get("min")), min(last, 16384) + 1))
                el.clear()
    except (KeyError, zipfile.BadZipFile, etree.XMLSyntaxError, OSError):
        pass
    return rows, columns
