"""The catalog's table families (rag/catalog/<family>.py, reached as ``catalog.<family>``): each one's methods run
their real statements on a fresh catalog, on SQLite and on PostgreSQL (tests/postgres.py)."""

import json
import time
from types import SimpleNamespace

import pytest

from rag.catalog import DocumentRow
from rag.catalog.connections import StoredConnection
from rag.catalog.forgetting import ForgetCheckRecord
from rag.catalog.queue import HELD, NewJob, UploadRecord
from rag.catalog.sources import PageRecord, SourceRecord

pytestmark = pytest.mark.both_databases


def _doc(doc_id, workspace="w", status="ready", language=None):
    now = time.time()
    return DocumentRow(doc_id=doc_id, workspace=workspace, file=f"{doc_id}.md", original_path=None, content_hash="h",
                       version="v1", pending_version=None, kind="other", pages=1, chunks=2, status=status, error=None,
                       uploaded=now, updated=now, settings=None, size_bytes=10, title=None, language=language)


def _job(name, *, workspace="w", by="", batch="b1", status="queued", upload_id=None, size=100):
    done = status not in ("queued", "reading", "indexing")
    return NewJob(batch=batch, workspace=workspace, name=name, upload=name, stored=None if done else f"queue/{batch}/{name}",
                  size=size, chunking="{}", kind=None, force=0, status=status, error=None, queued_by=by, origin="upload",
                  queued=time.time(), finished=time.time() if done else None, seconds=0.0 if done else None,
                  upload_id=upload_id)


def test_queue_queues_claims_in_lanes_leases_and_records(catalog):
    catalog.ensure_workspace("w")
    catalog.queue.queue_batch(
        [UploadRecord(upload_id="b1-0", batch="b1", workspace="w", name="big.zip", what="this ZIP", max_chunks=10,
                      created=time.time())],
        [_job("a1", by="ann", upload_id="b1-0"), _job("a2", by="ann", upload_id="b1-0"), _job("z1", by="zoe"),
         _job("ghost", workspace="deleted"), _job("refused", status="failed")],
    )
    listed = catalog.queue.jobs(workspace="w")
    assert [j.name for j in listed] == ["a1", "a2", "z1", "refused"]
    assert [j.name for j in catalog.queue.jobs(workspace="w", active_only=True)] == ["a1", "a2", "z1"]
    assert catalog.queue.active_batches("w") == ["b1"] and catalog.queue.active_batches("nobody") == []
    assert len(catalog.queue.batch_jobs(["b1"])) == 5

    first = catalog.queue.claim_next("indexer-1", 30.0)
    assert (first.name, first.status, first.worker, first.attempts) == ("a1", "indexing", "indexer-1", 1)
    assert first.lease_until == pytest.approx(first.started + 30.0)
    assert catalog.queue.next_waiting(first.job_id).name == "z1"  # zoe's lane was never served: hers is next
    second = catalog.queue.claim_next("indexer-2", None)
    assert (second.name, second.lease_until) == ("z1", None)
    assert catalog.queue.mark_reading(listed[1].job_id) and not catalog.queue.mark_reading(first.job_id)
    assert catalog.queue.renew_leases("indexer-1", time.time() + 60) == 1
    assert catalog.queue.release_expired(time.time()) == []
    assert catalog.queue.release_expired(time.time() + 120) == [first.job_id]  # indexer-1 died: its job waits again
    again = catalog.queue.claim_next("indexer-3", 30.0)
    assert (again.name, again.attempts) == ("a1", 2)  # the oldest of ann's lane, the reading one after it

    late = catalog.queue.record_result(first, "indexed", None, "d1", 4, 1, time.time())
    assert late is None  # indexer-1's lease ran out and indexer-3 has the job now: its late result is ignored
    done = catalog.queue.record_result(again, "indexed", None, "d1", 4, 1, time.time())
    assert (done.status, done.chunks, done.stored, done.lease_until) == ("indexed", 4, None, None)
    assert catalog.queue.recent_indexed(5) == [("a1", 100, pytest.approx(done.seconds))]

    held = catalog.queue.hold(second, "OCR is not installed.", None, time.time())
    assert held.status == HELD and held.stored
    ghost = catalog.queue.jobs(workspace="deleted")[0]
    assert catalog.queue.stored_needed() == {held.stored, listed[1].stored, ghost.stored}  # held and waiting jobs' bytes
    assert catalog.queue.release_held() == 1 and catalog.queue.get(second.job_id).status == "queued"

    cancelled = catalog.queue.cancel_waiting([listed[1].job_id, done.job_id], time.time())
    assert [j.name for j in cancelled] == ["a2"] and cancelled[0].stored  # as it was: its bytes are named for removal
    assert catalog.queue.get(listed[1].job_id).status == "cancelled"
    assert sorted(j.name for j in catalog.queue.cancel_batch("b1", time.time())) == ["ghost", "z1"]
    assert catalog.queue.claim_next("indexer-1", 30.0) is None
    assert catalog.queue.dismiss([done.job_id, listed[1].job_id]) == 2
    assert [j.name for j in catalog.queue.jobs(workspace="w")] == ["z1", "refused"]
    assert len(catalog.queue.jobs(workspace="w", include_dismissed=True)) == 4


def test_an_uploads_allowance_is_spent_atomically_and_stopped_once(catalog):
    catalog.queue.queue_batch([UploadRecord(upload_id="u", batch="b", workspace="w", name="x.zip", what="this ZIP",
                                            max_chunks=10, created=time.time())], [])
    assert catalog.queue.spend_passages("u", 6) == 6
    assert catalog.queue.spend_passages("u", 5) is None  # over the limit: nothing spent
    assert catalog.queue.upload("u").passages == 6
    catalog.queue.refuse_upload("u", "too many passages")
    catalog.queue.refuse_upload("u", "a later reason")
    record = catalog.queue.upload("u")
    assert (record.refused, record.max_chunks, record.what) == ("too many passages", 10, "this ZIP")
    assert catalog.queue.spend_passages("u", 1) is None  # stopped: nothing more is spent
    assert catalog.queue.upload("missing") is None


def test_queue_ownership_is_taken_beaten_and_given_up(catalog):
    assert catalog.queue.owner() is None
    assert catalog.queue.take_over("the app", "tok-a", time.time())
    assert not catalog.queue.take_over("grounded ingest", "tok-b", time.time())  # the live owner keeps it
    owner = catalog.queue.owner()
    assert (owner.label, owner.token) == ("the app", "tok-a") and owner.alive()
    assert catalog.queue.beat("tok-a", time.time()) and not catalog.queue.beat("tok-b", time.time())
    catalog.queue.give_up("tok-b")
    assert catalog.queue.owner() is not None
    catalog.queue.give_up("tok-a")
    assert catalog.queue.owner() is None


def test_sources_and_their_pages(catalog):
    catalog.ensure_workspace("w")
    catalog.sources.add(SourceRecord("s1", "w", "site", "https://help.example.com/", {"max_pages": 5}, "daily", 1.0))
    catalog.sources.add(SourceRecord("s2", "w", "site", "https://blog.example.com/", {}, "off", 2.0))
    got = catalog.sources.get("s1")
    assert (got.origin, got.options, got.schedule, got.last_counts) == ("https://help.example.com/", {"max_pages": 5}, "daily", {})
    assert catalog.sources.get("nope") is None
    assert [s.source_id for s in catalog.sources.list_sources("w")] == ["s1", "s2"]
    assert catalog.sources.list_sources("other") == []
    catalog.sources.set_schedule("s2", "weekly")
    catalog.sources.mark_started("s1", 10.0, 9.0)
    assert (catalog.sources.get("s1").last_sync, catalog.sources.get("s1").resume_since) == (10.0, 9.0)
    catalog.sources.record_run("s1", 20.0, "ok", None, {"indexed": 2}, None)
    run = catalog.sources.get("s1")
    assert (run.last_sync, run.last_status, run.last_counts, run.resume_since) == (20.0, "ok", {"indexed": 2}, None)

    def page(source_id, url, doc_id, **fields):
        base = {"final_url": url, "status": "indexed", "error": None, "etag": None, "last_modified": None,
                "lastmod": None, "modified": None, "fingerprint": "f1", "links": "[]", "first_seen": 1.0,
                "last_checked": 1.0, "last_changed": 1.0}
        return PageRecord(source_id, url, doc_id=doc_id, **{**base, **fields})

    catalog.sources.save_page(page("s1", "https://help.example.com/b", "d1"))
    catalog.sources.save_page(page("s1", "https://help.example.com/a", "d2"))
    catalog.sources.save_page(page("s1", "https://help.example.com/b", "d1", fingerprint="f2", etag='"e"'))  # again
    rows = catalog.sources.pages("s1")
    assert [r["url"] for r in rows] == ["https://help.example.com/a", "https://help.example.com/b"]
    assert (rows[1]["fingerprint"], rows[1]["etag"]) == ("f2", '"e"')
    assert not catalog.sources.read_elsewhere("d1", "s1")
    catalog.sources.save_page(page("s2", "https://blog.example.com/x", "d1"))
    assert catalog.sources.read_elsewhere("d1", "s1")
    catalog.sources.drop_page("s1", "https://help.example.com/a")
    assert [r["url"] for r in catalog.sources.pages("s1")] == ["https://help.example.com/b"]
    catalog.sources.remove("s1")
    assert catalog.sources.get("s1") is None and catalog.sources.pages("s1") == []
    assert len(catalog.sources.pages("s2")) == 1


def test_kinds_are_recorded_replaced_and_forgotten(catalog):
    catalog.kinds.save("d1", "w", "case study", False, "its name says so", 1.5e9, time.time())
    catalog.kinds.save("d2", "w", None, True, "", None, time.time())
    record = catalog.kinds.record("d1")
    assert (record.guessed, record.chosen, record.reason, record.doc_date) == ("case study", False, "its name says so", 1.5e9)
    catalog.kinds.save("d1", "w", "blog", True, "", None, time.time())
    assert catalog.kinds.record("d1").chosen is True and catalog.kinds.record("d1").guessed == "blog"
    assert set(catalog.kinds.records("w")) == {"d1", "d2"} and catalog.kinds.records("x") == {}
    catalog.kinds.forget("d1")
    assert catalog.kinds.record("d1") is None


def test_origins_are_remembered_read_and_forgotten(catalog):
    catalog.upsert(_doc("d1"))
    catalog.upsert(_doc("d2", workspace="other"))
    catalog.origins.remember("d1", "https://example.com/a", 123.0)
    catalog.origins.remember("d2", "https://example.com/b", 456.0)
    catalog.origins.remember("d1", "https://example.com/moved", 124.0)
    assert catalog.origins.origin_of("d1") == ("https://example.com/moved", 124.0)
    assert catalog.origins.url_of("d1") == "https://example.com/moved" and catalog.origins.url_of("none") == ""
    assert catalog.origins.modified_of("w") == {"d1": 124.0}
    catalog.origins.forget("d1")
    assert catalog.origins.origin_of("d1") == (None, None)


def test_connections_are_saved_replaced_and_forgotten(catalog):
    assert not catalog.connections.any() and catalog.connections.all() == []
    catalog.connections.save(StoredConnection("openai", None, "gpt-x", "gAAAA-encrypted", 1.0, "ann"))
    catalog.connections.save(StoredConnection("compatible", "http://llm:8000/v1", "m", None, 2.0, ""))
    catalog.connections.save(StoredConnection("openai", None, "gpt-y", "gAAAA-other", 3.0, "zoe"))
    assert catalog.connections.any()
    assert catalog.connections.get("openai") == StoredConnection("openai", None, "gpt-y", "gAAAA-other", 3.0, "zoe")
    assert {c.provider for c in catalog.connections.all()} == {"openai", "compatible"}
    catalog.connections.forget("openai")
    assert catalog.connections.get("openai") is None


def _chat_quoting(catalog, doc_id, chunk_ids):
    now = time.time()
    catalog.execute("INSERT INTO chats(chat_id, workspace, title, created, updated) VALUES (?, ?, ?, ?, ?)",
                    ("c1", "w", "t", now, now))
    answer = {"citations": [{"doc_id": doc_id, "chunk_id": c, "quote": "said it", "section": "s"} for c in chunk_ids],
              "hits": [{"doc_id": doc_id, "chunk_id": c} for c in chunk_ids]}
    catalog.execute("INSERT INTO messages(msg_id, chat_id, role, content, answer, created) VALUES (?, ?, ?, ?, ?, ?)",
                    ("m1", "c1", "assistant", "an answer", json.dumps(answer), now))
    catalog.execute("INSERT INTO feedback(msg_id, rating, sources, created) VALUES (?, ?, ?, ?)",
                    ("m1", 1, json.dumps(answer["citations"]), now))


def test_forget_checks_and_a_removed_documents_traces(catalog):
    catalog.upsert(_doc("d1"))
    for n, (check_id, doc_id) in enumerate([("k1", "d1"), ("k2", "d1"), ("k3", "d9")]):
        catalog.forgetting.add(ForgetCheckRecord(check_id, "w", doc_id, "a.md", "deleted", 10.0 + n, {"probes": []}))
    assert [c.check_id for c in catalog.forgetting.checks("w")] == ["k3", "k2", "k1"]
    assert [c.check_id for c in catalog.forgetting.checks("w", doc_id="d1", limit=1)] == ["k2"]
    assert catalog.forgetting.workspaces_with_pending() == ["w"]
    catalog.forgetting.save_result("k2", True, {"asked": 3}, 99.0)
    newest = catalog.forgetting.newest_of("d1")
    assert (newest.status, newest.checked, newest.result, newest.trace) == ("passed", 99.0, {"asked": 3}, {"probes": []})
    assert [c.check_id for c in catalog.forgetting.checks("w", status="pending")] == ["k3", "k1"]

    catalog.execute("INSERT INTO style_rules(rule_id, workspace, kind, doc_id, edited, updated, source_sentence) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)", ("r1", "w", "avoid", "d1", 0, 1.0, "Never say synergy."))
    catalog.execute("INSERT INTO style_rules(rule_id, workspace, kind, doc_id, edited, updated, source_sentence) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)", ("r2", "w", "avoid", "d1", 1, 1.0, "Never say leverage."))
    catalog.usage.record("w", [SimpleNamespace(chunk_id="d1-0", doc_id="d1"), SimpleNamespace(chunk_id="d1-1", doc_id="d1")])
    _chat_quoting(catalog, "d1", ["d1-0", "d1-1"])
    found = catalog.forgetting.leftovers("w", "d1", ["d1-0", "d1-1"], whole=True)
    assert (found.listed, found.style_rules, found.search_log, found.quoted) == (True, True, True, 4)

    catalog.forgetting.clear_old_version("d1")  # only the rule a person edited stays, without the old wording
    assert [(r["rule_id"], r["source_sentence"]) for r in catalog.query("SELECT * FROM style_rules")] == [("r2", "")]
    catalog.forgetting.scrub_quotes("w", "d1", {"d1-0"})
    assert catalog.forgetting.leftovers("w", "d1", ["d1-0"], whole=False).quoted == 0
    assert catalog.forgetting.leftovers("w", "d1", ["d1-1"], whole=False).quoted == 2  # the other passage is kept

    catalog.delete("d1")
    catalog.forgetting.clear_document("w", "d1")
    catalog.forgetting.scrub_quotes("w", "d1", None)
    assert catalog.forgetting.leftovers("w", "d1", ["d1-0", "d1-1"], whole=True) == type(found)()
    saved = json.loads(catalog.query("SELECT answer FROM messages WHERE msg_id = 'm1'")[0]["answer"])
    assert saved["hits"] == [] and all(c["source_deleted"] and not c["quote"] for c in saved["citations"])
    sources = json.loads(catalog.query("SELECT sources FROM feedback WHERE msg_id = 'm1'")[0]["sources"])
    assert all(c["source_deleted"] for c in sources)
    catalog.forgetting.drop_workspace("w")
    assert catalog.forgetting.checks("w") == [] and catalog.forgetting.workspaces_with_pending() == []


def test_usage_counts_retrievals_per_document_and_questions(catalog):
    hit = SimpleNamespace
    catalog.usage.record("w", [hit(chunk_id="a-0", doc_id="a"), hit(chunk_id="a-1", doc_id="a")])
    catalog.record_retrieval("w", [hit(chunk_id="a-0", doc_id="a"), hit(chunk_id="b-0", doc_id="b")], source="draft")
    catalog.usage.record("other", [hit(chunk_id="c-0", doc_id="c")])
    assert catalog.usage.hits_by_document("w") == {"a": 3, "b": 1}
    assert catalog.usage.questions_since("w", 0) == 2 and catalog.usage.questions_since("w", time.time() + 5) == 0


def test_documents_counted_ready_their_languages_and_an_assistants_config(catalog):
    catalog.ensure_workspace("w")
    catalog.upsert(_doc("d1", language="nl"))
    catalog.upsert(_doc("d2"))
    catalog.upsert(_doc("d3", status="indexing", language="de"))
    assert catalog.count_ready("w") == 2 and catalog.count_ready("none") == 0
    assert catalog.document_languages("w", "en") == {"nl", "en"}
    assert catalog.document_languages("none", "en") == set()
    assert catalog.workspace_config("w") == {} and catalog.workspace_config("none") is None
    catalog.execute("UPDATE workspaces SET config = ? WHERE name = ?", (json.dumps({"language": "multilingual"}), "w"))
    assert catalog.workspace_config("w") == {"language": "multilingual"}
