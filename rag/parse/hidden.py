"""Text a reader can't see, decided from each element's computed style.

Hidden text is how a page plants orders for an assistant ("ignore previous
instructions…") or stuffs facts no visitor would agree with, so it is removed
before anything is read. A browser is not run; instead a small style engine
computes, for every element, the values of the properties that decide whether
its text can be seen, and one function judges the result.

The cascade: the page's ``<style>`` blocks and ``style`` attributes (external
stylesheets aren't available). Rules inside ``@media`` are read for each
common screen their query matches (phone to 4K; ``print``, ``not screen`` and
``prefers-…`` match none: they depend on the person), and text stays when any
screen shows it, so responsive pages keep what their phone or desktop layout
shows. Rules inside ``@supports`` and ``@layer`` count (layers ordered as CSS
orders them), ``@container`` rules don't (they depend on a box size we don't
know). Nested rules (``.a { .b {…} }``) and ``@scope`` are read. The winner
among declarations: ``!important``, then layer, specificity, order; inline
styles beat rules. Custom properties (``var(--x)``) are substituted;
``inherit`` and the other CSS-wide keywords fall back to inheritance.

Computed per element: colour, text fill colour (``-webkit-text-fill-color``),
shadows and strokes that draw the glyphs anyway, background text clipping
(gradient text), the background behind, font size in px (every absolute and
relative unit, ``calc()``/``min()``/``max()``/``clamp()``, the ``font``
shorthand), visibility, and, multiplied down the tree, opacity (with
``filter: opacity()``) and scale (``zoom``, ``transform`` scale/matrix,
``scale``, and ``rotateX``/``rotateY`` turning the text edge-on).

Text is visible (:func:`readable`) when its element's visibility is visible,
its font size times the scale is at least 4px, the opacity product at least
0.1, and its glyph colour contrasts with the background (or a shadow, stroke
or clipped background draws it). A box and everything in it are gone
(:func:`box_gone`) with ``display: none``, ``content-visibility: hidden``, an
opacity product under 0.1, clipping to nothing (``clip: rect``,
``clip-path: inset/circle/ellipse/polygon``), a size of at most 1px with
overflow hidden, or a move off screen (``left``/``top``/``right``/``inset``,
``margin``, ``text-indent``, ``translate``/``transform`` of 999px or more).

What this can't see: external stylesheets, scripts, fonts without glyphs,
animations that end hidden, text under another box that covers it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace
from functools import lru_cache

import soupsieve
import tinycss2
import tinycss2.color4
from bs4 import BeautifulSoup, NavigableString, Tag

# Properties that can hide (or reveal) text: the only ones the cascade keeps, with custom properties.
_PROPERTIES = frozenset(
    {
        "display", "visibility", "content-visibility", "opacity", "filter", "zoom",
        "font", "font-size", "color", "-webkit-text-fill-color", "text-shadow", "-webkit-text-stroke",
        "-webkit-text-stroke-width", "-webkit-text-stroke-color",
        "background", "background-color", "background-image", "background-clip",
        "position", "left", "top", "right", "bottom", "inset", "text-indent",
        "margin", "margin-left", "margin-top", "transform", "translate", "scale", "rotate",
        "clip", "clip-path", "height", "max-height", "width", "max-width", "overflow", "overflow-x", "overflow-y",
    }
)
# Vendor and logical names read as the property they stand for (left to right, top to bottom).
_ALIASES = {
    "-webkit-transform": "transform", "-moz-transform": "transform", "-ms-transform": "transform",
    "-webkit-filter": "filter", "-webkit-clip-path": "clip-path", "-webkit-background-clip": "background-clip",
    "margin-inline-start": "margin-left", "margin-block-start": "margin-top",
    "inset-inline-start": "left", "inset-block-start": "top", "inset-inline-end": "right", "inset-block-end": "bottom",
}
# Two-value logical shorthands: their first value is the start side.
_LOGICAL_PAIRS = {"margin-inline": "margin-left", "margin-block": "margin-top", "inset-inline": "left", "inset-block": "top"}
# Colours: whether they hide text depends on the background behind (read first past the limits).
_COLOURS = ("color", "-webkit-text-fill-color")

MIN_CONTRAST = 1.2  # WCAG contrast ratio: 1.0 is identical colours; #eee on white is 1.16
MIN_FONT_PX = 4.0  # text drawn smaller than this (font size times scale) can't be read
MIN_OPACITY = 0.1
FAR = 999.0  # px: a box moved this far off the page's top or left edge is off screen
MAX_RULES = 5000  # rules read per page, at most
MAX_COMPLEX = 200  # of which with selectors we can't match from the index (each is one pass over the page), at most
MAX_STEPS = 3_000_000  # ancestor checks for descendant and child selectors (".box p", "ul > li") per page, at most
INLINE_SPECIFICITY = (1, 0, 0, 0)
UNLAYERED = 1_000_000  # unlayered rules beat every layer (for normal declarations)
# Screens every rule inside @media must match to count: phone, tablet, laptop, desktop, 4K (width, height px).
SCREENS = ((320, 568), (768, 1024), (1280, 720), (1920, 1080), (3840, 2160))
VIEWPORT = (1280.0, 720.0)  # for vw/vh in lengths
# "p", ".note", "#seo", "p.fine", ".a.b", "*": matched from an index of the page, not by a pass over it.
_SIMPLE_SELECTOR = re.compile(r"(\*|[a-zA-Z][\w-]*)?((?:[.#][\w-]+)*)")
_PART = re.compile(r"[.#][\w-]+")

Rgba = tuple[float, float, float, float]
WHITE: Rgba = (1.0, 1.0, 1.0, 1.0)
BLACK: Rgba = (0.0, 0.0, 0.0, 1.0)
Declarations = tuple[tuple[str, str, bool], ...]  # (property, value, important)


@dataclass(frozen=True)
class Rule:
    selector: str
    specificity: tuple[int, int, int, int]
    declarations: Declarations
    order: int = 0  # position in the page's stylesheets: a later rule wins a tie
    layer: int = UNLAYERED  # cascade layer rank: a later layer wins, unlayered rules win over layers
    screens: frozenset[int] = frozenset(range(5))  # the SCREENS (by index) its @media conditions match

    @property
    def may_hide(self) -> bool:
        """Can this rule hide text on its own (a colour, a variable, or values that hide a box)?"""
        styles = {prop: value for prop, value, _ in self.declarations}
        return any(p in styles or p.startswith("--") for p in _COLOURS) or any(p.startswith("--") for p in styles) \
            or box_hidden(styles)


# ---------------------------------------------------------------- parsing declarations


def _lower_value(tokens) -> str:
    return " ".join(tinycss2.serialize(tokens).split()).lower()


def _split_top(value: str, sep: str = " ") -> list[str]:
    """``value`` split at ``sep`` outside parentheses."""
    parts, depth, current = [], 0, []
    for ch in value:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(depth - 1, 0)
        if ch == sep and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    parts.append("".join(current).strip())
    return [p for p in parts if p]


def _declaration(name: str, value: str, important: bool) -> list[tuple[str, str, bool]]:
    if name.startswith("--"):
        return [(name, value, important)]
    if name in _LOGICAL_PAIRS:
        first = _split_top(value)
        return [(_LOGICAL_PAIRS[name], first[0], important)] if first else []
    name = _ALIASES.get(name, name)
    return [(name, value, important)] if name in _PROPERTIES else []


def _declarations(tokens) -> Declarations:
    found = tinycss2.parse_blocks_contents(tokens, skip_comments=True, skip_whitespace=True)
    out: list[tuple[str, str, bool]] = []
    for d in found:
        if d.type == "declaration":
            name = d.name if d.name.startswith("--") else d.lower_name
            out.extend(_declaration(name, _lower_value(d.value), d.important))
    return tuple(out)


_ID = re.compile(r"#[\w-]+")
_CLASS_ATTR_PSEUDO = re.compile(r"\.[\w-]+|\[[^\]]*\]|(?<!:):(?!not\b|is\b|where\b)[\w-]+")
_TAG = re.compile(r"(?:^|[\s>+~(,])([a-zA-Z][\w-]*)")


def _specificity(selector: str) -> tuple[int, int, int, int]:
    """CSS specificity (0, ids, classes/attributes/pseudo-classes, tags), counted roughly but in order."""
    without_attrs = re.sub(r"\[[^\]]*\]", "[]", selector)
    return (
        0,
        len(_ID.findall(without_attrs)),
        len(_CLASS_ATTR_PSEUDO.findall(selector)),
        len(_TAG.findall(re.sub(r"[.#:][\w-]+", "", without_attrs))),
    )


def _selectors(prelude) -> list[str]:
    """A rule's selector list, split at its top-level commas (``:is(.a, .b)`` stays whole)."""
    out, current = [], []
    for token in prelude:
        if token.type == "literal" and token.value == ",":
            out.append(current)
            current = []
        else:
            current.append(token)
    out.append(current)
    return [" ".join(tinycss2.serialize(s).split()) for s in out if tinycss2.serialize(s).strip()]


def _nest(parents: list[str] | None, selector: str) -> str:
    """A nested rule's selector in full: ``&`` is its parent; without ``&`` it is a descendant of it."""
    if not parents:
        return selector
    joined = parents[0] if len(parents) == 1 and _SIMPLE_SELECTOR.fullmatch(parents[0]) else f":is({', '.join(parents)})"
    if "&" in selector:
        return selector.replace("&", joined)
    return f"{joined} {selector}"  # "> .b", "+ .b" and ".b" all read after the parent


# ---------------------------------------------------------------- media queries

_MEDIA_LENGTH = re.compile(r"(-?\d*\.?\d+)\s*(px|em|rem|)")


def _media_px(value: str) -> float | None:
    m = _MEDIA_LENGTH.fullmatch(value.strip())
    if not m:
        return None
    return float(m.group(1)) * (16.0 if m.group(2) in ("em", "rem") else 1.0)


def _feature(text: str, width: float, height: float) -> bool | None:
    """One media feature on a screen of this size: True, False, or None when it depends on the person."""
    text = text.strip()
    if ":" in text:
        name, value = (s.strip() for s in text.split(":", 1))
        sizes = {"width": width, "height": height, "device-width": width, "device-height": height}
        for prefix, compare in (("min-", lambda a, b: a >= b), ("max-", lambda a, b: a <= b), ("", lambda a, b: a == b)):
            if name.startswith(prefix) and name[len(prefix):] in sizes:
                px = _media_px(value)
                return None if px is None else compare(sizes[name[len(prefix):]], px)
        if name == "orientation":
            return value == ("portrait" if height >= width else "landscape")
        if name in ("min-color", "color"):
            return True
        return None
    ops = re.split(r"\s*(<=|>=|<|>|=)\s*", text)
    if len(ops) in (3, 5):
        values = {"width": width, "height": height}
        compare = {"<=": float.__le__, ">=": float.__ge__, "<": float.__lt__, ">": float.__gt__, "=": float.__eq__}
        terms = [values.get(t) if t in values else _media_px(t) for t in ops[0::2]]
        if any(t is None for t in terms) or not any(t in values for t in ops[0::2]):
            return None
        return all(compare[ops[i]](float(terms[i // 2]), float(terms[i // 2 + 1])) for i in range(1, len(ops), 2))
    return {"color": True, "monochrome": False, "grid": False}.get(text)


def _one_query(query: str, width: float, height: float) -> bool:
    query = query.strip()
    negate = query.startswith("not ")
    if negate or query.startswith("only "):
        query = query.split(None, 1)[1] if " " in query else ""
    result: bool | None = True
    m = re.match(r"([a-z-]+)\s*(?:and\b|$)", query)
    if m and not query.startswith("("):
        result = m.group(1) in ("all", "screen")
        query = query[m.end():]
    for part in re.findall(r"\(([^()]*)\)", query):
        value = _feature(part, width, height)
        result = None if value is None or result is None else (result and value)
    if " or " in query or "not (" in query:
        result = None  # a condition we don't evaluate
    if result is None:
        return False  # depends on the person's setup: it doesn't hide text from every reader
    return not result if negate else result


ALL_SCREENS = frozenset(range(len(SCREENS)))


@lru_cache(maxsize=512)
def media_screens(query: str) -> frozenset[int]:
    """The common screens (indexes into SCREENS) this media query list matches."""
    query = query.strip().lower()
    if query in ("", "all", "screen", "only screen"):
        return ALL_SCREENS
    parts = _split_top(query, ",")
    return frozenset(i for i, (w, h) in enumerate(SCREENS) if any(_one_query(q, w, h) for q in parts))


def media_applies(query: str) -> bool:
    """Does this media query list match on every common screen (phone to 4K)?"""
    return media_screens(query) == ALL_SCREENS


# ---------------------------------------------------------------- stylesheets


class _Sheet:
    """The rules of a page's stylesheets that apply on every screen, with their layers."""

    def __init__(self) -> None:
        self.rules: list[Rule] = []
        self.layers: dict[str, int] = {}
        self.anonymous = 0

    def layer(self, name: str) -> int:
        return self.layers.setdefault(name, len(self.layers))

    def read(self, nodes, layer: str | None = None, parents: list[str] | None = None,
             screens: frozenset[int] = ALL_SCREENS) -> None:
        for node in nodes:
            if len(self.rules) > 4 * MAX_RULES:
                return
            if node.type == "qualified-rule":
                self._qualified(node.prelude, node.content, layer, parents, screens)
            elif node.type == "at-rule":
                self._at_rule(node, layer, parents, screens)

    def _qualified(self, prelude, content, layer: str | None, parents: list[str] | None, screens: frozenset[int]) -> None:
        selectors = [_nest(parents, s) for s in _selectors(prelude)]
        body = tinycss2.parse_blocks_contents(content, skip_comments=True, skip_whitespace=True)
        declarations: list[tuple[str, str, bool]] = []
        nested = []
        for item in body:
            if item.type == "declaration":
                name = item.name if item.name.startswith("--") else item.lower_name
                declarations.extend(_declaration(name, _lower_value(item.value), item.important))
            elif item.type in ("qualified-rule", "at-rule"):
                nested.append(item)
        rank = UNLAYERED if layer is None else self.layer(layer)
        if declarations:
            for selector in selectors:
                # Pseudo-elements (::before) and interactive states (:hover) aren't the element's own text.
                if selector and "::" not in selector and not re.search(r":(hover|focus|active|visited)", selector):
                    self.rules.append(
                        Rule(selector, _specificity(selector), tuple(declarations), len(self.rules), rank, screens))
        if nested:
            self.read(nested, layer, selectors, screens)

    def _at_rule(self, node, layer: str | None, parents: list[str] | None, screens: frozenset[int]) -> None:
        keyword, prelude = node.lower_at_keyword, _lower_value(node.prelude)
        if keyword == "layer":
            names = [n.strip() for n in prelude.split(",") if n.strip()]
            if node.content is None:
                for name in names:
                    self.layer(f"{layer}.{name}" if layer else name)
                return
            if not names:
                self.anonymous += 1
                names = [f"#anonymous{self.anonymous}"]
            inner = f"{layer}.{names[0]}" if layer else names[0]
            self.layer(inner)
            self.read(self._rules(node.content, parents), inner, parents, screens)
        elif node.content is None:
            return
        elif keyword == "media" and (matched := screens & media_screens(prelude)):
            self.read(self._rules(node.content, parents), layer, parents, matched)
        elif keyword == "supports":  # browsers support what pages test for: its rules count
            self.read(self._rules(node.content, parents), layer, parents, screens)
        elif keyword == "scope":
            m = re.match(r"\(([^()]*)\)", prelude)
            self.read(self._rules(node.content, parents), layer, [m.group(1).strip()] if m else parents, screens)

    @staticmethod
    def _rules(content, parents: list[str] | None):
        if parents:  # inside a style rule: declarations and rules mixed
            body = tinycss2.parse_blocks_contents(content, skip_comments=True, skip_whitespace=True)
            items = [i for i in body if i.type in ("qualified-rule", "at-rule")]
            declarations = [i for i in body if i.type == "declaration"]
            if declarations:  # `.a { @media screen { color: white } }` applies to .a itself
                items.append(_Bare(declarations))
            return items
        return tinycss2.parse_rule_list(content, skip_comments=True, skip_whitespace=True)


class _Bare:
    """Declarations directly inside a nested at-rule, read as a rule for ``&``."""

    type = "qualified-rule"

    def __init__(self, declarations) -> None:
        self.prelude = tinycss2.parse_component_value_list("&")
        self.content = tinycss2.parse_component_value_list(
            "; ".join(f"{d.name}: {tinycss2.serialize(d.value)}{' !important' if d.important else ''}" for d in declarations)
        )


def stylesheet_rules(soup: BeautifulSoup) -> list[Rule]:
    """The rules of the page's ``<style>`` blocks that apply on every screen.

    Past the limits, rules that can hide text on their own are read first, so
    padding a page with harmless rules can't push a hiding one out of reach.
    """
    sheet = _Sheet()
    for style in soup.find_all("style"):
        screens = media_screens(str(style.get("media", "")))
        if screens:
            sheet.read(tinycss2.parse_stylesheet(style.get_text(), skip_comments=True, skip_whitespace=True),
                       screens=screens)
    rules = sorted(sheet.rules, key=lambda r: not r.may_hide)
    simple = [r for r in rules if _chain(r.selector) is not None]
    complex_ = [r for r in rules if _chain(r.selector) is None]
    return (simple + complex_[:MAX_COMPLEX])[:MAX_RULES]


@lru_cache(maxsize=4096)
def _inline(style: str) -> Declarations:
    """An inline ``style`` attribute's declarations (cached: long documents repeat the same few)."""
    return _declarations(style)


class _Index:
    """The page's elements by tag name, class and id, to match simple selectors at once."""

    def __init__(self, soup: BeautifulSoup):
        self.tags: dict[str, list[Tag]] = {}
        self.classes: dict[str, list[Tag]] = {}
        self.ids: dict[str, list[Tag]] = {}
        for tag in soup.find_all(True):
            self.tags.setdefault(tag.name, []).append(tag)
            for cls in tag.get("class", []):
                self.classes.setdefault(cls, []).append(tag)
            if tag.get("id"):
                self.ids.setdefault(str(tag["id"]), []).append(tag)

    def select_compound(self, compound: Compound) -> list[Tag]:
        name, ids, classes = compound
        if ids:
            found = self.ids.get(next(iter(ids)), [])
        elif classes:
            found = min((self.classes.get(c, []) for c in classes), key=len)
        else:
            found = [t for tags in self.tags.values() for t in tags] if name == "*" else self.tags.get(name, [])
        return [t for t in found if _is(t, compound)]


Key = tuple  # (important, layer, specificity, order): the greater wins
Winning = dict[str, tuple[Key, str]]


Compound = tuple[str, frozenset[str], frozenset[str]]  # tag name ("*" for any), ids, classes


@lru_cache(maxsize=8192)
def _chain(selector: str) -> tuple[tuple[Compound, ...], tuple[str, ...]] | None:
    """A selector of simple compounds joined by descendant or child combinators (``.box p``,
    ``ul > li.x``), as its compounds and combinators; None for anything else (left to soupsieve)."""
    parts = re.split(r"(\s*>\s*|\s+)", selector.strip())
    compounds, combinators = parts[0::2], tuple(">" if ">" in c else " " for c in parts[1::2])
    found = []
    for compound in compounds:
        m = _SIMPLE_SELECTOR.fullmatch(compound)
        if not compound or not m:
            return None
        pieces = _PART.findall(m.group(2))
        found.append(((m.group(1) or "*").lower(), frozenset(p[1:] for p in pieces if p[0] == "#"),
                      frozenset(p[1:] for p in pieces if p[0] == ".")))
    return tuple(found), combinators


def _is(tag: Tag, compound: Compound) -> bool:
    name, ids, classes = compound
    return (
        (name == "*" or tag.name == name)
        and all(str(tag.get("id", "")) == i for i in ids)
        and (not classes or classes <= set(tag.get("class", [])))
    )


class _Matcher:
    """Matches the page's elements to selectors: from an index where it can, by soupsieve otherwise."""

    def __init__(self, soup: BeautifulSoup) -> None:
        self.soup = soup
        self.index = _Index(soup)
        self.steps = 0

    def select(self, selector: str) -> list[Tag]:
        chain = _chain(selector)
        if chain is None:
            try:
                return soupsieve.select(selector, self.soup)
            except (soupsieve.SelectorSyntaxError, ValueError, NotImplementedError):
                return []  # a selector soupsieve can't read can't be checked; skip it
        compounds, combinators = chain
        for _, ids, classes in compounds:  # a part the page doesn't have: nothing matches
            if any(i not in self.index.ids for i in ids) or any(c not in self.index.classes for c in classes):
                return []
        candidates = self.index.select_compound(compounds[-1])
        if len(compounds) == 1:
            return candidates
        memo: dict[tuple[int, int], bool] = {}
        return [tag for tag in candidates if self._left(tag, len(compounds) - 1, compounds, combinators, memo)]

    def _left(self, tag: Tag, k: int, compounds, combinators, memo) -> bool:
        """``tag`` matches compound ``k``: do its ancestors match the compounds left of it?"""
        if k == 0:
            return True
        key = (id(tag), k)
        if key in memo:
            return memo[key]
        result = False
        for ancestor in tag.parents:
            self.steps += 1
            if ancestor is self.soup or self.steps > MAX_STEPS:
                break
            if _is(ancestor, compounds[k - 1]) and self._left(ancestor, k - 1, compounds, combinators, memo):
                result = True
                break
            if combinators[k - 1] == ">":
                break
        memo[key] = result
        return result


def _cascade(soup: BeautifulSoup, rules: list[Rule], matches: dict[int, list[Tag]]) -> dict[int, Winning]:
    """For each element that a rule or its ``style`` touches: the winning value of each property.

    ``matches`` holds each rule's elements by its order (filled here, shared between calls).
    """
    won: dict[int, Winning] = {}

    def apply(tag: Tag, declarations: Declarations, specificity, order: int, layer: int) -> None:
        current = won.setdefault(id(tag), {})
        for prop, value, important in declarations:
            key = (important, -layer if important else layer, specificity, order)
            if prop not in current or key >= current[prop][0]:
                current[prop] = (key, value)

    matcher = None
    for rule in rules:
        if rule.order not in matches:
            matcher = matcher or _Matcher(soup)
            matches[rule.order] = matcher.select(rule.selector)
        for tag in matches[rule.order]:
            apply(tag, rule.declarations, rule.specificity, rule.order, rule.layer)
    for tag in soup.find_all(style=True):
        apply(tag, _inline(str(tag["style"])), INLINE_SPECIFICITY, 0, UNLAYERED + 1)  # beats every rule
    return won


# ---------------------------------------------------------------- values

_UNITS = {
    "px": 1.0, "pt": 4 / 3, "pc": 16.0, "in": 96.0, "cm": 96 / 2.54, "mm": 96 / 25.4, "q": 96 / 101.6,
    "vw": VIEWPORT[0] / 100, "vh": VIEWPORT[1] / 100, "vmin": min(VIEWPORT) / 100, "vmax": max(VIEWPORT) / 100,
    "svw": VIEWPORT[0] / 100, "lvw": VIEWPORT[0] / 100, "dvw": VIEWPORT[0] / 100, "vi": VIEWPORT[0] / 100,
    "svh": VIEWPORT[1] / 100, "lvh": VIEWPORT[1] / 100, "dvh": VIEWPORT[1] / 100, "vb": VIEWPORT[1] / 100,
    "rem": 16.0, "rlh": 19.2,
}
_EM_UNITS = {"em": 1.0, "ex": 0.5, "ch": 0.5, "cap": 0.7, "ic": 1.0, "lh": 1.2}
_ANGLES = {"deg": 1.0, "rad": 180 / math.pi, "grad": 0.9, "turn": 360.0}


def _tokens(value: str):
    return [t for t in tinycss2.parse_component_value_list(value) if t.type not in ("whitespace", "comment")]


def _evaluate(tokens, em: float, percent_of: float | None) -> tuple[float, bool] | None:
    """A calc() sum of lengths and numbers: (value, is a length), or None if it can't be known."""
    terms: list = []
    for t in tokens:
        if t.type in ("whitespace", "comment"):
            continue
        if t.type == "literal" and t.value in "+-*/":
            terms.append(t.value)
            continue
        item = _atom(t, em, percent_of)
        if item is None:
            return None
        terms.append(item)

    def product(i: int) -> tuple[tuple[float, bool] | None, int]:
        if i >= len(terms) or isinstance(terms[i], str):
            return None, i
        value, length = terms[i]
        i += 1
        while i + 1 < len(terms) and terms[i] in ("*", "/") and not isinstance(terms[i + 1], str):
            other, other_length = terms[i + 1]
            if terms[i] == "*":
                value, length = value * other, length or other_length
            elif other == 0:
                return None, i
            else:
                value = value / other
            i += 2
        return (value, length), i

    first, i = product(0)
    if first is None:
        return None
    total, length = first
    while i < len(terms):
        if terms[i] not in ("+", "-"):
            return None
        nxt, j = product(i + 1)
        if nxt is None:
            return None
        total = total + nxt[0] if terms[i] == "+" else total - nxt[0]
        length = length or nxt[1]
        i = j
    return total, length


def _atom(t, em: float, percent_of: float | None) -> tuple[float, bool] | None:
    if t.type == "number":
        return float(t.value), False
    if t.type == "percentage":
        return (None if percent_of is None else (float(t.value) * percent_of / 100, True))  # type: ignore[return-value]
    if t.type == "dimension":
        unit = t.lower_unit
        if unit in _UNITS:
            return float(t.value) * _UNITS[unit], True
        if unit in _EM_UNITS:
            return float(t.value) * _EM_UNITS[unit] * em, True
        return None
    if t.type == "() block":
        return _evaluate(t.content, em, percent_of)
    if t.type == "function":
        args = [[a for a in part if a.type not in ("whitespace", "comment")] for part in _split_args(t.arguments)]
        values = [_evaluate(a, em, percent_of) for a in args]
        if any(v is None for v in values) or not values:
            return None
        name = t.lower_name
        if name == "calc" and len(values) == 1:
            return values[0]
        is_length = any(v[1] for v in values)  # type: ignore[index]
        numbers = [v[0] for v in values]  # type: ignore[index]
        if name == "min":
            return min(numbers), is_length
        if name == "max":
            return max(numbers), is_length
        if name == "clamp" and len(numbers) == 3:
            return max(numbers[0], min(numbers[1], numbers[2])), is_length
    return None


def _split_args(arguments) -> list[list]:
    parts: list[list] = [[]]
    for a in arguments:
        if a.type == "literal" and a.value == ",":
            parts.append([])
        else:
            parts[-1].append(a)
    return parts


def length_px(value: str, em: float = 16.0, percent_of: float | None = None) -> float | None:
    """A CSS length in px (every absolute unit, em/ex/ch against ``em``, vw/vh on a 1280x720 screen,
    calc/min/max/clamp); None if it isn't one (``%`` only with ``percent_of``)."""
    value = value.strip()
    if not value or len(value) > 200:
        return None
    try:
        tokens = _tokens(value)
    except Exception:  # noqa: BLE001 - an unreadable value is no length
        return None
    if len(tokens) != 1:
        return None
    result = _atom(tokens[0], em, percent_of)
    if result is None:
        return None
    number, is_length = result
    return number if is_length or number == 0 else None


def _number(value: str) -> float | None:
    """A number or percentage (``0.5``, ``50%``) as a fraction."""
    m = re.fullmatch(r"(-?\d*\.?\d+(?:e-?\d+)?)(%?)", value.strip())
    if not m:
        return None
    return float(m.group(1)) / (100 if m.group(2) else 1)


def _angle(value: str) -> float | None:
    m = re.fullmatch(r"(-?\d*\.?\d+)(deg|rad|grad|turn)?", value.strip())
    if not m:
        return None
    return float(m.group(1)) * _ANGLES[m.group(2) or "deg"] if m.group(2) or float(m.group(1)) == 0 else None


def _edge_on(degrees: float) -> float:
    """How much of a box's width is left when it is turned this far around an axis in its plane."""
    return abs(math.cos(math.radians(degrees)))


@lru_cache(maxsize=2048)
def _transform(value: str, em: float) -> tuple[float, float, float]:
    """(smallest scale of the two axes, x shift px, y shift px) of a ``transform`` list."""
    sx = sy = 1.0
    tx = ty = 0.0
    for name, args in re.findall(r"([a-z0-9]+)\(([^()]*)\)", value):
        parts = [p.strip() for p in args.replace(",", " ").split()]
        numbers = [_number(p) for p in parts]
        if name in ("scale", "scale3d") and numbers and numbers[0] is not None:
            sx *= abs(numbers[0])
            sy *= abs(numbers[1]) if len(numbers) > 1 and numbers[1] is not None else abs(numbers[0])
        elif name == "scalex" and numbers and numbers[0] is not None:
            sx *= abs(numbers[0])
        elif name == "scaley" and numbers and numbers[0] is not None:
            sy *= abs(numbers[0])
        elif name in ("rotatex", "rotatey") and parts and (a := _angle(parts[0])) is not None:
            if name == "rotatex":
                sy *= _edge_on(a)
            else:
                sx *= _edge_on(a)
        elif name == "rotate3d" and len(parts) == 4 and (a := _angle(parts[3])) is not None:
            axis = [abs(n or 0.0) for n in numbers[:3]]
            if axis[0] > max(axis[1], axis[2]):
                sy *= _edge_on(a)
            elif axis[1] > max(axis[0], axis[2]):
                sx *= _edge_on(a)
        elif name in ("matrix", "matrix3d") and all(n is not None for n in numbers) and len(numbers) in (6, 16):
            n = [float(x) for x in numbers]  # type: ignore[arg-type]
            if len(n) == 6:
                sx, sy, tx, ty = sx * math.hypot(n[0], n[1]), sy * math.hypot(n[2], n[3]), tx + n[4], ty + n[5]
            else:
                sx, sy, tx, ty = sx * math.hypot(n[0], n[1]), sy * math.hypot(n[4], n[5]), tx + n[12], ty + n[13]
        elif name.startswith("translate"):
            shifts = [length_px(p, em) for p in parts]
            if name in ("translate", "translate3d"):
                tx += shifts[0] or 0.0 if shifts else 0.0
                ty += (shifts[1] or 0.0) if len(shifts) > 1 else 0.0
            elif name == "translatex" and shifts:
                tx += shifts[0] or 0.0
            elif name == "translatey" and shifts:
                ty += shifts[0] or 0.0
    return min(sx, sy), tx, ty


@lru_cache(maxsize=1024)
def parse_colour(value: str) -> Rgba | None:
    """sRGB + alpha for a CSS or HTML colour (``#fff``, ``rgb(255 255 255)``, ``hsl(...)``, ``white``, ``ffffff``)."""
    value = value.strip()
    if re.fullmatch(r"[0-9a-fA-F]{6}|[0-9a-fA-F]{3}", value):  # old HTML attributes: bgcolor=ffffff
        value = "#" + value
    colour = tinycss2.color4.parse_color(value)
    if colour is None or not hasattr(colour, "to"):
        return None  # inherit, currentcolor, unknown words
    srgb = colour.to("srgb")
    r, g, b = (min(max(c, 0.0), 1.0) for c in srgb.coordinates)
    return (r, g, b, float(srgb.alpha))


def _colours_in(value: str) -> list[Rgba]:
    found = [parse_colour(p) for p in re.findall(r"#[0-9a-f]{3,8}\b|[a-z-]+\([^()]*\)|[a-z]+", value)]
    return [c for c in found if c is not None]


def _luminance(c: Rgba) -> float:
    def channel(v: float) -> float:
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(c[0]) + 0.7152 * channel(c[1]) + 0.0722 * channel(c[2])


def invisible_on(text: Rgba, background: Rgba) -> bool:
    """Is text of this colour unreadable on this background (transparent, or contrast under 1.2)?"""
    if text[3] < MIN_OPACITY:
        return True
    blend = tuple(text[i] * text[3] + background[i] * (1 - text[3]) for i in range(3)) + (1.0,)
    light, dark = sorted((_luminance(blend), _luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05) < MIN_CONTRAST


# ---------------------------------------------------------------- computed style

_SHORTHANDS = {  # longhand -> (shorthand, index among its 1-4 box values, or None)
    "margin-top": ("margin", 0), "margin-left": ("margin", 3),
    "top": ("inset", 0), "right": ("inset", 1), "bottom": ("inset", 2), "left": ("inset", 3),
    "overflow-x": ("overflow", 0), "overflow-y": ("overflow", 1),
    "font-size": ("font", None), "background-color": ("background", None), "background-image": ("background", None),
    "background-clip": ("background", None),
    "-webkit-text-stroke-width": ("-webkit-text-stroke", None), "-webkit-text-stroke-color": ("-webkit-text-stroke", None),
}
_FONT_KEYWORDS = {
    "xx-small": 9.0, "x-small": 10.0, "small": 13.0, "medium": 16.0, "large": 18.0, "x-large": 24.0,
    "xx-large": 32.0, "xxx-large": 48.0,
}
_WIDE_KEYWORDS = ("inherit", "initial", "unset", "revert", "revert-layer")


def _box_side(value: str, index: int) -> str | None:
    parts = _split_top(value)
    if not parts or len(parts) > 4:
        return None
    if index == 0:
        return parts[0]
    if index == 1:
        return parts[1] if len(parts) > 1 else parts[0]
    if index == 2:
        return parts[2] if len(parts) > 2 else parts[0]
    return parts[3] if len(parts) > 3 else parts[1] if len(parts) > 1 else parts[0]


def _font_size_in(font: str) -> str | None:
    """The size in a ``font`` shorthand (``bold 0/0 a``, ``12px/1.5 Arial``, ``small-caps 1pt serif``)."""
    for token in _split_top(re.sub(r"\s*/\s*", "/", font)):
        size = token.split("/", 1)[0]
        if size in _FONT_KEYWORDS or size in ("smaller", "larger") or re.fullmatch(r"-?\d*\.?\d+[a-z%]+", size):
            return size
        if "/" in token or size.startswith(("calc(", "min(", "max(", "clamp(")):
            return size
    return None


def _component(short: str, index, longhand: str, value: str) -> str | None:
    if index is not None:
        return _box_side(value, index)
    if short == "font":
        return _font_size_in(value)
    if short == "background":
        if longhand == "background-image":
            return value if "url(" in value or "gradient(" in value else None
        if longhand == "background-clip":
            return "text" if re.search(r"(^|\s)text(\s|$)", value) else None
        colours = _colours_in(value)
        return f"rgba({colours[-1][0] * 255},{colours[-1][1] * 255},{colours[-1][2] * 255},{colours[-1][3]})" if colours else None
    if short == "-webkit-text-stroke":
        if longhand.endswith("width"):
            return next((p for p in _split_top(value) if length_px(p) is not None), None)
        colours = _colours_in(value)
        return value if colours else None
    return None


class _Values:
    """An element's winning declarations, with shorthands, ``var()`` and CSS-wide keywords resolved."""

    def __init__(self, won: Winning, customs: dict[str, str]):
        self.won = won
        self.customs = customs

    def get(self, prop: str) -> str | None:
        best = self.won.get(prop)
        short = _SHORTHANDS.get(prop)
        if short is not None and (s := self.won.get(short[0])) is not None and (best is None or s[0] > best[0]):
            raw = _substitute(s[1], self.customs)
            value = None if raw is None else _component(short[0], short[1], prop, raw)
        else:
            value = None if best is None else _substitute(best[1], self.customs)
        if value is None or value in _WIDE_KEYWORDS:
            return None  # not set here: inherited properties keep the parent's value
        return value


def _substitute(value: str, customs: dict[str, str], depth: int = 0) -> str | None:
    """``value`` with every ``var(--x, fallback)`` replaced; None when a variable has no value."""
    start = value.find("var(")
    if start < 0:
        return value
    if depth > 8:
        return None
    depth_count, end = 0, -1
    for i in range(start + 3, len(value)):
        if value[i] == "(":
            depth_count += 1
        elif value[i] == ")":
            depth_count -= 1
            if depth_count == 0:
                end = i
                break
    if end < 0:
        return None
    name, _, fallback = value[start + 4:end].partition(",")
    found = customs.get(name.strip())
    replacement = found if found is not None else (fallback.strip() if fallback else None)
    if replacement is None:
        return None
    return _substitute(value[:start] + replacement + value[end + 1:], customs, depth + 1)


@dataclass(frozen=True)
class Computed:
    """The style an element's text is drawn with (inherited values and products down the tree)."""

    colour: Rgba = BLACK
    fill: Rgba | None = None  # -webkit-text-fill-color; None: the colour
    drawn: bool = False  # a visible shadow, a stroke or a background clipped to the text draws the glyphs anyway
    background: Rgba | None = WHITE  # the colour behind; None when it is an image (any colour may be readable)
    font_px: float = 16.0
    visible: bool = True  # visibility
    opacity: float = 1.0  # product of the opacities of the element and its ancestors
    scale: float = 1.0  # product of zoom and transform scales (smallest axis)
    customs: tuple[tuple[str, str], ...] = ()


def readable(style: Computed) -> bool:
    """Can text drawn with this computed style be read on screen?"""
    if not style.visible or style.opacity < MIN_OPACITY or style.font_px * style.scale < MIN_FONT_PX:
        return False
    if style.drawn or style.background is None:
        return True
    glyph = style.fill if style.fill is not None else style.colour
    return not invisible_on(glyph, style.background)


def _overflow_hidden(v: _Values) -> bool:
    return any(v.get(p) in ("hidden", "clip") for p in ("overflow-x", "overflow-y"))


def _offscreen(v: _Values, em: float) -> bool:
    positioned = v.get("position") in ("absolute", "fixed", "relative", "sticky")
    if positioned:
        for prop in ("left", "top", "right"):
            px = length_px(v.get(prop) or "", em)
            if px is not None and px <= -FAR:
                return True
    for prop in ("text-indent", "margin-left", "margin-top"):
        px = length_px(v.get(prop) or "", em)
        if px is not None and px <= -FAR:
            return True
    indent = v.get("text-indent") or ""
    pushed = length_px(indent, em, percent_of=VIEWPORT[0])
    if pushed is not None and _overflow_hidden(v) and (pushed >= FAR or (indent.endswith("%") and pushed >= VIEWPORT[0])):
        return True  # "text-indent: 100%; overflow: hidden": the text starts past the box's edge
    _, tx, ty = _transform(v.get("transform") or "", em)
    shift = [length_px(p, em) for p in _split_top(v.get("translate") or "")]
    tx += (shift[0] or 0.0) if shift else 0.0
    ty += (shift[1] or 0.0) if len(shift) > 1 else 0.0
    return tx <= -FAR or ty <= -FAR or tx >= 5 * FAR


def _clipped(v: _Values, em: float) -> bool:
    clip = v.get("clip") or ""
    if clip.startswith("rect("):
        edges = [length_px(p, em) for p in re.split(r"[\s,]+", clip[5:].rstrip(")").strip())]
        if len(edges) == 4 and all(e is not None for e in edges):
            top, right, bottom, left = edges  # type: ignore[misc]
            if right - left <= 1 or bottom - top <= 1:  # type: ignore[operator]
                return True
    path = v.get("clip-path") or ""
    if m := re.match(r"inset\(([^()]*)\)", path):
        sides = [_box_side(m.group(1).split(" round ")[0], i) for i in range(4)]
        fractions = [_number(s) if s and s.endswith("%") else None for s in sides]
        pixels = [length_px(s, em) if s else None for s in sides]
        vertical = [f for f in (fractions[0], fractions[2]) if f is not None]
        horizontal = [f for f in (fractions[1], fractions[3]) if f is not None]
        if sum(vertical) >= 1 or sum(horizontal) >= 1:
            return True
        return any(p is not None and p >= 5 * FAR for p in pixels)
    if re.match(r"(circle|ellipse)\(\s*0(\.0*)?(px|%|em|rem)?\s*(\)|at\b|0)", path):
        return True
    if m := re.match(r"polygon\(([^()]*)\)", path):
        points = []
        for pair in m.group(1).split(","):
            xy = pair.split()
            if len(xy) != 2:
                return False
            values = [length_px(c, em, percent_of=100.0) for c in xy]
            if any(c is None for c in values):
                return False
            points.append(values)
        area = sum(points[i][0] * points[i - 1][1] - points[i - 1][0] * points[i][1] for i in range(len(points)))
        return abs(area) < 1e-6
    return False


def _squashed(v: _Values, em: float) -> bool:
    if not _overflow_hidden(v):
        return False
    for prop in ("height", "max-height", "width", "max-width"):
        px = length_px(v.get(prop) or "", em)
        if px is not None and px <= 1:
            return True
    return False


def _opacity(v: _Values) -> float:
    own = 1.0
    value = v.get("opacity")
    if value is not None and (n := _number(value)) is not None:
        own = min(max(n, 0.0), 1.0)
    for amount in re.findall(r"opacity\(\s*([^()]*)\)", v.get("filter") or ""):
        n = _number(amount) if amount.strip() else 1.0
        if n is not None:
            own *= min(max(n, 0.0), 1.0)
    return own


def _scale(v: _Values, em: float) -> float:
    own = 1.0
    zoom = v.get("zoom")
    if zoom is not None and (n := _number(zoom)) is not None and n > 0:  # zoom: 0 means 1 (normal)
        own *= n
    own *= _transform(v.get("transform") or "", em)[0]
    scale = v.get("scale")
    if scale and scale != "none":
        factors = [_number(p) for p in _split_top(scale)[:2]]
        if factors and all(f is not None for f in factors):
            own *= min(abs(f) for f in factors)  # type: ignore[arg-type]
    rotate = v.get("rotate")
    if rotate and rotate != "none":
        parts = _split_top(rotate)
        angle = _angle(parts[-1]) if parts else None
        if angle is not None and len(parts) >= 2:
            axis = parts[0] if len(parts) == 2 else ("x" if abs(_number(parts[0]) or 0) > abs(_number(parts[1]) or 0)
                                                       else "y" if abs(_number(parts[1]) or 0) > 0 else "z")
            if axis in ("x", "y"):
                own *= _edge_on(angle)
    return own


def box_gone(v: _Values, style: Computed) -> bool:
    """Is this element, with everything in it, not drawn where a reader can see it?"""
    em = style.font_px
    return (
        v.get("display") == "none"
        or v.get("content-visibility") == "hidden"
        or style.opacity < MIN_OPACITY
        or _offscreen(v, em)
        or _clipped(v, em)
        or _squashed(v, em)
    )


def box_hidden(styles: dict[str, str]) -> bool:
    """Does this set of declarations (property -> value) hide an element and everything in it?"""
    v = _Values({p: ((False, 0, (0, 0, 0, 0), 0), val) for p, val in styles.items()}, {})
    style = _compute(v, Computed(), None)
    return box_gone(v, style) or not readable(style)


def _font_px(value: str | None, parent: float) -> float | None:
    if value is None:
        return None
    if value in _FONT_KEYWORDS:
        return _FONT_KEYWORDS[value]
    if value == "smaller":
        return parent / 1.2
    if value == "larger":
        return parent * 1.2
    px = length_px(value, em=parent, percent_of=parent)
    return px if px is not None and px >= 0 else None


def _compute(v: _Values, parent: Computed, tag: Tag | None) -> Computed:
    """The element's computed style from its winning values and its parent's."""
    attrs = tag.attrs if tag is not None else {}
    font_px = _font_px(v.get("font-size"), parent.font_px)
    font_px = parent.font_px if font_px is None else font_px
    colour_value = v.get("color")
    if colour_value is None and tag is not None and tag.name == "font" and attrs.get("color"):
        colour_value = str(attrs["color"])
    if colour_value is None and tag is not None and tag.name == "body" and attrs.get("text"):
        colour_value = str(attrs["text"])
    colour = (parse_colour(colour_value) if colour_value else None) or parent.colour
    fill_value = v.get("-webkit-text-fill-color")
    fill = parent.fill if fill_value is None else (None if fill_value == "currentcolor" else parse_colour(fill_value))
    background = parent.background
    drawn = parent.drawn
    image = v.get("background-image")
    bg_value = v.get("background-color")
    if bg_value is None and attrs.get("bgcolor"):
        bg_value = str(attrs["bgcolor"])
    if v.get("background-clip") == "text":
        drawn = drawn or bool(image) or bool(bg_value)  # gradient text: the background paints the glyphs
    elif image and image != "none":
        background = None
    elif bg_value:
        bg = next(iter(_colours_in(bg_value)), None)
        if bg is not None and bg[3] >= 0.5:  # a see-through background shows the one behind
            background = bg
    shadow = v.get("text-shadow")
    if shadow is not None:
        drawn = shadow != "none" and any(
            background is None or not invisible_on(c, background) for c in _colours_in(shadow)
        ) if shadow != "none" else False
    stroke = length_px(v.get("-webkit-text-stroke-width") or "", font_px)
    if stroke is not None and stroke > 0:
        stroke_colour = next(iter(_colours_in(v.get("-webkit-text-stroke-color") or "")), None) or colour
        if background is None or not invisible_on(stroke_colour, background):
            drawn = True
    visibility = v.get("visibility")
    visible = parent.visible if visibility is None else visibility == "visible"
    return Computed(
        colour=colour, fill=fill, drawn=drawn, background=background, font_px=font_px, visible=visible,
        opacity=parent.opacity * _opacity(v), scale=parent.scale * _scale(v, font_px), customs=parent.customs,
    )


_PRESENTATIONAL = ("color", "bgcolor", "text")


def _style_of(declared: Winning, parent: Computed, tag: Tag) -> tuple[Computed, bool]:
    """An element's computed style, and whether its box is gone."""
    customs = dict(parent.customs)
    own = {p: _substitute(value, customs) for p, (_, value) in declared.items() if p.startswith("--")}
    if own:
        customs.update({p: val for p, val in own.items() if val is not None})
        parent = replace(parent, customs=tuple(customs.items()))
    values = _Values(declared, customs)
    style = _compute(values, parent, tag)
    return style, box_gone(values, style)


def _walk(soup: BeautifulSoup, won: dict[int, Winning]) -> tuple[list[Tag], list[NavigableString], set[int]]:
    """Without changing the page: the boxes gone, the texts that can't be read, and the ids of those that can."""
    root = soup.html or soup
    gone: list[Tag] = []
    unread: list[NavigableString] = []
    read: set[int] = set()
    stack: list[tuple[Tag, Computed]] = [(root, Computed())]
    # Elements with the same declarations under the same parent style come out the same: computed once.
    memo: dict[tuple, tuple[Computed, bool]] = {}
    while stack:
        tag, style = stack.pop()
        declared = won.get(id(tag))
        hints = tuple(str(tag.attrs[a]) if a in tag.attrs else None for a in _PRESENTATIONAL)
        if declared or any(h is not None for h in hints):
            key = (tuple(declared.items()) if declared else (), hints, tag.name if any(hints) else "", style)
            if key not in memo:
                memo[key] = _style_of(declared or {}, style, tag)
            style, is_gone = memo[key]
            if is_gone and tag is not root:
                gone.append(tag)
                continue
        shown = readable(style)
        for child in tag.children:
            if isinstance(child, Tag):
                stack.append((child, style))
            elif type(child) is NavigableString and child.strip():
                if shown:
                    read.add(id(child))
                else:
                    unread.append(child)
    return gone, unread, read


def remove_hidden(soup: BeautifulSoup) -> None:
    """Remove, in place, every element and text the page's styles hide from every reader.

    Rules inside ``@media`` for some screens only (``min-width``, ``max-width``)
    are read per screen: text stays when any common screen shows it.
    """
    rules = stylesheet_rules(soup)
    matches: dict[int, list[Tag]] = {}
    if any(r.screens != ALL_SCREENS for r in rules):
        matcher = _Matcher(soup)
        for rule in rules:
            matches[rule.order] = matcher.select(rule.selector)
        rules = [r for r in rules if matches[r.order]]  # rules that match nothing change no screen's result
    variants: dict[tuple[int, ...], list[Rule]] = {}
    for screen in range(len(SCREENS)):
        chosen = [r for r in rules if screen in r.screens]
        variants.setdefault(tuple(r.order for r in chosen), chosen)
    if len(variants) == 1:
        gone, unread, _ = _walk(soup, _cascade(soup, next(iter(variants.values())), matches))
    else:
        results = [_walk(soup, _cascade(soup, chosen, matches)) for chosen in variants.values()]
        gone_ids = [{id(t) for t in result[0]} for result in results]
        shown: set[int] = set().union(*(result[2] for result in results))

        def gone_everywhere(tag: Tag) -> bool:
            lineage = [id(tag)] + [id(a) for a in tag.parents]
            return all(any(i in ids for i in lineage) for ids in gone_ids)

        gone = [t for t in {id(t): t for result in results for t in result[0]}.values() if gone_everywhere(t)]
        root = soup.html or soup
        unread = [s for s in root.find_all(string=True) if type(s) is NavigableString and s.strip() and id(s) not in shown]
    for text in unread:
        if text.parent is not None:
            text.extract()
    for tag in gone:
        if not tag.decomposed:
            tag.decompose()
