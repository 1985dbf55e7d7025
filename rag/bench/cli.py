"""``grounded bench ...``: the benchmarks and the report, as sub-commands.

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
    bench = sub.add_parser("bench", help="benchmarks: retrieval, multilingual, ingest, embed, query, qa, pdf, guard, crawl, drafts, limits, team, indexers, gaps, checks, report")
    cmds = bench.add_subparsers(dest="bench_command", required=True)

    def json_out(p):
        p.add_argument("--json", dest="json_out", metavar="OUT", help="write the result as JSON to OUT")

    r = cmds.add_parser("retrieval", help="nDCG/recall/MRR per strategy on a BEIR folder, with a BM25 reference")
    data = r.add_mutually_exclusive_group(required=True)
    data.add_argument("--beir", metavar="DIR", help="BEIR folder: corpus.jsonl, queries.jsonl, qrels/")
    data.add_argument("--help-center", action="store_true", help="the built-in help center and its questions")
    r.add_argument("--split", default=None,
                   help="qrels/<split>.tsv names the queries (default: test); help center: all, first-half, second-half")
    r.add_argument("--strategies", type=_list, default=_list(STRATEGIES))
    r.add_argument("--depth", type=int, default=100, help="chunks retrieved per query (default 100)")
    r.add_argument("--limit", type=int, default=None, help="only the first N queries (a quick look)")
    r.add_argument("--index-dir", type=Path, default=None, help="keep the index here and reuse it next time")
    r.add_argument("--target", type=float, default=0.74, help="nDCG@10 goal for hybrid (default 0.74)")
    r.add_argument("--no-reference", action="store_true", help="skip the bm25s reference")
    r.add_argument("--chunking", choices=["by_title", "recursive", "fixed"], default="by_title")
    r.add_argument("--chunk-size", type=int, default=256, help="tokens per chunk (the product's default: 256)")
    r.add_argument("--chunk-overlap", type=int, default=32)
    r.add_argument("--title", action="store_true", help="trial: the document title in what is embedded and keyword-indexed")
    r.add_argument("--heading-weight", type=float, default=1.0, help="trial: weight of title and heading words in BM25")
    r.add_argument("--titles", choices=["heading", "document", "none"], default="heading",
                   help="a BEIR title as the first heading (default), as the document's title only, or left out")
    r.add_argument("--embedding-cache", type=Path, default=None, help="keep passage vectors here to reuse across trials")
    json_out(r)

    i = cmds.add_parser("ingest", help="time parse/chunk/embed/store on a folder against the model alone")
    i.add_argument("folder", type=Path)
    i.add_argument("--batch-tokens", type=_ints, default=(128, 256, 512, 1024),
                   help="embedding batch budgets (word pieces) to try for the model-alone figure")
    i.add_argument("--limit", type=int, default=None, help="only the first N files")
    json_out(i)

    e = cmds.add_parser("embed", help="texts/s of the embedding model against its previous code, same vectors")
    e.add_argument("folder", type=Path, help="documents whose chunk texts are embedded")
    e.add_argument("--limit", type=int, default=None, help="only N chunk texts, drawn at random (a quick look)")
    e.add_argument("--rounds", type=int, default=10, help="alternating rounds, old then new or new then old")
    e.add_argument("--batch-tokens", type=int, default=None, help="the new model's word pieces per batch")
    json_out(e)

    ck = cmds.add_parser("checks", help="answer checks: suggestion coverage, and a run of 20 after a settings change")
    ck.add_argument("--checks", type=int, default=20, help="how many checks to run (default 20)")
    ck.add_argument("--strategy", choices=["hybrid", "dense", "sparse", "mmr"], default="dense",
                    help="the search setting changed to (from hybrid)")
    json_out(ck)

    q = cmds.add_parser("query", help="retrieval latency and memory at N synthetic chunks")
    q.add_argument("--chunks", type=_count, default=10_000, help="e.g. 10k or 100k")
    q.add_argument("--queries", type=int, default=200)
    q.add_argument("--strategies", type=_list, default=("hybrid", "dense", "sparse", "mmr"))
    q.add_argument("--no-filters", action="store_true", help="skip the filtered queries (kind, date range, files)")
    q.add_argument("--recall-queries", type=int, default=100, help="queries checked against exact search")
    q.add_argument("--burn", type=int, default=0, help="load the machine: N processes spinning the CPU while serving")
    q.add_argument("--burn-limit-s", type=float, default=3600.0, help="each burner stops after this long at the latest")
    q.add_argument("--target-rss-mb", type=float, default=None, help="memory goal (default 1500 up to 100k chunks, else 2500)")
    q.add_argument("--index-dir", type=Path, default=None, help="keep the built index here and reuse it")
    q.add_argument("--candidates", type=_ints, default=(),
                   help="fusion depths to compare in one run, e.g. 50,100 (each list's candidates; default: the product's)")
    json_out(q)

    a = cmds.add_parser("qa", help="gold-source hits, refusals, grounding and answer correctness on a QA folder")
    a.add_argument("folder", type=Path, nargs="?", default=None, help="a folder with docs/ and qa.jsonl")
    a.add_argument("--marketing", action="store_true", help="the built-in marketing set instead of a folder")
    a.add_argument("--shapes", action="store_true",
                   help="three companies' documents in every format, questions of every shape (list, comparison, person, "
                        "summary, table, before/after, follow-up, date and place, how-to, uncovered); one company held out")
    a.add_argument("--company", type=_list, default=(), help="with --shapes: only these companies, e.g. kelpie")
    a.add_argument("--model", choices=MODELS, default="extractive")
    a.add_argument("--models", type=_list, default=(),
                   help="more answer models on the default strategy, e.g. local,compatible (compatible: the built-in "
                        "model behind a loopback server, unless GROUNDED_COMPATIBLE_URL is set)")
    a.add_argument("--answerless", type=int, default=0, metavar="N",
                   help="N answerable questions asked again with the passages holding their answers hidden")
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

    g = cmds.add_parser("guard", help="planted-instruction guard: false alarms on real documents, recall on attacks")
    g.add_argument("--documents", type=Path, nargs="+", default=(), metavar="DIR_OR_FILE",
                   help="folders (walked) or files of real documents, e.g. documents/ and qa/aragog/docs "
                        "(without: only the written attack and look-alike sets are measured)")
    g.add_argument("--limit", type=int, default=None, help="only the first N files of each folder")
    g.add_argument("--timeout", type=float, default=120.0,
                   help="seconds allowed to parse one file (default 120; 0 parses in this process, without a limit)")
    g.add_argument("--parsed", type=Path, default=None, metavar="JSON",
                   help="keep the parsed sentences in this file and reuse them next time")
    json_out(g)

    c = cmds.add_parser("crawl", help="import a loopback help center, then sync it unchanged: pages/s, requests, embeddings")
    c.add_argument("--pages", type=int, default=50, help="articles in the help center (default 50)")
    c.add_argument("--rate", type=float, default=2.0, help="requests a second (default 2, the product's pace)")
    c.add_argument("--variants", type=_list, default=("lastmod", "etag"),
                   help="lastmod: the sitemap dates pages; etag: it doesn't (one conditional request a page)")
    json_out(c)

    dr = cmds.add_parser("drafts", help="drafts per writer: unsupported facts, citations, voice, style rules, length, time")
    dr.add_argument("--writers", type=_list, default=("composed", "local"),
                    help="composed, local, compatible (default: composed,local)")
    dr.add_argument("--per-recipe", type=int, default=2, help="topics drafted per recipe (1-3, default 2)")
    dr.add_argument("--compatible-url", default=None, help="an OpenAI-compatible server for the compatible writer")
    dr.add_argument("--compatible-model", default=None)
    dr.add_argument("--max-tokens", type=int, default=None, help="cap a model's draft (default: each recipe's own)")
    dr.add_argument("--corpora", type=_list, default=("brewhouse", "ledgerly", "brightsmile", "harbor", "pathwise"),
                    help="voice corpora to draft posts in (default all: brewhouse,ledgerly,brightsmile,harbor,pathwise; "
                         "harbor and pathwise are held apart); 'none' for none")
    json_out(dr)

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

    t = cmds.add_parser("team", help="N browser sessions asking one or more apps with a 10,000-document assistant: answer time, memory, CPU per answer")
    t.add_argument("--sessions", type=_ints, default=(1, 5, 10, 20), help="browser sessions at once, in turn (default 1,5,10,20)")
    t.add_argument("--documents", type=_count, default=10_000, help="documents in the assistant (default 10000)")
    t.add_argument("--questions", type=int, default=5, help="questions each session asks, everyone at once (default 5)")
    t.add_argument("--data-dir", type=Path, default=None,
                   help="ingest the assistant here and reuse it next time (default: a throwaway folder)")
    t.add_argument("--answer-timeout", type=float, default=60.0, help="seconds after which an answer is an error (default 60)")
    t.add_argument("--limit-s", type=float, default=1800.0, help="the browser sessions stop after this long (default 1800)")
    t.add_argument("--database-url", default=None, metavar="URL",
                   help="the catalog on this PostgreSQL server (a fresh database, dropped after; the role needs CREATEDB); "
                        "apps then index nothing and one `grounded indexer` runs beside them")
    t.add_argument("--apps", type=_ints, default=(1,),
                   help="app processes sharing the catalog, one round each, sessions alternating between them "
                        "(default 1; e.g. 1,2, which needs --database-url)")
    json_out(t)

    gp = cmds.add_parser("gaps", help="knowledge-gap grouping: pairwise agreement with a labelled set of questions")
    gp.add_argument("--set", dest="gap_set", type=Path, default=None,
                    help="a JSONL of {part, topic, question} (default: the built-in marketing set)")
    json_out(gp)
    ix = cmds.add_parser("indexers", help="queue throughput with 1 and 2 `grounded indexer` processes on PostgreSQL")
    ix.add_argument("--database-url", required=True, metavar="URL",
                    help="postgresql://... of a server whose role may create databases (one per round, dropped after)")
    ix.add_argument("--files", type=int, default=40, help="documents queued per round (default 40)")
    ix.add_argument("--indexers", type=_ints, default=(1, 2), help="indexer processes per round (default 1,2)")
    json_out(ix)
    ml = cmds.add_parser("multilingual", help="nDCG/recall per language and across languages on XQuAD (e5 vs BM25 vs hybrid)")
    ml.add_argument("--xquad", type=Path, default=Path("../shared/bench-data/retrieval/xquad"),
                    help="folder with xquad.LANG.json (github.com/google-deepmind/xquad)")
    ml.add_argument("--languages", type=_list, default=("en", "de", "es"), help="each language's questions over its passages")
    ml.add_argument("--cross", type=_list, default=("de:en", "en:de"), help="QUESTION:PASSAGES language pairs")
    ml.add_argument("--limit", type=int, default=None, help="only the first N questions per language (a quick look)")
    ml.add_argument("--no-minilm", action="store_true", help="skip the English model's reference figures")
    ml.add_argument("--no-xquad", action="store_true", help="only the English comparison (--scifact, --help-center)")
    ml.add_argument("--scifact", type=Path, default=None, help="BEIR SciFact folder: MiniLM against e5 on a corpus sample")
    ml.add_argument("--split", default="test", help="SciFact split (tune on train, report test once)")
    ml.add_argument("--scifact-docs", type=int, default=800, help="corpus sample: every judged abstract, then random ones")
    ml.add_argument("--help-center", action="store_true", help="MiniLM against e5 on the built-in help center")
    json_out(ml)

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
    if args.bench_command == "guard":
        from . import guard as module

        config = module.GuardConfig(tuple(args.documents), args.limit, args.timeout, args.parsed)
    elif args.bench_command == "retrieval":
        from ..types import ChunkSettings
        from . import retrieval as module

        chunking = ChunkSettings(args.chunking, args.chunk_size, args.chunk_overlap)
        split = args.split or ("all" if args.help_center else "test")
        config = module.RetrievalConfig(None if args.help_center else Path(args.beir), split, args.strategies, args.depth,
                                        args.limit, args.index_dir, chunking, target=args.target,
                                        reference=not args.no_reference, title=args.title,
                                        heading_weight=args.heading_weight, titles=args.titles,
                                        embedding_cache=args.embedding_cache)
    elif args.bench_command == "gaps":
        from . import gaps as module

        config = module.GapsConfig(args.gap_set) if args.gap_set else module.GapsConfig()
    elif args.bench_command == "multilingual":
        from . import multilingual as module

        cross = tuple(tuple(pair.split(":", 1)) for pair in args.cross)
        config = module.MultilingualConfig(None if args.no_xquad else args.xquad, tuple(args.languages), cross, args.limit,
                                           not args.no_minilm, args.scifact, args.split, args.scifact_docs, args.help_center)
    elif args.bench_command == "crawl":
        from . import crawl as module

        config = module.CrawlConfig(args.pages, args.rate, tuple(args.variants))
    elif args.bench_command == "ingest":
        from . import ingest_speed as module

        config = module.IngestConfig(args.folder, args.batch_tokens, limit=args.limit)
    elif args.bench_command == "embed":
        from . import embed_speed as module

        config = module.EmbedConfig(args.folder, args.limit, args.rounds, args.batch_tokens)
    elif args.bench_command == "drafts":
        from . import drafts as module

        unknown = set(args.writers) - set(module.WRITERS)
        if unknown:
            raise ValueError(f"unknown writer(s) {', '.join(sorted(unknown))}; choose from {', '.join(module.WRITERS)}")
        corpora = () if tuple(args.corpora) == ("none",) else tuple(args.corpora)
        config = module.DraftsConfig(args.writers, args.per_recipe, args.compatible_url, args.compatible_model, args.max_tokens,
                                     corpora=corpora)
    elif args.bench_command == "limits":
        from . import limits as module

        config = module.LimitsConfig(args.text_mb, args.csv_rows, args.zip_entries, args.max_chunks, args.quick_embeddings)
    elif args.bench_command == "team":
        from . import team as module

        config = module.TeamConfig(args.sessions, args.documents, args.questions, args.data_dir,
                                   answer_timeout_s=args.answer_timeout, limit_s=args.limit_s,
                                   database_url=args.database_url, apps=tuple(args.apps))
        module.check_config(config)
    elif args.bench_command == "checks":
        from . import checks_speed as module

        config = module.ChecksConfig(args.checks, args.strategy)
    elif args.bench_command == "indexers":
        from . import indexers as module

        config = module.IndexersConfig(args.database_url, args.files, tuple(args.indexers))
    elif args.bench_command == "query":
        from . import query_latency as module

        config = module.QueryConfig(args.chunks, args.queries, args.strategies, filters=not args.no_filters,
                                    recall_queries=args.recall_queries, burn=args.burn, burn_limit_s=args.burn_limit_s,
                                    index_dir=args.index_dir, target_rss_mb=args.target_rss_mb,
                                    candidates=tuple(args.candidates))
    elif args.shapes:
        from . import shapes as module

        config = module.ShapesConfig(args.model, args.strategies[0], tuple(args.company), args.index_dir)
    else:
        from . import qa as module

        if args.folder is None and not args.marketing:
            from ..errors import GroundedError

            raise GroundedError("Give a QA folder (with docs/ and qa.jsonl), or --marketing for the built-in set.")
        config = module.QaConfig(args.folder, args.model, models=tuple(args.models), answerless=args.answerless,
                                 marketing=args.marketing, strategies=args.strategies, missing=args.missing,
                                 limit=args.limit, index_dir=args.index_dir)
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
