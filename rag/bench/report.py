"""One Markdown report (with a PNG chart) from the JSON files the benchmarks wrote.

``--from`` takes folders (every ``*.json`` in them) and files; each JSON says
which benchmark wrote it. The chart plots quality against latency for every
strategy (retrieval: nDCG@10 vs p50 ms; QA: hit@5 vs p50 ms per answer),
drawn with matplotlib's Agg backend (no display needed). Without matplotlib
the report is written without the chart, and says so.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterable
from pathlib import Path

KINDS = ("retrieval", "ingest", "query", "qa")


def load_results(sources: Iterable[str | Path]) -> list[dict]:
    """Benchmark results from files and folders, in benchmark then file order."""
    paths: list[Path] = []
    for source in sources:
        source = Path(source)
        paths.extend(sorted(source.glob("*.json")) if source.is_dir() else [source])
    results = []
    for path in paths:
        data = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and data.get("benchmark") in KINDS:
            results.append(data | {"_file": path.name})
    return sorted(results, key=lambda r: (KINDS.index(r["benchmark"]), r.get("chunks", 0)))


def _md_table(headers: list[str], rows: list[list]) -> list[str]:
    def cell(v):
        if isinstance(v, float):
            return f"{v:.3f}" if abs(v) < 10 else f"{v:.1f}"
        return str(v)

    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    return lines + ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]


def _ms(value: float) -> str:
    return f"{value:.1f}"


def _folder_name(folder: str) -> str:
    """``.../docugami_sec10q/docs`` reads better than ``docs``."""
    path = Path(folder)
    return f"{path.parent.name}/{path.name}" if path.name == "docs" else path.name


def _targets_section(results: list[dict]) -> list[str]:
    rows = []
    for r in results:
        for t in r.get("targets", []):
            unit = f" {t['unit']}" if t.get("unit") else ""
            rows.append([r["benchmark"], t["name"], f"{t['value']}{unit}", f"{t['op']} {t['goal']}{unit}",
                         "**pass**" if t["pass"] else "**miss**"])
    return ["## Targets", "", *_md_table(["benchmark", "target", "measured", "goal", ""], rows), ""]


def _retrieval(r: dict) -> list[str]:
    rows = []
    entries = list(r["strategies"].items())
    if "ndcg@10" in r.get("reference", {}):
        entries.append((r["reference"]["name"] + " (reference)", r["reference"]))
    for name, s in entries:
        ci = s.get("ndcg@10_ci", [0, 0])
        rows.append([name, s["ndcg@10"], f"{ci[0]:.3f}-{ci[1]:.3f}", s["recall@10"], s["recall@100"], s["mrr@10"], _ms(s["p50_ms"])])
    c = r["corpus"]
    return [
        f"## Retrieval: {r['dataset']} ({r['split']}, {r['queries']} queries)", "",
        f"{c['documents']} documents -> {c['chunks']} chunks ({c['chunking']['strategy']}, {c['chunking']['size']} tokens), "
        f"model {c['model']}, depth {r['depth']} chunks, no relevance cut.", "",
        *_md_table(["strategy", "nDCG@10", "95% CI", "Recall@10", "Recall@100", "MRR@10", "p50 ms"], rows), "",
    ]


def _ingest(r: dict) -> list[str]:
    whole = r["seconds"] or 1.0
    rows = [[k, v, f"{100 * v / whole:.0f}%"] for k, v in r["stages"].items()]
    e = r["embedding_alone"]
    rows += [["**whole pipeline**", r["seconds"], "100%"],
             [f"embedding alone (batch {e['best_batch']})", e["seconds"], f"{100 * e['seconds'] / whole:.0f}%"]]
    return [
        f"## Ingest: {_folder_name(r['folder'])}", "",
        f"{r['indexed']}/{r['files']} files, {r['pages']} pages, {r['chunks']} chunks, {r['tokens']} tokens: "
        f"{r['pages_per_s']} pages/s, {r['chunks_per_s']} chunks/s, {r['tokens_per_s']} tokens/s; "
        f"whole / embedding alone = {r['ratio']}x; peak RSS {r['peak_rss_mb']} MB.", "",
        *_md_table(["stage", "seconds", "share"], rows), "",
    ]


def _query(results: list[dict]) -> list[str]:
    rows = []
    for r in results:
        for name, s in r["strategies"].items():
            rows.append([r["engine"], r["chunks"], r.get("burn", 0), name, _ms(s["p50_ms"]), _ms(s["p95_ms"]),
                         _ms(s["p99_ms"]), r.get("recall_at_10", {}).get(name, ""), round(r["rss_mb"]), round(r["index_mb"])])
    return [
        "## Query latency", "",
        f"{results[0]['isolation']}; retrieval through the product's `retrieve` (query embedding included); "
        "recall@10 against exact search in the same run; CPU burners: processes loading the machine on purpose.", "",
        *_md_table(["engine", "chunks", "CPU burners", "strategy", "p50 ms", "p95 ms", "p99 ms", "recall@10", "resident MB",
                    "index MB"], rows),
        "",
    ]


def _qa(r: dict) -> list[str]:
    rows = [[n, s["hit@1"], s["hit@5"], s["refusal_rate"], s["grounded"], s["answer_similarity"], _ms(s["p50_ms"])]
            for n, s in r["strategies"].items()]
    ref = r.get("reference", {})
    if "hit@5" in ref:
        rows.append([ref["name"] + " (baseline)", ref["hit@1"], ref["hit@5"], "-", "-", "-", _ms(ref["p50_ms"])])
    lines = [f"## Answers: {r['dataset']} ({r['questions']} questions, model {r['model']})", "",
             *_md_table(["strategy", "hit@1", "hit@5", "refusal rate", "grounded", "similarity", "p50 ms"], rows), "",
             "hit@k: a gold file among the first k files retrieved. Latency: per answer for the product "
             "(retrieval, answer, citation check); retrieval alone for the BM25 baseline.", ""]
    if r.get("missing"):
        refused = ", ".join(f"{s}: {k}" for s, k in r["missing"]["refused"].items())
        lines += [f"Missing-source questions refused (of {r['missing']['questions']}): {refused}.", ""]
    return lines


def chart(results: list[dict], out: Path) -> bool:
    """Quality vs latency per strategy, one panel per quality benchmark. False if nothing to plot."""
    panels = [r for r in results if r["benchmark"] in ("retrieval", "qa")]
    if not panels or importlib.util.find_spec("matplotlib") is None:
        return False
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import NullFormatter

    cols = min(2, len(panels))
    rows = -(-len(panels) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(6.0 * cols, 4.4 * rows), squeeze=False)
    for ax in axes.flat[len(panels):]:
        ax.set_visible(False)
    for ax, r in zip(axes.flat, panels):
        metric = "ndcg@10" if r["benchmark"] == "retrieval" else "hit@5"
        points = [(n, s["p50_ms"], s[metric]) for n, s in r["strategies"].items()]
        ref = r.get("reference", {})
        if metric in ref:
            points.append((ref["name"], ref["p50_ms"], ref[metric]))
        for name, x, y in points:
            ax.scatter([x], [y], s=40, marker="s" if name.startswith("bm25s") else "o")
            ax.annotate(name, (x, y), textcoords="offset points", xytext=(5, 4), fontsize=8)
        ax.set_xscale("log")
        xs = [x for _, x, _ in points if x > 0]
        if xs:  # at least a decade either side, so the log axis has labelled ticks
            ax.set_xlim(min(xs) / 3, max(xs) * 3)
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel("p50 latency per query (ms, log)")
        ax.set_ylabel(metric)
        what = f"{r['dataset']} {r['split']}" if r["benchmark"] == "retrieval" else f"{r['dataset']} (answers)"
        ax.set_title(f"{r['benchmark']}: {what}", fontsize=10)
        ax.grid(True, alpha=0.3)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return True


def build_report(sources: Iterable[str | Path], out: str | Path) -> Path:
    """Write the Markdown report (and its chart beside it); returns the report's path."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    results = load_results(sources)
    if not results:
        raise FileNotFoundError("No benchmark JSON found (each bench command writes one with --json OUT).")
    png = out.with_suffix(".png")
    lines = ["# Grounded benchmarks", ""]
    first = results[0]
    m = first["machine"]
    lines += [f"Measured {first['date']} on {m['cores']} cores ({m['platform']}, Python {m['python']}).", ""]
    if chart(results, png):
        lines += [f"![quality against latency per strategy]({png.name})", ""]
    else:
        lines += ["(No chart: matplotlib is not installed, or no quality benchmark was given.)", ""]
    lines += _targets_section(results)
    queries = [r for r in results if r["benchmark"] == "query"]
    for r in results:
        if r["benchmark"] == "retrieval":
            lines += _retrieval(r)
        elif r["benchmark"] == "ingest":
            lines += _ingest(r)
        elif r["benchmark"] == "qa":
            lines += _qa(r)
        elif r is queries[0]:
            lines += _query(queries)
    lines += ["Sources: " + ", ".join(r["_file"] for r in results), ""]
    out.write_text("\n".join(lines), encoding="utf-8")
    return out
