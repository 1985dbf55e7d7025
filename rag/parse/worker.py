"""The parsing worker: ``python -m rag.parse.worker MEMORY_MB``.

Reads requests from stdin and writes answers to stdout, each one frame:
an 8-byte big-endian length, then a pickle. A request is
``(path, display_name, max_chars)`` (the text allowance, or None; see
:mod:`rag.parse.builder`); an answer is ``(True, ParsedDocument)`` or
``(False, (error class name, message))``. It sends ``(True, "ready")`` once
its parsers are imported, and exits when stdin closes (so it never outlives
the process that started it) or after a MemoryError (its heap is suspect).
"""

from __future__ import annotations

import logging
import pickle
import struct
import sys
import warnings

HEADER = struct.Struct(">Q")


def read_frame(stream):
    """One pickled object from ``stream``, or None at end of stream."""
    header = stream.read(HEADER.size)
    if len(header) < HEADER.size:
        return None
    (size,) = HEADER.unpack(header)
    data = stream.read(size)
    if len(data) < size:
        return None
    return pickle.loads(data)


def write_frame(stream, obj) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(HEADER.pack(len(data)) + data)
    stream.flush()


def main() -> int:
    memory_mb = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    if memory_mb:
        import resource

        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    warnings.simplefilter("ignore")  # parser libraries warn a lot about odd files; results say what matters
    logging.disable(logging.WARNING)
    from pathlib import Path

    from ..errors import GroundedError
    from . import parse_file

    inp, out = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # a library that prints must not corrupt the answer stream
    write_frame(out, (True, "ready"))
    while True:
        request = read_frame(inp)
        if request is None:
            return 0
        path, display_name, max_chars = request
        try:
            answer = (True, parse_file(Path(path), display_name=display_name, max_chars=max_chars))
        except GroundedError as err:
            answer = (False, (type(err).__name__, str(err)))
            if isinstance(err.__cause__, MemoryError):
                write_frame(out, answer)
                return 3
        except MemoryError:
            write_frame(out, (False, ("FileTooLarge", "Reading this file needed more memory than the limit allows.")))
            return 3
        except Exception as err:  # noqa: BLE001 - reported to the parent as a plain reason
            answer = (False, ("BrokenFile", f"This file couldn't be read ({type(err).__name__})."))
        try:
            write_frame(out, answer)
        except MemoryError:
            write_frame(out, (False, ("FileTooLarge", "Reading this file needed more memory than the limit allows.")))
            return 3


if __name__ == "__main__":
    sys.exit(main())
