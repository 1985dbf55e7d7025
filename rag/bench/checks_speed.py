"""``grounded bench checks``: suggestion coverage, and how long a run of 20 answer checks takes after a settings change.

On the marketing set (:mod:`rag.bench.marketing_set`: two case studies, a help-center export with a
plan-price table and how-tos, a launch note, posts and a style guide), in a throwaway store:

1. the suggested checks (rag/quality/checks.py) are kept; coverage is the share of case studies and of
   documents with a price table that got at least one suggestion (target: all);
2. the set's answerable single-turn questions, with the facts a right answer states, are added as
   checks until there are ``checks`` of them (20 by default);
3. a first run is the baseline; then the search setting is changed (hybrid -> dense) through
   ``save_assistant``, as the Settings page does, which queues a run, and that run is timed (the
   background runner's step, :func:`rag.quality.runs.run_queued`), with its before/after line.

Target (issue 25): the run after a settings change within a minute for 20 checks on 2 cores.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from .common import Target, header, progress, table, target_lines, throwaway_store


@dataclass(frozen=True)
class ChecksConfig:
    checks: int = 20
    strategy: str = "dense"  # the search setting changed to
    limit_s: float = 60.0


def _has_price_table(store, doc_id: str) -> bool:
    from ..ingest import pipeline
    from ..quality.checks import _price_rows

    return any(_price_rows(hit) for hit in pipeline.stored_chunks(store, doc_id))


def run(config: ChecksConfig) -> dict:
    import tempfile
    from pathlib import Path

    from ..ingest.pipeline import ingest_paths
    from ..quality import checks, runs
    from ..workspace.assistants import ensure_default, save_assistant
    from . import marketing_set

    result = header("checks")
    with throwaway_store() as store:
        workspace = store.settings.workspace
        ensure_default(store.catalog, workspace)
        progress("indexing the marketing set…")
        with tempfile.TemporaryDirectory(prefix="grounded-checks-") as folder:
            ingest_paths(store, [marketing_set.write_corpus(Path(folder) / "docs")], workspace)  # a ZIP as its pages
        rows = store.catalog.documents(workspace, status="ready")
        started = time.perf_counter()
        offered = checks.suggest_checks(store, workspace, user=None)
        suggest_s = time.perf_counter() - started
        suggested_docs = {s.doc_id for s in offered}
        cases = [r for r in rows if r.kind == "case study"]
        priced = [r for r in rows if _has_price_table(store, r.doc_id)]
        for s in offered[:config.checks]:
            checks.accept_suggestion(store, workspace, s, user=None)
        for q in marketing_set.QUESTIONS:
            if store.catalog.checks.count_checks(workspace) >= config.checks:
                break
            if q.answerable and q.after is None and q.facts:
                try:
                    checks.add_check(store, workspace, q.question, list(q.facts), user=None)
                except checks.BadCheck:
                    continue
        total = store.catalog.checks.count_checks(workspace)
        progress(f"{len(offered)} suggested; {total} checks; the first run…")
        first = checks.run_checks(store, workspace, user=None)
        assistant = ensure_default(store.catalog, workspace)
        before_strategy = assistant.retrieval.strategy
        assistant.retrieval = assistant.retrieval.with_(strategy=config.strategy)
        started = time.perf_counter()
        save_assistant(store.catalog, assistant)
        save_s = time.perf_counter() - started
        progress(f"search: {before_strategy} -> {config.strategy}; the queued run…")
        started = time.perf_counter()
        (after,) = runs.run_queued(store, quiet_s=0)
        run_s = time.perf_counter() - started
    result.update({
        "documents": len(rows), "suggested": len(offered), "suggest_s": round(suggest_s, 2),
        "case_studies": len(cases), "case_studies_suggested": sum(r.doc_id in suggested_docs for r in cases),
        "price_tables": len(priced), "price_tables_suggested": sum(r.doc_id in suggested_docs for r in priced),
        "checks": total, "first": first.as_dict()["run"], "after": after.as_dict()["run"],
        "headline": after.summary(), "save_s": round(save_s, 4), "run_s": round(run_s, 2),
        "failing_after": [{"question": r.question, "why": r.why()} for r in after.failed],
    })
    coverage = (result["case_studies_suggested"] + result["price_tables_suggested"]) / max(len(cases) + len(priced), 1)
    result["targets"] = [t.as_dict() for t in (
        Target("run of the checks after a settings change", run_s, config.limit_s, "<=", "s"),
        Target("case studies and price tables with a suggested check", coverage, 1.0, ">="),
    )]
    return result


def render(result: dict) -> str:
    lines = [
        f"{result['documents']} documents: {result['case_studies']} case studies ({result['case_studies_suggested']} with a "
        f"suggested check), {result['price_tables']} with a price table ({result['price_tables_suggested']} with one); "
        f"{result['suggested']} suggestions in {result['suggest_s']} s",
        table(["run", "passed", "of", "seconds"], [
            ["first (on demand)", result["first"]["passed"], result["first"]["total"], result["first"]["seconds"]],
            ["after the settings change", result["after"]["passed"], result["after"]["total"], result["run_s"]],
        ]),
        f"Saving the settings took {result['save_s'] * 1000:.1f} ms (the run is queued, not waited for).",
        f"Before/after: {result['headline']}",
    ]
    lines += [f"  failing: {f['question']} — {f['why']}" for f in result["failing_after"]]
    return "\n".join(lines + target_lines(result["targets"]))
