"""Benchmarks that make the product's claims measurable: ``grounded bench ...``.

- ``retrieval``: nDCG@10, Recall@10/100, MRR@10 per strategy on a BEIR folder,
  with a bm25s reference in the same run (``retrieval.py``).
- ``ingest``: seconds per stage on real files against the embedding model
  alone (``ingest_speed.py``).
- ``query``: latency percentiles, memory and index size at N synthetic chunks
  (``query_latency.py``).
- ``qa``: gold-source hits, refusals and grounding per strategy, with a BM25
  baseline (``qa.py``).
- ``report``: one Markdown report with a quality-vs-latency chart (``report.py``).

Each runs the product's own functions in a throwaway store, prints a table,
can write ``--json OUT``, and judges the issue's targets as PASS/MISS in its
output (targets are never unit-test assertions). Metrics live in
``metrics.py`` so they can be checked by hand.
"""
