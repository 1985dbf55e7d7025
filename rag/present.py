"""Presentation helpers shared by the CLI and the pages (no Streamlit here).

Everything that turns document, model or user text into Markdown goes
through :func:`escape_markdown` (shown literally) or
:func:`safe_answer_markdown` (lists and emphasis kept), so a document can
never inject links, images, HTML or Streamlit directives into the page.

Web and e-mail addresses are never live: a planted "Reset your account at
https://..." must not become a link a marketer clicks. They are shown as
code (copyable, not clickable), and a Markdown link shows where it really
points next to its text.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable

from .types import Notice
from .words import analyse

# CommonMark lets a backslash make any ASCII punctuation character literal, and nothing else needs it:
# escaped, none of them can open a link, an image, a reference definition, a footnote, an autolink, HTML,
# an entity, a code span, emphasis, a list, a table, LaTeX or a Streamlit directive or icon.
_PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
_ESCAPE_ALL = re.compile("([" + re.escape(_PUNCTUATION) + "])")
# What answers and passages keep as formatting (lists, emphasis, tables, headings) leaves these out; the
# characters any link, image, autolink, raw HTML, entity, code span, LaTeX or directive needs stay escaped:
# ``[ ] ( ) < > ! & : $ ` \``, and a dot that joins two words (``evil.example`` is a link to linkifiers).
_ESCAPE_LINKS = re.compile(r"([\\`\[\]()<>!&:$]|\.(?=\S))")

# A web or e-mail address as GitHub-flavoured Markdown renderers find one. Streamlit's renderer looks for
# ``http(s)://``, ``www.`` and ``name@host.tld`` in text *after* backslash escapes are resolved, so
# escaping can't stop it: every run of characters (no spaces, ``<``, ``>``, backticks or table pipes)
# holding ``//``, ``www.`` or ``@host.`` is shown as code instead, which no renderer links.
_RUN = re.compile(r"[^\s<>`|]+")
_LINKABLE = re.compile(r"//|www\.|@[-\w]+\.[-\w]", re.IGNORECASE)
_ADDRESS_CHARS = re.compile(r"[-\w+.:]")  # what can come before the match in one address: a scheme, an e-mail's name
_TRAILING = ".,;:!?)]}'\"”’»*_~"  # punctuation after an address belongs to the sentence


def _inert(address: str) -> str:
    """An address as code: readable and copyable, never a link."""
    return f"`{address}`"


def _outside_addresses(text: str, escape) -> str:
    """``escape`` applied to the text between addresses; each address made inert (punctuation around it left outside).

    An address runs from its scheme (or e-mail name) to the next space: the text left outside holds no
    ``//``, ``www.`` or ``@host.``, so nothing outside the code can be linked.
    """
    out, last = [], 0
    for m in _RUN.finditer(text):
        run = m.group(0)
        found = _LINKABLE.search(run)
        if not found:
            continue
        start = found.start()
        while start and _ADDRESS_CHARS.match(run[start - 1]):
            start -= 1
        core = run[start:].rstrip(_TRAILING)
        if not _LINKABLE.search(core):  # the punctuation held it ("www."): all of it is code
            core = run[start:]
        out.append(escape(text[last : m.start() + start]))
        out.append(_inert(core))
        last = m.start() + start + len(core)
    out.append(escape(text[last:]))
    return "".join(out)


def neutralise(text: str | None, keep_formatting: bool = False) -> str:
    """THE escape for text a document, a model or a person wrote, on its way into Markdown.

    No link, image, reference definition, footnote, autolink, raw HTML, entity, LaTeX or Streamlit
    directive of the text takes effect, in Streamlit's renderer (CommonMark + GFM) or any CommonMark
    renderer with linkify; web and e-mail addresses show as code. ``keep_formatting`` keeps lists,
    emphasis, headings and tables (answers, passages); otherwise every character shows as written.
    Our own markup (citation links, colours) is added around the result, never inside it.
    """
    pattern = _ESCAPE_LINKS if keep_formatting else _ESCAPE_ALL
    return _outside_addresses(text or "", lambda part: pattern.sub(r"\\\1", part))


def escape_markdown(text: str) -> str:
    """Text shown literally by a Markdown renderer (no formatting, links, HTML or directives; addresses as code)."""
    return neutralise(text)


def home_path(path) -> str:
    """A path as people write it: under the home folder as ``~/...``."""
    from pathlib import Path

    path, home = Path(path).expanduser(), Path.home()
    return f"~/{path.relative_to(home).as_posix()}" if path.is_relative_to(home) and path != home else str(path)


def code_span(text: str) -> str:
    """``text`` as a Markdown code span, shown exactly as it is (a path, a command): inside one, backslash
    escapes are printed, not resolved, so the text is fenced by more backticks than it holds in a row instead."""
    text = " ".join(text.splitlines())  # a code span is one line
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or (text.startswith(" ") and text.endswith(" ")) else ""
    return f"{fence}{pad}{text}{pad}{fence}"


# A spreadsheet runs a cell that starts with one of these as a formula (=HYPERLINK(...), +cmd|..., @SUM);
# full-width and small forms (＝ ＋ － ＠ ﹦ ...) fold to them under NFKC and some spreadsheets accept them too.
_FORMULA_START = frozenset("=+-@\t\r\n\u2212")


def spreadsheet_cell(value) -> str:
    """``value`` as a CSV cell no spreadsheet runs as a formula: one starting (after any spaces) with a formula
    character gets a leading apostrophe, which spreadsheets show as text and hide."""
    text = "" if value is None else str(value)
    first = text.lstrip(" \u00a0\u3000\ufeff\u200b")[:1]
    if first and (first in _FORMULA_START or unicodedata.normalize("NFKC", first) in _FORMULA_START):
        return "'" + text
    return text


def csv_text(rows: Iterable[Iterable]) -> str:
    """Rows as CSV text, every cell through :func:`spreadsheet_cell`: the one way the product writes a CSV."""
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([spreadsheet_cell(cell) for cell in row])
    return out.getvalue()


def location(file: str, page: int | list[int] | tuple[int, ...] | None = None, section: str = "") -> str:
    """'report.pdf · page 3 · Pricing > Enterprise' (parts left out when unknown).

    ``page`` may be a list of pages: a passage over pages 3 and 4 reads 'pages 3–4'.
    """
    parts = [file] if file else []
    pages = sorted({p for p in page if p}) if isinstance(page, (list, tuple)) else ([page] if page else [])
    if len(pages) == 1:
        parts.append(f"page {pages[0]}")
    elif pages:
        parts.append(f"pages {pages[0]}–{pages[-1]}")
    headings = section.split(" > ") if section else []
    if headings and parts and headings[0].strip().lower() == parts[0].strip().lower():
        headings = headings[1:]  # the document's title heads its sections too: said once
    if headings:
        parts.append(" > ".join(headings))
    return " · ".join(parts)


# words keep inner hyphens and apostrophes ("sign-on", "customer's"), so a highlight never splits one
_WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*|[\W_]+", re.UNICODE)


# A highlight is one Streamlit directive, ``:colour-background[...]``, which can't span a line or
# hold brackets: a run spanning "year\n- " rendered as "a [year" and "-] Unfilled". Runs stop there.
_RUN_STOP = re.compile(r"[\n\[\]]")
_RUN_TAIL = " ,.;:-–—\n\t[]"


def highlight_spans(quote: str, claim: str) -> list[tuple[str, bool]]:
    """Split ``quote`` into (text, supports) runs: words whose stem also occurs in ``claim``."""
    claim_terms = set(analyse(claim))
    spans: list[tuple[str, bool]] = []
    for token in _WORD.findall(quote):
        terms = analyse(token) if token[0].isalnum() else []
        hit = bool(terms) and terms[0] in claim_terms
        if spans and spans[-1][1] == hit:
            spans[-1] = (spans[-1][0] + token, hit)
        elif spans and not token[0].isalnum() and spans[-1][1] and not _RUN_STOP.search(token):
            spans[-1] = (spans[-1][0] + token, True)  # keep spaces inside a highlighted run
        else:
            spans.append((token, hit))
    # trailing separators of a highlighted run belong outside it
    fixed: list[tuple[str, bool]] = []
    for text, hit in spans:
        if hit:
            stripped = text.rstrip(_RUN_TAIL)
            tail = text[len(stripped):]
            fixed.append((stripped, True))
            if tail:
                fixed.append((tail, False))
        else:
            fixed.append((text, False))
    return [(t, h) for t, h in fixed if t]


def highlighted_markdown(quote: str, claim: str, colour: str = "orange") -> str:
    """The quote as safe Markdown with supporting words on a coloured background (addresses inert, whole)."""

    def highlight(part: str) -> str:
        out = []
        for text, hit in highlight_spans(part, claim):
            safe = _ESCAPE_ALL.sub(r"\\\1", text)
            out.append(f":{colour}-background[{safe}]" if hit else safe)
        return "".join(out)

    return _outside_addresses(quote or "", highlight)


def coloured_markdown(text: str, style: str = "orange-background") -> str:
    """``text`` shown literally in a colour (``gray``) or on one (``orange-background``), a directive per line:
    a directive can't span lines (one that did showed its bracket: "a [year" ... "-] Unfilled")."""
    return "  \n".join(f":{style}[{escape_markdown(line)}]" for line in text.split("\n") if line.strip())


def mask_secret(value: str | None) -> str:
    """'sk-…abcd' for a key, or 'not set'. Never the whole secret."""
    if not value:
        return "not set"
    return f"{value[:3]}…{value[-4:]}" if len(value) > 12 else "set (hidden)"


# Plain-language names for settings, shared by the pages and the CLI (no jargon on screen).
MODEL_LABELS = {
    "auto": "Automatic (your connected model; without one, quotes in Chat and composed drafts in Write)",
    "openai": "OpenAI",
    "compatible": "My own server (Ollama, vLLM, LM Studio, llama.cpp)",
    "local": "Built-in small model (offline, often wrong on facts)",
    "extractive": "No model: quote the documents",
}
RETRIEVAL_LABELS = {
    "hybrid": "Meaning and keywords (recommended)",
    "dense": "Meaning only",
    "sparse": "Keywords only",
    "mmr": "Varied: avoid near-duplicate passages",
}
CHUNK_LABELS = {
    "by_title": "By section (recommended)",
    "recursive": "By paragraph and sentence",
    "fixed": "Fixed-length windows",
}
STATUS_LABELS = {"ready": "Ready", "failed": "Failed", "indexing": "Indexing…", "waiting": "Waiting to be re-indexed"}
RESULT_LABELS = {"indexed": "Indexed", "unchanged": "Already up to date", "skipped": "Skipped", "failed": "Could not index"}
JOB_LABELS = {
    "queued": "Waiting", "reading": "Reading…", "indexing": "Indexing…", **RESULT_LABELS, "cancelled": "Cancelled",
    "held": "Held until the install is fixed",
}


QUEUE_ROWS_SHOWN = 15


def queue_table(jobs: list, limit: int = QUEUE_ROWS_SHOWN) -> tuple[list[dict], str]:
    """The queue's rows for a static table (Markdown cells, escaped), at most ``limit`` of them, and a line
    counting the rest.

    Shown with :func:`markdown_table`, not a data grid or ``st.table``: their code loads in the browser on first
    use, and while the app is busy indexing that load took seconds, an empty grey box in place of the list. The documents being read come first in what is kept, then those
    waiting next, then the latest done; kept rows stay in the order they were queued.
    """
    order = {"reading": 0, "indexing": 0, "queued": 1}
    ranked = sorted(range(len(jobs)), key=lambda i: (order.get(jobs[i].status, 2), i if jobs[i].status in order else -i))
    kept = sorted(ranked[:limit])
    rows = [{"Document": escape_markdown(jobs[i].name), "Status": JOB_LABELS[jobs[i].status],
             "Passages": str(jobs[i].chunks) if jobs[i].status in ("indexed", "unchanged") else "",
             "Note": escape_markdown(jobs[i].error or "")} for i in kept]
    left = [jobs[i] for i in ranked[limit:]]
    waiting = sum(j.status in order for j in left)
    done = len(left) - waiting
    parts = ([f"{waiting} more waiting"] if waiting else []) + ([f"{done} more done"] if done else [])
    return rows, (f"Showing {len(rows)} of {len(jobs)}: " + " and ".join(parts) + "." if parts else "")


def markdown_table(rows: list[dict]) -> str:
    """Rows of already-escaped Markdown cells as a GitHub-style table (a pipe inside a cell, even in a code span,
    stays in its cell; a line break becomes a space)."""
    if not rows:
        return ""

    def cell(value) -> str:
        return re.sub(r"(?<!\\)\|", r"\\|", " ".join(str(value).split()))

    header = list(rows[0])
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(cell(row[k]) for k in header) + " |" for row in rows]
    return "\n".join(lines)


def plural(n: int, word: str, many: str | None = None) -> str:
    """'1 passage', '3 passages'."""
    return f"{n} {word if n == 1 else (many or word + 's')}"


def duration_words(seconds: float) -> str:
    """'a few seconds', 'about 40 seconds', 'about 3 minutes', 'about 5 hours', 'about 3 days' (for estimates)."""
    if seconds < 5:
        return "a few seconds"
    if seconds < 90:
        return f"about {int(round(seconds / 5.0) * 5)} seconds"
    minutes = round(seconds / 60)
    if minutes < 90:
        return f"about {plural(minutes, 'minute')}"
    hours = round(minutes / 60)
    return f"about {plural(hours, 'hour')}" if hours < 48 else f"about {plural(round(hours / 24), 'day')}"


LEFT_OUT_LISTED = 3  # pages named with their reason; the rest are counted


def reading_notices(row) -> list[Notice]:
    """How a document was read, where it matters to a reader: pages read by OCR (check them), pages left out.

    ``row`` is a catalog :class:`~rag.catalog.DocumentRow` (its ``read_by_ocr``, ``ocr_lowest``, ``left_out``).
    """
    notices = []
    if row.read_by_ocr:
        sure = f", lowest confidence {row.ocr_lowest:.0f}%" if row.ocr_lowest is not None else ""
        notices.append(Notice("read_by_ocr", f"Read by OCR ({plural(len(row.read_by_ocr), 'page')}{sure}): "
                                             "check the wording on the page before you rely on it."))
    if left_out := row.left_out:
        pages = sorted(left_out.items())
        named = "; ".join(f"page {page}: {why}" for page, why in pages[:LEFT_OUT_LISTED])
        more = f"; {plural(len(pages) - LEFT_OUT_LISTED, 'more page')}" if len(pages) > LEFT_OUT_LISTED else ""
        one = len(pages) == 1
        notices.append(Notice("pages_left_out", f"{plural(len(pages), 'page')} could not be read, so nothing on "
                                                f"{'it' if one else 'them'} can be found ({named}{more}). If "
                                                f"{'it holds' if one else 'they hold'} text, a sharper scan or the "
                                                "original file will read better."))
    return notices


def reading_summary(row) -> str:
    """:func:`reading_notices` in a few words, for a table cell: '3 pages, lowest 71%; 2 pages not read'."""
    parts = []
    if row.read_by_ocr:
        parts.append(plural(len(row.read_by_ocr), "page") + (f", lowest {row.ocr_lowest:.0f}%" if row.ocr_lowest is not None else ""))
    if row.left_out:
        parts.append(f"{plural(len(row.left_out), 'page')} not read")
    return "; ".join(parts)


def one_line(text: str) -> str:
    """``text`` safe on one terminal line: control and invisible characters written as escapes, as repr() does.

    A file may be named with a newline or a right-to-left override in it; printed
    as it is, it would break a listing into lines that look like other documents,
    or reorder what is shown.
    """
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


_IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)]*)\)")
_LINK = re.compile(r"(?<!\\)\[([^\]]+)\]\(([^)]*)\)")


def safe_answer_markdown(text: str) -> str:
    """An answer (model or quoted text) as Markdown that keeps lists, bold and italics but shows no
    images, no live links of any kind, no HTML, no Streamlit colour/icon directives and no LaTeX
    (``$49 or $900`` stays money): :func:`neutralise` keeping formatting. An inline link says where it
    points next to its text, an image is named; citation markers like ``[1]`` show as they are."""
    text = _IMAGE.sub(lambda m: f"[image: {m.group(1) or 'no description'}]", text or "")
    text = _LINK.sub(lambda m: f"{m.group(1)} (link to {m.group(2)})", text)  # the address goes inert below
    return neutralise(text, keep_formatting=True)


def passage_markdown(text: str) -> str:
    """A passage as safe Markdown that looks like the document: line breaks kept, Markdown tables
    (as the parsers write them) drawn as tables, no links, images or directives."""
    lines = safe_answer_markdown(text).splitlines()
    out: list[str] = []
    for n, line in enumerate(lines):
        is_table = line.lstrip().startswith("|")
        after_table = bool(out) and out[-1].lstrip().startswith("|")
        if line.strip() and out and out[-1].strip() and is_table != after_table:
            out.append("")  # a table needs a blank line before and after it
        nxt = lines[n + 1] if n + 1 < len(lines) else ""
        if not is_table and line.strip() and nxt.strip() and not nxt.lstrip().startswith("|"):
            line += "  "  # keep the document's line break
        out.append(line)
    return "\n".join(out)


SOURCE_DELETED = "source deleted"
SOURCE_DELETED_NOTE = "This document (or this version of it) was removed, so the passage can no longer be opened."


def citation_where(c) -> str:
    """A cited source in one line, ending "source deleted" when its document was removed since."""
    where = ", ".join(x for x in (c.title, c.url or c.file, f"page {c.page}" if c.page else "", c.section) if x)
    return f"{where} ({SOURCE_DELETED})" if getattr(c, "source_deleted", False) else where


def answer_tail_text(answer) -> str:
    """What the command line prints under an answer's text: notes, sources with quotes, and the checks."""
    lines = [f"Note: {note}" for note in answer.notices]
    if answer.citations:
        lines.append("\nSources:")
    for c in answer.citations:
        lines.append(f"[{c.n}] {citation_where(c)}" + (f"\n    “{c.quote}”" if c.quote else ""))
    if answer.sentences and not answer.refused:
        verdict = {True: "Answers the question", False: "Doesn't answer the question", None: "Answers the question?"}
        lines.append(f"\n{verdict[answer.answers_question]}: {answer.answers_reason}")
        lines.append(f"Supported: {answer.grounded_fraction:.0%} of the answer is backed by the passages it cites.")
        for s in answer.sentences:
            if s.support != "supported":
                lines.append(f"  {s.support.upper()}: {s.text}" + (f" ({'; '.join(s.reasons)})" if s.reasons else ""))
    return "\n".join(lines)


def hit_lines(hits: list[dict]) -> str:
    """Search results (as ``Hit.as_dict``) as the command line prints them."""
    out = []
    for n, h in enumerate(hits, 1):
        where = ", ".join(x for x in (h["file"], f"page {h['page']}" if h["page"] else "", h["section"]) if x)
        out.append(f"[{n}] {h['score']:.3f}  {where}\n    {h['text'][:300].replace(chr(10), ' ')}\n")
    return "\n".join(out)
