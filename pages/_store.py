"""The one Store shared by every browser session of this app process."""

import streamlit as st

from rag.settings import Settings
from rag.store import Store


@st.cache_resource(show_spinner="Loading the knowledge base…")
def get_store() -> Store:
    return Store(Settings.load())
