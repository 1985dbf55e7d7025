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

- correctness (rag/bench/correctness.py): the share of the reference
  answer's key facts (numbers with units, dates, names, its other content
  words) the answer states, and how often it states them all, per question
  type (figure, who, when, how-to, other), beside two baselines on the same
  retrieval: ``lead`` (the top passage's first two sentences) and
  ``best-passage`` (the top passage whole).

The retrieval baseline is ``bm25s`` over the very same chunks. ``--missing
FILE`` asks questions whose source is absent and counts refusals.
``--models`` adds answer models (``local``, and ``compatible``: the built-in
model behind an OpenAI-compatible server on loopback) on the default
strategy. ``--answerless N`` takes N answerable questions, hides the
passages that hold their answers (an Index that leaves them out of every
search, through the Index contract), and counts how often the product then
refuses or says the passages don't answer, beside the same questions with
their passages in place. ``--marketing`` runs the built-in marketing set
(rag/bench/marketing_set.py) instead of a folder.
"""

from __future__ import annotations

import contextlib
import json
import re
import tempfile
import time
from dataclasses import dataclass, field
from math import ceil
from pathlib import Path

from .common import Target, header, progress, table, target_lines, throwaway_store
from .correctness import QUESTION_TYPES, best_passage, correctness, key_facts, lead, question_type
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
    facts: tuple[str, ...] = ()  # what a right answer states; read from ``answer`` when not given
    answerable: bool = True
    history: tuple = ()  # earlier turns (rag.answer.followup.Turn) for a follow-up
    not_facts: tuple[str, ...] = ()  # what it must not state (the wrong side of a before/after)

    @property
    def key_facts(self) -> list[str]:
        return list(self.facts) if self.facts else key_facts(self.answer, self.question)


@dataclass(frozen=True)
class QaConfig:
    folder: Path | None
    model: str = "extractive"
    models: tuple[str, ...] = ()  # more answer models, on the default strategy
    answerless: int = 0  # questions asked again with the passages holding their answers hidden
    marketing: bool = False  # the built-in marketing set instead of ``folder``
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
    refused_answerable: list[bool] = field(default_factory=list)  # refusals of questions the documents answer
    grounded: list[float] = field(default_factory=list)
    similarity: list[float] = field(default_factory=list)
    latency_ms: list[float] = field(default_factory=list)
    models: dict[str, int] = field(default_factory=dict)
    refusal_reasons: dict[str, int] = field(default_factory=dict)
    refusals: list[dict] = field(default_factory=list)  # which questions, and what the product said
    facts: list[float] = field(default_factory=list)  # share of the reference's key facts stated (answerable ones)
    all_facts: list[bool] = field(default_factory=list)
    by_type: dict[str, list[float]] = field(default_factory=dict)
    not_answering: list[bool] = field(default_factory=list)  # flagged "doesn't answer the question" (answered ones)
    wrong_side: list[bool] = field(default_factory=list)  # stated the figure the question did not ask for
    answers: list[dict] = field(default_factory=list)  # per question: what was said and which facts it stated
    flag_reasons: dict[str, int] = field(default_factory=dict)  # why answered questions were flagged, by class
    flagged: list[dict] = field(default_factory=list)  # which questions were flagged, and why

    def add_correctness(self, item: QaItem, text: str) -> None:
        share, everything = correctness(text, item.key_facts)
        self.answers.append({"id": item.qid, "type": question_type(item.question), "facts": item.key_facts,
                             "share": round(share, 3), "answer": text[:600]})
        self.facts.append(share)
        self.all_facts.append(everything)
        self.by_type.setdefault(question_type(item.question), []).append(float(everything))
        if item.not_facts:
            self.wrong_side.append(correctness(text, item.not_facts)[0] > 0 and not everything)

    def summary(self) -> dict:
        return {
            "facts": round(mean(self.facts), 4),
            "all_facts": round(mean([float(a) for a in self.all_facts]), 4),
            "all_facts_by_type": {t: {"n": len(v), "all_facts": round(mean(v), 4)} for t, v in sorted(self.by_type.items())},
            "flagged_not_answering": round(mean([float(a) for a in self.not_answering]), 4),
            "hit@1": round(mean(self.hit1), 4),
            "hit@5": round(mean(self.hit5), 4),
            "refusal_rate": round(mean([float(r) for r in self.refused]), 4),
            "answerable_refusal_rate": round(mean([float(r) for r in self.refused_answerable]), 4),
            "grounded": round(mean(self.grounded), 4),
            "answer_similarity": round(mean(self.similarity), 4),
            "p50_ms": round(percentile(self.latency_ms, 50), 1),
            "p95_ms": round(percentile(self.latency_ms, 95), 1),
            "models": self.models,
            "refusal_reasons": self.refusal_reasons,
            "flag_reasons": self.flag_reasons,
            "flagged": self.flagged,
            "refusals": self.refusals,
            "answers": self.answers,
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


def flag_class(reason: str) -> str:
    """The kind of a "doesn't answer" label (rag/answer/asked.py's judge): the thing asked for is missing, a name
    the question asks about is missing, the subject words are, or the answer itself says the documents don't say."""
    if "don't mention" in reason:
        return "name not mentioned"
    if "anything about" in reason:
        return "off the subject"
    if "none of them states" in reason:
        return "kind not stated: " + reason.rsplit("states ", 1)[-1].rstrip(".").split(" for ")[0]
    return "says the documents don't state it" if "don't state" in reason else "other"


def ranked_files(store, question: str, strategy: str, depth: int) -> list[str]:
    from ..answer.retrieve import retrieve
    from ..types import RetrievalSettings

    settings = RetrievalSettings(strategy=strategy, k=depth, threshold=-1.0, candidates=max(RetrievalSettings().candidates, depth))
    found = retrieve(store, question, WORKSPACE, settings, user=None)
    return [f for f, _ in fold_to_documents((h.file, h.score) for h in found.hits + found.below_threshold)]


def similarity(embeddings, answer: str, reference: str) -> float:
    import numpy as np

    if not answer.strip() or not reference.strip():
        return 0.0
    vectors = embeddings.embed_array([_MARKER.sub("", answer), reference])
    return float(np.dot(vectors[0], vectors[1]))


def ask_one(store, item: QaItem, strategy: str, model: str, tally: StrategyTally, depth: int, settings=None,
            baselines: dict[str, StrategyTally] | None = None) -> None:
    """Rank the files for the question, answer it, score the answer (and the baselines, if asked), add to the tally."""
    from ..answer.chain import AskOptions, ask
    from ..answer.retrieve import retrieve
    from ..types import RetrievalSettings

    if item.sources:
        files = ranked_files(store, item.question, strategy, depth)
        tally.hit1.append(hit_at_k(files, item.sources, 1))
        tally.hit5.append(hit_at_k(files, item.sources, 5))
    started = time.perf_counter()
    options = AskOptions(model=model, retrieval=RetrievalSettings(strategy=strategy), history=item.history)
    answer = ask(store, item.question, WORKSPACE, options, settings=settings, user=None)
    tally.latency_ms.append((time.perf_counter() - started) * 1000)
    tally.models[answer.model] = tally.models.get(answer.model, 0) + 1
    refused = is_refusal(answer)
    tally.refused.append(refused)
    if item.answerable:
        tally.refused_answerable.append(refused)
    if refused:
        reason = refusal_reason(answer)
        tally.refusal_reasons[reason] = tally.refusal_reasons.get(reason, 0) + 1
        tally.refusals.append({"id": item.qid, "question": item.question, "reason": reason, "said": answer.answer[:300]})
    if not refused:
        tally.grounded.append(answer.grounded_fraction)
        tally.not_answering.append(answer.answers_question is False)
        if answer.answers_question is False:
            why = flag_class(answer.answers_reason)
            tally.flag_reasons[why] = tally.flag_reasons.get(why, 0) + 1
            tally.flagged.append({"id": item.qid, "question": item.question, "reason": answer.answers_reason,
                                  "answerable": item.answerable})
        if item.answer:
            tally.similarity.append(similarity(store.embeddings, answer.answer, item.answer))
    if item.answerable and item.key_facts:
        tally.add_correctness(item, "" if refused else answer.answer)
    if baselines is not None and item.answerable and item.key_facts:
        hits = answer.hits if not answer.refused else retrieve(
            store, answer.searched or item.question, WORKSPACE, RetrievalSettings(strategy=strategy, threshold=-1.0), user=None).hits
        for name, make in (("lead", lead), ("best-passage", best_passage)):
            baselines.setdefault(name, StrategyTally()).add_correctness(item, make(hits))


def answerless(store, items: list[QaItem], model: str, settings=None) -> dict:
    """The same questions with and without the passages that hold their answers: refused or flagged, in %."""
    import copy

    from ..answer.chain import AskOptions, ask

    def declines(s, item) -> bool:
        answer = ask(s, item.question, WORKSPACE, AskOptions(model=model, history=item.history), settings=settings, user=None)
        return is_refusal(answer) or answer.answers_question is False

    asked, with_answers, without = [], [], []
    for item in items:
        holding = _holding(store, item)
        if not holding:
            continue
        hidden = copy.copy(store)
        hidden.index = HidingIndex(store.index, holding)
        asked.append(item.qid)
        with_answers.append(declines(store, item))
        without.append(declines(hidden, item))
    return {"questions": len(asked), "declined_with_answers": round(mean([float(x) for x in with_answers]), 4),
            "declined_without_answers": round(mean([float(x) for x in without]), 4), "ids": asked,
            "declined_in_place": [q for q, d in zip(asked, with_answers) if d],
            "answered_when_hidden": [q for q, d in zip(asked, without) if not d]}


def _holding(store, item: QaItem) -> set[str]:
    """Ids of the passages that state any of the question's key figures (numbers and dates)."""
    from .correctness import states

    figures = [f for f in item.key_facts if any(c.isdigit() for c in f)]
    if not figures:
        return set()
    held = set()
    for row in store.catalog.documents(WORKSPACE, status="ready"):
        for hit in store.index.chunks_of(WORKSPACE, row.doc_id):
            if any(states(hit.text, f) for f in figures):
                held.add(hit.chunk_id)
    return held


class HidingIndex:
    """An :class:`rag.index.base.Index` that leaves some passages out of every search (as if never indexed)."""

    def __init__(self, inner, hidden: set[str]):
        self._inner = inner
        self._hidden = hidden
        self.model_id, self.dimension = inner.model_id, inner.dimension

    def __getattr__(self, name):
        return getattr(self._inner, name)

    def search(self, workspace, strategy, dense, sparse, k=5, candidates=50, where=None, with_vectors=False, exact=False):
        more = k + len(self._hidden)
        hits = self._inner.search(workspace, strategy, dense, sparse, k=more, candidates=max(candidates, more),
                                  where=where, with_vectors=with_vectors, exact=exact)
        return [h for h in hits if h.chunk_id not in self._hidden][:k]

    def neighbours(self, workspace, doc_id, first, last, version=None):
        return [h for h in self._inner.neighbours(workspace, doc_id, first, last, version)
                if h.chunk_id not in self._hidden]

    def chunks_of(self, workspace, doc_id):  # a summary reads the whole document: the hidden passages stay hidden
        return [h for h in self._inner.chunks_of(workspace, doc_id) if h.chunk_id not in self._hidden]


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


def marketing_items() -> list[QaItem]:
    from ..answer.followup import Turn
    from .marketing_set import QUESTIONS

    return [QaItem(q.id, q.question, "", (), q.facts, q.answerable, (Turn(*q.after),) if q.after else (), q.not_facts)
            for q in QUESTIONS]


def _model_settings(store, model: str, servers: contextlib.ExitStack):
    """Settings for ``model``: ``compatible`` is the built-in model behind a loopback server started here."""
    if model != "compatible" or store.settings.compatible_url:
        return None
    from .servers import local_compatible_server

    return store.settings.with_(compatible_url=servers.enter_context(local_compatible_server()))


def run(config: QaConfig) -> dict:
    from ..ingest.pipeline import ingest_paths

    with contextlib.ExitStack() as scope:
        if config.marketing:
            from .marketing_set import write_corpus

            folder = write_corpus(Path(scope.enter_context(tempfile.TemporaryDirectory(prefix="grounded-marketing-"))) / "docs")
            items, name = marketing_items(), "marketing"
        else:
            folder = Path(config.folder) / "docs"
            items, name = load_items(Path(config.folder) / "qa.jsonl", config.limit), Path(config.folder).name
        items = items[: config.limit] if config.limit else items
        missing = load_items(Path(config.missing)) if config.missing else []
        result = header("qa") | {"dataset": name, "questions": len(items), "model": config.model}
        store = scope.enter_context(throwaway_store(config.index_dir))
        started = time.perf_counter()
        report = ingest_paths(store, [folder], WORKSPACE, on_progress=_print_file)
        result["documents"] = {
            "files": len(report.files),
            "indexed": report.count("indexed"),
            "unchanged": report.count("unchanged"),
            "failed": [f.as_dict() for f in report.files if f.status in ("failed", "skipped")],
            "chunks": sum(f.chunks for f in report.files),
            "ingest_s": round(time.perf_counter() - started, 1),
        }
        result["strategies"] = {}
        result["answer_models"] = {}
        refused_missing: dict[str, int] = {}
        missing_reasons: dict[str, dict[str, int]] = {}
        for strategy in config.strategies:
            tally = StrategyTally()
            baselines: dict[str, StrategyTally] | None = {} if strategy == config.strategies[0] else None
            for n, item in enumerate(items, 1):
                ask_one(store, item, strategy, config.model, tally, config.depth, baselines=baselines)
                if n % 25 == 0:
                    progress(f"{strategy}: {n}/{len(items)} questions")
            result["strategies"][strategy] = tally.summary()
            if baselines is not None:
                result["answer_models"][config.model] = result["strategies"][strategy]
                result["answer_models"] |= {b: t.summary() for b, t in baselines.items()}
            if missing:
                gone = StrategyTally()
                for item in missing:
                    ask_one(store, item, strategy, config.model, gone, config.depth)
                refused_missing[strategy] = sum(gone.refused)
                missing_reasons[strategy] = gone.refusal_reasons
            progress(f"{strategy}: hit@5 {result['strategies'][strategy]['hit@5']:.3f}, "
                     f"all facts {result['strategies'][strategy]['all_facts']:.3f}")
        for model in config.models:
            if model == config.model:
                continue
            settings = _model_settings(store, model, scope)
            tally = StrategyTally()
            for n, item in enumerate(items, 1):
                ask_one(store, item, config.strategies[0], model, tally, config.depth, settings=settings)
                if n % 25 == 0:
                    progress(f"{model}: {n}/{len(items)} questions")
            result["answer_models"][model] = tally.summary()
        if config.answerless:
            chosen = [i for i in items if i.answerable][: config.answerless]
            result["answerless"] = answerless(store, chosen, config.model)
        sourced = [i for i in items if i.sources]
        result["reference"] = bm25_baseline(store, sourced, config.depth) if sourced else {"skipped": "no gold sources"}
    result["missing"] = {"file": str(config.missing), "questions": len(missing), "refused": refused_missing,
                         "reasons": missing_reasons} if missing else None
    result["targets"] = [t.as_dict() for t in targets(result, config)]
    return result


def targets(result: dict, config: QaConfig) -> list[Target]:
    strategies = result["strategies"]
    default = "hybrid" if "hybrid" in strategies else next(iter(strategies), None)
    out = []
    ref = result["reference"]
    if default and "hit@5" in ref and ref.get("hit@5") is not None:
        margin = 100 * (strategies[default]["hit@5"] - ref["hit@5"])
        out.append(Target(f"{default} hit@5 above BM25 on {result['dataset']}", round(margin, 1),
                          config.target_margin_points, ">=", "points"))
    models = result.get("answer_models", {})
    if config.model in models and "lead" in models:
        margin = 100 * (models[config.model]["all_facts"] - models["lead"]["all_facts"])
        out.append(Target(f"{config.model}: all-key-facts rate above lead on {result['dataset']}", round(margin, 1),
                          15.0, ">=", "points"))
    if config.marketing and default:
        figures = strategies[default]["all_facts_by_type"].get("figure")
        if figures:
            out.append(Target("figure questions answered with the figure asked for", round(100 * figures["all_facts"], 1),
                              80.0, ">=", "%"))
        out.append(Target("answerable questions refused", round(100 * strategies[default]["answerable_refusal_rate"], 1),
                          0.0, "<=", "%"))
    if result.get("answerless", {}).get("questions"):
        gone = result["answerless"]
        out.append(Target("answer-less questions refused or flagged", round(100 * gone["declined_without_answers"], 1),
                          50.0, ">=", "%"))
        out.append(Target("answerable questions refused or flagged", round(100 * gone["declined_with_answers"], 1),
                          10.0, "<=", "%"))
    if default and result["missing"]:
        n = result["missing"]["questions"]
        out.append(Target(f"{default}: missing-source questions refused (of {n})", result["missing"]["refused"][default],
                          ceil(n * config.missing_refused_share - 1e-9), ">="))
    return out


def render(result: dict) -> str:
    ranked = any(s["hit@5"] for s in result["strategies"].values()) or result["reference"].get("hit@5") is not None
    rows = [[name, s["hit@1"] if ranked else "-", s["hit@5"] if ranked else "-", s["answerable_refusal_rate"], s["grounded"],
             s["answer_similarity"], s["p50_ms"], s["p95_ms"]] for name, s in result["strategies"].items()]
    ref = result["reference"]
    if "hit@5" in ref:
        rows.append([ref["name"], ref["hit@1"], ref["hit@5"], "-", "-", "-", ref["p50_ms"], "-"])
    docs = result["documents"]
    lines = [
        f"{result['dataset']}: {result['questions']} questions, model {result['model']}; "
        f"{docs['indexed'] + docs.get('unchanged', 0)}/{docs['files']} files -> {docs['chunks']} chunks "
        f"(ingest {docs['ingest_s']} s{', reused' if docs.get('unchanged') else ''})",
        table(["strategy", "hit@1", "hit@5", "refused (answerable)", "grounded", "similarity", "p50 ms", "p95 ms"], rows),
    ]
    models = result.get("answer_models") or {}
    if models:
        types = [t for t in QUESTION_TYPES if any(t in m["all_facts_by_type"] for m in models.values())]
        head = ["answer", "key facts", "all facts", *(f"all: {t}" for t in types), "refused (answerable)",
                "says it doesn't answer"]
        model_rows = []
        for name, m in models.items():
            by_type = m["all_facts_by_type"]
            model_rows.append([name, m["facts"], m["all_facts"],
                               *(f"{by_type[t]['all_facts']:.3f} ({by_type[t]['n']})" if t in by_type else "-" for t in types),
                               m["answerable_refusal_rate"] if m.get("p50_ms") else "-",
                               m["flagged_not_answering"] if m.get("p50_ms") else "-"])
        lines.append("answer correctness (key facts of the reference stated; baselines on the same retrieval):")
        lines.append(table(head, model_rows))
    if result.get("answerless", {}).get("questions"):
        gone = result["answerless"]
        lines.append(f"answer-less set ({gone['questions']} questions): refused or flagged {gone['declined_without_answers']:.0%} "
                     f"with their answers hidden, {gone['declined_with_answers']:.0%} with them in place "
                     f"(declined in place: {', '.join(gone['declined_in_place']) or 'none'}; "
                     f"answered when hidden: {', '.join(gone['answered_when_hidden']) or 'none'})")
    if "skipped" in ref:
        lines.append(f"baseline: {ref['skipped']}")
    for name, s in result["strategies"].items():
        if s.get("flag_reasons"):
            lines.append(f"{name} flagged \"doesn't answer\": " + ", ".join(f"{why} {n}" for why, n in sorted(
                s["flag_reasons"].items(), key=lambda kv: -kv[1])))
        if s.get("refusal_reasons"):
            lines.append(f"{name} refusals: " + ", ".join(f"{why} {n}" for why, n in s["refusal_reasons"].items()))
    if result["missing"]:
        refused = ", ".join(f"{s} {k}" for s, k in result["missing"]["refused"].items())
        lines.append(f"missing-source questions refused (of {result['missing']['questions']}): {refused}")
    lines += [f"{f['status']}: {f['path']}: {f['error']}" for f in docs["failed"]]
    return "\n".join(lines + target_lines(result["targets"]))
