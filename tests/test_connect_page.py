"""Settings › Connect a writing model, in the app: test, save, masked key; hidden from people who don't run the install."""

from __future__ import annotations

import pytest

from tests.test_pages import _button, _no_exceptions, _texts, app  # noqa: F401 - the app fixture
from tests.test_signin_pages import _sign_in, workplace  # noqa: F401 - the signed-in workplace fixture
from tests.test_vault import FakeServer

KEY = "sk-browser-SECRET-0123456789abcd"


@pytest.fixture
def server(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))  # the install secret goes here, not in ~
    monkeypatch.delenv("GROUNDED_MODEL")  # Automatic: the connected model once there is one
    fake = FakeServer()
    yield fake
    fake.close()


def test_the_install_owner_tests_and_saves_a_server_from_the_settings_page(app, server):  # noqa: F811
    app.run()
    app.switch_page("app_pages/settings.py").run()
    _no_exceptions(app)
    assert any(s.value == "Connect a writing model" for s in app.subheader)
    assert any("answered with: **No model" in m.value for m in app.markdown)
    app.radio(key="connect-provider").set_value("compatible").run()
    app.text_input(key="connect-url").set_value(server.url)
    app.text_input(key="connect-key").set_value(KEY)
    _button(app, "Test connection").click().run()
    _no_exceptions(app)
    (success,) = app.success
    assert "tiny\\-model" in success.value and "answered in" in success.value and "OK" in success.value
    assert server.keys == [f"Bearer {KEY}"] * 2

    app.text_input(key="connect-key").set_value(KEY)
    _button(app, "Save connection").click().run()
    _no_exceptions(app)
    page = _texts(app) + " ".join(t.value for t in app.text_input)
    assert KEY not in page and "…abcd" in page
    assert any("saved here" in m.value for m in app.markdown)
    assert any("answered with: **My own server" in m.value for m in app.markdown)


def test_people_who_dont_run_the_install_never_see_it(workplace):  # noqa: F811
    at = _sign_in(workplace(), "alice", "alice-pw")
    at.switch_page("app_pages/settings.py").run()
    _no_exceptions(at)
    assert not any(s.value == "Connect a writing model" for s in at.subheader)
    assert not [t for t in at.text_input if t.key and t.key.startswith("connect-")]
