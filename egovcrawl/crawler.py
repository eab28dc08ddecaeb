"""Run a crawl from Python and judge how it went: the library under `egovcrawl crawl` and
`egovcrawl demo`.

Scrapy's own exit status is 0 even when every request failed, so a cron job can't trust it. Here
the outcome is judged from the crawl's stats: config errors (before any request), archive errors
(the pipeline raised: nothing may be silently lost), partial failures (network errors, final 5xx
or 429 answers, a site whose circuit breaker opened, a site that yielded no page at all) and
success. One crawl at a time per archive: an exclusive, non-blocking lock on `<db>.lock` is taken
before the archive is opened, so a second cron run started while the first is still going returns
at once without touching the archive. Before the first request the archive is checked
(`precheck_archive` before the lock, `check_archive` under it): a directory, a file that is not
SQLite, a corrupt or read-only database, or one another writer keeps locked is one clear error
instead of a crawl whose every page is lost. A crawl that cannot even start (the archive pipeline
fails to open) is judged an error too: Scrapy only logs that and returns as if all went well.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from egovcrawl.exitcodes import EXIT_ARCHIVE, EXIT_CONFIG, EXIT_OK, EXIT_PARTIAL
from egovcrawl.profiles import SiteProfile, load_profiles, select_profiles

SPIDER_STATS = "egovcrawl/spider"
ARCHIVE_STATS = "egovcrawl/archive"


SQLITE_MAGIC = b"SQLite format 3\x00"


class LockHeld(RuntimeError):
    """Another crawl holds the archive's lock."""


class ArchiveUnusable(RuntimeError):
    """The archive cannot be crawled into (not a database, corrupt, read-only, locked)."""


def precheck_archive(db: str | os.PathLike[str]) -> None:
    """What can be told without taking the lock or writing anything: `db` is a file (or does
    not exist yet) that starts like an SQLite database. ArchiveUnusable otherwise.

    Run before `crawl_lock`, so a PNG or a directory passed as --db gets no `.lock` beside it."""
    path = Path(db)
    if path.is_dir():
        raise ArchiveUnusable(f"{db} is a directory, not an archive file")
    if not path.exists():
        return
    try:
        with path.open("rb") as fh:
            head = fh.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise ArchiveUnusable(f"cannot read archive {db}: {exc.strerror or exc}") from None
    if head and head != SQLITE_MAGIC:  # an empty file is an empty database to SQLite
        raise ArchiveUnusable(f"{db} is not an SQLite database (not an egovcrawl archive)")


def check_archive(db: str | os.PathLike[str], *, busy_timeout: float = 30.0) -> None:
    """Make sure the crawl can write `db` before any request (the caller holds the lock).

    Waits up to `busy_timeout` seconds for the write lock another writer (a `reextract`, a
    sqlite3 shell in a transaction) holds, and releases it at once (a probe: BEGIN IMMEDIATE,
    ROLLBACK; nothing is written), then opens and migrates the archive, creating it if needed.
    ArchiveUnusable with a one-line reason otherwise."""
    from egovcrawl.storage import Archive

    precheck_archive(db)
    path = os.fspath(db)
    if Path(path).exists():
        try:
            conn = sqlite3.connect(path, timeout=busy_timeout, isolation_level=None)
        except sqlite3.Error as exc:
            raise ArchiveUnusable(f"cannot open archive {db}: {exc}") from None
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("ROLLBACK")
        except sqlite3.OperationalError as exc:
            if "locked" in str(exc) or "busy" in str(exc):
                raise ArchiveUnusable(
                    f"archive {db} is locked by another writer (waited {busy_timeout:g} s); "
                    "nothing crawled") from None
            raise ArchiveUnusable(f"cannot write archive {db}: {exc}{_hint(path, exc)}"
                                  ) from None
        except sqlite3.Error as exc:
            raise ArchiveUnusable(f"cannot open archive {db}: {exc}") from None
        finally:
            conn.close()
    try:
        Archive.open(path).close()
    except (sqlite3.Error, OSError, RuntimeError) as exc:  # ArchiveError is a RuntimeError
        text = str(exc) or type(exc).__name__
        if isinstance(exc, OSError) and exc.strerror:
            text = exc.strerror
        raise ArchiveUnusable(f"cannot open archive {db}: {text}{_hint(path, exc)}") from None


def _hint(path: str, exc: BaseException) -> str:
    if "readonly" not in str(exc):
        return ""
    return (f" (SQLite writes {Path(path).name}-wal and -shm beside it: are the file and its "
            "directory writable?)")


@contextlib.contextmanager
def crawl_lock(db: str | os.PathLike[str]) -> Iterator[Path]:
    """Hold `<db>.lock` exclusively for the block; LockHeld at once if another process has it.

    flock is released by the kernel when the holder dies, so a SIGKILLed crawl never leaves a
    stale lock behind (unlike a pid file)."""
    path = Path(f"{os.fspath(db)}.lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
                raise LockHeld(f"another crawl holds {path}"
                               + (f" ({holder})" if holder else "")) from None
            raise
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}\n".encode(), 0)
        yield path
    finally:
        os.close(fd)


@dataclass
class SiteOutcome:
    name: str
    requests: int = 0
    pages: int = 0
    fetch_errors: int = 0
    server_errors: int = 0
    breaker_open: bool = False
    robots_refused: int = 0  # requests robots.txt forbade (or all, when it was unreachable)

    @property
    def failed(self) -> bool:
        """Any failed request, an open breaker, or no page at all (nothing requested counts:
        a site's start URLs are always requested, so the crawl never ran for it)."""
        return bool(self.fetch_errors or self.server_errors or self.breaker_open
                    or not self.pages)


@dataclass
class CrawlResult:
    """What a crawl did and the exit code it deserves."""

    exit_code: int
    status: str  # ok, partial, archive-error, interrupted
    sites: dict[str, SiteOutcome] = field(default_factory=dict)
    stats: dict[str, Any] = field(default_factory=dict)
    articles: dict[str, int] = field(default_factory=dict)  # storage outcome -> count
    message: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "exit_code": self.exit_code, "status": self.status, "message": self.message,
            "articles": self.articles,
            "sites": {n: {**vars(s), "failed": s.failed} for n, s in self.sites.items()},
            "stats": {k: (v.isoformat() if hasattr(v, "isoformat") else v)
                      for k, v in self.stats.items()},
        }


def resolve_profiles(sites_path: str | os.PathLike[str], names: Sequence[str], *,
                     all_: bool = False,
                     variables: Mapping[str, str] | None = None) -> list[SiteProfile]:
    """Load and select profiles (ProfileError, one line, before any request)."""
    return select_profiles(load_profiles(sites_path, variables=variables), names, all_=all_)


def crawl_settings(db: str | os.PathLike[str], sites_path: str | os.PathLike[str], *,
                   variables: Mapping[str, str] | None = None,
                   overrides: Mapping[str, Any] | None = None) -> Any:
    """The project settings plus what a crawl into `db` needs."""
    from scrapy.settings import Settings

    from egovcrawl import settings as project_settings

    settings = Settings()
    settings.setmodule(project_settings, priority="project")
    settings.set("EGOVCRAWL_ARCHIVE", os.fspath(db), priority="cmdline")
    settings.set("EGOVCRAWL_SITES", os.fspath(sites_path), priority="cmdline")
    if variables:
        settings.set("EGOVCRAWL_SITE_VARIABLES", dict(variables), priority="cmdline")
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


def run_crawl(profiles: Sequence[SiteProfile], db: str | os.PathLike[str],
              sites_path: str | os.PathLike[str], *,
              variables: Mapping[str, str] | None = None, max_pages: int | None = None,
              overrides: Mapping[str, Any] | None = None) -> CrawlResult:
    """Crawl `profiles` into `db` (the caller holds the lock) and judge the outcome.

    Runs Scrapy's reactor in this process: one crawl per process, as Scrapy requires."""
    from scrapy.crawler import CrawlerProcess

    from egovcrawl.spiders.egov import EgovSpider

    settings = crawl_settings(db, sites_path, variables=variables, overrides=overrides)
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(EgovSpider)
    failures: list[BaseException] = []

    def crashed(failure: Any) -> None:
        # the crawl could not run (the archive pipeline failed to open, ...): Scrapy only logs
        # it and its stats look like a crawl with nothing to do, so remember it for judge()
        failures.append(failure.value)

    deferred = process.crawl(crawler, site=",".join(p.name for p in profiles),
                             max_pages=max_pages if max_pages else None)
    deferred.addErrback(crashed)
    process.start()
    return judge(crawler.stats.get_stats(), [p.name for p in profiles],
                 crash=failures[0] if failures else None)


def judge(stats: Mapping[str, Any], sites: Sequence[str], *,
          crash: BaseException | None = None) -> CrawlResult:
    """Exit code and per-site outcome from a finished crawl's stats (and the exception that
    stopped the crawl from running at all, if one did).

    Archive errors first (4: something may not have been stored), then config errors (2),
    then anything that cut the crawl short, failed sites and exceptions in spider callbacks
    (1: pages whose links were never followed), else 0."""
    outcomes = {}
    for name in sites:
        prefix = f"{SPIDER_STATS}/{name}/"
        outcomes[name] = SiteOutcome(
            name,
            requests=int(stats.get(prefix + "requests", 0)),
            pages=int(stats.get(prefix + "pages-ok", 0)),
            fetch_errors=int(stats.get(prefix + "fetch-errors", 0)),
            server_errors=int(stats.get(prefix + "server-errors", 0)),
            breaker_open=bool(stats.get(f"egovcrawl/breaker/open/{name}", 0)),
            robots_refused=int(stats.get(prefix + "robots-refused", 0)),
        )
    articles = {k.rsplit("/", 1)[1]: int(v) for k, v in stats.items()
                if k.startswith(f"{ARCHIVE_STATS}/outcome/")}
    reason = stats.get("finish_reason")
    if stats.get(f"{ARCHIVE_STATS}/failed"):
        return CrawlResult(EXIT_ARCHIVE, "archive-error", outcomes, dict(stats), articles,
                           str(stats[f"{ARCHIVE_STATS}/failed"]))
    if reason == "config_error":
        return CrawlResult(EXIT_CONFIG, "config-error", outcomes, dict(stats), articles,
                           str(stats.get(f"{SPIDER_STATS}/config_error", "")))
    if crash is not None or reason is None:
        what = (f"{type(crash).__name__}: {crash}" if crash is not None
                else "the crawl never finished")
        what = " ".join(what.split())[:300]
        from egovcrawl.storage.archive import ArchiveError

        if isinstance(crash, sqlite3.Error | OSError | ArchiveUnusable | ArchiveError):
            return CrawlResult(EXIT_ARCHIVE, "archive-error", outcomes, dict(stats), articles,
                               f"the crawl could not run: {what}")
        return CrawlResult(EXIT_PARTIAL, "crashed", outcomes, dict(stats), articles,
                           f"the crawl could not run: {what}")
    failed = [n for n, o in outcomes.items() if o.failed]
    if reason != "finished":
        return CrawlResult(EXIT_PARTIAL, "interrupted", outcomes, dict(stats), articles,
                           f"crawl stopped early: {reason}")
    if failed:
        return CrawlResult(EXIT_PARTIAL, "partial", outcomes, dict(stats), articles,
                           "failures on " + ", ".join(failed))
    bugs = int(stats.get("spider_exceptions/count", 0))
    if bugs:
        return CrawlResult(EXIT_PARTIAL, "partial", outcomes, dict(stats), articles,
                           f"{bugs} page(s) raised in the spider: their links were not followed "
                           "(see the log)")
    return CrawlResult(EXIT_OK, "ok", outcomes, dict(stats), articles)


def write_stats_json(path: str | os.PathLike[str], result: CrawlResult) -> None:
    Path(path).write_text(json.dumps(result.to_json(), indent=2, ensure_ascii=False,
                                     default=str) + "\n", encoding="utf-8")
