"""The delete flow on the Knowledge page shows the forget check's result, and a saved chat's citation of the deleted
document reads "source deleted" instead of opening it (Streamlit AppTest)."""

from __future__ import annotations

import pytest

from tests.test_pages import (
    CASE_STUDY,
    PRICING,
    _ask,
    _button,
    _doc_id,
    _no_exceptions,
    _plain,
    _store,
    _texts,
    _upload,
    app,  # noqa: F401 - the fixture
)


@pytest.mark.slow
def test_deleting_a_document_shows_it_is_forgotten_and_saved_chats_say_source_deleted(app):  # noqa: F811
    app.run()
    _upload(app, [("northwind.md", CASE_STUDY, "text/markdown"), ("pricing.txt", PRICING, "text/plain")])
    _ask(app, "How long did onboarding take at Northwind?")
    _no_exceptions(app)
    assert any(_plain(e.label).startswith("[1] Northwind case study") for e in app.expander)

    app.switch_page("app_pages/knowledge.py").run()
    next(s for s in app.selectbox if s.label == "Document").set_value(_doc_id("northwind.md")).run()
    _button(app, "Delete for good").click().run()
    _no_exceptions(app)

    shown = [_plain(s.value) for s in app.success]
    assert any(s.startswith("northwind.md: Forgotten: ") and "questions re-asked, none cites it or states its figures" in s
               for s in shown), shown + [_plain(e.value) for e in app.error]
    assert any(_plain(e.label).startswith("Removed documents (1)") for e in app.expander)
    assert "**northwind.md** (deleted): Forgotten: " in _texts(app)
    assert [d.file for d in _store().catalog.documents("default")] == ["pricing.txt"]

    app.switch_page("app_pages/chat.py").run()  # the same chat, reopened
    _no_exceptions(app)
    labels = [_plain(e.label) for e in app.expander]
    assert any(lbl.startswith("[1] Northwind case study") and lbl.endswith("source deleted") for lbl in labels), labels
    assert not [b for b in app.button if "Download northwind" in _plain(b.label)]
    assert any("can no longer be opened" in _plain(c.value) for c in app.caption)
