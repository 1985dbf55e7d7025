"""Does an answer state a fact? Figures, names, dates and step counts, compared after normalising.

A fact ("41 days", "$49 per month", "Maria Lopez", "May 10, 2023", "3 steps") is stated when:

- every number of it is in the answer as the same number ("2,000" = "2000", "12" = "12.0", "three" = "3"),
  with the word that follows it in the fact right after it in the answer ("41 days" = "41-day" =
  "41 Days"; "from 41 to 12 days" states "41 days" too, the unit shared), so "14 days" never states
  "12 days" and "12 weeks" never states "12 days";
- a currency sign counts as its word ("$49" = "49 dollars"), "%" as "percent" ("35%" = "35 per cent");
- every other word of it is in the answer (Unicode words, case and accents folded, stop words out,
  Snowball stems: "customers" = "customer");
- a step count ("3 steps") is stated as such, or as a numbered list of exactly that many steps.

Whitespace, case and hyphens never matter; a wrong figure always does.
"""

from __future__ import annotations

import re
import unicodedata

from ..words import analyse

_TOKEN = re.compile(r"[$€£%]|\d+(?:[.,]\d+)*|[^\W\d_]+", re.UNICODE)
_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?")
_CURRENCY = {"$": "dollar", "€": "euro", "£": "pound"}
_NUMBER_WORDS = {w: str(n) for n, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve".split())}
_STEPS = re.compile(r"^\s*(\d{1,3})\s+steps?\s*$", re.I)
_NUMBERED = re.compile(r"^\s*(?:step\s+)?(\d{1,2})[.):]\s+\S", re.I | re.M)


def _fold(text: str) -> str:
    """Lowercase, compatibility forms, accents off ("López" = "Lopez"), "per cent" as one word."""
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return re.sub(r"\bper\s+cent\b", "percent", text)


def _number(token: str) -> str:
    """A number token as one canonical form: "#2000", "#12", "#1.5"."""
    raw = token.replace(",", "") if _THOUSANDS.fullmatch(token) else token.replace(",", ".")
    try:
        value = float(raw)
    except ValueError:
        return "#" + token
    return "#" + (str(int(value)) if value == int(value) else repr(value))


def tokens(text: str) -> list[str]:
    """The terms of ``text`` in order: numbers as "#n", a currency sign as its word after the number, "%" as "percent",
    words stemmed (stop words out)."""
    out: list[str] = []
    pending_currency = ""
    for m in _TOKEN.finditer(_fold(text)):
        tok = m.group(0)
        if tok in _CURRENCY:
            pending_currency = _CURRENCY[tok]
            continue
        if tok[0].isdigit() or tok in _NUMBER_WORDS:
            out.append(_number(_NUMBER_WORDS.get(tok, tok)))
            if pending_currency:
                out.append(pending_currency)
        elif tok == "%":
            out.append("percent")
        else:
            out.extend(analyse(tok))
        pending_currency = ""
    return out


def _is_number(tok: str) -> bool:
    return tok.startswith("#")


def _unit_after(toks: list[str], i: int) -> str | None:
    """The first word after the number at ``i``, past any other numbers ("from 41 to 12 days": "day" for 41)."""
    for tok in toks[i + 1:i + 4]:
        if not _is_number(tok):
            return tok
    return None


def _step_count(answer: str) -> int:
    """How many steps a numbered list in ``answer`` has (the highest item number of a list that starts at 1)."""
    numbers = [int(n) for n in _NUMBERED.findall(answer)]
    if 1 not in numbers:
        return 0
    count = 0
    for n in numbers[numbers.index(1):]:
        if n == count + 1:
            count = n
    return count


def states(answer: str, fact: str, answer_tokens: list[str] | None = None) -> bool:
    """Does ``answer`` state ``fact``? (See the module docstring for what counts.)"""
    if m := _STEPS.match(fact):
        n = int(m.group(1))
        if _step_count(answer) == n:
            return True
    fact_tokens = tokens(fact)
    if not fact_tokens:
        return _fold(fact).strip() in _fold(answer)
    have = answer_tokens if answer_tokens is not None else tokens(answer)
    words = set(t for t in have if not _is_number(t))
    for i, tok in enumerate(fact_tokens):
        if not _is_number(tok):
            if tok not in words:
                return False
            continue
        unit = fact_tokens[i + 1] if i + 1 < len(fact_tokens) and not _is_number(fact_tokens[i + 1]) else None
        if not any(t == tok and (unit is None or _unit_after(have, j) == unit) for j, t in enumerate(have)):
            return False
    return True


# a chat's answer as a check
_FIGURE = re.compile(r"[$€£]?\d[\d,.]*\d?(?:\s?%|\s?[^\W\d_]+)?")
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+)+")


def facts_of_answer(text: str) -> list[str]:
    """The figures (with their unit word) and names an answer states, to check it keeps stating them."""
    plain = re.sub(r"\[\d+\]|\*\*|__", " ", text)
    figures = [m.group(0).strip().rstrip(".,") for m in _FIGURE.finditer(plain)]
    figures = [f for f in figures if not re.fullmatch(r"\d{1,2}", f)]  # list numbers, markers
    names = [m.group(0) for m in _NAME.finditer(plain)]
    found = list(dict.fromkeys(figures + names))[:4]
    if found:
        return found
    first = re.split(r"(?<=[.!?])\s+", " ".join(plain.split()))[0]
    return [first] if first else []
