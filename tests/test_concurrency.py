"""Eight sessions at once over one shared store, as Streamlit runs them (threads, one Qdrant client).

Each session uploads its own document with a fact no other has, asks about it,
re-uploads a changed version, asks again, and deletes it, while the others do
the same. Every answer must carry its own session's fact and cite its own
file, never another's; nothing may be lost or left behind; and it must all
finish in bounded time.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from rag.answer.chain import AskOptions, ask
from rag.ingest.pipeline import delete_document, ingest_bytes

SESSIONS = 8
COLOURS = ["amber", "cobalt", "crimson", "emerald", "indigo", "magenta", "saffron", "turquoise"]
SHARED = "team"  # half the sessions work in one shared workspace, half in their own


def _document(n: int, version: int) -> bytes:
    return (
        f"# Customer {COLOURS[n]} story\n\n"
        f"Customer {COLOURS[n].title()} Labs cut onboarding to {10 + n + 20 * version} days with the "
        f"{COLOURS[n]} rollout plan.\n"
    ).encode()


def _session(store, n: int, start: threading.Barrier) -> list[str]:
    """One user's work; returns what went wrong (empty when all is well)."""
    problems: list[str] = []
    workspace = SHARED if n % 2 else f"solo-{n}"
    name = f"{COLOURS[n]}-story.md"
    question = f"How long did onboarding take for {COLOURS[n].title()} Labs?"
    start.wait()
    for version in (0, 1):
        result = ingest_bytes(store, name, _document(n, version), workspace)
        if result.status != "indexed":
            problems.append(f"{name} v{version}: {result.status} {result.error}")
            continue
        answer = ask(store, question, workspace, AskOptions(model="extractive"), user=None)
        expected = f"{10 + n + 20 * version} days"
        files = {c.file for c in answer.citations}
        if answer.refused or expected not in answer.answer:
            problems.append(f"{name} v{version}: expected {expected!r} in {answer.answer!r}")
        if files != {name}:
            problems.append(f"{name} v{version}: cited {files}")
        for other in COLOURS:
            if other != COLOURS[n] and other in answer.answer.lower():
                problems.append(f"{name} v{version}: another session's fact in the answer: {answer.answer!r}")
    delete_document(store, result.doc_id)
    if store.catalog.get(result.doc_id) is not None or store.index.count(workspace, result.doc_id):
        problems.append(f"{name}: still there after delete")
    return problems


def test_eight_sessions_at_once_never_cross(store):
    start = threading.Barrier(SESSIONS)
    began = time.monotonic()
    with ThreadPoolExecutor(SESSIONS) as pool:
        futures = [pool.submit(_session, store, n, start) for n in range(SESSIONS)]
        problems = [p for f in futures for p in f.result(timeout=600)]
    elapsed = time.monotonic() - began
    assert not problems, problems
    assert elapsed < 600
    # nothing left behind in any workspace
    assert store.catalog.documents() == []
    for workspace in [SHARED] + [f"solo-{n}" for n in range(0, SESSIONS, 2)]:
        assert store.index.count(workspace) == 0


def test_a_small_upload_goes_on_while_a_large_one_is_embedded_and_a_delete_waits_for_it(store, monkeypatch):
    """The security report: another person's one-line upload waited over 240 s behind a large one."""
    large_embedding, finish_large = threading.Event(), threading.Event()
    real_embed = store.embeddings.embed_array

    def embed(texts):
        if any("Quarterly" in t for t in texts):
            large_embedding.set()
            assert finish_large.wait(60)
        return real_embed(texts)

    monkeypatch.setattr(store.embeddings, "embed_array", embed)
    large: list = []
    ingest = threading.Thread(target=lambda: large.append(ingest_bytes(store, "quarterly.md", b"# Quarterly\n\nRevenue grew.")))
    ingest.start()
    assert large_embedding.wait(60)
    started = time.monotonic()
    small = ingest_bytes(store, "note.txt", b"The office opens at nine.")
    assert small.status == "indexed" and time.monotonic() - started < 30 and not finish_large.is_set()

    large_id = store.catalog.documents(status="indexing")[0].doc_id
    deleting = threading.Thread(target=delete_document, args=(store, large_id))
    deleting.start()
    deleting.join(0.5)
    assert deleting.is_alive()  # the delete waits for the ingest under way, never deletes beneath it
    finish_large.set()
    ingest.join(60), deleting.join(60)
    assert large[0].status == "indexed"
    assert store.catalog.get(large_id) is None and store.index.count("default", large_id) == 0
    assert store.catalog.get(small.doc_id).status == "ready"
