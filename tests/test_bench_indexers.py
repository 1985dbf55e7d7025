"""``grounded bench indexers``: queue throughput with one and two ``grounded indexer`` processes on PostgreSQL."""

from __future__ import annotations

import pytest

from rag.bench import indexers
from rag.cli import main


def test_the_report_gives_jobs_a_minute_and_the_load_with_each_round():
    rounds = [{"indexers": n, "documents": 40, "failed": 0, "passages": 160, "seconds": s, "jobs_per_minute": round(2400 / s, 1),
               "documents_per_s": round(40 / s, 3), "passages_per_s": round(160 / s, 1), "cpu_s_per_document": 0.4,
               "load_before": 2.0, "load_after": 2.5} for n, s in ((1, 48.0), (2, 30.0))]
    shown = indexers.render({"rounds": rounds}).splitlines()
    assert "jobs/min" in shown[0] and "load avg" in shown[0]
    assert shown[2].split()[:6] == ["1", "40", "0", "160", "48.0", "50.0"]
    assert shown[3].split()[5] == "80.0" and shown[3].endswith("2.0 -> 2.5")


def test_the_command_needs_a_database_url(capsys):
    with pytest.raises(SystemExit):
        main(["bench", "indexers"])
    assert "--database-url" in capsys.readouterr().err


@pytest.mark.slow
def test_it_runs_with_one_and_two_indexers_on_postgresql(postgres):
    result = indexers.run(indexers.IndexersConfig(postgres.base_url, files=4, counts=(1, 2), paragraphs=3))
    assert [(r["indexers"], r["documents"], r["failed"]) for r in result["rounds"]] == [(1, 4, 0), (2, 4, 0)]
    assert all(r["jobs_per_minute"] > 0 and r["passages"] >= 4 for r in result["rounds"])
