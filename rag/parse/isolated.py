"""Parsing in a separate worker process, with a time limit and a memory limit.

Parser libraries meet hostile input: a PDF whose layout makes pdfplumber run
for an hour, a spreadsheet that balloons to gigabytes, a C extension that
crashes. None of that may take the app down or hang an upload, so files are
parsed by a worker process (``python -m rag.parse.worker``):

- the worker runs under an address-space limit (``RLIMIT_AS``), so runaway
  memory ends in a MemoryError or a dead worker, never a swapping server;
- the parent waits at most ``timeout_s`` for each file, then kills the worker;
- a worker that dies (a segfault, the out-of-memory killer) becomes a plain
  "couldn't be read" message, and the next file gets a fresh worker;
- a worker never outlives this process, even mid-file (see :mod:`rag.parse.worker`).

The worker lives across files (importing the parsers takes seconds; a file
often takes milliseconds) and is replaced after a timeout, a crash, a
MemoryError, or every ``RECYCLE_AFTER`` files. A separate interpreter rather
than a fork: the app's threads (Streamlit, onnxruntime, Qdrant) must not be
forked mid-flight.
"""

from __future__ import annotations

import atexit
import os
import select
import subprocess
import sys
import threading
import time
from pathlib import Path

from ..errors import BrokenFile, FileTooLarge, GroundedError, ParseTimeout
from ..types import ParsedDocument
from .worker import HEADER, write_frame

STARTUP_TIMEOUT_S = 120.0  # importing the parsers on a busy 2-core machine
RECYCLE_AFTER = 200


class _Deadline(Exception):
    pass


class _Worker:
    """One worker process and the pipes to it."""

    def __init__(self, memory_mb: int):
        self.memory_mb = memory_mb
        self.served = 0
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "rag.parse.worker", str(memory_mb), str(os.getpid())],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=str(Path(__file__).resolve().parents[2]),  # so `rag` imports even when run from elsewhere
            # one thread each for BLAS and Tesseract: the app embeds on the other core meanwhile
            env={**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_THREAD_LIMIT": "1"},
        )
        ready = self._read(STARTUP_TIMEOUT_S)
        if ready != (True, "ready"):
            self.kill()
            raise BrokenFile("The document reader could not start. Please try again.")

    def _read(self, timeout_s: float):
        """Read one frame, waiting at most ``timeout_s`` for it to begin and to complete.

        The answer is read straight into one buffer of its announced size (not
        gathered in pieces and joined), so a large document costs this process
        its pickle once, then the objects it becomes.
        """
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + timeout_s
        header = self._read_into(fd, bytearray(HEADER.size), deadline)
        (size,) = HEADER.unpack(header)
        import pickle

        return pickle.loads(self._read_into(fd, bytearray(size), deadline))

    @staticmethod
    def _read_into(fd: int, buffer: bytearray, deadline: float) -> bytearray:
        view, done = memoryview(buffer), 0
        while done < len(buffer):
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                raise _Deadline
            n = os.readv(fd, [view[done : done + (1 << 20)]])
            if not n:
                raise EOFError
            done += n
        return buffer

    def parse(self, path: Path, display_name: str, timeout_s: float, max_chars: int | None):
        write_frame(self.proc.stdin, (str(path), display_name, timeout_s, max_chars))
        self.served += 1
        return self._read(timeout_s)

    def ask(self, request: dict, timeout_s: float):
        write_frame(self.proc.stdin, request)
        self.served += 1
        return self._read(timeout_s)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            pass
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                stream.close()
            except OSError:
                pass


_worker: _Worker | None = None
_lock = threading.Lock()


# "View page" draws pages in a worker of its own, under its own limits: a person waiting for a page
# never waits behind a file being indexed (up to the parse time limit), and drawing never ends a parse.
# Address space (RLIMIT_AS) of that worker: idle it takes 130 MB, drawing a page at 3,000 px wide (12 MP) 270 MB at
# its peak; an image up to the 80 MP limit is decoded whole (up to 320 MB) before it is made small.
RENDER_MEMORY_MB = 1024
RENDER_TIMEOUT_S = 30.0
_render_worker: _Worker | None = None
_render_lock = threading.Lock()


def _shutdown() -> None:
    global _worker, _render_worker
    if _worker is not None:
        _worker.kill()
        _worker = None
    if _render_worker is not None:
        _render_worker.kill()
        _render_worker = None


atexit.register(_shutdown)


def _rebuild(kind: str, message: str) -> GroundedError:
    from .. import errors

    cls = getattr(errors, kind, None)
    if not (isinstance(cls, type) and issubclass(cls, GroundedError)):
        cls = BrokenFile
    return cls(message)


def parse_file_isolated(
    path: Path, display_name: str, timeout_s: float = 180.0, memory_mb: int = 4096, max_chars: int | None = None
) -> ParsedDocument:
    """:func:`rag.parse.parse_file` in the worker process; raises the same typed errors.

    ``max_chars`` is the text allowance (see :mod:`rag.parse.builder`): the
    worker stops there, so a document too big to index never crosses the pipe.
    ``timeout_s`` <= 0 parses in this process (no isolation), for debugging.
    """
    path = Path(path).absolute()  # the worker runs from the project folder, not the caller's
    if timeout_s <= 0:
        from . import parse_file

        return parse_file(path, display_name=display_name, max_chars=max_chars)
    global _worker
    with _lock:  # one file at a time per worker; ingest is serialised per store anyway
        if _worker is None or not _worker.alive() or _worker.memory_mb != memory_mb or _worker.served >= RECYCLE_AFTER:
            if _worker is not None:
                _worker.kill()
            _worker = _Worker(memory_mb)
        worker = _worker
        try:
            ok, payload = worker.parse(path, display_name, timeout_s, max_chars)
        except _Deadline:
            worker.kill()
            _worker = None
            raise ParseTimeout(
                f"Reading this file took longer than {timeout_s:g} seconds, so it was stopped. "
                "Split it into smaller files or save it in another format."
            ) from None
        except (EOFError, OSError, ValueError):
            code = worker.proc.wait(5) if worker.proc.poll() is None else worker.proc.returncode
            worker.kill()
            _worker = None
            if code == -9:
                raise FileTooLarge("Reading this file needed more memory than the limit allows, so it was stopped.") from None
            raise BrokenFile("This file couldn't be read: the reader stopped unexpectedly (the file may be damaged).") from None
        if not worker.alive() or (not ok and payload[0] == "FileTooLarge"):
            worker.kill()  # it exits itself after a MemoryError; make sure, and start fresh next time
            _worker = None
    if ok:
        return payload
    raise _rebuild(*payload)


# Uploads are opened by a worker of their own: queuing an upload never waits behind the indexer's parse.
_expander: _Worker | None = None
_expander_lock = threading.Lock()


def expand_isolated(path: Path, display_name: str, out_dir: Path, prefix: str, limits):
    """:func:`rag.parse.containers.expand_to` in a worker process, under ``limits``' time and memory limits.

    Returns the :class:`~rag.parse.containers.Expansion`; a worker stopped at a limit becomes the
    upload's own refusal (nothing of it is queued), never an error of the process that queues.
    """
    from .containers import Expansion, expand_to
    from .worker import EXPAND

    path, out_dir = Path(path).absolute(), Path(out_dir).absolute()
    if limits.parse_timeout_s <= 0:
        return expand_to(path, display_name, limits, out_dir, prefix)
    global _expander
    with _expander_lock:
        if _expander is None or not _expander.alive() or _expander.memory_mb != limits.parse_memory_mb \
                or _expander.served >= RECYCLE_AFTER:
            if _expander is not None:
                _expander.kill()
            _expander = _Worker(limits.parse_memory_mb)
        worker = _expander
        problem = None
        try:
            write_frame(worker.proc.stdin, (EXPAND, str(path), display_name, limits, str(out_dir), prefix))
            worker.served += 1
            ok, payload = worker._read(limits.parse_timeout_s)
        except _Deadline:
            problem = ("ParseTimeout", f"Opening this upload took longer than {limits.parse_timeout_s:g} seconds, so it "
                       "was stopped. Split it into smaller uploads.")
        except (EOFError, OSError, ValueError):
            code = worker.proc.wait(5) if worker.proc.poll() is None else worker.proc.returncode
            problem = ("FileTooLarge", "Opening this upload needed more memory than the limit allows, so it was stopped. "
                       "Split it into smaller uploads.") if code in (-9, 3) else (
                       "BrokenFile", "This upload couldn't be opened: the reader stopped unexpectedly (it may be damaged).")
        if problem is not None or not worker.alive() or not ok:
            worker.kill()
            _expander = None
    if problem is not None:
        for leftover in out_dir.glob(f"{prefix}*"):  # what it wrote before it was stopped
            if leftover != path:
                leftover.unlink(missing_ok=True)
        return Expansion((), problem)
    if not ok:
        return Expansion((), tuple(payload))
    return payload


def _shutdown_expander() -> None:
    global _expander
    if _expander is not None:
        _expander.kill()
        _expander = None


atexit.register(_shutdown_expander)


def render_isolated(request: dict, timeout_s: float = RENDER_TIMEOUT_S, memory_mb: int = RENDER_MEMORY_MB):
    """:func:`rag.parse.render.handle` in the page-drawing worker; raises typed errors with plain messages.

    ``timeout_s`` <= 0 draws in this process (no isolation), for debugging.
    """
    if timeout_s <= 0:
        from . import render

        return render.handle(request)
    global _render_worker
    with _render_lock:
        if (_render_worker is None or not _render_worker.alive() or _render_worker.memory_mb != memory_mb
                or _render_worker.served >= RECYCLE_AFTER):
            if _render_worker is not None:
                _render_worker.kill()
            _render_worker = _Worker(memory_mb)
        worker = _render_worker
        try:
            ok, payload = worker.ask(request, timeout_s)
        except _Deadline:
            worker.kill()
            _render_worker = None
            raise ParseTimeout(f"Drawing this page took longer than {timeout_s:g} seconds, so it was stopped. "
                               "Open the original file to see it.") from None
        except (EOFError, OSError, ValueError):
            code = worker.proc.wait(5) if worker.proc.poll() is None else worker.proc.returncode
            worker.kill()
            _render_worker = None
            if code == -9:
                raise FileTooLarge("Drawing this page needed more memory than the limit allows, so it was stopped. "
                                   "Open the original file to see it.") from None
            raise BrokenFile("This page couldn't be drawn: the reader stopped unexpectedly (the file may be damaged). "
                             "Open the original file to see it.") from None
        if not worker.alive() or (not ok and payload[0] == "FileTooLarge"):
            worker.kill()
            _render_worker = None
    if ok:
        return payload
    raise _rebuild(*payload)
