"""Reads relayed to the process that holds the index (``catalog.read_requests``; m013_read_requests).

``grounded search`` and ``ask`` beside a running app leave a request row; the app's read server
(:mod:`rag.answer.relay`) claims it, answers and writes the response back as JSON. Arguments and
responses are JSON-encoded here, so both sides hand dicts.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

from . import Tables


@dataclass
class ReadRequest:
    """A claimed request: what to do (``search`` | ``ask``) with which arguments."""

    request_id: int
    kind: str
    args: dict


@dataclass
class ReadStatus:
    """Where a request is: ``waiting`` (nobody took it yet), ``working`` or ``done`` (with the response)."""

    status: str
    response: dict | None


class ReadRequestTables(Tables):
    """``read_requests``: one row per relayed read, from asked to answered (deleted by the command once read)."""

    def ask(self, kind: str, args: dict, created: float) -> int:
        """Leave a request for the index's holder; returns its id."""
        rows = self._query("INSERT INTO read_requests(kind, args, created) VALUES (?, ?, ?) RETURNING request_id",
                           (kind, json.dumps(args), created))
        return rows[0]["request_id"]

    def any_waiting(self) -> bool:
        """Whether a request waits to be taken (a read only: polling takes no write lock)."""
        return bool(self._query("SELECT 1 FROM read_requests WHERE status = 'waiting' LIMIT 1"))

    def claim(self) -> ReadRequest | None:
        """Take the oldest waiting request (marked working, in one statement); None when another took it first."""
        rows = self._query(
            "UPDATE read_requests SET status = 'working', picked = ? WHERE request_id = "
            "(SELECT request_id FROM read_requests WHERE status = 'waiting' ORDER BY request_id LIMIT 1) "
            "AND status = 'waiting' RETURNING *",
            (time.time(),),
        )
        if not rows:
            return None
        return ReadRequest(rows[0]["request_id"], rows[0]["kind"], json.loads(rows[0]["args"]))

    def answer(self, request_id: int, response: dict) -> None:
        """Write a request's response back (status done) for the waiting command to read."""
        self._execute("UPDATE read_requests SET status = 'done', response = ?, done = ? WHERE request_id = ?",
                      (json.dumps(response), time.time(), request_id))

    def status(self, request_id: int) -> ReadStatus:
        """Where one request is, with its response once done."""
        row = self._query("SELECT status, response FROM read_requests WHERE request_id = ?", (request_id,))[0]
        return ReadStatus(row["status"], json.loads(row["response"]) if row["status"] == "done" else None)

    def remove(self, request_id: int) -> None:
        """Delete a request (the command read its answer, or gave up)."""
        self._execute("DELETE FROM read_requests WHERE request_id = ?", (request_id,))

    def remove_older_than(self, before: float) -> None:
        """Delete the requests made before ``before`` (answers a command never came back for)."""
        self._execute("DELETE FROM read_requests WHERE created < ?", (before,))
