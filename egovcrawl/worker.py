"""Extraction off the reactor: a process pool that runs `extract_page` for the spider.

Scrapy fetches on one thread; extraction is CPU-bound Python (~2–10 ms a page), so run inline it
stalls fetching (a Scrapy + trafilatura pipeline manages ~36 pages/s here). A worker process puts
the second core to work: the spider awaits the result while the reactor goes on downloading.
With `workers=0` extraction runs inline (tests, tiny crawls, one-core machines).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import heapq
import itertools
import logging
import multiprocessing
import os
import traceback
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

from egovcrawl.discovery import tree_anchors
from egovcrawl.extract import ExtractionError, SiteHints, extract_page
from egovcrawl.extract.model import Page, PageKind
from egovcrawl.extract.page import extract_page_and_document
from egovcrawl.extract.urls import base_url

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CrawlExtract:
    """What the spider needs from one page: the Page (None when extraction failed: the
    pipeline then extracts again and records the error), and for non-article pages the anchors
    a crawl may follow."""

    page: Page | None
    error: str | None = None
    anchors: tuple[str, ...] = ()


def extract_for_crawl(body: bytes, url: str, encoding: str | None, hints: SiteHints | None,
                      page_kind: PageKind | None, want_anchors: bool) -> CrawlExtract:
    """Runs in the worker: extraction plus, on non-article pages, their outgoing links."""
    try:
        page, doc = extract_page_and_document(body, url, encoding=encoding, hints=hints,
                                              page_kind=page_kind)
    except ExtractionError as exc:
        return CrawlExtract(None, str(exc))
    except Exception as exc:  # an extractor bug: the pipeline re-runs it and records the error
        return CrawlExtract(None, "extractor: " + traceback.format_exception_only(exc)[-1].strip())
    anchors: tuple[str, ...] = ()
    if want_anchors and page.page_kind != "article":
        # the tree extraction parsed, not a second decode and parse of the same bytes
        anchors = tuple(tree_anchors(doc.tree, base_url(doc)))
    return CrawlExtract(page, None, anchors)


def _warm_up() -> None:
    """Import and exercise the extractor once, so the first real page is not slow."""
    with contextlib.suppress(Exception):  # a failure shows again on the first real page
        extract_page(b"<html><body><p>warm up</p></body></html>", "http://localhost/")


def _context() -> multiprocessing.context.BaseContext:
    """Never plain fork: the parent runs a reactor and threads that must not be copied. A fork
    server (a fresh interpreter) preloads the extractor and its language model once; the
    workers it forks share those pages copy-on-write. Spawn where there is no fork server."""
    try:
        ctx = multiprocessing.get_context("forkserver")
    except ValueError:
        return multiprocessing.get_context("spawn")
    ctx.set_forkserver_preload(["egovcrawl._worker_preload"])
    return ctx


def default_workers() -> int:
    """One worker per core (at most 4), none on a one-core machine. Not cores minus one: the
    reactor needs about a third of a core per page a worker needs (≈ 1.5 vs 4 ms), so on two
    cores two workers keep both busy where one would leave the reactor's core half idle."""
    cores = os.cpu_count() or 1
    return 0 if cores < 2 else min(4, cores)


class ExtractionPool:
    """`await pool.extract(...)` → CrawlExtract, in worker processes or inline.

    Pages wait in a priority queue in front of the workers, at most two per worker submitted
    at a time: a listing page (higher priority) is extracted before the hundred articles queued
    before it, so pagination keeps feeding the crawl instead of stalling behind them.
    """

    def __init__(self, workers: int = 0) -> None:
        self.workers = max(0, workers)
        self._executor: ProcessPoolExecutor | None = None
        self._waiting: list[tuple[int, int, tuple[Any, ...], asyncio.Future[CrawlExtract]]] = []
        self._seq = itertools.count()
        self._inflight = 0

    def start(self) -> None:
        if self.workers and self._executor is None:
            self._executor = ProcessPoolExecutor(self.workers, mp_context=_context(),
                                                 initializer=_warm_up)

    async def extract(self, body: bytes, url: str, encoding: str | None,
                      hints: SiteHints | None, page_kind: PageKind | None = None,
                      want_anchors: bool = False, priority: int = 0) -> CrawlExtract:
        args = (body, url, encoding, hints, page_kind, want_anchors)
        if self._executor is None:
            return extract_for_crawl(*args)
        future: asyncio.Future[CrawlExtract] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (-priority, next(self._seq), args, future))
        self._pump()
        try:
            return await future
        except BrokenProcessPool:
            # a worker died on this page or one beside it (a crash in a C library, killed for
            # memory): the pool is restarted once; these pages are left to the pipeline
            logger.error("extraction worker died (on %s or a page beside it)", url)
            return CrawlExtract(None, "extraction worker died")
        except Exception as exc:  # never lose the fetch: the pipeline extracts it again
            logger.exception("extraction worker failed on %s", url)
            return CrawlExtract(None, f"extraction worker: {type(exc).__name__}: {exc}")

    def _pump(self) -> None:
        while self._waiting and self._inflight < 2 * self.workers and self._executor:
            _, _, args, future = heapq.heappop(self._waiting)
            if future.cancelled():
                continue
            executor = self._executor
            try:
                done = executor.submit(extract_for_crawl, *args)
            except BrokenProcessPool as exc:
                self._restart(executor)
                future.set_exception(exc)
                continue
            self._inflight += 1
            done.add_done_callback(functools.partial(self._on_done, future, executor))

    def _on_done(self, future: asyncio.Future[CrawlExtract], executor: ProcessPoolExecutor,
                 done: Any) -> None:
        # runs in the executor's thread: hand the result to the event loop
        future.get_loop().call_soon_threadsafe(self._finished, done, future, executor)

    def _finished(self, done: Any, future: asyncio.Future[CrawlExtract],
                  executor: ProcessPoolExecutor) -> None:
        self._inflight -= 1
        exc = done.exception()
        if isinstance(exc, BrokenProcessPool):
            self._restart(executor)
        if not future.cancelled():
            if exc is not None:
                future.set_exception(exc)
            else:
                future.set_result(done.result())
        self._pump()

    def _restart(self, broken: ProcessPoolExecutor) -> None:
        if self._executor is broken:
            self._executor = None
            broken.shutdown(wait=False, cancel_futures=True)
            self.start()

    def close(self) -> None:
        if self._executor is not None:
            executor, self._executor = self._executor, None
            executor.shutdown(wait=True, cancel_futures=True)
        for _, _, _, future in self._waiting:
            if not future.done():
                future.cancel()
        self._waiting.clear()
