"""``grounded bench ...``: the four benchmarks and the report, as sub-commands.

Kept free of heavy imports: the main parser builds this on every
``grounded`` call, and ``OPENBLAS_NUM_THREADS`` must be set before numpy
loads (on 2 cores, numpy's BLAS threads and onnxruntime's fight over them
and each dense query gets about 3x slower).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

STRATEGIES = "sparse,dense,hybrid,mmr"
MODELS = ("extractive", "local", "openai", "compatible")


def _count(text: str) -> int:
    """``10000``, ``10k`` or ``0.1m``."""
    text = text.strip().lower()
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("km")) * scale)


def _list(text: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in text.split(",") if s.strip())


def _ints(text: str) -> tuple[int, ...]:
    return tuple(int(s) for s in _list(text))


def add_parser(sub) -> None:
    """Add ``bench`` and its sub-commands to the ``grounded`` parser."""
    bench = sub.add_parser("bench", help="benchmarks: retrieval, ingest, query, qa, pdf, limits, report")
    cmds = bench.add_subparsers(dest="bench_command", required=True)

    def json_out(p):
        p.add_argument("--json", dest="json_out", metavar="OUT", help="write the result as JSON to OUT")

    r = cmds.add_parser("retrieval", help="nDCG/recall/MRR per strategy on a BEIR folder, with a BM25 reference")
    r.add_argument("--beir", required=True, metavar="DIR", help="BEIR folder: corpus.jsonl, queries.jsonl, qrels/")
    r.add_argument("--split", default="test", help="qrels/<split>.tsv names the queries (default: test)")
    r.add_argument("--strategies", type=_list, default=_list(STRATEGIES))
    r.add_argument("--depth", type=int, default=100, help="chunks retrieved per query (default 100)")
    r.add_argument("--limit", type=int, default=None, help="only the first N queries (a quick look)")
    r.add_argument("--index-dir", type=Path, default=None, help="keep the index here and reuse it next time")
    r.add_argument("--target", type=float, default=0.74, help="nDCG@10 goal for hybrid (default 0.74)")
    r.add_argument("--no-reference", action="store_true", help="skip the bm25s reference")
    r.add_argument("--chunking", choices=["by_title", "recursive", "fixed"], default="by_title")
    r.add_argument("--chunk-size", type=int, default=256, help="tokens per chunk (the product's default: 256)")
    r.add_argument("--chunk-overlap", type=int, default=32)
    json_out(r)

    i = cmds.add_parser("ingest", help="time parse/chunk/embed/store on a folder against the model alone")
    i.add_argument("folder", type=Path)
    i.add_argument("--batch-sizes", type=_ints, default=(8, 16, 32, 64))
    i.add_argument("--limit", type=int, default=None, help="only the first N files")
    json_out(i)

    q = cmds.add_parser("query", help="retrieval latency and memory at N synthetic chunks")
    q.add_argument("--chunks", type=_count, default=10_000, help="e.g. 10k or 100k")
    q.add_argument("--queries", type=int, default=200)
    q.add_argument("--strategies", type=_list, default=("hybrid", "dense", "sparse", "mmr"))
    q.add_argument("--with-filter", action="store_true", help="also time hybrid with a metadata (kind) filter")
    q.add_argument("--index-dir", type=Path, default=None, help="keep the built index here and reuse it")
    json_out(q)

    a = cmds.add_parser("qa", help="gold-source hits, refusals and grounding on a QA folder, beside BM25")
    a.add_argument("folder", type=Path, help="a folder with docs/ and qa.jsonl")
    a.add_argument("--model", choices=MODELS, default="extractive")
    a.add_argument("--missing", type=Path, default=None, help="questions whose source is absent (count refusals)")
    a.add_argument("--strategies", type=_list, default=("hybrid", "dense", "sparse", "mmr"))
    a.add_argument("--limit", type=int, default=None, help="only the first N questions")
    a.add_argument("--index-dir", type=Path, default=None, help="keep the ingested store here and reuse it")
    json_out(a)

    pdf = cmds.add_parser("pdf", help="compare PDF readers: answer figures found in the passages retrieved")
    pdf.add_argument("folder", type=Path, help="a folder with docs/*.pdf and qa.jsonl (e.g. qa/docugami_sec10q)")
    pdf.add_argument("-k", type=int, default=5, help="passages retrieved per question (default 5)")
    pdf.add_argument("--limit", type=int, default=None, help="only the first N questions")
    json_out(pdf)

    lim = cmds.add_parser("limits", help="huge text, CSV and ZIP inputs: refused or indexed, time and peak memory")
    lim.add_argument("--text-mb", type=lambda t: tuple(float(x) for x in _list(t)), default=(50, 100),
                     help="text files of these sizes in MiB (default 50,100)")
    lim.add_argument("--csv-rows", type=lambda t: tuple(_count(x) for x in _list(t)), default=(200_000, 1_000_000),
                     help="CSV files of these row counts (default 200k,1m)")
    lim.add_argument("--zip-entries", type=_ints, default=(400,), help="ZIPs of this many 1 MiB text entries (default 400)")
    lim.add_argument("--max-chunks", type=int, default=None, help="passage limit for the run (default: the setting's)")
    lim.add_argument("--quick-embeddings", action="store_true",
                     help="random vectors instead of the model: the rest of the pipeline's memory in minutes, not hours")
    json_out(lim)

    rep = cmds.add_parser("report", help="one Markdown report with a chart from benchmark JSON files")
    rep.add_argument("--from", dest="sources", nargs="+", required=True, metavar="DIR_OR_JSON")
    rep.add_argument("--out", type=Path, default=Path("report.md"))


def _dispatch(args) -> None:
    from .common import write_json

    if args.bench_command == "report":
        from .report import build_report

        print(f"wrote {build_report(args.sources, args.out)}")
        return
    if args.bench_command == "pdf":
        from . import pdf_paths

        result = pdf_paths.run(args.folder / "docs", args.folder / "qa.jsonl", k=args.k, limit=args.limit)
        pdf_paths.print_result(result)
        write_json(result, args.json_out)
        return
    if args.bench_command == "retrieval":
        from . import retrieval as module

        from ..types import ChunkSettings

        chunking = ChunkSettings(args.chunking, args.chunk_size, args.chunk_overlap)
        config = module.RetrievalConfig(Path(args.beir), args.split, args.strategies, args.depth, args.limit,
                                        args.index_dir, chunking, target=args.target, reference=not args.no_reference)
    elif args.bench_command == "ingest":
        from . import ingest_speed as module

        config = module.IngestConfig(args.folder, args.batch_sizes, limit=args.limit)
    elif args.bench_command == "limits":
        from . import limits as module

        config = module.LimitsConfig(args.text_mb, args.csv_rows, args.zip_entries, args.max_chunks, args.quick_embeddings)
    elif args.bench_command == "query":
        from . import query_latency as module

        config = module.QueryConfig(args.chunks, args.queries, args.strategies, args.with_filter, index_dir=args.index_dir)
    else:
        from . import qa as module

        config = module.QaConfig(args.folder, args.model, args.strategies, args.missing, args.limit,
                                 index_dir=args.index_dir)
    result = module.run(config)
    print(module.render(result))
    write_json(result, args.json_out)


def run(args) -> int:
    """Run one bench sub-command; 0 on success, 1 with one plain line when it cannot run."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy is first imported
    from ..errors import GroundedError

    try:
        _dispatch(args)
    except (FileNotFoundError, ValueError, GroundedError) as err:
        print(f"grounded bench: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("grounded bench: interrupted", file=sys.stderr)
        return 130
    return 0
