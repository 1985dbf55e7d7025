"""The language setting on the pages: chosen in the New assistant dialog, changed in Settings with an estimate."""

from __future__ import annotations

import os

import pytest
from streamlit.testing.v1 import AppTest

from rag.index import close_all_indexes
from tests.test_pages import CASE_STUDY, ROOT, _button, _no_exceptions, _store, _upload, offline_app_env


@pytest.fixture
def app(tmp_path, monkeypatch):
    offline_app_env(tmp_path, monkeypatch)
    at = AppTest.from_file(os.path.join(ROOT, "app.py"), default_timeout=180)
    yield at
    import streamlit as st

    st.cache_resource.clear()
    close_all_indexes()


def _language_radio(at: AppTest):
    return next(r for r in at.radio if r.label == "Documents and questions in")


def test_a_new_assistant_can_be_multilingual(app):
    from rag.workspace.assistants import get_assistant

    app.run()
    _button(app, "New assistant").click().run()
    next(t for t in app.text_input if t.label == "Name").set_value("Vertrieb")
    _language_radio(app).set_value("multilingual")
    _button(app, "Create").click().run()
    _no_exceptions(app)
    assert get_assistant(_store().catalog, app.session_state["assistant_id"]).language == "multilingual"


@pytest.mark.slow
def test_settings_change_the_language_with_an_estimate_and_reindex(app):
    from rag.index.embed import E5_ID
    from rag.workspace.assistants import get_assistant

    app.run()
    _upload(app, [("northwind.md", CASE_STUDY, "text/markdown")])
    app.switch_page("app_pages/settings.py").run()
    assert _language_radio(app).value == "english"
    _language_radio(app).set_value("multilingual").run()
    _no_exceptions(app)
    [info] = [i for i in app.info if "re-indexes all documents" in i.value]
    assert "seconds" in info.value or "minute" in info.value
    _button(app, "Change the language").click().run()
    _no_exceptions(app)
    assert get_assistant(_store().catalog, "default").language == "multilingual"
    assert _store().index.model_of("default") == (E5_ID, 384)
    assert _store().index.count("default") >= 1  # its document is back, embedded by the multilingual model
