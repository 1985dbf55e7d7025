"""The parsing worker: ``python -m rag.parse.worker MEMORY_MB [PARENT_PID]``.

Reads requests from stdin and writes answers to stdout, each one frame:
an 8-byte big-endian length, then a pickle. A request is
``(path, display_name, timeout_s, max_chars)`` (OCR stops starting new pages before the
parent's time limit, so a long scan ends with the pages read so far; ``max_chars`` is the text
allowance, or None: see :mod:`rag.parse.builder`); an answer is ``(True, ParsedDocument)`` or
``(False, (error class name, message))``. A request ``(EXPAND, path, display_name, limits, out_dir,
prefix)`` opens an upload into its documents instead (:func:`rag.parse.containers.expand_to`). A dict
is a page to draw for "View page" (see :mod:`rag.parse.render`), answered the same way. It sends
``(True, "ready")`` once
its parsers are imported, and exits after a MemoryError (its heap is suspect).

It never outlives the process that started it: it exits when stdin closes,
and, since that is only noticed between files, a watchdog thread also ends it
within half a second of its parent dying while it is busy with a file (a
SIGKILLed ``grounded ingest`` used to leave its worker parsing for up to the
180-second limit). The watchdog polls the parent's pid rather than relying on
``prctl(PR_SET_PDEATHSIG)``: Linux sends that signal when the *thread* that
started the worker exits, and workers are started from short-lived threads
(the look-ahead's) while they serve the whole process.
"""

from __future__ import annotations

import logging
import os
import pickle
import struct
import sys
import threading
import time
import warnings

HEADER = struct.Struct(">Q")
EXPAND = "expand"  # a request to open an upload: (EXPAND, path, display_name, limits, out_dir, prefix)
OCR_SHARE = 0.8  # of the time limit, OCR may use; the rest is for the other pages and the answer


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


def exit_with_parent(parent: int, every_s: float = 0.5) -> threading.Thread:
    """Start a watchdog that ends this process as soon as ``parent`` is no longer its parent (it died)."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(every_s)
        os._exit(4)  # nobody is left to read the answer; don't finish the parse

    thread = threading.Thread(target=watch, name="parent-watchdog", daemon=True)
    thread.start()
    return thread


def main() -> int:
    memory_mb = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    exit_with_parent(int(sys.argv[2]) if len(sys.argv) > 2 else os.getppid())
    if memory_mb:
        import resource

        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    warnings.simplefilter("ignore")  # parser libraries warn a lot about odd files; results say what matters
    logging.disable(logging.WARNING)
    import time
    from pathlib import Path

    from ..errors import GroundedError
    from . import ocr, parse_file

    inp, out = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # a library that prints must not corrupt the answer stream
    write_frame(out, (True, "ready"))
    while True:
        request = read_frame(inp)
        if request is None:
            return 0
        if isinstance(request, dict):  # a page to draw for "View page" (rag.parse.render)
            if not _answer_render(out, request):
                return 3
            continue
        if request[0] == EXPAND:  # an upload opened into its documents (rag/parse/containers.py)
            _, path, display_name, limits, out_dir, prefix = request
            from .containers import expand_to

            job = lambda: expand_to(Path(path), display_name, limits, Path(out_dir), prefix)  # noqa: E731
        else:
            path, display_name, timeout_s, max_chars = request
            ocr.set_deadline(time.monotonic() + OCR_SHARE * timeout_s if timeout_s > 0 else None)
            job = lambda: parse_file(Path(path), display_name=display_name, max_chars=max_chars)  # noqa: E731
        try:
            answer = (True, job())
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


def _answer_render(out, request: dict) -> bool:
    """Draw and answer one page request; False when the worker must exit (after a MemoryError)."""
    from ..errors import GroundedError
    from . import render

    try:
        answer = (True, render.handle(request))
    except GroundedError as err:
        answer = (False, (type(err).__name__, str(err)))
    except MemoryError:
        answer = None
    except Exception as err:  # noqa: BLE001 - reported to the parent as a plain reason
        answer = (False, ("BrokenFile", f"This page couldn't be drawn ({type(err).__name__}). Open the original file to see it."))
    if answer is not None:
        try:
            write_frame(out, answer)
            return True
        except MemoryError:
            pass
    write_frame(out, (False, ("FileTooLarge", "Drawing this page needed more memory than the limit allows, so it was stopped. "
                                              "Open the original file to see it.")))
    return False


if __name__ == "__main__":
    sys.exit(main())
