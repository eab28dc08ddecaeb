"""Scrapy item pipeline: a thin adapter from the spider's `FetchRecord` items to the archive.

All the work lives in `egovcrawl.storage.ingest` (store the raw fetch first, then extract,
validate, dedup, store; an `Ingestor` files each batch while the next one is extracted, so a
batch's outcomes are counted when the following batch arrives or at close); this module only
buffers items, runs each batch on one worker thread
(extraction would otherwise stall the reactor that does the fetching), counts outcomes in the
crawler stats and opens/closes the crawl record.

Settings (typed; the pipeline switches itself off with NotConfigured when no archive is set):

* `EGOVCRAWL_ARCHIVE` (str): path of the SQLite archive, e.g. `data/archive.db`.
* `EGOVCRAWL_ARCHIVE_BATCH` (int, 200): fetches per write transaction.
* `EGOVCRAWL_ARCHIVE_FLUSH_SECONDS` (float, 5.0): flush a partial batch after this long.
* `EGOVCRAWL_ARCHIVE_MMAP` (int, 0): bytes of the archive SQLite may read through mmap. 0 for
  crawls: filing a crawl's pages is far from the archive's limit, and mapped pages would make
  the crawl's resident memory grow with the archive file (years of it).
* `EGOVCRAWL_SITE_HINTS` (dict site -> SiteHints kwargs): per-site extraction hints.

A storage error is never swallowed: it is re-raised by the next `process_item` or by
`close_spider`, so the crawl fails loudly and the crawl row is marked `failed`.
"""

from __future__ import annotations

import time
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import fields
from typing import Any

from scrapy.exceptions import NotConfigured

from egovcrawl.storage import Archive, FetchRecord
from egovcrawl.storage.ingest import Extractor, Ingestor, default_extractor, process_pending

STATS_PREFIX = "egovcrawl/archive"
_RECORD_FIELDS = {f.name for f in fields(FetchRecord)}


def as_record(item: Any, crawl_id: int | None) -> FetchRecord:
    """Accept a FetchRecord or a dict with its fields; fill in the crawl id."""
    if isinstance(item, FetchRecord):
        rec = item
    elif isinstance(item, dict):
        unknown = set(item) - _RECORD_FIELDS
        if unknown:
            raise TypeError(f"unknown FetchRecord fields: {', '.join(sorted(unknown))}")
        rec = FetchRecord(**item)
    else:
        raise TypeError(f"ArchivePipeline takes FetchRecord items, not {type(item).__name__}")
    if rec.crawl_id is None and crawl_id is not None:
        values = {f: getattr(rec, f) for f in _RECORD_FIELDS}
        values["crawl_id"] = crawl_id
        rec = FetchRecord(**values)
    return rec


class ArchivePipeline:
    """Buffers FetchRecord items and files them into the archive in batches."""

    def __init__(self, path: str, *, batch_size: int = 200, flush_seconds: float = 5.0,
                 extractor: Extractor | None = None, stats: Any = None,
                 crawler: Any = None, mmap_bytes: int = 0) -> None:
        if batch_size < 1:
            raise ValueError("EGOVCRAWL_ARCHIVE_BATCH must be >= 1")
        self.path = path
        self.batch_size = batch_size
        self.flush_seconds = flush_seconds
        self.extractor = extractor or default_extractor()
        self.mmap_bytes = mmap_bytes
        self.stats = stats
        self.crawler = crawler
        self.archive: Archive | None = None
        self.crawl_id: int | None = None
        self.counts: Counter[str] = Counter()
        self._buffer: list[FetchRecord] = []
        self._last_flush = time.monotonic()
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="egov-archive")
        self._pending: Future[None] | None = None
        self._ingestor: Ingestor | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> ArchivePipeline:
        settings = crawler.settings
        path = settings.get("EGOVCRAWL_ARCHIVE")
        if not path:
            raise NotConfigured("EGOVCRAWL_ARCHIVE is not set")
        hints_cfg = settings.getdict("EGOVCRAWL_SITE_HINTS")
        hints_for = None
        if hints_cfg:
            from egovcrawl.extract import SiteHints

            table = {site: SiteHints(**kw) for site, kw in hints_cfg.items()}

            def hints_for(site: str | None) -> SiteHints | None:
                return table.get(site or "")

        return cls(
            str(path),
            batch_size=settings.getint("EGOVCRAWL_ARCHIVE_BATCH", 200),
            flush_seconds=settings.getfloat("EGOVCRAWL_ARCHIVE_FLUSH_SECONDS", 5.0),
            extractor=default_extractor(hints_for),
            stats=crawler.stats,
            crawler=crawler,
            mmap_bytes=settings.getint("EGOVCRAWL_ARCHIVE_MMAP", 0),
        )

    # --- Scrapy hooks (the spider argument is optional in Scrapy >= 2.13) --------------------

    def open_spider(self, spider: Any = None) -> None:
        spider = spider or getattr(self.crawler, "spider", None)
        if getattr(spider, "config_error", None):
            return  # the spider stops before any request: no archive file, no crawl row
        self.archive = Archive.open(self.path, mmap_bytes=self.mmap_bytes)
        name = getattr(spider, "name", None)
        sites = list(getattr(spider, "sites", None) or ([name] if name else []))
        self.crawl_id = self.archive.start_crawl(sites)
        if callable(getattr(spider, "hints_for", None)):  # the site profiles' extraction hints
            self.extractor = default_extractor(spider.hints_for)
        finished = process_pending(self.archive, self.extractor)  # a crashed run's leftovers
        # the current extractor at each call (tests and callers may swap it after opening)
        self._ingestor = Ingestor(self.archive, lambda rec: self.extractor(rec))
        for outcome, n in finished.items():
            self._count(f"recovered/{outcome}", n)

    def process_item(self, item: Any, spider: Any = None) -> Any:
        try:
            self._raise_worker_error()
        except Exception as exc:
            self._archive_failed(exc)
            raise
        self._buffer.append(as_record(item, self.crawl_id))
        if (len(self._buffer) >= self.batch_size
                or time.monotonic() - self._last_flush >= self.flush_seconds):
            self._flush()
        return item

    def close_spider(self, spider: Any = None) -> None:
        spider = spider or getattr(self.crawler, "spider", None)
        status = "finished"
        try:
            self._flush()
            self._wait()
            self._worker.submit(self._finish_batches).result()  # the batch held back last
            if self.archive is not None:
                self.archive.optimize_fts()
        except BaseException as exc:
            status = "failed"
            self._mark_failed(exc)  # what egovcrawl.crawler judges an archive error by
            raise
        finally:
            self._worker.shutdown(wait=True)
            if self.archive is not None:
                reason = None
                if self.stats is not None:
                    reason = self.stats.get_value("finish_reason")
                if status == "finished" and reason not in (None, "finished"):
                    status = f"stopped: {reason}"
                if status == "finished" and getattr(spider, "incomplete_sites", None):
                    status = "incomplete"  # a page budget cut the crawl: the next one backfills
                if self.crawl_id is not None:
                    self.archive.finish_crawl(self.crawl_id, status, self.crawl_stats())
                self.archive.close()

    # --- internals --------------------------------------------------------------------------

    def _flush(self) -> None:
        if not self._buffer or self.archive is None:
            return
        batch, self._buffer = self._buffer, []
        self._last_flush = time.monotonic()
        self._wait()  # one batch at a time: SQLite has one writer
        self._pending = self._worker.submit(self._file_batch, batch)

    def _file_batch(self, batch: list[FetchRecord]) -> None:
        assert self._ingestor is not None
        for res in self._ingestor.feed(batch):
            self._count(f"outcome/{res.outcome}")

    def _finish_batches(self) -> None:
        if self._ingestor is not None:
            ingestor, self._ingestor = self._ingestor, None
            for res in ingestor.finish():
                self._count(f"outcome/{res.outcome}")

    def _wait(self) -> None:
        if self._pending is not None:
            future, self._pending = self._pending, None
            future.result()  # re-raises a storage error from the worker

    def _raise_worker_error(self) -> None:
        if self._pending is not None and self._pending.done():
            self._wait()

    def _archive_failed(self, exc: BaseException) -> None:
        """A storage error stops the crawl: fetching on while nothing can be stored would
        lose every page after it (the crawl row is marked failed at close)."""
        self._mark_failed(exc)
        engine = getattr(self.crawler, "engine", None)
        if engine is not None:
            from scrapy.utils.defer import deferred_from_coro

            deferred_from_coro(engine.close_spider_async(reason="archive_error"))

    def _mark_failed(self, exc: BaseException) -> None:
        self.counts["failed"] = 1
        key = f"{STATS_PREFIX}/failed"
        if hasattr(self.stats, "set_value") and not self.stats.get_value(key):
            self.stats.set_value(f"{STATS_PREFIX}/failed", f"{type(exc).__name__}: {exc}")

    def _count(self, key: str, n: int = 1) -> None:
        self.counts[key] += n
        if self.stats is not None:
            self.stats.inc_value(f"{STATS_PREFIX}/{key}", n)

    def crawl_stats(self) -> dict[str, Any]:
        """The crawls.stats JSON: requests, responses by status, article outcomes, errors."""
        out: dict[str, Any] = {"articles": {}, "responses": {}}
        for key, n in sorted(self.counts.items()):
            if key.startswith("outcome/"):
                out["articles"][key.split("/", 1)[1]] = n
            else:
                out[key] = n
        if self.stats is not None:
            s = self.stats.get_stats()
            out["requests"] = s.get("downloader/request_count", 0)
            out["responses"] = {k.rsplit("/", 1)[1]: v for k, v in s.items()
                                if k.startswith("downloader/response_status_count/")}
            out["errors"] = {k.split("/", 1)[1]: v for k, v in s.items()
                             if k.startswith("downloader/exception_type_count/")}
        return out
