"""The ``grounded`` command: ingest, list, remove, re-index and search documents.

Exit code 0 when the command itself worked (even if some files failed);
non-zero only when it could not run, with one plain line on stderr.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys

from .errors import GroundedError
from .present import one_line
from .settings import Settings
from .types import ChunkSettings


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", help="where everything is stored (default: $GROUNDED_DATA_DIR or ./data)")
    common.add_argument("--workspace", "-w", default=None, help="the assistant/workspace (default: 'default')")
    common.add_argument("--json", action="store_true", help="print machine-readable JSON")

    p = argparse.ArgumentParser(prog="grounded", description="Grounded: answers from your own documents.")
    sub = p.add_subparsers(dest="command", required=True)

    ing = sub.add_parser("ingest", parents=[common], help="index files and folders")
    ing.add_argument("paths", nargs="+")
    ing.add_argument("--chunking", choices=["by_title", "recursive", "fixed"], default=None)
    ing.add_argument("--chunk-size", type=int, default=None, help="tokens per chunk")
    ing.add_argument("--chunk-overlap", type=int, default=None, help="tokens shared by neighbouring chunks")
    ing.add_argument("--force", action="store_true", help="re-index even unchanged files")

    sub.add_parser("docs", parents=[common], help="list documents")

    rm = sub.add_parser("rm", parents=[common], help="delete a document")
    rm.add_argument("doc_id")

    re_ = sub.add_parser("reindex", parents=[common], help="re-index one document or all of a workspace")
    re_.add_argument("doc_id", nargs="?")
    re_.add_argument("--chunking", choices=["by_title", "recursive", "fixed"], default=None)
    re_.add_argument("--chunk-size", type=int, default=None)
    re_.add_argument("--chunk-overlap", type=int, default=None)

    se = sub.add_parser("search", parents=[common], help="show the passages retrieved for a query")
    se.add_argument("query")
    se.add_argument("-k", type=int, default=5)
    se.add_argument("--strategy", choices=["hybrid", "dense", "sparse", "mmr"], default="hybrid")

    ask = sub.add_parser("ask", parents=[common], help="answer a question from your documents, with sources")
    ask.add_argument("question")
    ask.add_argument("--model", choices=["openai", "compatible", "local", "extractive"], default=None)
    ask.add_argument("--strategy", choices=["hybrid", "dense", "sparse", "mmr"], default=None)
    ask.add_argument("-k", type=int, default=None, help="how many passages to retrieve")
    ask.add_argument("--threshold", type=float, default=None, help="minimum similarity (0-1) to count as relevant")
    ask.add_argument("--neighbours", type=int, default=None, help="chunks either side of each hit to add as context")
    ask.add_argument("--file", action="append", default=None, help="only search this file (repeatable)")
    ask.add_argument("--kind", action="append", default=None, help="only search documents of this kind (repeatable)")

    from .bench.cli import add_parser as add_bench_parser

    add_bench_parser(sub)
    _add_workflow_parsers(sub, common)  # draft, health, kind (below)

    hp = sub.add_parser("hash-password", help="make a sign-in line for .streamlit/secrets.toml's [users] table")
    hp.add_argument("user", help="the user name people sign in with")
    return p


def cmd_hash_password(args) -> int:
    """Read a password (hidden when typed; one line from stdin when piped) and print the secrets.toml line."""
    import getpass

    from .workspace.access import hash_password

    if sys.stdin.isatty():
        password = getpass.getpass(f"Password for {args.user}: ")
        if password != getpass.getpass("Again: "):
            print("grounded: the two passwords differ; nothing was made", file=sys.stderr)
            return 1
    else:
        password = sys.stdin.readline().rstrip("\n")
    if not password:
        print("grounded: a password can't be empty", file=sys.stderr)
        return 1
    print("# add under [users] in .streamlit/secrets.toml:")
    print(f"{json.dumps(args.user)} = {json.dumps(hash_password(password))}")
    return 0


def _chunking(args, base: ChunkSettings) -> ChunkSettings | None:
    if args.chunking is None and args.chunk_size is None and args.chunk_overlap is None:
        return None
    return ChunkSettings(
        strategy=args.chunking or base.strategy,
        size=args.chunk_size or base.size,
        overlap=base.overlap if args.chunk_overlap is None else args.chunk_overlap,
    )


def _print(obj) -> None:
    print(json.dumps(obj, indent=2, ensure_ascii=False))


def cmd_ingest(store, args) -> None:
    from tqdm import tqdm

    from .ingest.pipeline import ingest_paths

    bar = tqdm(total=0, unit="file", disable=args.json or not sys.stderr.isatty(), file=sys.stderr)

    def progress(p):
        bar.total = p.total
        if p.result is None:
            bar.set_postfix_str(one_line(p.path)[-40:])
        else:
            bar.update(1)
            if not args.json and p.result.status in ("failed", "skipped"):
                bar.write(f"{p.result.status:9} {one_line(p.result.path)}: {p.result.error}")

    report = ingest_paths(store, args.paths, args.workspace, _chunking(args, store.settings.chunking), progress, args.force)
    bar.close()
    if args.json:
        _print(report.as_dict())
        return
    for f in report.files:
        if f.status in ("indexed", "unchanged"):
            print(f"{f.status:9} {one_line(f.path)} ({f.chunks} chunks)")
    print(
        f"\n{report.count('indexed')} indexed, {report.count('unchanged')} unchanged, "
        f"{report.count('skipped')} skipped, {report.count('failed')} failed"
    )


def cmd_docs(store, args) -> None:
    rows = store.catalog.documents(args.workspace or store.settings.workspace)
    if args.json:
        _print({"documents": [r.as_public_dict() for r in rows]})
        return
    if not rows:
        print("No documents yet. Add some with: grounded ingest PATH")
    for r in rows:
        pages = f"{r.pages} pages, " if r.pages else ""
        note = f"  ({r.error})" if r.error else ""
        print(f"{r.doc_id}  {r.status:8} {one_line(r.file)}  [{pages}{r.chunks} chunks]{note}")


def cmd_rm(store, args) -> None:
    from .ingest.pipeline import delete_document

    row = store.catalog.get(args.doc_id)
    delete_document(store, args.doc_id)
    print(json.dumps({"deleted": args.doc_id}) if args.json else f"Deleted {one_line(row.file)}")


def cmd_reindex(store, args) -> None:
    from .ingest.pipeline import reindex

    chunking = _chunking(args, store.settings.chunking)
    if args.doc_id:
        ids = [args.doc_id]
    else:
        ids = [r.doc_id for r in store.catalog.documents(args.workspace or store.settings.workspace)]
    results = [reindex(store, doc_id, chunking) for doc_id in ids]
    if args.json:
        _print({"files": [r.as_dict() for r in results]})
        return
    for r in results:
        print(f"{r.status:9} {one_line(r.path)} ({r.chunks} chunks){': ' + r.error if r.error else ''}")


def cmd_search(store, args) -> None:
    from .answer.retrieve import search

    hits = search(store, args.query, args.workspace or store.settings.workspace, k=args.k, strategy=args.strategy)
    if args.json:
        _print({"results": [h.as_dict() for h in hits]})
        return
    if not hits:
        print("Nothing found. Is anything indexed in this workspace? (grounded docs)")
    for n, h in enumerate(hits, 1):
        where = ", ".join(x for x in (one_line(h.file), f"page {h.page}" if h.page else "", h.section) if x)
        print(f"[{n}] {h.score:.3f}  {where}\n    {h.text[:300].replace(chr(10), ' ')}\n")


def cmd_ask(store, args) -> None:
    from .answer.chain import AskOptions, ask_stream
    from .types import RetrievalSettings, SearchFilter

    retrieval = RetrievalSettings().with_(
        strategy=args.strategy,
        k=args.k,
        threshold=args.threshold,
        neighbours=args.neighbours,
        where=SearchFilter(files=tuple(args.file or ()), kinds=tuple(args.kind or ())),
    )
    answer = None
    streamed = False
    for event in ask_stream(store, args.question, args.workspace, AskOptions(model=args.model, retrieval=retrieval)):
        if event.kind == "token" and not args.json:
            print(event.text, end="", flush=True)
            streamed = True
        elif event.kind == "status" and not args.json and sys.stderr.isatty():
            print(event.text, file=sys.stderr)
        elif event.kind == "answer":
            answer = event.answer
    if args.json:
        _print(answer.as_dict())
        return
    if not streamed:
        print(answer.answer, end="")
    print("\n")
    for note in answer.notices:
        print(f"Note: {note}")
    if answer.citations:
        print("\nSources:")
    for c in answer.citations:
        where = ", ".join(x for x in (one_line(c.file), f"page {c.page}" if c.page else "", c.section) if x)
        print(f"[{c.n}] {where}\n    “{c.quote}”")
    if answer.sentences and not answer.refused:
        verdict = {True: "Answers the question", False: "Doesn't answer the question", None: "Answers the question?"}
        print(f"\n{verdict[answer.answers_question]}: {answer.answers_reason}")
        flagged = [s for s in answer.sentences if s.support != "supported"]
        print(f"Supported: {answer.grounded_fraction:.0%} of the answer is backed by the passages it cites.")
        for s in flagged:
            print(f"  {s.support.upper()}: {s.text}" + (f" ({'; '.join(s.reasons)})" if s.reasons else ""))


COMMANDS = {"ingest": cmd_ingest, "docs": cmd_docs, "rm": cmd_rm, "reindex": cmd_reindex, "search": cmd_search, "ask": cmd_ask}


# --- marketing workflows: draft with a recipe, knowledge-base health, set a document's kind ---
def _add_workflow_parsers(sub, common) -> None:
    from .marketing.recipes import RECIPES

    dr = sub.add_parser("draft", parents=[common], help="write with a recipe (LinkedIn post, campaign, help article, sales answer)")
    dr.add_argument("topic", nargs="?", default="", help="what to write about (optional for --recipe campaign)")
    dr.add_argument("--recipe", "-r", choices=list(RECIPES), required=True)
    dr.add_argument("--model", choices=["openai", "compatible", "local", "extractive"], default=None)
    dr.add_argument("--shorter", action="store_true", help="write it, then rewrite it about half as long")
    dr.add_argument("--tone", default=None, help="write it, then rewrite it in this tone (e.g. friendlier, more formal)")
    dr.add_argument("--max-tokens", type=int, default=None)

    sub.add_parser("health", parents=[common], help="find duplicates, old versions, empty files and other problems")

    kd = sub.add_parser("kind", parents=[common], help="set a document's kind (case study, help center, ...)")
    kd.add_argument("doc_id")
    kd.add_argument("kind", help="one of: " + ", ".join(_kinds()))


def _kinds() -> tuple[str, ...]:
    from .ingest.kinds import KINDS

    return KINDS


def _kind_named(text: str) -> str:
    wanted = " ".join(text.replace("-", " ").replace("_", " ").lower().split())
    for kind in _kinds():
        if kind.lower() == wanted:
            return kind
    raise GroundedError(f"Unknown kind {text!r}; choose one of: {', '.join(_kinds())}.")


def cmd_draft(store, args) -> None:
    from .marketing.recipes import DraftOptions, draft, revise

    workspace = args.workspace or store.settings.workspace
    options = DraftOptions(model=args.model, max_tokens=args.max_tokens)
    result = draft(store, args.recipe, args.topic, workspace, options)
    if result.text and (args.shorter or args.tone):
        if args.shorter:
            result = revise(store, result, "shorten", workspace, options)
        if args.tone and result.text:
            result = revise(store, result, args.tone, workspace, options)
    if args.json:
        _print(result.as_dict())
        return
    if result.text:
        print(result.text + "\n")
    for note in result.notices:
        print(f"Note: {note}")
    for warning in result.warnings:
        print(f"Warning: {warning}")
    if result.voice is not None:
        print(f"Your voice: {result.voice.summary()}")
    if result.checks:
        print("\nChecks:")
        for c in result.checks:
            print(f"  {'PASS' if c.passed else 'FAIL'}  {c.label}: {c.detail}")
    if result.text and result.citations:
        print("\nSources:")
        for c in result.citations:
            where = ", ".join(x for x in (one_line(c.file), f"page {c.page}" if c.page else "", c.section) if x)
            print(f"[{c.n}] {where}\n    “{c.quote}”")
    if result.needs_model or result.refused:
        if result.facts:
            print("\nFacts it would use:")
            for n, h in enumerate(result.facts, 1):
                print(f"[{n}] {one_line(h.file)}\n    {h.text[:300].replace(chr(10), ' ')}")
    if result.examples:
        print("\nPast posts used as style examples (never cited):")
        for e in result.examples:
            print(f"  - {one_line(e.file)}" + (f"\n    {e.text[:200].replace(chr(10), ' / ')}" if result.needs_model else ""))


def _fix_command(fix) -> str:
    if fix.action == "delete":
        return f"grounded rm {fix.doc_id}"
    if fix.action == "rechunk":
        a = fix.args
        return f"grounded reindex {fix.doc_id} --chunking {a['strategy']} --chunk-size {a['size']} --chunk-overlap {a['overlap']}"
    if fix.action == "set_kind":
        return f"grounded kind {fix.doc_id} KIND"
    return ""


def cmd_health(store, args) -> None:
    from .workspace.health import CHECK_TITLES, check_health

    report = check_health(store, args.workspace or store.settings.workspace)
    if args.json:
        _print(report.as_dict())
        return
    print(f"{report.documents} documents, {report.chunks} passages, {report.questions} questions logged.")
    if not report.findings:
        print("No problems found.")
        return
    for check, findings in report.by_check().items():
        print(f"\n{CHECK_TITLES[check]} ({len(findings)})")
        for f in findings:
            print(f"  [{f.severity}] {f.title}\n      {f.detail}")
            for fix in f.fixes:
                print(f"      fix: {fix.label}: {_fix_command(fix)}")


def cmd_kind(store, args) -> None:
    from .ingest.kinds import set_kind

    kind = _kind_named(args.kind)
    row = store.catalog.get(args.doc_id)
    set_kind(store, args.doc_id, kind)
    if args.json:
        _print({"doc_id": args.doc_id, "kind": kind})
    else:
        print(f"{one_line(row.file)} is now “{kind}”.")


COMMANDS.update({"draft": cmd_draft, "health": cmd_health, "kind": cmd_kind})


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "bench":  # benchmarks open their own throwaway stores
        from .bench.cli import run as run_bench

        return run_bench(args)
    if args.command == "hash-password":  # needs no data folder
        return cmd_hash_password(args)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    from .ingest.recovery import open_store

    store = None
    try:
        settings = Settings.load(args.data_dir)
        if args.workspace:
            settings = settings.with_(workspace=args.workspace)
        store = open_store(settings)
        COMMANDS[args.command](store, args)
    except GroundedError as err:
        print(f"grounded: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("grounded: interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # noqa: BLE001 - the promise is one clear line, no traceback
        logging.getLogger("grounded").debug("unexpected error", exc_info=True)
        print(f"grounded: unexpected error ({type(err).__name__}: {err})", file=sys.stderr)
        return 2
    finally:
        if store is not None:
            store.close()  # closing explicitly avoids noisy errors from Qdrant at interpreter exit
    return 0


if __name__ == "__main__":
    sys.exit(main())
