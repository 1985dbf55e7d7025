"""Which languages an assistant works in: its setting, and the languages its documents are in.

The catalog's side of the language feature, kept in one place (the assistant's
setting is in its JSON configuration, rag/workspace/assistants.py; each document's
language in ``documents.language``, migration m023_assistant_language).
"""

from __future__ import annotations

from .words import ENGLISH

DEFAULT_LANGUAGE = "english"  # an assistant's setting: "english" (MiniLM) or "multilingual" (e5)
LANGUAGES = ("english", "multilingual")
LANGUAGE_LABELS = {
    "english": "English (fastest)",
    "multilingual": "Multilingual (Dutch, German, French, Spanish and more, side by side with English)",
}
# How much longer the multilingual model takes per passage than the English one (grounded bench
# multilingual, 2 cores): a language change's re-index estimate scales the last indexing time by it.
MULTILINGUAL_SLOWER = 8.0


def check_language(language: str) -> str:
    """``language`` if it is a setting there is ("english", "multilingual"), else a plain error."""
    from .errors import GroundedError

    value = (language or "").strip().lower()
    if value not in LANGUAGES:
        raise GroundedError(f"There is no language setting {language!r}: choose english or multilingual.")
    return value


def assistant_language(catalog, workspace: str) -> str:
    """The language setting of ``workspace``'s assistant ("english" when it has none or doesn't exist)."""
    config = catalog.workspace_config(workspace)
    if not config:
        return DEFAULT_LANGUAGE
    return config.get("language") or DEFAULT_LANGUAGE


def document_languages(catalog, workspace: str) -> list[str]:
    """The languages of ``workspace``'s documents (ISO 639-1 codes, English first); English when it has none.

    A document indexed before languages were told apart (no language recorded) was analysed as English.
    """
    found = catalog.document_languages(workspace, ENGLISH) or {ENGLISH}
    return sorted(found, key=lambda code: (code != ENGLISH, code))
