"""Building element lists with heading paths, shared by every parser."""

from __future__ import annotations

import re

from ..types import Element, ElementKind, TextBox

_SPACES = re.compile(r"[ \t\u00a0]+")


def clean(text: str) -> str:
    """Collapse runs of spaces, strip each line, drop control characters and blank edges."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    text = "".join(ch for ch in text if ch in "\n\t" or ord(ch) >= 32)
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
        self.elements.append(Element(text, "title", page, self.path, self.file, _fit(boxes, text), ocr))

    def reset(self) -> None:
        """Close all sections (a new slide or sheet starts afresh)."""
        self._stack.clear()

    def add(self, text: str, kind: ElementKind = "text", page: int | None = None,
            boxes: tuple[TextBox, ...] = (), ocr: float | None = None) -> None:
        """Add an element; ``boxes`` locate its text on the page (offsets into ``text`` as given, which
        callers pass already clean), ``ocr`` is its OCR confidence when it was read from an image."""
        text = text.strip() if kind == "table" else clean(text)
        if text:
            self.elements.append(Element(text, kind, page, self.path, self.file, _fit(boxes, text), ocr))


def _fit(boxes: tuple[TextBox, ...], text: str) -> tuple[TextBox, ...]:
    """The boxes that still fall inside ``text`` (cleaning may have shortened it)."""
    return tuple(b for b in boxes if b.start < len(text) and b.end <= len(text))
