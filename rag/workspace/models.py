"""Which model answers and writes, and whether the install's readers and models work: for the Settings, Chat, Write
and Health pages. About the install only (no document, chat or assistant in it)."""

from __future__ import annotations

from ..answer.models import MODEL_CHOICES, WEAK_MODEL_AHEAD, local_model_path, resolve_model
from ..answer.setup import broken, recent_setup_checks, setup_checks

__all__ = ["MODEL_CHOICES", "WEAK_MODEL_AHEAD", "broken", "local_model_path", "recent_setup_checks", "resolve_model",
           "setup_checks"]
