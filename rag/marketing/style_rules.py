"""The style guide as rules: read from "style guide" documents, edited by people, checked on every draft.

A style guide is guidance, never a source of facts (recipes never cite it).
What it says that a machine can check becomes a :class:`StyleRule`:

- ``avoid``: a word or phrase to avoid, with what to use instead, from a table
  ("| Avoid | Use instead |") or a line ("Don't say “synergy”; say “teamwork”",
  "- utilize → use");
- ``max_emoji`` / ``max_hashtags``: "No more than two emoji per post";
- ``required_hashtag``: "Always end with #AcmeCo" (these three apply to social posts only);
- ``headline_case``: "Headlines in sentence case" (or title case);
- ``digits``: "Write numbers as digits".

Rules live in the catalog per assistant (table ``style_rules``, reached as
``catalog.guidance``): the ones read from a guide are refreshed when the guide
changes, unless a person edited or removed them (their choice wins); people add
their own. :func:`check_rules` lists a draft's violations, each with a
one-click fix (:func:`fix`); :func:`enforce` applies every fix, which is how
composed drafts obey the rules by construction. Words inside quotation marks are a customer's own words and
are never changed or flagged.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Literal

from ..access.assistants import check_reader, get_assistant
from ..access.users import User
from ..catalog.guidance import GuideRule
from ..errors import GroundedError, NotFound
from ..ingest.kinds import GUIDE_KINDS
from .voice import EMOJI, emoji_in, hashtags_in, words

RuleKind = Literal["avoid", "max_emoji", "min_emoji", "max_hashtags", "min_hashtags", "required_hashtag",
                   "no_emoji_first_line", "max_words", "min_words", "headline_case", "digits"]
RULE_KINDS: dict[str, str] = {  # kind -> what a person picks when adding one by hand
    "avoid": "Avoid a word (and say what to use instead)",
    "max_emoji": "At most this many emoji",
    "min_emoji": "At least this many emoji",
    "max_hashtags": "At most this many hashtags",
    "min_hashtags": "At least this many hashtags",
    "required_hashtag": "Always end with this hashtag",
    "no_emoji_first_line": "No emoji in the first line",
    "max_words": "Posts of at most this many words",
    "min_words": "Posts of at least this many words",
    "headline_case": "Headlines in sentence case or title case",
    "digits": "Numbers as digits",
}
CASES = ("sentence", "title")
LIMIT_KINDS = ("max_emoji", "min_emoji", "max_hashtags", "min_hashtags", "max_words", "min_words")
# Emoji, hashtag and length rules are about social posts; words, numbers and headlines are about everything.
SOCIAL_ONLY = ("max_emoji", "min_emoji", "max_hashtags", "min_hashtags", "required_hashtag", "no_emoji_first_line",
               "max_words", "min_words")
SOCIAL_RECIPES = ("linkedin-post",)


@dataclass(frozen=True)
class StyleRule:
    kind: RuleKind
    value: str = ""  # avoid: the word; max_*/min_*: the limit; required_hashtag: "#AcmeCo"; headline_case: sentence|title
    replacement: str = ""  # avoid: what to use instead ("" = no replacement given)
    source: str = ""  # the style guide it was read from; "" when a person added it
    rule_id: str = ""
    source_sentence: str = ""  # the sentence (list item, table row) of the guide that says it

    def describe(self) -> str:
        """The rule in plain words, as the Write page lists it."""
        if self.kind == "avoid":
            return f"Avoid “{self.value}”" + (f": use “{self.replacement}”" if self.replacement else "")
        if self.kind == "max_emoji":
            return "No emoji" if self.limit == 0 else f"At most {self.limit} emoji"
        if self.kind == "min_emoji":
            return f"At least {self.limit} emoji"
        if self.kind == "max_hashtags":
            return "No hashtags" if self.limit == 0 else f"At most {self.limit} hashtags"
        if self.kind == "min_hashtags":
            return f"At least {self.limit} hashtag{'s' if self.limit != 1 else ''}"
        if self.kind == "required_hashtag":
            return f"Always end with {self.value}"
        if self.kind == "no_emoji_first_line":
            return "No emoji in the first line"
        if self.kind == "max_words":
            return f"Posts of at most {self.limit} words"
        if self.kind == "min_words":
            return f"Posts of at least {self.limit} words"
        if self.kind == "headline_case":
            return f"Headlines in {self.value} case"
        return "Numbers as digits (12, not twelve)"

    @property
    def limit(self) -> int:
        return int(self.value) if self.value.isdigit() else 0

    def as_dict(self) -> dict:
        return {"id": self.rule_id, "kind": self.kind, "value": self.value, "replacement": self.replacement,
                "source": self.source, "source_sentence": self.source_sentence, "rule": self.describe()}


# reading rules from a guide's text
_NUMBER_WORDS = {w: n for n, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen "
    "eighteen nineteen twenty".split())}
_TENS = {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_Q = "[\"“”‘’'«»]"
_N = r"(\d{1,4}|zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|" \
     r"sixty|seventy|eighty|ninety|a single)"
_NOUNS = {"emoji": r"emoji(?:s)?|emoticons?|smileys?", "hashtags": r"hash[\s-]?tags?", "words": r"words?"}
_NOUN = re.compile("|".join(f"(?P<{k}>\\b(?:{v})\\b)" for k, v in _NOUNS.items()), re.I)
# A count in prose or as a range, with what it bounds: (pattern, lower bound?, upper bound?, upper = n - 1?)
_COUNTS = [
    (re.compile(rf"\b(?:between\s+)?{_N}\s*(?:-|–|—|to|and)\s*{_N}\b", re.I), "range"),
    (re.compile(rf"\b(?:no more than|not more than|(?:never|don'?t|do not)\s+(?:use\s+|add\s+)?more than|at most|up to|"
                rf"a maximum of|maximum(?: of)?|max\.?|limit(?:ed)?(?: it| them| yourself)? to|no longer than|"
                rf"not longer than)\s+{_N}\b", re.I), "max"),
    (re.compile(rf"\b(?:under|fewer than|less than|below|shorter than)\s+{_N}\b", re.I), "below"),
    (re.compile(rf"\b(?:at least|a minimum of|minimum(?: of)?|min\.?|no fewer than|no less than|not fewer than)\s+{_N}\b",
                re.I), "min"),
    (re.compile(rf"\bexactly\s+{_N}\b", re.I), "exact"),
    (re.compile(rf"\b{_N}\s+(?:(?:{'|'.join(_NOUNS.values())})\s+)?(?:or fewer|or less|max(?:imum)?\b|at most|tops)", re.I), "max"),
    (re.compile(rf"\b{_N}\s+(?:(?:{'|'.join(_NOUNS.values())})\s+)?or more\b", re.I), "min"),
    (re.compile(rf"\b{_N}(?=\s+(?:{'|'.join(_NOUNS.values())})\b)", re.I), "max"),  # "use three hashtags"
]
_ZERO = re.compile(rf"\b(?:no|zero|never use|never add|don'?t use|do not use|avoid|without)\s+(?:any\s+)?"
                   rf"(?:{'|'.join(_NOUNS.values())})\b|\b(?:{'|'.join(_NOUNS.values())})\s*:\s*(?:none|no|never)\b"
                   r"(?!\s+(?:more|fewer|less|longer|use\s+more)\b)", re.I)
_FIRST_LINE = re.compile(r"\b(?:never|not|no|don'?t|do not|avoid|nothing)\b[^.;]*\b(?:first|opening|top)\s+line\b|"
                         r"\bout of the (?:first|opening|top) line\b|"
                         r"\b(?:never|don'?t|do not)\s+(?:start|open|begin)\b[^.;]*\bwith\s+(?:an?\s+)?emoji", re.I)
_POSTS = re.compile(r"\b(?:posts?|linkedin|social|updates?)\b", re.I)


def _count(word: str) -> int:
    word = word.lower()
    if word.isdigit():
        return int(word)
    if word == "a single":
        return 1
    return _NUMBER_WORDS.get(word, _TENS.get(word, 0))


def _bounds(kind: str, m: re.Match) -> tuple[int | None, int | None]:
    if kind == "range":
        lo, hi = sorted((_count(m.group(1)), _count(m.group(2))))
        return lo, hi
    n = _count(m.group(1))
    return {"max": (None, n), "below": (None, max(0, n - 1)), "min": (n, None), "exact": (n, n)}[kind]


def _clause_limits(clause: str, subject: str | None) -> tuple[list[tuple[str, int | None, int | None]], str | None]:
    """The limits a clause sets ((noun, lower, upper)), and the noun it is about (for the clauses after it)."""
    nouns = [(m.start(), m.end(), m.lastgroup) for m in _NOUN.finditer(clause)]
    if nouns:
        subject = nouns[-1][2]
    out: list[tuple[str, int | None, int | None]] = []
    for m in _ZERO.finditer(clause):
        noun = next((k for k in _NOUNS if re.search(_NOUNS[k], m.group(0), re.I)), None)
        out.append((noun, None, 0))
    taken: list[tuple[int, int]] = []
    for pattern, kind in _COUNTS:
        for m in pattern.finditer(clause):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            taken.append(m.span())
            after = next((k for a, _, k in nouns if 0 <= a - m.end() <= 12 or m.start() <= a < m.end()), None)
            before = next((k for _, e, k in reversed(nouns) if e <= m.start()), None)
            noun = after or before or subject
            if noun:
                out.append((noun, *_bounds(kind, m)))
    return out, subject


def _subject_of(text: str) -> str | None:
    m = _NOUN.search(text)
    return m.lastgroup if m and m.lastgroup != "words" else None


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _alternatives(cell: str) -> list[str]:
    """'utilize / utilise' or '“leverage”, “utilize”' -> each word, without quotes."""
    parts = re.split(r"\s*(?:/|,|;|\bor\b)\s*", cell)
    return [p.strip(" \"“”‘’'«»*_.()") for p in parts if p.strip(" \"“”‘’'«»*_.()")]


def _units(text: str) -> list[tuple[str, str, str | None, bool]]:
    """The guide as units a rule can come from: (text to read, the sentence as the guide shows it, the subject of its
    heading or table, whether it is about posts), one per sentence, list item or table row; avoid tables aside."""
    units = []
    heading_subject, heading_posts = None, False
    lines = text.splitlines()
    header: list[str] | None = None
    for line in lines:
        stripped = line.strip()
        if not stripped:
            header = None
            continue
        if re.match(r"#{1,6}\s", stripped):
            heading_subject, heading_posts = _subject_of(stripped), bool(_POSTS.search(stripped))
            continue
        if stripped.startswith("|"):
            cells = _cells(stripped)
            if re.fullmatch(r"[\s:|-]*", stripped):
                continue
            if header is None:
                header = cells
                continue
            if any(_AVOID_HEAD.search(h) for h in header):
                continue  # an avoid table: read by _table_rules
            shown = " · ".join(f"{h}: {c}" if h else c for h, c in zip(header, cells) if c)
            units.append((": ".join(c for c in cells if c), shown, _subject_of(cells[0]) or heading_subject,
                          heading_posts or bool(_POSTS.search(" ".join(header)))))
            continue
        header = None
        item = re.sub(r"^(?:[-*•▪]|\d{1,2}[.)])\s+", "", stripped)
        for sentence in re.split(r"(?<=[.!?])\s+(?=[\"“‘']?[A-Z0-9#])", item):
            if sentence.strip():
                units.append((sentence.strip(), sentence.strip(), heading_subject, heading_posts))
    return units


_AVOID_HEAD = re.compile(r"avoid|don'?t|do not|instead of|never|not this|wrong|incorrect|banned", re.I)
_USE_HEAD = re.compile(r"\b(use|say|write|prefer|instead|this|right|correct|do)\b", re.I)
_AVOID_LINE = re.compile(
    rf"\b(?:avoid|don'?t (?:use|say|write)|do not (?:use|say|write)|never (?:use|say|write))\s+(?:the words?\s+)?"
    rf"{_Q}([^\"“”‘’'«»]{{2,40}}){_Q}(?:[\s,;:.(—–-]*(?:use|say|write|prefer|try)\s+(?:instead\s+)?{_Q}([^\"“”‘’'«»]{{1,40}}){_Q})?",
    re.I)
_USE_NOT = re.compile(rf"\b(?:use|say|write)\s+{_Q}([^\"“”‘’'«»]{{1,40}}){_Q}\s*,?\s*not\s+{_Q}([^\"“”‘’'«»]{{2,40}}){_Q}", re.I)
# "Write our name as BrandName, never Brandname or brandname."
_AS_NOT = re.compile(rf"\b(?:write|spell)\s+(?:[\w’'&]+\s+){{0,3}}?as\s+{_Q}?([^\s,;:()\"“”‘’'«»]+){_Q}?\s*[,;(]?\s*"
                     rf"(?:and\s+)?(?:never|not)\s+(?:as\s+)?([^.;)]+)", re.I)
_ARROW = re.compile(r"^\s*(?:[-*•]\s*)?[\"“‘']?([\w'’ -]{2,40}?)[\"”’']?\s*(?:→|->|=>)\s*[\"“‘']?([\w'’ -]{1,40}?)[\"”’']?\s*\.?\s*$")
_REQUIRED = re.compile(r"\b(?:always|must|every post (?:must|should)?|each post (?:must|should)?)\s*(?:end|finish|close|sign off|"
                       r"include|add|use|carry)\w*\s+(?:with\s+)?(#[^\W\d_][\w]*)", re.I)
_CASE = re.compile(r"\b(?:headlines?|titles?)\b[^.\n]{0,30}?\b(sentence|title)[\s-]case\b|\b(sentence|title)[\s-]case\s+(?:for|in)\s+"
                   r"(?:all\s+)?(?:headlines?|titles?)", re.I)
_DIGITS = re.compile(r"\bnumbers?\s+(?:as|in)\s+(?:digits|numerals|figures)\b|\buse\s+(?:digits|numerals)\b|"
                     r"\b(?:digits|numerals)\s+for\s+(?:all\s+)?numbers\b|\bdon'?t spell out numbers\b", re.I)


def _table_rules(text: str, source: str) -> list[StyleRule]:
    rules: list[StyleRule] = []
    for block in re.split(r"\n\s*\n", text):
        lines = [line for line in block.splitlines() if line.strip().startswith("|")]
        if len(lines) < 2:
            continue
        header = _cells(lines[0])
        avoid = next((i for i, c in enumerate(header) if _AVOID_HEAD.search(c)), None)
        use = next((i for i, c in enumerate(header) if i != avoid and _USE_HEAD.search(c)), None)
        if avoid is None:
            continue
        for line in lines[1:]:
            cells = _cells(line)
            if re.fullmatch(r"[\s:|-]*", line) or avoid >= len(cells):
                continue
            instead = _alternatives(cells[use])[:1] if use is not None and use < len(cells) else []
            shown = " · ".join(f"{h}: {c}" for h, c in zip(header, cells) if c)
            for word in _alternatives(cells[avoid]):
                rules.append(StyleRule("avoid", word, instead[0] if instead else "", source, source_sentence=shown))
    return rules


def _sentence_at(line: str, pos: int) -> str:
    """The sentence of ``line`` around ``pos`` (a list marker aside)."""
    item = re.sub(r"^\s*(?:[-*•▪]|\d{1,2}[.)])\s+", "", line)
    pos -= len(line) - len(item)
    start = 0
    for m in re.finditer(r"(?<=[.!?])\s+(?=[\"“‘']?[A-Z0-9#])", item):
        if m.end() > pos:
            return item[start: m.start()].strip()
        start = m.end()
    return item[start:].strip()


_LIMIT_KIND = {"emoji": ("min_emoji", "max_emoji"), "hashtags": ("min_hashtags", "max_hashtags"),
               "words": ("min_words", "max_words")}


def rules_from_text(text: str, source: str = "") -> list[StyleRule]:
    """The checkable rules a style guide states (see the module docstring), each once, each with its sentence."""
    rules = _table_rules(text, source)
    for line in text.splitlines():
        if line.strip().startswith("|"):
            continue
        for m in _AVOID_LINE.finditer(line):
            rules.append(StyleRule("avoid", m.group(1).strip(), (m.group(2) or "").strip(), source,
                                   source_sentence=_sentence_at(line, m.start())))
        for m in _USE_NOT.finditer(line):
            rules.append(StyleRule("avoid", m.group(2).strip(), m.group(1).strip(), source,
                                   source_sentence=_sentence_at(line, m.start())))
        for m in _AS_NOT.finditer(line):
            for wrong in _alternatives(re.sub(r"\band\b", ",", m.group(2))):
                if re.fullmatch(r"[\w'’&-]{2,40}", wrong) and wrong != m.group(1):
                    rules.append(StyleRule("avoid", wrong, m.group(1), source, source_sentence=_sentence_at(line, m.start())))
        if m := _ARROW.match(line):
            rules.append(StyleRule("avoid", m.group(1).strip(), m.group(2).strip(), source, source_sentence=line.strip()))
    for unit, shown, context, about_posts in _units(text):
        subject = context
        clauses = re.split(r";|,|\s+but\s+|\s+and\s+(?=(?:never|not|no|always|every|each)\b)", unit)
        for clause in clauses:
            limits, subject = _clause_limits(clause, subject)
            for noun, lo, hi in limits:
                if noun is None or noun == "words" and not (about_posts or _POSTS.search(unit)):
                    continue
                low, high = _LIMIT_KIND[noun]
                if lo:
                    rules.append(StyleRule(low, str(lo), source=source, source_sentence=shown))
                if hi is not None:
                    rules.append(StyleRule(high, str(hi), source=source, source_sentence=shown))
            if _FIRST_LINE.search(clause) and (_subject_of(clause) or subject) == "emoji":
                rules.append(StyleRule("no_emoji_first_line", source=source, source_sentence=shown))
        for m in _REQUIRED.finditer(unit):
            rules.append(StyleRule("required_hashtag", m.group(1), source=source, source_sentence=shown))
        if m := _CASE.search(unit):
            rules.append(StyleRule("headline_case", (m.group(1) or m.group(2)).lower(), source=source, source_sentence=shown))
        if _DIGITS.search(unit):
            rules.append(StyleRule("digits", source=source, source_sentence=shown))
    seen: dict[tuple[str, str], StyleRule] = {}
    for r in rules:
        if r.kind != "avoid" or r.value != r.replacement:  # "BrandName -> BrandName" asks for nothing
            seen.setdefault(_identity(r), r)
    return list(seen.values())


def _identity(rule: StyleRule) -> tuple[str, str]:
    """Two rules are the same rule when they are of one kind about one thing (a limit or a case is one per kind).
    An avoided word is compared as written: "Brandname" and "brandname" are two casings a guide may list apart."""
    about = rule.value if rule.kind == "avoid" else rule.value.lower() if rule.kind == "required_hashtag" else ""
    return rule.kind, about


# stored rules
def _rule_id(workspace: str, origin: str, rule: StyleRule) -> str:
    kind, about = _identity(rule)
    return hashlib.sha256(f"{workspace}\0{origin}\0{kind}\0{about}".encode()).hexdigest()[:16]


def _guide_text(store, row) -> str:
    """The guide's passages in order, each section's heading before it (a list under "Emoji" is about emoji)."""
    parts, heading = [], None
    for h in store.index.chunks_of(row.workspace, row.doc_id):
        section = (h.section or "").split(" > ")[-1].strip()
        if section and section != heading:
            parts.append(f"## {section}")
            heading = section
        parts.append(h.text)
    return "\n\n".join(parts)


def sync_guides(store, workspace: str) -> None:
    """Bring the stored rules in line with the assistant's style guides (people's edits and removals kept)."""
    guides = [r for r in store.catalog.documents(workspace, status="ready") if r.kind in GUIDE_KINDS]
    said = [GuideRule(_rule_id(workspace, row.doc_id, rule), rule.kind, rule.value, rule.replacement, row.doc_id,
                      row.file, rule.source_sentence)
            for row in guides for rule in rules_from_text(_guide_text(store, row), row.file)]
    store.catalog.guidance.sync_guide_rules(workspace, said)


def style_rules(store, workspace: str, *, user: User | None) -> list[StyleRule]:
    """The rules drafts of this assistant are checked against: its guides' (kept current) and people's own."""
    check_reader(store.catalog, workspace, user)
    sync_guides(store, workspace)
    return [StyleRule(r.kind, r.value, r.replacement, r.source, r.rule_id, r.source_sentence)  # type: ignore[arg-type]
            for r in store.catalog.guidance.style_rules(workspace)]


def _validated(kind: str, value: str, replacement: str) -> StyleRule:
    value, replacement = value.strip(), replacement.strip()
    if kind not in RULE_KINDS:
        raise GroundedError(f"Unknown kind of rule {kind!r}; choose one of: {', '.join(RULE_KINDS)}.")
    if kind == "avoid" and not value:
        raise GroundedError("Say which word or phrase to avoid.")
    if kind in LIMIT_KINDS:
        if not value.isdigit() or int(value) > (3000 if kind.endswith("_words") else 30):
            raise GroundedError("Give the limit as a whole number, like 2.")
        value = str(int(value))
    if kind == "required_hashtag":
        value = "#" + value.lstrip("#")
        if not re.fullmatch(r"#[^\W\d_]\w*", value):
            raise GroundedError("A hashtag is one word after the #, like #AcmeCo.")
    if kind == "headline_case":
        value = value.lower().replace(" case", "")
        if value not in CASES:
            raise GroundedError("Headlines can be in “sentence” case or “title” case.")
    if kind in ("digits", "no_emoji_first_line"):
        value = ""
    return StyleRule(kind, value, replacement if kind == "avoid" else "")  # type: ignore[arg-type]


def add_rule(store, workspace: str, kind: str, value: str = "", replacement: str = "", user: User | None = None) -> StyleRule:
    """A rule a person adds by hand (the assistant's managers only)."""
    get_assistant(store.catalog, workspace, user, manage=True)
    rule = _validated(kind, value, replacement)
    rule_id = _rule_id(workspace, "person", rule)
    store.catalog.guidance.add_person_rule(workspace, rule_id, rule.kind, rule.value, rule.replacement)
    return StyleRule(rule.kind, rule.value, rule.replacement, "", rule_id)


def _stored_kind(store, workspace: str, rule_id: str) -> str:
    kind = store.catalog.guidance.rule_kind(workspace, rule_id)
    if kind is None:
        raise NotFound("That rule no longer exists.")
    return kind


def update_rule(store, workspace: str, rule_id: str, value: str, replacement: str = "", user: User | None = None) -> None:
    """Change a rule (a guide's rule keeps the change when the guide is read again)."""
    get_assistant(store.catalog, workspace, user, manage=True)
    rule = _validated(_stored_kind(store, workspace, rule_id), value, replacement)
    store.catalog.guidance.edit_rule(rule_id, rule.value, rule.replacement)


def remove_rule(store, workspace: str, rule_id: str, user: User | None = None) -> None:
    """Remove a rule (one read from a guide stays removed when the guide is read again)."""
    get_assistant(store.catalog, workspace, user, manage=True)
    _stored_kind(store, workspace, rule_id)
    store.catalog.guidance.remove_rule(rule_id)


# checking and fixing a draft
@dataclass(frozen=True)
class Violation:
    rule: StyleRule
    found: str  # what breaks it, as written in the draft
    message: str  # plain words: "“leverage” is on your avoid list"
    fix_label: str  # the one-click fix: "Replace with “use”"; "" when there is none to make (say why in the message)

    @property
    def fixable(self) -> bool:
        return bool(self.fix_label)

    @property
    def guide_says(self) -> str:
        """The sentence of the style guide the rule came from ("" for a person's own rule)."""
        return self.rule.source_sentence

    def as_dict(self) -> dict:
        return {"rule": self.rule.describe(), "found": self.found, "message": self.message, "fix": self.fix_label,
                "guide_says": self.guide_says}


_QUOTED = re.compile(r"“[^”]*”|\"[^\"\n]*\"|«[^»]*»")
_MARKERS = re.compile(r"\s*\[\d{1,3}\]")
_HASHTAG_LINE = re.compile(r"^\s*(#\w+[\s,]*)+$")
_NUMBER_WORD = re.compile(
    r"\b(?:(" + "|".join(_TENS) + r")(?:[- ](one|two|three|four|five|six|seven|eight|nine))?|"
    r"(two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|"
    r"eighteen|nineteen|twenty))\b", re.I)
_SMALL_WORDS = {"a", "an", "the", "and", "but", "or", "nor", "for", "so", "yet", "of", "to", "in", "on", "at", "by", "with",
                "from", "as", "per", "via", "vs"}
_TOKEN = re.compile(r"[^\W_]+(?:[.,'’][^\W_]+)*")


def _outside_quotes(text: str, pattern: re.Pattern) -> list[re.Match]:
    """Matches of ``pattern`` that are not inside quotation marks (a customer's words are theirs)."""
    quoted = [m.span() for m in _QUOTED.finditer(text)]
    return [m for m in pattern.finditer(text) if not any(a <= m.start() < b for a, b in quoted)]


def _word_pattern(word: str) -> re.Pattern:
    """``word`` as a whole word, in the casing the guide lists: a word in lower case also at a sentence's start or
    in capitals ("leverage", "Leverage", "LEVERAGE"); a word with capitals exactly as written ("Brandname" is
    never "BrandName")."""
    forms = [word]
    if word == word.lower():
        forms += [word[:1].upper() + word[1:], word.upper()]
    body = "|".join(re.escape(f).replace(r"\ ", r"\s+") for f in dict.fromkeys(forms))
    return re.compile(r"(?<![\w#])(?:" + body + r")(?![\w])")


def _cited_spans(text: str) -> list[tuple[int, int]]:
    """Where the sentences that carry a citation marker are (a fact from a source, with its [n])."""
    spans, prev = [], 0
    for m in re.finditer(r"\[\d{1,3}\]", text):
        start = max(text.rfind("\n", 0, m.start()) + 1, prev)
        seg = text[start: m.start()].rstrip()
        core = re.sub(r"[\s.!?…]+$", "", seg)
        ends = [b.end() for b in re.finditer(r"[.!?…][\"”’)]?\s+", core)]
        spans.append((start + (ends[-1] if ends else 0), m.end()))
        prev = m.end()
    return spans


def _fact_words(text: str, keep: set[str]) -> list[tuple[int, int]]:
    """The words of cited sentences a fact rests on, which a style rule may not remove or change: every word of a
    cited sentence with a figure ("Active users rose from 2,000 to 5,000": "users" is what was counted), and in the
    others the sources' names (``keep``)."""
    out = []
    for a, b in _cited_spans(text):
        tokens = list(_TOKEN.finditer(text, a, b))
        if any(ch.isdigit() for m in tokens if not re.fullmatch(r"\[\d+\]", text[m.start() - 1: m.end() + 1])
               for ch in m.group(0)):
            out += [m.span() for m in tokens]
        else:
            out += [m.span() for m in tokens if m.group(0) in keep]
    return out


def _avoid_hits(text: str, rule: StyleRule, keep: set[str]) -> tuple[list[re.Match], list[re.Match]]:
    """(hits a fix may change, hits inside a cited fact it must leave as the source says them)."""
    hits = _outside_quotes(text, _word_pattern(rule.value))
    recase = bool(rule.replacement) and rule.replacement.lower() == rule.value.lower()  # only the casing changes
    protected = [] if recase else _fact_words(text, keep)
    free, kept = [], []
    for m in hits:
        (kept if any(a < m.end() and m.start() < b for a, b in protected) else free).append(m)
    return free, kept


def _number_value(m: re.Match) -> int:
    if m.group(3):
        return _NUMBER_WORDS[m.group(3).lower()]
    return _TENS[m.group(1).lower()] + (_NUMBER_WORDS[m.group(2).lower()] if m.group(2) else 0)


def headline_of(text: str, recipe_id: str) -> str | None:
    """The line of a draft that is its headline: campaign copy's "Headline:", a help article's first line."""
    lines = [line for line in text.splitlines() if line.strip()]
    if recipe_id == "campaign":
        for line in lines:
            if m := re.match(r"^\s*(?:[*_#]+\s*)?headline\s*(?:[*_]+)?\s*:\s*(?:[*_]+\s*)?(.*)$", line, re.I):
                return _MARKERS.sub("", m.group(1)).strip()
        return None
    if recipe_id == "help-article" and lines:
        return _MARKERS.sub("", lines[0]).strip().lstrip("#").strip()
    return None


def _cased(headline: str, case: str, keep: set[str]) -> str:
    """``headline`` in sentence or title case; acronyms, figures and the names in ``keep`` stay as they are."""
    words = headline.split(" ")
    out = []
    for i, w in enumerate(words):
        core = w.strip("“”\"'‘’():,.!?")
        if not core or core.isupper() or any(ch.isdigit() for ch in core) or core in keep:
            out.append(w)
        elif i == 0 or case == "title" and core.lower() not in _SMALL_WORDS:
            out.append(w.replace(core, core[:1].upper() + core[1:], 1))
        else:
            out.append(w.replace(core, core.lower(), 1))
    return " ".join(out)


def _first_line(text: str) -> str:
    return next((line for line in text.splitlines() if line.strip()), "")


def check_rules(text: str, rules: list[StyleRule], recipe_id: str = "linkedin-post",
                keep: set[str] = frozenset()) -> list[Violation]:
    """Every way ``text`` breaks ``rules``, each with its fix. ``keep``: the sources' names (a headline's case must not
    change them, and no avoid rule removes or changes them, or a figure, inside a cited fact)."""
    plain = _MARKERS.sub("", text)
    found: list[Violation] = []
    for rule in rules:
        if rule.kind in SOCIAL_ONLY and recipe_id not in SOCIAL_RECIPES:
            continue
        if rule.kind == "avoid":
            free, kept = _avoid_hits(text, rule, set(keep))
            if free:
                fix = f"Replace with “{rule.replacement}”" if rule.replacement else f"Remove “{rule.value}”"
                found.append(Violation(rule, free[0].group(0), f"“{free[0].group(0)}” is on your avoid list"
                                       + (f" (use “{rule.replacement}”)" if rule.replacement else "") + ".", fix))
            if kept:
                change = f"changing it to “{rule.replacement}”" if rule.replacement else "removing it"
                found.append(Violation(rule, kept[0].group(0), f"“{kept[0].group(0)}” is on your avoid list, but it is "
                                       f"part of a fact quoted from your sources: {change} would change the fact, so the "
                                       "rule was not applied there. Reword that sentence yourself if the source allows.", ""))
        elif rule.kind == "max_emoji" and len(emoji_in(plain)) > rule.limit:
            n = len(emoji_in(plain))
            found.append(Violation(rule, " ".join(emoji_in(plain)), f"{n} emoji; your guide allows {rule.limit}.",
                                   f"Drop {n - rule.limit} emoji"))
        elif rule.kind == "min_emoji" and len(emoji_in(plain)) < rule.limit:
            found.append(Violation(rule, "", f"{len(emoji_in(plain))} emoji; your guide asks for at least {rule.limit}. "
                                   "Add one where your posts usually have it.", ""))
        elif rule.kind == "max_hashtags" and len(hashtags_in(plain)) > rule.limit:
            n = len(hashtags_in(plain))
            found.append(Violation(rule, " ".join(hashtags_in(plain)), f"{n} hashtags; your guide allows {rule.limit}.",
                                   f"Drop {n - rule.limit} hashtag{'s' if n - rule.limit != 1 else ''}"))
        elif rule.kind == "min_hashtags" and len(hashtags_in(plain)) < rule.limit:
            found.append(Violation(rule, "", f"{len(hashtags_in(plain))} hashtag(s); your guide asks for at least "
                                   f"{rule.limit}. Add one of your usual hashtags.", ""))
        elif rule.kind == "required_hashtag":
            last = [line for line in plain.splitlines() if line.strip()][-1:] or [""]
            if rule.value.lower() not in (h.lower() for h in hashtags_in(last[0])):
                found.append(Violation(rule, "", f"The post doesn't end with {rule.value}.", f"Add {rule.value} at the end"))
        elif rule.kind == "no_emoji_first_line" and emoji_in(_first_line(plain)):
            found.append(Violation(rule, " ".join(emoji_in(_first_line(plain))), "The first line has an emoji; your guide "
                                   "keeps them out of it.", "Move the emoji off the first line"))
        elif rule.kind in ("max_words", "min_words"):
            n = len(words(plain))
            if rule.kind == "max_words" and n > rule.limit:
                found.append(Violation(rule, "", f"{n} words; your guide allows {rule.limit}. Cut a sentence.", ""))
            elif rule.kind == "min_words" and n < rule.limit:
                found.append(Violation(rule, "", f"{n} words; your guide asks for at least {rule.limit}.", ""))
        elif rule.kind == "headline_case":
            headline = headline_of(plain, recipe_id)
            if headline and _cased(headline, rule.value, set(keep)) != headline:
                found.append(Violation(rule, headline, f"The headline isn't in {rule.value} case.",
                                       f"Change to “{_cased(headline, rule.value, set(keep))}”"))
        elif rule.kind == "digits":
            hits = _outside_quotes(plain, _NUMBER_WORD)
            if hits:
                found.append(Violation(rule, hits[0].group(0), f"“{hits[0].group(0)}” is a number written as a word.",
                                       f"Write it as {_number_value(hits[0])}"))
    return found


def _replace_outside_quotes(text: str, pattern: re.Pattern, replacement) -> str:
    quoted = [m.span() for m in _QUOTED.finditer(text)]

    def repl(m: re.Match) -> str:
        if any(a <= m.start() < b for a, b in quoted):
            return m.group(0)
        return replacement(m)

    return pattern.sub(repl, text)


def _matching_case(word: str, like: str) -> str:
    """The replacement in the case of the word it replaces; one the guide writes with capitals stays as written."""
    if word != word.lower():
        return word
    if like.isupper() and len(like) > 1:
        return word.upper()
    return word[:1].upper() + word[1:] if like[:1].isupper() else word


def _tidy_spaces(text: str) -> str:
    text = re.sub(r"[ \t]{2,}", " ", text)
    text = re.sub(r" +([.,;:!?])", r"\1", text)
    return "\n".join(line.rstrip() for line in text.splitlines())


def _drop_emoji(text: str, keep: int) -> str:
    """``text`` with only its first ``keep`` emoji."""
    count = 0

    def repl(m) -> str:
        nonlocal count
        count += 1
        return m.group(0) if count <= keep else ""

    return _tidy_spaces(EMOJI.sub(repl, text))


def _off_first_line(text: str) -> str:
    """The first line's emoji moved to the end of the next line (before its citation marker), or dropped."""
    lines = text.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return text
    moved = EMOJI.findall(lines[first])
    lines[first] = _tidy_spaces(EMOJI.sub("", lines[first])).strip()
    nxt = next((i for i in range(first + 1, len(lines)) if lines[i].strip() and not _HASHTAG_LINE.match(lines[i])), None)
    if nxt is not None and moved:
        m = re.search(r"(\s*\[\d+\])+\s*$", lines[nxt])
        body, tail = (lines[nxt][: m.start()], m.group(0)) if m else (lines[nxt].rstrip(), "")
        lines[nxt] = f"{body.rstrip()} {' '.join(moved)}{tail}"
    return "\n".join(lines)


def _drop_hashtags(text: str, keep: int, required: set[str]) -> str:
    tags = hashtags_in(_MARKERS.sub("", text))
    droppable = [t for t in reversed(tags) if t.lower() not in required]
    drop = droppable[: max(0, len(tags) - keep)]
    for tag in drop:
        text = re.sub(r"\s*" + re.escape(tag) + r"(?!\w)", "", text, count=1)
    lines = [line for line in text.splitlines()]
    return _tidy_spaces("\n".join(lines)).strip()


def _add_hashtag(text: str, tag: str, rules: list[StyleRule]) -> str:
    lines = text.rstrip().splitlines()
    if lines and _HASHTAG_LINE.match(_MARKERS.sub("", lines[-1])):
        lines[-1] = f"{lines[-1].rstrip()} {tag}"
        text = "\n".join(lines)
    else:
        text = f"{text.rstrip()}\n\n{tag}"
    limit = min((r.limit for r in rules if r.kind == "max_hashtags"), default=None)
    if limit is not None:
        text = _drop_hashtags(text, limit, {r.value.lower() for r in rules if r.kind == "required_hashtag"})
    return text


def fix(text: str, violation: Violation, rules: list[StyleRule] = (), recipe_id: str = "linkedin-post",
        keep: set[str] = frozenset()) -> str:
    """``text`` with ``violation`` fixed (citation markers kept)."""
    rule = violation.rule
    if not violation.fixable:
        return text
    if rule.kind == "avoid":
        free, _ = _avoid_hits(text, rule, set(keep))
        for m in reversed(free):  # never the words of a cited fact
            swap = _matching_case(rule.replacement, m.group(0)) if rule.replacement else ""
            text = text[: m.start()] + swap + text[m.end():]
        return _tidy_spaces(text)
    if rule.kind == "no_emoji_first_line":
        return _off_first_line(text)
    if rule.kind == "max_emoji":
        return _drop_emoji(text, rule.limit)
    if rule.kind == "max_hashtags":
        return _drop_hashtags(text, rule.limit, {r.value.lower() for r in rules if r.kind == "required_hashtag"})
    if rule.kind == "required_hashtag":
        without = re.sub(r"\s*" + re.escape(rule.value) + r"(?!\w)", "", text, flags=re.I)  # moved to the end
        return _add_hashtag(_tidy_spaces(without), rule.value, list(rules))
    if rule.kind == "headline_case":
        headline = headline_of(_MARKERS.sub("", text), recipe_id)
        return text.replace(headline, _cased(headline, rule.value, set(keep)), 1) if headline else text
    return _replace_outside_quotes(text, _NUMBER_WORD, lambda m: str(_number_value(m)))


def enforce(text: str, rules: list[StyleRule], recipe_id: str = "linkedin-post", keep: set[str] = frozenset()) -> str:
    """``text`` with every rule it breaks fixed (how composed drafts obey the guide by construction)."""
    for _ in range(len(rules) + 1):  # a fix can expose another (adding the brand hashtag passes the limit)
        violations = [v for v in check_rules(text, rules, recipe_id, keep) if v.fixable]
        if not violations:
            break
        text = fix(text, violations[0], rules, recipe_id, keep)
    return text
