"""Presentation helpers shared by the CLI and the pages (no Streamlit here).

Everything that turns document or model text into Markdown goes through
:func:`escape_markdown`, so a document can never inject links, images,
HTML or Streamlit directives into the page.
"""

from __future__ import annotations

import re

from .sparse import analyse

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&=])")


def escape_markdown(text: str) -> str:
    """Text shown literally by a Markdown renderer (no formatting, links, HTML or directives)."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def location(file: str, page: int | None = None, section: str = "") -> str:
    """'report.pdf · page 3 · Pricing > Enterprise' (parts left out when unknown)."""
    parts = [file]
    if page:
        parts.append(f"page {page}")
    if section:
        parts.append(section)
    return " · ".join(parts)


_WORD = re.compile(r"[^\W_]+|[\W_]+", re.UNICODE)


def highlight_spans(quote: str, claim: str) -> list[tuple[str, bool]]:
    """Split ``quote`` into (text, supports) runs: words whose stem also occurs in ``claim``."""
    claim_terms = set(analyse(claim))
    spans: list[tuple[str, bool]] = []
    for token in _WORD.findall(quote):
        terms = analyse(token) if token[0].isalnum() else []
        hit = bool(terms) and terms[0] in claim_terms
        if spans and spans[-1][1] == hit:
            spans[-1] = (spans[-1][0] + token, hit)
        elif spans and not token[0].isalnum() and spans[-1][1]:
            spans[-1] = (spans[-1][0] + token, True)  # keep spaces inside a highlighted run
        else:
            spans.append((token, hit))
    # trailing separators of a highlighted run belong outside it
    fixed: list[tuple[str, bool]] = []
    for text, hit in spans:
        if hit:
            stripped = text.rstrip(" ,.;:")
            tail = text[len(stripped):]
            fixed.append((stripped, True))
            if tail:
                fixed.append((tail, False))
        else:
            fixed.append((text, False))
    return [(t, h) for t, h in fixed if t]


def highlighted_markdown(quote: str, claim: str, colour: str = "orange") -> str:
    """The quote as safe Markdown with supporting words on a coloured background."""
    out = []
    for text, hit in highlight_spans(quote, claim):
        safe = escape_markdown(text)
        out.append(f":{colour}-background[{safe}]" if hit else safe)
    return "".join(out)


def mask_secret(value: str | None) -> str:
    """'sk-…abcd' for a key, or 'not set'. Never the whole secret."""
    if not value:
        return "not set"
    return f"{value[:3]}…{value[-4:]}" if len(value) > 12 else "set (hidden)"
