"""Building element lists with heading paths, shared by every parser.

A Builder also keeps a parse within its text allowance: the ingest pipeline
knows how many passages one upload may make (``Limits.max_chunks``) and turns
that into characters; :func:`rag.parse.parse_file` sets them in
:data:`TEXT_ALLOWANCE` for the duration of one parse. Every parser adds its
text through a Builder, so a 199 MB text file or a million-row CSV stops with
a plain reason once it has produced more than that, instead of growing its
element list (and the answer sent back over the worker's pipe) without end.
"""

from __future__ import annotations

import re
from contextvars import ContextVar

from ..errors import TooMuchWork
from ..types import Element, ElementKind, TextBox

INTRO_MAX_CHARS = 300  # a line ending in ":" this short introduces the list under it
_SPACES = re.compile(r"[ \t\u00a0]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f]")  # every control character but tab and newline

# Characters of text the current parse may produce (None: no limit). A context variable rather
# than a parameter of every parser: the parsers' signature stays (path, name), and only
# parse_file, which knows the limit, sets it.
TEXT_ALLOWANCE: ContextVar[int | None] = ContextVar("text_allowance", default=None)


def too_much_text(allowance: int) -> TooMuchWork:
    """The plain reason a parse stopped; ingest restates it in passages and time."""
    return TooMuchWork(
        f"This file holds more text than one upload may be indexed as (over {allowance:,} characters). "
        "Split it into smaller files."
    )


def clean(text: str) -> str:
    """Collapse runs of spaces, strip each line, drop control characters and blank edges."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return "\n".join(lines).strip()


class Builder:
    """Collects elements and keeps the current heading path.

    ``title(text, level)`` opens a section at ``level`` (1 = top); later
    elements carry the path of open sections, outermost first.
    """

    def __init__(self, file: str):
        self.file = file
        self.elements: list[Element] = []
        self._stack: list[tuple[int, str]] = []
        self._allowance = TEXT_ALLOWANCE.get()
        self.chars = 0  # text kept so far

    def ensure_room(self, more: int) -> None:
        """Raise :class:`TooMuchWork` if ``more`` characters would take the parse past its allowance.

        Parsers that gather a long paragraph or table before adding it call
        this as it grows, so a file with no line breaks stops early too.
        """
        if self._allowance is not None and self.chars + more > self._allowance:
            raise too_much_text(self._allowance)

    def _keep(self, element: Element) -> None:
        self.ensure_room(len(element.text))
        self.chars += len(element.text)
        self.elements.append(element)

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(t for _, t in self._stack)

    def title(self, text: str, level: int = 1, page: int | None = None,
              boxes: tuple[TextBox, ...] = (), ocr: float | None = None) -> None:
        """Open a section; ``boxes`` and ``ocr`` as for :meth:`add`."""
        text = clean(text).replace("\n", " ")
        if not text:
            return
        text = text[:200]
        while self._stack and self._stack[-1][0] >= level:
            self._stack.pop()
        self._stack.append((level, text))
        self._keep(Element(text, "title", page, self.path, self.file, _fit(boxes, text), ocr))

    def reset(self) -> None:
        """Close all sections (a new slide or sheet starts afresh)."""
        self._stack.clear()

    def add(self, text: str, kind: ElementKind = "text", page: int | None = None,
            boxes: tuple[TextBox, ...] = (), ocr: float | None = None) -> None:
        """Add an element; ``boxes`` locate its text on the page (offsets into ``text`` as given, which
        callers pass already clean), ``ocr`` is its OCR confidence when it was read from an image."""
        text = text.strip() if kind == "table" else clean(text)
        if not text:
            return
        boxes = _fit(boxes, text)
        if kind == "list" and self._joins_list(page):
            # One list is one element, with the sentence that introduces it ("We hold these certifications:"):
            # items kept apart were quoted one by one, or the introduction without its items.
            last = self.elements.pop()
            self.chars -= len(last.text)
            by = len(last.text) + 1
            moved = tuple(TextBox(b.page, b.start + by, b.end + by, b.x0, b.y0, b.x1, b.y1) for b in boxes)
            ocrs = [x for x in (last.ocr, ocr) if x is not None]
            self._keep(Element(f"{last.text}\n{text}", "list", page, self.path, self.file, last.boxes + moved,
                               min(ocrs) if ocrs else None))
            return
        self._keep(Element(text, kind, page, self.path, self.file, boxes, ocr))

    def _joins_list(self, page: int | None) -> bool:
        """Whether a list added now continues the last element: more items of its list, or the line introducing it."""
        if not self.elements:
            return False
        last = self.elements[-1]
        if last.heading_path != self.path or last.page != page:
            return False
        if last.kind == "list":
            return len(last.text) < INTRO_MAX_CHARS * 10
        return last.kind == "text" and last.text.endswith(":") and "\n" not in last.text and len(last.text) <= INTRO_MAX_CHARS


def _fit(boxes: tuple[TextBox, ...], text: str) -> tuple[TextBox, ...]:
    """The boxes that still fall inside ``text`` (cleaning may have shortened it)."""
    return tuple(b for b in boxes if b.start < len(text) and b.end <= len(text))
