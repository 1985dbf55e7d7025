"""Room for a team: N real browser sessions asking one app process with a 10,000-document assistant.

``grounded bench team`` builds (or reuses, with ``--data-dir``) an assistant of generated marketing
documents: customer case studies and product help articles, each with its own figures and a
made-up name found in no other document, so every question has one known answer document and a
known answer ("How long did onboarding take for Zorvela Foods?" -> "12 days"). The documents go in
through the library (``ingest_paths``) into the default assistant of a data folder; the app is
then started on that folder (``GROUNDED_DATA_DIR``, offline, extractive answers) on loopback.

For each N (1, 5, 10, 20 by default) one Chromium (Debian's, driven by Playwright as the browser
tests drive it) opens N sessions on the Chat page; in each round all N press Enter at the same
moment, the worst moment for a shared process. An answer's time is what its asker sees: from
pressing Enter to the answer and its sources on the page (the answer as the chat keeps it, with
its "Export answer" button, drawn after the sources). An answer that does not state the known
figure, or does not cite the known document, or does not come within the time bound, is an
error. Meanwhile the app's resident memory (its process and children) is sampled, and its CPU
seconds are counted, and the browser's, to tell where the time goes; the same questions asked of
the library alone before the app starts (one at a time, then N at once from N threads) give the
share that is answering rather than serving the page.

With ``--database-url postgresql://...`` the catalog moves to a fresh database on that server (a
copy of the assistant's, made as ``grounded migrate`` makes it; dropped at the end) and the team setup
of docs/team.md runs: app processes with ``GROUNDED_INDEXER=service`` (they index nothing) and one idle
``grounded indexer`` beside them, whose CPU counts with theirs. ``--apps 1,2`` runs the sessions
against one, then two app processes sharing that catalog, the sessions alternating between their
ports (no proxy). Two app processes cannot open one embedded index folder (Qdrant Edge's folder lock:
the second stops with "already in use"), and the app has no relay of its own (the relay serves the
command line: :mod:`rag.answer.relay`), so each further app gets its own copy of the index, made
before it starts, as a Qdrant server would give every app the same vectors. What relaying reads to
the index's holder would cost instead is measured too: the same questions handed through the relay
to the first app by N threads at once. CPU per answer (apps and indexer, not the browser) gives the
arithmetic printed at the end: answers a second per core, and the cores N people asking at the same
moment need for the p95 target.

The browser runs on the same cores as the app, as it would not for a real team: figures are
pessimistic, the more so the more sessions. Loopback only; every step is bounded in count and time.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import os
import random
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

from .common import Target, header, progress, table, target_lines
from .metrics import percentile
from .servers import app_server

GENERATOR = 1  # bumped when the documents change: a kept data folder of another generator is rebuilt
MARKER = "bench-team.json"
WORKSPACE = "default"  # the assistant the app opens first ("My assistant")
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@dataclass(frozen=True)
class TeamConfig:
    sessions: tuple[int, ...] = (1, 5, 10, 20)
    documents: int = 10_000
    questions: int = 5  # rounds: each session asks this many questions
    data_dir: Path | None = None  # keep (and reuse) the ingested assistant here
    answer_timeout_s: float = 60.0  # an answer later than this is an error
    limit_s: float = 1800.0  # the whole load test (all N) stops after this long
    seed: int = 11
    target_p95_s: float = 3.0
    target_sessions: int = 20
    # the catalog on this PostgreSQL server (a fresh database, dropped after), app processes as a team runs
    # them (GROUNDED_INDEXER=service, one `grounded indexer` beside them); None: SQLite, the app indexes
    database_url: str | None = None
    apps: tuple[int, ...] = (1,)  # app processes sharing the catalog, one round each (more than 1: PostgreSQL)


MAX_APPS = 4


def check_config(config: TeamConfig) -> None:
    """A plain ValueError for options that can't run (before minutes of ingest)."""
    if not config.apps or any(n < 1 or n > MAX_APPS for n in config.apps):
        raise ValueError(f"--apps takes counts of app processes from 1 to {MAX_APPS}, e.g. 1,2")
    if config.database_url is None and any(n > 1 for n in config.apps):
        raise ValueError("two or more app processes share the catalog on PostgreSQL: give --database-url postgresql://...")
    if config.database_url is not None and not config.database_url.startswith(("postgresql://", "postgres://")):
        raise ValueError("--database-url takes a PostgreSQL server's address: postgresql://user@host:port/database")


# --- the documents --------------------------------------------------------------------------

@dataclass(frozen=True)
class Question:
    text: str
    expected: str  # the figure a right answer states
    file: str  # the document that holds it
    title: str  # its title, as its source is named under the answer


@dataclass(frozen=True)
class TeamDocument:
    file: str
    title: str
    text: str
    questions: tuple[Question, ...] = field(default=())


INDUSTRIES = (
    ("Foods", "food distributor"), ("Logistics", "freight and logistics company"), ("Health", "clinic group"),
    ("Bank", "regional bank"), ("Retail", "retail chain"), ("Software", "software vendor"),
    ("Energy", "energy supplier"), ("Travel", "travel agency"), ("Insurance", "insurer"),
    ("Studios", "design studio"), ("Labs", "research lab"), ("Motors", "car dealer group"),
)
PRODUCT_AREAS = (
    ("Desk", "help desk"), ("Books", "accounting tool"), ("Mail", "email marketing tool"),
    ("Sign", "e-signature tool"), ("Shift", "staff scheduling app"), ("Forms", "survey builder"),
)
CONSONANTS, VOWELS = "bdfgklmnprstvz", "aeiou"


def coined_names(count: int, seed: int) -> list[str]:
    """``count`` distinct made-up brand words (``Zorvela``): each names one company or product only.

    Real brands are often coined words; a word found in one document only is what lets every
    question have a single right answer among thousands of look-alike documents.
    """
    rng = random.Random(seed)
    names: dict[str, None] = {}
    while len(names) < count:
        word = "".join(rng.choice(CONSONANTS) + rng.choice(VOWELS) for _ in range(rng.randint(3, 4)))
        names.setdefault(word.capitalize(), None)
    return list(names)


def case_study(name: str, rng: random.Random) -> TeamDocument:
    """A customer story with before/after figures and a quote, and the question it answers.

    Only figures stated in a sentence that names the company are asked for: the extractive
    answer quotes the sentence that matches the question best, and for "By how much did support
    tickets fall at Gizagi Foods?" that is the one naming Gizagi Foods (its onboarding), not
    "Support tickets fell by 27%" (2 of 20 such questions in a trial). A quoting matter, not a
    load one: this benchmark counts what load does to right answers.
    """
    suffix, industry = rng.choice(INDUSTRIES)
    company = f"{name} {suffix}"
    reps = rng.randint(8, 400)
    before, after = rng.randint(25, 90), rng.randint(4, 20)
    tickets = rng.randint(15, 60)
    quarters = rng.randint(2, 4)
    file = f"case-studies/{name.lower()}-{suffix.lower()}.md"
    text = f"""# {company} case study

{company} is a {industry} with {reps} customer-facing staff.

## Challenge
New hires needed weeks of shadowing before they could answer product questions on their own,
and the same questions reached the support team again and again.

## Results
{company} cut onboarding from {before} days to {after} days after adopting our assistant.
Support tickets fell by {tickets}% within {quarters} quarters.

"We finally answer from one source of truth," says the head of operations at {company}.
"""
    title = f"{company} case study"
    questions = (Question(f"How long did onboarding take for {company}?", f"{after} days", file, title),)
    return TeamDocument(file, title, text, questions)


def help_article(name: str, rng: random.Random) -> TeamDocument:
    """A help-center article of a made-up product with its plan price and a limit, and two questions."""
    suffix, area = rng.choice(PRODUCT_AREAS)
    product = f"{name} {suffix}"
    price = rng.choice((9, 12, 19, 24, 29, 39, 49, 59, 79, 99, 149))
    days = rng.choice((3, 5, 7, 10, 14, 21, 30))
    file = f"help/{name.lower()}-{suffix.lower()}-plans.md"
    text = f"""# {product} plans and invitations

{product} is a {area} for small teams.

## Plans
The Team plan of {product} costs ${price} per month per workspace, billed monthly.
Every plan includes unlimited projects and email support.

## Invitations
Admins invite teammates from Settings, Members. Invitations to {product} expire after {days} days;
an admin can resend one from the same page.
"""
    title = f"{product} plans and invitations"
    questions = (
        Question(f"How much does the Team plan of {product} cost?", f"${price}", file, title),
        Question(f"When do invitations to {product} expire?", f"{days} days", file, title),
    )
    return TeamDocument(file, title, text, questions)


def make_documents(count: int, seed: int = 11) -> list[TeamDocument]:
    """``count`` documents, two case studies for each help article, the same for a given seed.

    Their text does not change with the questions asked (the ingested assistant stays reusable).
    """
    rng = random.Random(seed)
    return [(help_article if n % 3 == 2 else case_study)(name, rng) for n, name in enumerate(coined_names(count, seed))]


def write_documents(folder: Path, documents: Sequence[TeamDocument]) -> None:
    for doc in documents:
        path = folder / doc.file
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(doc.text)


# --- the assistant ----------------------------------------------------------------------------

def _app_settings(data_dir: Path):
    """The settings the app will run with on ``data_dir``: offline model, embedded index, extractive answers."""
    from dataclasses import replace

    from ..settings import Settings

    return replace(Settings.load(data_dir), qdrant_url=None, qdrant_api_key=None, embedding="minilm")


def build_assistant(data_dir: Path, documents: Sequence[TeamDocument], seed: int) -> dict:
    """The documents ingested into the default assistant of ``data_dir``; reused when already there.

    Either way its approximate index (due past ``GROUNDED_APPROXIMATE_FROM`` passages) is built
    before this returns, as the app would have it after a quiet spell. Returns what the marker
    records: how many documents, the generator, the ingest's and the index build's times.
    """
    from ..ingest.recovery import open_store

    marker = data_dir / MARKER
    wanted = {"documents": len(documents), "generator": GENERATOR, "seed": seed}
    kept = json.loads(marker.read_text()) if marker.exists() else None
    if kept is not None and {k: kept.get(k) for k in wanted} != wanted:
        raise ValueError(f"{data_dir} holds another assistant ({kept}); give an empty folder or the same options")
    if kept is None and data_dir.exists() and any(data_dir.iterdir()):
        raise ValueError(f"{data_dir} is not empty and was not made by this benchmark; give an empty folder")
    reused = kept is not None
    store = open_store(_app_settings(data_dir))
    try:
        if not reused:
            kept = {**wanted, **_ingest(store, data_dir / "bench-documents", documents)}
            marker.write_text(json.dumps(kept, indent=2) + "\n")
        else:
            progress(f"reusing the assistant in {data_dir} (ingested in {kept['ingest_s']:.0f} s)")
        started = time.perf_counter()
        store.index.settle(WORKSPACE, timeout=1800)
        settle_s = time.perf_counter() - started
        chunks = store.index.count(WORKSPACE)
    finally:
        store.close()
    return {**kept, "chunks": chunks, "settle_s": round(settle_s, 1), "reused": reused}


def _ingest(store, source: Path, documents: Sequence[TeamDocument]) -> dict:
    """Write the documents to ``source`` and ingest them through the library; the time it took."""
    from ..ingest.pipeline import ingest_paths
    from ..workspace.assistants import ensure_default

    write_documents(source, documents)
    ensure_default(store.catalog, WORKSPACE)
    progress(f"ingesting {len(documents):,} documents (minutes: each is embedded)")
    started = time.perf_counter()
    reported: set[int] = set()

    def report(p) -> None:
        if p.done and p.done % 500 == 0 and p.done not in reported:
            reported.add(p.done)
            progress(f"  {p.done:,} of {p.total:,} ({p.done / (time.perf_counter() - started):.1f} documents/s)")

    result = ingest_paths(store, [source], workspace=WORKSPACE, on_progress=report)
    ingest_s = time.perf_counter() - started
    if failed := result.count("failed"):
        raise ValueError(f"{failed} generated documents did not ingest: {result.as_dict()['files'][:3]}")
    return {"ingest_s": round(ingest_s, 1), "documents_per_s": round(len(documents) / ingest_s, 2)}


def library_times(data_dir: Path, documents: Sequence[TeamDocument], config: TeamConfig) -> dict:
    """The questions asked of the library alone (no app, no browser): answering's share of the time.

    First 20 questions one at a time, then for each N the browsers' own questions, N threads
    asking at the same moment in each round, as the app's sessions do.
    """
    from concurrent.futures import ThreadPoolExecutor

    from ..answer.chain import ask
    from ..ingest.recovery import open_store

    def timed(question: Question, start: threading.Barrier | None = None) -> tuple[float, bool]:
        if start is not None:
            start.wait()
        started = time.perf_counter()
        answer = ask(store, question.text, WORKSPACE, user=None)
        right = states(answer.answer, question.expected) and any(c.file == question.file for c in answer.citations)
        return time.perf_counter() - started, right

    store = open_store(_app_settings(data_dir))
    try:
        sample = assign_questions(documents, 1, min(20, sum(len(d.questions) for d in documents)), config.seed - 1)[0]
        timed(sample[0])  # loads the embedding model: not a question's cost
        alone = [timed(q) for q in sample]
        at_once = []
        for n in config.sessions:
            questions = assign_questions(documents, n, config.questions, config.seed + n)
            results: list[tuple[float, bool]] = []
            with ThreadPoolExecutor(n) as pool:
                for k in range(config.questions):
                    results += pool.map(timed, [qs[k] for qs in questions], [threading.Barrier(n)] * n)
            at_once.append({"sessions": n, "questions": len(results), "wrong": sum(not r for _, r in results),
                            **spread([t for t, _ in results])})
    finally:
        store.close()
    return {"questions": len(alone), "wrong": sum(not r for _, r in alone), **spread([t for t, _ in alone]),
            "at_once": at_once}


def states(text: str, expected: str) -> bool:
    """Whether an answer states the expected figure (case and spacing aside)."""
    return _squashed(expected) in _squashed(text)


def _squashed(text: str) -> str:
    return " ".join(text.lower().split())


def spread(seconds: Sequence[float]) -> dict:
    """p50, p95 and the slowest of some times, in seconds (zeros when there are none)."""
    if not seconds:
        return {"p50_s": 0.0, "p95_s": 0.0, "max_s": 0.0}
    return {"p50_s": round(percentile(seconds, 50), 3), "p95_s": round(percentile(seconds, 95), 3),
            "max_s": round(max(seconds), 3)}


def assign_questions(documents: Sequence[TeamDocument], sessions: int, rounds: int, seed: int) -> list[list[Question]]:
    """``rounds`` questions for each of ``sessions`` askers, none asked twice, drawn across all documents."""
    pool = [q for doc in documents for q in doc.questions]
    needed = sessions * rounds
    if needed > len(pool):
        raise ValueError(f"{sessions} sessions x {rounds} questions need {needed} questions; the documents hold {len(pool)}")
    drawn = random.Random(seed).sample(pool, needed)
    return [drawn[s * rounds:(s + 1) * rounds] for s in range(sessions)]


# --- the app -----------------------------------------------------------------------------------

class ProcessWatch:
    """Processes and their children: resident memory (peak, sampled) and CPU seconds over a phase."""

    def __init__(self, *pids: int, interval: float = 0.2):
        import psutil

        self.roots = [psutil.Process(pid) for pid in pids]
        self.interval = interval
        self.peak_mb = 0.0
        self._cpu_start = 0.0
        self.cpu_s = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def processes(self) -> list:
        """The processes and their children now (none of those that have ended)."""
        import psutil

        found = []
        for root in self.roots:
            with contextlib.suppress(psutil.Error):
                found += [root, *root.children(recursive=True)]
        return found

    def rss_mb(self) -> float:
        import psutil

        total = 0
        for p in self.processes():
            with contextlib.suppress(psutil.Error):
                total += p.memory_info().rss
        return total / 1e6

    def cpu_seconds(self) -> float:
        """CPU seconds of the processes and their children, those that ended too (a database server's
        backends come and go: each one's time goes to its parent when it ends)."""
        import psutil

        total = 0.0
        for p in self.processes():
            with contextlib.suppress(psutil.Error):
                times = p.cpu_times()
                total += times.user + times.system
        for root in self.roots:
            with contextlib.suppress(psutil.Error):
                times = root.cpu_times()
                total += times.children_user + times.children_system
        return total

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak_mb = max(self.peak_mb, self.rss_mb())

    def __enter__(self) -> Self:
        self.peak_mb = self.rss_mb()
        self._cpu_start = self.cpu_seconds()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_mb = max(self.peak_mb, self.rss_mb())
        self.cpu_s = self.cpu_seconds() - self._cpu_start


# --- the sessions ------------------------------------------------------------------------------

# The answer is on the page as the chat keeps it: the k-th answer of the chat, with its sources and,
# drawn after them, its "Export answer" button (while it streams, the message has neither).
ANSWERED = """(k) => {
  const messages = document.querySelectorAll('[data-testid=stChatMessage]');
  if (messages.length !== 2 * k) return false;
  const last = messages[messages.length - 1];
  if (![...last.querySelectorAll('button')].some(b => b.innerText.includes('Export answer'))) return false;
  return performance.now() - window.__groundedAsked;
}"""
IDLE = ("() => !document.querySelector('[data-testid=stStatusWidget] [data-testid=stStatusWidgetRunningIcon]')"
        " && !document.querySelector('[data-testid=stSkeleton]')")


@dataclass
class Outcome:
    seconds: float | None  # None: no answer within the time bound
    error: str | None = None  # "timed out", "wrong answer", "wrong source", "refused", "page error"


async def _open_chat(page, url: str, timeout_ms: float) -> None:
    await page.goto(url, timeout=timeout_ms)
    await page.locator("[data-testid=stChatInputTextArea]").wait_for(state="visible", timeout=timeout_ms)
    await page.wait_for_function(IDLE, timeout=timeout_ms)


async def _ask(page, question: Question, k: int, timeout_ms: float) -> Outcome:
    """Ask the k-th question of this session's chat; time it as its asker sees it, and judge the answer."""
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    box = page.locator("[data-testid=stChatInputTextArea]")
    try:
        await page.wait_for_function(IDLE, timeout=timeout_ms)
        await box.fill(question.text, timeout=timeout_ms)
        await page.evaluate("() => { window.__groundedAsked = performance.now(); }")
        await box.press("Enter")
        handle = await page.wait_for_function(ANSWERED, arg=k, polling=50, timeout=timeout_ms)
    except PlaywrightTimeout:
        return Outcome(None, "timed out")
    seconds = float(await handle.json_value()) / 1000
    answer = page.locator("[data-testid=stChatMessage]").last
    text = await answer.inner_text()
    sources = " ".join(await answer.locator("[data-testid=stExpander] summary").all_inner_texts())
    if not states(text, question.expected):
        return Outcome(seconds, "refused" if not sources else "wrong answer")
    if question.title.lower() not in sources.lower():
        return Outcome(seconds, "wrong source")
    return Outcome(seconds)


def session_urls(urls: Sequence[str], sessions: int) -> list[str]:
    """The app each session opens: in turn, so N sessions split evenly over the apps (no proxy)."""
    return [urls[s % len(urls)] for s in range(sessions)]


async def _step(browser, urls: Sequence[str], questions: list[list[Question]], timeout_s: float,
                before_closing: Callable[[], None] = lambda: None) -> tuple[list[Outcome], list[str]]:
    """N sessions open the chat (alternating between the apps), then ask in rounds: all N press Enter
    together, each round awaited.

    ``before_closing`` runs after the last round, while the sessions' renderer processes still
    exist (their CPU time is counted then: it goes with them).
    """
    timeout_ms = timeout_s * 1000
    contexts = [await browser.new_context(viewport={"width": 1200, "height": 900}) for _ in questions]
    page_errors: list[str] = []
    try:
        pages = [await c.new_page() for c in contexts]
        for page in pages:
            page.on("pageerror", lambda err: page_errors.append(str(err)))
        await asyncio.gather(*(_open_chat(p, url, timeout_ms) for p, url in zip(pages, session_urls(urls, len(pages)))))
        outcomes: list[Outcome] = []
        for k in range(1, len(questions[0]) + 1):
            outcomes += await asyncio.gather(*(_ask(p, qs[k - 1], k, timeout_ms) for p, qs in zip(pages, questions)))
        before_closing()
    finally:
        for c in contexts:
            await c.close()
    return outcomes, page_errors


def _cpu_of_others(*exclude: ProcessWatch) -> float:
    """CPU seconds of this process's children other than the apps and indexer: the browser and its driver."""
    import psutil

    skip = {p.pid for watch in exclude for p in watch.processes()}
    total = 0.0
    for child in psutil.Process().children(recursive=True):
        if child.pid not in skip:
            with contextlib.suppress(psutil.Error):
                times = child.cpu_times()
                total += times.user + times.system
    return total


def summarise_step(sessions: int, outcomes: Sequence[Outcome], page_errors: int, wall_s: float) -> dict:
    """One N's figures: answer times (answers that came, right or wrong), errors by kind."""
    times = [o.seconds for o in outcomes if o.seconds is not None]
    kinds: dict[str, int] = {}
    for o in outcomes:
        if o.error:
            kinds[o.error] = kinds.get(o.error, 0) + 1
    if page_errors:
        kinds["page error"] = page_errors
    return {"sessions": sessions, "questions": len(outcomes), **spread(times),
            "errors": sum(kinds.values()), "error_kinds": kinds, "wall_s": round(wall_s, 1)}


async def run_load(config: TeamConfig, urls: Sequence[str], app_pids: Sequence[int], documents: Sequence[TeamDocument],
                   indexer_pid: int | None = None, database_pid: int | None = None) -> tuple[dict, list[dict]]:
    """Each app's first answer (it loads the embedding model), then every N in turn, within the time bound."""
    from playwright.async_api import async_playwright

    deadline = time.monotonic() + config.limit_s
    steps: list[dict] = []
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            progress("each app's first answer (not counted: it loads the embedding model) ...")
            warm, errors = await _step(browser, urls, assign_questions(documents, len(urls), 1, config.seed - 2),
                                       config.answer_timeout_s)
            first = summarise_step(len(urls), warm, len(errors), 0.0)
            for n in config.sessions:
                left = deadline - time.monotonic()
                if left <= 0:
                    progress(f"time bound ({config.limit_s:.0f} s) reached: {n} sessions and more not run")
                    break
                questions = assign_questions(documents, n, config.questions, config.seed + n)
                progress(f"{n} session(s) on {len(urls)} app(s), {config.questions} question(s) each ...")
                load_before = os.getloadavg()[0]
                with (ProcessWatch(*app_pids) as app, ProcessWatch(*([indexer_pid] if indexer_pid else [])) as indexer,
                      ProcessWatch(*([database_pid] if database_pid else [])) as database):
                    browser_cpu_at = [_cpu_of_others(app, indexer)]
                    counted = lambda at=browser_cpu_at, watches=(app, indexer): at.append(_cpu_of_others(*watches))
                    started = time.monotonic()
                    try:
                        outcomes, page_errors = await asyncio.wait_for(
                            _step(browser, urls, questions, config.answer_timeout_s, before_closing=counted), timeout=left)
                    except TimeoutError:
                        progress(f"time bound ({config.limit_s:.0f} s) reached during {n} sessions")
                        break
                    wall = time.monotonic() - started
                step = summarise_step(n, outcomes, len(page_errors), wall)
                step.update(apps=len(urls), app_rss_peak_mb=round(app.peak_mb, 1), app_rss_end_mb=round(app.rss_mb(), 1),
                            app_cpu_s=round(app.cpu_s, 1), app_cpu_per_question_s=round(app.cpu_s / len(outcomes), 3),
                            indexer_cpu_s=round(indexer.cpu_s, 1),
                            cpu_per_answer_s=round((app.cpu_s + indexer.cpu_s) / len(outcomes), 3),
                            database_cpu_per_answer_s=round(database.cpu_s / len(outcomes), 3) if database_pid else None,
                            browser_cpu_s=round(browser_cpu_at[-1] - browser_cpu_at[0], 1), load_before=round(load_before, 2),
                            load_after=round(os.getloadavg()[0], 2), page_errors=page_errors[:3])
                progress(f"  p50 {step['p50_s']:.2f} s, p95 {step['p95_s']:.2f} s, errors {step['errors']}, "
                         f"CPU {step['cpu_per_answer_s']:.2f} s/answer, apps {step['app_rss_peak_mb']:.0f} MB, "
                         f"load {step['load_before']} -> {step['load_after']}")
                steps.append(step)
        finally:
            await browser.close()
    return first, steps


def database_server_pid(url: str) -> int | None:
    """The PostgreSQL server's main process on this machine (its CPU is counted apart); None for a server elsewhere."""
    from ..catalog import server_pid

    return server_pid(url)


def capacity(cpu_per_answer_s: float, askers: int, target_p95_s: float) -> dict:
    """The arithmetic for cores: answers a second one core gives, and the cores ``askers`` people pressing
    Enter at the same moment need for every answer to be done within ``target_p95_s``.

    All of it is CPU (the model runs on the cores, nothing waits on a network here): N answers at
    c seconds of CPU each are N*c seconds of work, done in T seconds on N*c/T cores, at best (the
    cores kept full, as many app processes as cores: each is bound by Python's global lock).
    """
    if cpu_per_answer_s <= 0:
        return {"answers_per_s_per_core": 0.0, "askers": askers, "cores_exact": 0.0, "cores": 0}
    exact = askers * cpu_per_answer_s / target_p95_s
    return {"answers_per_s_per_core": round(1 / cpu_per_answer_s, 2), "askers": askers,
            "cores_exact": round(exact, 2), "cores": max(1, math.ceil(exact - 1e-9))}


def relay_times(folder, documents: Sequence[TeamDocument], config: TeamConfig) -> list[dict]:
    """The questions handed to the index's holder through the relay (rag/answer/relay.py), N threads at once.

    What an app without the index would pay to answer through the one that has it: the holder answers
    relayed reads one at a time, each picked up by polling the catalog (every 0.1 s, both ways).
    """
    from concurrent.futures import ThreadPoolExecutor

    from ..answer.relay import request_read

    def timed(question: Question, start: threading.Barrier) -> tuple[float, bool]:
        start.wait()
        started = time.perf_counter()
        try:
            response = request_read(folder, "ask", {"question": question.text, "workspace": WORKSPACE},
                                    timeout_s=config.answer_timeout_s)
        except Exception:  # noqa: BLE001 - counted as an error, as the browser's are
            return time.perf_counter() - started, False
        answer = response["answer"]
        right = states(response["text"], question.expected) and any(
            c.get("file") == question.file for c in answer.get("citations", []))
        return time.perf_counter() - started, right

    out = []
    for n in config.sessions:
        questions = assign_questions(documents, n, config.questions, config.seed + n)
        results: list[tuple[float, bool]] = []
        load_before = os.getloadavg()[0]
        with ThreadPoolExecutor(n) as pool:
            for k in range(config.questions):
                results += pool.map(timed, [qs[k] for qs in questions], [threading.Barrier(n)] * n)
        out.append({"sessions": n, "questions": len(results), "wrong": sum(not r for _, r in results),
                    **spread([t for t, _ in results]), "load_before": round(load_before, 2),
                    "load_after": round(os.getloadavg()[0], 2)})
        progress(f"  relayed, {n} at once: p95 {out[-1]['p95_s']:.2f} s, wrong {out[-1]['wrong']}")
    return out


# --- the team's processes ------------------------------------------------------------------------

def team_env(database_url: str, originals: Path) -> dict[str, str]:
    """The settings every app and indexer process of the team runs with (docs/team.md)."""
    return {"GROUNDED_DATABASE_URL": database_url, "GROUNDED_ORIGINALS_DIR": str(originals),
            "GROUNDED_INDEXER": "service"}


def app_folders(data_dir: Path, scratch: Path, apps: int) -> list[Path]:
    """Each app process's data folder: the assistant's own for the first, a copy of its index for each other.

    Qdrant Edge admits one process per folder, so a second app on the same folder would stop at start.
    """
    folders = [data_dir]
    for i in range(1, apps):
        folder = scratch / f"app-{i + 1}"
        if not (folder / "edge").exists():
            replicate_index(data_dir, folder)
        folders.append(folder)
    return folders


def replicate_index(data_dir: Path, folder: Path) -> None:
    """Copy ``data_dir``'s embedded index into ``folder`` (no process may hold it meanwhile; its lock file stays)."""
    from ..index.edge import EDGE_DIR, LOCK_FILE

    folder.mkdir(parents=True, exist_ok=True)
    shutil.copytree(data_dir / EDGE_DIR, folder / EDGE_DIR, ignore=shutil.ignore_patterns(LOCK_FILE))


@contextlib.contextmanager
def team_database(server_url: str, data_dir: Path) -> Iterator[str]:
    """A fresh database on ``server_url`` holding a copy of ``data_dir``'s catalog; dropped afterwards."""
    import sqlalchemy as sa

    from ..catalog import Catalog
    from ..catalog.migrate import copy_catalog
    from .indexers import _admin

    name = f"grounded_bench_team_{os.getpid()}"
    _admin(server_url, f"DROP DATABASE IF EXISTS {name}")
    _admin(server_url, f"CREATE DATABASE {name}")
    url = sa.engine.make_url(server_url).set(database=name).render_as_string(hide_password=False)
    try:
        catalog = Catalog(_app_settings(data_dir).catalog_path)
        try:
            copy_catalog(catalog, url)
        finally:
            catalog.close()
        yield url
    finally:
        _admin(server_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


OFFLINE = {"GROUNDED_MODEL": "extractive", "OPENAI_API_KEY": "", "QDRANT_URL": "", "GROUNDED_EMBEDDING": "",
           "GROUNDED_COMPATIBLE_URL": "", "OPENAI_BASE_URL": "", "PYTHONUNBUFFERED": "1"}


@contextlib.contextmanager
def indexer_process(folder: Path, env: dict[str, str], log: Path, startup_s: float = 180.0) -> Iterator[int]:
    """One ``grounded indexer`` on the team's catalog, started and ready (its model loaded); yields its pid."""
    from .servers import _stop

    folder.mkdir(parents=True, exist_ok=True)
    root = Path(__file__).resolve().parents[2]
    path = os.pathsep.join(p for p in (str(root), os.environ.get("PYTHONPATH")) if p)
    with log.open("wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "rag.cli", "indexer", "--poll", "1"], cwd=root, stdout=out,
                                stderr=subprocess.STDOUT,
                                env={**os.environ, **OFFLINE, **env, "GROUNDED_DATA_DIR": str(folder), "PYTHONPATH": path})
    try:
        deadline = time.monotonic() + startup_s
        while "working through the queue" not in log.read_text(errors="replace"):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise ValueError(f"the indexer did not start: {log.read_text(errors='replace')[-500:]}")
            time.sleep(0.3)
        yield proc.pid
    finally:
        _stop(proc, 30)


def _round(config: TeamConfig, apps: int, data_dir: Path, scratch: Path, documents: Sequence[TeamDocument],
           database_url: str | None) -> dict:
    """One round: ``apps`` app processes (and the indexer, on PostgreSQL) up, the sessions, the relay."""
    folders = app_folders(data_dir, scratch, apps)
    env = team_env(database_url, data_dir) if database_url else {}
    with contextlib.ExitStack() as running:
        indexer_pid = None
        if database_url:
            indexer_pid = running.enter_context(indexer_process(scratch / "indexer", env, data_dir / "bench-team-indexer.log"))
        urls, pids = [], []
        for i, folder in enumerate(folders):
            url, pid = running.enter_context(app_server(folder, data_dir / f"bench-team-app-{i + 1}.log", **env))
            progress(f"app {i + 1} on {url} (data folder {folder})")
            urls.append(url)
            pids.append(pid)
        first, steps = asyncio.run(run_load(config, urls, pids, documents, indexer_pid,
                                            database_server_pid(database_url) if database_url else None))
        relayed = []
        if apps == 1:
            from dataclasses import replace

            from ..store import DataFolder

            progress("the same questions relayed to the app through the catalog (rag/answer/relay.py), N at once ...")
            folder = DataFolder(replace(_app_settings(data_dir), database_url=database_url))
            try:
                relayed = relay_times(folder, documents, config)
            finally:
                folder.close()
    tracebacks = sum((data_dir / f"bench-team-app-{i + 1}.log").read_text(errors="replace").count("Traceback")
                     for i in range(apps))
    return {"apps": apps, "first_answer": first, "steps": steps, "relayed": relayed, "app_tracebacks": tracebacks}


def targets(config: TeamConfig, steps: Sequence[dict]) -> list[Target]:
    """The issue's goal, judged at the target number of sessions (when it was run), per number of apps."""
    n = config.target_sessions
    found = []
    for at in (s for s in steps if s["sessions"] == n):
        apps = f" on {at['apps']} apps" if at.get("apps", 1) > 1 else ""
        found += [Target(f"answer time p95 at {n} sessions{apps}", at["p95_s"], config.target_p95_s, "<=", "s"),
                  Target(f"errors at {n} sessions{apps}", float(at["errors"]), 0.0, "<=")]
    return found


def run(config: TeamConfig) -> dict:
    """Build or reuse the assistant, time the library alone, then the browsers against one app, then more."""
    check_config(config)
    try:
        import playwright.async_api  # noqa: F401  (a dev/bench dependency: checked before minutes of ingest)
    except ImportError:
        raise ValueError("the team benchmark drives a browser: pip install playwright (Chromium from /usr/bin/chromium)")
    if not CHROMIUM.exists():
        raise ValueError(f"{CHROMIUM} is not installed (apt-get install chromium)")
    import tempfile

    scratch = Path(tempfile.mkdtemp(prefix="grounded-team-"))
    data_dir = Path(config.data_dir or scratch / "data")
    documents = make_documents(config.documents, config.seed)
    rounds = []
    try:
        assistant = build_assistant(data_dir, documents, config.seed)
        progress("the same questions asked of the library alone, one at a time, then N at once ...")
        library = library_times(data_dir, documents, config)
        with contextlib.ExitStack() as stack:
            database_url = None
            if config.database_url:
                database_url = stack.enter_context(team_database(config.database_url, data_dir))
                progress("the catalog copied to PostgreSQL; apps index nothing (GROUNDED_INDEXER=service), one indexer runs")
            for apps in config.apps:
                rounds.append(_round(config, apps, data_dir, scratch, documents, database_url))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    steps = [s for r in rounds for s in r["steps"]]
    result = {**header("team"), "config": {"sessions": list(config.sessions), "documents": config.documents,
                                           "questions": config.questions, "answer_timeout_s": config.answer_timeout_s,
                                           "apps": list(config.apps), "catalog": "postgresql" if config.database_url else "sqlite",
                                           "target_p95_s": config.target_p95_s, "target_sessions": config.target_sessions},
              "assistant": assistant, "library": library, "rounds": rounds,
              "first_answer": rounds[0]["first_answer"] if rounds else summarise_step(0, [], 0, 0.0), "steps": steps,
              "app_tracebacks": sum(r["app_tracebacks"] for r in rounds), "cores": os.cpu_count()}
    result["targets"] = [t.as_dict() for t in targets(config, steps)]
    return result


def render(result: dict) -> str:
    a, lib = result["assistant"], result["library"]
    config = result["config"]
    at_once = ", ".join(f"{a['sessions']}: p95 {a['p95_s']:.2f} s, wrong {a['wrong']}" for a in lib.get("at_once", []))
    catalog = config.get("catalog", "sqlite")
    lines = [
        (f"Team load: {a['documents']:,} documents ({a['chunks']:,} passages), ingested in {a['ingest_s']:.0f} s "
         f"({a['documents_per_s']:.1f} documents/s{', reused' if a['reused'] else ''}), "
         f"approximate index built in {a['settle_s']:.0f} s; "
         f"{config['questions']} question(s) per session, everyone pressing Enter together; catalog on {catalog}"
         + (" (apps index nothing, one `grounded indexer` beside them)." if catalog == "postgresql" else ".")),
        (f"Library alone (no app, no browser), {lib['questions']} questions one at a time: "
         f"p50 {lib['p50_s']:.2f} s, p95 {lib['p95_s']:.2f} s, wrong {lib['wrong']}; N at once: {at_once}."),
        (f"The app's first answer (loading the embedding model): {result['first_answer']['max_s']:.1f} s, "
         f"errors {result['first_answer']['errors']}."),
        "",
    ]
    alone_at = {a["sessions"]: a for a in lib.get("at_once", [])}
    rows = [(s.get("apps", 1), s["sessions"], s["questions"], s["p50_s"], s["p95_s"], s["max_s"], s["errors"],
             alone_at.get(s["sessions"], {}).get("p95_s", ""), s["app_rss_peak_mb"], s["app_cpu_per_question_s"],
             s.get("indexer_cpu_s", 0.0), s.get("cpu_per_answer_s", s["app_cpu_per_question_s"]),
             "" if s.get("database_cpu_per_answer_s") is None else s["database_cpu_per_answer_s"], s["browser_cpu_s"],
             f"{s['load_before']} -> {s['load_after']}")
            for s in result["steps"]]
    lines.append(table(["apps", "sessions", "questions", "p50 s", "p95 s", "max s", "errors", "library p95 s", "apps RSS MB",
                        "apps CPU s/q", "indexer CPU s", "CPU s/answer", "database CPU s/answer", "browser CPU s", "load avg"], rows))
    for s in result["steps"]:
        if s["error_kinds"]:
            lines.append(f"{s.get('apps', 1)} app(s), {s['sessions']} sessions: "
                         + ", ".join(f"{k} {v}" for k, v in s["error_kinds"].items()))
    for r in result.get("rounds", []):
        if r.get("relayed"):
            lines.append("Relayed to the app through the catalog (rag/answer/relay.py), N at once: " + ", ".join(
                f"{x['sessions']}: p50 {x['p50_s']:.2f} s, p95 {x['p95_s']:.2f} s, wrong {x['wrong']} "
                f"(load {x['load_before']} -> {x['load_after']})" for x in r["relayed"]) + ".")
    lines += arithmetic_lines(result["steps"], config.get("target_p95_s", 3.0), config.get("target_sessions", 20))
    if result.get("app_tracebacks"):
        lines.append(f"the apps logged {result['app_tracebacks']} error(s): see bench-team-app-*.log in the data folder")
    return "\n".join(lines + [""] + target_lines(result["targets"]))


def arithmetic_lines(steps: Sequence[dict], target_p95_s: float, target_sessions: int) -> list[str]:
    """The cores N people asking at the same moment need, from each step's CPU per answer (see :func:`capacity`)."""
    lines = []
    for s in steps:
        cpu = s.get("cpu_per_answer_s", s["app_cpu_per_question_s"])
        askers = sorted({s["sessions"], target_sessions})
        needs = [capacity(cpu, n, target_p95_s) for n in askers]
        lines.append(
            f"{s.get('apps', 1)} app(s), {s['sessions']} sessions (load {s['load_before']} -> {s['load_after']}): "
            f"{cpu:.3f} s of CPU per answer = {needs[0]['answers_per_s_per_core']:.2f} answers/s per core; "
            + "; ".join(f"{c['askers']} at once within {target_p95_s:g} s: {c['askers']} x {cpu:.3f} / {target_p95_s:g} = "
                        f"{c['cores_exact']:.2f} -> {c['cores']} core(s)" for c in needs)
            + " (and as many app processes)")
    if lines:
        lines.insert(0, "")
        lines.insert(1, "Arithmetic (CPU of the apps and the indexer, not the browser nor the database server, counted "
                        "apart; N answers of c s CPU in T s need N*c/T cores):")
    return lines
