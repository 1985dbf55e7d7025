"""Grounded's web server: the Streamlit app (app.py) and the one route that sets the sign-in cookie HttpOnly.

Start it with ``streamlit run serve.py`` (``make run`` does). ``streamlit run app.py`` still works,
but then the sign-in cookie is set by a page script and can't be HttpOnly (the session behind it
ends on the server all the same: rag/workspace/sessions.py).
"""

from pathlib import Path

import streamlit as st

from app_pages._session_routes import ROUTES
from rag.workspace.sessions import HANDOVER

HANDOVER.served = True  # the pages hand the sign-in cookie over through ROUTES
app = st.App(str(Path(__file__).parent / "app.py"), routes=ROUTES)
