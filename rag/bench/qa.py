"""Answers on a QA folder: is the gold source found, and does the product refuse when it should?

A QA folder holds ``docs/`` and ``qa.jsonl`` (``question``, ``answer``,
``source_ids`` = file names in ``docs/``). The documents go through the
product's ``ingest_paths`` into a throwaway store; then, per strategy:

- hit@1 / hit@5 (document level): the question is retrieved to a depth of
  30 chunks with no relevance cut, chunks are folded to files in rank order,
  and a question scores if any gold file is in the first 1 / 5 files.
- the answer: ``rag.answer.ask`` with the product's defaults for that
  strategy (k, relevance threshold) and the chosen answer model; refusal
  rate, grounded fraction from the citation check (answered questions only),
  similarity of the answer to the reference (MiniLM cosine) and latency.

The baseline is ``bm25s`` over the very same chunks. ``--missing FILE``
asks questions whose source is absent and counts refusals.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from math import ceil
from pathlib import Path

from .common import Target, header, progress, table, target_lines, throwaway_store
from .metrics import fold_to_documents, hit_at_k, mean, percentile
from .reference import Bm25Reference, reference_available

WORKSPACE = "bench-qa"
_MARKER = re.compile(r"\s*\[\d{1,3}\]")
_REFUSAL = re.compile(r"documents? (?:don't|do not|doesn't|does not) (?:say|cover|contain|mention)", re.IGNORECASE)


@dataclass(frozen=True)
class QaItem:
    qid: str
    question: str
    answer: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class QaConfig:
    folder: Path
    model: str = "extractive"
    strategies: tuple[str, ...] = ("hybrid", "dense", "sparse", "mmr")
    missing: Path | None = None
    limit: int | None = None  # only the first N questions
    depth: int = 30  # chunks retrieved for the document ranking
    index_dir: Path | None = None  # keep the store here; a later run re-ingests nothing unchanged
    target_margin_points: float = 5.0  # hit@5 above BM25, in percentage points
    missing_refused_share: float = 8 / 9  # "at least 8 of the 9"


@dataclass
class StrategyTally:
    hit1: list[float] = field(default_factory=list)
    hit5: list[float] = field(default_factory=list)
    refused: list[bool] = field(default_factory=list)
    grounded: list[float] = field(default_factory=list)
    similarity: list[float] = field(default_factory=list)
    latency_ms: list[float] = field(default_factory=list)
    models: dict[str, int] = field(default_factory=dict)
    refusal_reasons: dict[str, int] = field(default_factory=dict)
    refusals: list[dict] = field(default_factory=list)  # which questions, and what the product said

    def summary(self) -> dict:
        return {
            "hit@1": round(mean(self.hit1), 4),
            "hit@5": round(mean(self.hit5), 4),
            "refusal_rate": round(mean([float(r) for r in self.refused]), 4),
            "grounded": round(mean(self.grounded), 4),
            "answer_similarity": round(mean(self.similarity), 4),
            "p50_ms": round(percentile(self.latency_ms, 50), 1),
            "p95_ms": round(percentile(self.latency_ms, 95), 1),
            "models": self.models,
            "refusal_reasons": self.refusal_reasons,
            "refusals": self.refusals,
        }


def load_items(path: Path, limit: int | None = None) -> list[QaItem]:
    items = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh):
            if line.strip():
                row = json.loads(line)
                items.append(QaItem(str(row.get("id", n)), row["question"], row.get("answer", ""), tuple(row.get("source_ids", ()))))
    return items[:limit] if limit else items


def is_refusal(answer) -> bool:
    """The product refused (nothing relevant), or the model said the documents don't say."""
    return bool(answer.refused or _REFUSAL.search(answer.answer or ""))


def refusal_reason(answer) -> str:
    """Why an answer was refused: nothing above the relevance threshold, or something else
    (a name in the question that no passage mentions, or the model saying the documents don't say)."""
    from ..types import RetrievalSettings

    threshold = RetrievalSettings().threshold
    if answer.refused and not any((h.similarity or 0.0) >= threshold for h in answer.hits):
        return "below threshold"
    return "unmentioned terms" if answer.refused else "model said so"


def ranked_files(store, question: str, strategy: str, depth: int) -> list[str]:
    from ..types import RetrievalSettings
    from ..answer.retrieve import retrieve

    settings = RetrievalSettings(strategy=strategy, k=depth, threshold=-1.0, candidates=max(RetrievalSettings().candidates, depth))
    found = retrieve(store, question, WORKSPACE, settings)
    return [f for f, _ in fold_to_documents((h.file, h.score) for h in found.hits + found.below_threshold)]


def similarity(embeddings, answer: str, reference: str) -> float:
    import numpy as np

    if not answer.strip() or not reference.strip():
        return 0.0
    vectors = embeddings.embed_array([_MARKER.sub("", answer), reference])
    return float(np.dot(vectors[0], vectors[1]))


def ask_one(store, item: QaItem, strategy: str, model: str, tally: StrategyTally, depth: int) -> None:
    """Rank the files for the question, then answer it, and add both to the tally."""
    from ..answer.chain import AskOptions, ask
    from ..types import RetrievalSettings

    files = ranked_files(store, item.question, strategy, depth)
    tally.hit1.append(hit_at_k(files, item.sources, 1))
    tally.hit5.append(hit_at_k(files, item.sources, 5))
    started = time.perf_counter()
    answer = ask(store, item.question, WORKSPACE, AskOptions(model=model, retrieval=RetrievalSettings(strategy=strategy)))
    tally.latency_ms.append((time.perf_counter() - started) * 1000)
    tally.models[answer.model] = tally.models.get(answer.model, 0) + 1
    refused = is_refusal(answer)
    tally.refused.append(refused)
    if refused:
        reason = refusal_reason(answer)
        tally.refusal_reasons[reason] = tally.refusal_reasons.get(reason, 0) + 1
        tally.refusals.append({"id": item.qid, "question": item.question, "reason": reason, "said": answer.answer[:300]})
    if not refused:
        tally.grounded.append(answer.grounded_fraction)
        tally.similarity.append(similarity(store.embeddings, answer.answer, item.answer))


def bm25_baseline(store, items: list[QaItem], depth: int) -> dict:
    """bm25s over the product's own chunks (heading path + text, as they are embedded)."""
    if not reference_available():
        return {"skipped": "bm25s is not installed (pip install 'grounded[bench]')"}
    ids, texts = [], []
    for row in store.catalog.documents(WORKSPACE, status="ready"):
        for hit in store.index.chunks_of(WORKSPACE, row.doc_id):
            ids.append(hit.file)
            texts.append(f"{hit.section}\n{hit.text}" if hit.section else hit.text)
    ref = Bm25Reference.fit(ids, texts)
    hit1, hit5, times = [], [], []
    for item in items:
        started = time.perf_counter()
        files = [f for f, _ in fold_to_documents(ref.search(item.question, depth))]
        times.append((time.perf_counter() - started) * 1000)
        hit1.append(hit_at_k(files, item.sources, 1))
        hit5.append(hit_at_k(files, item.sources, 5))
    return {"name": ref.name, "chunks": len(texts), "hit@1": round(mean(hit1), 4), "hit@5": round(mean(hit5), 4),
            "p50_ms": round(percentile(times, 50), 2)}


def _print_file(p) -> None:
    if p.result is not None:
        progress(f"[{p.done}/{p.total}] {p.result.status} {p.result.path} ({p.result.chunks} chunks)")


def run(config: QaConfig) -> dict:
    from ..ingest.pipeline import ingest_paths

    folder = Path(config.folder)
    items = load_items(folder / "qa.jsonl", config.limit)
    missing = load_items(Path(config.missing)) if config.missing else []
    result = header("qa") | {"dataset": folder.name, "questions": len(items), "model": config.model}
    with throwaway_store(config.index_dir) as store:
        started = time.perf_counter()
        report = ingest_paths(store, [folder / "docs"], WORKSPACE, on_progress=_print_file)
        result["documents"] = {
            "files": len(report.files),
            "indexed": report.count("indexed"),
            "unchanged": report.count("unchanged"),
            "failed": [f.as_dict() for f in report.files if f.status in ("failed", "skipped")],
            "chunks": sum(f.chunks for f in report.files),
            "ingest_s": round(time.perf_counter() - started, 1),
        }
        result["strategies"] = {}
        refused_missing: dict[str, int] = {}
        missing_reasons: dict[str, dict[str, int]] = {}
        for strategy in config.strategies:
            tally = StrategyTally()
            for n, item in enumerate(items, 1):
                ask_one(store, item, strategy, config.model, tally, config.depth)
                if n % 25 == 0:
                    progress(f"{strategy}: {n}/{len(items)} questions")
            result["strategies"][strategy] = tally.summary()
            if missing:
                gone = StrategyTally()
                for item in missing:
                    ask_one(store, item, strategy, config.model, gone, config.depth)
                refused_missing[strategy] = sum(gone.refused)
                missing_reasons[strategy] = gone.refusal_reasons
            progress(f"{strategy}: hit@5 {result['strategies'][strategy]['hit@5']:.3f}")
        result["reference"] = bm25_baseline(store, items, config.depth)
    result["missing"] = {"file": str(config.missing), "questions": len(missing), "refused": refused_missing,
                         "reasons": missing_reasons} if missing else None
    result["targets"] = [t.as_dict() for t in targets(result, config)]
    return result


def targets(result: dict, config: QaConfig) -> list[Target]:
    strategies = result["strategies"]
    default = "hybrid" if "hybrid" in strategies else next(iter(strategies), None)
    out = []
    ref = result["reference"]
    if default and "hit@5" in ref:
        margin = 100 * (strategies[default]["hit@5"] - ref["hit@5"])
        out.append(Target(f"{default} hit@5 above BM25 on {result['dataset']}", round(margin, 1),
                          config.target_margin_points, ">=", "points"))
    if default and result["missing"]:
        n = result["missing"]["questions"]
        out.append(Target(f"{default}: missing-source questions refused (of {n})", result["missing"]["refused"][default],
                          ceil(n * config.missing_refused_share - 1e-9), ">="))
    return out


def render(result: dict) -> str:
    rows = [[name, s["hit@1"], s["hit@5"], s["refusal_rate"], s["grounded"], s["answer_similarity"], s["p50_ms"], s["p95_ms"]]
            for name, s in result["strategies"].items()]
    ref = result["reference"]
    if "hit@5" in ref:
        rows.append([ref["name"], ref["hit@1"], ref["hit@5"], "-", "-", "-", ref["p50_ms"], "-"])
    docs = result["documents"]
    lines = [
        f"{result['dataset']}: {result['questions']} questions, model {result['model']}; "
        f"{docs['indexed'] + docs.get('unchanged', 0)}/{docs['files']} files -> {docs['chunks']} chunks "
        f"(ingest {docs['ingest_s']} s{', reused' if docs.get('unchanged') else ''})",
        table(["strategy", "hit@1", "hit@5", "refused", "grounded", "similarity", "p50 ms", "p95 ms"], rows),
    ]
    if "skipped" in ref:
        lines.append(f"baseline: {ref['skipped']}")
    for name, s in result["strategies"].items():
        if s.get("refusal_reasons"):
            lines.append(f"{name} refusals: " + ", ".join(f"{why} {n}" for why, n in s["refusal_reasons"].items()))
    if result["missing"]:
        refused = ", ".join(f"{s} {k}" for s, k in result["missing"]["refused"].items())
        lines.append(f"missing-source questions refused (of {result['missing']['questions']}): {refused}")
    lines += [f"{f['status']}: {f['path']}: {f['error']}" for f in docs["failed"]]
    return "\n".join(lines + target_lines(result["targets"]))
