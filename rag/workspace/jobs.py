"""The indexing queue as a person uses it: each operation takes the acting user and checks access itself.

The rules of :mod:`rag.workspace.access`, applied to jobs:

- queuing documents, cancelling and dismissing jobs, and seeing their file names need the right to
  manage the assistant (its owner; an admin for one nobody owns; anyone when sign-in is off);
- seeing *that* an assistant's documents are being indexed, how far along and how long still, needs
  the right to use it: counts only, since a file name can say more than its owner chose to share;
- ``user=None`` is the trusted command line.

``folder`` is a Store or a DataFolder: queuing and listing need only the catalog, so the command
line can do them while the app holds the index.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

from ..errors import AccessDenied, NotFound
from ..ingest import queue
from ..ingest.queue import Job, QueueProgress, Upload
from ..present import plural
from ..types import ChunkSettings, Notice
from ..words import analyse
from .access import User, can_manage
from .assistants import get_assistant


def queue_uploads(folder, uploads: Iterable[Upload], assistant_id: str, user: User | None,
                  chunking: ChunkSettings | None = None, force: bool = False) -> list[Job]:
    """Store uploads and queue their documents for an assistant the user manages; returns the new jobs.

    When this returns, every document is on disk and in the queue (see :func:`rag.ingest.queue.enqueue`).
    """
    assistant = get_assistant(folder.catalog, assistant_id, user, manage=True)
    return queue.enqueue(
        folder, uploads, assistant.id, chunking or assistant.chunking, queued_by=user.name if user else "",
        origin="command line" if user is None else "upload", force=force,
    )


@dataclass(frozen=True)
class QueueView:
    """What the Knowledge page lists: the assistant's jobs not yet dismissed, and the progress of those still running."""

    jobs: list[Job]
    progress: QueueProgress

    @property
    def waiting(self) -> list[Job]:
        """Jobs that can still be cancelled."""
        return [j for j in self.jobs if j.status in ("queued", "reading")]

    @property
    def finished(self) -> list[Job]:
        return [j for j in self.jobs if not j.active]

    @property
    def problems(self) -> list[Job]:
        """Documents not indexed, with why (failed, held for an install fix, skipped): listed before the table."""
        return [j for j in self.jobs if j.status in ("failed", queue.HELD, "skipped")]


def latest_per_document(jobs: list[Job]) -> list[Job]:
    """Each document's newest job: a file uploaded again replaces what its earlier upload gave (a failure, say).

    An earlier job still to do stays listed (it can be cancelled); only finished ones are replaced.
    """
    newest: dict[str, Job] = {}
    for job in jobs:
        if job.name not in newest or job.job_id > newest[job.name].job_id:
            newest[job.name] = job
    return [j for j in jobs if j.active or newest[j.name] is j]


def queue_view(folder, assistant_id: str, user: User | None) -> QueueView:
    """An assistant's queue with file names, for someone who manages it; each document once, as last queued."""
    assistant = get_assistant(folder.catalog, assistant_id, user, manage=True)
    listed = latest_per_document(queue.jobs(folder.catalog, workspace=assistant.id))
    return QueueView(listed, queue.progress(folder.catalog, assistant.id))


def queue_progress(folder, assistant_id: str, user: User | None) -> QueueProgress:
    """How far an assistant's indexing is ("7 of 20"), for anyone who may use it; the file name only for managers."""
    assistant = get_assistant(folder.catalog, assistant_id, user, manage=False)
    found = queue.progress(folder.catalog, assistant.id)
    if found.current and not can_manage(assistant, user):
        found = QueueProgress(found.done, found.total, None, found.seconds_left)
    return found


def cancel(folder, assistant_id: str, job_ids: Iterable[int], user: User | None) -> list[Job]:
    """Cancel waiting jobs of an assistant the user manages; returns those cancelled.

    Jobs of other assistants among ``job_ids`` are ignored, whatever a request carries.
    """
    assistant = get_assistant(folder.catalog, assistant_id, user, manage=True)
    ids = [j.job_id for j in queue.jobs(folder.catalog, workspace=assistant.id, active_only=True) if j.job_id in set(job_ids)]
    return queue.cancel(folder, ids)


def dismiss(folder, assistant_id: str, user: User | None, job_ids: Iterable[int] | None = None) -> int:
    """Stop listing finished jobs of an assistant the user manages (all of them by default); returns how many."""
    assistant = get_assistant(folder.catalog, assistant_id, user, manage=True)
    finished = [j.job_id for j in queue.jobs(folder.catalog, workspace=assistant.id) if not j.active]
    wanted = finished if job_ids is None else [i for i in finished if i in set(job_ids)]
    return queue.dismiss(folder.catalog, wanted)


def job(folder, job_id: int, user: User | None) -> Job:
    """One job, if the user manages its assistant; else "not found" (its file name is not theirs to see)."""
    found = queue.get(folder.catalog, job_id)
    if found is None:
        raise NotFound("That indexing job no longer exists.")
    try:
        get_assistant(folder.catalog, found.workspace, user, manage=True)
    except (AccessDenied, NotFound):  # hidden or read-only: the same answer as a missing job
        raise NotFound("That indexing job no longer exists.") from None
    return found


def still_indexing_notice(folder, assistant_id: str, user: User | None, question: str) -> Notice | None:
    """A note for an answer given while some of the assistant's documents are still queued, or None.

    Names the queued documents the question seems to be about (words of their file names), for
    someone who may see those names; otherwise says how many are still to come.
    """
    assistant = get_assistant(folder.catalog, assistant_id, user)
    waiting = queue.jobs(folder.catalog, workspace=assistant.id, active_only=True)
    if not waiting:
        return None
    asked = set(analyse(question))
    named = [j.name for j in waiting if asked & _name_terms(j.name)] if can_manage(assistant, user) else []
    if named:
        shown = ", ".join(f"“{n}”" for n in named[:3]) + (f" and {len(named) - 3} more" if len(named) > 3 else "")
        verb = "is" if len(named) == 1 else "are"
        return Notice("still_indexing", f"{shown} {verb} still being indexed, so this answer could not use "
                      f"{'it' if len(named) == 1 else 'them'} yet. Ask again once indexing is done.")
    return Notice("still_indexing", f"{plural(len(waiting), 'document')} of this assistant "
                  f"{'is' if len(waiting) == 1 else 'are'} still being indexed; this answer uses only those already done.")


def _name_terms(name: str) -> set[str]:
    """The distinctive words of a document's file name ("northwind-case-study.md" -> northwind, case, studi)."""
    stem = PurePosixPath(name).stem
    return {t for t in analyse(stem) if len(t) >= 3 and not t.isdigit()}

