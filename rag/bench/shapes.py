"""``grounded bench qa --shapes``: answers shaped by the question, over five companies' documents in every format.

The fixture set is rag/bench/shapes_set.py. Each company's documents go
through the product's ``ingest_paths`` into its own workspace of a throwaway
store (one assistant per company, as a marketing team would set it up); then
every question is asked with ``rag.answer.ask`` (the chosen answer model and
strategy, the product's defaults otherwise; follow-ups with the turn they
follow) and scored:

- answerable questions: the share of the key facts the answer states and
  whether it states them all (numbers by value, names and phrases as written,
  single lowercase words by stem); *flagged* when it was refused, labelled as
  not answering the question, or carries a "not answered" or "weak match"
  notice; an *overclaim* when it is labelled "answers the question" and misses
  a key fact; *wrong side* when a before/after answer states the figure not
  asked for and misses the one asked for;
- uncovered questions (``answerable=False``): *declined* when refused,
  *declined or flagged* when refused or flagged as above; an *overclaim* when
  labelled "answers the question".

Every figure is reported overall, per question type and per format (of the
document holding the answer), separately for the tuned companies and the
held-out one (:data:`rag.bench.shapes_set.HELD_OUT`), with every failing
question and what the answer said.
"""

from __future__ import annotations

import contextlib
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from .common import Target, header, progress, table, target_lines, throwaway_store
from .correctness import states
from .metrics import mean, percentile
from .qa import is_refusal
from .shapes_set import FORMATS, HELD_OUT, TYPES, Company, ShapeQuestion, companies

FLAG_NOTICES = ("not_answered", "weak_match")
SPLITS = ("tuned", "held-out")


@dataclass(frozen=True)
class ShapesConfig:
    model: str = "extractive"
    strategy: str = "hybrid"
    companies: tuple[str, ...] = ()  # only these companies (keys); all when empty
    index_dir: Path | None = None  # keep the store here; a later run re-ingests nothing unchanged


def stated(answer: str, fact: str) -> bool:
    """Does ``answer`` state ``fact``? A single lowercase word ("onboardee", "eco-friendly") by its stems, else
    as :func:`rag.bench.correctness.states` (numbers by value, the rest as written, case ignored)."""
    from ..words import analyse

    if " " not in fact and fact.islower() and not any(c.isdigit() for c in fact):
        wanted = analyse(fact)
        return bool(wanted) and set(wanted) <= set(analyse(answer))
    return states(answer, fact)


def workspace_of(company: Company) -> str:
    return f"bench-shapes-{company.key}"


def ask_question(store, company: Company, q: ShapeQuestion, model: str, strategy: str) -> dict:
    """Ask one question and score the answer (see the module docstring); a JSON-ready record."""
    from ..answer.chain import AskOptions, ask
    from ..answer.followup import Turn
    from ..types import RetrievalSettings

    history = (Turn(*q.after),) if q.after else ()
    options = AskOptions(model=model, retrieval=RetrievalSettings(strategy=strategy), history=history)
    started = time.perf_counter()
    answer = ask(store, q.question, workspace_of(company), options, user=None)
    latency = (time.perf_counter() - started) * 1000
    refused = is_refusal(answer)
    text = "" if refused else answer.answer
    notices = [n.code for n in answer.notices]
    flagged = refused or answer.answers_question is False or any(c in notices for c in FLAG_NOTICES)
    record = {
        "id": q.id, "company": company.key, "split": "held-out" if company.held_out else "tuned",
        "type": q.type, "format": company.format_of(q.source) or "none", "question": q.question,
        "answerable": q.answerable, "refused": refused, "flagged": flagged,
        "answers_question": answer.answers_question, "answers_reason": answer.answers_reason,
        "notices": notices, "searched": answer.searched, "latency_ms": round(latency, 1),
        "answer": (answer.answer or "")[:700],
    }
    if q.after:
        record["after"] = q.after[0]
    if q.answerable:
        stated_facts = [f for f in q.facts if stated(text, f)]
        everything = len(stated_facts) == len(q.facts)
        record |= {"facts": list(q.facts), "missing": [f for f in q.facts if f not in stated_facts],
                   "share": round(len(stated_facts) / len(q.facts), 3) if q.facts else 1.0, "all_facts": everything,
                   "overclaim": answer.answers_question is True and not everything}
        if q.not_facts:
            record["wrong_side"] = not everything and any(stated(text, f) for f in q.not_facts)
    else:
        record |= {"declined": refused, "overclaim": not refused and answer.answers_question is True}
    return record


def summarise(records: list[dict]) -> dict:
    """The figures of one group of answered questions (see the module docstring)."""
    answerable = [r for r in records if r["answerable"]]
    uncovered = [r for r in records if not r["answerable"]]

    def rate(rows, key) -> float | None:
        return round(mean([float(bool(r[key])) for r in rows]), 4) if rows else None

    return {
        "answerable": len(answerable),
        "key_facts": round(mean([r["share"] for r in answerable]), 4) if answerable else None,
        "all_facts": rate(answerable, "all_facts"),
        "answerable_flagged": rate(answerable, "flagged"),
        "overclaims": sum(1 for r in answerable if r["overclaim"]),
        "wrong_side": sum(1 for r in answerable if r.get("wrong_side")),
        "uncovered": len(uncovered),
        "uncovered_declined": rate(uncovered, "declined"),
        "uncovered_declined_or_flagged": rate(uncovered, "flagged"),
        "uncovered_labelled_answering": sum(1 for r in uncovered if r["overclaim"]),
        "p50_ms": round(percentile([r["latency_ms"] for r in records], 50), 1) if records else None,
    }


def breakdown(records: list[dict]) -> dict:
    """Overall, per type and per format."""
    return {
        "overall": summarise(records),
        "by_type": {t: summarise(rows) for t in TYPES if (rows := [r for r in records if r["type"] == t])},
        "by_format": {f: summarise(rows) for f in (*FORMATS, "none") if (rows := [r for r in records if r["format"] == f])},
    }


def failures(records: list[dict]) -> list[dict]:
    """The questions answered wrongly: a key fact missed, an overclaim, an uncovered one neither declined nor flagged,
    a right answer flagged (refused, labelled as not answering, or with a "not answered" or "weak match" notice)."""
    out = []
    for r in records:
        if r["answerable"]:
            why = [f"missed {', '.join(r['missing'])}"] if r["missing"] else []
            if r["flagged"] and not r["missing"]:
                why.append("flagged though it states every key fact")
        else:
            why = [] if r["flagged"] else ["uncovered, answered without a flag"]
        if r["overclaim"]:
            why.append("labelled as answering the question")
        if r.get("wrong_side"):
            why.append("stated the other side of the before/after")
        if why:
            out.append({k: r[k] for k in ("id", "split", "type", "format", "question", "answer", "answers_question",
                                          "notices", "searched")} | {"why": "; ".join(why)})
    return out


def run(config: ShapesConfig) -> dict:
    from ..ingest.pipeline import ingest_paths

    chosen = [c for c in companies() if not config.companies or c.key in config.companies]
    unknown = set(config.companies) - {c.key for c in companies()}
    if unknown or not chosen:
        raise ValueError(f"unknown company {', '.join(sorted(unknown)) or '(none)'}; choose from "
                         f"{', '.join(c.key for c in companies())}")
    result = header("shapes") | {"dataset": "shapes", "model": config.model, "strategy": config.strategy,
                                 "held_out": HELD_OUT, "companies": {}}
    records: list[dict] = []
    with contextlib.ExitStack() as scope:
        root = Path(scope.enter_context(tempfile.TemporaryDirectory(prefix="grounded-shapes-")))
        store = scope.enter_context(throwaway_store(config.index_dir))
        for company in chosen:
            folder = company.write(root / company.key)
            started = time.perf_counter()
            report = ingest_paths(store, [folder], workspace_of(company))
            failed = [f.as_dict() for f in report.files if f.status in ("failed", "skipped")]
            result["companies"][company.key] = {
                "name": company.name, "industry": company.industry, "held_out": company.held_out,
                "files": len(report.files), "chunks": sum(f.chunks for f in report.files), "failed": failed,
                "ingest_s": round(time.perf_counter() - started, 1), "questions": len(company.questions)}
            progress(f"{company.name}: {len(report.files)} files, {result['companies'][company.key]['chunks']} chunks")
            for q in company.questions:
                records.append(ask_question(store, company, q, config.model, config.strategy))
            progress(f"{company.name}: {len(company.questions)} questions asked")
    result["splits"] = {s: breakdown(rows) for s in SPLITS if (rows := [r for r in records if r["split"] == s])}
    result["by_company"] = {c.key: summarise([r for r in records if r["company"] == c.key]) for c in chosen}
    result["failures"] = failures(records)
    result["answers"] = records
    result["targets"] = [t.as_dict() for t in targets(result)]
    return result


def targets(result: dict) -> list[Target]:
    """Issue 22's targets, per split: >= 90% all key facts (overall, and in its weakest type and format), every
    uncovered question declined or flagged, no overclaim, answerable flagged <= 10%, p50 under 1 s."""
    out = []
    for split, figures in result["splits"].items():
        overall = figures["overall"]
        if overall["answerable"]:
            out.append(Target(f"{split}: answerable questions stating every key fact", round(100 * overall["all_facts"], 1),
                              90.0, ">=", "%"))
            for axis in ("by_type", "by_format"):
                rows = {k: v for k, v in figures[axis].items() if v["answerable"]}
                if rows:
                    worst = min(rows, key=lambda k: rows[k]["all_facts"])
                    out.append(Target(f"{split}: weakest {axis[3:]} ({worst}) stating every key fact",
                                      round(100 * rows[worst]["all_facts"], 1), 90.0, ">=", "%"))
            out.append(Target(f"{split}: answerable questions refused or flagged", round(100 * overall["answerable_flagged"], 1),
                              10.0, "<=", "%"))
        if overall["uncovered"]:
            out.append(Target(f"{split}: uncovered questions declined or flagged",
                              round(100 * overall["uncovered_declined_or_flagged"], 1), 100.0, ">=", "%"))
        out.append(Target(f"{split}: answers labelled 'answers the question' that miss a key fact (or are uncovered)",
                          overall["overclaims"] + overall["uncovered_labelled_answering"], 0, "<="))
        out.append(Target(f"{split}: answer time p50", overall["p50_ms"], 1000.0, "<=", "ms"))
    return out


HEAD = ["group", "n", "key facts", "all facts", "flagged (answerable)", "overclaims", "wrong side", "uncovered",
        "declined", "declined/flagged", "uncovered labelled answering", "p50 ms"]


def _row(name: str, s: dict) -> list:
    def f(v):
        return "-" if v is None else v

    return [name, s["answerable"], f(s["key_facts"]), f(s["all_facts"]), f(s["answerable_flagged"]), s["overclaims"],
            s["wrong_side"], s["uncovered"], f(s["uncovered_declined"]), f(s["uncovered_declined_or_flagged"]),
            s["uncovered_labelled_answering"], f(s["p50_ms"])]


def render(result: dict) -> str:
    lines = [f"shapes: model {result['model']}, strategy {result['strategy']}; held out: {result['held_out']}"]
    for key, c in result["companies"].items():
        lines.append(f"  {c['name']} ({c['industry']}{', HELD OUT' if c['held_out'] else ''}): {c['files']} files -> "
                     f"{c['chunks']} chunks, {c['questions']} questions (ingest {c['ingest_s']} s)")
        lines += [f"    {f['status']}: {f['path']}: {f['error']}" for f in c["failed"]]
    for split, figures in result["splits"].items():
        rows = [_row("overall", figures["overall"])]
        rows += [_row(f"type: {t}", s) for t, s in figures["by_type"].items()]
        rows += [_row(f"format: {f}", s) for f, s in figures["by_format"].items()]
        lines.append(f"\n{split} ({'the company kept apart' if split == 'held-out' else 'companies the rules may be tuned on'}):")
        lines.append(table(HEAD, rows))
    lines.append("\nper company:")
    lines.append(table(HEAD, [_row(k, s) for k, s in result["by_company"].items()]))
    if result["failures"]:
        lines.append(f"\nfailing questions ({len(result['failures'])}):")
        for f in result["failures"]:
            said = " ".join(f["answer"].split())[:220] or "(refused)"
            label = {True: "answers", False: "doesn't answer", None: "-"}[f["answers_question"]]
            lines.append(f"- [{f['split']}] {f['id']} ({f['type']}, {f['format']}): {f['question']} -- {f['why']}; "
                         f"label: {label}{'; notices: ' + ','.join(f['notices']) if f['notices'] else ''}"
                         f"{'; searched: ' + f['searched'] if f['searched'] else ''}\n    said: {said}")
    return "\n".join(lines + [""] + target_lines(result["targets"]))
