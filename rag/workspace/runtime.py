"""The app's engines, for pages and the command line: the data folder opened as a store, and the background work
started and stopped with it (the indexer, the relay that reads the index for other processes, the answer checks'
runner). Plumbing: nothing here reveals or changes a document, chat or assistant."""

from __future__ import annotations

from ..answer.relay import serve_reads, stop_serving_reads
from ..ingest.indexer import start_indexer, stop_indexer, wake_indexer
from ..ingest.recovery import open_store
from ..quality.runner import start_check_runner, stop_check_runner
from ..settings import Settings
from ..store import Store

__all__ = ["Settings", "Store", "open_store", "serve_reads", "start_check_runner", "start_indexer",
           "stop_check_runner", "stop_indexer", "stop_serving_reads", "wake_indexer"]
