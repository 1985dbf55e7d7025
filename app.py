"""Grounded: navigation and the shared store. Pages live in pages/."""

import streamlit as st

st.set_page_config(page_title="Grounded", page_icon=":material/library_books:", layout="wide")

navigation = st.navigation(
    [st.Page("pages/knowledge.py", title="Knowledge", icon=":material/folder_open:", default=True)]
)
navigation.run()
