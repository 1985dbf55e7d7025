"""``grounded bench crawl``: importing a help center from a loopback server, and syncing it when nothing changed.

Measures the product's own sync (:func:`rag.ingest.sources.sync`, the
polite pace, robots.txt, sitemaps, parsing, embedding, indexing) against the
help center of :mod:`.site`, in a throwaway store, twice:

- ``lastmod``: the sitemap dates every page, so an unchanged page needs no request;
- ``etag``: no dates, so an unchanged page costs one conditional request (304).

For each: the first import (pages a second, requests, embedding calls) and a
sync right after, with nothing changed (requests, embedding calls, time, and
that time as a share of the import's: the issue's target is under 10%).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, replace

from .common import Target, header, progress, table, throwaway_store
from .site import FixtureSite, help_center


class CountingEmbeddings:
    """A store's embedding model, counting the indexing calls (``embed_array``) and texts it gets."""

    def __init__(self, inner):
        self.inner, self.calls, self.texts = inner, 0, 0

    def embed_array(self, texts):
        self.calls += 1
        self.texts += len(texts)
        return self.inner.embed_array(texts)

    def __getattr__(self, name):
        return getattr(self.inner, name)


@dataclass(frozen=True)
class CrawlConfig:
    pages: int = 50
    rate: float = 2.0  # requests a second: the product's default pace
    variants: tuple[str, ...] = ("lastmod", "etag")


def _variant(config: CrawlConfig, lastmod: bool) -> dict:
    from ..ingest import sources
    from ..ingest.crawl import CrawlOptions

    with throwaway_store() as store, FixtureSite() as site:
        store.settings = replace(store.settings, allow_private_urls=True)  # the help center is on loopback
        counting = store.embeddings = CountingEmbeddings(store.embeddings)
        help_center(site, config.pages, lastmod=lastmod)
        source = sources.create(store.catalog, "bench", site.url("/hc/"),
                                CrawlOptions(requests_per_second=config.rate, max_pages=config.pages + 10),
                                allow_private=True)
        progress(f"importing {config.pages} pages at {config.rate:g} requests/s ({'with' if lastmod else 'without'} lastmod)")
        first = sources.sync(store, source)
        imported = {"seconds": first.seconds, "requests": first.requests, "embed_calls": counting.calls,
                    "indexed": first.count("indexed"), "pages_per_s": first.count("indexed") / first.seconds}
        counting.calls = 0
        progress("syncing with nothing changed")
        started = time.perf_counter()
        again = sources.sync(store, sources.get(store.catalog, source.source_id))
        unchanged = {"seconds": time.perf_counter() - started, "requests": again.requests,
                     "embed_calls": counting.calls, "unchanged": again.count("unchanged"),
                     "conditional_304": sum(1 for r in site.requests[-again.requests:] if r.status == 304)}
    return {"variant": "lastmod" if lastmod else "etag", "import": imported, "no_change_sync": unchanged,
            "share_of_import": unchanged["seconds"] / imported["seconds"]}


def run(config: CrawlConfig) -> dict:
    rows = [_variant(config, lastmod=v == "lastmod") for v in config.variants]
    targets = [Target(f"no-change sync / import ({r['variant']})", round(r["share_of_import"], 3), 0.10, "<=")
               for r in rows]
    return {**header("crawl"), "config": {"pages": config.pages, "rate": config.rate}, "load": os.getloadavg(),
            "results": rows, "targets": [t.as_dict() for t in targets]}


def render(result: dict) -> str:
    rows = [(r["variant"], r["import"]["indexed"], r["import"]["seconds"], r["import"]["pages_per_s"],
             r["import"]["requests"], r["import"]["embed_calls"], r["no_change_sync"]["seconds"],
             r["no_change_sync"]["requests"], r["no_change_sync"]["embed_calls"], f"{r['share_of_import']:.1%}")
            for r in result["results"]]
    lines = [table(["sitemap", "pages", "import s", "pages/s", "requests", "embeds", "no-change s", "requests",
                    "embeds", "share"], rows)]
    lines.append(f"(pace {result['config']['rate']:g} requests/s; load average {result['load'][0]:.1f})")
    lines += [Target(**{k: t[k] for k in ("name", "value", "goal", "op", "unit")}).line() for t in result["targets"]]
    return "\n".join(lines)
