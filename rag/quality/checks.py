"""Answer checks: a question and the facts a right answer states, run through the real answer path.

For the Checks page, the ``grounded checks`` command (both through :mod:`rag.workspace.quality`) and Python: every
function takes the acting user and checks access itself (readers see checks and results; an assistant's managers add,
edit, drop and run them). The catalog side is :mod:`rag.catalog.checks` (``catalog.checks``); whether an answer
states a fact is :mod:`rag.quality.judge`; running and comparing runs is :mod:`rag.quality.runs`.

- Judging (:func:`rag.quality.runs.judge`): the answer Chat would give (same settings, same model, quotes offline)
  passes when it states every fact and, if the check names a document, cites it.
- Running (:func:`run_checks`): on demand, or a run queued by a settings change, a re-index or the
  nightly schedule (:mod:`rag.quality.runner` does those in the background). Each run is stored with
  its results and compared with the run before (:func:`rag.quality.runs.compare`): "Search: dense -> hybrid: 14 of 20
  -> 18 of 20; these 2 got worse".
- Suggesting (:func:`suggest_checks`): each case study's headline before/after figure and its quote
  (who said it), each row of a price table, each how-to's step count; the person accepts, edits or
  drops them. A thumbs-up answer in Chat becomes a check in one click (:func:`check_from_answer`).
- A failing check keeps the passage that holds its first missing fact, to open on its page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from ..access.assistants import Assistant, get_assistant
from ..access.users import User
from ..answer.quote import units_of
from ..catalog.checks import Check, CheckOrigin, Run
from ..errors import GroundedError, NotFound
from ..ingest import pipeline
from ..marketing import facts as factlib
from ..types import Answer, Hit
from .judge import facts_of_answer
from .runs import Progress, RunReport, compare, document_named, execute_run

MAX_FACTS = 8


class BadCheck(GroundedError):
    """A check that can't be kept as written (no question, no fact, a document the assistant doesn't have)."""


# access
def _reader(store, assistant_id: str, user: User | None) -> Assistant:
    return get_assistant(store.catalog, assistant_id, user)


def _manager(store, assistant_id: str, user: User | None) -> Assistant:
    return get_assistant(store.catalog, assistant_id, user, manage=True)


def _owned_check(store, assistant: Assistant, check_id: str) -> Check:
    check = store.catalog.checks.get_check(check_id)
    if check is None or check.workspace != assistant.id:
        raise NotFound("That check no longer exists.")
    return check


# the checks
def _clean(question: str, facts: list[str], source: str | None, store, assistant: Assistant) -> tuple[str, list[str], str | None]:
    question = " ".join((question or "").split())
    facts = [" ".join(f.split()) for f in facts if f and f.strip()]
    facts = list(dict.fromkeys(facts))
    if not question:
        raise BadCheck("Write the question the assistant should answer.")
    if not facts:
        raise BadCheck("Add at least one fact a right answer must state (a figure, a name, a date or a step).")
    if len(facts) > MAX_FACTS:
        raise BadCheck(f"Keep it to {MAX_FACTS} facts or fewer; split it into two checks.")
    source = (source or "").strip() or None
    if source is not None:
        row = document_named(store, assistant.id, source)
        if row is None:
            raise BadCheck(f"{source} isn't one of this assistant's documents. Use a file name from the Knowledge page.")
        source = row.file
    return question, facts, source


def list_checks(store, assistant_id: str, user: User | None) -> list[Check]:
    assistant = _reader(store, assistant_id, user)
    return store.catalog.checks.list_checks(assistant.id)


def add_check(store, assistant_id: str, question: str, facts: list[str], source: str | None = None, *,
              user: User | None, origin: CheckOrigin = "person") -> Check:
    """A new check for the assistant (its managers only)."""
    assistant = _manager(store, assistant_id, user)
    question, facts, source = _clean(question, facts, source, store, assistant)
    return store.catalog.checks.add_check(assistant.id, question, facts, source, origin,
                                          created_by=user.name if user else "")


def edit_check(store, assistant_id: str, check_id: str, question: str, facts: list[str], source: str | None = None, *,
               user: User | None) -> Check:
    assistant = _manager(store, assistant_id, user)
    _owned_check(store, assistant, check_id)
    question, facts, source = _clean(question, facts, source, store, assistant)
    store.catalog.checks.update_check(check_id, question, facts, source)
    return store.catalog.checks.get_check(check_id)


def remove_check(store, assistant_id: str, check_id: str, *, user: User | None) -> None:
    """Drop a check (it is kept as dropped, so it is never suggested again)."""
    assistant = _manager(store, assistant_id, user)
    _owned_check(store, assistant, check_id)
    store.catalog.checks.set_check_status(check_id, "dropped")


def run_checks(store, assistant_id: str, *, user: User | None, on_progress: Progress | None = None) -> RunReport:
    """Run the assistant's checks now (its managers only). A run already waiting (after a settings change) is the one
    run now, so its before/after is kept."""
    assistant = _manager(store, assistant_id, user)
    if not store.catalog.checks.count_checks(assistant.id):
        raise BadCheck("This assistant has no checks yet. Add one, or accept some of the suggested ones.")
    run = store.catalog.checks.queue_run(assistant.id, "on demand", queued_by=user.name if user else "")
    if not store.catalog.checks.claim_run(run.run_id):
        raise BadCheck("These checks are being run right now. Wait a moment and look again.")
    return execute_run(store, store.catalog.checks.get_run(run.run_id), on_progress)


def runs(store, assistant_id: str, *, user: User | None, limit: int = 20) -> list[Run]:
    assistant = _reader(store, assistant_id, user)
    return store.catalog.checks.runs(assistant.id, limit)


def run_report(store, assistant_id: str, run_id: int | None = None, *, user: User | None) -> RunReport | None:
    """A stored run with its results and before/after (default: the latest finished one)."""
    assistant = _reader(store, assistant_id, user)
    if run_id is None:
        done = [r for r in store.catalog.checks.runs(assistant.id, 50) if r.status in ("done", "failed")]
        if not done:
            return None
        run = done[0]
    else:
        run = store.catalog.checks.get_run(run_id)
        if run is None or run.workspace != assistant.id:
            raise NotFound("That run no longer exists.")
    results = store.catalog.checks.results(run.run_id)
    return RunReport(run, results, compare(store.catalog, run, results))


def waiting_run(store, assistant_id: str, *, user: User | None) -> Run | None:
    """A run queued or under way (after a settings change, say), for the page to show."""
    assistant = _reader(store, assistant_id, user)
    return store.catalog.checks.waiting_run(assistant.id)


def run_progress(store, assistant_id: str, run_id: int, *, user: User | None) -> tuple[int, int]:
    """(done, total) of a run under way, for the page to show while the background runner works."""
    assistant = _reader(store, assistant_id, user)
    return store.catalog.checks.results_so_far(run_id), store.catalog.checks.count_checks(assistant.id)


def queue_checks(store, assistant_id: str, *, user: User | None) -> Run:
    """Ask the app's background runner to run the checks (``grounded checks run`` while the app holds the folder)."""
    assistant = _manager(store, assistant_id, user)
    run = store.catalog.checks.queue_run(assistant.id, "on demand", queued_by=user.name if user else "")
    if run is None:
        raise BadCheck("This assistant has no checks yet. Add one, or accept some of the suggested ones.")
    return run


# suggesting
@dataclass
class Suggestion:
    """A check offered from a document: accepted as is, edited, or dropped (never offered again)."""

    question: str
    facts: list[str]
    source: str
    why: str  # "Case study headline figure", "Case study quote", "Price table row", "How-to steps"
    doc_id: str

    @property
    def key(self) -> str:
        return _question_key(self.question)

    def as_dict(self) -> dict:
        return {"question": self.question, "facts": list(self.facts), "source": self.source, "why": self.why,
                "doc_id": self.doc_id}


def _question_key(question: str) -> str:
    return " ".join(re.findall(r"[^\W_]+", question.casefold()))


_CHANGE_VERB = re.compile(r"\s+(?:cut|reduced|lowered|raised|increased|grew|improved|fell|rose|dropped|went|doubled|"
                          r"halved|decreased|shortened|boosted)\b.*$", re.I)
_LEADING_VERB = re.compile(r"^(?:cut|reduced|lowered|raised|increased|grew|improved|doubled|halved|decreased|shortened|"
                           r"boosted|brought)\s+", re.I)


def _title(row) -> str:
    return (row.title or PurePosixPath(row.file).stem.replace("-", " ").replace("_", " ")).strip()


_TITLE_NAME = re.compile(r"\b[A-Z][\w'’-]*(?:\s+(?:&\s+)?[A-Z][\w'’-]*)*")
_NOT_NAMES = {"how", "the", "our", "why", "what", "case", "customer", "story", "study"}


def _who(fact: factlib.Fact, row) -> str:
    """Whom a case study is about: a name its title shares with the passage, else the title's first name, else its title."""
    title = _title(row)
    for m in _TITLE_NAME.finditer(title):
        words = [w for w in m.group(0).split() if w.lower() not in _NOT_NAMES]
        if words:
            return " ".join(words)
    return factlib.subject_of(fact, {row.doc_id: row.title or row.file}) or title


_STATED = re.compile(r"^(?P<lead>[^,]{3,60},\s+)?(?P<subject>(?:the|our|its|their)\s[^,]{3,80}?)\s+"
                     r"(?P<verb>was|were|is|are|fell to|rose to|dropped to|grew to)\s+[$€£]?\d", re.I)
_BASE = {"fell to": "fall to", "rose to": "rise to", "dropped to": "drop to", "grew to": "grow to"}


def _result_question(fact: factlib.Fact, who: str) -> str:
    if fact.metric:
        metric = fact.metric.strip().rstrip(".:")
        return f"How did {metric[0].lower() + metric[1:]} change at {who}?"
    head = re.split(r"\s+from\s+", fact.text, maxsplit=1, flags=re.I)[0].strip()
    if head.lower().startswith(who.lower()):
        thing = _LEADING_VERB.sub("", head[len(who):].strip())
    else:
        thing = _CHANGE_VERB.sub("", head)  # "Carrier onboarding time fell" -> "Carrier onboarding time"
    thing = thing.strip(" ,.")
    if thing and len(thing.split()) <= 8 and thing.lower() != head.lower():
        return f"How did {thing[0].lower() + thing[1:]} change at {who}?"
    if m := _STATED.match(fact.text):  # "Before X, the no-show rate was 14%." -> "Before X, what was the no-show rate?"
        lead, subject, verb = (m.group("lead") or ""), m.group("subject"), m.group("verb").lower()
        asked = f"what did {subject} {_BASE[verb]}" if verb in _BASE else f"what {verb} {subject}"
        if lead:
            return f"{lead}{asked} at {who}?"
        return f"{asked[0].upper()}{asked[1:]} at {who}?"
    return f"What results did {who} get?"


def _quote_text(fact: factlib.Fact) -> str:
    """The quotation's first sentence, without its marks (what the answer must repeat)."""
    m = re.search(r"[“\"]([^”\"]+)[”\"]", fact.text)
    words = (m.group(1) if m else fact.text).strip()
    first = re.split(r"(?<=[.!?])\s+", words)[0].strip().rstrip(",")
    return first


_PRICE_CELL = re.compile(r"[$€£]\s?\d|\d\s?(?:usd|eur|gbp|dollars?|euros?|pounds?)\b|\bfree\b", re.I)
_PRICE_HEADER = re.compile(r"\b(price|pricing|cost|fee|per (?:month|year|seat|user)|monthly|annual|yearly)\b", re.I)
_PLAN_WORDS = re.compile(r"^(plan|tier|package|edition|product|option)s?$", re.I)


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _price_rows(hit: Hit) -> list[tuple[str, str, str]]:
    """(label, price, label column's name) of each row of a price table in the passage."""
    out = []
    for u in units_of(hit, 1):
        if u.kind != "row" or not u.header:
            continue
        header, row = _cells(u.header.splitlines()[0]), _cells(u.text)
        if len(row) != len(header) or len(row) < 2 or not row[0]:
            continue
        column = next((i for i, h in enumerate(header) if _PRICE_HEADER.search(h)), None)
        if column is None:
            column = next((i for i, c in enumerate(row) if i and _PRICE_CELL.search(c)), None)
        if column is None or column == 0 or not _PRICE_CELL.search(row[column]) and not re.search(r"\d", row[column]):
            continue
        out.append((row[0], row[column], header[0]))
    return out


def _how_to_question(title: str) -> str:
    t = title.strip().rstrip("?.")
    if re.match(r"^how\b", t, re.I):
        return t[0].upper() + t[1:] + "?"
    t = re.sub(r"\byour\b", "my", t, flags=re.I)
    return f"How do I {t[0].lower() + t[1:]}?"


def _suggest_for(store, row) -> list[Suggestion]:
    hits = pipeline.stored_chunks(store, row.doc_id)
    if not hits:
        return []
    out: list[Suggestion] = []
    facts = factlib.extract_facts(hits)
    if row.kind == "case study":
        headline = factlib.headline_result(facts, row.doc_id)
        if headline is not None:
            who = _who(headline, row)
            figures = [x for x in (headline.before, headline.after) if x] or [
                m.group(0) for m in re.finditer(r"[$€£]?\d[\d,.]*\s?(?:%|[^\W\d_]+)?", headline.text)][:2]
            if figures:
                out.append(Suggestion(_result_question(headline, who), figures, row.file,
                                      "Case study headline figure", row.doc_id))
        quote = factlib.best(facts, "quote", row.doc_id)
        if quote is not None and quote.speaker:
            name = quote.speaker.split(",")[0].strip()
            company = _who(quote, row)
            out.append(Suggestion(f"What did {name} say about working with us?" if not company else
                                  f"What did {name} of {company} say?" if company.lower() not in name.lower() else
                                  f"What did {name} say?", [name, _quote_text(quote)], row.file,
                                  "Case study quote", row.doc_id))
    seen_rows: set[str] = set()
    for hit in hits:
        for label, price, column in _price_rows(hit):
            if label.lower() in seen_rows:
                continue
            seen_rows.add(label.lower())
            thing = f"the {label} {column.lower()}" if _PLAN_WORDS.match(column) else label
            out.append(Suggestion(f"How much does {thing} cost?", [price], row.file, "Price table row", row.doc_id))
    steps = [f for f in facts if f.kind == "step"]
    if steps:
        first = factlib.steps_of(facts)
        title = _title(row)
        out.append(Suggestion(_how_to_question(title), [f"{len(first)} steps"], row.file, "How-to steps", row.doc_id))
    return out


def suggest_checks(store, assistant_id: str, *, user: User | None) -> list[Suggestion]:
    """Checks offered from the assistant's documents, minus the ones it has (or dropped). Its managers only."""
    assistant = _manager(store, assistant_id, user)
    known = {_question_key(c.question) for c in store.catalog.checks.list_checks(assistant.id, status=None)}
    out: list[Suggestion] = []
    for row in store.catalog.documents(assistant.id, status="ready"):
        if row.kind in ("LinkedIn post", "blog", "style guide"):
            continue  # voice examples and guides: never cited as facts
        for s in _suggest_for(store, row):
            if s.key not in known:
                known.add(s.key)
                out.append(s)
    return out


def accept_suggestion(store, assistant_id: str, suggestion: Suggestion, *, user: User | None) -> Check:
    """Keep a suggested check (as offered, or as the person edited it)."""
    return add_check(store, assistant_id, suggestion.question, suggestion.facts, suggestion.source, user=user,
                     origin="suggested")


def drop_suggestion(store, assistant_id: str, suggestion: Suggestion, *, user: User | None) -> None:
    """Not this one: it is remembered as dropped and not offered again."""
    assistant = _manager(store, assistant_id, user)
    store.catalog.checks.add_check(assistant.id, suggestion.question, suggestion.facts, suggestion.source,
                                   "suggested", created_by=user.name if user else "", status="dropped")


def check_from_answer(store, assistant_id: str, question: str, answer: Answer, *, user: User | None) -> Check:
    """A thumbs-up answer as a check in one click: its question, the figures and names it states, the document it
    cites first. An assistant ``user`` manages; the answer is one a checked call returned (rag/workspace/quality.py
    ``check_from_chat`` reads it from the person's own chat)."""
    _manager(store, assistant_id, user)
    if answer.refused:
        raise BadCheck("This answer found nothing to say, so there is nothing to check. Ask again, then add the check.")
    if any(_question_key(c.question) == _question_key(question) for c in store.catalog.checks.list_checks(assistant_id)):
        raise BadCheck("This question is a check already; change it on the Checks page.")
    facts = facts_of_answer(answer.answer)
    source = answer.citations[0].file if answer.citations else None
    if source and document_named(store, assistant_id, source) is None:
        source = None  # the document was removed since
    return add_check(store, assistant_id, question, facts, source, user=user, origin="chat")
