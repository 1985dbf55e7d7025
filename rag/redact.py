"""Secrets never reach logs: every log record is scrubbed of API keys as it is made.

Libraries log request details and exception messages (an API error can echo the
key it was given). A log-record factory (logging's own hook, which every logger
of every library goes through) masks the configured keys in the message and in
the exception text before any handler sees the record, so neither the console
nor a log file ever holds a key.
"""

from __future__ import annotations

import logging
import threading

MASK = "[secret hidden]"

_secrets: set[str] = set()
_lock = threading.Lock()
_base_factory = None


def scrub(text: str) -> str:
    """``text`` with every configured secret replaced by a mask."""
    for secret in sorted(_secrets, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text


def _factory(*args, **kwargs) -> logging.LogRecord:
    record = _base_factory(*args, **kwargs)
    if _secrets:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record is logging's problem, not ours
            return record
        record.msg, record.args = scrub(message), ()
        if record.exc_info:
            record.exc_text = scrub(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
    return record


def install(settings) -> None:
    """Mask this process's configured secrets (API keys, saved ones included) in all logging from now on."""
    add(settings.openai_api_key, settings.compatible_api_key, settings.qdrant_api_key, getattr(settings, "secret_key", None))


def add(*values: str | None) -> None:
    """Mask these secrets too (a key saved from the browser, the install secret that protects saved keys)."""
    global _base_factory
    new = {s for s in values if s and len(s) >= 8}
    with _lock:
        _secrets.update(new)
        if _base_factory is None:
            _base_factory = logging.getLogRecordFactory()
            logging.setLogRecordFactory(_factory)
