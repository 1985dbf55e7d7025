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
    assert "3 hashtags at the end" in phrases
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
    good = "Onboarding took Northwind 12 days. 🚀\nNot 41.\n\nWhat would you do with 29 extra days?\n\n#onboarding #saas #growth"
    match = voice.match_voice(good, profile)
    assert match.passed and not match.mismatched
    essay = BLOGS[0]
    bad = voice.match_voice(essay, profile)
    assert not bad.passed
    assert any("hashtag" in m for m in bad.mismatched) and any("emoji" in m for m in bad.mismatched)
    assert any("short lines" in m for m in bad.mismatched)


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
