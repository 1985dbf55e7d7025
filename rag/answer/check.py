"""The citation check: is each sentence of an answer backed by the passage it cites?

No second LLM call: each sentence is scored against its cited passages by
word overlap (stemmed content words) and embedding similarity, then a facts
rule overrides the score: a number, percentage, amount, date or name in the
sentence that its cited passages don't contain makes it unsupported.
Invented figures are the most damaging error for a marketer, and the tiny
offline model produces exactly those ("41 days to 12 days" became "1.25%
faster"; "a 12% increase" appeared from nowhere).

Rules, in order:
- Markers ``[n]`` that point at no source are removed and counted.
- A sentence's citations are the markers inside it or right after it.
- Lines that make no factual claim (lead-ins ending in ":", greetings,
  questions without figures, hashtag lines, headings, very short phrases) are listed but don't count
  towards the grounded fraction.
- If the model wrote no valid marker at all, every factual sentence is
  attributed to the source that supports it best (``attributed=True``).
  If it wrote some, an unmarked sentence gets a source only when one
  supports it clearly; otherwise it is unsupported ("no citation").
- grounded_fraction = characters of supported sentences (weak counts half)
  over characters of all factual sentences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ..index.embed import similarity_scale
from ..names import COMMON_CAPS, NAME_RUN
from ..types import Citation, Hit, SentenceCheck
from ..words import STOP_WORDS, analyse, guess_language


@dataclass(frozen=True)
class Thresholds:
    """Combined support score = 0.5 * word overlap + 0.5 * embedding cosine (both 0-1).

    Calibrated on paraphrases (about 0.6-0.8), loosely related sentences
    (about 0.35-0.5) and unrelated ones (below 0.25) against ~100-word passages.
    """

    supported: float = 0.5
    weak: float = 0.33
    lexical_weight: float = 0.5


@dataclass
class CheckResult:
    answer: str
    sentences: list[SentenceCheck]
    citations: list[Citation]
    grounded_fraction: float
    removed_markers: int
    attributed: bool


# markers
_MARKER_GROUP = re.compile(r"\s*[\[【]\s*(\d{1,3}(?:\s*[,;]\s*\d{1,3})*)\s*[\]】]")


def _normalise_markers(answer: str, n_sources: int) -> tuple[str, int]:
    """Rewrite markers as ``[n]`` each, dropping those that point at no source."""
    removed = 0

    def repl(m: re.Match) -> str:
        nonlocal removed
        valid = []
        for part in re.split(r"[,;]", m.group(1)):
            n = int(part)
            if 1 <= n <= n_sources:
                valid.append(n)
            else:
                removed += 1
        space = m.group(0)[: len(m.group(0)) - len(m.group(0).lstrip())]
        lead = space if "\n" in space else (" " if space else "")  # a marker on its own line (after a table) stays there
        return lead + "".join(f"[{n}]" for n in valid) if valid else ""

    return _MARKER_GROUP.sub(repl, answer), removed


_MARKERS = re.compile(r"\[(\d{1,3})\]")

# sentences
_ABBREVIATIONS = {"e.g", "i.e", "etc", "vs", "inc", "ltd", "co", "corp", "mr", "mrs", "ms", "dr", "st", "no", "approx", "u.s", "fig", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"}
_BOUNDARY = re.compile(r"(?<=[.!?])[\"”')\]]*\s+(?=\S)")
_BULLET = re.compile(r"^\s*(?:[-*•·]|\d+[.)])\s+")


_TABLE_LINE = re.compile(r"^\s*\|.*\|\s*$")
_SEPARATOR_LINE = re.compile(r"^\s*\|?[\s:|-]+\|?\s*$")
_MARKER_ONLY = re.compile(r"^(\s*\[\d{1,3}\])+\s*$")


def _blocks(text: str) -> list[str]:
    """Lines of ``text``, with a table (consecutive ``|`` lines) as one block, and a list whose
    items carry no markers of their own, followed by a marker line, as one block too."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    out: list[str] = []
    i = 0
    while i < len(lines):
        if _TABLE_LINE.match(lines[i]):
            j = i
            while j < len(lines) and _TABLE_LINE.match(lines[j]):
                j += 1
            out.append("\n".join(lines[i:j]))
            i = j
            continue
        if _BULLET.match(lines[i]) and not _MARKERS.search(lines[i]):
            j = i
            while j < len(lines) and _BULLET.match(lines[j]) and not _MARKERS.search(lines[j]):
                j += 1
            if j - i >= 2 and j < len(lines) and _MARKER_ONLY.match(lines[j]):
                out.append("\n".join(lines[i:j]))
                i = j
                continue
        out.append(lines[i])
        i += 1
    return out


def is_block(sentence: str) -> bool:
    """A table or a list quoted whole (several lines), rather than a sentence."""
    return "\n" in sentence.strip()


def split_sentences(text: str) -> list[str]:
    """Sentences of ``text``: line breaks and bullets are boundaries; decimals and abbreviations are not.

    A table, and a list quoted whole with one marker after it, stay one block each.
    """
    out: list[str] = []
    for line in _blocks(text):
        if "\n" in line:
            out.append(line)
            continue
        start = 0
        for m in _BOUNDARY.finditer(line):
            before = line[start : m.start()].rstrip("\"”')]")
            word = re.findall(r"[\w.]+$", before[:-1]) if before.endswith(".") else []
            if word and (word[0].lower() in _ABBREVIATIONS or len(word[0]) == 1):
                continue
            nxt = line[m.end() : m.end() + 1]
            if nxt.islower():
                continue
            out.append(line[start : m.end()].strip())
            start = m.end()
        out.append(line[start:].strip())
    # a sentence made only of markers belongs to the previous one ("... 12 days. [1]")
    merged: list[str] = []
    for s in out:
        lead = re.match(r"^((?:\[\d{1,3}\]\s*)+)(.*)$", s)
        if lead and merged:
            merged[-1] = f"{merged[-1]} {lead.group(1).strip()}"
            s = lead.group(2).strip()
        if s:
            merged.append(s)
    return merged


# facts
_NUM = re.compile(
    r"(?P<cur>[$€£])?\s?(?P<num>\d+(?:[.,]\d+)*)\s?(?P<unit>%|percent\b|per cent\b|[kKmMbB]\b|million\b|billion\b|thousand\b)?"
)
def _number_value(raw: str) -> str:
    """'1,200' -> '1200', '4.50' -> '4.5', '12' -> '12' (comparison form)."""
    digits = raw.replace(",", "")
    if digits.count(".") > 1:
        digits = digits.replace(".", "")
    try:
        value = float(digits)
    except ValueError:
        return raw
    return f"{value:g}" if value < 1e15 else digits


def _figures(text: str) -> set[tuple[str, bool]]:
    """(value, is_percent) for every number in ``text``."""
    found = set()
    for m in _NUM.finditer(text):
        unit = (m.group("unit") or "").lower()
        found.add((_number_value(m.group("num")), unit in ("%", "percent", "per cent")))
    return found


def _names(sentence: str) -> set[str]:
    """Capitalised words or runs not at the start of the sentence (customer, product and people names)."""
    names = set()
    for m in NAME_RUN.finditer(sentence):
        if m.start() == 0 or sentence[: m.start()].rstrip().endswith((":", "\n", "-", "•", "*")):
            continue
        for word in m.group(0).split():
            if word.lower() not in STOP_WORDS and word.lower() not in COMMON_CAPS and len(word) > 1:
                names.add(word)
    return names


_SPELLED = {w: n for n, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen "
    "eighteen nineteen twenty".split())} | {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
                                            "ninety": 90, "hundred": 100}
_SPELLED_WORD = re.compile(r"\b(" + "|".join(_SPELLED) + r")\b", re.I)


def _spelled_figures(text: str) -> set[tuple[str, bool]]:
    """Numbers a passage spells out ("two quarters"): a sentence writing them as digits ("2 quarters") states them too."""
    return {(f"{_SPELLED[m.group(1).lower()]}", False) for m in _SPELLED_WORD.finditer(text)}


def missing_facts(sentence: str, passage: str) -> list[str]:
    """Figures and names in ``sentence`` that ``passage`` does not contain, as user-readable reasons."""
    reasons = []
    passage_figures = _figures(passage) | _spelled_figures(passage)
    passage_values = {v for v, _ in passage_figures}
    for m in _NUM.finditer(sentence):
        value = _number_value(m.group("num"))
        unit = (m.group("unit") or "").lower()
        is_percent = unit in ("%", "percent", "per cent")
        ok = (value, True) in passage_figures if is_percent else value in passage_values
        if not ok:
            reasons.append(f"“{m.group(0).strip()}” is not in the cited source")
    lower = passage.lower()
    initials = "".join(w[0] for w in re.findall(r"[^\W_]+", lower))
    for name in sorted(_names(sentence)):
        if name.lower() in lower:
            continue
        if name.isupper() and 2 <= len(name) <= 6 and name.lower() in initials:
            continue  # an acronym of words in the passage ("SSO" for "single sign-on")
        reasons.append(f"“{name}” is not in the cited source")
    return reasons


# factual or not
_NON_FACTUAL_START = re.compile(r"^(sure|certainly|of course|here is|here's|hi|hello|thanks|thank you|great question)\b", re.I)


def is_factual(sentence: str) -> bool:
    text = _MARKERS.sub("", sentence).strip()
    if not text or text.startswith("#") or text.endswith(":"):
        return False
    words = [w for w in re.findall(r"[^\W_]+", text) if not w.startswith("#")]
    if re.fullmatch(r"(\s*#\w+)+\s*", text):
        return False
    if _NON_FACTUAL_START.match(text) and len(words) < 8 and not _NUM.search(text):
        return False
    if text.endswith("?") and not _NUM.search(text):  # a question asks; it states nothing
        return False
    return len(analyse(text, guess_language(text))) >= 3 or bool(_NUM.search(text))


def _claim_text(sentence: str) -> str:
    """The sentence as a claim: no markers, no bullet, no space left before punctuation (a block keeps its lines)."""
    if is_block(sentence):
        return re.sub(r"[ \t]*\[\d{1,3}\]", "", sentence).strip()
    text = _BULLET.sub("", re.sub(r"\s*\[\d{1,3}\]", "", sentence))
    return re.sub(r"\s+([.,;:!?])", r"\1", text).strip()


# scoring
def _lexical(sentence_terms: set[str], passage_terms: set[str]) -> float:
    return len(sentence_terms & passage_terms) / len(sentence_terms) if sentence_terms else 0.0


def best_quote(claims: list[str], passage: str, limit: int = 300) -> str:
    """The passage sentence sharing most content words and figures with the claims (verbatim).

    A table or list quoted whole from the passage is its own best quote.
    """
    whole = [c for c in claims if is_block(c) and all(
        line.strip() in passage for line in c.splitlines() if not _SEPARATOR_LINE.match(line))]
    if whole:
        return "\n".join(whole)
    candidates = split_sentences(passage) or [passage]
    language = guess_language(" ".join(claims))
    claim_terms = set(analyse(" ".join(claims), language))
    claim_figures = {v for v, _ in _figures(" ".join(claims))}

    def score(s: str) -> float:
        return len(claim_terms & set(analyse(s, language))) + 2 * len(claim_figures & {v for v, _ in _figures(s)})

    best = max(candidates, key=score)
    if len(best) > limit:
        cut = best.rfind(" ", 0, limit)
        best = best[: cut if cut > 0 else limit] + "…"
    return best


def _label(score: float, facts_missing: bool, t: Thresholds) -> str:
    if facts_missing:
        return "unsupported"
    if score >= t.supported:
        return "supported"
    return "weak" if score >= t.weak else "unsupported"


def check_answer(answer: str, sources: list[Hit], embeddings=None, *, thresholds: Thresholds = Thresholds()) -> CheckResult:
    """Judge every sentence of ``answer`` against the numbered ``sources`` (1-based)."""
    t = thresholds
    text, removed = _normalise_markers(answer, len(sources))
    sentences = split_sentences(text)
    any_marker = bool(_MARKERS.search(text))
    claims = [_claim_text(s) for s in sentences]
    factual = [is_factual(s) for s in sentences]
    passages = [h.text for h in sources]
    # what a reader sees of each source: its text under its headings (a case study's title states its headline figure)
    said = [f"{h.section}\n{h.text}" if h.section else h.text for h in sources]

    # scores[i, j]: support of sentence i by source j
    lexical = np.zeros((len(sentences), len(sources)))
    language = guess_language(" ".join(claims))  # an answer quotes (or writes in) its documents' language
    passage_terms = [set(analyse(p, language)) for p in said]
    for i, claim in enumerate(claims):
        terms = set(analyse(claim, language))
        for j in range(len(sources)):
            lexical[i, j] = _lexical(terms, passage_terms[j])
    cosine = np.zeros_like(lexical)
    if embeddings is not None and sentences and sources:
        vectors = embeddings.embed_array(claims + passages)
        # on the English model's scale, which the thresholds are set on
        cosine = np.clip(similarity_scale(embeddings, vectors[: len(claims)] @ vectors[len(claims) :].T), 0.0, 1.0)
    scores = t.lexical_weight * lexical + (1 - t.lexical_weight) * cosine

    checks: list[SentenceCheck] = []
    for i, sentence in enumerate(sentences):
        cited = list(dict.fromkeys(int(n) for n in _MARKERS.findall(sentence)))
        if not factual[i]:
            checks.append(SentenceCheck(claims[i], "supported", cited, 0.0, ["no factual claim"]))
            continue
        reasons: list[str] = []
        if not cited and len(sources):
            # Prefer the best-scoring source whose text holds all the sentence's facts.
            order = np.argsort(-scores[i])
            complete = [j for j in order if not missing_facts(claims[i], said[j])]
            j = int(complete[0]) if complete and scores[i, complete[0]] >= t.weak else int(order[0])
            threshold = t.weak if not any_marker else t.supported
            if scores[i, j] >= threshold:
                cited = [j + 1]
                if any_marker:
                    reasons.append("citation added by Grounded")
            else:
                reasons.append("no source supports this sentence" if not any_marker else "no citation")
        if cited:
            joined = "\n".join(said[n - 1] for n in cited)
            score = float(max(scores[i, n - 1] for n in cited))
            missing = missing_facts(claims[i], joined)
            reasons.extend(missing)
            support = _label(score, bool(missing), t)
        else:
            score = float(scores[i].max()) if len(sources) else 0.0
            support = "unsupported"
        checks.append(SentenceCheck(claims[i], support, cited, round(score, 4), reasons))

    # Citations are numbered 1..n in the order the answer first uses them, whatever the
    # sources' retrieval order was: an answer citing [2] and [3] but no [1] looks broken.
    order = list(dict.fromkeys(n for c in checks for n in c.citations))
    renumber = {old: new for new, old in enumerate(order, 1)}
    citations = []
    for old in order:
        hit = sources[old - 1]
        citing = [c.text for c in checks if old in c.citations]
        citations.append(
            Citation(
                renumber[old], hit.doc_id, hit.file, hit.page, hit.section, best_quote(citing, hit.text), hit.score,
                hit.chunk_id, pages=list(hit.pages), ocr=hit.ocr,
            )
        )
    for c in checks:
        c.citations = [renumber[n] for n in c.citations]
    text = _MARKERS.sub(lambda m: f"[{renumber.get(int(m.group(1)), int(m.group(1)))}]", text)

    weights = {"supported": 1.0, "weak": 0.5, "unsupported": 0.0}
    factual_checks = [c for c, f in zip(checks, factual) if f]
    total = sum(len(c.text) for c in factual_checks)
    grounded = sum(len(c.text) * weights[c.support] for c in factual_checks) / total if total else 1.0
    return CheckResult(
        answer=text.strip(),
        sentences=checks,
        citations=citations,
        grounded_fraction=round(grounded, 4),
        removed_markers=removed,
        attributed=not any_marker and any(c.citations for c in factual_checks),
    )
