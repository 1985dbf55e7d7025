"""Page tests with Streamlit's AppTest: upload, chat, settings, and errors shown plainly."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from rag.index import close_clients

CASE_STUDY = b"""# Northwind case study

## Results
Northwind cut onboarding from 41 days to 12 days after adopting Grounded.
Support tickets fell by a third within two quarters.
"""
PRICING = b"Enterprise plans cost 900 dollars per month and include single sign-on.\n"


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.setenv("GROUNDED_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GROUNDED_MODEL", "extractive")
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.chdir(tmp_path)  # no secrets.toml from the developer's checkout
    import os

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    at = AppTest.from_file(os.path.join(root, "app.py"), default_timeout=120)
    yield at
    import streamlit as st

    st.cache_resource.clear()
    close_clients()


def _no_exceptions(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def _upload(at: AppTest, files) -> AppTest:
    at.switch_page("app_pages/knowledge.py").run()
    at.file_uploader[0].set_value(files)
    at.button[[b.label for b in at.button].index("Upload and index")].click().run()
    return at


def test_empty_chat_explains_what_to_do(app):
    app.run()
    _no_exceptions(app)
    assert app.title[0].value == "My assistant"
    assert any("no documents yet" in i.value for i in app.info)


def test_upload_then_ask_shows_answer_with_citation(app):
    app.run()
    _upload(app, [("northwind.md", CASE_STUDY, "text/markdown"), ("pricing.txt", PRICING, "text/plain"), ("x.exe", b"MZ", "application/octet-stream")])
    _no_exceptions(app)
    labels = [s.label for s in app.status]
    assert any(l.startswith("Indexed: northwind.md") for l in labels)
    assert any(l.startswith("Skipped: x.exe") and "aren't supported" in l for l in labels)
    assert "2 indexed" in app.success[0].value

    app.switch_page("app_pages/chat.py").run()
    app.chat_input[0].set_value("How long did onboarding take for Northwind?").run()
    _no_exceptions(app)
    text = " ".join(m.value for m in app.markdown)
    assert "41 days to 12 days" in text
    assert any(e.label.startswith("[1] northwind.md · ") for e in app.expander)
    # the chat is saved and listed in the sidebar
    assert any("How long did onboarding" in b.label for b in app.sidebar.button)


def test_off_topic_question_is_refused(app):
    app.run()
    _upload(app, [("pricing.txt", PRICING, "text/plain")])
    app.switch_page("app_pages/chat.py").run()
    app.chat_input[0].set_value("What is the boiling point of tungsten?").run()
    _no_exceptions(app)
    assert any("don't cover this question" in w.value for w in app.warning)


def test_settings_save_and_new_assistant_is_isolated(app):
    app.run()
    _upload(app, [("pricing.txt", PRICING, "text/plain")])
    app.switch_page("app_pages/settings.py").run()
    app.text_input[0].set_value("Sales answers")
    app.text_area[0].set_value("Never promise delivery dates.")
    app.button[[b.label for b in app.button].index("Save")].click().run()
    _no_exceptions(app)
    assert app.sidebar.selectbox[0].format_func(app.sidebar.selectbox[0].value) == "Sales answers"

    # a second assistant sees none of the first one's documents
    from rag.assistants import create_assistant
    from app_pages._common import get_store
    from rag.settings import Settings

    store = get_store(str(Settings.load().data_dir.resolve()))
    other = create_assistant(store.catalog, "Support drafts")
    app.session_state["assistant_id"] = other.id
    app.switch_page("app_pages/knowledge.py").run()
    _no_exceptions(app)
    assert any("No documents yet" in i.value for i in app.info)


def test_failed_upload_says_why_in_plain_words(app):
    app.run()
    _upload(app, [("broken.pdf", b"%PDF-1.4 this is not really a pdf", "application/pdf"), ("empty.txt", b"", "text/plain")])
    _no_exceptions(app)
    labels = [s.label for s in app.status]
    assert any(l.startswith("Could not index: broken.pdf — ") for l in labels), labels
    assert any(l.startswith("Could not index: empty.txt — ") and "empty" in l for l in labels), labels
    assert not any("Traceback" in m.value for m in app.markdown)
