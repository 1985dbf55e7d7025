"""The check runner: runs queued answer checks in the background, in the process that holds the index.

Saving an assistant's search, splitting or model settings, re-indexing it, a scheduled sync of its
sites and the nightly schedule each queue a run (:meth:`rag.catalog.checks.CheckTables.queue_run`; one
waiting run takes the next change instead of a second run) and return at once. This thread, started
with the app's store like the read server (:mod:`rag.answer.relay`), picks a queued run up once its
assistant is settled (nothing of it being indexed, no document changed in the last few seconds) and
runs it through the answer path Chat uses; the Checks page shows it under way and then the result
against the run before ("Search: dense -> hybrid: 14 of 20 -> 18 of 20").

``grounded checks run`` while the app runs queues a run and waits for this thread to do it.
"""

from __future__ import annotations

import logging
import time

from ..ingest import forgetting
from ..store import FolderWorkers, PollingWorker
from . import forget
from .runs import queue_due_runs, run_queued

log = logging.getLogger("grounded.checks")

POLL_S = 2.0  # how soon a queued run is noticed
FORGET_CHECKS_A_ROUND = 5  # pending forget checks run per assistant each round (a removed site queues one a page)
DUE_CHECK_S = 60.0  # how often the nightly and after-sync runs are looked for


class CheckRunner(PollingWorker):
    """Runs ``store``'s queued check runs, one at a time, in a thread."""

    thread_name = "grounded-checks"

    def __init__(self, store, poll_s: float = POLL_S, quiet_s: float = 5.0):
        self.quiet_s = quiet_s
        super().__init__(store, poll_s)

    def _serve(self) -> None:
        catalog = self.store.catalog
        try:
            catalog.checks.requeue_interrupted()  # a run the last process left half done is run again
        except Exception:  # noqa: BLE001
            log.exception("could not requeue interrupted check runs")
        due_at = 0.0
        while not self._stop.wait(self.poll_s):
            try:
                if time.monotonic() >= due_at:
                    queue_due_runs(catalog)
                    due_at = time.monotonic() + DUE_CHECK_S
                if catalog.checks.queued_runs():
                    run_queued(self.store, quiet_s=self.quiet_s)
                for workspace in forgetting.workspaces_with_pending(catalog):  # here, not while a page is drawn
                    if catalog.checks.settled(workspace, self.quiet_s):
                        forget.run_pending(self.store, workspace, user=None, most=FORGET_CHECKS_A_ROUND)
            except Exception:  # a failure here must not stop later runs
                log.exception("running answer checks failed")


_runners: FolderWorkers[CheckRunner] = FolderWorkers(lambda store: CheckRunner(store).start())


def start_check_runner(store) -> CheckRunner:
    """This process's check runner for ``store``'s data folder, started if it isn't running."""
    return _runners.ensure(store)


def stop_check_runner(store, timeout: float | None = None) -> None:
    _runners.stop(store, timeout)
