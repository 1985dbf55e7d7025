"""Knowledge-base health: what makes answers messy, and a one-click fix for each where one exists.

Garbage in, garbage out. The checks, each a plain-language finding:

- ``duplicate``: the same document twice (same bytes, or the same text in two
  formats, e.g. an export as .md and as .txt). Fix: delete the older copy.
- ``near_duplicate``: different exports of the same file with small edits
  (word sequences at least 85% alike). Fix: delete the older copy.
- ``superseded``: two versions of one document (same title once version
  words, dates and "final"/"copy" are set aside); the older one can contradict
  the newer. Fix: delete the older version.
- ``little_text``: documents that parsed to little or no text (a scanned PDF
  needs OCR first). Fix: delete it (and upload a text version).
- ``short_chunks`` / ``long_chunks``: passages too small to mean anything, or
  longer than the search model reads (MiniLM reads 256 tokens; the rest of a
  longer passage is invisible to search). Fix: re-chunk.
- ``unknown_kind``: documents of kind "other" (recipes and filters can't use
  them). Fix: set the kind.
- ``never_retrieved``: documents that none of the last questions retrieved
  (only once enough questions were asked since the document was added).
- ``sync_failed``: sites whose last sync failed (their pages stay as they were).
- ``moved``: pages of a site that now redirect elsewhere (they are read from
  their new address; the link or sitemap that names the old one is out of date).
- ``stale_pages``: pages and export articles whose site says they haven't
  changed for over a year: they may describe an older product.

The last check needs a record of what gets retrieved: :meth:`rag.catalog.Catalog.record_retrieval`
keeps a per-chunk counter and a per-question row in two small tables of the
catalog (``retrieval_hits``, ``retrieval_questions``). The ask flow calls it
after retrieval.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import PurePosixPath

from ..errors import GroundedError
from ..ingest import origins
from ..ingest import sources as site_sources
from ..ingest.kinds import KINDS, STYLE_KINDS, document_date_of, records
from ..types import ChunkSettings
from . import documents
from .access import User
from .assistants import get_assistant

MIN_QUESTIONS = 20  # questions asked since a document was added before "never retrieved" is said
SHORT_TOKENS = 12
NEAR_DUPLICATE = 0.85
MAX_COMPARE_WORDS = 4000
STALE_DAYS = 365
LISTED = 5  # pages named in a finding's detail; the rest are counted


# the retrieval log (written by Catalog.record_retrieval)
def retrieved_docs(catalog, workspace: str) -> dict[str, int]:
    """doc_id -> how many times any of its chunks was retrieved."""
    return catalog.usage.hits_by_document(workspace)


def questions_since(catalog, workspace: str, since: float) -> int:
    return catalog.usage.questions_since(workspace, since)


# findings
@dataclass(frozen=True)
class Fix:
    """A one-click repair. ``action``: delete | rechunk | set_kind."""

    action: str
    doc_id: str
    label: str
    args: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Finding:
    check: str
    severity: str  # high | medium | low
    title: str
    detail: str
    doc_ids: list[str]
    files: list[str]
    fixes: list[Fix] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {**{k: v for k, v in asdict(self).items() if k != "fixes"}, "fixes": [f.as_dict() for f in self.fixes]}


CHECK_TITLES = {
    "duplicate": "Duplicate documents",
    "near_duplicate": "Near-duplicate documents",
    "superseded": "Older versions",
    "little_text": "Little or no text",
    "short_chunks": "Passages too short",
    "long_chunks": "Passages too long",
    "unknown_kind": "Documents without a kind",
    "never_retrieved": "Never used in answers",
    "sync_failed": "Sites that failed to sync",
    "moved": "Pages that moved",
    "stale_pages": "Pages not updated for a long time",
}


@dataclass
class HealthReport:
    workspace: str
    documents: int
    chunks: int
    questions: int
    findings: list[Finding]

    def by_check(self) -> dict[str, list[Finding]]:
        out: dict[str, list[Finding]] = {}
        for f in self.findings:
            out.setdefault(f.check, []).append(f)
        return out

    @property
    def healthy(self) -> bool:
        return not any(f.severity in ("high", "medium") for f in self.findings)

    def as_dict(self) -> dict:
        return {
            "workspace": self.workspace,
            "documents": self.documents,
            "chunks": self.chunks,
            "questions_logged": self.questions,
            "healthy": self.healthy,
            "counts": {k: len(v) for k, v in self.by_check().items()},
            "findings": [f.as_dict() for f in self.findings],
        }


@dataclass
class _Doc:
    row: object
    date: float
    chunks: list[tuple[int, str, int]] = field(default_factory=list)  # (index, text, tokens)

    @property
    def text(self) -> str:
        return "\n".join(t for _, t, _ in sorted(self.chunks))

    @property
    def words(self) -> list[str]:
        return _WORD.findall(self.text.lower())


_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def _workspace_chunks(store, workspace: str) -> dict[str, list[tuple[int, str, int, str]]]:
    """doc_id -> [(chunk index, text, tokens, version)] for every point of the workspace, in one scroll."""
    out: dict[str, list] = defaultdict(list)
    for _, pl in store.index.all_chunks(workspace, ["doc_id", "version", "chunk_index", "text", "tokens"]):
        out[pl.get("doc_id", "")].append((pl.get("chunk_index", 0), pl.get("text", ""), pl.get("tokens", 0), pl.get("version")))
    return out


def _embedding_limit(store) -> int | None:
    from ..index.embed import MINILM_MAX_TOKENS

    return MINILM_MAX_TOKENS if store.settings.embedding == "minilm" else None


def _older_first(docs: list[_Doc]) -> list[_Doc]:
    return sorted(docs, key=lambda d: (d.date, d.row.uploaded, d.row.updated))


def _when(ts: float) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(ts))


def _delete_fixes(older: list[_Doc], why: str) -> list[Fix]:
    return [Fix("delete", d.row.doc_id, f"Delete {why} ({d.row.file})") for d in older]


# duplicates
def _shingles(words: list[str], n: int = 4) -> set[int]:
    if len(words) < n:
        return {hash(" ".join(words))} if words else set()
    return {int(hashlib.blake2b(" ".join(words[i : i + n]).encode(), digest_size=8).hexdigest(), 16) for i in range(len(words) - n + 1)}


def similarity(a: list[str], b: list[str]) -> float:
    """How alike two word sequences are (0-1), robust to small edits and re-wrapped lines."""
    a, b = a[:MAX_COMPARE_WORDS], b[:MAX_COMPARE_WORDS]
    if not a or not b:
        return 0.0
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < NEAR_DUPLICATE or matcher.quick_ratio() < NEAR_DUPLICATE:
        return matcher.quick_ratio()
    return matcher.ratio()


def _duplicates(docs: list[_Doc]) -> tuple[list[Finding], set[frozenset[str]]]:
    findings: list[Finding] = []
    pairs: set[frozenset[str]] = set()
    words = {d.row.doc_id: d.words for d in docs}
    by_id = {d.row.doc_id: d for d in docs}

    # candidates: same bytes, same words, or many shared 4-word shingles
    candidates: dict[frozenset[str], str] = {}
    by_hash: dict[str, list[str]] = defaultdict(list)
    by_words: dict[str, list[str]] = defaultdict(list)
    for d in docs:
        if d.row.content_hash:
            by_hash[d.row.content_hash].append(d.row.doc_id)
        if words[d.row.doc_id]:
            by_words[hashlib.sha256(" ".join(words[d.row.doc_id]).encode()).hexdigest()].append(d.row.doc_id)
    for group in list(by_hash.values()) + list(by_words.values()):
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                candidates[frozenset((a, b))] = "same"
    shingles = {i: _shingles(w) for i, w in words.items() if len(w) >= 15}
    postings: dict[int, list[str]] = defaultdict(list)
    for doc_id, sh in shingles.items():
        for s in sh:
            postings[s].append(doc_id)
    shared: dict[frozenset[str], int] = defaultdict(int)
    for ids in postings.values():
        if 1 < len(ids) <= 25:  # boilerplate shared by many documents says nothing
            for i, a in enumerate(ids):
                for b in ids[i + 1 :]:
                    shared[frozenset((a, b))] += 1
    for pair, n in shared.items():
        a, b = tuple(pair)
        if pair not in candidates and n >= max(3, 0.3 * min(len(shingles[a]), len(shingles[b]))):
            score = similarity(words[a], words[b])
            if score >= NEAR_DUPLICATE:
                candidates[pair] = f"{score:.2f}"

    # group pairs (a re-export may exist three times)
    parent = {d.row.doc_id: d.row.doc_id for d in docs}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for pair in candidates:
        a, b = tuple(pair)
        parent[find(a)] = find(b)
        pairs.add(pair)
    groups: dict[str, list[str]] = defaultdict(list)
    for pair in candidates:
        for x in pair:
            if x not in groups[find(x)]:
                groups[find(x)].append(x)
    for members in groups.values():
        group = _older_first([by_id[m] for m in members])
        keep, older = group[-1], group[:-1]
        exact = all(candidates.get(frozenset((m.row.doc_id, keep.row.doc_id))) == "same" for m in older)
        files = [d.row.file for d in group]
        if exact:
            same_bytes = len({d.row.content_hash for d in group}) == 1
            title = "The same document is here " + ("twice" if len(group) == 2 else f"{len(group)} times")
            detail = ("These files are identical" if same_bytes else "These files hold the same text in different formats") + \
                f": {', '.join(files)}. Answers cite the same thing twice and other passages get crowded out."
            check = "duplicate"
        else:
            title = f"{len(group)} exports of the same document"
            detail = (f"{', '.join(files)} are nearly the same text (small edits apart). "
                      f"The newest is {keep.row.file}; the others can contradict it.")
            check = "near_duplicate"
        findings.append(Finding(check, "medium", title, detail, [d.row.doc_id for d in group], files,
                                _delete_fixes(older, "the older copy")))
    return findings, pairs


# superseded versions
_VERSION_WORDS = re.compile(
    r"\b(v|ver|version|rev|r)\s?\d+([._]\d+)*\b|\b(final|draft|copy|updated?|new|old|latest|current|revised|edit(ed)?|"
    r"wip|approved|clean|signed)\b|\(\d+\)|\b(19|20)\d{2}([-_. ]?\d{1,2}){0,2}\b|\bq[1-4]\b|"
    r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b",
    re.I,
)
_GENERIC = {"index", "readme", "page", "untitled", "document", "file", "default", "home", "notes", "new", "main", "overview",
            "introduction", "intro", "article", "post", "doc", "text", "export", "data"}


def title_key(name: str) -> str:
    """A document's name with version words, dates and copy marks taken out ("Pricing v2 (final).pdf" -> "pricing")."""
    stem = PurePosixPath(name).stem.lower()
    stem = _VERSION_WORDS.sub(" ", stem.replace("_", " ").replace("-", " "))
    stem = re.sub(r"[^\w]+", " ", stem)
    stem = re.sub(r"\b\d+\b", " ", stem)
    key = " ".join(stem.split())
    return "" if key in _GENERIC or len(key) < 4 else key


def _superseded(docs: list[_Doc], duplicate_pairs: set[frozenset[str]]) -> list[Finding]:
    groups: dict[tuple, list[_Doc]] = defaultdict(list)
    for d in docs:
        if d.row.kind in STYLE_KINDS:
            continue  # posts are many, dated, and alike by design
        folder = str(PurePosixPath(d.row.file).parent)
        if key := title_key(d.row.file):
            groups[(folder, key)].append(d)
        elif d.row.title and len(d.row.title.split()) >= 3 and (tkey := title_key(d.row.title + ".x")):
            groups[("title", tkey, d.row.kind)].append(d)
    findings = []
    for members in groups.values():
        if len(members) < 2:
            continue
        ordered = _older_first(members)
        newest = ordered[-1]
        older = [d for d in ordered[:-1] if frozenset((d.row.doc_id, newest.row.doc_id)) not in duplicate_pairs]
        if not older:
            continue
        files = [d.row.file for d in older] + [newest.row.file]
        dated = ", ".join(f"{d.row.file} ({_when(d.date)})" for d in older)
        findings.append(Finding(
            "superseded", "medium", f"Older version of {newest.row.file}",
            f"{dated} look{'s' if len(older) == 1 else ''} like an older version of {newest.row.file} ({_when(newest.date)}). "
            "Answers may quote the old figures.",
            [d.row.doc_id for d in older] + [newest.row.doc_id], files, _delete_fixes(older, "the older version"),
        ))
    return findings


# text and passages
_NO_TEXT_ERRORS = re.compile(r"no text|empty|scanned|only blank|no readable", re.I)


def _little_text(docs: list[_Doc], failed: list) -> list[Finding]:
    findings = []
    for d in docs:
        chars = sum(len(t) for _, t, _ in d.chunks)
        pages = d.row.pages or 0
        if pages >= 2 and chars / pages < 200 and d.row.file.lower().endswith(".pdf"):
            findings.append(Finding(
                "little_text", "high", f"{d.row.file} looks scanned",
                f"Only about {chars // max(pages, 1)} characters of text per page over {pages} pages: it is probably a scan "
                "(pictures of pages). Run it through OCR or export a text PDF, then upload that instead.",
                [d.row.doc_id], [d.row.file], [Fix("delete", d.row.doc_id, f"Delete {d.row.file}")],
            ))
        elif chars < 80 and d.row.kind not in STYLE_KINDS:
            findings.append(Finding(
                "little_text", "medium", f"{d.row.file} has almost no text",
                f"Only {chars} characters could be read from it, too little to answer anything from.",
                [d.row.doc_id], [d.row.file], [Fix("delete", d.row.doc_id, f"Delete {d.row.file}")],
            ))
    for row in failed:
        if row.error and _NO_TEXT_ERRORS.search(row.error):
            findings.append(Finding(
                "little_text", "high", f"{row.file} has no readable text",
                f"{row.error} If it is a scan, run it through OCR first.",
                [row.doc_id], [row.file], [Fix("delete", row.doc_id, f"Remove {row.file} from the list")],
            ))
    return findings


def _chunk_sizes(docs: list[_Doc], store) -> list[Finding]:
    from ..types import ChunkSettings

    limit = _embedding_limit(store)
    default = store.settings.chunking
    findings = []
    for d in docs:
        settings = ChunkSettings(**d.row.chunk_settings) if d.row.settings else default
        tokens = [n for _, _, n in d.chunks]
        short = [n for n in tokens if n < SHORT_TOKENS]
        if len(tokens) >= 3 and len(short) >= 3 and len(short) / len(tokens) >= 0.3:
            findings.append(Finding(
                "short_chunks", "low", f"{d.row.file} is cut into tiny passages",
                f"{len(short)} of its {len(tokens)} passages are under {SHORT_TOKENS} words long (often short sections or "
                "headings on their own). Tiny passages match searches by accident and carry no context.",
                [d.row.doc_id], [d.row.file],
                [Fix("rechunk", d.row.doc_id, "Re-chunk it (merge the small pieces)",
                     {"strategy": "recursive", "size": settings.size, "overlap": settings.overlap})],
            ))
        cap = limit or 2 * settings.size
        long = [n for n in tokens if n > cap]
        if long:
            size = min(settings.size, limit) if limit else settings.size
            findings.append(Finding(
                "long_chunks", "medium" if limit else "low", f"{d.row.file} has passages too long to search",
                f"{len(long)} of its {len(tokens)} passages are longer than {cap} tokens"
                + (", the most the search model reads: the end of each is invisible to search." if limit else "."),
                [d.row.doc_id], [d.row.file],
                [Fix("rechunk", d.row.doc_id, f"Re-chunk it into passages of {size} tokens",
                     {"strategy": settings.strategy if settings.strategy != "fixed" else "recursive", "size": size,
                      "overlap": min(settings.overlap, size // 4)})],
            ))
    return findings


def _unknown_kind(docs: list[_Doc], kind_records) -> list[Finding]:
    findings = []
    for d in docs:
        rec = kind_records.get(d.row.doc_id)
        if d.row.kind != "other" or (rec and rec.chosen):
            continue  # a person who chose "other" meant it
        findings.append(Finding(
            "unknown_kind", "low", f"{d.row.file} has no kind",
            "Say what it is (case study, help center, product launch...) so the recipes and kind filters can use it.",
            [d.row.doc_id], [d.row.file],
            [Fix("set_kind", d.row.doc_id, "Set its kind", {"choices": [k for k in KINDS if k != "other"]})],
        ))
    return findings


def _never_retrieved(docs: list[_Doc], store, workspace: str) -> list[Finding]:
    used = retrieved_docs(store.catalog, workspace)
    findings = []
    for d in docs:
        if d.row.kind in STYLE_KINDS or used.get(d.row.doc_id):
            continue
        asked = questions_since(store.catalog, workspace, d.row.uploaded)
        if asked < MIN_QUESTIONS:
            continue
        findings.append(Finding(
            "never_retrieved", "low", f"No question has used {d.row.file}",
            f"None of the {asked} questions asked since it was added retrieved it. It may be off-topic, or its text may "
            "not say what its title promises.",
            [d.row.doc_id], [d.row.file], [Fix("delete", d.row.doc_id, f"Delete {d.row.file} (if it isn't needed)")],
        ))
    return findings


# sites and exports
def _listed(items: list[str]) -> str:
    more = f" and {len(items) - LISTED} more" if len(items) > LISTED else ""
    return "; ".join(items[:LISTED]) + more


def _sites(store, workspace: str) -> list[Finding]:
    findings = []
    for source in site_sources.list_sources(store.catalog, workspace):
        if source.last_status == "failed":
            findings.append(Finding(
                "sync_failed", "high", f"{source.name} could not be synced",
                f"The last sync ({_when(source.last_sync)}) failed: {source.last_error} Its pages stay as they were "
                "until a sync succeeds. Check the address, then sync it again.", [], [source.origin],
            ))
        moved = [p for p in site_sources.pages(store.catalog, source.source_id)
                 if p["doc_id"] and p["final_url"] and p["final_url"] != p["url"]]
        if moved:
            where = _listed([f"{p['url']} now redirects to {p['final_url']}" for p in moved])
            findings.append(Finding(
                "moved", "low", f"{len(moved)} page{'s' if len(moved) > 1 else ''} of {source.name} moved",
                f"{where}. Grounded reads them at their "
                "new address; links and sitemaps that still name the old one are out of date.",
                [p["doc_id"] for p in moved], [p["url"] for p in moved],
            ))
    return findings


def _stale(docs: list[_Doc], store, workspace: str, now: float) -> list[Finding]:
    changed = origins.modified_of(store.catalog, workspace)
    old = sorted(((changed[d.row.doc_id], d) for d in docs
                  if d.row.doc_id in changed and now - changed[d.row.doc_id] > STALE_DAYS * 86400), key=lambda x: x[0])
    if not old:
        return []
    return [Finding(
        "stale_pages", "low", f"{len(old)} page{'s' if len(old) > 1 else ''} not updated for over a year",
        f"Their site says they last changed long ago: {_listed([f'{d.row.title or d.row.file} ({_when(t)})' for t, d in old])}. "
        "They may describe an older product; check them, or remove those that are out of date.",
        [d.row.doc_id for _, d in old], [d.row.file for _, d in old],
        [Fix("delete", d.row.doc_id, f"Delete {d.row.file}") for _, d in old[:LISTED]],
    )]


def check_health(store, workspace: str | None, user: User | None) -> HealthReport:
    """Every check on one assistant's documents, if ``user`` may use it (``None``: the command line)."""
    workspace = workspace or store.settings.workspace
    if user is not None:
        get_assistant(store.catalog, workspace, user)
    rows = store.catalog.documents(workspace)
    ready = [r for r in rows if r.status == "ready"]
    failed = [r for r in rows if r.status == "failed"]
    points = _workspace_chunks(store, workspace) if ready else {}
    docs = []
    for r in ready:
        current = [(i, t, n) for i, t, n, v in points.get(r.doc_id, []) if v == r.version or v is None]
        docs.append(_Doc(r, document_date_of(store.catalog, r), current))
    findings: list[Finding] = []
    dup_findings, dup_pairs = _duplicates(docs)
    findings += dup_findings
    findings += _superseded(docs, dup_pairs)
    findings += _little_text(docs, failed)
    findings += _chunk_sizes(docs, store)
    findings += _unknown_kind(docs, records(store.catalog, workspace))
    findings += _never_retrieved(docs, store, workspace)
    findings += _sites(store, workspace)
    findings += _stale(docs, store, workspace, time.time())
    order = {"high": 0, "medium": 1, "low": 2}
    findings.sort(key=lambda f: (order[f.severity], list(CHECK_TITLES).index(f.check)))
    return HealthReport(
        workspace=workspace,
        documents=len(ready),
        chunks=sum(len(d.chunks) for d in docs),
        questions=questions_since(store.catalog, workspace, 0.0),
        findings=findings,
    )


def apply_fix(store, fix: Fix, user: User | None, kind: str | None = None) -> str:
    """Carry out a fix for a user who manages the document's assistant; returns what was done, in plain words.

    ``kind`` is the user's pick for ``set_kind``.
    """
    row = documents.document(store, fix.doc_id, user, manage=True)
    if fix.action == "delete":
        documents.delete(store, fix.doc_id, user)
        return f"Deleted {row.file}."
    if fix.action == "rechunk":
        chunking = ChunkSettings(**{k: fix.args[k] for k in ("strategy", "size", "overlap")})
        result = documents.reindex(store, fix.doc_id, user, chunking)
        if result.status == "failed":
            raise GroundedError(f"{row.file} could not be re-chunked: {result.error}")
        return f"Re-chunked {row.file} into {result.chunks} passages."
    if fix.action == "set_kind":
        chosen = kind or fix.args.get("kind")
        if not chosen:
            raise GroundedError("Choose a kind first.")
        documents.set_kind(store, fix.doc_id, chosen, user)
        return f"{row.file} is now marked “{chosen}”."
    raise GroundedError(f"Unknown fix {fix.action!r}.")
