"""Moved: answer checks' tables are ``catalog.checks`` (:mod:`rag.catalog.checks`, with their types).

Only the two calls rag/workspace/assistants.py and rag/workspace/documents.py still make are left here,
as forwards without SQL, until those files call ``catalog.checks`` themselves; then this module goes.
"""

from __future__ import annotations

from ..catalog.checks import Run, RunReason


def queue_run(catalog, workspace: str, reason: RunReason, change: str = "", queued_by: str = "",
              only_with_checks: bool = True) -> Run | None:
    """``catalog.checks.queue_run``: see there."""
    return catalog.checks.queue_run(workspace, reason, change, queued_by, only_with_checks)


def delete_workspace_checks(catalog, workspace: str) -> None:
    """``catalog.checks.delete_workspace``: see there."""
    catalog.checks.delete_workspace(workspace)
