"""Page tests with Streamlit's AppTest: every page, its happy paths and its errors shown plainly.

Labels on the page are Markdown with document and user text escaped (``northwind\\.md``), so
assertions compare their plain form (see ``_plain``).
"""

from __future__ import annotations

import os
import re
import time

import pytest
from streamlit.testing.v1 import AppTest

from rag.index import close_all_indexes
from rag.parse import ocr
from tests.fixtures import make_scanned_tiff

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CASE_STUDY = b"""# Northwind case study

## Results
Northwind cut onboarding from 41 days to 12 days after adopting Grounded.
Support tickets fell by a third within two quarters.
"""
PRICING = b"Enterprise plans cost $900 per month and include single sign-on. The Starter plan costs $49 per month.\n"


def offline_app_env(tmp_path, monkeypatch) -> None:
    """A fresh data folder, quotes instead of a model, nothing from the developer's environment."""
    monkeypatch.setenv("GROUNDED_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GROUNDED_MODEL", "extractive")
    for var in ("OPENAI_API_KEY", "QDRANT_URL", "GROUNDED_EMBEDDING", "GROUNDED_COMPATIBLE_URL", "OPENAI_BASE_URL"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)  # no secrets.toml from the developer's checkout


@pytest.fixture
def app(tmp_path, monkeypatch):
    offline_app_env(tmp_path, monkeypatch)
    at = AppTest.from_file(os.path.join(ROOT, "app.py"), default_timeout=120)
    yield at
    import streamlit as st

    st.cache_resource.clear()
    close_all_indexes()


def _plain(text: str) -> str:
    """A Markdown label as the reader sees it (escapes removed)."""
    return re.sub(r"\\(.)", r"\1", text)


def _no_exceptions(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def _button(at: AppTest, label: str):
    matches = [b for b in at.button if _plain(b.label) == label]
    assert matches, f"no button {label!r} in {[b.label for b in at.button]}"
    return matches[0]


def _texts(at: AppTest) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [e.value for e in (*at.info, *at.warning, *at.success, *at.error)]
    return _plain(" ".join(parts))


def _store():
    from app_pages._common import get_store
    from rag.settings import Settings

    return get_store(str(Settings.load().data_dir.resolve()))


def _wait_for_indexing(timeout: float = 120.0) -> None:
    """Until the app's indexer (a background thread of the test's process) has emptied the queue."""
    from rag.ingest import queue

    catalog = _store().catalog
    deadline = time.monotonic() + timeout
    while queue.jobs(catalog, active_only=True):
        assert time.monotonic() < deadline, "the queue did not empty in time"
        time.sleep(0.1)


def _upload(at: AppTest, files) -> AppTest:
    """Upload on the Knowledge page, wait for the queue to be indexed, and show the page again."""
    at.switch_page("app_pages/knowledge.py").run()
    at.file_uploader[0].set_value(files)
    _button(at, "Upload and index").click().run()
    _wait_for_indexing()
    return at.run()


def _queue_rows(at: AppTest) -> dict[str, dict]:
    """The Knowledge page's queue table: document -> its row (cells are Markdown, read here as shown)."""
    table = next(m.value for m in at.markdown if m.value.startswith("| Document | Status |"))
    header, _rule, *lines = table.splitlines()

    def cells(line: str) -> list[str]:
        return [re.sub(r"\\(.)", r"\1", c).strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]

    rows = [dict(zip(cells(header), cells(line))) for line in lines]
    return {row["Document"]: row for row in rows}


def _ask(at: AppTest, question: str) -> AppTest:
    at.switch_page("app_pages/chat.py").run()
    at.chat_input[0].set_value(question).run()
    return at


# chat


def test_empty_chat_explains_what_to_do(app):
    app.run()
    _no_exceptions(app)
    assert app.title[0].value == "My assistant"
    assert any("no documents yet" in i.value for i in app.info)
    assert app.chat_input[0].disabled  # nothing to ask yet


def test_upload_then_ask_shows_answer_with_citation(app):
    app.run()
    _upload(
        app,
        [
            ("northwind.md", CASE_STUDY, "text/markdown"),
            ("pricing.txt", PRICING, "text/plain"),
            ("x.exe", b"MZ", "application/octet-stream"),
        ],
    )
    _no_exceptions(app)
    rows = _queue_rows(app)  # each document's result stays listed until dismissed
    assert rows["northwind.md"]["Status"] == "Indexed" and int(rows["northwind.md"]["Passages"]) >= 1, rows
    assert rows["x.exe"]["Status"] == "Skipped" and "aren't supported" in rows["x.exe"]["Note"], rows
    assert "2 indexed" in app.warning[-1].value and "1 not indexed" in app.warning[-1].value  # the summary, below
    assert "x\\.exe" in app.warning[0].value  # the failures, above the table

    _ask(app, "How long did onboarding take for Northwind?")
    _no_exceptions(app)
    assert "41 days to 12 days" in _texts(app)
    assert any(_plain(e.label).startswith("[1] Northwind case study · ") for e in app.expander)  # its title first
    assert any(_plain(c.value) == "northwind.md" for c in app.caption)  # and where it came from
    assert any("Supported: 100%" in c.value for c in app.caption)
    assert any("Answers the question" in c.value for c in app.caption)  # a duration was asked for, and is there
    # the chat is saved and listed in the sidebar under its first question
    assert any("How long did onboarding" in _plain(b.label) for b in app.sidebar.button)


def test_money_in_an_answer_is_not_typeset_as_maths(app):
    app.run()
    _upload(app, [("pricing.txt", PRICING, "text/plain")])
    _ask(app, "How much does the Enterprise plan cost?")
    _no_exceptions(app)
    answer = next(m.value for m in app.markdown if "900" in m.value)
    assert "\\$900" in answer and "$" not in answer.replace("\\$", "")  # escaped: shown as money, not LaTeX
    assert any(_plain(e.label).startswith("[1] pricing") for e in app.expander)  # a title-less file: its name


def test_off_topic_question_is_refused(app):
    app.run()
    _upload(app, [("pricing.txt", PRICING, "text/plain")])
    _ask(app, "What is the boiling point of tungsten?")
    _no_exceptions(app)
    assert any("don't cover this question" in w.value for w in app.warning)


def test_chat_history_reopens_and_new_chat_starts_empty(app):
    app.run()
    _upload(app, [("northwind.md", CASE_STUDY, "text/markdown")])
    _ask(app, "How long did onboarding take for Northwind?")
    chat_id = app.session_state["chat_id"]

    _button(app, "New chat").click().run()
    _no_exceptions(app)
    assert "chat_id" not in app.session_state
    assert not app.chat_message
    assert any(_plain(b.label).startswith("What do our case studies") for b in app.button)  # starters

    next(b for b in app.sidebar.button if "How long did onboarding" in _plain(b.label)).click().run()
    _no_exceptions(app)
    assert app.session_state["chat_id"] == chat_id
    assert "41 days to 12 days" in _texts(app)

    _button(app, "Delete chat").click().run()
    _no_exceptions(app)
    assert not any("How long did onboarding" in _plain(b.label) for b in app.sidebar.button)


def test_feedback_is_stored_with_the_answer(app):
    app.run()
    _upload(app, [("northwind.md", CASE_STUDY, "text/markdown")])
    _ask(app, "How long did onboarding take for Northwind?")
    app.feedback[0].set_value(0).run()  # thumbs down
    _no_exceptions(app)
    [comment] = [t for t in app.text_area if t.label == "What was right or wrong?"]
    comment.set_value("Should mention the ticket numbers too")
    _button(app, "Save comment").click().run()
    _no_exceptions(app)
    rows = _store().catalog.query("SELECT rating, comment, question FROM feedback")
    assert [tuple(r) for r in rows] == [(-1, "Should mention the ticket numbers too", "How long did onboarding take for Northwind?")]


def test_a_failure_while_answering_is_shown_in_plain_words(app, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("qdrant exploded: socket 0x7f")

    app.run()
    _upload(app, [("northwind.md", CASE_STUDY, "text/markdown")])
    monkeypatch.setattr("rag.workspace.asking.ask_stream", broken)  # what the Chat page calls
    _ask(app, "How long did onboarding take for Northwind?")
    _no_exceptions(app)
    assert any("Something went wrong while trying to answer your question" in e.value for e in app.error)
    assert "exploded" not in _texts(app) and "Traceback" not in _texts(app)


# assistants


def test_new_assistant_from_the_dialog_becomes_the_current_one(app):
    app.run()
    _button(app, "New assistant").click().run()
    _button(app, "Create").click().run()  # no name yet: a plain message, the dialog stays
    assert any("Give the assistant a name" in e.value for e in app.error)

    next(t for t in app.text_input if t.label == "Name").set_value("Sales answers")
    next(t for t in app.text_input if t.label == "What is it for?").set_value("Answers from case studies")
    _button(app, "Create").click().run()
    _no_exceptions(app)
    picker = app.sidebar.selectbox[0]
    assert picker.format_func(picker.value) == "Sales answers"
    assert app.title[0].value == "Knowledge"  # the next step: add its documents
    assert not [b for b in app.button if b.label == "Create"]  # the dialog is closed
    assert app.query_params["assistant"] == app.session_state["assistant_id"]  # a reload keeps it


def test_sidebar_picker_switches_assistant_documents_and_chats(app):
    app.run()
    _upload(app, [("northwind.md", CASE_STUDY, "text/markdown")])
    _ask(app, "How long did onboarding take for Northwind?")
    from rag.workspace.assistants import create_assistant

    other = create_assistant(_store().catalog, "Support drafts")
    app.run()
    app.sidebar.selectbox[0].set_value(other.id).run()
    _no_exceptions(app)
    assert app.title[0].value == "Support drafts"
    assert "chat_id" not in app.session_state
    assert not any("How long did onboarding" in _plain(b.label) for b in app.sidebar.button)
    assert any("no documents yet" in i.value for i in app.info)

    app.switch_page("app_pages/knowledge.py").run()
    assert any("No documents yet" in i.value for i in app.info)  # isolation

    app.sidebar.selectbox[0].set_value("default").run()
    assert any("How long did onboarding" in _plain(b.label) for b in app.sidebar.button)


# knowledge


def test_knowledge_table_preview_search_reindex_and_delete(app):
    app.run()
    _upload(app, [("northwind.md", CASE_STUDY, "text/markdown"), ("pricing.txt", PRICING, "text/plain")])
    _no_exceptions(app)
    assert any(s.value == "Documents (2)" for s in app.subheader)

    # chunk preview of the picked document, then a trial setting compared side by side
    picker = next(s for s in app.selectbox if s.label == "Document")
    picker.set_value(_doc_id("northwind.md")).run()
    assert any(m.value.startswith("**Now: ") for m in app.markdown)
    assert any("Passage 1 · Northwind case study > Results" in _plain(c.value) for c in app.caption)
    next(n for n in app.number_input if n.label == "Passage size (tokens)").set_value(64).run()
    _no_exceptions(app)
    assert any(m.value.startswith("**With the new setting: ") for m in app.markdown)
    next(n for n in app.number_input if n.label == "Overlap (tokens)").set_value(64).run()
    assert any("overlap must be smaller" in w.value for w in app.warning)

    # retrieval test without an answer
    next(t for t in app.text_input if t.label == "Question").set_value("onboarding time").run()
    _no_exceptions(app)
    assert any(_plain(c.value).startswith("[1] Northwind case study") and "relevance" in c.value for c in app.caption)

    _button(app, "Re-index").click().run()
    _no_exceptions(app)
    assert any("Indexed: northwind.md" in _plain(t.value) for t in app.toast)

    _button(app, "Delete for good").click().run()
    _no_exceptions(app)
    assert any(s.value == "Documents (1)" for s in app.subheader)
    assert [d.file for d in _store().catalog.documents("default")] == ["pricing.txt"]


@pytest.mark.skipif(not ocr.available(), reason=ocr.INSTALL_HINT)
def test_the_knowledge_page_marks_what_ocr_read_and_the_pages_it_could_not(app):
    app.run()
    _upload(app, [("northwind-scan.tiff", make_scanned_tiff(), "image/tiff")])
    _no_exceptions(app)
    row = _store().catalog.get(_doc_id("northwind-scan.tiff"))
    sure = f"{row.ocr_lowest:.0f}%"
    table = next(d.value for d in app.dataframe if "Read by OCR" in d.value.columns)
    assert table.to_dict("records")[0]["Read by OCR"] == f"1 page, lowest {sure}; 1 page not read"
    assert any(_plain(i.value).startswith(f"Read by OCR (1 page, lowest confidence {sure}): check the wording on the page")
               and i.icon == ":material/document_scanner:" for i in app.info)
    assert any(_plain(w.value).startswith("1 page could not be read, so nothing on it can be found (page 2: no text found)")
               for w in app.warning)


def _doc_id(name: str) -> str:
    from rag.ingest.admission import doc_id_for

    return doc_id_for("default", name)


def test_failed_upload_says_why_in_plain_words(app):
    app.run()
    _upload(app, [("broken.pdf", b"%PDF-1.4 this is not really a pdf", "application/pdf"), ("empty.txt", b"", "text/plain")])
    _no_exceptions(app)
    rows = _queue_rows(app)
    assert rows["broken.pdf"]["Status"] == "Could not index" and rows["broken.pdf"]["Note"], rows
    assert rows["empty.txt"]["Status"] == "Could not index" and "empty" in rows["empty.txt"]["Note"].lower(), rows
    assert "Traceback" not in _texts(app) + " ".join(r["Note"] for r in rows.values())
    assert any("2 not indexed" in w.value for w in app.warning)
    (listed,) = [w.value for w in app.warning if "2 documents not indexed" in w.value]  # above the table, with why
    assert "broken\\.pdf" in listed and "This file is empty" in listed


def test_upload_without_files_says_what_to_do(app):
    app.run()
    app.switch_page("app_pages/knowledge.py").run()
    _button(app, "Upload and index").click().run()
    _no_exceptions(app)
    assert any("Choose one or more files first" in w.value for w in app.warning)


def test_a_failing_search_is_shown_in_plain_words(app, monkeypatch):
    app.run()
    _upload(app, [("pricing.txt", PRICING, "text/plain")])

    def broken(*args, **kwargs):
        raise ValueError("index corrupted at offset 42")

    monkeypatch.setattr("rag.workspace.asking.retrieve", broken)  # what the Knowledge page calls
    next(t for t in app.text_input if t.label == "Question").set_value("price").run()
    _no_exceptions(app)
    assert any("Something went wrong while trying to search" in e.value for e in app.error)
    assert "offset 42" not in _texts(app)


# settings


def test_settings_save_and_new_assistant_is_isolated(app):
    app.run()
    _upload(app, [("pricing.txt", PRICING, "text/plain")])
    app.switch_page("app_pages/settings.py").run()
    app.text_input[0].set_value("Sales answers")
    app.text_area[0].set_value("Never promise delivery dates.")
    _button(app, "Save").click().run()
    _no_exceptions(app)
    assert app.sidebar.selectbox[0].format_func(app.sidebar.selectbox[0].value) == "Sales answers"
    from rag.workspace.assistants import get_assistant

    assert get_assistant(_store().catalog, "default").instructions == "Never promise delivery dates."


def test_settings_chunking_change_offers_reindex_with_estimate(app):
    app.run()
    _upload(app, [("northwind.md", CASE_STUDY, "text/markdown")])
    app.switch_page("app_pages/settings.py").run()
    next(n for n in app.number_input if n.label == "Passage size (tokens)").set_value(128).run()
    _no_exceptions(app)
    [info] = [i for i in app.info if "re-indexes all 1 document" in i.value]
    assert "seconds" in info.value
    _button(app, "Undo changes").click().run()
    assert next(n for n in app.number_input if n.label == "Passage size (tokens)").value == 256
    assert not [b for b in app.button if b.label == "Apply and re-index"]

    next(n for n in app.number_input if n.label == "Passage size (tokens)").set_value(128).run()
    _button(app, "Apply and re-index").click().run()
    _no_exceptions(app)
    assert any("Re-indexed 1 document" in t.value for t in app.toast)
    from rag.workspace.assistants import get_assistant

    assert get_assistant(_store().catalog, "default").chunking.size == 128
    assert _store().catalog.documents("default")[0].chunk_settings["size"] == 128


def test_settings_model_choice_and_keys_never_shown_in_full(app, monkeypatch):
    key = "sk-proj-abcdefghijklmnopqrstuvwxyz0123456789WXYZ"
    monkeypatch.setenv("OPENAI_API_KEY", key)
    monkeypatch.setenv("GROUNDED_COMPATIBLE_API_KEY", "local-secret-token-98765")
    app.run()
    app.switch_page("app_pages/settings.py").run()
    _no_exceptions(app)
    everything = _texts(app) + " ".join(t.value for t in app.text_input)
    assert key not in everything and "local-secret-token-98765" not in everything
    assert "sk-…WXYZ" in everything

    # "My own server" without an address: a plain warning, not a crash at question time
    next(s for s in app.selectbox if s.label == "Model").set_value("compatible")
    _button(app, "Save").click().run()
    _no_exceptions(app)
    assert any("Enter your server's address" in w.value for w in app.warning)


def test_settings_shows_where_the_key_is_kept_as_a_plain_path(app, monkeypatch):
    """A code span prints backslash escapes: the path reads ~/.config/grounded/secret.key, not ~/\\.config/..."""
    from tests.markdown_check import shown_text

    monkeypatch.delenv("GROUNDED_SECRET_KEY", raising=False)
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    app.run()
    app.switch_page("app_pages/settings.py").run()
    _no_exceptions(app)
    (caption,) = [c.value for c in app.caption if "Saved keys are encrypted" in c.value]
    assert "(~/.config/grounded/secret.key)" in shown_text(caption), caption


def test_settings_openai_without_key_warns(app):
    app.run()
    app.switch_page("app_pages/settings.py").run()
    next(s for s in app.selectbox if s.label == "Model").set_value("openai")
    _button(app, "Save").click().run()
    _no_exceptions(app)
    assert any("OpenAI needs an API key" in w.value for w in app.warning)
    assert any("answered with: **OpenAI**" in m.value for m in app.markdown)


def test_duplicate_and_delete_assistant(app):
    app.run()
    _upload(app, [("pricing.txt", PRICING, "text/plain")])
    app.switch_page("app_pages/settings.py").run()
    _button(app, "Duplicate with its documents").click().run()
    _no_exceptions(app)
    copy_id = app.session_state["assistant_id"]
    assert copy_id != "default"
    assert [d.file for d in _store().catalog.documents(copy_id, status="ready")] == ["pricing.txt"]

    _button(app, "Delete for good").click().run()
    _no_exceptions(app)
    assert app.session_state["assistant_id"] == "default"
    from rag.workspace.assistants import list_assistants

    assert [a.id for a in list_assistants(_store().catalog)] == ["default"]


def test_a_zip_upload_indexes_every_document_inside(app):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("help/reset-password.html", "<h1>Reset your password</h1><p>Use the Forgot password link on the sign-in page.</p>")
        zf.writestr("help/billing.html", "<h1>Billing</h1><p>Invoices are sent on the first day of each month.</p>")
        zf.writestr("help/logo.png", b"\x89PNG\r\n")
    app.run()
    _upload(app, [("help-center.zip", buffer.getvalue(), "application/zip")])
    _no_exceptions(app)
    rows = _queue_rows(app)  # one row per document in the archive
    assert [r["Status"] for r in rows.values()].count("Indexed") == 2, rows
    assert "isn't really a PNG file" in rows["help-center.zip/help/logo.png"]["Note"], rows
    names = [d.file for d in _store().catalog.documents(status="ready")]
    assert sorted(names) == ["help-center.zip/help/billing.html", "help-center.zip/help/reset-password.html"]


def test_the_knowledge_page_shows_the_queue_and_a_waiting_document_can_be_cancelled(app, monkeypatch):
    """The queue on the page: a bar, each document's status, cancel; the sidebar and Chat say indexing is under way."""
    from rag.ingest.indexer import start_indexer

    monkeypatch.setattr("app_pages._common.start_indexer", lambda store: None)  # held until the test starts it
    app.run()
    app.switch_page("app_pages/knowledge.py").run()
    notes = b"# Launch notes\n\nThe Atlas launch is planned for May.\n"
    app.file_uploader[0].set_value([("northwind.md", CASE_STUDY, "text/markdown"), ("pricing.txt", PRICING, "text/plain"),
                                    ("notes.md", notes, "text/markdown")])
    _button(app, "Upload and index").click().run()
    _no_exceptions(app)
    assert app.get("progress")[0].proto.text.startswith("Indexing 1 of 3")
    assert {name: row["Status"] for name, row in _queue_rows(app).items()} == {n: "Waiting" for n in ("northwind.md", "pricing.txt", "notes.md")}
    assert any("being indexed" in i.value for i in app.info)  # nothing ready yet, and the page says why

    pricing = next(j.job_id for j in _store_jobs() if j.name == "pricing.txt")
    app.multiselect(key="cancel-default").set_value([pricing]).run()
    _button(app, "Cancel these").click().run()
    _no_exceptions(app)
    assert _queue_rows(app)["pricing.txt"]["Status"] == "Cancelled"

    app.switch_page("app_pages/chat.py").run()
    assert any("documents are being indexed" in i.value for i in app.info) and app.chat_input[0].disabled
    assert any(c.value.endswith("Indexing 2 of 3") for c in app.sidebar.caption)  # how far along (cancelled: done), on every page

    start_indexer(_store())
    _wait_for_indexing()
    app.switch_page("app_pages/knowledge.py").run()
    _no_exceptions(app)
    assert {name: row["Status"] for name, row in _queue_rows(app).items()} == {
        "northwind.md": "Indexed", "pricing.txt": "Cancelled", "notes.md": "Indexed"}
    assert "2 indexed, 1 cancelled." in app.success[0].value
    assert [d.file for d in _store().catalog.documents("default")] == ["northwind.md", "notes.md"]

    _button(app, "Dismiss finished").click().run()
    _no_exceptions(app)
    assert not app.get("progress") and not [m for m in app.markdown if m.value.startswith("| Document | Status |")]


def _store_jobs():
    from rag.ingest import queue

    return queue.jobs(_store().catalog)


# nothing a document writes is a live link or image on a page (issue 21, point 4)

BEACON = (b"Beacon onboarding notes: Northwind cut onboarding with a checklist. ![x][p]\n\n"
          b"[p]: //127.0.0.1:9/beacon.png\n\n"
          b"Read [the guide][q], <https://127.0.0.1:9/auto>, www.evil.example and help@evil.example. "
          b"<img src=//127.0.0.1:9/i.png> [a](//127.0.0.1:9/a) ![b](//127.0.0.1:9/b.png)\n\n"
          b"[q]: <//127.0.0.1:9/link> \"a title\"\n")


def _rendered_markdown(at: AppTest) -> list[str]:
    """Every piece of Markdown the page hands the browser: text, notices, labels, captions, tooltips."""
    values = [e.value for e in (*at.markdown, *at.caption, *at.info, *at.warning, *at.error, *at.success, *at.toast)]
    values += [e.label for e in (*at.expander, *at.button, *at.tabs, *at.toggle, *at.text_input, *at.selectbox)]
    values += [b.help for b in at.button if getattr(b, "help", None)]
    return values


def _assert_inert(at: AppTest) -> None:
    from tests.markdown_check import live_parts

    live = {value: live_parts(value) for value in _rendered_markdown(at) if live_parts(value)}
    assert not live, live


def test_links_and_images_in_a_passage_stay_text_in_test_a_search_and_in_chat(app):
    app.run()
    _upload(app, [("beacon-notes.txt", BEACON, "text/plain")])
    _no_exceptions(app)
    next(t for t in app.text_input if t.label == "Question").set_value("beacon onboarding checklist").run()
    _no_exceptions(app)
    shown = [_plain(m.value) for m in app.markdown]
    assert any("![x][p]" in m and "[p]: `//127.0.0.1:9/beacon.png`" in m for m in shown), shown  # as text
    assert any("`https://127.0.0.1:9/auto`" in m and "`help@evil.example`" in m for m in shown), shown
    _assert_inert(app)

    _ask(app, "What did the beacon onboarding notes say about the checklist?")
    _no_exceptions(app)
    assert "Northwind cut onboarding" in _texts(app)
    _assert_inert(app)
