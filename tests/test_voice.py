"""The voice profile: computed from a fixture LinkedIn archive, described in plain words, editable."""

from __future__ import annotations

import pytest

from rag.ingest.kinds import set_kind
from rag.ingest.pipeline import ingest_bytes, ingest_paths
from rag.marketing import voice
from rag.workspace.assistants import ensure_default
from tests.marketing_fixtures import NORTHWIND, POSTS, shares_csv

TEXTS = ["\n".join(lines) for _, lines in POSTS]

BLOGS = [
    "Most onboarding problems are documentation problems in disguise. When a new customer cannot find the answer to "
    "a simple question, they open a ticket, and every ticket costs the support team time that could have gone into "
    "improving the product itself. Over the past year we rewrote our help center from scratch.\n\n"
    "The results surprised us. Customers found answers faster, the number of repeated questions dropped, and our "
    "support engineers finally had time to work on the hard problems that actually needed a human being.",
    "Writing for busy readers is a discipline rather than a talent. It starts with knowing exactly what the reader "
    "needs to do next, and it ends with removing every sentence that does not help them do it. That sounds simple, "
    "but it requires editing drafts several times.\n\nWe now review every article with that single question in mind, "
    "and the articles have become shorter, clearer and considerably more useful for the people who read them.",
]


@pytest.fixture
def profile():
    return voice.profile_from_texts(TEXTS)


def test_profile_of_the_fixture_archive(profile):
    assert profile.posts == 6
    assert profile.short_lines
    assert profile.hashtags_per_post == 3 and profile.hashtags_at_end
    assert profile.emoji_share == 1.0 and "🚀" in profile.top_emoji
    assert profile.ends_with_question_share == 1.0
    assert profile.hook == "short" and profile.hook_share == 0.5
    assert profile.list_share == pytest.approx(1 / 6, abs=0.01)  # one post has an arrow list
    assert "#saas" in profile.top_hashtags[:1]
    assert 15 <= profile.median_words <= 30 and profile.sentence_words < 8
    assert profile.reading_grade < 6


def test_profile_in_plain_words(profile):
    phrases = profile.describe()
    assert phrases[0] == "short punchy lines"
    assert "3 hashtags at the end (always #saas)" in phrases
    assert "ends with a question" in phrases
    assert "opens with a short, bold one-liner" in phrases
    assert any(p.startswith("uses emoji") for p in phrases)
    assert any(p.startswith("very easy to read") for p in phrases)
    summary = profile.summary()
    assert summary.startswith("short punchy lines") and "3 hashtags" in summary and "ends with a question" in summary


def test_long_form_blogs_read_differently():
    blog = voice.profile_from_texts(BLOGS)
    phrases = blog.describe()
    assert "short punchy lines" not in phrases and "one or two solid paragraphs" in phrases
    assert "no hashtags" in phrases and "no emoji" in phrases
    assert not any("question" in p for p in phrases)
    assert blog.sentence_words > 15 and blog.reading_grade > 9
    assert "Don't use hashtags." in blog.guidance() and "Don't use emoji." in blog.guidance()


def test_guidance_is_written_for_the_model(profile):
    g = profile.guidance()
    assert "End with 3 hashtags" in g and "#saas" in g
    assert "own short line" in g and "End by asking the reader a question." in g


def test_measures_of_single_texts():
    assert voice.hook_style("Why do customers churn?\nBecause...") == "question"
    assert voice.hook_style("41 days to 12 days.\nHere's how.") == "number"
    assert voice.hook_style("I quit my job last year.") == "personal"
    assert voice.hook_style("“Ship it,” she said.") == "quote"
    assert voice.hook_style("This is a long opening sentence that takes its time to get anywhere at all.") == "statement"
    assert voice.has_cta("Great results.\n\nBook a demo today.\n#saas")
    assert not voice.has_cta("Great results.\nThat's all.")
    assert voice.hashtags_in("Read more at https://x.com/#anchor #saas #b2b") == ["#saas", "#b2b"]
    assert voice.plain("Onboarding took 12 days [1].") == "Onboarding took 12 days."


def test_draft_in_the_voice_matches_and_an_essay_does_not(profile):
    good = "Onboarding took Northwind 12 days.\nNot 41. 🚀\n\nWhat would you do with 29 extra days?\n\n#onboarding #saas #growth"
    match = voice.match_voice(good, profile)
    assert match.passed and not match.mismatched
    essay = BLOGS[0]
    bad = voice.match_voice(essay, profile)
    assert not bad.passed
    assert any("hashtag #saas" in m for m in bad.mismatched) and any("emoji" in m for m in bad.mismatched)
    assert "lines" not in bad.matched


def test_profile_for_an_assistant_uses_only_posts_and_blogs(store, tmp_path):
    assert voice.profile_for(store, "default", user=None) is None
    (tmp_path / "Shares.csv").write_bytes(shares_csv())
    ingest_paths(store, [tmp_path / "Shares.csv"])
    ingest_bytes(store, "northwind.md", NORTHWIND)  # a case study: facts, not voice
    profile = voice.profile_for(store, "default", user=None)
    assert profile.posts == 6 and profile.hashtags_per_post == 3
    # marking a document as a blog adds it to the voice
    doc = next(r for r in store.catalog.documents("default") if r.file == "northwind.md")
    set_kind(store, doc.doc_id, "blog")
    assert voice.profile_for(store, "default", user=None).posts == 7


def test_guidance_is_editable_per_assistant(store, profile):
    ensure_default(store.catalog)
    text, edited = voice.guidance_for(store.catalog, "default", profile, user=None)
    assert not edited and text == profile.guidance()
    voice.save_guidance(store.catalog, "default", "Write like a pirate. Always end with ARRR.", None)
    assert voice.guidance_for(store.catalog, "default", profile, user=None) == ("Write like a pirate. Always end with ARRR.", True)
    assert voice.guidance_for(store.catalog, "other-assistant", profile, user=None) == (profile.guidance(), False)
    voice.save_guidance(store.catalog, "default", "   ", None)  # empty: back to the measured guidance
    assert voice.guidance_for(store.catalog, "default", profile, user=None) == (profile.guidance(), False)


# ---------------------------------------------------------------------------------------------------------------------
# The voice as a template (issue 23): three teams that write differently.

# A clinic-software team: ⏰ opens every post, short lines, a closing question, two hashtags.
CLOCK_POSTS = [
    "⏰ 8:30 and the waiting room is empty.\n\nNo-shows fell since reminders went out by text.\n\nWhat do your patients forget most?\n\n#ClinicLife #NoShows",
    "⏰ Monday, 7 patients rebooked themselves.\n\nNobody on the phone. ✅\n\nHow do your patients rebook?\n\n#ClinicLife #Scheduling",
    "⏰ Two minutes to check in.\n\nThe form fills itself from last time.\n\nHow long does your check-in take?\n\n#ClinicLife #FrontDesk",
    "⏰ Reminders at the right hour matter.\n\nEvening texts get read. Morning ones get lost.\n\nWhen do you send reminders?\n\n#ClinicLife #NoShows",
    "⏰ The front desk got its lunch break back.\n\nFewer calls, calmer mornings. ☕\n\nWhat would your front desk do with an hour?\n\n#ClinicLife #FrontDesk",
    "⏰ Every empty slot costs a clinic.\n\nWe fill them from the waiting list, automatically.\n\nHow do you fill late cancellations?\n\n#ClinicLife #Scheduling",
]

# A consultancy: no emoji, 70-90 words in short paragraphs, one CamelCase brand hashtag, no closing question.
_PARAGRAPHS = [
    ("Most planning problems start long before the plan.", "They start when the people who know the numbers are not "
     "in the room, and the people in the room are guessing about capacity, cost and timing."),
    ("We spent the last quarter with three regional teams.", "Each one kept its own spreadsheet, and each spreadsheet "
     "told a slightly different story about the same warehouse."),
    ("The fix was not a new tool.", "It was one shared sheet, one owner for every column, and a short weekly review "
     "where anyone could question a figure before it reached a decision."),
    ("Planning is a habit, not an event.", "Teams that review their assumptions every week make fewer expensive "
     "surprises, and they spend less time defending old forecasts in meetings."),
]


def _consulting_post(i: int) -> str:
    paras = [" ".join(_PARAGRAPHS[(i + k) % 4]) for k in range(2)] + [_PARAGRAPHS[(i + 2) % 4][0]]
    closing = ["That is the work we enjoy most.", "Small changes, steady results.", "Ask us how it went.",
               "More on this next month."][i % 4]
    return "\n\n".join(paras + [closing, "#BrandTag"])


CONSULTING_POSTS = [_consulting_post(i) for i in range(8)]


def test_emoji_are_found_from_unicodes_data():
    text = "⏰ ✅ ☕ 1️⃣ #️⃣ 🇫🇷 👩‍💻 👍🏽 🏳️‍🌈 🧑🏽‍⚕️ ✉️ ™ © → ✔ #BrandTag 8:30"
    assert voice.emoji_in(text) == ["⏰", "✅", "☕", "1️⃣", "#️⃣", "🇫🇷", "👩\u200d💻", "👍🏽", "🏳️\u200d🌈",
                                   "🧑🏽\u200d⚕️", "✉️"]  # text-style symbols (™ © → ✔) are not emoji
    assert voice.hashtags_in(text) == ["#BrandTag"]


def test_no_hand_made_emoji_range_is_left_in_rag():
    """Emoji are told by Unicode's properties (regex's \\p{...}), never by a range of code points typed in."""
    import re
    from pathlib import Path

    root = Path(voice.__file__).resolve().parents[1]
    escaped = re.compile(r"\\U0001[0-9A-Fa-f]{4}\s*-|\\u2[5-7BbEe][0-9A-Fa-f]{2}\s*-\s*\\u")
    literal = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF]-[\U0001F000-\U0001FAFF\u2600-\u27BF]")
    offenders = [f"{p.relative_to(root)}:{n}" for p in root.rglob("*.py")
                 for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
                 if escaped.search(line) or literal.search(line)]
    assert offenders == []


def test_the_clock_team_signature_emoji_and_its_place():
    p = voice.profile_from_texts(CLOCK_POSTS)
    assert p.signature_emoji == "⏰" and (p.emoji_line, p.emoji_at) == ("first line", "start")
    assert voice.emoji_habit(p) == "⏰ at the start of the first line"
    assert p.ends_with_question_share == 1.0 and p.opener == "statement"
    assert p.signature_hashtags == ["#ClinicLife"] and p.hashtags_range == (2, 2)
    assert "uses emoji: ⏰ at the start of the first line" in p.describe()
    assert voice.choose_emoji(p, "fewer no-shows") == "⏰"  # the signature, never another post's ✅ or ☕
    placed = voice.place_emoji("Riverside patients stopped missing visits. [1]\n\nNo-shows fell from 18% to 6% in six "
                               "months. [1]\n\nWhat do your patients forget most?", "⏰", p)
    assert placed.startswith("⏰ Riverside patients")
    good = placed + "\n\n#ClinicLife #NoShows"
    match = voice.check_voice(good, p)
    assert match.passed and match.summary().endswith("of 6 voice traits")
    moved = good.replace("⏰ Riverside patients stopped missing visits. [1]", "Riverside patients stopped missing visits. ⏰ [1]")
    assert "emoji" not in voice.check_voice(moved, p).matched  # the right emoji in the wrong place
    stranger = good.replace("⏰", "🎉")
    assert "emoji" not in voice.check_voice(stranger, p).matched


def test_closing_question_fits_the_topic_or_there_is_none():
    p = voice.profile_from_texts(CLOCK_POSTS)
    assert voice.closing_question(p, "How Riverside clinic cut no-shows with text reminders") in (
        "What do your patients forget most?", "When do you send reminders?")
    assert voice.closing_question(p, "How the front desk got time back") == "What would your front desk do with an hour?"
    assert voice.closing_question(p, "Our new pricing for hospital groups") is None  # nothing on the subject: no copy


def test_the_consulting_team_no_emoji_long_short_paragraphs_one_camelcase_tag():
    p = voice.profile_from_texts(CONSULTING_POSTS)
    lo, hi = p.words_range
    assert 70 <= lo <= hi <= 90
    assert p.emoji_share == 0 and voice.emoji_habit(p) == "no emoji" and voice.choose_emoji(p, "planning") == ""
    assert p.top_hashtags == ["#BrandTag"] and p.signature_hashtags == ["#BrandTag"]  # as written, never lower-cased
    assert p.paragraphs_range[0] >= 4 and p.ends_with_question_share == 0 and p.opener == "statement"
    assert voice.closing_question(p, "planning reviews") is None
    assert "#BrandTag" in p.guidance() and "Don't use emoji." in p.guidance()
    good = voice.check_voice(CONSULTING_POSTS[0], p)
    assert good.matched == list(voice.TRAITS)
    lower = voice.check_voice(CONSULTING_POSTS[0].replace("#BrandTag", "#brandtag"), p)
    assert "hashtags" not in lower.matched and any("#brandtag is written #BrandTag" in m for m in lower.mismatched)
    short = voice.check_voice("Planning is a habit, not an event. Review every week.\n\n#BrandTag", p)
    assert "length" not in short.matched and "lines" not in short.matched and not short.passed
    asked = voice.check_voice(CONSULTING_POSTS[1].replace("Small changes, steady results.", "Do you agree?"), p)
    assert "closing question" not in asked.matched


def test_a_trait_report_per_trait():
    p = voice.profile_from_texts(TEXTS)
    match = voice.check_voice(BLOGS[0], p)
    assert [t.name for t in match.traits] == list(voice.TRAITS)
    assert not match.passed and len(match.matched) + len(match.mismatched) == 6
    assert match.as_dict()["summary"] == match.summary()
