"""Recipes: retrieval plans (style examples never cited), prompts, output checks, every answer model.

A scripted LangChain chat model stands in for the writer: it reads the
numbered sources in its prompt and cites the one that holds a phrase, so the
tests pin the exact behaviour. One test drives the real built-in model.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from rag.answer.models import local_model_path
from rag.errors import GroundedError
from rag.index import close_all_indexes
from rag.ingest.kinds import STYLE_KINDS
from rag.ingest.pipeline import ingest_bytes, ingest_paths
from rag.ingest.recovery import open_store
from rag.marketing.recipes import (
    RECIPES,
    DraftOptions,
    campaign_parts,
    disagreements,
    draft,
    get_recipe,
    plan_retrieval,
    revise,
)
from rag.settings import Settings
from rag.types import Hit
from tests.conftest import run_cli
from tests.marketing_fixtures import (
    FABRIKAM,
    LAUNCH_2023,
    LAUNCH_2024,
    NORTHWIND,
    help_zip,
    shares_csv,
)


class Scripted(BaseChatModel):
    """A chat model whose reply is computed from its prompt; it records every prompt."""

    reply: Any
    prompts: list = []

    @property
    def _llm_type(self) -> str:
        return "scripted"

    def _generate(self, messages, stop=None, run_manager=None, **kwargs) -> ChatResult:
        self.prompts.append(messages)
        text = self.reply(messages[0].content, messages[-1].content)
        return ChatResult(generations=[ChatGeneration(message=AIMessage(text))])


def use_writer(monkeypatch, reply) -> Scripted:
    model = Scripted(reply=reply, prompts=[])
    monkeypatch.setattr("rag.answer.models.make_chat_model", lambda settings, choice: model)
    return model


def source_with(user: str, phrase: str) -> int:
    """The number of the source in the prompt whose text contains ``phrase``."""
    for m in re.finditer(r'<source id="(\d+)"[^\n]*>\n(.*?)\n</source>', user, re.S):
        if phrase in m.group(2):
            return int(m.group(1))
    raise AssertionError(f"no source holds {phrase!r}")


def written_by_model(result):
    """The model's version: first when it passed its checks, else offered after the composed one."""
    return result if result.model != "composed" else next(a for a in result.alternatives if a.model != "composed")


def sources_part(user: str) -> str:
    """The numbered sources of a prompt (the fact sheet and the composed post to rewrite come after them)."""
    return user.split("Sources:", 1)[1].split("Fact sheet (", 1)[0]


@pytest.fixture(scope="module")
def kb(tmp_path_factory):
    """One assistant with past posts, two case studies, two launch notes and a help-center export."""
    root = tmp_path_factory.mktemp("kb")
    docs = root / "docs"
    docs.mkdir()
    (docs / "Shares.csv").write_bytes(shares_csv())
    (docs / "northwind-case-study.md").write_bytes(NORTHWIND)
    (docs / "fabrikam-customer-story.md").write_bytes(FABRIKAM)
    (docs / "launch-analytics.md").write_bytes(LAUNCH_2023)
    (docs / "launch-live-dashboards.md").write_bytes(LAUNCH_2024)
    (docs / "help.zip").write_bytes(help_zip())
    settings = Settings.load(root / "data", secrets_path=root / "none.toml").with_(answer_model=None)
    store = open_store(settings)
    report = ingest_paths(store, [docs])
    assert report.count("failed") == 0, report.as_dict()
    kinds = {r.file: r.kind for r in store.catalog.documents("default")}
    assert kinds["launch-analytics.md"] == kinds["launch-live-dashboards.md"] == "product launch"
    assert kinds["northwind-case-study.md"] == kinds["fabrikam-customer-story.md"] == "case study"
    yield store
    store.catalog.close()
    close_all_indexes()


def post_files(store) -> set[str]:
    return {r.file for r in store.catalog.documents("default") if r.kind in STYLE_KINDS}


def test_plan_takes_style_from_posts_and_facts_from_everything_else(kb):
    plan = plan_retrieval(kb, get_recipe("linkedin-post"), "how we cut onboarding time", "default", user=None)
    assert plan.examples and {e.file for e in plan.examples} <= post_files(kb)
    assert plan.examples[0].file.startswith("Shares.csv/2024-01-15 Onboarding")  # the most similar past post first
    assert plan.examples[0].text.startswith("Onboarding used to take us 6 weeks.")  # the post as written, no header
    assert plan.facts and not {h.file for h in plan.facts} & post_files(kb)
    assert any(h.file == "northwind-case-study.md" for h in plan.facts)


def test_linkedin_post_in_my_style_cites_only_facts(kb, monkeypatch):
    def reply(system, user):
        n = source_with(user, "41 days to 12 days")
        return (f"Northwind cut onboarding from 41 days to 12 days. 🚀 [{n}]\nSupport tickets fell by 35%. [{n}]\n\n"
                "What would you do with the extra time?\n\n#onboarding #saas #customersuccess")

    writer = use_writer(monkeypatch, reply)
    result = draft(kb, "linkedin-post", "how we cut onboarding time", options=DraftOptions(model="compatible"), user=None)
    system, user = writer.prompts[0][0].content, writer.prompts[0][-1].content
    # the voice goes in as guidance and examples; the examples are never numbered sources
    assert "End with 3 hashtags" in system and "never cite them" in system
    assert "<example>\nOnboarding used to take us 6 weeks." in user
    assert "Onboarding used to take us" not in sources_part(user) and "#saas" not in sources_part(user)
    assert {c.file for c in result.citations} == {"northwind-case-study.md"}
    assert all(c.file not in post_files(kb) for c in result.citations)
    assert result.examples and all(e.file in post_files(kb) for e in result.examples)
    checks = {c.name: c for c in result.checks}
    assert set(checks) == {"length", "cited", "voice"}
    assert all(c.passed for c in result.checks), [c.as_dict() for c in result.checks]
    assert result.passed and result.grounded_fraction == 1.0
    assert "[" not in result.publishable and result.publishable.startswith("Northwind cut onboarding")
    assert result.voice.summary().startswith("short punchy lines")


def test_a_fact_taken_from_a_past_post_fails_the_citation_check(kb, monkeypatch):
    def reply(system, user):
        n = source_with(user, "41 days to 12 days")
        return (f"Onboarding used to take us 6 weeks. [{n}]\nNorthwind cut onboarding from 41 days to 12 days. [{n}]\n\n"
                "Ready?\n\n#onboarding #saas #customersuccess")

    use_writer(monkeypatch, reply)
    result = written_by_model(draft(kb, "linkedin-post", "onboarding time", options=DraftOptions(model="compatible"), user=None))
    cited = next(c for c in result.checks if c.name == "cited")
    assert not cited.passed and "1 of 2" in cited.detail
    leaked = next(s for s in result.sentences if s.text.startswith("Onboarding used to take us 6 weeks"))
    assert leaked.support == "unsupported"
    assert any("past post" in r and "style example" in r for r in leaked.reasons)


def test_too_long_and_off_voice_posts_fail_their_checks(kb, monkeypatch):
    def reply(system, user):
        n = source_with(user, "41 days to 12 days")
        sentence = f"Northwind cut onboarding from 41 days to 12 days after adopting the product across the team [{n}]. "
        return sentence * 40

    use_writer(monkeypatch, reply)
    first = draft(kb, "linkedin-post", "onboarding time", options=DraftOptions(model="compatible"), user=None)
    assert first.model == "composed" and first.passed  # after one repair round, still too long: composed comes first
    result = written_by_model(first)
    checks = {c.name: c for c in result.checks}
    assert not checks["length"].passed and "of at most 3,000 characters" in checks["length"].detail
    assert not checks["voice"].passed and "hashtag" in checks["voice"].detail
    assert checks["cited"].passed
    assert not result.passed


def test_without_a_model_the_post_is_composed_from_the_sources_in_three_versions(kb, monkeypatch):
    use_writer(monkeypatch, lambda s, u: pytest.fail("no model may be called with extractive"))
    result = draft(kb, "linkedin-post", "how we cut onboarding time", options=DraftOptions(model="extractive"), user=None)
    versions = [result] + result.alternatives
    assert result.model == "composed" and len(versions) == 3
    assert result.notices[0].code == "composed" and "no writing model is connected" in result.notices[0].text
    assert len({v.angle for v in versions}) == 3
    # the team's posts run about 20 words: the customer's words are in the version that opens with them, with the
    # speaker's name and title (whole, or as name and title when the company would run the post long)
    assert any("Maria Lopez, Head of Support" in v.text and "“" in v.text for v in versions)
    for v in versions:
        assert "Northwind cut onboarding from 41 days to 12 days." in v.text
        assert {c.file for c in v.citations} == {"northwind-case-study.md"}
        assert v.passed, (v.text, [c.as_dict() for c in v.checks])
        assert all(s.citations for s in v.sentences if s.reasons != ["no factual claim"])
    assert result.examples and all(e.file in post_files(kb) for e in result.examples)
    data = result.as_dict()
    assert data["model"] == "composed" and len(data["variants"]) == 2 and data["facts"][0]["n"] == 1


def test_sales_answer_works_with_quotes_and_cites_customers(kb):
    result = draft(kb, "sales-answer", "How much faster was onboarding for Northwind?", options=DraftOptions(model="extractive"), user=None)
    assert result.model == "composed"
    assert "41 days to 12 days" in result.text and "says Maria Lopez, Head of Support" in result.text
    assert result.text.endswith("northwind-case-study.md · Northwind case study > Results")  # the source, last
    assert {c.file for c in result.citations} <= {"northwind-case-study.md", "fabrikam-customer-story.md"}
    checks = {c.name: c for c in result.checks}
    assert checks["figures"].passed and checks["cited"].passed, [c.as_dict() for c in result.checks]


def test_sales_answer_about_an_unknown_customer_is_refused(kb, monkeypatch):
    use_writer(monkeypatch, lambda s, u: pytest.fail("no model call for a refusal"))
    result = draft(kb, "sales-answer", "What results did Contoso get?", options=DraftOptions(model="compatible"), user=None)
    assert result.refused and any("Contoso" in n.text for n in result.notices)


def test_invented_customer_figures_fail_the_sales_check(kb, monkeypatch):
    def reply(system, user):
        n = source_with(user, "8% to 14%")
        return f"Fabrikam raised conversion from 8% to 14% [{n}]. Fabrikam also cut churn by 60% [{n}]."

    use_writer(monkeypatch, reply)
    result = written_by_model(draft(kb, "sales-answer", "Which customer improved conversion?",
                                    options=DraftOptions(model="compatible"), user=None))
    figures = next(c for c in result.checks if c.name == "figures")
    assert not figures.passed and "60%" in figures.detail


def test_campaign_uses_only_the_newest_launch_and_warns_about_the_older(kb, monkeypatch):
    def reply(system, user):
        n = source_with(user, "under one second")
        return (f"Headline: Live dashboards are here\nBody: Every chart loads in under one second [{n}]. "
                f"The Team plan costs $49 per month [{n}].\nCTA: Start your 14-day free trial [{n}].")

    writer = use_writer(monkeypatch, reply)
    result = draft(kb, "campaign", "", options=DraftOptions(model="compatible"), user=None)
    user = writer.prompts[0][-1].content
    assert "$39" not in sources_part(user)  # facts only from the newest launch document
    assert {h.file for h in result.facts} == {"launch-live-dashboards.md"}
    assert result.warnings and "launch-analytics.md" in result.warnings[0] and "$39" in result.warnings[0]
    assert result.parts["headline"] == "Live dashboards are here" and "under one second" in result.parts["body"]
    assert result.parts["cta"].startswith("Start your 14-day free trial")
    checks = {c.name: c for c in result.checks}
    assert checks["structure"].passed and checks["cited"].passed
    assert not checks["agreement"].passed and "$39" in checks["agreement"].detail


def test_help_article_has_steps_and_links_to_its_source_pages(kb, monkeypatch):
    def reply(system, user):
        n = source_with(user, "Forgot password")
        return (f"Reset your password\nThis article helps you get back into your account.\n"
                f"1. Click Forgot password on the sign-in page [{n}].\n2. Enter the email address of your account [{n}].\n"
                f"3. Open the reset link we email you within 15 minutes [{n}].\n\nSources:\n[{n}] made-up.html")

    use_writer(monkeypatch, reply)
    result = draft(kb, "help-article", "How do I reset my password?", options=DraftOptions(model="compatible"), user=None)
    assert {h.kind for h in result.facts} == {"help center"}
    assert "made-up.html" not in result.text  # the model's own source list is replaced by Grounded's
    assert result.text.endswith("help.zip/help/reset-password.html · Reset your password")
    assert "Source pages:" in result.text and "[1] help.zip/help/reset-password.html" in result.text
    checks = {c.name: c for c in result.checks}
    assert checks["steps"].passed and "3 numbered steps" in checks["steps"].detail
    assert checks["sources"].passed and checks["cited"].passed


def test_shorten_and_change_tone_revise_the_previous_draft(kb, monkeypatch):
    def reply(system, user):
        n = source_with(user, "41 days to 12 days")
        return (f"Northwind cut onboarding from 41 days to 12 days. [{n}]\nSupport tickets fell by 35% within two quarters. "
                f"🚀 [{n}]\n\nWhat slows your onboarding down?\n\n#onboarding #saas #customersuccess")  # in the team's voice

    writer = use_writer(monkeypatch, reply)
    first = draft(kb, "linkedin-post", "onboarding time", options=DraftOptions(model="compatible"), user=None)
    shorter = revise(kb, first, "shorten", options=DraftOptions(model="compatible"), user=None)
    user = writer.prompts[-1][-1].content
    assert f"<draft>\n{first.text}\n</draft>" in user and "half as long" in user
    assert shorter.text and shorter.recipe == "linkedin-post" and shorter.topic == "onboarding time"
    revise(kb, first, "friendlier", options=DraftOptions(model="compatible"), user=None)
    assert "in a friendlier tone" in writer.prompts[-1][-1].content
    revise(kb, first, "regenerate", options=DraftOptions(model="compatible"), user=None)
    assert "<draft>" not in writer.prompts[-1][-1].content


def test_a_failing_writer_gives_a_composed_draft_and_says_why(kb, monkeypatch):
    def reply(system, user):
        raise ConnectionError("connection refused")

    use_writer(monkeypatch, reply)
    result = draft(kb, "linkedin-post", "onboarding time", options=DraftOptions(model="compatible"), user=None)
    assert result.model == "composed" and "41 days to 12 days" in result.text
    failed = next(n for n in result.notices if n.code == "model_failed")
    assert "could not be reached" in failed.text and "put together from your documents" in failed.text


def test_no_posts_yet_is_said_plainly(kb, monkeypatch):
    ingest_bytes(kb, "northwind-case-study.md", NORTHWIND, workspace="no-posts")
    use_writer(monkeypatch, lambda s, u: f"Northwind cut onboarding from 41 days to 12 days [{source_with(u, '41 days')}].")
    result = draft(kb, "linkedin-post", "onboarding", workspace="no-posts", options=DraftOptions(model="compatible"), user=None)
    assert not result.examples and result.voice is None
    assert any("no past posts" in n.text for n in result.notices)
    assert {c.name for c in result.checks} == {"length", "cited"}  # no voice to match


def test_nothing_relevant_means_nothing_written(kb, monkeypatch):
    use_writer(monkeypatch, lambda s, u: pytest.fail("no model call without facts"))
    result = draft(kb, "help-article", "What is the boiling point of tungsten?", options=DraftOptions(model="compatible"), user=None)
    assert result.refused and "nothing to write from" in result.notices[-1].text


def test_unknown_recipe_is_a_plain_error(kb):
    from rag.errors import GroundedError

    with pytest.raises(GroundedError, match="no recipe called"):
        draft(kb, "press-release", "x", user=None)
    assert set(RECIPES) == {"linkedin-post", "campaign", "help-article", "sales-answer"}


def test_disagreement_detection_and_campaign_parts():
    new = [Hit("a", "d1", "new.md", "The Team plan costs $49 per month. Charts load in one second.", 1.0)]
    old = [Hit("b", "d2", "old.md", "The Team plan costs $39 per month. We love our customers.", 1.0)]
    (warning,) = disagreements(new, old)
    assert "old.md" in warning and "$39" in warning and "$49" in warning
    assert disagreements(new, [Hit("c", "d3", "same.md", "The Team plan costs $49 per month.", 1.0)]) == []
    assert campaign_parts("**Headline:** Fast\n**Body:** Charts load [1].\nMore text.\n**CTA:** Try it") == {
        "headline": "Fast", "body": "Charts load [1]. More text.", "cta": "Try it"}


@pytest.mark.slow  # the built-in model writes for real
def test_real_local_model_writes_a_checked_draft(kb):
    """The built-in model on a one-document assistant (a short prompt keeps this quick)."""
    pytest.importorskip("xllamacpp")
    try:  # the model file, found without importing its package (an llm plugin whose deps aren't installed)
        local_model_path()
    except GroundedError as err:
        pytest.skip(str(err))
    ingest_bytes(kb, "northwind-case-study.md", NORTHWIND, workspace="local-model")
    result = draft(kb, "sales-answer", "How fast was onboarding at Northwind?", workspace="local-model",
                   options=DraftOptions(model="local", max_tokens=12), user=None)
    assert result.model in ("local", "extractive")  # a model that can't start falls back to quotes, and says so
    assert result.text and {c.name for c in result.checks} == {"length", "cited", "figures"}
    if result.model == "local":
        assert result.notices[0].code == "model_weak"


def test_cli_draft_json_with_extractive(kb, tmp_path, capsys):
    data = tmp_path / "data"
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "Shares.csv").write_bytes(shares_csv())
    (docs / "northwind-case-study.md").write_bytes(NORTHWIND)

    def grounded(*args):
        return run_cli(capsys, *args, "--data-dir", data)

    assert grounded("ingest", str(docs)).returncode == 0
    out = grounded("draft", "--recipe", "linkedin-post", "onboarding time", "--model", "extractive", "--json")
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["model"] == "composed" and "41 days to 12 days" in result["text"] and len(result["variants"]) == 2
    assert result["facts"] and all(not f["file"].startswith("Shares.csv/") for f in result["facts"])
    assert result["examples"] and all(e["file"].startswith("Shares.csv/") for e in result["examples"])
    assert result["voice"].startswith("short punchy lines")
    text = grounded("draft", "-r", "sales-answer", "How fast was onboarding at Northwind?", "--model", "extractive")
    assert text.returncode == 0 and "41 days to 12 days" in text.stdout and "PASS  Every factual sentence cited" in text.stdout
