"""Text a reader can't see, found from inline styles and the page's own ``<style>`` rules.

Hidden text is how a page plants orders for an assistant ("ignore previous
instructions…") or stuffs facts no visitor would agree with, so it is removed
before anything is read. A browser is not run: a small cascade is computed
for the few properties that can hide text (which rule wins by ``!important``,
specificity, then order; inline styles beat rules), and an element is hidden
when the winning values

- take it out of the layout: ``display:none``, ``visibility:hidden``,
  ``opacity`` near 0;
- make its text tiny: ``font-size`` under 4px (0.3em);
- move it off screen: ``left``/``top``/``right``/``text-indent``/margins of
  -999px or more, ``translate`` that far, ``scale(0)``;
- clip it away: ``clip: rect()`` of at most 1px, ``clip-path: inset(50%)`` or a
  zero circle;
- squash it: ``height``/``max-height`` (or width) of at most 1px with
  ``overflow: hidden`` (without it the text spills out and stays visible);
- paint it in the background's colour (white or near-white on the default
  white page, black on a black box; ``<font color>`` and ``bgcolor`` count).

Only rules that apply on screen are read: top-level rules and those inside
``@media`` for all or screen; print styles and responsive variants don't hide
text from a reader. The page's external stylesheets aren't available, so a
rule that would reveal hidden text from there can't be seen: we err on the
side of dropping.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import soupsieve
import tinycss2
import tinycss2.color4
from bs4 import BeautifulSoup, NavigableString, Tag

# Properties that can hide text, the only ones the cascade keeps.
_PROPERTIES = frozenset(
    {
        "display", "visibility", "opacity", "font-size", "color", "background", "background-color",
        "position", "left", "top", "right", "text-indent", "margin-left", "margin-top", "transform",
        "clip", "clip-path", "height", "max-height", "width", "max-width", "overflow", "overflow-x", "overflow-y",
    }
)
MIN_CONTRAST = 1.2  # WCAG contrast ratio: 1.0 is identical colours; #eee on white is 1.16
MAX_RULES = 5000  # rules read per page, at most
MAX_COMPLEX = 200  # of which with combinators or attributes (each is one pass over the page), at most
INLINE_SPECIFICITY = (1, 0, 0, 0)
# "p", ".note", "#seo", "p.fine", ".a.b", "*": matched from an index of the page, not by a pass over it.
_SIMPLE_SELECTOR = re.compile(r"(\*|[a-zA-Z][\w-]*)?((?:[.#][\w-]+)*)")
_PART = re.compile(r"[.#][\w-]+")

Rgba = tuple[float, float, float, float]
WHITE: Rgba = (1.0, 1.0, 1.0, 1.0)
BLACK: Rgba = (0.0, 0.0, 0.0, 1.0)


@dataclass(frozen=True)
class Rule:
    selector: str
    specificity: tuple[int, int, int, int]
    declarations: tuple[tuple[str, str, bool], ...]  # (property, value, important)
    order: int = 0  # position in the page's stylesheets: a later rule wins a tie

    @property
    def may_hide(self) -> bool:
        styles = {prop: value for prop, value, _ in self.declarations}
        return "color" in styles or box_hidden(styles)


def _lower_value(tokens) -> str:
    return " ".join(tinycss2.serialize(tokens).split()).lower()


def _declarations(tokens) -> tuple[tuple[str, str, bool], ...]:
    found = tinycss2.parse_blocks_contents(tokens, skip_comments=True, skip_whitespace=True)
    return tuple(
        (d.lower_name, _lower_value(d.value), d.important)
        for d in found
        if d.type == "declaration" and d.lower_name in _PROPERTIES
    )


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


def _screen_rules(nodes) -> list[Rule]:
    rules: list[Rule] = []
    for node in nodes:
        if node.type == "qualified-rule":
            declarations = _declarations(node.content)
            if declarations:
                for selector in tinycss2.serialize(node.prelude).split(","):
                    selector = " ".join(selector.split())
                    # Pseudo-elements (::before) and interactive states (:hover) aren't the element's own text.
                    if selector and "::" not in selector and not re.search(r":(hover|focus|active|visited)", selector):
                        rules.append(Rule(selector, _specificity(selector), declarations))
        elif node.type == "at-rule" and node.lower_at_keyword == "media" and node.content is not None:
            query = _lower_value(node.prelude)
            if query in ("", "all", "screen", "only screen"):
                rules.extend(_screen_rules(tinycss2.parse_rule_list(node.content, skip_comments=True, skip_whitespace=True)))
    return rules


def stylesheet_rules(soup: BeautifulSoup) -> list[Rule]:
    """The rules of the page's ``<style>`` blocks that set a property able to hide text.

    Past the limits, rules that can hide text on their own are read first, so
    padding a page with harmless rules can't push a hiding one out of reach.
    """
    rules: list[Rule] = []
    for style in soup.find_all("style"):
        media = str(style.get("media", "")).lower().strip()
        if media not in ("", "all", "screen"):
            continue
        parsed = tinycss2.parse_stylesheet(style.get_text(), skip_comments=True, skip_whitespace=True)
        rules.extend(_screen_rules(parsed))
    rules = sorted(
        (Rule(r.selector, r.specificity, r.declarations, order) for order, r in enumerate(rules)),
        key=lambda r: not r.may_hide,
    )
    simple = [r for r in rules if _SIMPLE_SELECTOR.fullmatch(r.selector)]
    complex_ = [r for r in rules if not _SIMPLE_SELECTOR.fullmatch(r.selector)]
    return (simple + complex_[:MAX_COMPLEX])[:MAX_RULES]


@lru_cache(maxsize=4096)
def _inline(style: str) -> tuple[tuple[str, str, bool], ...]:
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

    def select(self, selector: str) -> list[Tag]:
        m = _SIMPLE_SELECTOR.fullmatch(selector)
        assert m is not None
        name, parts = (m.group(1) or "*").lower(), _PART.findall(m.group(2))
        ids = {p[1:] for p in parts if p[0] == "#"}
        classes = {p[1:] for p in parts if p[0] == "."}
        if ids:
            found = self.ids.get(next(iter(ids)), [])
        elif classes:
            found = self.classes.get(next(iter(classes)), [])
        else:
            found = [t for tags in self.tags.values() for t in tags] if name == "*" else self.tags.get(name, [])
        return [
            t for t in found
            if (name == "*" or t.name == name)
            and classes <= set(t.get("class", []))
            and all(str(t.get("id", "")) == i for i in ids)
        ]


Winning = dict[str, tuple[bool, tuple[int, int, int, int], int, str]]  # property -> (important, specificity, order, value)


def _cascade(soup: BeautifulSoup, rules: list[Rule]) -> dict[int, Winning]:
    """For each element that a rule or its ``style`` touches: the winning value of each property."""
    won: dict[int, Winning] = {}

    def apply(tag: Tag, declarations, specificity, order: int) -> None:
        current = won.setdefault(id(tag), {})
        for prop, value, important in declarations:
            candidate = (important, specificity, order, value)
            if prop not in current or candidate[:3] >= current[prop][:3]:
                current[prop] = candidate

    index = _Index(soup)
    for rule in rules:
        try:
            if _SIMPLE_SELECTOR.fullmatch(rule.selector):
                matched = index.select(rule.selector)
            else:
                matched = soupsieve.select(rule.selector, soup)
        except (soupsieve.SelectorSyntaxError, ValueError, NotImplementedError):
            continue  # a selector soupsieve can't read can't be checked; skip it
        for tag in matched:
            apply(tag, rule.declarations, rule.specificity, rule.order)
    for tag in soup.find_all(style=True):
        apply(tag, _inline(str(tag["style"])), INLINE_SPECIFICITY, 0)  # its specificity beats every rule
    return won


def _length_px(value: str) -> float | None:
    """A CSS length in px (em/rem as 16px, pt as 4/3 px, % of 16px); None if it isn't one."""
    m = re.fullmatch(r"(-?\d*\.?\d+)\s*(px|pt|em|rem|%|vw|vh|)", value.strip())
    if not m:
        return None
    number, unit = float(m.group(1)), m.group(2)
    factor = {"px": 1.0, "pt": 4 / 3, "em": 16.0, "rem": 16.0, "%": 0.16, "vw": 19.2, "vh": 10.8, "": 1.0}[unit]
    return number * factor


def _offscreen(styles: dict[str, str]) -> bool:
    far = -999.0
    positioned = styles.get("position", "static") in ("absolute", "fixed", "relative", "sticky")
    for prop in ("left", "top", "right") if positioned else ():
        px = _length_px(styles.get(prop, ""))
        if px is not None and px <= far:
            return True
    for prop in ("text-indent", "margin-left", "margin-top"):
        px = _length_px(styles.get(prop, ""))
        if px is not None and px <= far:
            return True
    transform = styles.get("transform", "")
    if re.search(r"scale[xy]?\(\s*0*\.?0*\s*[,)]", transform):
        return True
    for shift in re.findall(r"translate(?:[xy]|3d)?\(([^)]*)\)", transform):
        if any((px := _length_px(part)) is not None and px <= far for part in shift.split(",")):
            return True
    return False


def _clipped(styles: dict[str, str]) -> bool:
    clip = styles.get("clip", "")
    if clip.startswith("rect("):
        edges = [_length_px(p) for p in re.split(r"[\s,]+", clip[5:].rstrip(")").strip())]
        if len(edges) == 4 and all(e is not None for e in edges):
            top, right, bottom, left = edges
            if right - left <= 1 or bottom - top <= 1:
                return True
    path = styles.get("clip-path", "")
    if m := re.match(r"inset\(\s*(\d+(?:\.\d+)?)%", path):
        return float(m.group(1)) >= 50
    return bool(re.match(r"(circle|ellipse)\(\s*0(px|%)?\b", path))


def _squashed(styles: dict[str, str]) -> bool:
    if not any(styles.get(p) in ("hidden", "clip") for p in ("overflow", "overflow-x", "overflow-y")):
        return False
    for prop in ("height", "max-height", "width", "max-width"):
        px = _length_px(styles.get(prop, ""))
        if px is not None and px <= 1:
            return True
    return False


def _tiny_or_transparent(styles: dict[str, str]) -> bool:
    size = styles.get("font-size")
    if size is not None and (px := _length_px(size)) is not None and px < 4:
        return True
    try:
        return float(styles.get("opacity", "1").rstrip("%")) / (100 if styles.get("opacity", "").endswith("%") else 1) < 0.1
    except ValueError:
        return False


def box_hidden(styles: dict[str, str]) -> bool:
    """Does this element's own style make it and everything in it invisible?"""
    return (
        styles.get("display") == "none"
        or styles.get("visibility") in ("hidden", "collapse")
        or _tiny_or_transparent(styles)
        or _offscreen(styles)
        or _clipped(styles)
        or _squashed(styles)
    )


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


def _luminance(c: Rgba) -> float:
    def channel(v: float) -> float:
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(c[0]) + 0.7152 * channel(c[1]) + 0.0722 * channel(c[2])


def invisible_on(text: Rgba, background: Rgba) -> bool:
    """Is text of this colour unreadable on this background (transparent, or contrast under 1.2)?"""
    if text[3] < 0.1:
        return True
    blend = tuple(text[i] * text[3] + background[i] * (1 - text[3]) for i in range(3)) + (1.0,)
    light, dark = sorted((_luminance(blend), _luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05) < MIN_CONTRAST


_UNKNOWN = None  # a background image or gradient: any text colour may be readable on it


def _background(styles: dict[str, str], attrs: dict) -> Rgba | None | bool:
    """The box's own background: a colour, ``_UNKNOWN`` for an image, or False when it sets none."""
    value = styles.get("background-color") or styles.get("background")
    if value is None and attrs.get("bgcolor"):
        value = str(attrs["bgcolor"])
    if value is None:
        return False
    if "url(" in value or "gradient(" in value:
        return _UNKNOWN
    for part in [value, *re.findall(r"#[0-9a-f]{3,8}|\w+\([^)]*\)|[a-z]+", value)]:
        colour = parse_colour(part)
        if colour is not None:
            return colour if colour[3] >= 0.5 else False  # a see-through background shows the one behind
    return False


def _text_colour(styles: dict[str, str], tag: Tag) -> Rgba | None:
    value = styles.get("color")
    if value is None and tag.name == "font" and tag.get("color"):
        value = str(tag["color"])
    if value is None and tag.name == "body" and tag.get("text"):
        value = str(tag["text"])
    return parse_colour(value) if value else None


def remove_hidden(soup: BeautifulSoup) -> None:
    """Remove, in place, every element and text the page's styles hide from a reader."""
    won = _cascade(soup, stylesheet_rules(soup))
    root = soup.html or soup
    # (element, inherited text colour, background behind it: None when it is an image)
    stack: list[tuple[Tag, Rgba, Rgba | None]] = [(root, BLACK, WHITE)]
    while stack:
        tag, colour, background = stack.pop()
        styles = {prop: value for prop, (_, _, _, value) in won.get(id(tag), {}).items()}
        if box_hidden(styles) and tag is not root:
            tag.decompose()
            continue
        colour = _text_colour(styles, tag) or colour
        own_background = _background(styles, tag.attrs)
        if own_background is not False:
            background = own_background
        for child in list(tag.children):
            if isinstance(child, Tag):
                stack.append((child, colour, background))
            elif type(child) is NavigableString and child.strip() and background is not None and invisible_on(colour, background):
                child.extract()
