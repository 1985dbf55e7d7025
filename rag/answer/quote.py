"""Answers made of quotes: the sentences, table rows and steps that answer the question, verbatim.

This is the answer without a writing model (the offline default), so it
must *answer*: "How much does the Team plan cost?" wants the price row, not
a sentence near it. Each retrieved passage is cut into units: sentences,
table rows (each read with its header row), and list items (an ordered list
is also one unit, for "how do I ..." questions). Each unit is scored on:

- meaning: the embedding similarity of the unit (with its section heading or
  table header) to the question;
- words: the share of the question's key terms the unit, its heading or its
  table header contains (names count double);
- what was asked (:mod:`rag.answer.asked`): a unit that carries the asked
  kind (a price, a rate, a duration, a person, a quote, a date, steps) gets a
  bonus; for before/after figures, the side asked about wins, and a sentence
  holding both is kept whole;
- rank: a small preference for passages the search ranked higher.

The best unit is quoted; a few more only when they score nearly as well, add
something new (no two units that say the same thing) and, for specific
questions, carry the asked kind too. A how-to question gets the whole ordered
list of the best section, in order, with its heading; a table row comes with
its header row; a quote comes with the line that says who said it. Units are
kept in document order within a passage, and the whole stays short.

Output is Markdown with ``[n]`` markers: prose as sentences, a table as a
table followed by its marker, a list as a list followed by its marker. The
citation check reads tables and lists as blocks (rag/answer/check.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import regex

from ..index.embed import similarity_scale
from ..types import Hit
from ..words import ENGLISH, analyse
from .asked import Asked, carries, classify, direction_fit, instructions, speaker_of, subject_terms, with_unit
from .check import split_sentences
from .guard import PLACEHOLDER, defuse, looks_like_injection

MAX_CHARS = 600  # about what a person reads in ten seconds
MAX_LIST_ITEMS = 12
MARGIN = 0.08  # how close to the best a further unit must score to be added
MAX_UNITS = 3  # sentences, rows or items quoted at most (a list quoted whole counts as one)
# a descriptive or analytic question ("How does ...?", "Explain ...", "What are the implications ...?") is answered in
# several sentences: more of them, a wider margin and more room (chosen on the ARAGOG papers, docs/benchmarks.md)
DESCRIBE_UNITS = 5
DESCRIBE_MARGIN = 0.2
DESCRIBE_CHARS = 1000

_LIST_ITEM = re.compile(r"^\s*(?:\d{1,2}[.)]|[-*•▪‣◦])\s+\S")
_LIST_MARK = re.compile(r"^\s*(?:\d{1,2}[.)]|[-*•▪‣◦])\s+")  # the marker alone, to quote an item without it
_ORDERED = re.compile(r"^\s*\d{1,2}[.)]\s+")
_TABLE_LINE = re.compile(r"^\s*\|.*\|\s*$")
_SEPARATOR = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
# "— Priya Nair", "Tomás Ruiz, Head of Production": who said a quote (any alphabet's letters: names are Unicode)
_ATTRIBUTION = regex.compile(r"^\s*[—–-]{1,2}\s*\S|^\s*\p{Lu}\p{Ll}+(?:[-'’]\p{Lu}\p{Ll}+)?(?:\s+\p{Lu}\.)?\s+"
                             r"\p{Lu}\p{Ll}+(?:[-'’]\p{Lu}\p{Ll}+)?\s*,\s*\S")


@dataclass
class Unit:
    """One quotable piece of a passage."""

    source: int  # 1-based number of the hit it comes from
    position: int  # order within the passage
    kind: str  # "sentence" | "row" | "list" | "label"
    text: str  # as quoted
    context: str  # what it is read with: its heading, its table header
    header: str = ""  # a row's header line (and separator), quoted above it
    block: int = -1  # the list or table it belongs to

    about: str = ""  # the passage's file name and heading path: whose figures these are
    leads: int = -1  # for a sentence ending in ":" ("We hold the following certifications:"), the list block it opens
    speaker: str = ""  # in a transcript, who says it (the turn's "Name:")
    prompted_by: str = ""  # in a transcript, the question the turn before put ("What breaks when you roll it out?")

    def scoring_text(self) -> str:
        """What the embedding compares with the question: the unit with its heading or table header."""
        return f"{self.context}\n{self.header}\n{self.text}".strip()

    def word_text(self) -> str:
        """What the question's words are looked for in: also the file name and heading path."""
        return f"{self.about}\n{self.scoring_text()}"


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def units_of(hit: Hit, source: int) -> list[Unit]:
    """The quotable units of one passage, in order.

    Planted orders to an AI (and the text they quote) are never units: the
    passage is read as the guard leaves it, each cut ending a block.
    """
    units: list[Unit] = []
    heading = hit.section.split(" > ")[-1] if hit.section else ""
    about = f"{re.sub(r'[._/-]+', ' ', hit.file)}\n{hit.section}"
    position = 0
    block_no = 0
    text = defuse(hit.text)[0].replace(PLACEHOLDER, "\n\n")
    for block in re.split(r"\n\s*\n", text):
        lines = [line for line in block.splitlines() if line.strip()]
        if not lines:
            continue
        block_no += 1
        if all(_TABLE_LINE.match(line) or _SEPARATOR.match(line) for line in lines):
            header = lines[0]
            has_sep = len(lines) > 1 and _SEPARATOR.match(lines[1])
            rows = lines[2:] if has_sep else lines[1:]
            separator = lines[1] if has_sep else "| " + " | ".join("---" for _ in _cells(header)) + " |"
            for row in rows:
                if _SEPARATOR.match(row):
                    continue
                pairs = "; ".join(f"{h}: {with_unit(c, h, _cells(row)[0])}" for h, c in zip(_cells(header), _cells(row)) if c)
                units.append(Unit(source, position, "row", row.strip(), f"{heading}\n{pairs}", f"{header.strip()}\n{separator.strip()}", block_no))
                position += 1
            continue
        items = [line for line in lines if _LIST_ITEM.match(line)]
        opener = _opener(units, block_no)
        if len(items) < 2 and _bare_items(lines, opener):  # a list whose bullets were lost: short lines after a colon
            items = [f"- {line.strip()}" for line in (lines[1:] if lines[0].rstrip().endswith(":") else lines)]
            lines = ([lines[0]] if lines[0].rstrip().endswith(":") else []) + items
        if len(items) >= 2 and len(items) >= len(lines) - 1:
            lead = [line for line in lines if not _LIST_ITEM.match(line)]
            label = lead[0].strip() if lead else (opener.text if opener else heading)
            if opener and not lead:
                opener.leads = block_no
            text = "\n".join(line.strip() for line in items[:MAX_LIST_ITEMS])
            units.append(Unit(source, position, "list", text, label, block=block_no))
            position += 1
            for item in items:  # each item can answer a question on its own too
                units.append(Unit(source, position, "sentence", _LIST_MARK.sub("", item, count=1).strip(), label, block=block_no))
                position += 1
            continue
        for n, turn in enumerate(_turns(lines)):
            block_no += 1 if n else 0  # each turn of a transcript written line by line is a block of its own
            speaker = speaker_of(turn[0])
            # a transcript turn is read with the question the turn before asked ("What breaks when you roll it out?")
            asked_before = next((u.text for u in reversed(units) if u.block == block_no - 1 and u.speaker
                                 and u.speaker != speaker and u.text.rstrip().endswith("?")), "") if speaker else ""
            for sentence in _whole_quotes(split_sentences(unwrap(turn))):
                words = sentence.split()
                # "At a glance" is a label; "WHEN: Oct 13-14, 2026" is a field with its value, quotable like a sentence
                is_label = len(words) < 5 and not re.search(r"[.!?:”\"]$", sentence) and not _FIELD.match(sentence)
                if _ATTRIBUTION.match(sentence) and units and _QUOTE_MARK.search(units[-1].text):
                    units[-1].context += f"\n{sentence}"  # a quote is read with who said it
                units.append(Unit(source, position, "label" if is_label else "sentence", sentence, heading, block=block_no,
                                  speaker=speaker, prompted_by=asked_before))
                position += 1
    for u in units:
        u.about = about
    return units


def _turns(lines: list[str]) -> list[list[str]]:
    """A block's lines cut into transcript turns when two or more speakers' turns are written one a line
    ("Ada Lind (Tallowby): Welcome." / "Tom Birch (Harbour Rooms): We used to lose 7%." / "It's under 2% now."):
    a line without a speaker goes on the turn above. A block with one speaker line at most is one block."""
    starts = [i for i, line in enumerate(lines) if speaker_of(line)]
    if len(starts) < 2 or len({speaker_of(lines[i]) for i in starts}) < 2:
        return [lines]
    cuts = sorted(set([0] + starts))
    return [lines[a:b] for a, b in zip(cuts, cuts[1:] + [len(lines)])]


_FIELD = re.compile(r"^\s*[A-Za-z][\w/ -]{0,20}:\s+\S")
_QUOTE_MARK = re.compile(r"[“\"«„]")
_LINE_END = re.compile(r"[.!?:;…”\"')\]]\s*$")


def unwrap(lines: list[str]) -> str:
    """A prose block's lines with hard wraps undone: a line that stops mid-sentence and a next line that goes on in
    lower case or with a figure ("Registration opens at" / "8:30 and ...") are one line. Lines that start anew (a
    capital, a label such as "Place:", a speaker's turn, a bullet) stay lines of their own."""
    out: list[str] = []
    for line in lines:
        text = line.strip()
        if out and not _LINE_END.search(out[-1]) and re.match(r"[a-z0-9(]", text) and not _LIST_ITEM.match(text) \
                and not _LIST_ITEM.match(out[-1]) and not _TABLE_LINE.match(text) and not speaker_of(text):
            out[-1] = f"{out[-1]} {text}"
        else:
            out.append(text)
    return "\n".join(out)


def _opener(units: list[Unit], block_no: int) -> Unit | None:
    """The sentence that ends the block before ``block_no`` with a colon ("... integrates with:"), if any."""
    last = units[-1] if units else None
    if last and last.block == block_no - 1 and last.kind in ("sentence", "label") and last.text.rstrip().endswith(":"):
        return last
    return None


def _bare_items(lines: list[str], opener: Unit | None) -> bool:
    """Short lines without end punctuation, after a line (or a block) ending in a colon: list items without bullets."""
    body = lines[1:] if lines[0].rstrip().endswith(":") else lines
    if len(body) < 2 or not (opener or len(body) < len(lines)):
        return False
    return all(len(line.split()) <= 8 and not re.search(r"[.!?;]$", line.strip()) for line in body)


def _whole_quotes(sentences: list[str]) -> list[str]:
    """Sentences with a quotation kept whole: “We stopped ... freight. Carriers get ... days.” is one unit."""
    out: list[str] = []
    open_quote = False
    for sentence in (s.strip() for s in sentences):
        if open_quote and out:
            out[-1] = f"{out[-1]} {sentence}"
        else:
            out.append(sentence)
        opens = len(re.findall(r"[“«„]", sentence)) - len(re.findall(r"[”»]", sentence))
        straight = sentence.count('"') % 2
        open_quote = (open_quote + opens + straight) % 2 == 1 if (opens or straight) else open_quote
    return out


def _lexical(asked: Asked, text: str) -> float:
    if not asked.terms:
        return 0.0
    found = set(analyse(text, asked.language))
    names = {t for name in asked.names for t in analyse(name, asked.language)}
    weight = {t: (2.0 if t in names else 1.0) for t in asked.terms}
    return sum(w for t, w in weight.items() if t in found) / sum(weight.values())


def _shares(terms: list[str], unit: Unit, language: str = ENGLISH) -> bool:
    """Does the unit itself (not its file or heading) use one of ``terms`` (stemmed in ``language``)?"""
    return bool(set(terms) & set(analyse(f"{unit.header}\n{unit.text}", language)))


def _says(text: str, name: str) -> bool:
    return re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", text, re.I) is not None


def _same(a: Unit, b: Unit) -> bool:
    """Two units that say the same thing (one mostly repeats the other's words)."""
    ta, tb = set(analyse(a.text)), set(analyse(b.text))
    if not ta or not tb:
        return a.text.strip() == b.text.strip()
    return len(ta & tb) / min(len(ta), len(tb)) >= 0.8


@dataclass
class Scored:
    unit: Unit
    score: float
    fits: bool


def score_units(asked: Asked, question_vector: np.ndarray, units: list[Unit], embeddings) -> list[Scored]:
    """Every candidate unit with its score (see the module docstring), best first."""
    candidates = [u for u in units if u.kind != "label" and len(u.text) >= 8 and not looks_like_injection(u.text)]
    if not candidates:
        return []
    vectors = embeddings.embed_array([u.scoring_text() for u in candidates])
    meaning = similarity_scale(embeddings, vectors @ question_vector)  # the English model's scale, as the weights
    scored = []
    hosting = bool(_HOSTING.search(asked.question))
    name_terms = {t for name in asked.names for t in analyse(name, asked.language)}
    asked_about = [t for t in subject_terms(asked) if t not in name_terms]
    for u, cos in zip(candidates, meaning):
        fits = carries(asked, u.text if u.kind != "row" else u.scoring_text())
        score = 0.45 * float(cos) + 0.35 * _lexical(asked, u.word_text()) - 0.02 * (u.source - 1)
        if (asked.kind in ("figure", "person", "quote", "date") or asked.wants_figure) and fits:
            score += 0.25
        if asked.kind == "list" and (u.kind == "list" or u.leads >= 0):
            score += 0.3
        elif asked.kind == "list" and asked.wants_words and fits:
            score += 0.15  # "We always say “new hire”, never “onboardee”": the words asked for, quoted in prose
        if asked.kind == "steps" and u.kind == "list":  # a list of things to do, not of things (integrations)
            score += 0.3 if _ORDERED.match(u.text) or carries(asked, u.text) else 0.0
        elif asked.kind == "steps" and instructions(u.text) >= 2:
            score += 0.2  # "Open Settings > Integrations, pick BambooHR and click Connect."
        if asked.kind == "figure":
            # "... before and after?": what states both sides (a "2024 | 2025" row, "from €3.10 to €2.40") counts more
            # when it is about what was asked ("Linen lost", not "Spend per room night" for napkins written off)
            weight = 0.25 if (asked.wants_both_sides and asked.direction in ("after", "before")
                              and (not asked_about or _shares(asked_about, u, asked.language))) else 0.12
            score += weight * direction_fit(asked, u.text if u.kind != "row" else f"{u.header}\n{u.text}")
        if asked.kind == "date" and fits:
            score += 0.1 * _date_precision(u.text)  # "21 April 2026" answers "when" better than "Spring 2026"
        if asked.kind in ("quote", "person") and u.speaker and _names_person(asked, u.speaker):
            score += 0.35  # the person's own turn in a transcript, over a line that introduces them
            fits = True
        if asked.kind == "person" and hosting and u.speaker and _INTRODUCES.search(u.text):
            score += 0.3  # "Who hosted ...?": the speaker who opens the session and introduces themselves or the guest
            fits = True
        if (asked.kind == "quote" or asked.kind == "description" and _names_person(asked, u.speaker)) and u.speaker \
                and asked_about and u.prompted_by:
            # the person's answer to the question put to them on the subject asked about ("What breaks when ...?")
            score += 0.1 * min(2, len(set(asked_about) & set(analyse(u.prompted_by, asked.language))))
        if asked.kind in ("quote", "person") and fits and _QUOTE_MARK.search(u.text):
            score += 0.1  # what someone said, over a sentence that merely names them
        scored.append(Scored(u, score, fits))
    return sorted(scored, key=lambda s: -s.score)


_HOSTING = re.compile(r"\b(host|hosts|hosted|hosting|present|presents|presented|presenter|moderat\w*|chair(ed|s)?|"
                      r"emcee|ran|runs|led|leads)\b", re.I)
# a host's opening turn: "I'm Dana Kim, ...", "Welcome to ...", "This is Passkeys 101", "With me is ...", "our guest"
_INTRODUCES = re.compile(r"\b(I'm|I’m|I am|my name is|welcome|we're live|we’re live|this is|with me is|with me today|"
                         r"joined by|joining me|our guest|your host)\b", re.I)
_MONTH = r"(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"


def _date_precision(text: str) -> int:
    """2 for a day of a month ("21 April 2026", "April 21", "21/04/2026"), 1 for a month or quarter, 0 for a year alone."""
    if re.search(rf"\b\d{{1,2}}(st|nd|rd|th)?\s+{_MONTH}|\b{_MONTH}\s+\d{{1,2}}\b|\b\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}\b",
                 text, re.I):
        return 2
    if re.search(rf"\b{_MONTH}\b|\bq[1-4]\b", text, re.I):
        return 1
    return 0


def _names_person(asked: Asked, speaker: str) -> bool:
    """Is the turn's speaker the person asked about? A transcript may label turns "AMIRA:" or "Amira:" alone."""
    said = {w.casefold() for w in speaker.split()}
    return any(n.casefold() in said for n in asked.names)


def select(asked: Asked, scored: list[Scored], units_by_source: dict[int, list[Unit]]) -> list[Unit]:
    """The units to quote: the best one, then close seconds that add something (see the module docstring)."""
    if not scored:
        return []
    if asked.kind == "comparison" and asked.pair:
        sides = _sides(asked.pair, scored, figure=asked.wants_figure)
        if sides:
            return sides
    best = scored[0]
    if best.unit.leads >= 0:  # "We integrate with the following tools:" is said with its list
        listed = _list_of(best.unit, units_by_source)
        if listed:
            return [listed]
    if asked.kind in ("quote", "person") and best.unit.speaker and _names_person(asked, best.unit.speaker):
        return _turn(best.unit, units_by_source)  # what the person said: their whole turn, as far as it is short
    if asked.kind == "person" and best.unit.speaker and not _says(best.unit.text, best.unit.speaker):
        return _turn(best.unit, units_by_source)  # "Who hosted ...?": the turn from its start, which says who speaks
    chosen = [best.unit]
    if best.unit.kind == "list":
        return chosen
    specific = asked.kind in ("figure", "person", "quote", "date")
    describes = asked.kind == "description"
    margin, most, room = (DESCRIBE_MARGIN, DESCRIBE_UNITS, DESCRIBE_CHARS) if describes else (MARGIN, MAX_UNITS, MAX_CHARS)
    length = len(best.unit.text)
    named = [n for n in asked.names if _says(best.unit.text, n)]
    # what the figure is about, beyond whose it is: a second sentence naming the customer but not the
    # thing asked about ("support tickets") adds nothing
    name_terms = {t for name in asked.names for t in analyse(name, asked.language)}
    about = [t for t in subject_terms(asked) if t not in name_terms] or subject_terms(asked)
    for s in scored[1:]:
        if s.score < best.score - margin or len(chosen) >= most:
            break
        if s.unit.kind == "list" or (specific and best.fits and not s.fits):
            continue
        if named and not any(_says(s.unit.text, n) for n in named):
            continue  # the best says "Team"; a row about "Scale" answers another question
        if about and not _shares(about, s.unit, asked.language):
            continue  # adds nothing about what was asked ("annual" billing, not the Starter plan's row)
        if asked.direction and direction_fit(asked, best.unit.text) > 0 >= direction_fit(asked, s.unit.text):
            continue  # the best has the figure on the side asked about; this one doesn't
        if any(_same(s.unit, c) for c in chosen) or any(s.unit.block == c.block and s.unit.source == c.source
                                                        and c.kind == "list" for c in chosen):
            continue
        if length + len(s.unit.text) > room:
            continue
        chosen.append(s.unit)
        length += len(s.unit.text)
    if asked.kind == "figure" and asked.wants_both_sides:
        chosen += _other_side(chosen, scored)
    if asked.kind == "date":
        chosen += _dated_field(chosen, scored)
    if asked.kind == "date" and asked.wants_place:
        chosen += _place(chosen, scored)
    if asked.kind in ("quote", "person"):
        chosen += _attributions(chosen, units_by_source)
    return chosen


_PLACE = re.compile(r"\b(place|location|venue|where|address)\s*:|\b(at|in)\s+(the\s+)?[A-Z][\w'’-]+", re.I)
_LABELLED_PLACE = re.compile(r"^\s*(?:[-*•]\s*)?(place|location|venue|where|address)\s*:", re.I)
_BEFORE_SIDE = re.compile(r"\b(before|previously|used\s+to|was|were|took)\b", re.I)
_AFTER_SIDE = re.compile(r"\b(after|now|with\s+[A-Z]\w*|today|takes|since|down\s+to|up\s+to|cut\s+to|fell|dropped|"
                         r"rose|reduced\s+to)\b", re.I)
# a case study's section heading that says which side its figures are on ("The challenge" / "Results")
_BEFORE_HEADING = re.compile(r"\b(challenge|problem|before|background|situation|baseline|starting\s+point)\b", re.I)
_AFTER_HEADING = re.compile(r"\b(results?|outcomes?|impact|after|benefits|the\s+difference|what\s+changed)\b", re.I)


def _file_of(u: Unit) -> str:
    return u.about.split("\n", 1)[0]


def _side_of(u: Unit, wanted: re.Pattern) -> bool:
    """Does ``u`` state the side ``wanted`` says, in its words or by the section it is under ("Results")?"""
    if wanted.search(u.text):
        return True
    heading = _AFTER_HEADING if wanted is _AFTER_SIDE else _BEFORE_HEADING
    last = u.context.split(" > ")[-1] if u.context else ""
    return bool(re.search(r"\d", u.text) and heading.search(last))


def _other_side(chosen: list[Unit], scored: list[Scored]) -> list[Unit]:
    """For "... before and after?": when what was chosen states one side only, the best unit with the other side.

    "Before Kelpie, onboarding took 12 days." is half the answer; "With Kelpie it takes 3 days" is the other half.
    """
    text = " ".join(u.text if u.kind != "row" else f"{u.header} {u.text}" for u in chosen)
    if re.search(r"\bfrom\s+[$€£]?\d(?:[^.]|\.\d)*\bto\s+[$€£]?\d", text, re.I) or any(u.kind == "row" for u in chosen):
        return []
    has_before, has_after = bool(_BEFORE_SIDE.search(text)), bool(_AFTER_SIDE.search(text))
    if has_before == has_after:
        return []
    wanted = _AFTER_SIDE if has_before else _BEFORE_SIDE
    first = chosen[0]
    for s in scored:
        u = s.unit
        if u in chosen or not s.fits or u.kind != "sentence" or u.source != first.source:
            continue
        if wanted.search(u.text) and abs(u.position - first.position) <= 3:
            return [u]
    # the other side in another section of the same document ("The challenge" ... "Results"), about the same thing
    terms = set(analyse(first.text))
    for s in scored:
        u = s.unit
        if (u in chosen or not s.fits or u.kind != "sentence" or u.source == first.source or not _file_of(first)
                or _file_of(u) != _file_of(first)):
            continue
        if _side_of(u, wanted) and len(terms & set(analyse(u.text))) >= 2:
            return [u]
    return []


def _dated_field(chosen: list[Unit], scored: list[Scored]) -> list[Unit]:
    """For "when ...?": when the best line names the event but not its day ("WHAT: OspreyCon 2026"), the field line of
    the same block that gives it ("WHEN: Nov 3-4, 2026"): a block of "Label: value" lines is one record."""
    first = chosen[0]
    if any(_date_precision(u.text) >= 2 for u in chosen) or not _FIELD.match(first.text):
        return []
    mates = [s.unit for s in scored if s.unit not in chosen and s.unit.source == first.source
             and s.unit.block == first.block and _FIELD.match(s.unit.text) and _date_precision(s.unit.text) >= 1]
    return sorted(mates, key=lambda u: -_date_precision(u.text))[:1]


def _place(chosen: list[Unit], scored: list[Scored]) -> list[Unit]:
    """For "when and where": the line that says where, from the same passage, when the date line doesn't."""
    first = chosen[0]
    if any(_LABELLED_PLACE.search(u.text) for u in chosen):
        return []
    near = [s.unit for s in scored if s.unit not in chosen and s.unit.source == first.source
            and abs(s.unit.position - first.position) <= 4]
    labelled = [u for u in near if _LABELLED_PLACE.search(u.text)]
    if labelled:  # "Place: Northbeam training centre, Utrecht" over a sentence that merely says "at"
        return labelled[:1]
    if any(_PLACE.search(u.text) for u in chosen):
        return []
    return [u for u in near if _PLACE.search(u.text)][:1]


def _turn(unit: Unit, units_by_source: dict[int, list[Unit]]) -> list[Unit]:
    """The sentences of a transcript turn, from its start, up to :data:`MAX_CHARS`."""
    turn, length = [], 0
    for u in units_by_source.get(unit.source, []):
        if u.block == unit.block and u.kind in ("sentence", "label"):
            if turn and length + len(u.text) > MAX_CHARS:
                break
            turn.append(u)
            length += len(u.text)
    return turn or [unit]


def _list_of(lead: Unit, units_by_source: dict[int, list[Unit]]) -> Unit | None:
    return next((u for u in units_by_source.get(lead.source, []) if u.kind == "list" and u.block == lead.leads), None)


def _mentions(side: str, unit: Unit) -> bool:
    text = unit.text if unit.kind != "row" else _cells(unit.text)[0] + " " + unit.text
    if unit.kind == "row":  # a table set out the other way round names its sides over its columns: "|  | Core | Pro |"
        text += " " + " ".join(_cells(unit.header.splitlines()[0])[1:]) if unit.header else ""
    return _says(text, side) or all(_says(text, w) for w in side.split())


def _sides(pair: tuple[str, str], scored: list[Scored], figure: bool = False) -> list[Unit]:
    """For a comparison, the best unit about each side ("the Team plan" and "the Business plan"), or [] if one is missing.

    A table row names its side in its first cell (or its header over a column); a sentence that names both sides is
    enough alone. For a comparison of figures, a unit that carries the figure asked for wins over one that only
    names the sides ("Requires Pro or Enterprise." does not say how long either keeps logs).
    """
    if figure:
        scored = [s for s in scored if s.fits] + [s for s in scored if not s.fits]
    best_of = []
    for side in pair:
        found = next((s for s in scored if s.unit.kind in ("row", "sentence") and _mentions(side, s.unit)), None)
        if found is None:
            return []
        best_of.append(found)
    first, second = best_of
    if first.unit is second.unit or first.unit.kind == "sentence" and _mentions(pair[1], first.unit):
        return [first.unit]
    return [first.unit, second.unit]


def _attributions(chosen: list[Unit], units_by_source: dict[int, list[Unit]]) -> list[Unit]:
    """For a quote without its speaker, the line right after it that says who said it."""
    extra = []
    for u in chosen:
        if not re.search(r"[“\"«]", u.text):
            continue
        mates = units_by_source.get(u.source, [])
        following = [v for v in mates if v.position in (u.position + 1, u.position + 2)]
        found = next((v for v in following if _ATTRIBUTION.match(v.text)), None)
        if found is None:
            # "Marit Okafor, Head Chef" on the line before the quote: its speaker, unless that line is the
            # attribution of an earlier quote (a quote right above it)
            before = next((v for v in mates if v.position == u.position - 1), None)
            above = next((v for v in mates if v.position == u.position - 2), None)
            if (before is not None and _ATTRIBUTION.match(before.text) and not re.search(r"[“\"«]", before.text)
                    and len(before.text.split()) <= 12 and not (above is not None and re.search(r"[“\"«]", above.text))):
                found = before
        if found is not None and found not in chosen and found not in extra:
            extra.append(found)
    return extra


def render(chosen: list[Unit]) -> str:
    """The chosen units as Markdown with ``[n]`` markers, in source and document order."""
    parts: list[str] = []
    prose: list[Unit] = []

    def flush() -> None:
        if prose:
            parts.append(" ".join(u.text for u in prose) + f" [{prose[0].source}]")
            prose.clear()

    for u in sorted(chosen, key=lambda u: (u.source, u.position)):
        if u.kind in ("sentence", "label") and (not prose or prose[0].source == u.source):
            prose.append(u)
            continue
        flush()
        if u.kind == "sentence":
            prose.append(u)
        elif u.kind == "row":
            rows = [v for v in chosen if v.kind == "row" and v.source == u.source and v.header == u.header]
            if rows[0] is not u:
                continue  # rendered with the first row of its table
            body = "\n".join(v.text for v in sorted(rows, key=lambda v: v.position))
            parts.append(f"{u.header}\n{body}\n\n[{u.source}]")
        elif u.kind == "list":
            label = f"**{u.context.strip().rstrip(':')}**\n" if u.context.strip() else ""
            parts.append(f"{label}{u.text}\n\n[{u.source}]")
    flush()
    return "\n\n".join(parts)


_COUNT_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "2": 2, "3": 3, "4": 4, "5": 5}
_FROM_TO = re.compile(r"\bfrom\s+[$€£]?\d(?:[^.]|\.\d)*?\bto\s+[$€£]?\d|\d\s?(%|x\b|times\b)|\b(cut|fell|dropped|rose|grew|doubled|halved)\b",
                      re.I)


_KICKER = re.compile(r"\s[·|•–-]\s")  # "Customer story · Retail · 40 stores": a label line, not the opening
# a results table's header: before and after, or two periods ("Metric | 2023 | 2024", "Q1 | Q2")
# ("FY2024 | FY2025", "Spring 2024 | Spring 2025") or two versions ("26.2 | 26.3 early access")
_BEFORE_AFTER_HEADER = re.compile(r"\bbefore\b.*\bafter\b|\bthen\b.*\bnow\b|\bold\b.*\bnew\b|"
                                  r"\b(fy\s?|h[12]\s)?((19|20)\d\d|q[1-4])\b.*\|.*\b(fy\s?|h[12]\s)?((19|20)\d\d|q[1-4])\b|"
                                  r"\|\s*v?\d{1,3}\.\d{1,2}\b[^|]*\|\s*v?\d{1,3}\.\d{1,2}\b", re.I)


def _said_by_line(text: str) -> bool:
    """ "— Priya Nair, Operations Director": who said a quote, not a point of its own ("Before Kelpie, it took ..." is)."""
    return bool(_ATTRIBUTION.match(text)) and (text.lstrip()[:1] in "—–-" or len(text.split()) <= 8 and not re.search(r"\d", text))


def _figure_weight(u: Unit) -> float:
    if _FROM_TO.search(u.text):
        return 2.0
    if re.search(r"\d", u.text) and (_BEFORE_SIDE.match(u.text) or re.match(r"\s*(before|after|with|now)\b", u.text, re.I)):
        return 1.8  # one side of a before/after told in two sentences
    return 1.0 if re.search(r"\d", u.text) else 0.0


_SIDE_LABEL = re.compile(r"^\s*(before|after|then|now|was|is|previously|today)\s*[:–—-]\s*\S", re.I)


def _outcome(u: Unit) -> bool:
    """Is ``u`` a result: under a "Results" heading, or saying where a figure ended up ("down to 4%", "now 12")?"""
    if _BEFORE_SIDE.match(u.text) or re.match(r"\s*before\b", u.text, re.I):
        return False
    last = u.context.split("\n")[0].split(" > ")[-1] if u.context else ""
    return bool(_AFTER_HEADING.search(last) or re.search(r"\b(down|up|cut|fell|dropped|reduced)\s+to\b|\bnow\b", u.text, re.I))


def _dated(u: Unit) -> bool:
    return bool(re.search(r"\b(19|20)\d{2}\b|\b(january|february|march|april|may|june|july|august|september|"
                          r"october|november|december)\b", u.text, re.I))


def _title_headline(units: list[Unit]) -> Unit | None:
    """The document's title as a point, when it states a figure ("Coldline Logistics cuts its energy bill by 56%").

    A case study's headline figure is often in its title alone, which the passages carry as their heading, not
    their text. The title is the top heading of the first passage that has one.
    """
    for u in units:
        path = u.about.split("\n", 1)[1] if "\n" in u.about else ""
        title = path.split(" > ")[0].strip()
        if title:
            if len(title.split()) >= 4 and re.search(r"\d", title) and not _KICKER.search(title):
                return Unit(u.source, -1, "sentence", title, "", about=u.about)
            return None
    return None


def summary_points(question: str, units_by_source: dict[int, list[Unit]]) -> list[Unit]:
    """The document's key points for "summarise ...": its opening, headline figures, quote and timeline, in its order.

    One of each thing a summary reader wants comes first (the opening sentence that says what
    the document is about, the headline before/after figure, the quote with who said it, the
    dates), then the next strongest figures. A before/after told in two sentences ("Before
    Kelpie it took 12 days." "With Kelpie it takes 3 days.") is kept as its pair. When no
    sentence states the before/after but a results table does, its first row is one of the
    points (quoted as the table it is, with its header). A slide's short lines count when they
    carry a figure or a date ("General availability: 21 April 2026").
    """
    m = re.search(r"\b(two|three|four|five|[2-5])\b", question, re.I)
    wanted = min(5, max(3, _COUNT_WORDS.get(m.group(1).lower(), 4))) if m else 4
    everything = [u for us in units_by_source.values() for u in us]
    units = [u for u in everything
             if u.kind == "sentence" and (len(u.text.split()) >= 5 or len(u.text.split()) >= 3 and re.search(r"\d", u.text))
             and not looks_like_injection(u.text) and not _said_by_line(u.text) and not _KICKER.search(u.text)
             and not u.text.lstrip().startswith("#")]
    # a slide's quote with its attribution ("“...” – Head of Operations") is a quote, not a kicker line
    units += [u for u in everything if u.kind == "sentence" and _QUOTE_MARK.search(u.text) and _KICKER.search(u.text)
              and len(u.text.split()) >= 5 and u not in units and not looks_like_injection(u.text)]
    if not units:
        return []
    openings = [u for u in units if len(u.text.split()) >= 6 and not _KICKER.search(u.text) and re.search(r"[.!?]$", u.text)]
    first = min(openings or units, key=lambda u: (u.source, u.position))
    results = [u for u in everything if u.kind == "row" and _BEFORE_AFTER_HEADER.search(u.header.splitlines()[0])]
    # of equally strong figures, the outcome ("Missed deliveries are down to 4%.", under "Results") before the problem
    headline = sorted((u for u in units if _figure_weight(u) >= 1.8),
                      key=lambda u: (-_figure_weight(u), not _outcome(u), u.source, u.position))
    title = _title_headline(everything)
    groups = [
        # the title when it states the headline figure (it says what the document is about, too); else the opening
        # sentence; a deck has no opening sentence: its points are its figures and dates
        [title] if title else [first] if openings else [],
        headline[:1] or results[:1],
        [u for u in units if _QUOTE_MARK.search(u.text)],
        [u for u in units if _dated(u)],
        [u for u in units if _dated(u)],  # a timeline has more than one date
        sorted((u for u in units if _figure_weight(u) > 0), key=lambda u: (-_figure_weight(u), u.source, u.position)),
    ]
    picked: list[Unit] = []

    paired = []  # the other halves of "Before:" / "After:" bullet pairs: a pair is one point

    def take(u: Unit) -> bool:
        if len(picked) >= wanted + len(paired) or u in picked or any(_same(u, p) for p in picked):
            return False
        picked.append(u)
        if u.kind == "sentence" and _figure_weight(u) == 1.8:  # its other half, even past the count: a pair is one point
            other = next((v for v in units if v.source == u.source and v.position == u.position + 1 and _figure_weight(v) > 0), None)
            if other is not None and other not in picked:
                picked.append(other)
        side = _SIDE_LABEL.match(u.text)
        if u.kind == "sentence" and side:  # "- Before: 9% lost" / "- After: 2% lost": a pair of bullets is one point
            step = 1 if side.group(1).lower() in ("before", "then", "was", "previously") else -1
            other = next((v for v in units if v.source == u.source and v.position == u.position + step
                          and _SIDE_LABEL.match(v.text)), None)
            if other is not None and other not in picked:
                picked.append(other)
                paired.append(other)
        return True

    for group in groups[:-1]:
        next((u for u in group if take(u)), None)
    for u in groups[-1]:
        take(u)
    for u in units:  # a document with few figures: its next sentences, in order
        if len(picked) >= min(wanted, 3) + len(paired):
            break
        take(u)
    return sorted(picked, key=lambda u: (u.source, u.position))


def render_points(points: list[Unit]) -> str:
    """Key points as a Markdown list, each with its own marker; a quotation with the line that says who said it;
    a results row as its table, after the list."""
    lines, tables = [], []
    for u in points:
        if u.kind == "row":
            tables.append(f"{u.header}\n{u.text}\n\n[{u.source}]")
            continue
        said_by = next((line.strip() for line in u.context.splitlines()[1:] if _ATTRIBUTION.match(line)), "")
        text = f"{u.text} {said_by}" if said_by and _QUOTE_MARK.search(u.text) and said_by not in u.text else u.text
        if u.speaker and not _says(text, u.speaker):  # a transcript's point says who said it
            text = f"{u.speaker}: {text}"
        lines.append(f"- {text} [{u.source}]")
    return "\n\n".join(["\n".join(lines), *tables]) if lines else "\n\n".join(tables)


def quote_answer(question: str, question_vector: np.ndarray, hits: list[Hit], embeddings) -> str:
    """The quotes that best answer ``question`` from ``hits`` (numbered [1].. in the hits' order)."""
    asked = classify(question)
    units_by_source = {n: units_of(h, n) for n, h in enumerate(hits, 1)}
    if asked.kind == "summary":
        points = summary_points(question, units_by_source)
        if len(points) >= 2:
            return render_points(points)
    everything = [u for us in units_by_source.values() for u in us]
    scored = score_units(asked, question_vector, everything, embeddings)
    chosen = select(asked, scored, units_by_source)
    if not chosen:  # nothing quotable (a passage of labels only): quote the best passage whole, as the guard leaves it
        return f"{defuse(hits[0].text)[0].strip()} [1]"
    return render(chosen)


def sources_in_order(question: str, question_vector: np.ndarray, hits: list[Hit], embeddings) -> list[Hit]:
    """The hits reordered so the passages holding the best answer units come first (for a writing model's prompt)."""
    asked = classify(question)
    units = [u for n, h in enumerate(hits, 1) for u in units_of(h, n)]
    best: dict[int, float] = {}
    for s in score_units(asked, question_vector, units, embeddings):
        best.setdefault(s.unit.source, s.score)
    order = sorted(range(1, len(hits) + 1), key=lambda n: -best.get(n, -1.0))
    return [hits[n - 1] for n in order]
