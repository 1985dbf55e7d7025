"""``grounded bench team`` without a browser: the documents, the questions, the assistant and the report maths.

The browser part (the load itself) is what the benchmark runs; here its pieces are checked on
tiny data, fast. Targets are judged in the benchmark's output, never asserted here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rag.bench import team
from rag.bench.team import (
    MARKER,
    Outcome,
    ProcessWatch,
    TeamConfig,
    app_folders,
    assign_questions,
    build_assistant,
    capacity,
    check_config,
    coined_names,
    library_times,
    make_documents,
    relay_times,
    render,
    session_urls,
    spread,
    states,
    summarise_step,
    targets,
    team_database,
    team_env,
)
from rag.cli import main


def test_every_question_has_one_answer_document_that_states_its_figure():
    documents = make_documents(300, seed=3)
    assert make_documents(300, seed=3) == documents  # the same assistant for the same seed
    assert len({d.file for d in documents}) == 300
    kinds = {d.file.split("/")[0] for d in documents}
    assert kinds == {"case-studies", "help"}
    for doc in documents:
        assert doc.text.startswith(f"# {doc.title}\n")
        for q in doc.questions:
            assert q.file == doc.file and q.title == doc.title
            assert states(doc.text, q.expected)
    # the name a question asks about is found in its own document only
    for doc in documents[:40]:
        name = doc.title.split()[0]
        assert [d.file for d in documents if name in d.text] == [doc.file]


def test_coined_names_are_distinct_words():
    names = coined_names(2_000, seed=1)
    assert len(set(names)) == 2_000 and all(n.isalpha() and n[0].isupper() for n in names)


def test_questions_are_shared_out_without_repeats():
    documents = make_documents(30)
    drawn = assign_questions(documents, sessions=4, rounds=5, seed=2)
    assert [len(qs) for qs in drawn] == [5, 5, 5, 5]
    texts = [q.text for qs in drawn for q in qs]
    assert len(set(texts)) == 20
    with pytest.raises(ValueError, match="need 61 questions"):
        assign_questions(documents, sessions=61, rounds=1, seed=2)


def test_states_ignores_case_and_spacing_but_not_the_figure():
    assert states("Acme cut onboarding from 41 days to 12  Days.", "12 days")
    assert not states("It took 13 days.", "12 days")
    assert states("The Team plan costs $49 per month.", "$49")


def test_report_maths_by_hand():
    assert spread([]) == {"p50_s": 0.0, "p95_s": 0.0, "max_s": 0.0}
    figures = spread([float(s) for s in range(1, 21)])  # 1 .. 20 s
    assert figures["p50_s"] == pytest.approx(10.5) and figures["p95_s"] == pytest.approx(19.05)
    assert figures["max_s"] == 20.0
    outcomes = [Outcome(1.0), Outcome(2.0), Outcome(None, "timed out"), Outcome(3.0, "wrong answer")]
    step = summarise_step(2, outcomes, page_errors=1, wall_s=12.34)
    assert step["questions"] == 4 and step["p50_s"] == 2.0  # late answers have no time; wrong ones do
    assert step["errors"] == 3
    assert step["error_kinds"] == {"timed out": 1, "wrong answer": 1, "page error": 1}
    config = TeamConfig(sessions=(1, 2))
    assert targets(config, [step]) == []  # 20 sessions were not run: nothing to judge
    judged = targets(TeamConfig(target_sessions=2), [step])
    assert [t.passed for t in judged] == [True, False]  # p95 under 3 s, but errors


def test_assistant_is_ingested_once_answers_right_and_is_reused(tmp_path, capsys):
    documents = make_documents(12, seed=5)
    data = tmp_path / "data"
    first = build_assistant(data, documents, seed=5)
    assert first["documents"] == 12 and first["chunks"] >= 12 and not first["reused"]
    assert json.loads((data / MARKER).read_text())["ingest_s"] == first["ingest_s"]
    again = build_assistant(data, documents, seed=5)
    assert again["reused"] and again["ingest_s"] == first["ingest_s"]
    with pytest.raises(ValueError, match="holds another assistant"):
        build_assistant(data, make_documents(13, seed=5), seed=5)
    library = library_times(data, documents, TeamConfig(sessions=(1, 3), questions=2))
    assert library["questions"] == 16 and library["wrong"] == 0 and library["p95_s"] > 0
    assert [(a["sessions"], a["questions"], a["wrong"]) for a in library["at_once"]] == [(1, 2, 0), (3, 6, 0)]
    result = {"assistant": first, "library": library, "first_answer": summarise_step(1, [Outcome(4.2)], 0, 4.2), "config": {"questions": 2}, "app_tracebacks": 0, "targets": [],
              "steps": [{**summarise_step(1, [Outcome(0.8)], 0, 3.0), "app_rss_peak_mb": 900.0, "app_cpu_per_question_s": 0.4,
                         "browser_cpu_s": 2.0, "load_before": 1.0, "load_after": 1.5}]}
    shown = render(result)
    assert "1.0 -> 1.5" in shown and "first answer (loading the embedding model): 4.2 s" in shown


def test_team_command_refuses_a_folder_it_did_not_make(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("someone's files")
    assert main(["bench", "team", "--documents", "12", "--data-dir", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("grounded bench: ") and "not empty" in err and err.count("\n") == 1


# ---- one and two app processes on PostgreSQL: the options' plumbing, no browser --------------------------------------


def test_two_apps_need_a_postgresql_catalog_and_say_so_before_any_work(tmp_path, capsys):
    check_config(TeamConfig())  # one app on SQLite, as before
    check_config(TeamConfig(apps=(1, 2), database_url="postgresql://grounded@127.0.0.1:5432/postgres"))
    with pytest.raises(ValueError, match="give --database-url"):
        check_config(TeamConfig(apps=(1, 2)))
    with pytest.raises(ValueError, match="from 1 to 4"):
        check_config(TeamConfig(apps=(0,), database_url="postgresql://h/db"))
    with pytest.raises(ValueError, match="PostgreSQL server's address"):
        check_config(TeamConfig(database_url="sqlite:///x.db"))
    data = tmp_path / "data"
    assert main(["bench", "team", "--documents", "12", "--apps", "1,2", "--data-dir", str(data)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("grounded bench: ") and "--database-url" in err and err.count("\n") == 1
    assert not data.exists()  # refused before the assistant was built


def test_the_command_hands_its_options_to_the_benchmark(monkeypatch, capsys):
    seen = []
    monkeypatch.setattr(team, "run", lambda config: seen.append(config) or {"shown": True})
    monkeypatch.setattr(team, "render", lambda result: "rendered")
    url = "postgresql://grounded@127.0.0.1:55444/postgres"
    assert main(["bench", "team", "--documents", "1000", "--sessions", "1,5", "--apps", "1,2", "--database-url", url]) == 0
    (config,) = seen
    assert (config.apps, config.database_url, config.sessions, config.documents) == ((1, 2), url, (1, 5), 1000)
    assert main(["bench", "team", "--documents", "30"]) == 0
    assert (seen[-1].apps, seen[-1].database_url) == ((1,), None)


def test_sessions_alternate_between_the_apps():
    assert session_urls(["a"], 3) == ["a", "a", "a"]
    assert session_urls(["a", "b"], 5) == ["a", "b", "a", "b", "a"]


def test_the_team_runs_as_docs_team_md_says():
    env = team_env("postgresql://u@h/db", Path("/shared"))
    assert env == {"GROUNDED_DATABASE_URL": "postgresql://u@h/db", "GROUNDED_ORIGINALS_DIR": "/shared",
                   "GROUNDED_INDEXER": "service"}
    from rag.settings import Settings

    settings = Settings.load("/tmp/x", secrets_path=Path("/nonexistent"))
    from dataclasses import replace

    assert not replace(settings, indexer=env["GROUNDED_INDEXER"]).indexes_here  # the apps index nothing


def test_a_second_app_gets_its_own_copy_of_the_index_without_the_lock(tmp_path):
    data = tmp_path / "data"
    (data / "edge" / "rag_default" / "segments").mkdir(parents=True)
    (data / "edge" / "rag_default" / "segments" / "a.bin").write_bytes(b"vectors")
    (data / "edge" / ".lock").write_text("")
    (data / "catalog.sqlite3").write_text("not copied: the catalog is shared")
    assert app_folders(data, tmp_path / "scratch", 1) == [data]
    folders = app_folders(data, tmp_path / "scratch", 2)
    assert folders == [data, tmp_path / "scratch" / "app-2"]
    copy = folders[1] / "edge"
    assert (copy / "rag_default" / "segments" / "a.bin").read_bytes() == b"vectors"
    assert not (copy / ".lock").exists() and not (folders[1] / "catalog.sqlite3").exists()
    assert app_folders(data, tmp_path / "scratch", 2) == folders  # made once, reused by a later round


def test_the_watch_adds_up_several_processes_and_outlives_them():
    import os
    import subprocess
    import sys

    burn = "import time\nend = time.process_time() + 0.3\nwhile time.process_time() < end: pass\ntime.sleep(30)"
    procs = [subprocess.Popen([sys.executable, "-c", burn]) for _ in range(2)]
    try:
        with ProcessWatch(*(p.pid for p in procs)) as watch:
            assert {p.pid for p in watch.processes()} == {p.pid for p in procs}
            import time

            time.sleep(1.2)
            procs[0].kill()
            procs[0].wait()
            assert [p.pid for p in watch.processes()] == [procs[1].pid]  # an ended one is left out, no error
        assert watch.peak_mb > 0
        # a child that burns CPU and ends within the phase still counts (its time goes to its parent)
        with ProcessWatch(os.getpid()) as me:
            subprocess.run([sys.executable, "-c", burn.replace("time.sleep(30)", "")], check=True)
        assert me.cpu_s >= 0.3
        with ProcessWatch() as nobody:  # no indexer: nothing counted
            pass
        assert nobody.cpu_s == 0.0 and nobody.processes() == []
    finally:
        for p in procs:
            p.kill()
            p.wait()


def test_the_arithmetic_for_cores_by_hand():
    c = capacity(0.45, 20, 3.0)  # 20 answers of 0.45 s of CPU in 3 s: 9 s of work, 3 cores
    assert c == {"answers_per_s_per_core": 2.22, "askers": 20, "cores_exact": 3.0, "cores": 3}
    assert capacity(0.5, 5, 3.0)["cores"] == 1 and capacity(0.5, 5, 3.0)["cores_exact"] == pytest.approx(0.83)
    assert capacity(0.7, 20, 3.0)["cores"] == 5  # 4.67 rounds up
    assert capacity(0.0, 20, 3.0)["cores"] == 0  # nothing measured


def test_report_per_apps_with_relay_and_arithmetic():
    step = {**summarise_step(5, [Outcome(1.0)] * 5, 0, 3.0), "apps": 2, "app_rss_peak_mb": 900.0,
            "app_cpu_per_question_s": 0.4, "indexer_cpu_s": 0.2, "cpu_per_answer_s": 0.45, "browser_cpu_s": 2.0,
            "database_cpu_per_answer_s": 0.061,
            "load_before": 3.0, "load_after": 3.5}
    relayed = [{"sessions": 5, "questions": 25, "wrong": 0, "p50_s": 1.5, "p95_s": 2.5, "max_s": 2.6,
                "load_before": 3.5, "load_after": 3.6}]
    result = {"assistant": {"documents": 12, "chunks": 36, "ingest_s": 1.0, "documents_per_s": 12.0, "reused": True,
                            "settle_s": 0.0},
              "library": {"questions": 1, "wrong": 0, "p50_s": 0.1, "p95_s": 0.1, "at_once": []},
              "first_answer": summarise_step(2, [Outcome(4.0)], 0, 4.0), "targets": [], "app_tracebacks": 0,
              "config": {"questions": 5, "catalog": "postgresql", "target_p95_s": 3.0, "target_sessions": 20},
              "rounds": [{"apps": 1, "relayed": relayed}], "steps": [step]}
    shown = render(result)
    assert "catalog on postgresql" in shown and "5: p50 1.50 s, p95 2.50 s, wrong 0 (load 3.5 -> 3.6)" in shown
    assert "0.450 s of CPU per answer = 2.22 answers/s per core" in shown
    assert "database CPU s/answer" in shown and "0.061" in shown
    assert "20 at once within 3 s: 20 x 0.450 / 3 = 3.00 -> 3 core(s)" in shown
    assert "5 at once within 3 s: 5 x 0.450 / 3 = 0.75 -> 1 core(s)" in shown
    judged = targets(TeamConfig(target_sessions=5), [step, {**step, "apps": 1}])
    assert [t.name for t in judged] == ["answer time p95 at 5 sessions on 2 apps", "errors at 5 sessions on 2 apps",
                                        "answer time p95 at 5 sessions", "errors at 5 sessions"]


@pytest.mark.slow
def test_the_catalog_goes_to_postgresql_and_reads_relay_through_it(tmp_path, postgres, monkeypatch):
    """The assistant's catalog copied to a fresh database (dropped after); the questions relayed through it to a
    process holding the index, N at once, all answered right."""
    import sqlalchemy as sa

    from rag.answer.relay import serve_reads, stop_serving_reads
    from rag.catalog import Catalog
    from rag.index import close_all_indexes
    from rag.ingest.recovery import open_store
    from rag.store import DataFolder

    for var in ("QDRANT_URL", "GROUNDED_DATABASE_URL", "GROUNDED_ORIGINALS_DIR", "GROUNDED_INDEXER", "GROUNDED_EMBEDDING"):
        monkeypatch.delenv(var, raising=False)
    documents = make_documents(12, seed=5)
    data = tmp_path / "data"
    build_assistant(data, documents, seed=5)
    server = postgres.base_url
    with team_database(server, data) as url:
        import psutil

        from rag.bench.team import database_server_pid

        assert "postgres" in psutil.Process(database_server_pid(url)).name()  # the server's CPU is counted apart
        copied = Catalog(url)
        try:
            assert copied.postgres and len(copied.query("SELECT doc_id FROM documents")) == 12
        finally:
            copied.close()
        from dataclasses import replace

        holder = open_store(replace(team._app_settings(data), database_url=url))
        folder = DataFolder(replace(team._app_settings(data), database_url=url))
        try:
            serve_reads(holder)
            relayed = relay_times(folder, documents, TeamConfig(sessions=(1, 3), questions=1))
        finally:
            stop_serving_reads(holder, timeout=10)
            folder.close()
            holder.catalog.close()
            close_all_indexes()
    assert [(r["sessions"], r["questions"], r["wrong"]) for r in relayed] == [(1, 1, 0), (3, 3, 0)]
    assert all(r["p95_s"] > 0 for r in relayed)
    engine = sa.create_engine(sa.engine.make_url(server).set(drivername="postgresql+psycopg"))
    try:
        with engine.connect() as conn:
            names = [r[0] for r in conn.exec_driver_sql("SELECT datname FROM pg_database")]
    finally:
        engine.dispose()
    import os

    assert f"grounded_bench_team_{os.getpid()}" not in names  # dropped afterwards
