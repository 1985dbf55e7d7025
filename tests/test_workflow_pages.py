"""The Write and Health pages, run with Streamlit's AppTest on the page files themselves.

(Until they are registered in app.py's navigation, ``AppTest.from_file("app.py").switch_page``
can't reach them; running the page file directly exercises the same code.)
"""

from __future__ import annotations

import os
import re

import pytest
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from streamlit.testing.v1 import AppTest

from rag.index import close_all_indexes
from rag.ingest.pipeline import ingest_bytes, ingest_paths
from rag.ingest.recovery import open_store
from rag.settings import Settings
from tests.marketing_fixtures import (
    ACME_CASE_STUDY,
    NORTHWIND,
    PRICING_FAQ_MD,
    PRICING_FAQ_TXT,
    brand_guide_docx,
    ingest_acme,
    shares_csv,
)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Scripted(BaseChatModel):
    prompts: list = []

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def _generate(self, messages, stop=None, run_manager=None, **kwargs) -> ChatResult:
        self.prompts.append(messages)
        user = messages[-1].content
        n = next(m.group(1) for m in re.finditer(r'<source id="(\d+)"[^\n]*>\n(.*?)\n</source>', user, re.S) if "41 days" in m.group(2))
        text = (f"Northwind cut onboarding from 41 days to 12 days. [{n}]\nSupport tickets fell by 35% within two quarters. "
                f"🚀 [{n}]\n\nWhat would you do with the extra time?\n\n"
                "#onboarding #saas #customersuccess")  # a post in the team's voice (lines, emoji place, length)
        return ChatResult(generations=[ChatGeneration(message=AIMessage(text))])


@pytest.fixture
def data(tmp_path, monkeypatch):
    monkeypatch.setenv("GROUNDED_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GROUNDED_MODEL", "extractive")
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    store = open_store(Settings.load(tmp_path / "data", secrets_path=tmp_path / "none.toml"))
    yield store
    import streamlit as st

    st.cache_resource.clear()
    store.catalog.close()
    close_all_indexes()


def page(name: str) -> AppTest:
    return AppTest.from_file(os.path.join(ROOT, "app_pages", name), default_timeout=120)


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def _with_posts_and_case_study(store, tmp_path) -> None:
    (tmp_path / "Shares.csv").write_bytes(shares_csv())
    ingest_paths(store, [tmp_path / "Shares.csv"])
    ingest_bytes(store, "northwind-case-study.md", NORTHWIND)


def test_write_page_without_posts_explains_the_linkedin_export(data):
    at = page("write.py").run()
    _ok(at)
    assert at.title[0].value == "Write"
    assert any("Shares.csv" in i.value for i in at.info)


def test_write_page_describes_the_voice_and_composes_without_a_model(data, tmp_path):
    _with_posts_and_case_study(data, tmp_path)
    at = page("write.py").run()
    _ok(at)
    text = " ".join(m.value for m in at.markdown)
    assert "From 6 past posts" in text and "short punchy lines" in text and "3 hashtags at the end" in text
    assert at.radio[0].value == "linkedin-post"
    at.text_input(key="topic-default-linkedin-post").set_value("how we cut onboarding time").run()
    at.button(key="write").click().run()
    _ok(at)
    assert any("Put together from your documents" in c.value for c in at.caption)
    # three angles; version 1 is the one that reads most like the team's posts, whichever angle that is
    assert [t.label.split(": ", 1)[0] for t in at.tabs] == ["Version 1", "Version 2", "Version 3"]
    assert {t.label.split(": ", 1)[1] for t in at.tabs} == {"The result first", "The problem first", "The customer's words"}
    text = " ".join(m.value for m in at.markdown)
    assert text.count("Northwind cut onboarding from 41 days to 12 days") >= 3
    assert "cancel" not in text  # every check of every version passed
    labels = [e.label.replace("\\", "") for e in at.expander]  # labels are Markdown-escaped
    assert any(label.startswith("[1] Northwind case study") for label in labels)  # by its title
    assert not any(label.startswith("[") and "Shares.csv" in label for label in labels)  # posts are never sources
    assert not [b for b in at.button if b.key in ("shorten", "change-tone")]  # those need a model


def test_write_page_drafts_a_post_with_checks_and_can_shorten_it(data, tmp_path, monkeypatch):
    _with_posts_and_case_study(data, tmp_path)
    model = Scripted(prompts=[])
    monkeypatch.setattr("rag.answer.models.make_chat_model", lambda settings, choice: model)
    monkeypatch.setenv("GROUNDED_MODEL", "compatible")
    at = page("write.py").run()
    at.text_input(key="topic-default-linkedin-post").set_value("how we cut onboarding time").run()
    at.button(key="write").click().run()
    _ok(at)
    text = " ".join(m.value for m in at.markdown)
    assert "Northwind cut onboarding from 41 days to 12 days" in text
    assert "Every factual sentence cited" in text and "Voice match" in text and "Length" in text
    assert "cancel" not in text  # every check passed
    assert any(e.label.replace("\\", "").startswith("[1] Northwind case study") for e in at.expander)
    assert "[1]" not in at.code[0].value  # the copy-ready text has no source numbers
    at.button(key="shorten").click().run()
    _ok(at)
    assert "<draft>" in model.prompts[-1][-1].content and "half as long" in model.prompts[-1][-1].content


def test_write_page_guidance_is_editable(data, tmp_path):
    _with_posts_and_case_study(data, tmp_path)
    at = page("write.py").run()
    at.text_area[0].set_value("Write like our CEO: warm, direct, no jargon.").run()
    at.button(key="save-guidance").click().run()
    _ok(at)
    at = page("write.py").run()
    assert at.text_area[0].value == "Write like our CEO: warm, direct, no jargon."
    assert any("(edited by you)" in e.label for e in at.expander)
    at.button(key="reset-guidance").click().run()
    _ok(at)
    assert at.text_area[0].value.startswith("- Length: about")


def test_style_guide_rules_show_can_be_edited_and_a_banned_word_is_fixed_in_one_click(data, tmp_path, connected_model,
                                                                                         monkeypatch):
    monkeypatch.setenv("GROUNDED_MODEL", "compatible")  # read once, when the page first opens the store
    at = page("write.py").run()
    assert any("No style rules yet" in i.value for i in at.info)
    ingest_bytes(data, "brand-style-guide.docx", brand_guide_docx())
    ingest_bytes(data, "acme-case-study.md", ACME_CASE_STUDY)
    at = page("write.py").run()
    _ok(at)
    rules = [m.value for m in at.markdown if m.value.startswith("- ")]
    assert len(rules) == 9 and any("leverage" in r and "brand\\-style\\-guide\\.docx" in r for r in rules)

    # edit a rule from the guide, and add one by hand
    pick = at.selectbox(key="rule-pick")
    pick.select_index(next(i for i, label in enumerate(pick.options) if "leverage" in label)).run()
    use = next(t for t in at.text_input if t.key.startswith("rule-use-"))
    use.set_value("put to work").run()
    at.button(key="rule-save").click().run()
    _ok(at)
    at.selectbox(key="rule-new-kind").set_value("avoid").run()
    at.text_input(key="rule-new-value").set_value("world-class").run()
    at.button(key="rule-add").click().run()
    _ok(at)
    rules = " ".join(m.value for m in at.markdown if m.value.startswith("- "))
    assert "put to work" in rules and "world\\-class" in rules and "added by you" in rules

    # a draft (here written by a model) using a banned word: flagged, and fixed in one click
    connected_model("We leverage one checklist. [1]\nAcme & Co cut carrier onboarding from 41 days to 12 days. [1]")
    at.text_input(key="topic-default-linkedin-post").set_value("carrier onboarding").run()
    at.button(key="write").click().run()
    _ok(at)
    fixes = {re.sub(r"\\(.)", r"\1", b.label): b for b in at.button if b.key and b.key.startswith("fix-")}  # unescaped
    assert set(fixes) == {"Replace with “put to work”", "Add #AcmeCo at the end"}  # the model forgot the brand hashtag
    assert any("is on your avoid list" in m.value for m in at.markdown)
    fixes["Replace with “put to work”"].click().run()
    _ok(at)
    text = " ".join(m.value for m in at.markdown)
    assert "We put to work one checklist" in text and "is on your avoid list" not in text
    next(b for b in at.button if b.label == "Add \\#AcmeCo at the end").click().run()
    _ok(at)
    assert at.code[0].value.endswith("#AcmeCo")  # the copy-ready text
    assert not [b for b in at.button if b.key and b.key.startswith("fix-")]  # nothing left to fix


def test_write_page_plans_a_series_of_posts(data, tmp_path):
    ingest_acme(data, tmp_path / "docs")
    at = page("write.py").run()
    at.text_input(key="topic-default-linkedin-post").set_value("customer results").run()
    at.multiselect(key="sources-default-linkedin-post").select("acme-case-study.md").select("globex-customer-story.md").run()
    at.button(key="plan-series").click().run()
    _ok(at)
    text = " ".join(m.value for m in at.markdown).replace("\\", "")  # unescaped
    assert "Tuesdays at 08:05 UTC" in text  # the minute most of its Tuesday posts went out
    assert [m for m in text.split("**") if m.startswith("Post ")][-1].startswith("Post 4 of 4")
    assert sum("All checks pass." in c.value for c in at.caption) == 4


def test_health_page_finds_a_near_duplicate_and_deletes_the_older_copy(data):
    ingest_bytes(data, "pricing-faq.md", PRICING_FAQ_MD)
    ingest_bytes(data, "pricing-faq-export.txt", PRICING_FAQ_TXT)
    at = page("health.py").run()
    _ok(at)
    assert any(s.value.startswith("Near-duplicate documents (1)") for s in at.subheader)
    delete = next(b for b in at.button if b.label.startswith("Delete the older copy"))
    delete.click().run()
    _ok(at)
    assert len(data.catalog.documents("default")) == 1
    assert not any(s.value.startswith("Near-duplicate") for s in at.subheader)


def test_health_page_sets_a_kind(data):
    result = ingest_bytes(data, "team-offsite.md", b"# Offsite\n\nLunch is at noon on the terrace. Bring a warm jacket.\n")
    at = page("health.py").run()
    _ok(at)
    assert any(s.value.startswith("Documents without a kind (1)") for s in at.subheader)
    at.selectbox[0].set_value("blog").run()
    next(b for b in at.button if b.label == "Set kind").click().run()
    _ok(at)
    assert data.catalog.get(result.doc_id).kind == "blog"
    assert any(s.value for s in at.success)  # nothing left to fix


def test_health_page_with_no_documents(data):
    at = page("health.py").run()
    _ok(at)
    assert any("No documents yet" in i.value for i in at.info)


@pytest.mark.slow  # every reader reads its sample
def test_health_page_setup_panel_lists_each_reader_and_says_what_is_broken(data, monkeypatch):
    """A reader whose module is missing (the parser registry's HTML entry raising ImportError, as it does without
    lxml_html_clean) is named with the fix, above everything else; the rest is listed as working."""
    import rag.answer.setup as setup
    import rag.parse as parse
    from tests.markdown_check import shown_text

    monkeypatch.setattr(setup, "_cache", None)
    at = page("health.py").run()
    _ok(at)
    (panel,) = [e for e in at.expander if e.label.startswith("Setup")]
    listed = " ".join(shown_text(m.value) for m in panel.markdown)
    assert all(name in listed for name in ("HTML pages", "PDFs", "Word documents", "PowerPoint files",
                                           "Excel workbooks", "E-mails", "Search (embedding model)"))
    assert not at.error

    def without_module(path, name):
        raise ImportError("lxml.html.clean module is now a separate project lxml_html_clean.")

    monkeypatch.setitem(parse.PARSERS, ".html", without_module)
    at.button(key="setup-check-again").click().run()
    _ok(at)
    (error,) = at.error
    assert "HTML pages can't be read: the module lxml_html_clean is missing; run make install again." in shown_text(
        error.value)


def test_a_style_rule_replacement_with_an_image_shows_as_text_on_the_replace_button(data, tmp_path, connected_model,
                                                                                    monkeypatch):
    """A style guide's "use instead" that is Markdown (a reference-style image on loopback) is text everywhere."""
    from rag.marketing.style_rules import add_rule
    from tests.markdown_check import live_parts

    monkeypatch.setenv("GROUNDED_MODEL", "compatible")
    ingest_bytes(data, "acme-case-study.md", ACME_CASE_STUDY)
    payload = "![x][p]\n\n[p]: //127.0.0.1:9/beacon.png"
    add_rule(data, "default", "avoid", "leverage", payload)
    add_rule(data, "default", "avoid", "synergy", "![y](//127.0.0.1:9/inline.png) [z](<//127.0.0.1:9/z> 't')")
    at = page("write.py").run()
    _ok(at)
    connected_model("We leverage synergy with one checklist. [1]\nAcme & Co cut carrier onboarding from 41 days to 12 days. [1]")
    at.text_input(key="topic-default-linkedin-post").set_value("carrier onboarding").run()
    at.button(key="write").click().run()
    _ok(at)
    fixes = [b for b in at.button if b.key and b.key.startswith("fix-")]
    labels = [re.sub(r"\\(.)", r"\1", b.label) for b in fixes]
    assert any(label.startswith("Replace with “![x][p]") and "//127.0.0.1:9/beacon.png" in label for label in labels), labels
    assert any("![y]" in label for label in labels), labels
    shown = [m.value for m in (*at.markdown, *at.caption, *at.warning, *at.info)]
    shown += [e.label for e in (*at.button, *at.expander, *at.tabs, *at.selectbox)]
    live = {value: live_parts(value) for value in shown if live_parts(value)}
    assert not live, live
    assert any("beacon.png" in m.value for m in at.markdown)  # the rule list shows the replacement, as text
    # the one-click fix still puts the replacement in, as written
    next(b for b in fixes if "beacon" in b.label).click().run()
    _ok(at)
    assert "We ![x][p]" in at.code[0].value or "![x][p]" in " ".join(c.value for c in at.code)
