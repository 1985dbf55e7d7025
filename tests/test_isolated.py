"""Parsing in the worker process: same results, and a hung or greedy parser is stopped."""

from __future__ import annotations

import pytest

from rag.errors import FileTooLarge, ParseTimeout, UnsupportedFile
from rag.parse import isolated, parse_file
from rag.parse.isolated import parse_file_isolated
from tests.fixtures import make_pdf


@pytest.fixture
def pdf(tmp_path):
    path = tmp_path / "two-pages.pdf"
    path.write_bytes(make_pdf([["Northwind cut onboarding from 41 days to 12 days."], ["Support tickets fell by a third."]]))
    return path


def test_same_result_as_in_process(pdf):
    assert parse_file_isolated(pdf, "two-pages.pdf") == parse_file(pdf, "two-pages.pdf")


def test_typed_errors_cross_the_process_boundary(tmp_path):
    odd = tmp_path / "notes.xyz"
    odd.write_bytes(b"hello")
    with pytest.raises(UnsupportedFile, match="aren't supported"):
        parse_file_isolated(odd, "notes.xyz")


def test_a_parse_over_time_is_stopped_and_the_next_file_still_works(tmp_path, pdf):
    slow = tmp_path / "slow.txt"
    slow.write_bytes(b"A sentence about onboarding.\n" * 1_000_000)  # 29 MB: well over a second to parse
    parse_file_isolated(pdf, "two-pages.pdf")  # a warm worker, so only the parse itself is timed
    with pytest.raises(ParseTimeout, match="took longer than"):
        parse_file_isolated(slow, "slow.txt", timeout_s=0.2)
    assert isolated._worker is None  # killed, not left running
    assert parse_file_isolated(pdf, "two-pages.pdf").pages == 2


def test_a_parse_over_the_memory_limit_is_stopped(tmp_path, pdf):
    big = tmp_path / "big.txt"
    big.write_bytes(b"word " * (16 * 1024 * 1024))  # 80 MB of text
    with pytest.raises(FileTooLarge, match="memory"):
        parse_file_isolated(big, "big.txt", memory_mb=160)
    assert parse_file_isolated(pdf, "two-pages.pdf").pages == 2


def test_a_crashed_worker_is_replaced(pdf):
    parse_file_isolated(pdf, "two-pages.pdf")
    isolated._worker.proc.kill()
    isolated._worker.proc.wait()
    assert parse_file_isolated(pdf, "two-pages.pdf").pages == 2


def _gone(pid: int) -> bool:
    """The process has exited (a zombie nobody has reaped yet counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except FileNotFoundError:
        return True


def test_a_worker_never_outlives_its_parent(tmp_path):
    """A killed ``grounded ingest`` must not leave its worker parsing for minutes: the worker's stdin is
    held open here (as if it were busy with a file), so only its watchdog can notice the parent died."""
    import os
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    read_end, write_end = os.pipe()
    script = (
        "import os, subprocess, sys, time\n"
        "w = subprocess.Popen([sys.executable, '-m', 'rag.parse.worker', '0', str(os.getpid())], stdin=int(sys.argv[1]),"
        " stdout=subprocess.DEVNULL)\n"
        "print(w.pid, flush=True)\n"
        "time.sleep(600)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script, str(read_end)], pass_fds=(read_end,), stdout=subprocess.PIPE,
                              cwd=root, text=True)
    try:
        worker = int(parent.stdout.readline())
        time.sleep(1.0)
        assert not _gone(worker)  # alive while its parent is
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 10
        while not _gone(worker):
            assert time.monotonic() < deadline, "the worker outlived its parent"
            time.sleep(0.1)
    finally:
        os.close(read_end)
        os.close(write_end)
        if parent.poll() is None:
            parent.kill()
