"""The style guide as rules: read from tables and lines, stored per assistant, edited by people, checked and fixed."""

from __future__ import annotations

import pytest

from rag.errors import AccessDenied, GroundedError, NotFound
from rag.ingest.kinds import guess, set_kind
from rag.ingest.pipeline import delete_document, ingest_bytes
from rag.marketing.style_rules import (
    StyleRule,
    add_rule,
    check_rules,
    enforce,
    fix,
    remove_rule,
    rules_from_text,
    style_rules,
    update_rule,
)
from rag.workspace.access import User
from rag.workspace.assistants import create_assistant, share
from tests.marketing_fixtures import BRAND_GUIDE_MD, brand_guide_docx

EXPECTED = {
    "Avoid “leverage”: use “use”", "Avoid “utilize”: use “use”", "Avoid “synergy”: use “teamwork”",
    "Avoid “game-changer”: use “big step”", "At most 2 emoji", "At most 3 hashtags", "Always end with #AcmeCo",
    "Numbers as digits (12, not twelve)", "Headlines in sentence case",
}


def test_rules_are_read_from_a_table_and_from_lines():
    assert {r.describe() for r in rules_from_text(BRAND_GUIDE_MD.decode(), "guide.md")} == EXPECTED
    prose = """Don't say “synergy”; say “teamwork”. Use “customers”, not “users”.
- utilise -> use
Never use more than 1 emoji. Every post must include #Acme. Title case for all headlines.
Avoid jargon in general."""
    rules = {r.describe() for r in rules_from_text(prose)}
    assert rules == {"Avoid “synergy”: use “teamwork”", "Avoid “users”: use “customers”", "Avoid “utilise”: use “use”",
                     "At most 1 emoji", "Always end with #Acme", "Headlines in title case"}
    assert rules_from_text("No emoji, ever.")[0].describe() == "No emoji"


def test_a_style_guide_is_recognised_by_its_name_or_its_table():
    assert guess("brand-voice.pdf", "Our story").kind == "style guide"
    assert guess("how-we-write.md", BRAND_GUIDE_MD.decode()).kind == "style guide"
    assert guess("northwind-case-study.md", "# Northwind case study\n\n## Results\nCut onboarding.").kind == "case study"


def test_checks_flag_each_broken_rule_and_each_fix_works():
    rules = rules_from_text(BRAND_GUIDE_MD.decode())
    post = ("We leverage our carrier data. 🚀 [1]\nOnboarding took three weeks 🎉 ✅\n"
            "“We leverage nothing,” says Dana. [1]\n\n#logistics #freight #onboarding #ops")
    found = {v.rule.kind: v for v in check_rules(post, rules)}
    assert set(found) == {"avoid", "max_emoji", "max_hashtags", "required_hashtag", "digits"}
    assert found["avoid"].fix_label == "Replace with “use”" and found["digits"].fix_label == "Write it as 3"
    assert fix(post, found["avoid"], rules).startswith("We use our carrier data. 🚀 [1]")
    assert "“We leverage nothing,”" in fix(post, found["avoid"], rules)  # a customer's words are never changed
    assert "3 weeks" in fix(post, found["digits"], rules)
    assert fix(post, found["max_emoji"], rules).count("✅") == 0
    tags = fix(post, found["required_hashtag"], rules).splitlines()[-1]
    assert tags.endswith("#AcmeCo") and len(tags.split()) == 3  # added at the end, within the limit of 3
    clean = enforce(post, rules)
    assert check_rules(clean, rules) == [] and "[1]" in clean
    assert clean.splitlines()[-1].split() == ["#logistics", "#freight", "#AcmeCo"]


def test_headline_and_social_rules_apply_where_they_belong():
    rules = [StyleRule("headline_case", "sentence"), StyleRule("required_hashtag", "#AcmeCo")]
    copy = "Headline: Live Dashboards For Northwind Teams [1]\nBody: Charts load fast. [1]\nCTA: Try it."
    (violation,) = check_rules(copy, rules, "campaign", keep={"Northwind"})  # no hashtag rule for campaign copy
    fixed = fix(copy, violation, rules, "campaign", keep={"Northwind"})
    assert fixed.startswith("Headline: Live dashboards for Northwind teams [1]")
    assert check_rules(fixed, rules, "campaign", keep={"Northwind"}) == []


@pytest.mark.parametrize("name,data", [("brand-style-guide.docx", None), ("brand-style-guide.md", BRAND_GUIDE_MD)])
def test_uploaded_guides_become_stored_rules_that_people_can_edit(store, name, data):
    doc = ingest_bytes(store, name, data if data is not None else brand_guide_docx())
    assert store.catalog.get(doc.doc_id).kind == "style guide"
    rules = style_rules(store, "default", user=None)
    assert {r.describe() for r in rules} == EXPECTED and {r.source for r in rules} == {name}

    leverage = next(r for r in rules if r.value == "leverage")
    update_rule(store, "default", leverage.rule_id, "leverage", "put to work")
    emoji = next(r for r in rules if r.kind == "max_emoji")
    remove_rule(store, "default", emoji.rule_id)
    add_rule(store, "default", "avoid", "world-class", "")
    ingest_bytes(store, name, (data or brand_guide_docx()) + (b"\n" if data else b""))  # the guide read again
    described = {r.describe() for r in style_rules(store, "default", user=None)}
    assert "Avoid “leverage”: use “put to work”" in described  # the person's edit wins
    assert "At most 2 emoji" not in described  # and their removal
    assert "Avoid “world-class”" in described

    set_kind(store, doc.doc_id, "other")  # not a guide any more: its rules go, a person's own stay
    assert {r.describe() for r in style_rules(store, "default", user=None)} == {"Avoid “world-class”"}
    set_kind(store, doc.doc_id, "style guide")
    delete_document(store, doc.doc_id)
    assert {r.describe() for r in style_rules(store, "default", user=None)} == {"Avoid “world-class”"}


def test_only_an_assistants_managers_change_its_rules(store):
    owned = create_assistant(store.catalog, "Alice's posts", user=User("alice"))
    add_rule(store, owned.id, "max_hashtags", "3", user=User("alice"))
    with pytest.raises(NotFound):  # not shared with Bob: to him it doesn't exist
        add_rule(store, owned.id, "avoid", "synergy", user=User("bob"))
    share(store.catalog, owned.id, ["bob"], User("alice"))
    with pytest.raises(AccessDenied):
        add_rule(store, owned.id, "avoid", "synergy", user=User("bob"))
    rule = style_rules(store, owned.id, user=None)[0]
    with pytest.raises(GroundedError):
        remove_rule(store, owned.id, rule.rule_id, user=User("bob"))
    with pytest.raises(GroundedError, match="whole number"):
        update_rule(store, owned.id, rule.rule_id, "lots", user=User("alice"))
    with pytest.raises(GroundedError, match="one word after the #"):
        add_rule(store, owned.id, "required_hashtag", "two words", user=User("alice"))


# ---------------------------------------------------------------------------------------------------------------------
# The style guide read in full (issue 23): prose, lists and tables; limits as ranges; casing; facts protected.

PROSE_GUIDE = ("We keep every LinkedIn post under 120 words. Use one to three emoji per post, but never in the first "
               "line. Hashtags: no more than three, and every post ends with #BrandTag.\n\n"
               "Write our name as BrandName, never Brandname.")
LIST_GUIDE = """## Social posts
- Emoji: 1-3 per post
- At most 3 hashtags per LinkedIn post.
- Keep posts between 70 and 90 words.
- Every post ends with #BrandTag.

## Emoji
- Never in the first line.
"""
TABLE_GUIDE = """| Topic | Rule |
| --- | --- |
| Emoji | 1-3 per post |
| Hashtags | no more than three |
| Length | keep posts under 120 words |

| Correct | Incorrect |
| --- | --- |
| BrandName | Brandname |
"""


def _by_rule(text: str) -> dict[str, str]:
    return {r.describe(): r.source_sentence for r in rules_from_text(text, "guide")}


def test_prose_guide_limits_ranges_placement_and_casing_with_their_sentences():
    rules = _by_rule(PROSE_GUIDE)
    emoji = "Use one to three emoji per post, but never in the first line."
    assert rules == {
        "Posts of at most 119 words": "We keep every LinkedIn post under 120 words.",
        "At least 1 emoji": emoji, "At most 3 emoji": emoji, "No emoji in the first line": emoji,
        "At most 3 hashtags": "Hashtags: no more than three, and every post ends with #BrandTag.",
        "Always end with #BrandTag": "Hashtags: no more than three, and every post ends with #BrandTag.",
        "Avoid “Brandname”: use “BrandName”": "Write our name as BrandName, never Brandname.",
    }


def test_list_guide_with_headings():
    rules = _by_rule(LIST_GUIDE)
    assert rules == {
        "At least 1 emoji": "Emoji: 1-3 per post", "At most 3 emoji": "Emoji: 1-3 per post",
        "At most 3 hashtags": "At most 3 hashtags per LinkedIn post.",
        "Posts of at least 70 words": "Keep posts between 70 and 90 words.",
        "Posts of at most 90 words": "Keep posts between 70 and 90 words.",
        "Always end with #BrandTag": "Every post ends with #BrandTag.",
        "No emoji in the first line": "Never in the first line.",  # under the heading "Emoji"
    }


def test_table_guide_rows_are_rules_with_the_row_as_their_source():
    rules = _by_rule(TABLE_GUIDE)
    assert rules == {
        "At least 1 emoji": "Topic: Emoji · Rule: 1-3 per post", "At most 3 emoji": "Topic: Emoji · Rule: 1-3 per post",
        "At most 3 hashtags": "Topic: Hashtags · Rule: no more than three",
        "Posts of at most 119 words": "Topic: Length · Rule: keep posts under 120 words",
        "Avoid “Brandname”: use “BrandName”": "Correct: BrandName · Incorrect: Brandname",
    }


@pytest.mark.parametrize("sentence,expected", [
    ("No more than three hashtags.", {"At most 3 hashtags"}),
    ("Hashtags: none.", {"No hashtags"}),
    ("Use 2 to 4 hashtags.", {"At least 2 hashtags", "At most 4 hashtags"}),
    ("Two emoji or fewer in a post.", {"At most 2 emoji"}),
    ("Keep your words simple.", set()),  # words, but no limit and not about posts
    ("Our 2019-2021 campaigns ran on radio.", set()),  # a range that bounds nothing
])
def test_limits_written_in_other_ways(sentence, expected):
    assert {r.describe() for r in rules_from_text(sentence)} == expected


def test_avoid_rules_match_whole_words_in_the_exact_casing():
    rules = rules_from_text(PROSE_GUIDE)
    text = "BrandName helps. Brandname helps too. brandname and BrandNames are other words.\n\n#BrandTag"
    fixed = enforce(text, [r for r in rules if r.kind == "avoid"])
    assert fixed.startswith("BrandName helps. BrandName helps too. brandname and BrandNames")
    lower = [StyleRule("avoid", "leverage", "use")]
    assert enforce("Leverage data. We leverage it. LEVERAGE! leveraged.", lower) == "Use data. We use it. USE! leveraged."


def test_a_rule_that_would_change_a_cited_fact_is_not_applied_and_the_check_says_so():
    remove = [StyleRule("avoid", "Brandname", "", "guide.md", source_sentence="Never write Brandname.")]
    fact = "1,240 carriers onboarded through Brandname in the first year. [1]"
    text = f"{fact}\nWe like Brandname.\n\n#BrandTag"
    found = check_rules(text, remove, keep={"Brandname"})
    kept = next(v for v in found if not v.fixable)
    assert "part of a fact quoted from your sources" in kept.message and "not applied" in kept.message
    assert kept.guide_says == "Never write Brandname." and kept.as_dict()["guide_says"] == "Never write Brandname."
    fixed = enforce(text, remove, keep={"Brandname"})
    assert fact in fixed and "We like." in fixed  # the fact keeps its word; the team's own line loses it
    assert [v.fixable for v in check_rules(fixed, remove, keep={"Brandname"})] == [False]  # and the check still says so
    # a figure's word is the fact's too: "users" -> "customers" would change what was counted
    swap = [StyleRule("avoid", "users", "customers")]
    cited = "Active users rose from 2,000 to 5,000 users. [2]"
    assert enforce(cited, swap) == cited
    assert enforce("Our users love it.", swap) == "Our customers love it."


def test_new_limits_are_checked_and_the_first_line_fix_moves_the_emoji():
    rules = rules_from_text(PROSE_GUIDE)
    post = "⏰ BrandName cut no-shows. [1]\nReminders go out by text. [1]\n\n#BrandTag"
    kinds = {v.rule.kind for v in check_rules(post, rules)}
    assert kinds == {"no_emoji_first_line"}
    fixed = enforce(post, rules)
    assert fixed.splitlines()[0] == "BrandName cut no-shows. [1]" and "Reminders go out by text. ⏰ [1]" in fixed
    long = " ".join(["word"] * 130) + "\n\n#BrandTag ✅"
    (too_long,) = [v for v in check_rules(long, rules) if v.rule.kind == "max_words"]
    assert not too_long.fixable and "130 words" in too_long.message
    none = check_rules("No emoji here.\n\n#BrandTag", rules)
    assert [v.rule.kind for v in none] == ["min_emoji"]


def test_guide_sentences_are_stored_with_the_rules(store):
    ingest_bytes(store, "brand-style-guide.md", BRAND_GUIDE_MD)
    rules = {r.describe(): r.source_sentence for r in style_rules(store, "default", user=None)}
    assert rules["At most 2 emoji"] == "No more than two emoji per post."
    assert rules["Avoid “leverage”: use “use”"] == "Avoid: leverage · Use instead: use"
    assert rules["Always end with #AcmeCo"] == "Always end with #AcmeCo."
