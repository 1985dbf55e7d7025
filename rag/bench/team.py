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

The browser runs on the same cores as the app, as it would not for a real team: figures are
pessimistic, the more so the more sessions. Loopback only; every step is bounded in count and time.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import threading
import time
from collections.abc import Callable, Sequence
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
    """A process and its children: resident memory (peak, sampled) and CPU seconds over a phase."""

    def __init__(self, pid: int, interval: float = 0.2):
        import psutil

        self.process = psutil.Process(pid)
        self.interval = interval
        self.peak_mb = 0.0
        self._cpu_start = 0.0
        self.cpu_s = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def processes(self) -> list:
        """The process and its children now (none if it has ended)."""
        import psutil

        try:
            return [self.process, *self.process.children(recursive=True)]
        except psutil.Error:
            return []

    def rss_mb(self) -> float:
        import psutil

        total = 0
        for p in self.processes():
            with contextlib.suppress(psutil.Error):
                total += p.memory_info().rss
        return total / 1e6

    def cpu_seconds(self) -> float:
        import psutil

        total = 0.0
        for p in self.processes():
            with contextlib.suppress(psutil.Error):
                times = p.cpu_times()
                total += times.user + times.system
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


async def _step(browser, url: str, questions: list[list[Question]], timeout_s: float,
                before_closing: Callable[[], None] = lambda: None) -> tuple[list[Outcome], list[str]]:
    """N sessions open the chat, then ask in rounds: all N press Enter together, each round awaited.

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
        await asyncio.gather(*(_open_chat(p, url, timeout_ms) for p in pages))
        outcomes: list[Outcome] = []
        for k in range(1, len(questions[0]) + 1):
            outcomes += await asyncio.gather(*(_ask(p, qs[k - 1], k, timeout_ms) for p, qs in zip(pages, questions)))
        before_closing()
    finally:
        for c in contexts:
            await c.close()
    return outcomes, page_errors


def _cpu_of_others(exclude: ProcessWatch) -> float:
    """CPU seconds of this process's children other than the app: the browser and its driver."""
    import psutil

    skip = {p.pid for p in exclude.processes()}
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


async def run_load(config: TeamConfig, url: str, app_pid: int, documents: Sequence[TeamDocument]) -> tuple[dict, list[dict]]:
    """The app's first answer (it loads the embedding model), then every N in turn, within the time bound."""
    from playwright.async_api import async_playwright

    deadline = time.monotonic() + config.limit_s
    steps: list[dict] = []
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            progress("the app's first answer (not counted: it loads the embedding model) ...")
            warm, errors = await _step(browser, url, assign_questions(documents, 1, 1, config.seed - 2), config.answer_timeout_s)
            first = summarise_step(1, warm, len(errors), 0.0)
            for n in config.sessions:
                left = deadline - time.monotonic()
                if left <= 0:
                    progress(f"time bound ({config.limit_s:.0f} s) reached: {n} sessions and more not run")
                    break
                questions = assign_questions(documents, n, config.questions, config.seed + n)
                progress(f"{n} session(s), {config.questions} question(s) each ...")
                load_before = os.getloadavg()[0]
                with ProcessWatch(app_pid) as app:
                    browser_cpu_at = [_cpu_of_others(app)]
                    counted = lambda at=browser_cpu_at, watch=app: at.append(_cpu_of_others(watch))
                    started = time.monotonic()
                    try:
                        outcomes, page_errors = await asyncio.wait_for(
                            _step(browser, url, questions, config.answer_timeout_s, before_closing=counted), timeout=left)
                    except TimeoutError:
                        progress(f"time bound ({config.limit_s:.0f} s) reached during {n} sessions")
                        break
                    wall = time.monotonic() - started
                step = summarise_step(n, outcomes, len(page_errors), wall)
                step.update(app_rss_peak_mb=round(app.peak_mb, 1), app_rss_end_mb=round(app.rss_mb(), 1),
                            app_cpu_s=round(app.cpu_s, 1), app_cpu_per_question_s=round(app.cpu_s / len(outcomes), 3),
                            browser_cpu_s=round(browser_cpu_at[-1] - browser_cpu_at[0], 1), load_before=round(load_before, 2),
                            load_after=round(os.getloadavg()[0], 2), page_errors=page_errors[:3])
                progress(f"  p50 {step['p50_s']:.2f} s, p95 {step['p95_s']:.2f} s, errors {step['errors']}, "
                         f"app {step['app_rss_peak_mb']:.0f} MB, load {step['load_before']} -> {step['load_after']}")
                steps.append(step)
        finally:
            await browser.close()
    return first, steps


def targets(config: TeamConfig, steps: Sequence[dict]) -> list[Target]:
    """The issue's goal, judged at the target number of sessions (when it was run)."""
    at = next((s for s in steps if s["sessions"] == config.target_sessions), None)
    if at is None:
        return []
    n = config.target_sessions
    return [Target(f"answer time p95 at {n} sessions", at["p95_s"], config.target_p95_s, "<=", "s"),
            Target(f"errors at {n} sessions", float(at["errors"]), 0.0, "<=")]


def run(config: TeamConfig) -> dict:
    """Build or reuse the assistant, time the library alone, then the browsers against the app."""
    try:
        import playwright.async_api  # noqa: F401  (a dev/bench dependency: checked before minutes of ingest)
    except ImportError:
        raise ValueError("the team benchmark drives a browser: pip install playwright (Chromium from /usr/bin/chromium)")
    if not CHROMIUM.exists():
        raise ValueError(f"{CHROMIUM} is not installed (apt-get install chromium)")
    import tempfile

    scratch = None
    if config.data_dir is None:
        scratch = Path(tempfile.mkdtemp(prefix="grounded-team-"))
    data_dir = Path(config.data_dir or scratch / "data")
    documents = make_documents(config.documents, config.seed)
    try:
        assistant = build_assistant(data_dir, documents, config.seed)
        progress("the same questions asked of the library alone, one at a time, then N at once ...")
        library = library_times(data_dir, documents, config)
        log = data_dir / "bench-team-app.log"
        with app_server(data_dir, log) as (url, pid):
            progress(f"app on {url} (log: {log})")
            first, steps = asyncio.run(run_load(config, url, pid, documents))
        app_errors = log.read_text(errors="replace").count("Traceback")
    finally:
        if scratch is not None:
            import shutil

            shutil.rmtree(scratch, ignore_errors=True)
    result = {**header("team"), "config": {"sessions": list(config.sessions), "documents": config.documents,
                                           "questions": config.questions, "answer_timeout_s": config.answer_timeout_s},
              "assistant": assistant, "library": library, "first_answer": first, "steps": steps, "app_tracebacks": app_errors,
              "cores": os.cpu_count()}
    result["targets"] = [t.as_dict() for t in targets(config, steps)]
    return result


def render(result: dict) -> str:
    a, lib = result["assistant"], result["library"]
    at_once = ", ".join(f"{a['sessions']}: p95 {a['p95_s']:.2f} s, wrong {a['wrong']}" for a in lib.get("at_once", []))
    lines = [
        (f"Team load: {a['documents']:,} documents ({a['chunks']:,} passages), ingested in {a['ingest_s']:.0f} s "
         f"({a['documents_per_s']:.1f} documents/s{', reused' if a['reused'] else ''}), "
         f"approximate index built in {a['settle_s']:.0f} s; "
         f"{result['config']['questions']} question(s) per session, everyone pressing Enter together."),
        (f"Library alone (no app, no browser), {lib['questions']} questions one at a time: "
         f"p50 {lib['p50_s']:.2f} s, p95 {lib['p95_s']:.2f} s, wrong {lib['wrong']}; N at once: {at_once}."),
        (f"The app's first answer (loading the embedding model): {result['first_answer']['max_s']:.1f} s, "
         f"errors {result['first_answer']['errors']}."),
        "",
    ]
    alone_at = {a["sessions"]: a for a in lib.get("at_once", [])}
    rows = [(s["sessions"], s["questions"], s["p50_s"], s["p95_s"], s["max_s"], s["errors"],
             alone_at.get(s["sessions"], {}).get("p95_s", ""), s["app_rss_peak_mb"], s["app_cpu_per_question_s"],
             s["browser_cpu_s"], f"{s['load_before']} -> {s['load_after']}")
            for s in result["steps"]]
    lines.append(table(["sessions", "questions", "p50 s", "p95 s", "max s", "errors", "library p95 s", "app RSS MB",
                        "app CPU s/q", "browser CPU s", "load avg"], rows))
    for s in result["steps"]:
        if s["error_kinds"]:
            lines.append(f"{s['sessions']} sessions: " + ", ".join(f"{k} {v}" for k, v in s["error_kinds"].items()))
    if result.get("app_tracebacks"):
        lines.append(f"the app logged {result['app_tracebacks']} error(s): see bench-team-app.log in the data folder")
    return "\n".join(lines + [""] + target_lines(result["targets"]))
