"""``grounded checks`` beside a running app: list and add from the catalog, a run done by the app's check runner."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.test_cli_beside_app import _env, grounded

APP = """
import sys, time
from rag.answer.relay import serve_reads
from rag.ingest.indexer import start_indexer
from rag.ingest.recovery import open_store
from rag.quality.runner import start_check_runner
from rag.settings import Settings

store = open_store(Settings.load(sys.argv[1]))
start_indexer(store)
serve_reads(store)
start_check_runner(store)
print("ready", flush=True)
time.sleep(3600)
"""


@pytest.fixture
def app(tmp_path):
    data = tmp_path / "data"
    proc = subprocess.Popen([sys.executable, "-c", APP, str(data)], cwd=tmp_path, env=_env(data), stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        yield data
    finally:
        proc.kill()
        proc.wait()


@pytest.mark.slow  # an app process and commands beside it
def test_checks_beside_the_app(app, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "northwind.md").write_text("# Northwind\n\nNorthwind cut onboarding from 41 days to 12 days.\n")
    assert grounded(app, "ingest", folder).returncode == 0
    added = grounded(app, "checks", "add", "How long did onboarding take for Northwind?", "--fact", "12 days",
                     "--source", "northwind.md", "--json")
    assert added.returncode == 0, added.stderr
    wrong = grounded(app, "checks", "add", "How long did onboarding take for Northwind?", "--fact", "14 days")
    assert wrong.returncode == 0, wrong.stderr
    listed = json.loads(grounded(app, "checks", "list", "--json").stdout)
    assert [c["facts"] for c in listed] == [["12 days"], ["14 days"]]
    ran = grounded(app, "checks", "run", "--json")  # queued for the app's runner, waited for
    assert ran.returncode == 0, ran.stderr
    report = json.loads(ran.stdout)
    assert report["run"]["passed"] == 1 and report["run"]["total"] == 2
    assert [r["passed"] for r in report["results"]] == [True, False]
    assert report["results"][1]["why"] == "It doesn't say “14 days”."
    refused = grounded(app, "checks", "suggest")
    assert refused.returncode == 1 and "Checks page" in refused.stderr
