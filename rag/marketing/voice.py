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
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from ..ingest.kinds import STYLE_KINDS
from ..workspace.access import User
from ..workspace.assistants import check_reader, get_assistant

EMOJI = re.compile(
    "[\U0001F1E6-\U0001F1FF\U0001F300-\U0001F5FF\U0001F600-\U0001F64F\U0001F680-\U0001F6FF\U0001F700-\U0001F77F"
    "\U0001F900-\U0001F9FF\U0001FA70-\U0001FAFF\u2600-\u26FF\u2700-\u27BF\u2B50\u2B55\u2934\u2935\u203C\u2049]"
)
_HASHTAG = re.compile(r"(?<![\w&/])#([^\W\d_][\w]*)", re.UNICODE)
_URL = re.compile(r"https?://\S+|www\.\S+")
_MARKER = re.compile(r"\s*\[\d{1,3}\]")
_LIST_LINE = re.compile(r"^\s*(?:[-*•▪►→➡✓✔☑✅👉🔹🔸]|\d{1,2}[.)]|[\U0001F300-\U0001FAFF\u2600-\u27BF]\ufe0f?)\s+\S")
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
        if re.fullmatch(r"(#\w+[\s,]*)+", line):
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
    if re.match(r"^[$€£]?\d", bare) or re.search(r"\d+\s?%|[$€£]\s?\d|\b\d[\d,.]*\s?(x|k|m|minutes|hours|days|weeks|months|years|percent)\b", bare, re.I):
        return "number"
    if _PERSONAL.match(bare):
        return "personal"
    if len(bare.split()) <= 8:
        return "short"
    return "statement"


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
            out.append(f"{tags} hashtag{'s' if tags != 1 else ''}" + (" at the end" if self.hashtags_at_end else " in the text"))
        else:
            out.append("no hashtags")
        if self.emoji_share >= 0.5:
            sample = " ".join(self.top_emoji[:3])
            out.append(f"uses emoji (about {max(1, round(self.emoji_per_post))} per post{', like ' + sample if sample else ''})")
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
        if self.hook_share >= 0.4:
            rule = f"First line: {HOOKS[self.hook].replace('opens with', 'open with')}"
            if self.hook_examples:
                rule += f", like “{self.hook_examples[0]}”"
            rules.append(rule + ".")
        tags = round(self.hashtags_per_post)
        if tags:
            common = " ".join(self.top_hashtags[:tags])
            rules.append(f"End with {tags} hashtag{'s' if tags != 1 else ''}" + (f" (you often use {common})" if common else "") + ".")
        else:
            rules.append("Don't use hashtags.")
        if self.emoji_share >= 0.5:
            rules.append(f"Use about {max(1, round(self.emoji_per_post))} emoji" + (f", such as {' '.join(self.top_emoji[:3])}" if self.top_emoji else "") + ".")
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
        top_hashtags=[h for h, _ in tag_counter.most_common(6)],
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
    return profile


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
    rows = catalog.query("SELECT guidance FROM voice_guidance WHERE workspace = ?", (workspace,))
    return rows[0]["guidance"] if rows else None


def save_guidance(catalog, workspace: str, guidance: str, user: User | None) -> None:
    """Store a person's guidance for an assistant they manage; empty text goes back to the generated guidance."""
    get_assistant(catalog, workspace, user, manage=True)
    if not guidance.strip():
        catalog.execute("DELETE FROM voice_guidance WHERE workspace = ?", (workspace,))
        return
    catalog.execute(
        "INSERT INTO voice_guidance(workspace, guidance, updated) VALUES (?, ?, ?) "
        "ON CONFLICT(workspace) DO UPDATE SET guidance = excluded.guidance, updated = excluded.updated",
        (workspace, guidance.strip(), time.time()),
    )


def guidance_for(catalog, workspace: str, profile: VoiceProfile | None, *, user: User | None) -> tuple[str, bool]:
    """(the guidance to write with, whether a person wrote it)."""
    saved = saved_guidance(catalog, workspace, user=user)
    if saved:
        return saved, True
    return (profile.guidance() if profile else ""), False


# does a draft sound like the profile?
@dataclass
class VoiceMatch:
    score: float  # share of the measures that match
    matched: list[str]
    mismatched: list[str]  # plain reasons, e.g. "7 hashtags; your posts use about 3"

    @property
    def passed(self) -> bool:
        return self.score >= 0.75

    def as_dict(self) -> dict:
        return {"score": round(self.score, 2), "matched": self.matched, "mismatched": self.mismatched}


def match_voice(text: str, profile: VoiceProfile) -> VoiceMatch:
    s = TextStats.of(text)
    matched, missed = [], []

    def judge(ok: bool, good: str, bad: str) -> None:
        (matched if ok else missed).append(good if ok else bad)

    lo, hi = profile.words_range
    judge(0.5 * lo <= s.words <= 1.6 * max(hi, profile.median_words), "length",
          f"{s.words} words; your posts are usually {lo}–{hi}")
    tags = round(profile.hashtags_per_post)
    judge(abs(s.hashtags - tags) <= 1 if tags else s.hashtags == 0, "hashtags",
          f"{s.hashtags} hashtag(s); your posts use about {tags}")
    if profile.emoji_share >= 0.5:
        judge(s.emoji > 0, "emoji", "no emoji; your posts usually have some")
    elif profile.emoji_share < 0.15:
        judge(s.emoji == 0, "emoji", f"{s.emoji} emoji; your posts don't use them")
    if profile.short_lines:
        judge(s.lines >= 3 and s.line_chars <= max(110, 1.5 * profile.line_chars), "short lines",
              "long paragraphs; your posts use short lines")
    judge(s.sentence_words <= 1.6 * profile.sentence_words + 2, "sentence length",
          f"sentences of about {s.sentence_words:.0f} words; yours are about {profile.sentence_words:.0f}")
    if profile.ends_with_question_share >= 0.5:
        judge(s.ends_with_question, "closing question", "doesn't end with a question; your posts usually do")
    if profile.cta_share >= 0.5:
        judge(s.cta, "call to action", "no call to action at the end; your posts usually have one")
    total = len(matched) + len(missed)
    return VoiceMatch(len(matched) / total if total else 1.0, matched, missed)
