"""Drafts put together from the documents, when no writing model is connected: nothing is invented.

Every factual line is a fact taken verbatim from a source (:mod:`.facts`),
with its citation. Everything else comes from the team's own habits (the
voice profile: opener style, line breaks, emoji, hashtags, closing question)
or the style guide's rules, which are applied last (:func:`.style_rules.enforce`),
so a composed draft obeys them by construction. The shapes:

- LinkedIn post: a hook, the result figure, one line of how, the customer's
  quote with who said it, a closing question or call to action from the
  team's own posts, the hashtags. When the brief names a customer
  (:func:`.facts.brief_customer`), the post names them, as the sources spell
  it, in the figure's sentence or the line just above it
  (:func:`.facts.name_customer`): a figure nobody is named for is nobody's. Three variants, each opening from another
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
from .facts import (
    _AMOUNT,
    Fact,
    Realised,
    about_customer,
    best,
    brief_customer,
    direction,
    forms_of,
    grounded,
    headline_result,
    main_document,
    mentions,
    name_customer,
    realise,
    steps_of,
    subject_phrase,
    topic_terms,
    unexplained,
)
from .style_rules import StyleRule, enforce
from .voice import VoiceProfile, choose_emoji, closing_question, hook_style, match_voice, place_emoji, plain, words

ANGLES = {
    "result": "The result first",
    "quote": "The customer's words",
    "problem": "The problem first",
    "question": "A question first",
    "how": "How they did it first",
}
_DEFAULT_ORDER = ("result", "quote", "problem", "how", "question")
_CTA_FACT = re.compile(r"\b(free trial|sign up|try it|start (your|a)|book a (demo|call)|available (to|from|today|now)|"
                       r"get started|request a demo|join)\b", re.I)
_DATELINE = re.compile(r"^\s*(released|published|posted|updated|date)\b", re.I)
MAX_WORDS_WITHOUT_PROFILE = 120
_TIME_STEMS = set(analyse("time times minutes hours days weeks months years"))
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
    tag_case: dict[str, str] = field(default_factory=dict)  # "#brandtag" -> "#BrandTag", as the team writes it
    exclude: set[str] = field(default_factory=set)  # facts (their text) other posts of a series state: not this one
    series: bool = False  # a post of a series: each quote only in the post built around it

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
# Where the post reads the team's voice (VoiceProfile) and the style guide (StyleRule): one small function per trait,
# so a richer profile plugs in here and nowhere else.
def _signature_emoji(ctx: Context, head: Fact | None = None) -> list[str]:
    """The emoji a post carries: the team's signature one, else the one of its past post on the brief's subject
    (:func:`.voice.choose_emoji`), else (a brief with no subject of its own, "customer results") the one of its past
    post on this post's headline fact; within the style guide's limit; none for a team that uses none."""
    chosen = choose_emoji(ctx.profile, ctx.topic)
    if not chosen and head is not None:
        chosen = choose_emoji(ctx.profile, f"{ctx.topic} {head.metric or ''} {head.text}")
    limit = min((r.limit for r in ctx.rules if r.kind == "max_emoji"), default=1)
    return [chosen] if chosen and limit >= 1 else []


def _as_written(tag: str, ctx: Context) -> str:
    """A hashtag as the team writes it ("#BrandTag", never "#brandtag")."""
    return ctx.tag_case.get(tag.lower(), tag)


def _hashtags(ctx: Context, facts: list[Fact]) -> list[str]:
    """The team's usual number of hashtags, as it writes them: its signature ones (on most of its posts) first, then
    its most used ones about the topic, then its most used ones; the guide's required ones last.

    Set in the team's order: the ones picked for the topic first, the signature ones after, the one on every post
    (the brand tag, usually) last, then the guide's required ones."""
    required = [r.value for r in ctx.rules if r.kind == "required_hashtag"]
    n = round(ctx.profile.hashtags_per_post) if ctx.profile else 0
    limit = min((r.limit for r in ctx.rules if r.kind == "max_hashtags"), default=max(n, len(required)))
    about = set(analyse(ctx.topic + " " + " ".join(f.text for f in facts)))
    own = ctx.profile.top_hashtags if ctx.profile else []
    signature = ctx.profile.signature_hashtags if ctx.profile else []
    on_topic = [t for t in own if set(analyse(t[1:])) & about]
    taken = {r.lower() for r in required}
    chosen: list[str] = []
    for t in signature + on_topic + own:
        if t.lower() not in taken:
            taken.add(t.lower())
            chosen.append(t)
    chosen = chosen[: max(0, min(n, limit) - len(required))]
    signed = {t.lower() for t in signature}
    ordered = [t for t in chosen if t.lower() not in signed] + [t for t in reversed(signature) if t in chosen]
    return [_as_written(t, ctx) for t in ordered + required[:limit]]


def _closes(ctx: Context) -> bool:
    """Whether the team ends its posts with a question or a call to action."""
    p = ctx.profile
    return p is not None and (p.ends_with_question_share >= 0.5 or p.cta_share >= 0.5)


def _closer(ctx: Context, head: Fact | None, lead: Fact | None = None) -> str | None:
    """A closing line about this post's subject: a past closing line on the same subject, else one built from the
    brief's own words ("How do you keep overtime down?"); never an unrelated copy. None if the team doesn't close so."""
    if not _closes(ctx):
        return None
    past = closing_question(ctx.profile, ctx.topic, ctx.embeddings)  # a past question on the brief's subject
    if past:
        return past
    subject, _ = topic_terms(ctx.topic)
    about = set(subject) | set(analyse(head.metric if head and head.metric else ""))
    own = list(ctx.profile.closers)
    core = [t for t in subject if t not in _TIME_STEMS][-1:]  # the head of "carrier onboarding" is onboarding
    score = {c: len(set(analyse(c)) & about) + len(set(analyse(c)) & set(core)) for c in own}
    fitting = [c for c in ctx.ranked(own) if score[c]]
    if fitting:
        return max(fitting, key=lambda c: score[c])  # ties: the closest in meaning (ranked first)
    near = ctx.ranked(own, floor=0.55) if ctx.embeddings is not None else []
    if near:
        return near[0]
    if not subject:  # a brief with no subject of its own ("customer results"): a past question on what this post
        for fact in (lead, head):  # is built around (a series' lead fact, else its headline), else one built from
            if fact is not None and (past := closing_question(ctx.profile, fact.metric or fact.text, ctx.embeddings)):
                return past  # the headline's metric below
    if ctx.profile.ends_with_question_share < 0.5:
        return None
    phrase = subject_phrase(ctx.topic) or (head.metric.lower() if head and head.metric else "")
    if not phrase:
        return None
    way = direction(head.before, head.after) if head and head.before and head.after else 0
    return {-1: f"How do you keep {phrase} down?", 1: f"How do you grow {phrase}?"}.get(way, f"How do you track {phrase}?")


def _nearest(lines: list[str], text: str, ctx: Context) -> str:
    """Of ``lines``, the one sharing most words with ``text``, else the closest in meaning to the topic."""
    terms = set(analyse(text))
    ranked = ctx.ranked(lines)
    return max(ranked, key=lambda line: len(set(analyse(line)) & terms))


def _opener_share(text: str, ctx: Context) -> float:
    """How often the team opens a post the way ``text`` opens (its share of the team's posts; 1 without a profile)."""
    if ctx.profile is None or not ctx.profile.hook_shares:
        return 1.0
    return ctx.profile.hook_shares.get(hook_style(plain(text)), 0.0)


def _short_hook(head: Fact | None, ctx: Context) -> str | None:
    """A short opening line in the brief's own words for a team that opens with one: "Less overtime." / "Fewer no-shows."
    (said of the headline result, which goes down or up as it says; cited like it). The words are the longest run of
    the brief's subject phrase that the result itself states ("detention time" of "detention time at the docks")."""
    if head is None or not (head.before and head.after) or _opener_share("Less of it.", ctx) < 0.2:
        return None
    phrase = _stated_run(_with_next_words(subject_phrase(ctx.topic), ctx.topic, f"{head.metric} {head.text}"),
                         f"{head.metric} {head.text}")
    if not phrase and not topic_terms(ctx.topic)[0]:  # a brief with no subject ("customer results"): what the result
        m = _CHANGED.search(head.text)  # itself says changed ("Globex cut first-response time from 9 hours ...")
        phrase = m.group("what").strip() if m else ""
    way = direction(head.before, head.after)
    if not phrase or not way or len(phrase.split()) > 5:
        return None
    if _is_duration(head.before) and _is_duration(head.after) and not set(analyse(phrase)) & _TIME_STEMS:
        # "41 days → 12 days" is a faster onboarding, not "Less carrier onboarding"
        return f"Faster {phrase.lower() if not phrase[:2].isupper() else phrase}. [{head.source}]" if way < 0 else None
    plural = phrase.split()[-1].lower().endswith("s") and not phrase.lower().endswith("ss")
    word = ("Fewer" if plural else "Less") if way < 0 else "More"
    return f"{word} {phrase.lower() if not phrase[:2].isupper() else phrase}. [{head.source}]"


_CHANGED = re.compile(r"\b(?:cut|reduced|lowered|shortened|raised|grew|increased|boosted)\s+(?:its\s+|their\s+)?"
                      r"(?P<what>[^\W\d_][^\d,.;:]*?)\s+from\s+\d", re.I)


def _with_next_words(phrase: str, brief: str, text: str) -> str:
    """``phrase`` with the brief's words that follow it, as long as ``text`` states them too ("detention" of "cut
    detention time at the docks", said of "Average detention time per truck" -> "detention time")."""
    tokens = re.findall(r"[^\W_]+(?:[-'’][^\W_]+)*", brief)
    n = len(phrase.split())
    have = set(analyse(text))
    for i in range(len(tokens) - n + 1):
        if n and " ".join(tokens[i: i + n]) == phrase:
            j = i + n
            while j < len(tokens) and analyse(tokens[j]) and set(analyse(tokens[j])) <= have and not tokens[j][0].isupper():
                j += 1
            return " ".join(tokens[i:j])
    return phrase


def _stated_run(phrase: str, text: str) -> str:
    """The longest run of ``phrase``'s words (whole words, in order) that ``text`` states, without a stop word at
    either end ("detention time at the docks" in "Average detention time per truck" -> "detention time")."""
    tokens = phrase.split()
    have = set(analyse(text))
    best_run = ""
    for i in range(len(tokens)):
        for j in range(len(tokens), i, -1):
            run = tokens[i:j]
            if not all(set(analyse(w)) <= have for w in run if analyse(w)) or not analyse(run[0]) or not analyse(run[-1]):
                continue
            if len(run) > len(best_run.split()):
                best_run = " ".join(run)
            break
    return best_run


def _is_duration(figure: str) -> bool:
    """"41 days", "9 hours": a figure that is a length of time."""
    return bool(set(analyse(re.sub(r"[\d.,]+", " ", figure))) & _TIME_STEMS)


def _length_band(ctx: Context) -> tuple[int, int, int]:
    """(fewest, most, usual) words of the team's posts; without a profile, up to :data:`MAX_WORDS_WITHOUT_PROFILE`."""
    p = ctx.profile
    if p is None:
        return 1, MAX_WORDS_WITHOUT_PROFILE, MAX_WORDS_WITHOUT_PROFILE // 2
    lo, hi = p.words_range
    return lo, max(hi, lo), p.median_words


def _paragraphs(ctx: Context, others: int) -> int | None:
    """How many blocks the body is set in: None for a line each (short punchy lines), else the team's paragraphs."""
    p = ctx.profile
    if p is None or p.short_lines:
        return None
    return max(1, round(p.lines_per_post) - others)


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


def _layout(hook: str | None, body: list[str], closer: str | None, tags: list[str], ctx: Context) -> str:
    blocks = [hook] if hook else []
    per = _paragraphs(ctx, (1 if hook else 0) + (1 if closer else 0) + (1 if tags else 0))
    most = ctx.profile.paragraphs_range[1] if ctx.profile is not None else 0
    if per is None and most and len(blocks) + len(body) + (1 if closer else 0) > most:
        # a team that writes short lines in fewer paragraphs (a story told line by line): its lines, one a line,
        # in as many paragraphs as it uses (the closing line in its own when there is room)
        lines = blocks + body
        groups = max(1, most - (1 if closer and most > 1 else 0))
        size = -(-len(lines) // groups)
        blocks = ["\n".join(lines[i: i + size]) for i in range(0, len(lines), size)]
        if closer and most > 1:
            blocks.append(closer)
        elif closer:
            blocks[-1] += "\n" + closer
        closer = None
    elif per is None:
        blocks += body
    else:
        size = -(-len(body) // per) if body else 1
        blocks += [" ".join(body[i: i + size]) for i in range(0, len(body), size)]
    if closer:
        blocks.append(closer)
    if tags:
        blocks.append(" ".join(tags))
    return "\n\n".join(b for b in blocks if b)


def _pool(facts: list[Fact], ctx: Context, doc: str | None, head: Fact | None, lead: Fact | None,
          on_subject: bool = False) -> list[Realised]:
    """The sentences a post may state, in the order it states them: the headline, how, the quote, then more on topic."""
    usable = [f for f in facts if f.text not in ctx.exclude or f is lead or f is head]
    mine = [f for f in usable if f.doc_id == doc and f.kind != "step"]
    how = best(mine, "how", exclude=(head,) if head else ())
    quote = lead if lead is not None and lead.kind == "quote" else best(mine, "quote")
    if lead is not None and lead.kind != "quote" and ctx.series:
        quote = None  # a series tells each quote once: in the post built around it
    order = [head, how, quote] + [f for f in mine if f.kind in ("result", "figure") and f.topic_match > 0] + \
        [f for f in mine if f.kind in ("result", "figure", "statement")]
    if ctx.series and on_subject:
        # a post of a series stays on the series' subject: no figure about something else to fill it
        order = [f for f in order if f is None or f in (head, how, quote, lead) or f.topic_match > 0
                 or f.kind == "statement"]
    out: list[Realised] = []
    seen: set[str] = set()
    for f in order:
        if f is None or f.text in seen or (f.before and head is not None and f is not head
                                             and (f.before, f.after) == (head.before, head.after)):
            continue  # a table row and the sentence saying the same figures: one of them
        seen.add(f.text)
        if (r := realise(f, ctx.titles)) is not None:
            out.append(r)
    return out


def _linkedin(facts: list[Fact], ctx: Context, variants: int, lead: Fact | None = None, skip: int = 0) -> list[Composed]:
    # what other posts of a series tell is not told here, in whatever line states it (a table row or its sentence)
    told = {(f.before, f.after) for f in facts if f.text in ctx.exclude and f is not lead and f.before and f.after}
    usable = [f for f in facts if (f.text not in ctx.exclude and (f.before, f.after) not in told) or f is lead]
    doc = lead.doc_id if lead else main_document(usable)
    head = lead if lead and lead.kind in ("result", "figure", "statement", "how") else headline_result(usable, doc)
    if head is not None and head.text in ctx.exclude and head is not lead:
        head = None
    on_subject = bool(topic_terms(ctx.topic)[0]) and any(f.topic_match > 0 for f in facts)  # some fact is on the subject
    if head is not None and head is not lead and lead is not None and head.topic_match == 0 and on_subject:
        head = None  # a series post built around a quote or the problem: no figure off the series' subject
    problem = lead if lead and lead.kind == "problem" else best(usable, "problem", doc)
    pool = _pool(usable, ctx, doc, head, lead, on_subject)
    if lead is not None and lead.kind == "problem":
        pool = [r for r in pool if r.fact is not lead]
        if not pool and (r := realise(lead, ctx.titles)) is not None:
            pool, problem = [r], None  # nothing else left to tell: the problem is the post, said in full
    if not pool:
        return []
    customer = brief_customer(ctx.topic, facts)
    target = next((r for r in pool if r.fact is head), None) or next((r for r in pool if r.fact is lead), None) or pool[0]
    unnamed: list[str] = []
    if not (customer and about_customer(target.fact, customer)):
        customer = ""  # the brief names nobody, or nobody this post is about
    elif (named := name_customer(target, customer)) is not None:
        # a post about a customer's result names them in the sentence with the figure (the unnamed form stays an
        # option: the line before it may name them already)
        # ("After the group adopted..." is said by name only: "the group" alone would leave the reader asking who)
        unnamed = [target.cited()] if named.text != target.text and not unexplained(target.text) else []
        pool = [named if r is target else r for r in pool]
        target = named
    elif target.fact.kind != "quote":
        customer = ""  # no result or problem of theirs to say by name (a launch); a quote names them in who said it
    lines = {r.fact.text: r for r in pool}
    quote = next((r for r in pool if r.fact.kind == "quote"), None)
    how = next((r for r in pool if r.fact.kind == "how" and r.fact is not head), None)
    profile = ctx.profile
    openers = [o for o in (ctx.ranked(profile.openers, floor=0.45) if profile else []) if _about_topic(o, ctx, 0.45)]
    shares = profile.hook_shares if profile else {}
    weight = {"result": shares.get("number", 0) + shares.get("short", 0), "quote": shares.get("quote", 0),
              "problem": shares.get("statement", 0) + shares.get("personal", 0), "question": shares.get("question", 0)}
    weight["how"] = weight["problem"] - 0.01  # a scene-setting first line too; the problem, when there is one, first
    has_head = head is not None and head.text in lines
    around = lead is not None and lead.kind in ("quote", "problem")  # a series post built around it, with or without a figure
    available = [a for a, present in (("result", has_head), ("quote", quote is not None and (has_head or around)),
                                      ("problem", problem is not None and (has_head or around)),
                                      ("how", how is not None and has_head and (problem is None or variants > 3)),
                                      ("question", bool(openers) and has_head))
                 if present]
    if not available:
        available = ["result"]
    angles = sorted(available, key=lambda a: (-weight[a], _DEFAULT_ORDER.index(a)))
    if lead is not None and lead.kind in ("quote", "problem") and lead.kind in available:
        angles = [lead.kind] + [a for a in angles if a != lead.kind]
    elif skip and angles:
        angles = angles[skip % len(angles):] + angles[: skip % len(angles)]
    tags = _hashtags(ctx, [f for f in facts if f.doc_id == doc])
    closer = _closer(ctx, head, lead)
    twins = [f for f in usable if f.doc_id == doc]
    forms = {r.cited(): forms_of(r, twins, ctx.titles, ctx.topic) for r in pool}
    if target.named:  # the other source lines of the same figures, naming the customer too; the unnamed ones after
        others = [line for line in forms[target.cited()] + unnamed if line != target.cited()]
        again = [n.cited() for line in others if (n := name_customer(Realised(target.frame, re.sub(r"\s*\[\d+\]$", "", line),
                                                                              target.fact), customer)) is not None]
        forms[target.cited()] = list(dict.fromkeys([target.cited()] + again + [o for o in others if not unexplained(o)]))
    said = None
    if quote is not None and (head is None or quote.fact is lead) and \
            (turned := _said_forms(forms[quote.cited()], quote.fact)):
        said = turned[0]
        forms[said] = turned
    short = _short_hook(head, ctx)
    hooks: list[str] = []
    if customer and head is not None and target.fact is head and target.named and _opener_share("Less of it.", ctx) >= 0.2:
        # or the customer's name opens the post, right above the figure: "Harbor Freight Co: fewer empty miles." or
        # "Harbor Freight Co." (as short as the team's hook, when naming them in the figure's sentence runs too long),
        # for a team that opens with a short line
        # (the name alone cited to a passage of the same document that names them)
        naming = next((f.source for f in usable if f.doc_id == head.doc_id and mentions(f.passage or f.text, customer)),
                      None)
        hooks = ([f"{customer}: {short[0].lower()}{short[1:]}"] if short else []) + \
            ([f"{customer}. [{naming}]"] if naming is not None else [])
    drafts = []
    for angle in angles:
        options = _angle_lines(angle, pool, head, quote, problem, openers, short, how, said, lead, hooks)
        text, key = _fit(options, forms, closer, tags, ctx, head=head, customer=customer,
                         anchor=target.fact)
        bare = plain(text)
        stated = [r.fact for r in pool if any(plain(form) in bare for form in forms[r.cited()]
                                              + (forms[said] if said and r is quote else []))]
        stated += [problem] if angle == "problem" and problem else []
        drafts.append((key, Composed(enforce(text, ctx.rules, "linkedin-post", ctx.names), ANGLES[angle], stated)))
    # Version 1 is the one that reads most like the team (its six traits, its opener, its length); the others follow in the
    # team's order of angles. A lead quote or problem keeps its angle first: the post is built around it.
    if drafts and not (lead is not None and lead.kind in ("quote", "problem")):
        first = max(range(len(drafts)), key=lambda i: (drafts[i][0][:7], drafts[i][0][8:9], -i))
        drafts.insert(0, drafts.pop(first))
    return [d for _, d in drafts[:variants]]


def _about_topic(line: str, ctx: Context, floor: float) -> bool:
    subject, _ = topic_terms(ctx.topic)
    return not subject or bool(set(analyse(line)) & set(subject)) or bool(ctx.ranked([line], floor=floor + 0.1))


Option = tuple[str | None, list[str], int]  # (hook or None, body lines (cited), how many of them the post always has)


def _angle_lines(angle: str, pool: list[Realised], head: Fact | None, quote: Realised | None, problem: Fact | None,
                 openers: list[str], short: str | None = None, how: Realised | None = None,
                 said: str | None = None, lead: Fact | None = None, hooks: list[str] = ()) -> list[Option]:
    """The ways to open a post from ``angle``: each a hook (None: no hook), the body lines in order and how many of
    them it always keeps (the headline; the quote too in a post opening from the customer's words)."""
    body = [r.cited() for r in pool]
    if angle == "result":
        return [(h, body, 1) for h in ([short] if short else []) + list(hooks) + [None]]
    if angle == "quote" and quote is not None:
        # the result, then the customer's words with who said them (a quote is never the opening line)
        # (a team that opens with a short line gets its short line first: the result sentence opens with a figure)
        rest = [line for line in body if line != quote.cited()]
        if head is None and said:  # no result to open with: who said it, then the words, on one line
            return [(None, [said] + rest, 1)]
        if said and quote.fact is lead:  # a series post built around the quote: with its result if it fits, else without
            return [(h, rest[:1] + [quote.cited()] + rest[1:], 2) for h in ([short] if short else []) + list(hooks) + [None]] + \
                [(None, [said] + [line for line in rest if head is None or line != rest[0]], 1)]
        return [(h, rest[:1] + [quote.cited()] + rest[1:], 2) for h in ([short] if short else []) + list(hooks) + [None]]
    if angle == "problem" and problem is not None:
        return [(_opening_clause(problem), body, 1)]
    if angle == "how" and how is not None:
        rest = [line for line in body if line != how.cited()]
        return [(how.cited(), rest, 1)]
    return [(openers[0] if openers else None, body, 1)]


_ATTRIBUTED = re.compile(r"^(?P<quote>“[^”]+”)\s+(?:—|says|said)\s+(?P<who>.+?)\.?\s*\[(?P<n>\d+)\]$")


def _said_forms(forms: list[str], fact: Fact) -> list[str]:
    """A quote's forms turned to open a post: "Ana Müller, Head of Operations, put it this way: “We stopped guessing
    the rota.”" (who said it first, so a post never opens with the quote itself; frame words and the source's own only)."""
    out = []
    for form in forms:
        if m := _ATTRIBUTED.match(form):
            text = f"{m.group('who')}, put it this way: {m.group('quote')}"
            if grounded(Realised("quote", text, fact)):
                out.append(f"{text} [{m.group('n')}]")
    return out


_FIGURES = re.compile(_AMOUNT)  # a figure with its unit word: "8 km" and "8 months" are two figures


def _repeats_figure(text: str) -> bool:
    """Whether a post states one figure twice ("41 days → 12 days." and then "... from 41 days to 12 days.")."""
    seen = [re.sub(r"[,\s]", "", f).rstrip(".").lower() for f in _FIGURES.findall(plain(_TAG_LINE.sub("", text)))]
    return len(seen) != len(set(seen))


_TAG_LINE = re.compile(r"(?m)^\s*#\w.*$")  # the hashtag line says no figure


def _names_beside(text: str, customer: str, anchor: Fact | None) -> bool:
    """Whether the post names ``customer`` in the sentence stating ``anchor``'s figure or in the one just before it
    (anywhere in the post when that fact has no figure, or the post doesn't state it); True without a customer."""
    if not customer:
        return True
    body = plain(_TAG_LINE.sub("", text))
    sentences = [s for s in re.split(r"(?<=[.!?…”])\s+(?=[A-Z“\"])|\n+", body) if s.strip()]
    figure = (anchor.after or next(iter(_FIGURES.findall(anchor.text)), "")) if anchor is not None else ""
    at = next((i for i, s in enumerate(sentences) if figure and figure in s), None)
    if at is None:
        return mentions(body, customer)
    return any(mentions(s, customer) for s in sentences[max(0, at - 1): at + 1])


def _named_twice(text: str, customer: str) -> bool:
    """Whether a hook naming ``customer`` ("Brewhouse Coffee: less overtime.") sits over a line naming them again
    ("Brewhouse Coffee cut overtime ...")."""
    lines = [line for line in plain(text).splitlines() if line.strip()][:2]
    return bool(customer) and len(lines) == 2 and all(mentions(line, customer) for line in lines) and \
        len(words(lines[0])) <= len(words(customer)) + 3


def _fit(options: list[Option], forms: dict[str, list[str]], closer: str | None, tags: list[str], ctx: Context,
         head: Fact | None = None, customer: str = "", anchor: Fact | None = None) -> tuple[str, tuple]:
    """The version of the post that reads most like the team's, and how it scored: for each way to open, its
    first lines always, then as many of the others as bring it to the team's usual length, each line in its full
    form or a shorter one (:func:`.facts.forms_of`: a trimmed quote, the shorter source sentence of a result). No figure
    twice; within the guide's word limit; the brief's ``customer`` named beside ``anchor``'s figure, once; then the voice match, the opener, the length band, the fuller forms, the
    usual length."""
    import itertools

    lo, hi, usual = _length_band(ctx)
    slack = max(2, round(0.15 * usual)) if ctx.profile else 0  # the give the voice check allows (check_voice)
    lo, hi = max(0, lo - slack), hi + slack
    emoji = next(iter(_signature_emoji(ctx, head)), "")
    most = min((r.limit for r in ctx.rules if r.kind == "max_words"), default=None)  # the guide's word limit
    best_key, best_text = None, ""
    for hook, body, must in options:
        for k in range(min(must, len(body)), len(body) + 1):
            chosen = body[:k]
            # the lines the post always has may take a shorter form; the others are said in full
            choices = [forms.get(line, [line]) if i < must else [line] for i, line in enumerate(chosen)]
            for pick in itertools.product(*[range(len(c)) for c in choices]):
                lines = [c[i] for c, i in zip(choices, pick)]
                text = place_emoji(_layout(hook, lines, closer, tags, ctx), emoji, ctx.profile)  # where the team puts it
                n = len(words(plain(text)))
                within = most is None or n <= most
                first = (not _repeats_figure(text), within, _names_beside(text, customer, anchor),
                         not _named_twice(text, customer))
                if best_key is not None and first < best_key[:4]:
                    continue  # already worse than the best, whatever its voice match (the costly part) would be
                score = match_voice(text, ctx.profile).score if ctx.profile else 1.0
                fits = lo <= n <= hi  # in the band: the fuller forms; else the nearest to the team's usual length
                key = (*first, round(score, 3),
                       _opener_share(text, ctx) >= 0.2,
                       fits, -sum(pick) if fits else -abs(n - usual), -abs(n - usual), hook is not None)
                if best_key is None or key > best_key:
                    best_key, best_text = key, text
    return best_text, best_key or ()


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
