"""Reading a BEIR dataset folder: corpus.jsonl, queries.jsonl and qrels/<split>.tsv.

As in BEIR, a split is the set of queries its qrels file names; queries
without judgements are not evaluated.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class BeirDoc:
    doc_id: str
    title: str
    text: str


@dataclass
class BeirSplit:
    name: str  # the folder's name, e.g. "scifact"
    split: str
    corpus: list[BeirDoc]
    queries: dict[str, str]  # query id -> text, only the split's queries
    qrels: dict[str, dict[str, float]]  # query id -> {doc id: grade}


def _jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def read_qrels(path: Path) -> dict[str, dict[str, float]]:
    """``query-id corpus-id score`` rows (tab-separated, header optional)."""
    qrels: dict[str, dict[str, float]] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.reader(fh, delimiter="\t"):
            if len(row) < 3 or row[0] == "query-id":
                continue
            qrels.setdefault(row[0], {})[row[1]] = float(row[2])
    return qrels


def load_beir(folder: str | Path, split: str = "test") -> BeirSplit:
    folder = Path(folder)
    qrels_path = folder / "qrels" / f"{split}.tsv"
    for needed in (folder / "corpus.jsonl", folder / "queries.jsonl", qrels_path):
        if not needed.exists():
            raise FileNotFoundError(f"{needed} is missing: a BEIR folder has corpus.jsonl, queries.jsonl and qrels/<split>.tsv")
    corpus = [BeirDoc(str(d["_id"]), d.get("title") or "", d.get("text") or "") for d in _jsonl(folder / "corpus.jsonl")]
    qrels = read_qrels(qrels_path)
    all_queries = {str(q["_id"]): q["text"] for q in _jsonl(folder / "queries.jsonl")}
    queries = {qid: all_queries[qid] for qid in qrels if qid in all_queries}
    return BeirSplit(folder.name, split, corpus, queries, {qid: qrels[qid] for qid in queries})
