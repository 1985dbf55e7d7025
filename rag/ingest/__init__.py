"""The ingest stage: from a file a person hands over to searchable passages.

- ``admission``: document ids, versions, and whether a file is indexed at all.
- ``pipeline``: original kept -> parse (worker) -> chunk -> embed -> index -> catalog.
- ``parse_ahead``: the next document parsed while this one is embedded.
- ``queue``: what people hand over, stored and queued as one job per document;
  ``indexer``: the one worker per data folder that works through it.
- ``originals``: the kept copy of every document's bytes.
- ``chunk``: splitting into passages; ``kinds``: what sort of document it is.
- ``recovery``: opening a data folder, and repairing what a crash interrupted.
"""
