"""Searches and questions from the command line, answered by the process that holds the index.

While the app runs it holds the data folder's embedded index (Qdrant Edge admits one process), so
``grounded search`` and ``grounded ask`` can't open it. They hand their request to that process
through the catalog instead: a row in ``read_requests`` (``catalog.read_requests``), picked up by a
small thread there (:class:`ReadServer`, polling every 0.1 s), answered with the model and index it
already has open, and the answer written back as JSON for the command to print.

Why through the owner, rather than a read path of the command's own:

- Edge has no read-only mode for a second process (its shards keep a write-ahead log under the
  folder lock); reading beside it would mean copying the index for every command.
- The owner has the embedding model loaded and the shards open; the command skips loading them,
  so a search through the app answers faster than ``grounded search`` opening a free folder itself
  (figures in docs/benchmarks.md).
- Both processes already share the catalog safely (SQLite in WAL mode): no port, socket or
  credentials to add, and nothing that another user on the machine could reach that they couldn't
  already read in the data folder.

The requests are the command line's (the machine's operator, as every command is): no access
checks beyond what ``grounded search`` and ``ask`` do themselves.
"""

from __future__ import annotations

import logging
import time

from ..errors import GroundedError
from ..present import answer_tail_text
from ..store import FolderWorkers, PollingWorker
from ..types import RetrievalSettings, SearchFilter
from .chain import AskOptions, ask
from .retrieve import search

log = logging.getLogger("grounded.relay")

POLL_S = 0.1
PICKUP_TIMEOUT_S = 10.0  # a request nobody takes in this long: the folder's holder doesn't serve reads
KEEP_S = 3600.0  # answered requests a command never came back for are removed after this
NOT_SERVED = (
    "The process holding this data folder isn't answering searches (it may be a command that will finish "
    "soon, or an older Grounded). Try again in a moment, or stop it to use the folder directly."
)


def retrieval_from(args: dict) -> RetrievalSettings:
    """The retrieval settings of ``grounded ask``'s options (None: the default)."""
    return RetrievalSettings().with_(
        strategy=args.get("strategy"), k=args.get("k"), threshold=args.get("threshold"), neighbours=args.get("neighbours"),
        where=SearchFilter(files=tuple(args.get("files") or ()), kinds=tuple(args.get("kinds") or ())),
    )


def _search(store, args: dict) -> dict:
    hits = search(store, args["query"], args["workspace"], k=args["k"], strategy=args["strategy"], user=None)
    return {"results": [h.as_dict() for h in hits]}


def _ask(store, args: dict) -> dict:
    answer = ask(store, args["question"], args["workspace"], AskOptions(model=args.get("model"), retrieval=retrieval_from(args)), user=None)
    return {"answer": answer.as_dict(), "text": answer.answer, "tail": answer_tail_text(answer)}


READS = {"search": _search, "ask": _ask}


class ReadServer(PollingWorker):
    """Answers the command line's read requests for ``store``'s data folder, one at a time, in a thread."""

    thread_name = "grounded-reads"

    def __init__(self, store, poll_s: float = POLL_S):
        super().__init__(store, poll_s)

    def _serve(self) -> None:
        requests = self.store.catalog.read_requests
        requests.remove_older_than(time.time() - KEEP_S)
        while not self._stop.wait(self.poll_s):
            try:
                if not requests.any_waiting():
                    continue  # polling reads; only a request found takes the write lock
                if (request := requests.claim()) is not None:
                    self._answer(request.request_id, request.kind, request.args)
            except Exception:  # a failure here must not stop the next request being served
                log.exception("serving a read request failed")

    def _answer(self, request_id: int, kind: str, args: dict) -> None:
        try:
            response = READS[kind](self.store, args)
        except GroundedError as err:
            response = {"error": str(err)}
        except Exception:  # one plain line for the command, the details in this process's log
            log.exception("answering a %s request failed", kind)
            response = {"error": "Something went wrong in the app while answering. Please try again."}
        self.store.catalog.read_requests.answer(request_id, response)


def request_read(folder, kind: str, args: dict, timeout_s: float = 300.0) -> dict:
    """Hand a read to the process holding the index and wait for its answer (a GroundedError says why not)."""
    requests = folder.catalog.read_requests
    created = time.time()
    request_id = requests.ask(kind, args, created)
    try:
        while True:
            time.sleep(POLL_S)
            state = requests.status(request_id)
            waited = time.time() - created
            if state.status == "done":
                response = state.response
                if "error" in response:
                    raise GroundedError(response["error"])
                return response
            if state.status == "waiting" and waited > PICKUP_TIMEOUT_S:
                raise GroundedError(NOT_SERVED)
            if waited > timeout_s:
                raise GroundedError(f"No answer from the app within {timeout_s:g} seconds. Please try again.")
    finally:
        requests.remove(request_id)


# One read server per data folder in this process.
_servers: FolderWorkers[ReadServer] = FolderWorkers(lambda store: ReadServer(store).start())


def serve_reads(store) -> ReadServer:
    """This process's read server for ``store``'s data folder, started if it isn't running."""
    return _servers.ensure(store)


def stop_serving_reads(store, timeout: float | None = None) -> None:
    _servers.stop(store, timeout)
