"""API keys never appear in logs, errors, exports or the page."""

from __future__ import annotations

import logging

from rag import redact
from rag.answer.chain import AskOptions
from rag.ingest.pipeline import ingest_bytes
from rag.workspace.chats import answer_markdown

KEY = "sk-test-DO-NOT-LEAK-0123456789abcdef"


def test_keys_are_masked_in_log_lines_and_tracebacks(settings, caplog):
    redact.install(settings.with_(openai_api_key=KEY))
    log = logging.getLogger("some.library")
    with caplog.at_level(logging.INFO):
        log.info("calling the API with key %s", KEY)
        try:
            raise RuntimeError(f"401: Incorrect API key provided: {KEY}")
        except RuntimeError:
            log.exception("request failed")
    text = caplog.text + "".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert KEY not in text and redact.MASK in text


def test_a_refused_key_leaves_no_trace_in_the_answer_or_its_export(store, monkeypatch):
    ingest_bytes(store, "pricing.md", b"# Pricing\n\nEnterprise plans cost 900 dollars per month.\n")
    settings = store.settings.with_(openai_api_key=KEY)
    def refusing_model(settings, choice):
        raise RuntimeError(f"Error code: 401 - Incorrect API key provided: {KEY}")

    monkeypatch.setattr("rag.answer.models.make_chat_model", refusing_model)
    from rag.answer.chain import ask_stream

    result = [e for e in ask_stream(store, "What does Enterprise cost?", options=AskOptions(model="openai"), settings=settings, user=None)][-1].answer
    assert "900 dollars" in result.answer  # fell back to quotes
    everything = result.answer + " ".join(n.text for n in result.notices) + answer_markdown("What does Enterprise cost?", result)
    assert KEY not in everything and "sk-" not in everything


def test_settings_never_print_keys(settings):
    assert KEY not in repr(settings.with_(openai_api_key=KEY, compatible_api_key=KEY, qdrant_api_key=KEY))
