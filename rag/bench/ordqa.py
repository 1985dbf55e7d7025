"""ORD-QA and ORD-MMBench: questions on the OpenROAD chip-design tools' documentation, as retrieval splits.

A technical set held out from every ranking decision (nothing was tuned on it): terse command names
(``estimate_parasitics -global_routing``), option tables and Tcl snippets, asked about in plain words.
Two public folders, read as they are published (fetch them; they are not part of the product):

- ORD-QA, ``github.com/lesliepy99/RAG-EDA`` ``benchmark/``: ``ORD-QA.jsonl`` (90 questions, each with
  the ids of the 1-7 documentation sections that answer it) and ``openroad_documentation.json`` (290
  sections of 32 pages, each ``id:<id>`` then its Markdown).
- ORD-MMBench, ``github.com/lesliepy99/MM-GRADE-Benchmarks-ICCAD`` ``benchmark/``: ``QA.jsonl`` (60
  questions asked about a screenshot, which is left out here: only their words are searched) and
  ``openroad_document_chunks.json`` (the same kind of sections).

``grounded bench retrieval --beir FOLDER`` reads either folder (one split, ``test``: every question).
Each section goes through the product's Markdown parser as a file of its own (``<id>.md``), so its
headings, tables and code blocks are read as an upload of it would be; hits fold back to the section.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from .beir import BeirDoc, BeirSplit

LAYOUTS = {  # (questions, sections) -> the set's name
    ("ORD-QA.jsonl", "openroad_documentation.json"): "ord-qa",
    ("QA.jsonl", "openroad_document_chunks.json"): "ord-mmbench",
}
SPLITS = ("test",)


def layout(folder: str | Path | None) -> tuple[str, Path, Path] | None:
    """(name, questions file, sections file) when ``folder`` holds one of the two sets, else None."""
    if folder is None:
        return None
    for (questions, sections), name in LAYOUTS.items():
        if (Path(folder) / questions).is_file() and (Path(folder) / sections).is_file():
            return name, Path(folder) / questions, Path(folder) / sections
    return None


def _section(content: str) -> tuple[str, str]:
    """``id:<id>\\n<markdown>`` -> (id, markdown)."""
    first, _, rest = content.partition("\n")
    if not first.startswith("id:"):
        raise ValueError(f"A documentation section should start with 'id:<id>', not {first[:40]!r}.")
    return first[3:].strip(), rest


def load(folder: str | Path, split: str = "test") -> BeirSplit:
    found = layout(folder)
    if found is None:
        raise FileNotFoundError(f"{folder} holds neither ORD-QA ({', '.join(k[0] for k in LAYOUTS)} and their sections).")
    if split not in SPLITS:
        raise ValueError(f"ORD-QA has one split, 'test' (every question), not {split!r}.")
    name, questions_path, sections_path = found
    corpus: dict[str, BeirDoc] = {}
    for page in json.loads(sections_path.read_text(encoding="utf-8")):
        for item in page["knowledge"]:
            doc_id, text = _section(item["content"])
            corpus.setdefault(doc_id, BeirDoc(doc_id, "", text))
    queries, qrels = {}, {}
    for line in questions_path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        q = json.loads(line)
        judged = {ref: 1.0 for ref in q["reference"] if ref in corpus}
        if judged:
            queries[str(q["id"])] = q["question"].strip()
            qrels[str(q["id"])] = judged
    return BeirSplit(name, split, list(corpus.values()), queries, qrels)


def parsed_corpus(split: BeirSplit) -> list:
    """Each section as the product's Markdown parser reads an upload of it (``<id>.md``)."""
    from ..parse.text import parse_markdown

    out = []
    with tempfile.TemporaryDirectory(prefix="grounded-ordqa-") as tmp:
        for doc in split.corpus:
            path = Path(tmp) / f"{doc.doc_id}.md"
            path.write_text(doc.text, encoding="utf-8")
            out.append((doc.doc_id, parse_markdown(path, path.name)))  # chunk hits fold back to the section
    return out
