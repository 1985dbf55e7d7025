"""The ``grounded`` command: ingest, list, remove, re-index and search documents.

Exit code 0 when the command itself worked (even if some files failed);
non-zero only when it could not run, with one plain line on stderr.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

from .errors import GroundedError
from .present import one_line, reading_notices
from .settings import Settings
from .types import ChunkSettings


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", help="where everything is stored (default: $GROUNDED_DATA_DIR or ./data)")
    common.add_argument("--workspace", "-w", default=None, help="the assistant/workspace (default: 'default')")
    common.add_argument("--json", action="store_true", help="print machine-readable JSON")

    p = argparse.ArgumentParser(prog="grounded", description="Grounded: answers from your own documents.")
    sub = p.add_subparsers(dest="command", required=True)

    ing = sub.add_parser("ingest", parents=[common], help="index files and folders (queued for the app when it runs)")
    ing.add_argument("paths", nargs="*", help="files and folders; none: index what is already queued")
    ing.add_argument("--chunking", choices=["by_title", "recursive", "fixed"], default=None)
    ing.add_argument("--chunk-size", type=int, default=None, help="tokens per chunk")
    ing.add_argument("--chunk-overlap", type=int, default=None, help="tokens shared by neighbouring chunks")
    ing.add_argument("--force", action="store_true", help="re-index even unchanged files")
    ing.add_argument("--owner", default=None,
                     help="with sign-in on: who owns the assistant (else it has no owner and only admins can change it)")
    ing.add_argument("--no-wait", action="store_true",
                     help="when the app holds the data folder: queue the files and return at once (see: grounded jobs)")

    jobs = sub.add_parser("jobs", parents=[common], help="the indexing queue: waiting, being indexed, finished")
    jobs.add_argument("--cancel", type=int, nargs="+", metavar="JOB", help="cancel waiting jobs by number")
    jobs.add_argument("--dismiss", action="store_true", help="stop listing finished jobs")

    sub.add_parser("docs", parents=[common], help="list documents")

    rm = sub.add_parser("rm", parents=[common], help="delete a document, then check it is forgotten")
    rm.add_argument("doc_id")

    fc = sub.add_parser("forget-check", parents=[common],
                        help="re-ask a removed document's questions: no answer may cite it or state its figures")
    fc.add_argument("doc_id", nargs="?", help="a deleted document, or one replaced by a new version")
    fc.add_argument("--pending", action="store_true", help="run every check left by syncs, ZIPs and new versions")
    fc.add_argument("--question", action="append", default=[], help="an answer check's question (repeatable)")
    fc.add_argument("--fact", action="append", default=[], help="a fact the question's answer stated (repeatable)")

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
    _add_team_parsers(sub, common)  # indexer, migrate (below)

    _add_assistant_parsers(sub, common)
    _add_source_parsers(sub, common)
    _add_gap_parsers(sub, common)
    _add_check_parsers(sub, common)

    sh = sub.add_parser("show", parents=[common], help="draw the page a cited passage is on, highlighted, as a PNG")
    sh.add_argument("passage", metavar="CITATION_OR_CHUNK_ID",
                    help="the passage's id: chunk_id of a citation in `grounded ask --json` or of a result in `grounded search --json`")
    sh.add_argument("--png", required=True, metavar="OUT", help="where to write the page image")
    sh.add_argument("--page", type=int, default=None, help="another page of the document (default: the passage's first)")
    sh.add_argument("--quote", default="", help="the supporting words, highlighted more strongly than the rest of the passage")
    sh.add_argument("--width", type=int, default=None, help="image width in pixels (default 1000)")

    hp = sub.add_parser("hash-password", help="make a sign-in line for .streamlit/secrets.toml's [users] table")
    hp.add_argument("user", help="the user name people sign in with")

    sub.add_parser("doctor", parents=[common],
                   help="check this install: every reader, the search model, the built-in model (exit 1 if broken)")
    return p


def _add_assistant_parsers(sub, common) -> None:
    a = sub.add_parser("assistants", parents=[common], help="list assistants, create one, set its owner or who it is shared with")
    actions = a.add_subparsers(dest="action")
    create = actions.add_parser("create", parents=[common], help="a new assistant; prints its id")
    create.add_argument("name")
    create.add_argument("--owner", default=None)
    create.add_argument("--language", choices=["english", "multilingual"], default="english",
                        help="english: the fastest model (default); multilingual: documents and questions in Dutch, "
                        "German, French, Spanish and more, side by side with English")
    lang = actions.add_parser("language", parents=[common],
                              help="change an assistant's language (english or multilingual); re-indexes its documents")
    lang.add_argument("assistant")
    lang.add_argument("language", choices=["english", "multilingual"])
    owner = actions.add_parser("owner", parents=[common], help="give an assistant to someone (--none: nobody, admins manage it)")
    owner.add_argument("assistant")
    owner.add_argument("person", nargs="?", default=None)
    owner.add_argument("--none", action="store_true")
    share = actions.add_parser("share", parents=[common], help='who may use it besides its owner ("*": everyone signed in)')
    share.add_argument("assistant")
    share.add_argument("people", nargs="*")


def _add_source_parsers(sub, common) -> None:
    s = sub.add_parser("sources", parents=[common], help="sites an assistant reads and keeps in sync (list, add, schedule, rm)")
    actions = s.add_subparsers(dest="action")
    add = actions.add_parser("add", parents=[common], help="read a site or help center by its address, and keep it")
    add.add_argument("url")
    add.add_argument("--include", action="append", default=[], metavar="PATTERN",
                     help="only addresses under this path, or matching this pattern with * (repeatable)")
    add.add_argument("--exclude", action="append", default=[], metavar="PATTERN",
                     help="never addresses under this path or matching this pattern (repeatable)")
    add.add_argument("--max-pages", type=int, default=None, help="the most pages to read (default 500)")
    add.add_argument("--max-depth", type=int, default=None, help="links to follow from the address without a sitemap (5)")
    add.add_argument("--rate", type=float, default=None, help="requests a second (default 2; at most 10)")
    add.add_argument("--schedule", choices=["off", "daily", "weekly"], default="off",
                     help="sync it by itself (from the app, or `grounded sync` run by cron)")
    schedule = actions.add_parser("schedule", parents=[common], help="how often a source is synced by itself")
    schedule.add_argument("source", help="its id or address")
    schedule.add_argument("schedule", choices=["off", "daily", "weekly"])
    rm = actions.add_parser("rm", parents=[common], help="remove a source and the documents it brought")
    rm.add_argument("source", help="its id or address")

    sy = sub.add_parser("sync", parents=[common], help="sync one source now, or (without one) every source that is due")
    sy.add_argument("source", nargs="?", help="its id or address (default: those whose schedule is due)")
    sy.add_argument("--all", action="store_true", help="sync every source, due or not")


def _sync_output(reports, args, one: bool) -> None:
    """Each page that changed, and a line per source; with --json one report (a named source) or all of them."""
    if args.json:
        if one:
            _print(reports[0].as_dict())
        else:  # several sources: each report, and every page in one list
            _print({"sources": [r.as_dict() for r in reports],
                    "pages": [{**p.as_dict(), "source": r.source.source_id} for r in reports for p in r.pages]})
        return
    for report in reports:
        source = report.source
        for page in report.pages:
            if page.status != "unchanged":
                note = f": {page.error}" if page.error else (f" (moved to {page.moved_to})" if page.moved_to else "")
                print(f"{page.status:9} {one_line(page.url)}{note}")
        counts = ", ".join(f"{n} {status}" for status, n in report.counts().items() if n)
        print(f"\n{source.source_id} ({source.name}): {counts or 'no pages'}; {report.requests} requests, "
              f"{report.seconds:.1f} s")
        if report.error:
            print(f"The sync failed: {report.error}")
        elif report.notice:
            print(report.notice)


def cmd_sources(store, args) -> None:
    """The command line runs the machine: it manages every assistant's sources (access checks pass ``user=None``)."""
    from .ingest import sources as site_sources
    from .ingest.crawl import CrawlOptions
    from .workspace import sources as managed
    from .workspace.assistants import ensure_default

    workspace = args.workspace or store.settings.workspace
    if args.action == "add":
        ensure_default(store.catalog, workspace)
        defaults = CrawlOptions()
        options = CrawlOptions(
            include=tuple(args.include), exclude=tuple(args.exclude),
            max_pages=args.max_pages if args.max_pages is not None else defaults.max_pages,
            max_depth=args.max_depth if args.max_depth is not None else defaults.max_depth,
            requests_per_second=args.rate if args.rate is not None else defaults.requests_per_second,
        )
        _sync_output([managed.add_site(store, workspace, args.url, None, options, args.schedule, _sync_progress(args))],
                     args, one=True)
        return
    if args.action == "schedule":
        source = site_sources.set_schedule(store.catalog, site_sources.find(store.catalog, args.source).source_id,
                                           args.schedule)
        _print(source.as_dict()) if args.json else print(f"{source.source_id} is synced: {source.schedule}.")
        return
    if args.action == "rm":
        source = site_sources.find(store.catalog, args.source)
        removed = site_sources.remove(store, source.source_id)
        if args.json:
            _print({"removed": source.source_id, "pages": [p.as_dict() for p in removed]})
        else:
            print(f"Removed {source.name} and {len(removed)} documents it brought.")
        return
    rows = site_sources.list_sources(store.catalog, None if args.workspace is None else workspace)
    if args.json:
        _print({"sources": [s.as_dict() for s in rows]})
        return
    if not rows:
        print("No sources yet. Add a site with: grounded sources add https://help.example.com/")
    for s in rows:
        when = s.as_dict()["last_sync"] or "never"
        status = f"{s.last_status}: {s.last_error}" if s.last_error else (s.last_status or "not synced")
        counts = ", ".join(f"{n} {k}" for k, n in s.last_counts.items() if n)
        print(f"{s.source_id}  {s.origin}  [{s.workspace}]  schedule: {s.schedule}  last sync: {when} ({status})"
              + (f"  {counts}" if counts else ""))


def _sync_progress(args):
    """A line per page on stderr while a sync runs (on a terminal, without --json)."""
    if args.json or not sys.stderr.isatty():
        return None
    return lambda p: print(f"  {p.done}{'/' + str(p.total) if p.total else ''} {p.result.status:9} {one_line(p.result.url)}",
                           file=sys.stderr)


def cmd_sync(store, args) -> None:
    from .ingest import sources as site_sources
    from .workspace import sources as managed

    if args.source:
        source = site_sources.find(store.catalog, args.source)
        reports = [managed.sync_site(store, source.source_id, None, _sync_progress(args))]
    elif args.all:
        reports = [managed.sync_site(store, s.source_id, None, _sync_progress(args))
                   for s in site_sources.list_sources(store.catalog, args.workspace)]
    else:
        reports = managed.sync_due(store, on_progress=_sync_progress(args))
        _run_due_checks(store, args)  # from cron: the nightly answer checks, beside the scheduled syncs
    if not reports and not args.json:
        print("No source is due for a sync. Name one, or use --all.")
        return
    _sync_output(reports, args, one=bool(args.source))


def _add_gap_parsers(sub, common) -> None:
    g = sub.add_parser("gaps", parents=[common],
                       help="questions the assistant couldn't answer (refused, flagged, thumbs-down), grouped by topic")
    g.add_argument("--csv", type=Path, default=None, metavar="OUT", help="also write every gap question as CSV")
    actions = g.add_subparsers(dest="action")
    out = actions.add_parser("out-of-scope", parents=[common],
                             help="mark a topic out of scope: its questions get a polite scope answer from now on")
    out.add_argument("key", help="the topic's key, as listed by `grounded gaps`")
    out.add_argument("--reply", default="", help="the answer such questions get, in your words (default: a polite standard one)")
    back = actions.add_parser("in-scope", parents=[common], help="undo out-of-scope: the topic's questions count as gaps again")
    back.add_argument("scope_id", help="as listed under “Out of scope” by `grounded gaps`")


def _when(t: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(t))


def cmd_gaps(store, args) -> None:
    """Knowledge gaps of the assistant (``--workspace``); the command line may see every assistant's (``user=None``)."""
    from .workspace.gaps import WHY_LABELS, back_in_scope, gaps_csv, knowledge_gaps, mark_out_of_scope

    workspace = args.workspace or store.settings.workspace
    if args.action == "out-of-scope":
        scope = mark_out_of_scope(store, workspace, args.key, args.reply, user=None)
        _print(scope.as_dict()) if args.json else print(f"“{scope.topic}” is out of scope now ({scope.scope_id}).")
        return
    if args.action == "in-scope":
        back_in_scope(store, workspace, args.scope_id, user=None)
        _print({"scope_id": args.scope_id, "in_scope": True}) if args.json else print("Back in scope.")
        return
    report = knowledge_gaps(store, workspace, user=None)
    if args.csv:
        args.csv.write_text(gaps_csv(report), encoding="utf-8")
    if args.json:
        _print(report.as_dict())
        return
    if not report.gaps:
        print("No gaps: every question so far was answered (none refused, flagged or rated down).")
    for g in report.gaps:
        why = ", ".join(f"{n} {WHY_LABELS[w]}" for w, n in g.why.items())
        print(f"{one_line(g.topic)}  [{g.key}]\n  asked {g.count} time(s), last {_when(g.last_asked)} ({why})\n"
              f"  e.g. “{one_line(g.example)}”")
    if report.scopes:
        print("\nOut of scope:")
        for s in report.scopes:
            print(f"  {one_line(s.topic)}  [{s.scope_id}]")
    if args.csv:
        print(f"Wrote {args.csv}")


def _run_due_checks(store, args) -> None:
    """Answer checks due (synced since their last run, or a day old) run now; a line each on stderr."""
    from .quality.runs import queue_due_runs, run_queued

    queue_due_runs(store.catalog)
    for report in run_queued(store, quiet_s=0):
        if not args.json:
            print(f"Answer checks of {report.run.workspace}: {report.summary()}", file=sys.stderr)


def cmd_assistants(store, args) -> None:
    """The command line runs the machine: it may see and change every assistant (access checks pass ``user=None``)."""
    from .workspace.assistants import create_assistant, list_assistants, set_owner, share

    if args.action == "create":
        made = create_assistant(store.catalog, args.name, language=args.language)
        if args.owner:
            made = set_owner(store.catalog, made.id, args.owner, None)
        _print({"id": made.id, "name": made.name, "owner": made.owner, "language": made.language}) if args.json else print(made.id)
        return
    if args.action == "language":
        _change_language(store, args)
        return
    if args.action == "owner":
        if not args.none and not args.person:
            raise GroundedError("Name the new owner, or give --none to leave the assistant to the admins.")
        changed = set_owner(store.catalog, args.assistant, None if args.none else args.person, None)
        print(f"{changed.id} is now owned by {changed.owner or 'nobody (admins manage it)'}.")
        return
    if args.action == "share":
        changed = share(store.catalog, args.assistant, args.people, None)
        print(f"{changed.id} is shared with {', '.join(changed.shared_with) or 'nobody'}.")
        return
    rows = list_assistants(store.catalog)
    counts = {a.id: len(store.catalog.documents(a.id)) for a in rows}
    if args.json:
        _print({"assistants": [{"id": a.id, "name": a.name, "owner": a.owner, "shared_with": a.shared_with,
                                "language": a.language, "documents": counts[a.id]} for a in rows]})
        return
    for a in rows:
        shared = f", shared with {', '.join(a.shared_with)}" if a.shared_with else ""
        language = "  multilingual" if a.language == "multilingual" else ""
        print(f"{a.id}  {a.name!r}  owner: {a.owner or 'none (admins)'}{shared}{language}  ({counts[a.id]} documents)")


def _change_language(store, args) -> None:
    from .present import duration_words
    from .workspace.documents import change_language, language_change_seconds

    if not hasattr(store, "index"):
        raise GroundedError("Changing the language re-indexes the assistant's documents: close the app (which holds "
                            "the index) and run this again.")
    seconds = language_change_seconds(store, args.assistant, args.language, None)
    if seconds and not args.json:
        print(f"Re-indexing every document with the {args.language} model; it takes {duration_words(seconds)}.")
    report = change_language(store, args.assistant, args.language, None)
    failed = report.count("failed")
    if args.json:
        _print({"assistant": args.assistant, "language": args.language, "reindexed": report.count("indexed"),
                "failed": failed})
        return
    print(f"{args.assistant} is now {args.language}; re-indexed {report.count('indexed')} documents"
          + (f", {failed} could not be read again (see grounded docs)." if failed else "."))


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


def cmd_doctor(args) -> int:
    """Each reader and model: works, or what is missing and how to fix it. Exit 1 when something is broken."""
    from .workspace.models import broken, setup_checks

    checks = setup_checks(Settings.load(args.data_dir))
    if args.json:
        _print({"ok": not broken(checks), "checks": [c.as_dict() for c in checks]})
    else:
        for check in checks:
            mark = "ok  " if check.ok else ("note" if check.optional else "FAIL")
            print(f"{mark}  {check.name}" + (f": {check.problem}" if check.problem else ""))
        print("Everything needed works." if not broken(checks) else
              f"{len(broken(checks))} part(s) of this install are broken: files of those types wait until it is fixed.")
    return 1 if broken(checks) else 0


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
    """Queue the files, then index them here, or follow another process's progress when it works through the queue."""
    batch = _queue_files(store, args)
    report = _Report(args, batch)
    if batch and not report.pending:
        report.close()
        return
    from .ingest.indexer import Indexer
    from .ingest.queue import abandon, dismiss
    from .workspace.runtime import serve_reads, stop_serving_reads

    serve_reads(store)  # searches from other terminals are answered while this one indexes
    try:
        if not Indexer(store, "grounded ingest").run(on_finished=report.finished):
            _follow(store, args, report)  # a live process works through this queue (a shared Qdrant server)
            return
    except KeyboardInterrupt:
        if batch:
            stopped = abandon(store, batch[0].batch)
            print(f"grounded: stopped; {len(stopped)} documents were not indexed", file=sys.stderr)
        raise
    finally:
        stop_serving_reads(store)
    report.close()
    dismiss(store.catalog, report.ids)  # reported here, and nobody else was watching: no need to list them on


def cmd_ingest_beside(folder, args) -> None:
    """``grounded ingest`` while another process (the app) holds the index: queue, then follow its progress."""
    if not args.paths:
        print("Another process holds this data folder and works through its queue; see where it is with: grounded jobs")
        return
    batch = _queue_files(folder, args)
    report = _Report(args, batch)
    if args.no_wait or not report.pending:
        report.close(waited=False)
        return
    _follow(folder, args, report)


def _queue_files(folder, args) -> list:
    """The files on the command line, stored and queued as one batch (nothing when none were given)."""
    from .ingest.queue import read_files
    from .workspace.assistants import ensure_default, set_owner
    from .workspace.jobs import queue_uploads

    if not args.paths:
        return []
    workspace = args.workspace or folder.settings.workspace
    assistant = ensure_default(folder.catalog, workspace)
    if args.owner:
        assistant = set_owner(folder.catalog, workspace, args.owner, None)
    return queue_uploads(folder, read_files(folder, args.paths), workspace, None,
                         _chunking(args, assistant.chunking), force=args.force)


class _Report:
    """What ``grounded ingest`` prints: a line per document as it finishes (a bar on a terminal), then a summary."""

    def __init__(self, args, batch: list):
        from tqdm import tqdm

        self.args = args
        self.ids = {j.job_id for j in batch}
        self.results: dict[int, object] = {}
        self.others = 0  # jobs queued before ours, indexed first
        self.bar = tqdm(total=len(batch), unit="doc", disable=args.json or not sys.stderr.isatty(), file=sys.stderr)
        for job in batch:
            if not job.active:
                self.finished(job)

    @property
    def pending(self) -> int:
        return len(self.ids) - len(self.results)

    def finished(self, job) -> None:
        from .ingest.queue import as_result

        if job.job_id not in self.ids:
            self.others += 1
            return
        if job.job_id in self.results:
            return
        result = self.results[job.job_id] = as_result(job)
        self.bar.update(1)
        if self.args.json:
            return
        if result.status in ("indexed", "unchanged"):
            self.bar.write(f"{result.status:9} {one_line(result.path)} ({result.chunks} chunks)", file=sys.stdout)
        else:
            self.bar.write(f"{result.status:9} {one_line(result.path)}: {result.error}", file=sys.stdout)

    def close(self, waited: bool = True) -> None:
        from .ingest.admission import IngestReport

        self.bar.close()
        report = IngestReport([self.results[i] for i in sorted(self.results)])
        if self.args.json:
            _print({**report.as_dict(), "queued": self.pending})
            return
        if not self.ids:
            print(f"Indexed {self.others} documents that were waiting." if self.others else "Nothing was waiting to be indexed.")
            return
        counts = ", ".join(f"{report.count(s)} {s}" for s in ("indexed", "unchanged", "skipped", "failed"))
        print(f"\n{counts}" + (f", {self.pending} queued (see: grounded jobs)" if self.pending else ""))
        if self.others:
            print(f"(Also indexed {self.others} documents queued before these.)")
        if not waited and self.pending:
            print("The app indexes them; follow them with: grounded jobs")


def _follow(folder, args, report: _Report) -> None:
    """Print our documents' results as another process indexes them; take over if it stops."""
    from .ingest import queue

    if not report.ids:
        report.close()
        return
    batch = queue.get(folder.catalog, min(report.ids)).batch
    holder = queue.owner(folder.catalog)
    service = not folder.settings.indexes_here  # `grounded indexer` processes index; this one never does
    if not args.json:
        who = f"{holder.label} (process {holder.pid})" if holder else (
            "the indexers (grounded indexer)" if service else "the process holding this data folder")
        print(f"Queued {len(report.ids)} documents; {who} is indexing them. Ctrl-C stops waiting, not the indexing.",
              file=sys.stderr)
    alone_since = None
    try:
        while report.pending:
            for job in queue.jobs(folder.catalog, batch=batch, include_dismissed=True):
                if not job.active:
                    report.finished(job)
            if not report.pending:
                break
            if service or queue.owner(folder.catalog) is not None:
                alone_since = None
            elif alone_since is None:
                alone_since = time.monotonic()
            elif time.monotonic() - alone_since > 5 and _index_if_free(folder, report):
                break  # the holder went away: this process indexed what was left
            time.sleep(0.5)
    except KeyboardInterrupt:
        print("grounded: stopped waiting; indexing goes on (see: grounded jobs)", file=sys.stderr)
        raise
    report.close()


def _index_if_free(folder, report: _Report) -> bool:
    """Index the queue in this process if the data folder has become free; False if it is still held."""
    from .errors import IndexLocked
    from .ingest.indexer import Indexer
    from .workspace.runtime import open_store

    try:
        store = open_store(folder.settings)
    except IndexLocked:
        return False
    try:
        return Indexer(store, "grounded ingest").run(on_finished=report.finished)
    finally:
        store.close()


def cmd_jobs(folder, args) -> None:
    """The indexing queue: who works through it, how far along, each job; cancel or dismiss jobs."""
    from .ingest import queue
    from .present import duration_words

    if args.cancel:
        done = queue.cancel(folder, args.cancel)
        print(f"Cancelled {len(done)} of {len(args.cancel)} jobs" + ("" if len(done) == len(args.cancel) else
              " (the others had started or finished)") + ".")
        return
    listed = queue.jobs(folder.catalog, workspace=args.workspace)
    if args.dismiss:
        print(f"Dismissed {queue.dismiss(folder.catalog, [j.job_id for j in listed])} finished jobs.")
        return
    holder = queue.owner(folder.catalog)
    where = queue.progress(folder.catalog, args.workspace)
    if args.json:
        _print({
            "indexer": {"label": holder.label, "pid": holder.pid, "host": holder.host} if holder else None,
            "done": where.done, "total": where.total, "seconds_left": where.seconds_left,
            "jobs": [j.as_dict() for j in listed],
        })
        return
    waiting = sum(j.active for j in listed)
    if where.busy:
        left = f", {duration_words(where.seconds_left)} left" if where.seconds_left is not None else ""
        state = f"{where.done} of {where.total} done{left}"
        print(f"Indexing: {state}, by {holder.label} (process {holder.pid})." if holder else
              f"Nobody is indexing ({state}). Start the app, or run: grounded ingest")
    elif not listed:
        print("The queue is empty.")
    for j in listed:
        note = j.error or (f"{j.chunks} chunks" if j.status in ("indexed", "unchanged") else "")
        by = f" by {j.queued_by}" if j.queued_by else ""
        print(f"{j.job_id:>6}  {j.status:9} {j.workspace}  {one_line(j.name)}{by}" + (f"  ({note})" if note else ""))
    if listed and not waiting:
        print("\nAll done. Clear this list with: grounded jobs --dismiss")


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
        for notice in reading_notices(r):  # read by OCR, pages left out
            print(f"    {notice.text}")


def cmd_rm(store, args) -> None:
    from .errors import NotFound
    from .workspace.quality import delete_and_check

    if store.catalog.get(args.doc_id) is None:
        raise NotFound(f"There is no document with id {args.doc_id}.")
    result = delete_and_check(store, args.doc_id, user=None)
    if args.json:
        print(json.dumps({"deleted": args.doc_id, "forget_check": result.as_dict()}))
        return
    print(f"Deleted {one_line(result.file)}\n{_forget_lines(result)}")


def _forget_lines(result) -> str:
    lines = [result.summary()]
    for p in result.probes:
        mark = "ok " if p.passed else "FAIL"
        lines.append(f"  {mark} {p.question}" + ("" if p.passed else f"  (cites: {', '.join(p.cited) or 'nothing'}"
                                                 + (f"; states: {', '.join(p.stated)}" if p.stated else "") + ")"))
    lines += [f"  FAIL {lo.detail}" for lo in result.leftovers]
    return "\n".join(lines)


def cmd_forget_check(store, args) -> None:
    from .workspace.quality import ForgetItem, forget_check, run_pending

    if args.pending:
        results = run_pending(store, args.workspace or store.settings.workspace, user=None)
    elif args.doc_id:
        items = [ForgetItem(q, tuple(args.fact)) for q in args.question]
        results = [forget_check(store, args.doc_id, items, user=None)]
    else:
        raise GroundedError("Name a removed document (its id), or give --pending to run the checks still waiting.")
    if args.json:
        _print([r.as_dict() for r in results])
    else:
        print("\n".join(f"{one_line(r.file)} ({r.reason}): {_forget_lines(r)}" for r in results) or "No checks waiting.")
    if any(not r.passed for r in results):
        raise SystemExit(1)


def cmd_reindex(store, args) -> None:
    from .workspace.documents import reindex

    chunking = _chunking(args, store.settings.chunking)
    if args.doc_id:
        ids = [args.doc_id]
    else:
        ids = [r.doc_id for r in store.catalog.documents(args.workspace or store.settings.workspace)]
    # as the Knowledge page does: the assistant's answer checks run again afterwards (one run however many documents)
    results = [reindex(store, doc_id, None, chunking) for doc_id in ids]
    if args.json:
        _print({"files": [r.as_dict() for r in results]})
        return
    for r in results:
        print(f"{r.status:9} {one_line(r.path)} ({r.chunks} chunks){': ' + r.error if r.error else ''}")


def cmd_search(store, args) -> None:
    from .workspace.asking import search

    hits = search(store, args.query, args.workspace or store.settings.workspace, k=args.k, strategy=args.strategy, user=None)
    _print_hits([h.as_dict() for h in hits], args)


def cmd_search_beside(folder, args) -> None:
    """``grounded search`` while the app holds the index: the app searches (rag/answer/relay.py)."""
    from .answer.relay import request_read

    request = {"query": args.query, "workspace": args.workspace or folder.settings.workspace, "k": args.k, "strategy": args.strategy}
    _print_hits(request_read(folder, "search", request)["results"], args)


def _print_hits(hits: list[dict], args) -> None:
    from .present import hit_lines

    if args.json:
        _print({"results": hits})
    elif not hits:
        print("Nothing found. Is anything indexed in this workspace? (grounded docs)")
    else:
        print(hit_lines(hits))


def _ask_request(args, workspace: str) -> dict:
    return {"question": args.question, "workspace": workspace, "model": args.model, "strategy": args.strategy, "k": args.k,
            "threshold": args.threshold, "neighbours": args.neighbours, "files": args.file, "kinds": args.kind}


def cmd_ask(store, args) -> None:
    from .answer.relay import retrieval_from
    from .present import answer_tail_text
    from .workspace.asking import AskOptions, ask_stream

    options = AskOptions(model=args.model, retrieval=retrieval_from(_ask_request(args, args.workspace)))
    answer = None
    streamed = False
    for event in ask_stream(store, args.question, args.workspace, options, user=None):
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
    _print_answer("" if streamed else answer.answer, answer_tail_text(answer))


def cmd_ask_beside(folder, args) -> None:
    """``grounded ask`` while the app holds the index: the app answers (rag/answer/relay.py); printed whole, not streamed."""
    from .answer.relay import request_read

    response = request_read(folder, "ask", _ask_request(args, args.workspace or folder.settings.workspace))
    if args.json:
        _print(response["answer"])
    else:
        _print_answer(response["text"], response["tail"])


def _print_answer(text: str, tail: str) -> None:
    print(text, end="")
    print("\n")
    if tail:
        print(tail)


def cmd_show(store, args) -> None:
    from pathlib import Path

    from .workspace import page_view

    passage = page_view.passage(store, None, args.passage)
    passage.quote = args.quote
    about = reading_notices(passage.row)  # how the document was read: OCR, pages left out
    if not page_view.is_paged(passage.row):
        view = page_view.section(store, passage)
        if args.json:
            _print({"file": passage.row.file, "section": view.section, "passage": view.passage, "png": None,
                    "document_notes": [n.as_dict() for n in about]})
            return
        print(f"{one_line(passage.row.file)} has no pages to draw; the passage in its section ({view.section or 'no section'}):\n")
        print("\n\n".join(x for x in (view.before, f">>> {view.passage} <<<", view.after) if x))
        for notice in about:
            print(f"\nAbout the document: {notice.text}")
        return
    view = page_view.render(passage, args.page, args.width or page_view.SCREEN_WIDTH_PX)
    Path(args.png).write_bytes(view.png())
    if args.json:
        _print({"file": passage.row.file, "png": args.png, "page": view.page, "pages": view.pages,
                "passage_pages": view.passage_pages, "highlighted": view.highlighted,
                "confidence": view.confidence, "notes": view.notes, "seconds": round(view.seconds, 3),
                "document_notes": [n.as_dict() for n in about]})
        return
    marked = f"passage highlighted ({len(view.highlights)} boxes)" if view.highlighted else "no highlight"
    print(f"Wrote {args.png}: page {view.page} of {view.pages} of {one_line(passage.row.file)}, {marked}.")
    for note in view.notes:
        print(f"Note: {note}")
    for notice in about:
        print(f"About the document: {notice.text}")


COMMANDS = {"ingest": cmd_ingest, "docs": cmd_docs, "rm": cmd_rm, "forget-check": cmd_forget_check, "reindex": cmd_reindex, "search": cmd_search, "ask": cmd_ask,
            "assistants": cmd_assistants, "sources": cmd_sources, "sync": cmd_sync, "show": cmd_show, "jobs": cmd_jobs}
# What works while another process (the app) holds the data folder's index: the catalog alone, or a read the holder answers.
BESIDE = {"ingest": cmd_ingest_beside, "jobs": cmd_jobs, "docs": cmd_docs, "assistants": cmd_assistants,
          "search": cmd_search_beside, "ask": cmd_ask_beside}


# --- marketing workflows: draft with a recipe, knowledge-base health, set a document's kind ---
def _add_workflow_parsers(sub, common) -> None:
    from .workspace.writing import RECIPES

    dr = sub.add_parser("draft", parents=[common], help="write with a recipe (LinkedIn post, campaign, help article, sales answer)")
    dr.add_argument("topic", nargs="?", default="", help="what to write about (optional for --recipe campaign)")
    dr.add_argument("--recipe", "-r", choices=list(RECIPES), default=None, help="required, except with --series (LinkedIn posts)")
    dr.add_argument("--model", choices=["openai", "compatible", "local", "extractive"], default=None)
    dr.add_argument("--shorter", action="store_true", help="write it, then rewrite it about half as long")
    dr.add_argument("--tone", default=None, help="write it, then rewrite it in this tone (e.g. friendlier, more formal)")
    dr.add_argument("--max-tokens", type=int, default=None)
    dr.add_argument("--series", type=int, default=None, metavar="N",
                    help="plan a series of N LinkedIn posts (2-8) on the topic, dated on your usual posting day and hour")
    dr.add_argument("--source", action="append", default=[], metavar="FILE",
                    help="take facts only from this document (repeatable; as listed by `grounded docs`)")
    dr.add_argument("--start", default=None, metavar="YYYY-MM-DD", help="a series' first day (default: tomorrow)")
    dr.add_argument("--csv", type=Path, default=None, metavar="OUT", help="write the series as CSV (date, text, sources)")
    dr.add_argument("--ics", type=Path, default=None, metavar="OUT", help="write the series as a calendar file (.ics)")

    sub.add_parser("health", parents=[common], help="find duplicates, old versions, empty files and other problems")

    kd = sub.add_parser("kind", parents=[common], help="set a document's kind (case study, help center, ...)")
    kd.add_argument("doc_id")
    kd.add_argument("kind", help="one of: " + ", ".join(_kinds()))


def _kinds() -> tuple[str, ...]:
    from .workspace.choices import KINDS

    return KINDS


def _kind_named(text: str) -> str:
    wanted = " ".join(text.replace("-", " ").replace("_", " ").lower().split())
    for kind in _kinds():
        if kind.lower() == wanted:
            return kind
    raise GroundedError(f"Unknown kind {text!r}; choose one of: {', '.join(_kinds())}.")


def _print_draft(result, heading: str = "") -> None:
    if heading:
        print(heading)
    print(result.text + "\n")
    if result.checks:
        print("Checks:")
        for c in result.checks:
            print(f"  {'PASS' if c.passed else 'FAIL'}  {c.label}: {c.detail}")
    for v in result.violations:
        said = f" (your guide: “{v.guide_says}”)" if v.guide_says else ""
        print(f"  fix: {v.message}{said}" + (f" -> {v.fix_label}" if v.fixable else ""))
    if result.citations:
        print("Sources:")
        for c in result.citations:
            where = one_line(", ".join(x for x in (c.file, f"page {c.page}" if c.page else "", c.section) if x))
            print(f"[{c.n}] {where}\n    “{c.quote}”")
    print()


def cmd_draft(store, args) -> None:
    from .workspace.writing import DraftOptions, draft, revise

    workspace = args.workspace or store.settings.workspace
    options = DraftOptions(model=args.model, max_tokens=args.max_tokens, files=tuple(args.source))
    if args.series is not None:
        _cmd_series(store, args, workspace, options)
        return
    if not args.recipe:
        from .workspace.writing import RECIPES

        raise GroundedError("Choose a recipe with --recipe: " + ", ".join(RECIPES) + ".")
    result = draft(store, args.recipe, args.topic, workspace, options, user=None)
    if result.text and (args.shorter or args.tone):
        if args.shorter:
            result = revise(store, result, "shorten", workspace, options, user=None)
        if args.tone and result.text:
            result = revise(store, result, args.tone, workspace, options, user=None)
    if args.json:
        _print(result.as_dict())
        return
    versions = [result] + result.alternatives
    for n, version in enumerate(versions, 1):
        if result.text:
            _print_draft(version, f"--- Version {n} of {len(versions)}: {version.angle} ---" if len(versions) > 1 else "")
    for note in result.notices:
        print(f"Note: {note}")
    for warning in result.warnings:
        print(f"Warning: {warning}")
    if result.voice is not None:
        print(f"Your voice: {result.voice.summary()}")
    if result.refused and result.facts:
        print("\nClosest facts:")
        for n, h in enumerate(result.facts, 1):
            print(f"[{n}] {one_line(h.file)}\n    {h.text[:300].replace(chr(10), ' ')}")
    if result.examples:
        print("\nPast posts used as style examples (never cited):")
        for e in result.examples:
            print(f"  - {one_line(e.file)}")


def _cmd_series(store, args, workspace: str, options) -> None:
    from datetime import date

    from .workspace.writing import plan_series, series_csv, series_ics

    try:
        start = date.fromisoformat(args.start) if args.start else None
    except ValueError:
        raise GroundedError(f"--start must be a date like 2026-12-01, not {args.start!r}.") from None
    series = plan_series(store, args.topic, args.series, workspace, tuple(args.source), start, options, user=None)
    if args.csv:
        args.csv.write_text(series_csv(series), encoding="utf-8")
    if args.ics:
        args.ics.write_text(series_ics(series), encoding="utf-8", newline="")
    if args.json:
        _print(series.as_dict())
        return
    print(f"Posting slot: {series.slot.describe()}\n")
    for n, post in enumerate(series.posts, 1):
        _print_draft(post.draft, f"--- Post {n} of {len(series.posts)}: {post.when:%A %d %B %Y, %H:%M} UTC ---")
    for note in series.notices:
        print(f"Note: {note}")
    for out in (args.csv, args.ics):
        if out:
            print(f"Wrote {out}")


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

    report = check_health(store, args.workspace or store.settings.workspace, None)
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
    from .workspace.documents import document, set_kind

    kind = _kind_named(args.kind)
    row = document(store, args.doc_id, None)  # "that document no longer exists" for an unknown id
    set_kind(store, args.doc_id, kind, None)
    if args.json:
        _print({"doc_id": args.doc_id, "kind": kind})
    else:
        print(f"{one_line(row.file)} is now “{kind}”.")


COMMANDS.update({"draft": cmd_draft, "health": cmd_health, "kind": cmd_kind, "gaps": cmd_gaps})
BESIDE["gaps"] = cmd_gaps  # the catalog and the embedding model: no index needed


# --- answer checks: questions with the facts a right answer states, run after every change ---
def _add_check_parsers(sub, common) -> None:
    c = sub.add_parser("checks", parents=[common],
                       help="answer checks: questions and the facts a right answer states (list, add, suggest, run, rm)")
    actions = c.add_subparsers(dest="action")
    actions.add_parser("list", parents=[common], help="the assistant's checks")
    add = actions.add_parser("add", parents=[common], help="a new check: a question and the facts its answer must state")
    add.add_argument("question")
    add.add_argument("--fact", action="append", required=True, metavar="F",
                     help="a figure, name, date or step count the answer must state (repeatable)")
    add.add_argument("--source", metavar="FILE", default=None, help="the document the answer must cite")
    sg = actions.add_parser("suggest", parents=[common],
                            help="checks offered from the documents (case studies, price tables, how-tos)")
    sg.add_argument("--accept", action="store_true", help="keep every suggested check")
    actions.add_parser("run", parents=[common], help="run the checks now; before/after against the last run")
    rm = actions.add_parser("rm", parents=[common], help="drop a check")
    rm.add_argument("check_id")


def _workspace(store, args) -> str:
    return args.workspace or store.settings.workspace


def _print_checks(checks, args) -> None:
    if args.json:
        _print([c.as_dict() for c in checks])
    elif not checks:
        print("No checks yet. Add one (grounded checks add QUESTION --fact F) or see: grounded checks suggest")
    for c in [] if args.json else checks:
        source = f"  (cites {one_line(c.source)})" if c.source else ""
        print(f"{c.check_id}  {one_line(c.question)}\n      must state: {'; '.join(one_line(f) for f in c.facts)}{source}")


def _print_run(report, args) -> None:
    if args.json:
        _print(report.as_dict())
        return
    for r in report.results:
        print(f"{'pass' if r.passed else 'FAIL'}  {one_line(r.question)}")
        if not r.passed:
            print(f"      {one_line(r.why())}")
            if r.passage:
                print(f"      the fact is in {one_line(r.passage.file)}"
                      + (f", page {r.passage.page}" if r.passage.page else "")
                      + f" (grounded show {r.passage.chunk_id} --png page.png)")
    if report.run.error:
        print(report.run.error)
    print(report.summary() + (f" ({report.run.seconds:.1f} s)" if report.run.seconds is not None else ""))


def cmd_checks(store, args) -> None:
    from .workspace import quality as checks

    ws = _workspace(store, args)
    action = args.action or "list"
    if action == "list":
        _print_checks(checks.list_checks(store, ws, user=None), args)
    elif action == "add":
        made = checks.add_check(store, ws, args.question, args.fact, args.source, user=None)
        _print(made.as_dict()) if args.json else print(f"Added check {made.check_id}.")
    elif action == "rm":
        checks.remove_check(store, ws, args.check_id, user=None)
        _print({"dropped": args.check_id}) if args.json else print(f"Dropped check {args.check_id}.")
    elif action == "suggest":
        offered = checks.suggest_checks(store, ws, user=None)
        kept = [checks.accept_suggestion(store, ws, s, user=None) for s in offered] if args.accept else []
        if args.json:
            _print({"suggested": [s.as_dict() for s in offered], "accepted": [c.check_id for c in kept]})
            return
        if not offered:
            print("Nothing new to suggest: every case study, price table and how-to has its checks.")
        for s in offered:
            print(f"{s.why}: {one_line(s.question)}\n      must state: {'; '.join(s.facts)}  (cites {one_line(s.source)})")
        if kept:
            print(f"Kept {len(kept)} check(s).")
        elif offered:
            print("Keep them all with: grounded checks suggest --accept (or pick on the Checks page)")
    elif action == "run":
        _print_run(checks.run_checks(store, ws, user=None), args)


def cmd_checks_beside(folder, args) -> None:
    """``grounded checks`` while the app holds the index: list and add from the catalog; a run is queued for the app's
    check runner, and waited for."""
    from .workspace import quality as checks

    if (args.action or "list") in ("list", "add", "rm"):
        return cmd_checks(folder, args)
    if args.action == "suggest":
        raise GroundedError("Suggestions read the documents, which the app holds now: see them on its Checks page, "
                            "or stop the app and run this again.")
    run = checks.queue_checks(folder, _workspace(folder, args), user=None)
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline:
        current = folder.catalog.checks.get_run(run.run_id)
        if current.status in ("done", "failed"):
            _print_run(checks.run_report(folder, current.workspace, current.run_id, user=None), args)
            return
        time.sleep(0.5)
    raise GroundedError("The app hasn't finished the run yet; see the Checks page for its results.")


COMMANDS["checks"] = cmd_checks
BESIDE["checks"] = cmd_checks_beside


# --- a team's services: indexers as processes of their own, moving an install to PostgreSQL (docs/team.md) ---
def _add_team_parsers(sub, common) -> None:
    ix = sub.add_parser("indexer", parents=[common],
                        help="work through the indexing queue as a long-lived process (run one or more; docs/team.md)")
    ix.add_argument("--once", action="store_true", help="stop when the queue is empty instead of waiting for more")
    ix.add_argument("--poll", type=float, default=1.0, metavar="SECONDS", help="how often to look for new jobs")
    ix.add_argument("--no-sites", dest="sites", action="store_false",
                    help="don't sync the sites that are due (by default every indexer does, each site by one at a time)")
    ix.add_argument("--sites", dest="sites", action="store_true", help=argparse.SUPPRESS)  # the default now; older setups gave it
    ix.add_argument("--lease", type=float, default=None, metavar="SECONDS",
                    help="how long a job stays this indexer's without a heartbeat before another may take it (default 30)")
    mg = sub.add_parser("migrate", parents=[common],
                        help="copy this install's catalog (assistants, documents, chats, access, queue) into another database")
    mg.add_argument("--to", required=True, metavar="URL", help="postgresql://user:password@host:5432/database (must be empty)")
    mg.add_argument("--originals-dir", type=Path, default=None, metavar="DIR",
                    help="also copy the kept originals into this shared folder (what GROUNDED_ORIGINALS_DIR will name)")


def cmd_indexer(store, args) -> None:
    """Index the queue until stopped (SIGTERM, Ctrl-C: after the current document), beside any number of others."""
    import signal

    from .ingest.indexer import Indexer

    indexer = Indexer(store, "grounded indexer", poll_s=args.poll, shared=True, lease_s=args.lease,
                      sites=args.sites)
    signal.signal(signal.SIGTERM, lambda *_: indexer.stop(timeout=0))
    print(f"grounded indexer {indexer.token[:8]}: working through the queue of {store.catalog.where}"
          + (" until it is empty" if args.once else " (stop with Ctrl-C)"), file=sys.stderr, flush=True)
    if not store.settings.qdrant_url:
        print("grounded indexer: without QDRANT_URL the passages it indexes stay in this data folder's own index, "
              f"{store.settings.data_dir}: only processes using that folder can search them (docs/team.md).",
              file=sys.stderr, flush=True)
    try:
        indexer.run(until_idle=args.once)
    except KeyboardInterrupt:
        indexer.stop(timeout=0)
        raise


def cmd_migrate(store, args) -> None:
    from .catalog.migrate import copy_catalog

    originals = None
    if args.originals_dir is not None:
        shared = args.originals_dir.expanduser().absolute()
        originals = (store.settings.files_dir, shared / "files")
    counts = copy_catalog(store.catalog, args.to, originals)
    if args.json:
        _print(counts)
        return
    print(f"Copied into {counts.pop('to')}:")
    for table, n in counts.items():
        print(f"  {table}: {n}")
    print("Next: set GROUNDED_DATABASE_URL to that address for every app and indexer process (docs/team.md).")


COMMANDS.update({"indexer": cmd_indexer, "migrate": cmd_migrate})
BESIDE.update({"migrate": cmd_migrate})


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "bench":  # benchmarks open their own throwaway stores
        from .bench.cli import run as run_bench

        return run_bench(args)
    if args.command == "hash-password":  # needs no data folder
        return cmd_hash_password(args)
    if args.command == "doctor":  # the install, not the data: works while the app runs too
        return cmd_doctor(args)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    from .errors import IndexLocked
    from .store import DataFolder
    from .workspace.runtime import open_store

    store = None
    try:
        settings = Settings.load(args.data_dir)
        if args.workspace:
            settings = settings.with_(workspace=args.workspace)
        try:
            if not settings.indexes_here and args.command == "ingest":
                raise IndexLocked("Indexers index this install's queue (GROUNDED_INDEXER=service).")
            store = open_store(settings)
        except IndexLocked as locked:
            if args.command not in BESIDE:
                raise GroundedError(f"{locked} While it runs, these commands work: {', '.join(BESIDE)}.") from None
            store = DataFolder(settings)  # the catalog alone: queue, list, and ask the holder to search
            BESIDE[args.command](store, args)
        else:
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
