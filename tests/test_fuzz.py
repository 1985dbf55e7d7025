"""Property: any bytes under any supported name end as a clean index entry or a plain reason.

Random bytes, and real documents with random damage, go through the real
ingest path (worker process included). Whatever happens, the result is
``indexed``/``failed``/``skipped`` with a sentence a person can read, the
catalog and index agree, and the previously indexed document still answers.
"""

from __future__ import annotations

import io
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rag.ingest.pipeline import ingest_bytes
from rag.parse import SUPPORTED_EXTENSIONS
from tests.fixtures import make_pdf

EXTENSIONS = sorted(SUPPORTED_EXTENSIONS - {".zip"})


def _seed_documents() -> dict[str, bytes]:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("page.html", "<h1>Help</h1><p>Reset your password from the sign-in page.</p>")
    return {
        ".pdf": make_pdf([["Northwind cut onboarding from 41 days to 12 days."]]),
        ".html": b"<h1>Help</h1><p>Reset your password from the sign-in page.</p>",
        ".md": b"# Title\n\nSome **bold** text and a | table | row |\n",
        ".zip": buffer.getvalue(),
    }


SEEDS = _seed_documents()


def _check(store, name: str, data: bytes) -> None:
    result = ingest_bytes(store, name, data)
    assert result.status in ("indexed", "unchanged", "failed", "skipped"), result
    if result.status in ("indexed", "unchanged"):
        row = store.catalog.get(result.doc_id)
        assert row.status == "ready" and store.index.count("default", result.doc_id) == row.chunks == result.chunks
    else:
        reason = result.error or ""
        assert 10 < len(reason) < 400 and "Traceback" not in reason and "\n" not in reason, reason
        assert reason[0].isupper() and reason.rstrip().endswith((".", ")")), reason
    # the document indexed before the fuzzing is untouched
    assert store.index.count("default", store.canary) == store.catalog.get(store.canary).chunks


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(extension=st.sampled_from(EXTENSIONS + [".zip"]), data=st.binary(max_size=4096))
def test_random_bytes_under_every_supported_name(fuzz_store, extension, data):
    _check(fuzz_store, f"fuzz{extension}", data)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    extension=st.sampled_from(sorted(SEEDS)),
    cut=st.floats(0.0, 1.0),
    flips=st.lists(st.tuples(st.floats(0.0, 1.0), st.integers(0, 255)), max_size=8),
)
def test_real_documents_with_random_damage(fuzz_store, extension, cut, flips):
    data = bytearray(SEEDS[extension][: max(1, int(len(SEEDS[extension]) * cut))])
    for where, value in flips:
        data[int(where * (len(data) - 1))] = value
    _check(fuzz_store, f"damaged{extension}", bytes(data))


import pytest  # noqa: E402


@pytest.fixture(scope="module")
def fuzz_store(tmp_path_factory):
    from rag.index import close_all_indexes
    from rag.ingest.recovery import open_store
    from rag.settings import Settings

    root = tmp_path_factory.mktemp("fuzz")
    store = open_store(Settings.load(root / "data", secrets_path=root / "none.toml"))
    store.canary = ingest_bytes(store, "canary.md", b"# Canary\n\nThe canary document must survive every bad upload.\n").doc_id
    yield store
    store.catalog.close()
    close_all_indexes()
