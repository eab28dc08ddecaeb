"""Scrapy extensions of egovcrawl.

`Progress`: a one-line live display on a terminal (pages, new articles, errors, per site) for
people watching a crawl; off unless `EGOVCRAWL_PROGRESS` is true (the `egovcrawl crawl` command
switches it on when stderr is a terminal and `--quiet` is not given), so cron mail stays empty.
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

from scrapy import signals
from scrapy.exceptions import NotConfigured

SPIDER = "egovcrawl/spider"
ARCHIVE = "egovcrawl/archive/outcome"
WIDTH = 160  # characters of the progress line at most


class Progress:
    def __init__(self, stats: Any, interval: float, stream: TextIO) -> None:
        self.stats = stats
        self.interval = interval
        self.stream = stream
        self.task: Any = None
        self.started = time.monotonic()
        self.sites: list[str] = []
        self.shown = 0  # length of the line on screen, blanked when a shorter one replaces it

    @classmethod
    def from_crawler(cls, crawler: Any) -> Progress:
        if not crawler.settings.getbool("EGOVCRAWL_PROGRESS"):
            raise NotConfigured
        ext = cls(crawler.stats, crawler.settings.getfloat("EGOVCRAWL_PROGRESS_INTERVAL", 1.0),
                  sys.stderr)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self, spider: Any) -> None:
        from twisted.internet import task

        self.sites = list(getattr(spider, "sites", []) or [])
        self.started = time.monotonic()  # pages/s of the crawl, not of the start-up before it
        self.task = task.LoopingCall(self.show)
        self.task.start(self.interval, now=False)

    def line(self) -> str:
        s = self.stats.get_stats()
        pages = s.get("response_received_count", 0)
        new = s.get(f"{ARCHIVE}/new", 0) + s.get(f"{ARCHIVE}/duplicate", 0)
        errors = s.get(f"{SPIDER}/fetch-errors", 0) + sum(
            s.get(f"{SPIDER}/{n}/server-errors", 0) for n in self.sites)
        rate = pages / max(1e-6, time.monotonic() - self.started)
        per_site = "  ".join(f"{n}: {s.get(f'{SPIDER}/{n}/pages-ok', 0)}" for n in self.sites[:6])
        return (f"pages {pages} ({rate:.0f}/s) · new articles {new} · errors {errors}"
                + (f" · {per_site}" if per_site else ""))

    def show(self) -> None:
        text = self.line()[:WIDTH]
        self.stream.write("\r" + text.ljust(self.shown))
        self.shown = len(text)
        self.stream.flush()

    def spider_closed(self, spider: Any) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()
        self.show()
        self.stream.write("\n")
        self.stream.flush()
