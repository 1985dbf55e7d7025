"""The Knowledge gaps page, through the app's navigation (AppTest): the topics, adding a document, out of scope."""

from __future__ import annotations

from rag.workspace.access import User
from tests.test_pages import PRICING, _ask, _button, _no_exceptions, _plain, _store, _texts, _upload, app  # noqa: F401


def test_gaps_page_lists_a_topic_opens_knowledge_and_marks_it_out_of_scope(app):  # noqa: F811
    app.run()
    _upload(app, [("pricing.txt", PRICING, "text/plain")])
    _ask(app, "Do we have a mobile app for iPhone?")
    _ask(app, "Is there an app for the iPhone?")
    assert sum("don't cover this question" in w.value for w in app.warning) == 2

    app.switch_page("app_pages/gaps.py").run()
    _no_exceptions(app)
    assert app.title[0].value == "Knowledge gaps"
    assert [m.value for m in app.metric][:2] == ["1", "2"]  # one topic, two questions
    text = _texts(app)
    assert "Asked 2 times" in text and "2 not in the documents" in text
    assert "For example:" in text and "iPhone" in text
    assert any(d.label == "Download as a spreadsheet (CSV)" for d in app.get("download_button"))

    _button(app, "Add a document for this").click().run()
    _no_exceptions(app)
    assert app.title[0].value == "Knowledge"
    assert "Add a document about “" in _texts(app) and "couldn't answer" in _texts(app)
    _button(app, "Done").click().run()
    assert "Add a document about" not in _texts(app)

    app.switch_page("app_pages/gaps.py").run()
    [scope] = [b for b in app.button if _plain(b.label) == "Mark as out of scope"]
    scope.click().run()
    _no_exceptions(app)
    assert [m.value for m in app.metric] == ["0", "0", "1"]
    assert "Out of scope" in [s.value for s in app.subheader]
    assert "2 earlier questions on this topic." in _texts(app)

    _ask(app, "Is there an iPhone app?")
    _no_exceptions(app)
    assert "outside what this assistant covers" in _plain(app.warning[-1].value)

    app.switch_page("app_pages/gaps.py").run()
    _button(app, "Put back in scope").click().run()
    _no_exceptions(app)
    assert [m.value for m in app.metric] == ["1", "2", "0"]  # the polite answer never became a gap


def test_gaps_page_with_no_gaps_says_so(app):  # noqa: F811
    app.run()
    app.switch_page("app_pages/gaps.py").run()
    _no_exceptions(app)
    assert any("No gaps right now" in s.value for s in app.success)


def test_gaps_page_shows_a_reader_nothing(app, monkeypatch):  # noqa: F811
    app.run()
    from rag.types import Answer
    from rag.workspace.assistants import create_assistant, share
    from rag.workspace.chats import add_message, new_chat

    store = _store()
    owned = create_assistant(store.catalog, "Alice's answers", user=User("alice"))
    share(store.catalog, owned.id, ["bob"], User("alice"))
    chat = new_chat(store.catalog, owned.id, user=User("bob"))
    add_message(store.catalog, chat, "user", "Secret launch date of Project Falcon?")
    add_message(store.catalog, chat, "assistant", "no", Answer("no", "extractive", refused=True, refusal="nothing_relevant"))
    # bob is signed in and picks the assistant alice shared with him
    monkeypatch.setattr("app_pages._common.current_user", lambda store: User("bob"))
    app.session_state["assistant_id"] = owned.id
    app.switch_page("app_pages/gaps.py").run()
    _no_exceptions(app)
    assert any("Only alice, who owns this assistant, can see" in _plain(i.value) for i in app.info)
    assert "Project Falcon" not in _texts(app)
