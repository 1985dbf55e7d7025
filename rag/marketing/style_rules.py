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

Rules live in the catalog per assistant (table ``style_rules``): the ones read
from a guide are refreshed when the guide changes, unless a person edited or
removed them (their choice wins); people add their own. :func:`check_rules`
lists a draft's violations, each with a one-click fix (:func:`fix`);
:func:`enforce` applies every fix, which is how composed drafts obey the rules
by construction. Words inside quotation marks are a customer's own words and
are never changed or flagged.
"""

from __future__ import annotations

import hashlib
import re
import time
from dataclasses import dataclass
from typing import Literal

from ..errors import GroundedError, NotFound
from ..ingest.kinds import GUIDE_KINDS
from ..workspace.access import User
from ..workspace.assistants import check_reader, get_assistant
from .voice import EMOJI, emoji_in, hashtags_in

RuleKind = Literal["avoid", "max_emoji", "max_hashtags", "required_hashtag", "headline_case", "digits"]
RULE_KINDS: dict[str, str] = {  # kind -> what a person picks when adding one by hand
    "avoid": "Avoid a word (and say what to use instead)",
    "max_emoji": "At most this many emoji",
    "max_hashtags": "At most this many hashtags",
    "required_hashtag": "Always end with this hashtag",
    "headline_case": "Headlines in sentence case or title case",
    "digits": "Numbers as digits",
}
CASES = ("sentence", "title")
# Emoji and hashtag rules are about social posts; words, numbers and headlines are about everything.
SOCIAL_ONLY = ("max_emoji", "max_hashtags", "required_hashtag")
SOCIAL_RECIPES = ("linkedin-post",)


@dataclass(frozen=True)
class StyleRule:
    kind: RuleKind
    value: str = ""  # avoid: the word; max_*: the limit; required_hashtag: "#AcmeCo"; headline_case: sentence|title
    replacement: str = ""  # avoid: what to use instead ("" = no replacement given)
    source: str = ""  # the style guide it was read from; "" when a person added it
    rule_id: str = ""

    def describe(self) -> str:
        """The rule in plain words, as the Write page lists it."""
        if self.kind == "avoid":
            return f"Avoid “{self.value}”" + (f": use “{self.replacement}”" if self.replacement else "")
        if self.kind == "max_emoji":
            return "No emoji" if self.limit == 0 else f"At most {self.limit} emoji"
        if self.kind == "max_hashtags":
            return "No hashtags" if self.limit == 0 else f"At most {self.limit} hashtags"
        if self.kind == "required_hashtag":
            return f"Always end with {self.value}"
        if self.kind == "headline_case":
            return f"Headlines in {self.value} case"
        return "Numbers as digits (12, not twelve)"

    @property
    def limit(self) -> int:
        return int(self.value) if self.value.isdigit() else 0

    def as_dict(self) -> dict:
        return {"id": self.rule_id, "kind": self.kind, "value": self.value, "replacement": self.replacement,
                "source": self.source, "rule": self.describe()}


# reading rules from a guide's text
_NUMBER_WORDS = {w: n for n, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen "
    "eighteen nineteen twenty".split())}
_TENS = {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_COUNT = r"(\d{1,2}|zero|one|two|three|four|five|six|seven|eight|nine|ten)"
_Q = "[\"“”‘’'«»]"


def _count(word: str) -> int:
    return int(word) if word.isdigit() else _NUMBER_WORDS[word.lower()]


def _limit(text: str, noun: str) -> int | None:
    """"No more than two emoji", "at most 3 hashtags", "use three hashtags", "no emoji" -> the limit."""
    if re.search(rf"\b(no|never use|don'?t use|avoid)\s+{noun}", text, re.I):
        return 0
    m = re.search(rf"\b(?:no more than|at most|up to|max(?:imum)?\.?(?:\s+of)?|never (?:use )?more than|limit\w* (?:\w+ )?to|"
                  rf"use(?: exactly)?|only)\s+{_COUNT}\s+{noun}", text, re.I)
    if m is None:
        m = re.search(rf"\b{_COUNT}\s+{noun}\w*\s+(?:per post\s+)?(?:at most|max(?:imum)?|or fewer|or less)", text, re.I)
    return _count(m.group(1)) if m else None


_AVOID_HEAD = re.compile(r"avoid|don'?t|do not|instead of|never|not this|wrong|incorrect|banned", re.I)
_USE_HEAD = re.compile(r"\b(use|say|write|prefer|instead|this|right|correct|do)\b", re.I)
_AVOID_LINE = re.compile(
    rf"\b(?:avoid|don'?t (?:use|say|write)|do not (?:use|say|write)|never (?:use|say|write))\s+(?:the words?\s+)?"
    rf"{_Q}([^\"“”‘’'«»]{{2,40}}){_Q}(?:[\s,;:.(—–-]*(?:use|say|write|prefer|try)\s+(?:instead\s+)?{_Q}([^\"“”‘’'«»]{{1,40}}){_Q})?",
    re.I)
_USE_NOT = re.compile(rf"\b(?:use|say|write)\s+{_Q}([^\"“”‘’'«»]{{1,40}}){_Q}\s*,?\s*not\s+{_Q}([^\"“”‘’'«»]{{2,40}}){_Q}", re.I)
_ARROW = re.compile(r"^\s*(?:[-*•]\s*)?[\"“‘']?([\w'’ -]{2,40}?)[\"”’']?\s*(?:→|->|=>)\s*[\"“‘']?([\w'’ -]{1,40}?)[\"”’']?\s*\.?\s*$")
_REQUIRED = re.compile(r"\b(?:always|must|every post (?:must|should)?|each post (?:must|should)?)\s*(?:end|finish|close|sign off|"
                       r"include|add|use|carry)\w*\s+(?:with\s+)?(#[^\W\d_][\w]*)", re.I)
_CASE = re.compile(r"\b(?:headlines?|titles?)\b[^.\n]{0,30}?\b(sentence|title)[\s-]case\b|\b(sentence|title)[\s-]case\s+(?:for|in)\s+"
                   r"(?:all\s+)?(?:headlines?|titles?)", re.I)
_DIGITS = re.compile(r"\bnumbers?\s+(?:as|in)\s+(?:digits|numerals|figures)\b|\buse\s+(?:digits|numerals)\b|"
                     r"\b(?:digits|numerals)\s+for\s+(?:all\s+)?numbers\b|\bdon'?t spell out numbers\b", re.I)


def _cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def _alternatives(cell: str) -> list[str]:
    """'utilize / utilise' or '“leverage”, “utilize”' -> each word, without quotes."""
    parts = re.split(r"\s*(?:/|,|;|\bor\b)\s*", cell)
    return [p.strip(" \"“”‘’'«»*_.") for p in parts if p.strip(" \"“”‘’'«»*_.")]


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
            for word in _alternatives(cells[avoid]):
                rules.append(StyleRule("avoid", word, instead[0] if instead else "", source))
    return rules


def rules_from_text(text: str, source: str = "") -> list[StyleRule]:
    """The checkable rules a style guide states (see the module docstring), each once."""
    rules = _table_rules(text, source)
    for line in text.splitlines():
        for m in _AVOID_LINE.finditer(line):
            rules.append(StyleRule("avoid", m.group(1).strip(), (m.group(2) or "").strip(), source))
        for m in _USE_NOT.finditer(line):
            rules.append(StyleRule("avoid", m.group(2).strip(), m.group(1).strip(), source))
        if (m := _ARROW.match(line)) and not line.strip().startswith("|"):
            rules.append(StyleRule("avoid", m.group(1).strip(), m.group(2).strip(), source))
        if (limit := _limit(line, "emoji")) is not None:
            rules.append(StyleRule("max_emoji", str(limit), source=source))
        if (limit := _limit(line, "hashtags?")) is not None:
            rules.append(StyleRule("max_hashtags", str(limit), source=source))
        for m in _REQUIRED.finditer(line):
            rules.append(StyleRule("required_hashtag", m.group(1), source=source))
        if m := _CASE.search(line):
            rules.append(StyleRule("headline_case", (m.group(1) or m.group(2)).lower(), source=source))
        if _DIGITS.search(line):
            rules.append(StyleRule("digits", source=source))
    seen: dict[tuple[str, str], StyleRule] = {}
    for r in rules:
        seen.setdefault(_identity(r), r)
    return list(seen.values())


def _identity(rule: StyleRule) -> tuple[str, str]:
    """Two rules are the same rule when they are of one kind about one thing (a limit or a case is one per kind)."""
    about = rule.value.lower() if rule.kind in ("avoid", "required_hashtag") else ""
    return rule.kind, about


# stored rules
def _rule_id(workspace: str, origin: str, rule: StyleRule) -> str:
    kind, about = _identity(rule)
    return hashlib.sha256(f"{workspace}\0{origin}\0{kind}\0{about}".encode()).hexdigest()[:16]


def _guide_text(store, row) -> str:
    return "\n\n".join(h.text for h in store.index.chunks_of(row.workspace, row.doc_id))


def sync_guides(store, workspace: str) -> None:
    """Bring the stored rules in line with the assistant's style guides (people's edits and removals kept)."""
    guides = [r for r in store.catalog.documents(workspace, status="ready") if r.kind in GUIDE_KINDS]
    stored = {r["rule_id"]: r for r in store.catalog.query(
        "SELECT rule_id, doc_id, replacement, edited FROM style_rules WHERE workspace = ? AND doc_id IS NOT NULL", (workspace,))}
    now = time.time()
    current: set[str] = set()
    with store.catalog.transaction() as c:
        for row in guides:
            for rule in rules_from_text(_guide_text(store, row), row.file):
                rule_id = _rule_id(workspace, row.doc_id, rule)
                current.add(rule_id)
                before = stored.get(rule_id)
                if before is None:
                    c.execute("INSERT INTO style_rules(rule_id, workspace, kind, value, replacement, doc_id, source, updated) "
                              "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                              (rule_id, workspace, rule.kind, rule.value, rule.replacement, row.doc_id, row.file, now))
                elif not before["edited"] and before["replacement"] != rule.replacement:  # the guide changed it
                    c.execute("UPDATE style_rules SET replacement = ?, updated = ? WHERE rule_id = ?",
                              (rule.replacement, now, rule_id))
        gone = [rid for rid in stored if rid not in current]  # its guide was deleted, re-kinded, or no longer says it
        for rid in gone:
            c.execute("DELETE FROM style_rules WHERE rule_id = ?", (rid,))


def style_rules(store, workspace: str, *, user: User | None) -> list[StyleRule]:
    """The rules drafts of this assistant are checked against: its guides' (kept current) and people's own."""
    check_reader(store.catalog, workspace, user)
    sync_guides(store, workspace)
    rows = store.catalog.query(
        "SELECT rule_id, kind, value, replacement, source FROM style_rules WHERE workspace = ? AND removed = 0 "
        "ORDER BY CASE kind WHEN 'avoid' THEN 1 ELSE 0 END, kind, value", (workspace,))
    return [StyleRule(r["kind"], r["value"], r["replacement"], r["source"], r["rule_id"]) for r in rows]


def _validated(kind: str, value: str, replacement: str) -> StyleRule:
    value, replacement = value.strip(), replacement.strip()
    if kind not in RULE_KINDS:
        raise GroundedError(f"Unknown kind of rule {kind!r}; choose one of: {', '.join(RULE_KINDS)}.")
    if kind == "avoid" and not value:
        raise GroundedError("Say which word or phrase to avoid.")
    if kind in ("max_emoji", "max_hashtags"):
        if not value.isdigit() or int(value) > 30:
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
    if kind == "digits":
        value = ""
    return StyleRule(kind, value, replacement if kind == "avoid" else "")  # type: ignore[arg-type]


def add_rule(store, workspace: str, kind: str, value: str = "", replacement: str = "", user: User | None = None) -> StyleRule:
    """A rule a person adds by hand (the assistant's managers only)."""
    get_assistant(store.catalog, workspace, user, manage=True)
    rule = _validated(kind, value, replacement)
    rule_id = _rule_id(workspace, "person", rule)
    store.catalog.execute(
        "INSERT INTO style_rules(rule_id, workspace, kind, value, replacement, doc_id, source, edited, updated) "
        "VALUES (?, ?, ?, ?, ?, NULL, '', 1, ?) ON CONFLICT(rule_id) DO UPDATE SET value = excluded.value, "
        "replacement = excluded.replacement, removed = 0, updated = excluded.updated",
        (rule_id, workspace, rule.kind, rule.value, rule.replacement, time.time()))
    return StyleRule(rule.kind, rule.value, rule.replacement, "", rule_id)


def _stored(store, workspace: str, rule_id: str):
    rows = store.catalog.query("SELECT kind FROM style_rules WHERE workspace = ? AND rule_id = ? AND removed = 0",
                               (workspace, rule_id))
    if not rows:
        raise NotFound("That rule no longer exists.")
    return rows[0]


def update_rule(store, workspace: str, rule_id: str, value: str, replacement: str = "", user: User | None = None) -> None:
    """Change a rule (a guide's rule keeps the change when the guide is read again)."""
    get_assistant(store.catalog, workspace, user, manage=True)
    rule = _validated(_stored(store, workspace, rule_id)["kind"], value, replacement)
    store.catalog.execute("UPDATE style_rules SET value = ?, replacement = ?, edited = 1, updated = ? WHERE rule_id = ?",
                          (rule.value, rule.replacement, time.time(), rule_id))


def remove_rule(store, workspace: str, rule_id: str, user: User | None = None) -> None:
    """Remove a rule (one read from a guide stays removed when the guide is read again)."""
    get_assistant(store.catalog, workspace, user, manage=True)
    _stored(store, workspace, rule_id)
    store.catalog.execute("UPDATE style_rules SET removed = 1, updated = ? WHERE rule_id = ?", (time.time(), rule_id))


# checking and fixing a draft
@dataclass(frozen=True)
class Violation:
    rule: StyleRule
    found: str  # what breaks it, as written in the draft
    message: str  # plain words: "“leverage” is on your avoid list"
    fix_label: str  # the one-click fix: "Replace with “use”"

    def as_dict(self) -> dict:
        return {"rule": self.rule.describe(), "found": self.found, "message": self.message, "fix": self.fix_label}


_QUOTED = re.compile(r"“[^”]*”|\"[^\"\n]*\"|«[^»]*»")
_MARKERS = re.compile(r"\s*\[\d{1,3}\]")
_HASHTAG_LINE = re.compile(r"^\s*(#\w+[\s,]*)+$")
_NUMBER_WORD = re.compile(
    r"\b(?:(" + "|".join(_TENS) + r")(?:[- ](one|two|three|four|five|six|seven|eight|nine))?|"
    r"(two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|"
    r"eighteen|nineteen|twenty))\b", re.I)
_SMALL_WORDS = {"a", "an", "the", "and", "but", "or", "nor", "for", "so", "yet", "of", "to", "in", "on", "at", "by", "with",
                "from", "as", "per", "via", "vs"}


def _outside_quotes(text: str, pattern: re.Pattern) -> list[re.Match]:
    """Matches of ``pattern`` that are not inside quotation marks (a customer's words are theirs)."""
    quoted = [m.span() for m in _QUOTED.finditer(text)]
    return [m for m in pattern.finditer(text) if not any(a <= m.start() < b for a, b in quoted)]


def _word_pattern(word: str) -> re.Pattern:
    return re.compile(r"(?<![\w#])" + re.escape(word).replace(r"\ ", r"\s+") + r"(?![\w])", re.I)


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


def check_rules(text: str, rules: list[StyleRule], recipe_id: str = "linkedin-post",
                keep: set[str] = frozenset()) -> list[Violation]:
    """Every way ``text`` breaks ``rules``, each with its fix. ``keep``: names a headline's case must not change."""
    plain = _MARKERS.sub("", text)
    found: list[Violation] = []
    for rule in rules:
        if rule.kind in SOCIAL_ONLY and recipe_id not in SOCIAL_RECIPES:
            continue
        if rule.kind == "avoid":
            hits = _outside_quotes(plain, _word_pattern(rule.value))
            if hits:
                fix = f"Replace with “{rule.replacement}”" if rule.replacement else f"Remove “{rule.value}”"
                found.append(Violation(rule, hits[0].group(0), f"“{hits[0].group(0)}” is on your avoid list"
                                       + (f" (use “{rule.replacement}”)" if rule.replacement else "") + ".", fix))
        elif rule.kind == "max_emoji" and len(emoji_in(plain)) > rule.limit:
            n = len(emoji_in(plain))
            found.append(Violation(rule, " ".join(emoji_in(plain)), f"{n} emoji; your guide allows {rule.limit}.",
                                   f"Drop {n - rule.limit} emoji"))
        elif rule.kind == "max_hashtags" and len(hashtags_in(plain)) > rule.limit:
            n = len(hashtags_in(plain))
            found.append(Violation(rule, " ".join(hashtags_in(plain)), f"{n} hashtags; your guide allows {rule.limit}.",
                                   f"Drop {n - rule.limit} hashtag{'s' if n - rule.limit != 1 else ''}"))
        elif rule.kind == "required_hashtag":
            last = [line for line in plain.splitlines() if line.strip()][-1:] or [""]
            if rule.value.lower() not in (h.lower() for h in hashtags_in(last[0])):
                found.append(Violation(rule, "", f"The post doesn't end with {rule.value}.", f"Add {rule.value} at the end"))
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

    def repl(m: re.Match) -> str:
        nonlocal count
        count += 1
        return m.group(0) if count <= keep else ""

    return _tidy_spaces(re.sub(EMOJI.pattern + "\ufe0f?", repl, text))


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
    if rule.kind == "avoid":
        def swap(m: re.Match) -> str:
            return _matching_case(rule.replacement, m.group(0)) if rule.replacement else ""
        return _tidy_spaces(_replace_outside_quotes(text, _word_pattern(rule.value), swap))
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
        violations = check_rules(text, rules, recipe_id, keep)
        if not violations:
            break
        text = fix(text, violations[0], rules, recipe_id, keep)
    return text
