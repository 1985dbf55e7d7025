"""Building a big shard's approximate index in a child process, while the shard keeps answering.

Why a child process: the Python binding of Qdrant Edge holds the GIL for the
whole of ``EdgeShard.optimize()``. Measured: while a thread built the HNSW
graph of 20,000 points (15-57 s on two busy cores), no other thread of the
process ran a single line, so a thread would stop the app from answering.

How (:class:`Builder`, one thread per data folder, one rebuild at a time):

1. A shard is due once it holds ``Settings.approximate_from`` points and the
   points added since its last rebuild (searched exactly: they have no graph
   yet) are that many too, or a fifth of it was deleted; it is rebuilt once no
   write has come for :data:`QUIET_S` seconds, so a bulk import finishes first.
2. Writes pause; the shard is flushed and copied into a new generation folder
   inside its workspace's folder; writes resume, each one also recorded.
3. A child process (``python -m rag.index.edge_build``) opens the copy and runs
   Edge's optimizers on it at low priority, with one indexing thread: the
   HNSW graph and int8 vectors for big segments, vacuum of deleted points.
   The live shard answers and takes writes meanwhile.
4. Writes pause again; the copy is opened here, catches up on the recorded
   writes and takes over (``EdgeEngine.switch_to``). Searches pause only while
   the old shard is closed.

A crash at any step leaves ``grounded.json`` naming a shard that holds every
acknowledged write: before the switch the old one, after it the new one.
What is left of an unfinished rebuild is deleted at the next open.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

log = logging.getLogger(__name__)

QUIET_S = 30.0  # no write for this long before a due shard is rebuilt
DELETED_SHARE = 0.2  # rebuild once this share of a big shard's points were deleted (Edge's vacuum threshold)
RETRY_AFTER_S = 3600.0  # a rebuild that failed is not tried again for this long
NICENESS = 10  # the child yields the CPU to answering
PACKAGE_ROOT = Path(__file__).resolve().parents[2]  # where ``rag`` is, for the child's imports


class Builder:
    """Decides when a shard needs its approximate index rebuilt and runs the rebuild (see the module docstring)."""

    def __init__(self, engine, quiet_s: float = QUIET_S):
        self.engine = engine
        self.quiet_s = quiet_s
        self.last: dict[str, dict] = {}  # shard -> figures of its last finished rebuild (the benchmark reports them)
        self._cond = threading.Condition()
        self._written: dict[str, float] = {}  # shard -> when it was last written (or opened), not yet checked
        self._added: dict[str, int] = {}  # shard -> points added since its last rebuild began (no graph yet)
        self._deleted: dict[str, int] = {}  # shard -> points deleted since its last rebuild began
        self._failed: dict[str, float] = {}  # shard -> when its last rebuild failed
        self._current: str | None = None  # the shard being checked or rebuilt
        self._process: subprocess.Popen | None = None
        self._cancelled = False
        self._hurry: set[str] = set()  # shards to check now, whatever the quiet spell
        self._stopped = False
        self._thread: threading.Thread | None = None

    # what the engine tells it
    def touch(self, name: str, added: int = 0, deleted: int = 0) -> None:
        """Shard ``name`` was opened or written (``added`` and ``deleted`` points): check it once quiet for a while."""
        with self._cond:
            if self._stopped:
                return
            self._added[name] = self._added.get(name, 0) + added
            self._deleted[name] = self._deleted.get(name, 0) + deleted
            self._written[name] = time.monotonic()
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="grounded-index-builder", daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def cancel(self, name: str) -> None:
        """Forget shard ``name`` (it is being dropped); a rebuild of it under way is killed."""
        with self._cond:
            self._written.pop(name, None)
            self._added.pop(name, None)
            self._deleted.pop(name, None)
            self._hurry.discard(name)
            if self._current == name:
                self._kill()
            while self._current == name:
                self._cond.wait()

    def stop(self) -> None:
        """Stop for good (the engine closes): a rebuild under way is killed and its copy deleted."""
        with self._cond:
            self._stopped = True
            self._kill()
            self._cond.notify_all()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join()

    def settle(self, name: str, timeout: float | None = None) -> bool:
        """Check shard ``name`` now, rebuild it if due, and wait; True once nothing is due or running for it."""
        deadline = None if timeout is None else time.monotonic() + timeout
        self.touch(name)
        with self._cond:
            while name in self._written or self._current == name:
                if name in self._written and name not in self._hurry:  # written again since: check again now
                    self._hurry.add(name)
                    self._cond.notify_all()
                left = None if deadline is None else deadline - time.monotonic()
                if self._stopped or (left is not None and left <= 0):
                    return False
                self._cond.wait(left)
            return True

    # the thread
    def _kill(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._cancelled = True
            self._process.kill()

    def _next(self) -> tuple[str | None, float | None]:
        """The shard to check now, else how long until one is due (None: nothing waits)."""
        now = time.monotonic()
        waits = []
        for name, written in sorted(self._written.items(), key=lambda item: item[1]):
            left = 0.0 if name in self._hurry else written + self.quiet_s - now
            if left <= 0:
                return name, None
            waits.append(left)
        return None, min(waits) if waits else None

    def _run(self) -> None:
        while True:
            with self._cond:
                while True:
                    if self._stopped:
                        return
                    name, wait = self._next()
                    if name is not None:
                        break
                    self._cond.wait(wait)
                del self._written[name]
                self._hurry.discard(name)
                self._current = name
            try:
                if self._due(name):
                    self._rebuild(name)
            except Exception:  # a failed rebuild must not stop the app: the shard keeps working as it was
                log.exception("Building the search index of %s failed; it keeps being searched as before.", name)
                self._failed[name] = time.monotonic()
            finally:
                with self._cond:
                    self._current = None
                    self._cond.notify_all()

    def _due(self, name: str) -> bool:
        failed = self._failed.get(name)
        if failed is not None and time.monotonic() - failed < RETRY_AFTER_S:
            return False
        with self.engine.using(name) as shard:
            if shard is None:
                return False
            info = shard.info()
        threshold = self.engine.settings.approximate_from
        points = info.points_count
        with self._cond:
            added, deleted = self._added.get(name, 0), self._deleted.get(name, 0)
        return points >= threshold and (added >= threshold or deleted >= DELETED_SHARE * points)

    def _rebuild(self, name: str) -> None:
        started = time.monotonic()
        with self._cond:  # writes from now on are recorded and replayed into the copy, outside its graph
            self._added[name] = self._deleted[name] = 0
        target = self.engine.copy_for_rebuild(name)
        if target is None:
            return
        copied = time.monotonic()
        command = child_command(target, self.engine.meta[name]["dimension"], self.engine.settings.approximate_from)
        environment = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(PACKAGE_ROOT), os.environ.get("PYTHONPATH")]))}
        with tempfile.TemporaryFile() as output:
            with self._cond:
                if self._stopped or self._cancelled:
                    self._cancelled = False
                    self.engine.abandon_rebuild(name, target)
                    return
                process = self._process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, env=environment)
            code = process.wait()
            with self._cond:
                self._process = None
                cancelled, self._cancelled = self._cancelled, False
            if cancelled or code != 0:
                self.engine.abandon_rebuild(name, target)
                if not cancelled:
                    output.seek(0)
                    raise RuntimeError(f"the index builder exited with {code}: {output.read()[-2000:].decode(errors='replace')}")
                return
        built = time.monotonic()
        if self.engine.switch_to(name, target):
            self._failed.pop(name, None)
            self.last[name] = {
                "copy_s": round(copied - started, 2),
                "build_s": round(built - copied, 2),
                "switch_s": round(time.monotonic() - built, 2),
            }
            log.info("Built the search index of %s: %s", name, self.last[name])


def child_command(folder: Path, dimension: int, approximate_from: int) -> list[str]:
    """The command line of the child process that optimizes the copy at ``folder``."""
    return [sys.executable, "-m", __name__, str(folder), str(dimension), str(approximate_from)]


def optimize_copy(folder: str, dimension: int, approximate_from: int) -> None:
    """Run Edge's optimizers on the shard copy at ``folder`` (in the child process)."""
    import qdrant_edge as qe

    from .edge_config import edge_config

    shard = qe.EdgeShard.load(folder, edge_config(dimension, approximate_from))
    try:
        shard.optimize()
        shard.flush()
    finally:
        shard.close()


def main(argv: list[str] | None = None) -> int:
    folder, dimension, approximate_from = argv if argv is not None else sys.argv[1:]
    os.nice(NICENESS)
    optimize_copy(folder, int(dimension), int(approximate_from))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
