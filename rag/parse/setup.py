"""Is every reader of this install working? Install problems named as such, never as a bad file.

A reader needs Python modules (some reached only through another package's
extra, like ``lxml_html_clean`` through jusText) and, for OCR, Tesseract's
language data on the system. When one is missing, reading fails for every
file of that type: :func:`missing_module_message` says which module and how
to fix it, and :func:`check_readers` reads a tiny sample of each type (the
same path an upload takes, HTML through its main-content step) so the Health
page, ``grounded doctor`` and the tests see the problem before a user's upload does.
"""

from __future__ import annotations

import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import GroundedError, SetupProblem
from . import ocr

FIX = "run make install again"
FAMILIES = {
    ".html": "HTML pages", ".htm": "HTML pages", ".pdf": "PDFs", ".docx": "Word documents",
    ".pptx": "PowerPoint files", ".xlsx": "Excel workbooks", ".csv": "CSV files", ".tsv": "CSV files",
    ".md": "Markdown files", ".markdown": "Markdown files", ".txt": "Text files", ".eml": "E-mails",
    ".vtt": "Captions", ".srt": "Captions",
}
# lxml 5.2+ raises a plain ImportError naming the project it moved to (its name attribute is empty).
_MOVED = re.compile(r"separate project (\w+)")


def reader_family(suffix: str) -> str:
    """How a person calls the files a reader reads ("HTML pages"), from an extension."""
    return FAMILIES.get(suffix.lower(), "Images" if suffix.lower() in {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".webp"}
                        else f"{suffix or 'These'} files")


def missing_module(err: ImportError) -> str | None:
    """The module an ImportError is about: its own name, a name it carries along, or the one lxml names."""
    seen: BaseException | None = err
    while seen is not None:
        if isinstance(seen, ImportError) and seen.name:
            return seen.name.split(".")[0] if seen.name.startswith("lxml_") else seen.name
        if moved := _MOVED.search(str(seen)):
            return moved.group(1)
        seen = seen.__cause__ or seen.__context__
    return None


def missing_module_message(family: str, err: ImportError) -> str:
    """ "HTML pages can't be read: the module lxml_html_clean is missing; run make install again." """
    name = missing_module(err)
    what = f"the module {name} is missing" if name else "a module it needs is missing"
    return f"{family} can't be read: {what}; {FIX}."


@dataclass(frozen=True)
class Check:
    """One part of the install: does it work, and if not, what is wrong and how to fix it."""

    name: str
    ok: bool
    problem: str | None = None
    seconds: float = 0.0
    optional: bool = False  # not working is a notice, not a broken install (OCR without Tesseract)

    @property
    def broken(self) -> bool:
        return not self.ok and not self.optional

    def as_dict(self) -> dict:
        return {"name": self.name, "ok": self.ok, "problem": self.problem, "optional": self.optional}


def sample_pdf(text: str) -> bytes:
    """A one-page text PDF (Helvetica) with a correct xref table."""
    content = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
               b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
               b"/Resources << /Font << /F1 5 0 R >> >> >>",
               b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
               b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (n, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


SENTENCE = "Northwind cut onboarding from 41 days to 12 days"
# Long enough that the main-content extractor finds an article (short pages fall back to the whole page).
HTML = ("<html><head><title>Onboarding at Northwind</title></head><body><nav><a href='/'>Home</a></nav>"
        "<article><h1>Onboarding at Northwind</h1>"
        + "".join(f"<p>{SENTENCE}. Paragraph {n} tells how the team trained every new customer in small groups, "
                  "with one shared checklist and a weekly review of what slowed them down.</p>" for n in range(6))
        + "</article><footer>© 2025 Northwind · Privacy</footer></body></html>")


def _write_samples(folder: Path) -> dict[str, Path]:
    """One small document per reader that needs more than the standard library."""
    from email.message import EmailMessage

    import docx
    import openpyxl
    from pptx import Presentation

    paths = {name: folder / f"sample{suffix}" for name, suffix in
             [("HTML pages", ".html"), ("PDFs", ".pdf"), ("Word documents", ".docx"), ("PowerPoint files", ".pptx"),
              ("Excel workbooks", ".xlsx"), ("E-mails", ".eml")]}
    paths["HTML pages"].write_text(HTML, encoding="utf-8")
    paths["PDFs"].write_bytes(sample_pdf(SENTENCE))
    document = docx.Document()
    document.add_paragraph(SENTENCE + ".")
    document.save(str(paths["Word documents"]))
    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[1])
    slide.shapes.title.text = "Onboarding"
    slide.placeholders[1].text = SENTENCE + "."
    deck.save(str(paths["PowerPoint files"]))
    book = openpyxl.Workbook()
    book.active.append(["Customer", "Result"])
    book.active.append(["Northwind", SENTENCE])
    book.save(str(paths["Excel workbooks"]))
    mail = EmailMessage()
    mail["Subject"], mail["From"], mail["To"] = "Onboarding", "pm@example.com", "team@example.com"
    mail.set_content(SENTENCE + ".")
    paths["E-mails"].write_bytes(bytes(mail))
    return paths


def _read(name: str, path: Path) -> Check:
    from . import parse_file

    started = time.perf_counter()
    try:
        parsed = parse_file(path, display_name=path.name)
    except SetupProblem as err:
        return Check(name, False, str(err), time.perf_counter() - started)
    except GroundedError as err:  # the sample is fine, so this is the install too
        return Check(name, False, f"{name} can't be read ({err}); {FIX}.", time.perf_counter() - started)
    text = " ".join(e.text for e in parsed.elements)
    if "41 days" not in text:
        return Check(name, False, f"{name} are read, but their text comes out wrong; {FIX}.", time.perf_counter() - started)
    return Check(name, True, seconds=time.perf_counter() - started)


def check_ocr() -> Check:
    """Text in scans and images: the Tesseract binding, and the language data on this system."""
    started = time.perf_counter()
    if not ocr.available():
        return Check("Scans and images (OCR)", False, ocr.missing_reason(), optional=True)
    try:
        import tesserocr

        with tesserocr.PyTessBaseAPI(path=ocr.tessdata(), lang=ocr.languages()):
            pass
    except Exception as err:  # noqa: BLE001 - any failure to start Tesseract is the install's
        return Check("Scans and images (OCR)", False,
                     f"Tesseract is installed but doesn't start ({type(err).__name__}). {ocr.missing_reason()}",
                     optional=True)
    return Check("Scans and images (OCR)", True, seconds=time.perf_counter() - started, optional=True)


def check_readers() -> list[Check]:
    """Every reader tried on a small sample in this process (about a second in all), then OCR."""
    with tempfile.TemporaryDirectory(prefix="grounded-check-") as folder:
        try:
            samples = _write_samples(Path(folder))
        except ImportError as err:
            broken = missing_module_message("Office files", err)
            return [Check("Office files", False, broken), check_ocr()]
        checks = [_read(name, path) for name, path in samples.items()]
    return [*checks, check_ocr()]
