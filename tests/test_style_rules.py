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
