"""The choices pages offer and their names: languages, ways to split documents, document kinds. Constants only."""

from __future__ import annotations

from ..ingest.chunk import STRATEGIES
from ..ingest.kinds import KINDS
from ..languages import LANGUAGE_LABELS, LANGUAGES

__all__ = ["KINDS", "LANGUAGES", "LANGUAGE_LABELS", "STRATEGIES"]
