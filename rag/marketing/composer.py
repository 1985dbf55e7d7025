"""Drafts put together from the documents, when no writing model is connected: nothing is invented.

Every factual line is a fact taken verbatim from a source (:mod:`.facts`),
with its citation. Everything else comes from the team's own habits (the
voice profile: opener style, line breaks, emoji, hashtags, closing question)
or the style guide's rules, which are applied last (:func:`.style_rules.enforce`),
so a composed draft obeys them by construction. The shapes:

- LinkedIn post: a hook, the result figure, one line of how, the customer's
  quote with who said it, a closing question or call to action from the
  team's own posts, the hashtags. Three variants, each opening from another
  angle (the result, the customer's words, the problem, a question), ordered
  by how often the team opens that way.
- Campaign copy: Headline (the launch's title), Body (its most relevant
  facts), CTA (the launch's own offer, else the team's).
- Help article: the page's title, a short intro, the steps in order.
- Sales answer: the claim, the proof figure, the customer's words.

A composed draft is a starting point that reads like the team and is true
to the sources; it is not prose a writer would produce, and the draft says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from ..words import analyse
from .facts import Fact, best, headline_result, main_document, steps_of
from .style_rules import StyleRule, enforce
from .voice import VoiceProfile, choose_emoji, closing_question, match_voice, place_emoji, plain, words

ANGLES = {
    "result": "The result first",
    "quote": "The customer's words first",
    "problem": "The problem first",
    "question": "A question first",
}
_DEFAULT_ORDER = ("result", "quote", "problem", "question")
_CTA_FACT = re.compile(r"\b(free trial|sign up|try it|start (your|a)|book a (demo|call)|available (to|from|today|now)|"
                       r"get started|request a demo|join)\b", re.I)
_DATELINE = re.compile(r"^\s*(released|published|posted|updated|date)\b", re.I)
MAX_WORDS_WITHOUT_PROFILE = 120
_FALLBACK_CTA = "Find out more."  # Grounded's own format words, no fact: used only when neither the source nor the team has one


@dataclass
class Composed:
    """One composed draft: its text with [n] markers, the angle it opens from, and the facts it states."""

    text: str
    angle: str = ""
    facts: list[Fact] = field(default_factory=list)


@dataclass
class Context:
    """What composition needs besides the facts: the voice, the rules, the topic and a way to rank the team's lines."""

    topic: str
    profile: VoiceProfile | None = None
    rules: list[StyleRule] = field(default_factory=list)
    topic_vector: np.ndarray | None = None
    embeddings: object = None
    titles: dict[str, str] = field(default_factory=dict)  # doc_id -> the document's title (its first heading)
    names: set[str] = field(default_factory=set)  # capitalised names in the sources (kept as they are in headlines)

    def ranked(self, lines: list[str], floor: float = -1.0) -> list[str]:
        """``lines`` most similar to the topic first (those below ``floor`` left out); as they are without embeddings."""
        if not lines or self.embeddings is None or self.topic_vector is None:
            return list(lines)
        scores = self.embeddings.embed_array(lines) @ np.asarray(self.topic_vector, dtype=np.float32)
        order = sorted(range(len(lines)), key=lambda i: -scores[i])
        return [lines[i] for i in order if scores[i] >= floor]


def compose(recipe_id: str, facts: list[Fact], ctx: Context, variants: int = 3, lead: Fact | None = None,
            skip_angles: int = 0) -> list[Composed]:
    """Up to ``variants`` drafts for the recipe (LinkedIn posts get several angles; the others one shape).

    ``lead``: the fact a post is built around (a post of a series); ``skip_angles``: start from the team's
    n-th favourite angle instead of its first (so the posts of a series don't all open alike).
    """
    if not facts:
        return []
    if recipe_id == "linkedin-post":
        return _linkedin(facts, ctx, variants, lead, skip_angles)
    if recipe_id == "campaign":
        return [_campaign(facts, ctx)]
    if recipe_id == "help-article":
        return [_help_article(facts, ctx)]
    return [_sales_answer(facts, ctx)]


# LinkedIn posts
def _emoji(profile: VoiceProfile | None, rules: list[StyleRule], topic: str = "") -> list[str]:
    """[voice] The team's own emoji for this topic (its signature one, else its post on the subject's), within the guide."""
    limit = min((r.limit for r in rules if r.kind == "max_emoji"), default=1)
    chosen = choose_emoji(profile, topic)
    return [chosen] if chosen and limit >= 1 else []


def _hashtags(ctx: Context, facts: list[Fact]) -> list[str]:
    """The team's usual number of its most used hashtags, those about the topic first; the guide's required ones last."""
    required = [r.value for r in ctx.rules if r.kind == "required_hashtag"]
    n = round(ctx.profile.hashtags_per_post) if ctx.profile else 0
    limit = min((r.limit for r in ctx.rules if r.kind == "max_hashtags"), default=max(n, len(required)))
    about = set(analyse(ctx.topic + " " + " ".join(f.text for f in facts)))
    own = (ctx.profile.signature_hashtags + ctx.profile.top_hashtags) if ctx.profile else []  # [voice] as written
    on_topic = [t for t in own if set(analyse(t[1:])) & about]
    chosen = list(dict.fromkeys(on_topic + own))
    chosen = [t for t in chosen if t.lower() not in {r.lower() for r in required}]
    return chosen[: max(0, min(n, limit) - len(required))] + required[:limit]


def _with_emoji(line: str, emoji: str) -> str:
    """``emoji`` at the end of a line, before its citation marker (as the team puts it after a sentence)."""
    m = re.search(r"(\s*\[\d+\])$", line)
    return f"{line[: m.start()]} {emoji}{m.group(1)}" if m else f"{line} {emoji}"


def _teaser(result: Fact) -> str:
    """"41 days → 12 days." from a result with a before and after, cited like the result."""
    return f"{result.before} → {result.after}. [{result.source}]"


_QUALIFIER = re.compile(r"^\s*(but|except|only|although|though|unless|until|if|while|whereas|yet|not)\b", re.I)


def _opening_clause(fact: Fact) -> str:
    """A long scene-setting sentence cut to its first clause, when what follows only adds detail.

    "New carriers were onboarded by hand, over email and spreadsheets." -> "New carriers were onboarded by hand."
    Never a clause with a figure, and never before a "but", "only", "unless"...: those change what the first part says.
    """
    head, comma, rest = fact.text.partition(", ")
    if not comma or len(fact.text.split()) <= 8 or len(head.split()) < 4 or re.search(r"\d", head) or _QUALIFIER.match(rest):
        return fact.cited()
    return f"{head.rstrip('.')}. [{fact.source}]"


def _layout(hook: str | None, body: list[str], closer: str | None, tags: list[str], profile: VoiceProfile | None) -> str:
    short = profile is None or profile.short_lines or profile.paragraphs_range[0] >= 3  # [voice] short paragraphs
    blocks = [hook] if hook else []
    blocks += body if short else [" ".join(body)]
    if closer:
        blocks.append(closer)
    if tags:
        blocks.append(" ".join(tags))
    return "\n\n".join(b for b in blocks if b)


def _linkedin(facts: list[Fact], ctx: Context, variants: int, lead: Fact | None = None, skip: int = 0) -> list[Composed]:
    doc = lead.doc_id if lead else main_document(facts)
    result = lead if lead and lead.kind in ("result", "figure", "statement") else headline_result(facts, doc)
    quote = lead if lead and lead.kind == "quote" else best(facts, "quote", doc)
    how = lead if lead and lead.kind == "how" else best(facts, "how", doc, exclude=(result,) if result else ())
    problem = lead if lead and lead.kind == "problem" else best(facts, "problem", doc)
    if result is None and quote is None:
        result = next((f for f in facts if f.doc_id == doc and f.kind != "step"), None)
        if result is None:  # nothing but steps: not the stuff of a post
            return []
    profile = ctx.profile
    openers = ctx.ranked(profile.openers, floor=0.35) if profile else []
    shares = profile.hook_shares if profile else {}
    weight = {"result": shares.get("number", 0) + shares.get("short", 0), "quote": shares.get("quote", 0),
              "problem": shares.get("statement", 0) + shares.get("personal", 0), "question": shares.get("question", 0)}
    available = [a for a, present in (("result", result), ("quote", quote and result), ("problem", problem and result),
                                      ("question", openers and result)) if present]
    angles = sorted(available, key=lambda a: (-weight[a], _DEFAULT_ORDER.index(a)))
    if lead is not None and lead.kind in ("quote", "problem"):  # a post built around a quote or a problem opens with it
        angles = [lead.kind] + [a for a in angles if a != lead.kind]
    elif skip and angles:
        angles = angles[skip % len(angles):] + angles[: skip % len(angles)]
    angles = angles[:variants]
    # [voice] a past closing question on the brief's subject (none when none is): never an unrelated copy
    question = closing_question(profile, ctx.topic, ctx.embeddings)
    closers = [question] if question else []
    if not closers and profile is not None and profile.ends_with_question_share < 0.4 and profile.cta_share >= 0.4:
        closers = ctx.ranked(profile.closers, floor=0.3)[:1]  # a call to action, only one that fits the topic
    tags = _hashtags(ctx, [f for f in facts if f.doc_id == doc])
    emoji = _emoji(profile, ctx.rules, ctx.topic)
    drafts = []
    for i, angle in enumerate(angles):
        hook, body = _angle_lines(angle, result, quote, how, problem, openers)
        closer = closers[i % len(closers)] if closers else None
        text = _fit(hook, body, closer, tags, ctx, how, emoji[0] if emoji else "")
        stated = [f for f in (result, quote, how, problem) if f and f.text in text]
        drafts.append(Composed(enforce(text, ctx.rules, "linkedin-post", ctx.names), ANGLES[angle], stated))
    return drafts


def _angle_lines(angle: str, result: Fact | None, quote: Fact | None, how: Fact | None, problem: Fact | None,
                 openers: list[str]) -> tuple[str | None, list[str]]:
    """The hook and the body lines of a post that opens from ``angle``."""
    lines = {name: f.cited() for name, f in (("result", result), ("quote", quote), ("how", how), ("problem", problem)) if f}
    if angle == "result":
        hook = _teaser(result) if result.before and result.after else None
        return hook, [lines[k] for k in ("result", "how", "quote") if k in lines]
    if angle == "quote":
        return lines["quote"], [lines[k] for k in ("result", "how") if k in lines]
    if angle == "problem":
        return _opening_clause(problem), [lines[k] for k in ("result", "how", "quote") if k in lines]
    return openers[0], [lines[k] for k in ("result", "how", "quote") if k in lines]


def _fit(hook: str | None, body: list[str], closer: str | None, tags: list[str], ctx: Context, how: Fact | None,
         emoji: str = "") -> str:
    """The version of the post that reads most like the team's (length, sentences, closing line).

    The versions leave out, in turn: the how line, a teaser hook, the closer. With no voice profile
    to match, the first version within :data:`MAX_WORDS_WITHOUT_PROFILE` words.
    """
    without_how = [line for line in body if how is None or not line.startswith(how.text)]
    teaser = hook is not None and "→" in hook
    versions = [
        _layout(hook, body, closer, tags, ctx.profile),
        _layout(hook, without_how, closer, tags, ctx.profile),
        _layout(None if teaser else hook, without_how, closer, tags, ctx.profile),
        _layout(None if teaser else hook, without_how, None, tags, ctx.profile),
    ]
    versions = [place_emoji(v, emoji, ctx.profile) for v in versions]  # [voice] where the team puts its emoji
    most = min((r.limit for r in ctx.rules if r.kind == "max_words"), default=None)  # [voice] the guide's word limit
    if most is not None:
        versions = [v for v in versions if len(words(plain(v))) <= most] or versions[-1:]
    if ctx.profile is None:
        return next((v for v in versions if len(words(plain(v))) <= MAX_WORDS_WITHOUT_PROFILE), versions[-1])
    matches = [match_voice(v, ctx.profile) for v in versions]
    best = max(m.score for m in matches)
    tied = [(v, "length" in m.matched) for v, m in zip(versions, matches) if m.score == best]
    fitting = [v for v, fits in tied if fits]
    return fitting[0] if fitting else tied[-1][0]  # the fullest that is the team's length, else the shortest


# the other recipes
def _title(ctx: Context, fact: Fact) -> str:
    return ctx.titles.get(fact.doc_id) or fact.section or fact.file


def _campaign(facts: list[Fact], ctx: Context) -> Composed:
    doc = facts[0].doc_id
    mine = [f for f in facts if f.doc_id == doc and f.kind not in ("quote", "step")]
    cta_fact = next((f for f in mine if _CTA_FACT.search(f.text)), None)
    body = [f for f in mine if f is not cta_fact and not _DATELINE.match(f.text)][:3]
    if cta_fact:
        cta = cta_fact.cited()
    elif ctx.profile and ctx.profile.closers:
        cta = ctx.ranked(ctx.profile.closers)[0]
    else:
        cta = _FALLBACK_CTA
    headline = f"{_title(ctx, facts[0])} [{facts[0].source}]"
    text = f"Headline: {headline}\nBody: {' '.join(f.cited() for f in body)}\nCTA: {cta}"
    stated = body + ([cta_fact] if cta_fact else [])
    return Composed(enforce(text, ctx.rules, "campaign", ctx.names), "", stated)


def _help_article(facts: list[Fact], ctx: Context) -> Composed:
    steps = steps_of(facts)
    lead = steps[0] if steps else facts[0]
    lines = [_title(ctx, lead)]
    if not steps:  # no numbered steps on the page: its most relevant sentences, in order
        stated = sorted((f for f in facts if f.source == lead.source), key=lambda f: f.position)[:5]
        lines += [f.cited() for f in stated]
        return Composed(enforce("\n".join(lines), ctx.rules, "help-article", ctx.names), "", stated)
    page = [f for f in facts if f.source == lead.source and f.kind not in ("step", "quote")]
    intro = min((f for f in page if f.position < steps[0].position), key=lambda f: f.position, default=None)
    notes = sorted((f for f in page if f.position > steps[-1].position), key=lambda f: f.position)[:2]  # "Invitations expire..."
    if intro:
        lines.append(intro.cited())
    lines += [f"{n}. {s.step_text} [{s.source}]" for n, s in enumerate(steps, 1)]
    lines += [f.cited() for f in notes]
    stated = ([intro] if intro else []) + steps + notes
    return Composed(enforce("\n".join(lines), ctx.rules, "help-article", ctx.names), "", stated)


def _sales_answer(facts: list[Fact], ctx: Context) -> Composed:
    doc = main_document(facts)
    claim = next(f for f in facts if f.doc_id == doc and f.kind not in ("step",))
    proof = headline_result(facts, doc)
    if proof is claim:  # the answer already is the headline figure: the next result backs it up
        proof = best(facts, "result", doc, exclude=(claim,))
    quote = best(facts, "quote", doc)
    chosen = [claim] + [f for f in (proof, quote) if f is not None and f is not claim]
    text = "\n".join(f.cited() for f in chosen)
    return Composed(enforce(text, ctx.rules, "sales-answer", ctx.names), "", chosen)
