"""Which PDF reader: measured on real filings with tables, not guessed.

``grounded bench pdf DIR`` (``DIR/docs/*.pdf`` and ``DIR/qa.jsonl``) reads every PDF of a QA set three
ways, indexes each reading in its own workspace of a throwaway store, and for
every question asks: do the passages retrieved for it (top 5, hybrid search,
within its gold documents) contain the figures of the reference answer? A
reader that flattens a table into a run of numbers, or splits a row from its
header, loses those figures; one that keeps rows whole keeps them.

Readers compared (the product uses the second):
- ``pypdfium2``: the text layer only (fast; tables become runs of numbers);
- ``pypdfium2+pdfplumber``: the text layer, and pdfplumber's tables as Markdown
  rows under their column headings on pages whose text looks tabular;
- ``pdfplumber``: pdfplumber's own text layout for every page.
unstructured's PDF partitioner is not in the race: even ``strategy="fast"``
needs its torch-based inference package, which the default install leaves out.
"""

from __future__ import annotations

import json
import re
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .common import header, progress, table, throwaway_store

READERS = ("pypdfium2", "pypdfium2+pdfplumber", "pdfplumber")
_FIGURE = re.compile(r"(?<![\w.])\$?\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![\w.])\$?\d+\.\d+%?|(?<![\w.])\d{3,}(?![\w])")


def answer_figures(answer: str) -> set[str]:
    """The figures a reference answer rests on: amounts like 82,959 or 4.5%, not years or list numbers."""
    found = set()
    for m in _FIGURE.finditer(answer):
        value = m.group(0).lstrip("$").rstrip("%").replace(",", "")
        if re.fullmatch(r"(19|20)\d\d", value):  # a year names a period; it is not the fact asked for
            continue
        found.add(value)
    return found


def _squash_numbers(text: str) -> set[str]:
    return {m.group(0).lstrip("$").rstrip("%").replace(",", "") for m in _FIGURE.finditer(text)}


@contextmanager
def _reader(name: str):
    """Swap the PDF reader the parser registry uses, for this benchmark's in-process parsing."""
    from ..parse import PARSERS, pdf

    original_parser, original_tabular = PARSERS[".pdf"], pdf.looks_tabular
    if name == "pypdfium2":
        pdf.looks_tabular = lambda text: False
    elif name == "pdfplumber":
        PARSERS[".pdf"] = _pdfplumber_text
    try:
        yield
    finally:
        PARSERS[".pdf"], pdf.looks_tabular = original_parser, original_tabular


def _pdfplumber_text(path: Path, name: str):
    import pdfplumber

    from ..parse.builder import Builder
    from ..parse.pdf import _emit_prose
    from ..types import ParsedDocument

    b = Builder(name)
    with pdfplumber.open(str(path)) as doc:
        pages = len(doc.pages)
        for i, page in enumerate(doc.pages):
            _emit_prose(page.extract_text() or "", i + 1, b)
            page.flush_cache()
    return ParsedDocument(name, b.elements, pages=pages)


@dataclass
class Item:
    question: str
    figures: set[str]
    sources: list[str]


def load(qa_path: Path) -> list[Item]:
    items = []
    for line in qa_path.read_text().splitlines():
        if line.strip():
            row = json.loads(line)
            figures = answer_figures(row["answer"])
            if figures:
                items.append(Item(row["question"], figures, list(row["source_ids"])))
    return items


def run(docs: Path, qa_path: Path, readers=READERS, k: int = 5, limit: int | None = None) -> dict:
    from ..answer.retrieve import retrieve
    from ..index.sparse import document_vector
    from ..ingest.chunk import chunk_document, embedding_text
    from ..parse import parse_file
    from ..types import ChunkSettings, RetrievalSettings, SearchFilter

    items = load(qa_path)[:limit]
    files = sorted(docs.glob("*.pdf"))
    result = {**header("pdf"), "docs": str(docs), "questions": len(items), "k": k, "readers": {}}
    with throwaway_store() as store:
        for reader in readers:
            parse_s = pages = chunks = 0
            with _reader(reader):
                for path in files:
                    started = time.perf_counter()
                    parsed = parse_file(path, path.name)
                    parse_s += time.perf_counter() - started
                    pages += parsed.pages or 0
                    doc_chunks = chunk_document(parsed, ChunkSettings(), path.name, reader, kind="other")
                    texts = [embedding_text(c) for c in doc_chunks]
                    store.index.upsert(reader, doc_chunks, store.embeddings.embed_array(texts), [document_vector(t) for t in texts], reader)
                    chunks += len(doc_chunks)
                    progress(f"{reader}: {path.name} ({len(doc_chunks)} passages)")
            found = total = complete = 0
            for item in items:
                hits = retrieve(
                    store, item.question, reader,
                    RetrievalSettings(k=k, threshold=-1.0, where=SearchFilter(files=tuple(item.sources))), user=None
                ).hits
                present = item.figures & _squash_numbers("\n".join(h.text for h in hits))
                found += len(present)
                total += len(item.figures)
                complete += present == item.figures
            result["readers"][reader] = {
                "figure_recall@k": round(found / total, 4) if total else 0.0,
                "all_figures@k": round(complete / len(items), 4) if items else 0.0,
                "parse_s_per_page": round(parse_s / max(pages, 1), 4),
                "pages": pages,
                "chunks": chunks,
            }
    return result


def print_result(result: dict) -> None:
    rows = [
        [name, r["figure_recall@k"], r["all_figures@k"], r["parse_s_per_page"], r["chunks"]]
        for name, r in result["readers"].items()
    ]
    print(f"PDF readers on {result['questions']} questions (answer figures in the top {result['k']} passages)")
    print(table(["reader", f"figure recall@{result['k']}", "all figures", "parse s/page", "passages"], rows))

