"""The "Websites and help centers" part of the Knowledge page, run with Streamlit's AppTest against a loopback site."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from rag.bench.site import FixtureSite
from rag.index import close_all_indexes
from tests.test_pages import _button, _no_exceptions, _texts, offline_app_env
from tests.test_sources import small_site

SCRIPT = """
from app_pages._common import current_assistant, current_user, store_or_stop
from app_pages._sources import render_sources

store = store_or_stop()
render_sources(store, current_assistant(store), current_user(store))
"""


@pytest.fixture
def page(tmp_path, monkeypatch):
    offline_app_env(tmp_path, monkeypatch)
    monkeypatch.setenv("GROUNDED_ALLOW_PRIVATE_URLS", "true")  # the site is on loopback
    yield AppTest.from_string(SCRIPT, default_timeout=120)
    import streamlit as st

    st.cache_resource.clear()
    close_all_indexes()


def test_add_a_site_sync_it_and_schedule_it(page):
    with FixtureSite() as site:
        small_site(site)
        page.run()
        _no_exceptions(page)
        assert "No websites yet" in _texts(page)

        page.text_input[0].input(site.url("/kb/"))
        page.text_area[1].input("/kb/drafts/")
        _button(page, "Add and import").click()
        page.run()
        _no_exceptions(page)
        texts = _texts(page)
        assert "2 indexed" in texts and f"127.0.0.1:{site.port}/kb" in texts

        _button(page, "Sync now").click()
        page.run()
        _no_exceptions(page)
        assert "0 indexed, 2 up to date" in _texts(page)

        schedule = next(s for s in page.selectbox if s.key and s.key.startswith("schedule-"))
        schedule.select("weekly")
        page.run()
        _no_exceptions(page)
        from tests.test_pages import _store

        assert [r["schedule"] for r in _store().catalog.query("SELECT schedule FROM sources")] == ["weekly"]


def test_an_empty_address_is_asked_for(page):
    page.run()
    _button(page, "Add and import").click()
    page.run()
    assert "Type the site's address first" in _texts(page)
