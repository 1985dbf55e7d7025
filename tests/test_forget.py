"""Provable forgetting: a document deleted, gone from its site, left out of a ZIP uploaded again, or replaced by a
new version leaves no trace, and the forget check proves it (and fails when a passage is left behind on purpose)."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import replace

import pytest

from rag.answer.chain import AskOptions, ask
from rag.ingest import forgetting, sources
from rag.ingest.chunk import embedding_text
from rag.ingest.crawl import CrawlOptions
from rag.ingest.forgetting import figures_in, headline_probes
from rag.ingest.pipeline import ingest_bytes, ingest_upload
from rag.marketing.recipes import get_recipe, plan_retrieval
from rag.marketing.style_rules import style_rules
from rag.marketing.voice import profile_for
from rag.quality.forget import ForgetItem, delete_and_check, forget_check, results, run_pending
from rag.types import Chunk
from rag.workspace.chats import add_message, load_chat, new_chat
from tests.conftest import run_cli

ACME = b"""# Acme case study

## Results
Acme cut onboarding from 41 days to 12 days after adopting Grounded.
Support tickets at Acme fell by 37% within two quarters, saving $180,000 a year.

"We onboard a new customer in an afternoon now," said Dana Whitfield, Head of Support at Acme.
"""
GLOBEX = b"""# Globex case study

Globex doubled trial sign-ups in 12 days with Grounded's help-center answers.
"""
PRICING_V1 = b"# Pricing\n\nThe Team plan costs $49 a month per seat and includes 5 assistants.\n"
PRICING_V2 = b"# Pricing\n\nThe Team plan costs $59 a month per seat and includes 8 assistants.\n"


def _ids(store) -> dict[str, str]:
    return {d.file: d.doc_id for d in store.catalog.documents("default")}


def _ask(store, question: str):
    return ask(store, question, "default", AskOptions(model="extractive"), user=None)


def test_figures_and_headline_questions_come_from_the_text():
    assert figures_in("from 41 days to 12 days, 37 % fewer, $180,000 a year, 4.5 stars, 3 steps") == {
        "41", "12", "37%", "$180000", "4.5"}
    probes = headline_probes("Acme case study", [ACME.decode()])
    assert [p.facts for p in probes[:2]] == [("12", "41"), ("$180000", "37%")]  # most figures first, then earliest
    assert "dana whitfield" in probes[2].question  # then its quote
    assert all(p.question.startswith("What does Acme case study say about") for p in probes)


def test_a_deleted_upload_is_forgotten_and_its_saved_chat_says_source_deleted(store):
    ingest_bytes(store, "acme.md", ACME)
    ingest_bytes(store, "globex.md", GLOBEX)
    acme = _ids(store)["acme.md"]
    answer = _ask(store, "How much did support tickets fall at Acme?")
    assert any(c.doc_id == acme for c in answer.citations)
    chat = new_chat(store.catalog, "default", user=None)
    add_message(store.catalog, chat, "user", "How much did support tickets fall at Acme?")
    add_message(store.catalog, chat, "assistant", answer.answer, answer)

    result = delete_and_check(store, acme, user=None)

    assert result.passed, result.as_dict()
    assert len(result.probes) >= 3 and result.reason == "deleted"
    assert result.summary() == f"Forgotten: {len(result.probes)} questions re-asked, none cites it or states its figures."
    assert "37%" in result.figures_only_in_it and "12" not in result.figures_only_in_it  # Globex states 12 too
    assert store.index.count("default", acme) == 0 and store.catalog.get(acme) is None
    saved = load_chat(store.catalog, chat.chat_id, "default", user=None).messages[-1]
    assert saved.content == answer.answer  # the chat keeps its text
    cited = [c for c in saved.answer.citations if c.doc_id == acme]
    assert cited and all(c.source_deleted and c.quote == "" for c in cited)
    assert not any(h.doc_id == acme for h in saved.answer.hits)
    assert "37%" not in json.dumps([c.as_dict() for c in saved.answer.citations])
    # the stored result is what the page lists
    listed = results(store, "default", user=None)
    assert listed[0].doc_id == acme and listed[0].status == "passed" and listed[0].result.passed


def _stale_chunks(store, doc_id: str) -> list[Chunk]:
    return [Chunk(h.chunk_id, h.doc_id, h.file, h.chunk_index, h.text, kind=h.kind) for h in store.index.chunks_of("default", doc_id)]


def _put_back(store, chunks: list[Chunk], version: str) -> None:
    """A passage left behind, written through the index's own API (what a leaking delete path would leave)."""
    texts = [embedding_text(c) for c in chunks]
    from rag.index.sparse import document_vector

    store.index.upsert("default", chunks, store.embeddings.embed_array(texts), [document_vector(t) for t in texts], version)


def test_the_forget_check_fails_when_a_passage_is_left_behind(store):
    ingest_bytes(store, "acme.md", ACME)
    ingest_bytes(store, "globex.md", GLOBEX)
    acme = _ids(store)["acme.md"]
    version = store.catalog.get(acme).version
    stale = _stale_chunks(store, acme)
    assert delete_and_check(store, acme, user=None).passed

    _put_back(store, stale, version)
    again = forget_check(store, acme, user=None)

    assert not again.passed
    assert any(lo.place == "index" for lo in again.leftovers)
    assert any(p.cites_it for p in again.probes)  # re-asked, an answer quotes the passage left behind
    assert any("37%" in p.stated for p in again.probes)
    assert again.summary().startswith("Not forgotten: ")


def test_the_forget_check_fails_when_a_saved_chat_still_quotes_it(store):
    ingest_bytes(store, "acme.md", ACME)
    acme = _ids(store)["acme.md"]
    answer = _ask(store, "How much did support tickets fall at Acme?")
    assert delete_and_check(store, acme, user=None).passed
    chat = new_chat(store.catalog, "default", user=None)  # saved after the delete, so nothing scrubbed it
    add_message(store.catalog, chat, "assistant", answer.answer, answer)

    again = forget_check(store, acme, user=None)

    assert not again.passed and any(lo.place == "chats" for lo in again.leftovers)


def test_an_answer_check_passed_in_is_re_asked_and_its_facts_judged(store):
    ingest_bytes(store, "acme.md", ACME)
    ingest_bytes(store, "globex.md", GLOBEX)
    acme = _ids(store)["acme.md"]
    item = ForgetItem("Who is Head of Support at Acme?", ("Dana Whitfield",))
    result = delete_and_check(store, acme, [item], user=None)
    assert result.passed and result.probes[0].question == item.question

    _put_back(store, _stale_chunks_from(store, ACME), "stale")
    again = forget_check(store, acme, [item], user=None)
    assert not again.probes[0].passed


def _stale_chunks_from(store, data: bytes) -> list[Chunk]:
    """The document's passages as they were, without it being indexed (a copy under its old id)."""
    ingest_bytes(store, "copy-of-acme.md", data)
    copy = _ids(store)["copy-of-acme.md"]
    chunks = [replace(c, doc_id=_acme_id(store), file="acme.md", chunk_id=c.chunk_id) for c in _stale_chunks(store, copy)]
    from rag.ingest.pipeline import delete_document

    delete_document(store, copy)
    return chunks


def _acme_id(store) -> str:
    from rag.ingest.admission import doc_id_for

    return doc_id_for("default", "acme.md")


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in members.items():
            z.writestr(name, data)
    return buf.getvalue()


def test_a_member_left_out_of_a_zip_uploaded_again_is_forgotten(store):
    ingest_upload(store, "help.zip", _zip({"acme.md": ACME, "globex.md": GLOBEX}))
    ids = _ids(store)
    assert set(ids) == {"help.zip/acme.md", "help.zip/globex.md"}

    ingest_upload(store, "help.zip", _zip({"globex.md": GLOBEX}))

    assert set(_ids(store)) == {"help.zip/globex.md"}
    assert store.index.count("default", ids["help.zip/acme.md"]) == 0
    [done] = run_pending(store, "default", user=None)
    assert done.reason == "member removed" and done.passed, done.as_dict()
    assert run_pending(store, "default", user=None) == []  # run once


def test_a_zip_refused_whole_or_another_upload_removes_nothing(store):
    ingest_upload(store, "help.zip", _zip({"acme.md": ACME, "globex.md": GLOBEX}))
    ingest_upload(store, "help.zip", b"not a zip at all")  # damaged: refused whole
    ingest_upload(store, "other.zip", _zip({"globex.md": GLOBEX}))
    assert {"help.zip/acme.md", "help.zip/globex.md", "other.zip/globex.md"} <= set(_ids(store))


def test_a_folder_read_again_forgets_what_its_zip_no_longer_holds(store, tmp_path):
    from rag.ingest.pipeline import ingest_paths

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "help.zip").write_bytes(_zip({"acme.md": ACME, "globex.md": GLOBEX}))
    ingest_paths(store, [folder])
    (folder / "help.zip").write_bytes(_zip({"globex.md": GLOBEX}))
    ingest_paths(store, [folder])
    assert set(_ids(store)) == {"help.zip/globex.md"}
    [done] = run_pending(store, "default", user=None)
    assert done.passed and done.file == "help.zip/acme.md"


def test_a_zip_member_deleted_by_hand_is_forgotten(store):
    ingest_upload(store, "help.zip", _zip({"acme.md": ACME, "globex.md": GLOBEX}))
    result = delete_and_check(store, _ids(store)["help.zip/acme.md"], user=None)
    assert result.passed and result.probes


@pytest.mark.slow
def test_the_queue_forgets_a_member_left_out_of_a_zip_uploaded_again(store):
    from rag.ingest import queue
    from rag.ingest.indexer import Indexer

    store.catalog.ensure_workspace("default")  # jobs of a missing assistant are never taken
    for members in ({"acme.md": ACME, "globex.md": GLOBEX}, {"globex.md": GLOBEX}):
        queue.enqueue(store, [("help.zip", _zip(members))], "default", store.settings.chunking)
        Indexer(store).run(until_idle=True)
    assert set(_ids(store)) == {"help.zip/globex.md"}
    [done] = run_pending(store, "default", user=None)
    assert done.reason == "member removed" and done.passed


def test_a_new_version_forgets_what_only_the_old_one_said(store):
    ingest_bytes(store, "pricing.md", PRICING_V1)
    pricing = _ids(store)["pricing.md"]
    old = _stale_chunks(store, pricing)
    old_version = store.catalog.get(pricing).version
    before = _ask(store, "How much does the Team plan cost?")
    chat = new_chat(store.catalog, "default", user=None)
    add_message(store.catalog, chat, "assistant", before.answer, before)

    ingest_bytes(store, "pricing.md", PRICING_V2)

    [done] = run_pending(store, "default", user=None)
    assert done.reason == "new version" and done.passed, done.as_dict()
    assert "$49" in done.figures_only_in_it and "$59" not in done.figures_only_in_it
    after = _ask(store, "How much does the Team plan cost?")
    assert "$59" in after.answer and "$49" not in after.answer
    assert all(c.doc_id == pricing for c in after.citations)  # the new version still answers: that is fine
    saved = load_chat(store.catalog, chat.chat_id, "default", user=None).messages[-1].answer
    assert all(c.source_deleted and not c.quote for c in saved.citations)

    _put_back(store, old, old_version)  # the old version's passage left behind
    again = forget_check(store, pricing, user=None)
    assert not again.passed and any(lo.place == "index" for lo in again.leftovers)


def test_re_reading_an_unchanged_file_records_no_forget_check(store):
    ingest_bytes(store, "pricing.md", PRICING_V1)
    ingest_bytes(store, "pricing.md", PRICING_V1, force=True)
    assert forgetting.checks(store.catalog, "default") == []


FAST = CrawlOptions(requests_per_second=10, timeout_s=2.0)


@pytest.mark.slow
def test_a_page_gone_from_a_synced_site_is_forgotten(tmp_path, monkeypatch):
    from rag.bench.site import FixtureSite, Page, article_page, sitemap
    from rag.ingest.recovery import open_store
    from rag.settings import Settings

    for var in ("QDRANT_URL", "OPENAI_API_KEY", "GROUNDED_DATA_DIR", "GROUNDED_EMBEDDING"):
        monkeypatch.delenv(var, raising=False)
    store = open_store(replace(Settings.load(tmp_path / "data", secrets_path=tmp_path / "none.toml"), allow_private_urls=True))
    try:
        with FixtureSite() as site:
            site.pages["/hc/articles/1"] = Page(article_page("Acme results", [ACME.decode().split("\n\n", 2)[1]]))
            site.pages["/hc/articles/2"] = Page(article_page("Globex results", [GLOBEX.decode()]))
            listed = lambda *ns: Page(sitemap([(site.url(f"/hc/articles/{n}"), "2026-01-01") for n in ns]),
                                      "application/xml")
            site.pages["/hc/sitemap.xml"] = listed(1, 2)
            site.pages["/robots.txt"] = Page(f"Sitemap: {site.url('/hc/sitemap.xml')}\n".encode(), "text/plain")
            source = sources.create(store.catalog, "default", site.url("/hc/"), FAST, allow_private=True)
            first = sources.sync(store, source)
            acme = next(p.doc_id for p in first.pages if p.url.endswith("/1"))
            assert store.index.count("default", acme)

            site.pages["/hc/sitemap.xml"] = listed(2)
            del site.pages["/hc/articles/1"]
            second = sources.sync(store, sources.get(store.catalog, source.source_id))

        assert any(p.status == "removed" and p.doc_id == acme for p in second.pages)
        [done] = run_pending(store, "default", user=None)
        assert done.reason == "page gone" and done.passed and done.probes, done.as_dict()
        assert "37%" in done.figures_only_in_it
    finally:
        from rag.index import close_all_indexes

        store.catalog.close()
        close_all_indexes()


POSTS = {
    "post-1.txt": "Onboarding used to take weeks.\n\nNow it takes an afternoon, thanks to clear steps.\n\n"
                  "What slows your onboarding down?\n\n#CustomerSuccess #Onboarding",
    "post-2.txt": "Support queues are a symptom, not the disease.\n\nFix the docs and the tickets fall.\n\n"
                  "What would you fix first?\n\n#CustomerSuccess #Support",
}
GUIDE = b"""# House style

## Words
- Avoid the word "synergy"; say "working together".
- utilise -> use
"""


def test_voice_examples_style_rules_and_draft_facts_of_deleted_documents_are_gone(store):
    for name, text in POSTS.items():
        ingest_bytes(store, name, text.encode(), kind="LinkedIn post")
    ingest_bytes(store, "style-guide.md", GUIDE, kind="style guide")
    ingest_bytes(store, "acme.md", ACME, kind="case study")
    ids = _ids(store)
    assert any(r.source == "style-guide.md" for r in style_rules(store, "default", user=None))
    assert profile_for(store, "default", user=None) is not None
    plan = plan_retrieval(store, get_recipe("linkedin-post"), "Acme onboarding results", "default", user=None)
    assert any(h.doc_id == ids["acme.md"] for h in plan.facts)
    assert plan.examples

    for name in (*POSTS, "style-guide.md", "acme.md"):
        result = delete_and_check(store, ids[name], user=None)
        assert result.passed, (name, result.as_dict())

    assert store.catalog.query("SELECT * FROM style_rules") == []
    assert style_rules(store, "default", user=None) == []
    assert profile_for(store, "default", user=None) is None
    plan = plan_retrieval(store, get_recipe("linkedin-post"), "Acme onboarding results", "default", user=None)
    assert not plan.facts and not plan.examples


def test_a_new_version_of_a_style_guide_keeps_a_persons_choice_but_not_the_old_wording(store):
    ingest_bytes(store, "style-guide.md", GUIDE, kind="style guide")
    rules = {r.value: r for r in style_rules(store, "default", user=None)}
    assert {"synergy", "utilise"} <= set(rules)
    from rag.marketing.style_rules import remove_rule

    remove_rule(store, "default", rules["utilise"].rule_id)  # a person's choice, kept across versions
    ingest_bytes(store, "style-guide.md", GUIDE.replace(b'"synergy"', b'"leverage"'), kind="style guide")

    values = {r.value for r in style_rules(store, "default", user=None)}
    assert "leverage" in values and "synergy" not in values and "utilise" not in values
    [done] = run_pending(store, "default", user=None)
    assert done.reason == "new version" and done.passed, done.as_dict()
    assert not any("synergy" in r["source_sentence"] for r in store.catalog.query("SELECT source_sentence FROM style_rules"))


def test_the_forget_check_fails_when_a_style_rule_of_a_deleted_guide_is_left(store):
    ingest_bytes(store, "style-guide.md", GUIDE, kind="style guide")
    guide = _ids(store)["style-guide.md"]
    style_rules(store, "default", user=None)
    kept = store.catalog.query("SELECT * FROM style_rules")
    assert delete_and_check(store, guide, user=None).passed
    row = dict(kept[0])
    store.catalog.execute(f"INSERT INTO style_rules({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})",
                          tuple(row.values()))
    assert not forget_check(store, guide, user=None).passed


def test_only_a_manager_runs_or_sees_forget_checks(store):
    from rag.errors import AccessDenied, NotFound
    from rag.workspace.access import User

    ingest_bytes(store, "acme.md", ACME)
    stranger = User("mallory")
    with pytest.raises((NotFound, AccessDenied)):
        delete_and_check(store, _ids(store)["acme.md"], user=stranger)
    assert "acme.md" in _ids(store)
    with pytest.raises((NotFound, AccessDenied)):
        results(store, "default", user=stranger)


def test_command_line_rm_and_forget_check(store, capsys, monkeypatch):
    monkeypatch.setenv("GROUNDED_DATA_DIR", str(store.settings.data_dir))
    ingest_bytes(store, "acme.md", ACME)
    ingest_bytes(store, "globex.md", GLOBEX)
    acme = _ids(store)["acme.md"]
    store.catalog.close()
    from rag.index import close_all_indexes

    close_all_indexes()
    out = json.loads(run_cli(capsys, "rm", acme, "--json").stdout)
    assert out["deleted"] == acme and out["forget_check"]["passed"]
    assert out["forget_check"]["summary"].startswith("Forgotten: ")
    done = run_cli(capsys, "forget-check", acme, "--question", "How much did tickets fall at Acme?", "--fact", "37%")
    assert done.returncode == 0, done.stderr
    text = done.stdout
    assert text.startswith("acme.md (deleted): Forgotten: ")
    assert "How much did tickets fall at Acme?" in text


def test_the_assistants_answer_checks_citing_the_removed_document_are_asked_again(store):

    ingest_bytes(store, "acme.md", ACME)
    ingest_bytes(store, "globex.md", GLOBEX)
    store.catalog.checks.add_check("default", "Who is Head of Support at Acme?", ["Dana Whitfield"], "acme.md")
    store.catalog.checks.add_check("default", "How fast did Globex grow sign-ups?", ["12 days"], "globex.md")
    result = delete_and_check(store, _ids(store)["acme.md"], user=None)
    asked = [p.question for p in result.probes]
    assert "Who is Head of Support at Acme?" in asked and "How fast did Globex grow sign-ups?" not in asked
    assert result.passed


def test_a_deleted_documents_words_are_not_left_readable_in_the_catalog_files(store):
    """Secure delete and an emptied write-ahead log: the catalog's files on disk no longer hold its text."""
    ingest_bytes(store, "acme.md", ACME)
    doc_id = _ids(store)["acme.md"]
    _ask(store, "Who is Head of Support at Acme?")  # the search log and answers quote it too
    if store.catalog.postgres:
        pytest.skip("PostgreSQL reuses dead rows' space after autovacuum: no file of ours to read")
    files = [p for p in store.settings.data_dir.glob("*.sqlite3*")]
    assert any(b"Whitfield" in p.read_bytes() for p in files), "the test must see the words before the delete"
    delete_and_check(store, doc_id, user=None)
    assert not [p.name for p in files if p.exists() and b"Whitfield" in p.read_bytes()]


def test_the_background_runner_runs_forget_checks_left_pending(store):
    """Checks left by a new version are run by the app's check runner, not while the Knowledge page is drawn."""
    import time

    from rag.quality.runner import CheckRunner

    ingest_bytes(store, "pricing.md", PRICING_V1)
    ingest_bytes(store, "pricing.md", PRICING_V2)  # a new version: its old wording's check is left pending
    assert forgetting.workspaces_with_pending(store.catalog) == ["default"]
    runner = CheckRunner(store, poll_s=0.05, quiet_s=0).start()
    try:
        deadline = time.monotonic() + 60
        while forgetting.workspaces_with_pending(store.catalog) and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        runner.stop(timeout=10)
    assert forgetting.workspaces_with_pending(store.catalog) == []
    assert all(r.result is not None and r.result.passed for r in results(store, "default", user=None))
