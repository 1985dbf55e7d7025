"""The voice profile: how this team writes, measured from its past posts and blogs.

Computed from every ready document of kind "LinkedIn post" or "blog" in an
assistant: typical length, sentence length, the hook (first line), emoji,
hashtags, line breaks, lists, questions, calls to action and reading level.
It is shown in plain words ("short punchy lines, 3 hashtags at the end, ends
with a question") and turned into written guidance for the writing model.
The guidance is editable: a person's version is stored per assistant (table
``voice_guidance``) and used instead of the generated one until reset.

:func:`match_voice` measures a draft the same way and says where it departs
from the profile (the recipes' "voice match" check).
"""

from __future__ import annotations

import re
import statistics
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

import regex

from ..access.assistants import check_reader, get_assistant
from ..access.users import User
from ..ingest.kinds import STYLE_KINDS
from ..words import analyse

# An emoji, as Unicode's own data defines one (UTS #51, read through the ``regex`` module's properties, so a new
# Unicode version needs no edit here): a flag (two regional indicators), a keycap (1️⃣ #️⃣), or a pictograph shown as
# emoji (⏰ ✅ ☕ by default, ✉️ 🗣️ with the emoji selector), with its skin tone, tag letters (🏴 flags of regions) and
# the pictographs it is joined to (👩‍💻, 🏳️‍🌈). A symbol shown as text by default (™ © ✔ → ❤ without U+FE0F) is text.
EMOJI_PATTERN = (
    r"\p{RI}\p{RI}|[#*0-9]\uFE0F?\u20E3"
    r"|(?:\p{Emoji_Modifier_Base}\p{Emoji_Modifier}|\p{Extended_Pictographic}\uFE0F|\p{Emoji_Presentation})"
    r"\uFE0F?\p{Emoji_Modifier}?[\p{Block=Tags}]*"
    r"(?:\u200D(?:\p{Extended_Pictographic}|\p{Emoji_Presentation})\uFE0F?\p{Emoji_Modifier}?)*"
)
EMOJI = regex.compile(EMOJI_PATTERN)
_HASHTAG = re.compile(r"(?<![\w&/])#([^\W\d_][\w]*)", re.UNICODE)
_URL = re.compile(r"https?://\S+|www\.\S+")
_MARKER = re.compile(r"\s*\[\d{1,3}\]")
_LIST_LINE = regex.compile(r"^\s*(?:[-*•▪►→➡✓✔☑]|\d{1,2}[.)]|" + EMOJI_PATTERN + r")\s+\S")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")
_CTA = re.compile(
    r"\b(comment|share (this|it|your)|repost|follow (me|us|for)|dm me|message me|sign up|register|book (a |your )?(demo|call|meeting)|"
    r"learn more|read more|find out more|link in (the )?(comments?|bio)|check (it|this|them) out|download|try it|"
    r"get started|join (us|me|the)|subscribe|let me know|tell me|drop (a|your)|what do you think|thoughts\?|agree\?|"
    r"who else|click|visit|request a demo|start (your|a) free trial|talk to (us|sales))\b",
    re.I,
)
_PERSONAL = re.compile(r"^(i|i'm|i’m|i've|i’ve|my|me|we|we're|we’re|our|last (week|month|year)|yesterday|today|"
                       r"this (week|morning)|when i|years ago|\d+ years ago)\b", re.I)

HOOKS = {
    "question": "opens with a question",
    "number": "opens with a number or a result",
    "short": "opens with a short, bold one-liner",
    "personal": "opens with a personal story",
    "quote": "opens with a quote",
    "statement": "opens with a full sentence that sets the scene",
}




# measuring one text
def plain(text: str) -> str:
    """Text without citation markers (what would actually be published)."""
    return _MARKER.sub("", text).strip()


def emoji_in(text: str) -> list[str]:
    return EMOJI.findall(text)


def hashtags_in(text: str) -> list[str]:
    return ["#" + h for h in _HASHTAG.findall(_URL.sub(" ", text))]


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _prose(text: str) -> str:
    """Words only: no URLs, hashtag-only lines, emoji or list markers (for sentences and reading level)."""
    lines = []
    for line in _lines(_URL.sub(" ", text)):
        if _is_tag_line(line):
            continue
        lines.append(EMOJI.sub(" ", _HASHTAG.sub(lambda m: m.group(1), line)))
    return "\n".join(lines)


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(_prose(text)) if re.search(r"[^\W\d_]{2,}", s)]


def words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+(?:['’][^\W_]+)?", _prose(text))


def _syllables(word: str) -> int:
    w = word.lower()
    if len(w) <= 3:
        return 1
    w = re.sub(r"(?:[^laeiouy]es|ed|[^laeiouy]e)$", "", w)
    w = re.sub(r"^y", "", w)
    return max(1, len(re.findall(r"[aeiouy]{1,2}", w)))


def reading_grade(text: str) -> float:
    """Flesch-Kincaid grade level (US school grade; 8 is plain English)."""
    ws = [w for w in words(text) if not w.isdigit()]
    ss = sentences(text)
    if not ws or not ss:
        return 0.0
    syl = sum(_syllables(w) for w in ws)
    return round(max(0.0, 0.39 * len(ws) / len(ss) + 11.8 * syl / len(ws) - 15.59), 1)


def hook_style(text: str) -> str:
    first = next(iter(_lines(text)), "")
    bare = EMOJI.sub("", first).strip()
    if not bare:
        return "statement"
    if bare.rstrip().endswith("?"):
        return "question"
    if bare[0] in "\"“'‘«":
        return "quote"
    if re.match(r"^[$€£]?\d", bare) or re.search(r"\d+\s?%|[$€£]\s?\d|\b\d[\d,.]*\s?(x|k|m|minutes|hours|days|weeks|months|years|percent)\b", bare, re.I) \
            or re.search(r"\bfrom\s+[$€£]?\d[\d,.]*\b.{0,30}?\bto\s+[$€£]?\d", bare, re.I):  # "fell from 12 to 3 per 1,000"
        return "number"
    if _PERSONAL.match(bare):
        return "personal"
    if len(bare.split()) <= 8:
        return "short"
    return "statement"


OPENERS = {"figure": "opens with a figure", "question": "opens with a question", "quote": "opens with a quote",
           "statement": "opens with a statement"}


def opener_kind(text: str) -> str:
    """The kind of first line the template knows: "figure", "question", "quote" or "statement"."""
    hook = hook_style(text)
    return {"number": "figure", "question": "question", "quote": "quote"}.get(hook, "statement")


def _is_tag_line(line: str) -> bool:
    return bool(re.fullmatch(r"(#\w+[\s,]*)+", EMOJI.sub("", line).strip())) if line.strip() else False


def _body_lines(text: str) -> list[str]:
    """The non-empty lines without the hashtag-only ones (where emoji and questions are looked for)."""
    return [line for line in _lines(text) if not _is_tag_line(line)]


_TRAILER = re.compile(r"(?:\s*\[\d{1,3}\]|[\s.,;:!?…\"”’)]+)*$")  # what may follow a line's last word or emoji


def emoji_places(text: str) -> list[tuple[str, str, str]]:
    """(emoji, line, at) for each emoji of ``text``: line is "first line", "middle lines" or "last line" (the
    hashtag line aside), at is "start", "end" or "inside" of that line."""
    lines = _body_lines(text)
    out = []
    for i, line in enumerate(lines):
        where = "first line" if i == 0 else "last line" if i == len(lines) - 1 else "middle lines"
        stripped = line.strip()
        core = _TRAILER.sub("", stripped)
        for m in EMOJI.finditer(stripped):
            head = EMOJI.sub("", stripped[: m.start()]).strip()
            tail = EMOJI.sub("", core[m.end():]).strip() if m.end() <= len(core) else ""
            at = "start" if not head else "end" if not tail else "inside"
            out.append((m.group(0), where, at))
    return out


def paragraphs(text: str) -> int:
    """Blocks of text separated by blank lines (the hashtag line aside)."""
    return sum(1 for block in re.split(r"\n\s*\n", text) if block.strip() and not _is_tag_line(block.strip()))


def has_cta(text: str) -> bool:
    """A call to action in the last lines (hashtag lines aside)."""
    tail = [line for line in _lines(text) if not re.fullmatch(r"(#\w+[\s,]*)+", line)][-2:]
    return bool(tail) and bool(_CTA.search(" ".join(tail)))


def ends_with_question(text: str) -> bool:
    tail = [line for line in _lines(text) if not re.fullmatch(r"(#\w+[\s,]*)+", line)]
    return bool(tail) and EMOJI.sub("", tail[-1]).strip().endswith("?")


def has_list(text: str) -> bool:
    return sum(bool(_LIST_LINE.match(line)) for line in text.splitlines()) >= 2


def hashtags_at_end(text: str) -> bool:
    lines = _lines(text)
    return bool(lines) and bool(hashtags_in(lines[-1])) and len(hashtags_in(lines[-1])) >= len(hashtags_in(text)) / 2


@dataclass
class TextStats:
    """The same measures for one text (a past post, or a draft)."""

    chars: int
    words: int
    sentence_words: float
    lines: int
    line_chars: float  # median characters per non-empty line
    blank_lines: int
    emoji: int
    hashtags: int
    hashtags_at_end: bool
    has_list: bool
    questions: int
    ends_with_question: bool
    cta: bool
    hook: str
    grade: float

    @classmethod
    def of(cls, text: str) -> "TextStats":
        text = plain(text)
        ss = sentences(text)
        ws = words(text)
        lines = _lines(text)
        return cls(
            chars=len(text),
            words=len(ws),
            sentence_words=round(len(ws) / len(ss), 1) if ss else float(len(ws)),
            lines=len(lines),
            line_chars=float(statistics.median(len(line) for line in lines)) if lines else 0.0,
            blank_lines=len(re.findall(r"\n\s*\n", text)),
            emoji=len(emoji_in(text)),
            hashtags=len(hashtags_in(text)),
            hashtags_at_end=hashtags_at_end(text),
            has_list=has_list(text),
            questions=text.count("?"),
            ends_with_question=ends_with_question(text),
            cta=has_cta(text),
            hook=hook_style(text),
            grade=reading_grade(text),
        )


# the profile
@dataclass
class VoiceProfile:
    posts: int
    median_words: int
    median_chars: int
    words_range: tuple[int, int]  # 25th-75th percentile
    sentence_words: float
    lines_per_post: float
    line_chars: float
    short_lines: bool
    hook: str
    hook_share: float
    hook_examples: list[str]
    emoji_share: float  # posts with at least one emoji
    emoji_per_post: float
    top_emoji: list[str]
    hashtags_per_post: float  # median
    hashtags_at_end: bool
    top_hashtags: list[str]
    list_share: float
    question_share: float  # posts that ask at least one question
    ends_with_question_share: float
    cta_share: float
    cta_examples: list[str]
    reading_grade: float
    phrases: list[str] = field(default_factory=list)
    # The composer (rag/marketing/composer.py) opens and closes posts the way the team does:
    hook_shares: dict[str, float] = field(default_factory=dict)  # share of posts per opener style
    openers: list[str] = field(default_factory=list)  # opening questions that state no fact (no figures or names)
    closers: list[str] = field(default_factory=list)  # closing questions or calls to action that state no fact
    # The template a draft is checked against trait by trait (:func:`check_voice`) and composed in (the composer):
    lines_range: tuple[int, int] = (0, 0)  # non-empty lines per post, 25th-75th percentile (hashtag line included)
    paragraphs_range: tuple[int, int] = (0, 0)  # blocks between blank lines (hashtag line aside)
    opener: str = "statement"  # figure | question | quote | statement: the team's usual first line
    opener_shares: dict[str, float] = field(default_factory=dict)
    signature_emoji: str = ""  # the emoji on at least half of the posts, as the team writes it ("⏰")
    team_emoji: list[str] = field(default_factory=list)  # every emoji the team used: the only ones a draft may use
    emoji_line: str = ""  # where the team's emoji sit: "first line", "middle lines" or "last line"
    emoji_at: str = ""  # and where in that line: "start", "end" or "inside"
    emoji_posts: list[tuple[str, list[str]]] = field(default_factory=list)  # (a post's emoji, the post's terms)
    hashtags_range: tuple[int, int] = (0, 0)  # hashtags per post, 25th-75th percentile
    signature_hashtags: list[str] = field(default_factory=list)  # on at least half of the posts, as written ("#BrandTag")
    closing_questions: list[str] = field(default_factory=list)  # past closing questions that state no fact
    closing_terms: list[list[str]] = field(default_factory=list)  # the terms of the post each one closed
    closing_leads: list[list[str]] = field(default_factory=list)  # the terms of that post's first line (its subject)
    common_terms: list[str] = field(default_factory=list)  # terms on more than half of the posts: no subject of their own

    def as_dict(self) -> dict:
        return asdict(self)

    # plain words
    def describe(self) -> list[str]:
        """The profile as short phrases a marketer recognises."""
        out = []
        if self.short_lines:
            out.append("short punchy lines")
        elif self.lines_per_post <= 2.5:
            out.append("one or two solid paragraphs")
        else:
            out.append("a few paragraphs")
        n = self.median_words
        size = "short" if n < 80 else "medium-length" if n < 220 else "long"
        out.append(f"{size} posts (about {n} words)")
        sw = self.sentence_words
        out.append(("short sentences" if sw < 12 else "medium sentences" if sw < 20 else "long sentences") + f" (about {sw:.0f} words)")
        if self.hook_share >= 0.4:
            out.append(HOOKS[self.hook])
        tags = round(self.hashtags_per_post)
        if tags >= 1:
            out.append(f"{tags} hashtag{'s' if tags != 1 else ''}" + (" at the end" if self.hashtags_at_end else " in the text")
                       + (f" (always {' '.join(self.signature_hashtags)})" if self.signature_hashtags else ""))
        else:
            out.append("no hashtags")
        if self.emoji_share >= 0.5 and self.signature_emoji:
            out.append(f"uses emoji: {emoji_habit(self)}")
        elif self.emoji_share >= 0.5:
            sample = " ".join(self.top_emoji[:3])
            out.append(f"uses emoji (about {max(1, round(self.emoji_per_post))} per post{', like ' + sample if sample else ''}"
                       + (f", {_place_words(self.emoji_line, self.emoji_at)}" if self.emoji_line else "") + ")")
        elif self.emoji_share >= 0.15:
            out.append("emoji now and then")
        else:
            out.append("no emoji")
        if self.list_share >= 0.3:
            out.append("often uses lists")
        if self.ends_with_question_share >= 0.4:
            out.append("ends with a question")
        elif self.question_share >= 0.5:
            out.append("asks the reader questions")
        if self.cta_share >= 0.4:
            out.append("ends with a call to action")
        g = self.reading_grade
        level = "very easy to read" if g <= 6 else "easy to read" if g <= 9 else "fairly demanding" if g <= 12 else "demanding"
        out.append(level + (f" (school grade {g:.0f})" if g >= 1 else ""))
        return out

    def summary(self) -> str:
        """One line: "short punchy lines, 3 hashtags at the end, ends with a question"."""
        order = ("short punchy lines", "one or two", "a few paragraphs", "no hashtags", "hashtag", "ends with a", "asks the",
                 "uses emoji", "emoji now", "no emoji", "opens with", "often uses lists", "short posts", "medium-length posts",
                 "long posts")
        phrases = self.describe()
        ranked = sorted(phrases, key=lambda p: next((i for i, o in enumerate(order) if o in p), len(order)))
        return ", ".join(p for p in ranked[:6] if "sentences" not in p and "read" not in p)

    def guidance(self) -> str:
        """Written guidance for the writing model (the editable default)."""
        lo, hi = self.words_range
        rules = [f"Length: about {self.median_words} words (between {lo} and {hi})."]
        if self.short_lines:
            rules.append("Put each sentence or two on its own short line, with blank lines between ideas.")
        else:
            rules.append("Write in short paragraphs rather than one line per sentence.")
        rules.append(f"Keep sentences around {self.sentence_words:.0f} words.")
        lo_l, hi_l = self.lines_range
        if hi_l:
            lp, hp = self.paragraphs_range
            rules.append(f"Use {lo_l if lo_l == hi_l else f'{lo_l}–{hi_l}'} lines in {lp if lp == hp else f'{lp}–{hp}'} "
                         "paragraphs.")
        if self.opener_shares and self.hook_share < 0.4:
            rules.append(f"First line: {OPENERS[self.opener].replace('opens with', 'open with')}.")
        if self.hook_share >= 0.4:
            rule = f"First line: {HOOKS[self.hook].replace('opens with', 'open with')}"
            if self.hook_examples:
                rule += f", like “{self.hook_examples[0]}”"
            rules.append(rule + ".")
        tags = round(self.hashtags_per_post)
        if tags:
            common = " ".join(self.top_hashtags[:tags])
            rules.append(f"End with {tags} hashtag{'s' if tags != 1 else ''}" + (f" (you often use {common})" if common else "")
                         + (f", always {' '.join(self.signature_hashtags)}" if self.signature_hashtags else "")
                         + ", written exactly as shown (keep the capitals).")
        else:
            rules.append("Don't use hashtags.")
        if self.emoji_share >= 0.5 and self.signature_emoji:
            rules.append(f"Put {emoji_habit(self)}; no other emoji.")
        elif self.emoji_share >= 0.5:
            rules.append(f"Use about {max(1, round(self.emoji_per_post))} emoji" + (f", such as {' '.join(self.top_emoji[:3])}" if self.top_emoji else "")
                         + (f", {_place_words(self.emoji_line, self.emoji_at)}" if self.emoji_line else "") + ".")
        elif self.emoji_share < 0.15:
            rules.append("Don't use emoji.")
        if self.list_share >= 0.3:
            rules.append("Use a short list when there are several points.")
        if self.ends_with_question_share >= 0.4:
            rules.append("End by asking the reader a question.")
        if self.cta_share >= 0.4:
            rules.append("Close with a call to action" + (f" (like “{self.cta_examples[0]}”)" if self.cta_examples else "") + ".")
        rules.append(f"Keep it plain: about school grade {max(4, round(self.reading_grade))} reading level.")
        return "\n".join(f"- {r}" for r in rules)


def _share(flags: list[bool]) -> float:
    return round(sum(flags) / len(flags), 2) if flags else 0.0


def _quantile(values: list[int], q: float) -> int:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def profile_from_texts(texts: list[str]) -> VoiceProfile | None:
    """The voice profile of these posts (None when there are none)."""
    texts = [plain(t) for t in texts if t and t.strip()]
    if not texts:
        return None
    stats = [TextStats.of(t) for t in texts]
    hooks = Counter(s.hook for s in stats)
    hook, hook_n = hooks.most_common(1)[0]
    emoji_counter = Counter(e for t in texts for e in emoji_in(t))
    tag_counter = Counter(h.lower() for t in texts for h in hashtags_in(t))
    written = _written_forms(h for t in texts for h in hashtags_in(t))  # "#brandtag" -> "#BrandTag", as the team writes it
    tagged = [s for s in stats if s.hashtags]
    ctas = []
    for t in texts:
        if has_cta(t):
            tail = [line for line in _lines(t) if not re.fullmatch(r"(#\w+[\s,]*)+", line)][-1]
            ctas.append(tail[:80])
    all_words = [s.words for s in stats]
    line_chars = statistics.median(s.line_chars for s in stats)
    lines = statistics.mean(s.lines for s in stats)
    profile = VoiceProfile(
        posts=len(texts),
        median_words=int(statistics.median(all_words)),
        median_chars=int(statistics.median(s.chars for s in stats)),
        words_range=(_quantile(all_words, 0.25), _quantile(all_words, 0.75)),
        sentence_words=round(statistics.mean(s.sentence_words for s in stats), 1),
        lines_per_post=round(lines, 1),
        line_chars=round(float(line_chars), 1),
        short_lines=lines >= 4 and line_chars <= 90,
        hook=hook,
        hook_share=round(hook_n / len(stats), 2),
        hook_examples=[next(iter(_lines(t)))[:100] for t, s in zip(texts, stats) if s.hook == hook][:3],
        emoji_share=_share([s.emoji > 0 for s in stats]),
        emoji_per_post=round(statistics.mean(s.emoji for s in stats), 1),
        top_emoji=[e for e, _ in emoji_counter.most_common(5)],
        hashtags_per_post=float(statistics.median(s.hashtags for s in stats)),
        hashtags_at_end=_share([s.hashtags_at_end for s in tagged]) >= 0.5 if tagged else False,
        top_hashtags=[written[h] for h, _ in tag_counter.most_common(6)],
        list_share=_share([s.has_list for s in stats]),
        question_share=_share([s.questions > 0 for s in stats]),
        ends_with_question_share=_share([s.ends_with_question for s in stats]),
        cta_share=_share([s.cta for s in stats]),
        cta_examples=[c for c, _ in Counter(ctas).most_common(3)],
        reading_grade=round(statistics.median(s.grade for s in stats), 1),
    )
    profile.phrases = profile.describe()
    profile.hook_shares = {h: round(n / len(stats), 2) for h, n in hooks.most_common()}
    # Only questions: an opening statement of a past post ("We shipped something big today.") is a claim about then.
    profile.openers = _reusable([first for t in texts if (first := next(iter(_lines(t)), "")).rstrip().endswith("?")])
    profile.closers = _reusable([_closing_line(t) for t in texts if has_cta(t) or ends_with_question(t)])
    _mine_template(profile, texts, stats)
    return profile


def _written_forms(tags) -> dict[str, str]:
    """Each hashtag (lower-cased) -> the way the team writes it most often."""
    forms: dict[str, Counter] = {}
    for tag in tags:
        forms.setdefault(tag.lower(), Counter())[tag] += 1
    return {key: c.most_common(1)[0][0] for key, c in forms.items()}


def _emoji_key(e: str) -> str:
    return e.replace("\ufe0f", "")


def terms(text: str) -> list[str]:
    """The stemmed content words of a text (its subject), hashtags' words included."""
    return sorted(set(analyse(_prose(text))))


SIGNATURE_SHARE = 0.6  # an emoji or a hashtag on this share of the posts is the team's signature


def _mine_template(profile: VoiceProfile, texts: list[str], stats: list[TextStats]) -> None:
    n = len(texts)
    profile.lines_range = (_quantile([s.lines for s in stats], 0.25), _quantile([s.lines for s in stats], 0.75))
    paras = [paragraphs(t) for t in texts]
    profile.paragraphs_range = (_quantile(paras, 0.25), _quantile(paras, 0.75))
    kinds = Counter(opener_kind(t) for t in texts)
    profile.opener = kinds.most_common(1)[0][0]
    profile.opener_shares = {k: round(c / n, 2) for k, c in kinds.most_common()}
    # emoji: the signature one (on half of the posts or more), and where the team puts it
    forms = _written_forms_emoji(e for t in texts for e in emoji_in(t))
    per_post = Counter(k for t in texts for k in dict.fromkeys(_emoji_key(e) for e in emoji_in(t)))  # ties: first seen
    profile.team_emoji = [forms[k] for k, _ in per_post.most_common()]
    top = per_post.most_common(1)
    profile.signature_emoji = forms[top[0][0]] if top and top[0][1] / n >= SIGNATURE_SHARE else ""
    places = Counter((line, at) for t in texts for e, line, at in emoji_places(t)
                     if not profile.signature_emoji or _emoji_key(e) == _emoji_key(profile.signature_emoji))
    if places:
        profile.emoji_line, profile.emoji_at = places.most_common(1)[0][0]
    for t in texts:
        own = [e for e, line, at in emoji_places(t) if (line, at) == (profile.emoji_line, profile.emoji_at)]
        own = own or emoji_in(t)
        if own:
            profile.emoji_posts.append((forms[_emoji_key(own[0])], terms(t)))
    # hashtags: how many, and the ones (as written) on half of the posts or more
    profile.hashtags_range = (_quantile([s.hashtags for s in stats], 0.25), _quantile([s.hashtags for s in stats], 0.75))
    written = _written_forms(h for t in texts for h in hashtags_in(t))
    on_posts = Counter(k for t in texts for k in dict.fromkeys(h.lower() for h in hashtags_in(t)))  # ties: first seen
    profile.signature_hashtags = [written[k] for k, c in on_posts.most_common() if c / n >= SIGNATURE_SHARE]
    # closing questions, each with the subject of its post; the words every post uses say nothing about a subject
    df = Counter(w for t in texts for w in terms(t))
    profile.common_terms = sorted(w for w, c in df.items() if n >= 4 and c / n > 0.5)
    for t in texts:
        if ends_with_question(t):
            question = _reusable([_closing_line(t)], most=1)
            if question and question[0] not in profile.closing_questions:
                profile.closing_questions.append(question[0])
                profile.closing_terms.append(terms(t))
                profile.closing_leads.append(terms(next(iter(_body_lines(t)), "")))


def _written_forms_emoji(emoji) -> dict[str, str]:
    forms: dict[str, Counter] = {}
    for e in emoji:
        forms.setdefault(_emoji_key(e), Counter())[e] += 1
    return {key: c.most_common(1)[0][0] for key, c in forms.items()}


def _closing_line(text: str) -> str:
    return [line for line in _lines(text) if not re.fullmatch(r"(#\w+[\s,]*)+", line)][-1]


_NAME_INSIDE = re.compile(r"(?<=[a-z,;:] )[A-Z][a-z]+")


def _reusable(lines: list[str], most: int = 12) -> list[str]:
    """Lines a draft may reuse as they are: short, without figures, names or links (a fact of their own)."""
    out: list[str] = []
    for line in lines:
        bare = EMOJI.sub("", _HASHTAG.sub("", line)).strip()
        if not bare or len(bare.split()) > 12 or re.search(r"\d", bare) or _URL.search(bare) or _NAME_INSIDE.search(bare):
            continue
        if bare not in out:
            out.append(bare)
    return out[:most]


# where the posts come from
def document_text(store, row) -> str:
    """The text of a style document as written: a stored LinkedIn post without its header, else its passages."""
    from ..parse.encoding import decode
    from ..parse.linkedin import split_post

    if row.original_path and Path(row.original_path).suffix.lower() == ".txt" and Path(row.original_path).exists():
        post, body = split_post(decode(Path(row.original_path).read_bytes()))
        if post is not None:
            return body
    hits = store.index.chunks_of(row.workspace, row.doc_id)
    text = "\n\n".join(h.text for h in hits)
    _, body = split_post(text)
    return body


def style_documents(store, workspace: str, kinds: tuple[str, ...] = STYLE_KINDS, *, user: User | None) -> list:
    check_reader(store.catalog, workspace, user)
    return [r for r in store.catalog.documents(workspace, status="ready") if r.kind in kinds]


def profile_for(store, workspace: str, *, user: User | None) -> VoiceProfile | None:
    """The voice profile of an assistant, from its ready posts and blogs (None if it has none)."""
    rows = style_documents(store, workspace, user=user)
    return profile_from_texts([document_text(store, r) for r in rows])


# editable guidance
def saved_guidance(catalog, workspace: str, *, user: User | None) -> str | None:
    check_reader(catalog, workspace, user)
    return catalog.guidance.voice_guidance(workspace)


def save_guidance(catalog, workspace: str, guidance: str, user: User | None) -> None:
    """Store a person's guidance for an assistant they manage; empty text goes back to the generated guidance."""
    get_assistant(catalog, workspace, user, manage=True)
    if not guidance.strip():
        catalog.guidance.clear_voice_guidance(workspace)
        return
    catalog.guidance.save_voice_guidance(workspace, guidance.strip())


def guidance_for(catalog, workspace: str, profile: VoiceProfile | None, *, user: User | None) -> tuple[str, bool]:
    """(the guidance to write with, whether a person wrote it)."""
    saved = saved_guidance(catalog, workspace, user=user)
    if saved:
        return saved, True
    return (profile.guidance() if profile else ""), False


# does a draft sound like the profile? (the template's six traits)
TRAITS = ("length", "lines", "emoji", "closing question", "hashtags", "opener")


@dataclass
class Trait:
    name: str  # one of TRAITS
    matched: bool
    detail: str  # plain words: "84 words; your posts run 70-90"

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class VoiceMatch:
    score: float  # share of the traits that match
    matched: list[str]  # the names of the traits that match
    mismatched: list[str]  # plain reasons, e.g. "7 hashtags; your posts use 3"
    traits: list[Trait] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """At most one trait differs ("matches 5 of 6 voice traits")."""
        return len(self.mismatched) <= max(1, len(self.traits) // 6) if self.traits else self.score >= 0.75

    def summary(self) -> str:
        return f"matches {len(self.matched)} of {len(self.matched) + len(self.mismatched)} voice traits"

    def as_dict(self) -> dict:
        return {"score": round(self.score, 2), "matched": self.matched, "mismatched": self.mismatched,
                "traits": [t.as_dict() for t in self.traits], "summary": self.summary()}


def _band(lo: int, hi: int, slack: int) -> tuple[int, int]:
    return max(0, lo - slack), hi + slack


def _place_words(line: str, at: str) -> str:
    if not line:
        return "anywhere"
    if line == "middle lines":
        return {"end": "at the end of a line", "start": "at the start of a line"}.get(at, "inside a line")
    return {"end": f"at the end of the {line}", "start": f"at the start of the {line}"}.get(at, f"inside the {line}")


def emoji_habit(profile: VoiceProfile) -> str:
    """The team's emoji in plain words: "⏰ at the start of the first line", "no emoji"."""
    if profile.emoji_share < 0.2:
        return "no emoji"
    which = profile.signature_emoji or "an emoji"
    return f"{which} {_place_words(profile.emoji_line, profile.emoji_at)}" + ("" if profile.emoji_share >= 0.5 else " now and then")


def check_voice(text: str, profile: VoiceProfile) -> VoiceMatch:
    """``text`` against the team's template, trait by trait: length, lines, emoji (which and where), closing question,
    hashtags (how many, written as the team writes them) and the kind of opener."""
    text = plain(text)
    s = TextStats.of(text)
    traits: list[Trait] = []

    # length: the middle half of the team's posts, with a little give
    lo, hi = profile.words_range
    a, b = _band(lo, hi, max(2, round(0.15 * profile.median_words)))
    traits.append(Trait("length", a <= s.words <= b, f"{s.words} words; your posts run {lo}–{hi}"))

    # lines and paragraphs
    llo, lhi = profile.lines_range
    plo, phi = profile.paragraphs_range
    la, lb = _band(llo, lhi, max(1, round(0.2 * lhi)))
    pa, pb = _band(plo, phi, 1)
    n_par = paragraphs(text)
    ok = la <= s.lines <= lb and pa <= n_par <= pb
    traits.append(Trait("lines", ok, f"{s.lines} lines in {n_par} paragraph(s); your posts have {llo}–{lhi} lines "
                                     f"in {plo}–{phi}"))

    # emoji: only the team's own, where the team puts them
    found = emoji_places(text)
    own = {_emoji_key(e) for e in profile.team_emoji}
    habit = emoji_habit(profile)
    if profile.emoji_share < 0.2:
        ok, why = not found, f"{len(found)} emoji; your posts have none"
    elif not found:
        ok, why = profile.emoji_share < 0.5, f"no emoji; your posts have {habit}"
    else:
        strangers = [e for e, _, _ in found if _emoji_key(e) not in own]
        sig = profile.signature_emoji
        sig_places = [(line, at) for e, line, at in found if not sig or _emoji_key(e) == _emoji_key(sig)]
        placed = any(line == profile.emoji_line and (at == profile.emoji_at or profile.emoji_at == "inside")
                     for line, at in sig_places)
        ok = not strangers and bool(sig_places) and placed
        why = (f"{' '.join(strangers)} is not one of your emoji" if strangers else
               f"{sig} is missing; your posts have {habit}" if not sig_places else
               f"emoji {_place_words(*sig_places[0])}; your posts have {habit}")
    traits.append(Trait("emoji", ok, habit if ok else why))

    # closing question
    q = profile.ends_with_question_share
    if q >= 0.5:
        ok, why = s.ends_with_question, "doesn't end with a question; your posts usually do"
    elif q <= 0.2:
        ok, why = not s.ends_with_question, "ends with a question; your posts don't"
    else:
        ok, why = True, ""
    traits.append(Trait("closing question", ok, why if not ok else ("ends with a question" if s.ends_with_question else
                                                                    "no closing question")))

    # hashtags: as many as usual, written as the team writes them, the signature ones present
    tags = hashtags_in(text)
    hlo, hhi = profile.hashtags_range
    written = {t.lower(): t for t in profile.top_hashtags + profile.signature_hashtags}
    miswritten = [t for t in tags if t.lower() in written and t != written[t.lower()]]
    missing = [t for t in profile.signature_hashtags if t.lower() not in {x.lower() for x in tags}]
    ok = hlo <= len(tags) <= hhi and not miswritten and not missing
    why = (f"{miswritten[0]} is written {written[miswritten[0].lower()]} in your posts" if miswritten else
           f"the hashtag {missing[0]} is missing; it is on most of your posts" if missing else
           f"{len(tags)} hashtag(s); your posts use " + (f"{hlo}" if hlo == hhi else f"{hlo}–{hhi}"))
    traits.append(Trait("hashtags", ok, why if not ok else f"{len(tags)} hashtag(s), as you write them"))

    # opener
    kind = opener_kind(text)
    usual = [k for k, share in profile.opener_shares.items() if share >= 0.3] or [profile.opener]
    traits.append(Trait("opener", kind in usual, OPENERS[kind] + ("" if kind in usual else
                                                                   f"; your posts usually {OPENERS[profile.opener].replace('opens', 'open')}")))

    matched = [t.name for t in traits if t.matched]
    missed = [t.detail for t in traits if not t.matched]
    return VoiceMatch(len(matched) / len(traits), matched, missed, traits)


def match_voice(text: str, profile: VoiceProfile) -> VoiceMatch:
    """The same as :func:`check_voice` (the name the recipes and the benchmark use)."""
    return check_voice(text, profile)


# composing in the voice: which emoji, where, and which closing question
def _overlap(brief: set[str], post_terms, common: set[str]) -> int:
    """The subject words ``brief`` and a past post share: not the team's everyday words, not figures ("2" is no subject)."""
    return len({t for t in brief & (set(post_terms) - common) if not any(c.isdigit() for c in t)})


def choose_emoji(profile: VoiceProfile | None, brief: str) -> str:
    """The emoji a draft on ``brief`` carries: the team's signature one; else, for a team that uses emoji, the one of
    its past post closest to the brief's subject; "" when the team uses none or no past post is on the subject."""
    if profile is None or profile.emoji_share < 0.5:
        return ""
    if profile.signature_emoji:
        return profile.signature_emoji
    want = set(analyse(brief))
    common = set(profile.common_terms)
    scored = [(_overlap(want, ts, common), -i, e) for i, (e, ts) in enumerate(profile.emoji_posts)]
    best = max(scored, default=None)
    return best[2] if best and best[0] > 0 else ""


def place_emoji(text: str, emoji: str, profile: VoiceProfile | None) -> str:
    """``text`` with ``emoji`` where the team puts its emoji (the line and the end or start of it), before a citation
    marker at a line's end."""
    if not emoji or profile is None:
        return text
    lines = text.split("\n")
    body = [i for i, line in enumerate(lines) if line.strip() and not _is_tag_line(_MARKER.sub("", line))]
    if not body:
        return text
    where = profile.emoji_line or "first line"
    if where == "last line" and len(body) > 1:
        i = body[-1]
    elif where == "middle lines" and len(body) > 2:
        i = body[1]
    else:
        i = body[0]
    line = lines[i]
    if profile.emoji_at == "start":
        indent = line[: len(line) - len(line.lstrip())]
        lines[i] = f"{indent}{emoji} {line.lstrip()}"
    else:
        m = re.search(r"(\s*\[\d+\])+\s*$", line)
        lines[i] = f"{line[: m.start()].rstrip()} {emoji}{m.group(0)}" if m else f"{line.rstrip()} {emoji}"
    return "\n".join(lines)


def closing_question(profile: VoiceProfile | None, brief: str, embeddings=None, floor: float = 0.55) -> str | None:
    """A past closing question on the brief's subject, for a team that ends posts with questions; else None.

    On the subject: the question, or the post it closed, shares a word (stemmed) with the brief that is not one
    the team uses on most posts; or, given ``embeddings``, the question is at least ``floor`` similar to the brief.
    Never an unrelated copy: with nothing on the subject there is no question.
    """
    if profile is None or profile.ends_with_question_share < 0.4 or not profile.closing_questions:
        return None
    from .facts import topic_terms

    want = set(analyse(brief)) - set(topic_terms(brief)[1])  # the brief's names ("Harbor Freight") are no subject
    common = set(profile.common_terms)
    leads = profile.closing_leads if len(profile.closing_leads) == len(profile.closing_questions) else []
    scored = []
    for i, (q, post_terms) in enumerate(zip(profile.closing_questions, profile.closing_terms)):
        own = _overlap(want, analyse(q), common)
        around = _overlap(want, post_terms, common)
        opened = _overlap(want, leads[i], common) if leads else 0  # what the post was about: its first line
        if own or around >= 2:
            scored.append((2 * own + around + 2 * opened, -i, q))
    if scored:
        return max(scored)[2]
    if embeddings is not None:
        import numpy as np

        vecs = np.asarray(embeddings.embed_array([brief] + profile.closing_questions), dtype=np.float32)
        sims = vecs[1:] @ vecs[0]
        i = int(np.argmax(sims))
        if sims[i] >= floor:
            return profile.closing_questions[i]
    return None
