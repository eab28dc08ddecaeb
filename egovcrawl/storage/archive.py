"""`Archive`: the SQLite archive's API. The only module in egovcrawl that writes SQL.

Opened explicitly (`Archive.open(path)`), migrated on open, WAL journal with `synchronous=NORMAL`
(a crash loses at most the last uncommitted batch, never consistency), and a busy timeout so a
Datasette or pandas reader never blocks a crawl and a second writer waits instead of failing.
Writes are grouped with `with archive.transaction():`; a method called outside one commits by
itself. Errors are raised to the caller, never logged and dropped.

Hot paths use the raw sqlite3 connection with few statements per article: fetch rows for a
batch in one executemany, write-only rows (fetch outcomes, view counts) queued and written per
statement before COMMIT, the batch's full-text rows in ONE statement that can run (with the
COMMIT) on a background thread without the GIL (`transaction(background=True)`).

Deduplication never drops anything: a page becomes a new article, an alias URL of an archived
article, a version of it (old text kept in `article_versions`), or a new article whose
`duplicate_of` links to the earliest-seen copy.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import zlib
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import sqlite_utils

from egovcrawl.extract.model import DateInfo, Page
from egovcrawl.storage import dedup, fts, schema
from egovcrawl.storage.records import FetchRecord, KnownUrl, StoreResult, utcnow

try:  # Python 3.14 ships zstd; before that Scrapy already depends on backports.zstd
    from compression import zstd as _zstd  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover - depends on the Python version
    try:
        from backports import zstd as _zstd  # type: ignore[import-not-found,no-redef]
    except ImportError:
        _zstd = None

BUSY_TIMEOUT_MS = 30_000
CACHE_KIB = 64 * 1024
#: Memory-mapped reads (SQLite caps it at 2 GB by default): the random probes of the LSH and
#: URL indexes read pages without a syscall each. Measured on 100k short articles: whole
#: filing 2104 -> 2471 articles/s, commit + FTS 307 -> 234 us per article.
MMAP_BYTES = 2**31
ZSTD_LEVEL = 1  # measured on 40 KB pages: level 1 0.20x in 64 us, level 3 0.205x in 86 us
ZLIB_LEVEL = 6
#: lsh_recent is merged into lsh_buckets when it holds this share of it (and at least
#: LSH_MERGE_MIN keys: ~10k articles): amortised page writes per key stay constant.
LSH_MERGE_SHARE = 0.25
LSH_MERGE_MIN = 200_000
#: The writer's automatic WAL checkpoint threshold (pages). SQLite's default (1000 pages, 4 MB)
#: fired inside nearly every COMMIT of a batch's fetches (500 compressed bodies are ~5 MB), so
#: the crawl's own thread copied the WAL into the database and synced it. A background commit
#: checkpoints instead (`_finish_transaction`), overlapping the next batch's work; this higher
#: threshold only bounds the WAL when nothing commits in the background (CLI tools, tests).
WAL_AUTOCHECKPOINT_PAGES = 8192
Cause = Literal["crawl", "reextract"]

#: Page fields compared on every re-fetch; a difference is recorded in article_changes.
TRACKED_FIELDS = (
    "title", "published", "published_source", "updated", "updated_source", "copyright_holder",
    "copyright_year", "icp", "source", "source_url", "language", "country", "url",
)


class ArchiveError(RuntimeError):
    """The database cannot be used by this version of egovcrawl (or is not an archive)."""


def compress(data: bytes) -> tuple[str, bytes]:
    """(codec, compressed bytes): zstd when available, zlib otherwise."""
    if _zstd is not None:
        return "zstd", _zstd.compress(data, level=ZSTD_LEVEL)
    return "zlib", zlib.compress(data, ZLIB_LEVEL)


def decompress(codec: str, data: bytes) -> bytes:
    if codec == "zstd":
        if _zstd is None:
            raise ArchiveError("this archive holds zstd bodies: pip install backports.zstd")
        return _zstd.decompress(data)
    if codec == "zlib":
        return zlib.decompress(data)
    if codec == "none":
        return bytes(data)
    raise ArchiveError(f"unknown body codec {codec!r}")


def body_hash(body: bytes) -> str:
    """SHA-256 of the raw bytes: the body's identity (measured 2x faster than blake2b here)."""
    return hashlib.sha256(body).hexdigest()


def _date(info: DateInfo | None) -> tuple[str | None, str | None, str | None]:
    return (info.iso(), info.source, info.raw) if info else (None, None, None)


@dataclass(frozen=True, slots=True)
class PreparedBody:
    """A body hashed and compressed ahead of its write (pure CPU: any thread may make it)."""

    hash: str
    codec: str
    data: bytes
    size: int


def prepare_body(body: bytes) -> PreparedBody | None:
    if not body:
        return None
    codec, data = compress(body)
    return PreparedBody(body_hash(body), codec, data, len(body))


@dataclass(frozen=True, slots=True)
class PreparedFetches:
    """A batch of fetches hashed, compressed and turned into rows (see prepare_fetches)."""

    count: int
    bodies: list[tuple[Any, ...]]  # rows for `bodies` not archived yet
    rows: list[tuple[Any, ...]]  # rows for `fetches`, without their ids


@dataclass(frozen=True, slots=True)
class PreparedText:
    """A page's fingerprints and full-text index strings, computed ahead of its write."""

    content_hash: str | None
    signature: Any  # numpy uint32 array or None
    fts_title: str
    fts_text: str


def prepare_text(page: Page) -> PreparedText:
    chash, sig = dedup.fingerprints(page.text)
    return PreparedText(chash, sig, fts.index_text(page.title), fts.index_text(page.text))


@dataclass(frozen=True, slots=True)
class SearchHit:
    id: int
    url: str
    site: str | None
    title: str | None
    published: str | None
    rank: float


class Archive:
    """The archive database. Use `Archive.open(path)`; close it (or use `with`)."""

    def __init__(self, conn: sqlite3.Connection, path: str) -> None:
        """Wrap an open connection; prefer `Archive.open`, which configures and migrates."""
        self._conn = conn
        self.path = path
        self.mmap_bytes = MMAP_BYTES
        self.db = sqlite_utils.Database(conn)
        self._committing: Future[None] | None = None
        self._committer: ThreadPoolExecutor | None = None
        self._depth = 0
        self._site_seen: dict[str, tuple[Any, ...]] = {}
        # write-only rows (FTS postings, fetch outcomes, view counts) queued per statement and
        # written with one executemany each just before COMMIT: fewer round trips per article
        self._deferred: dict[str, list[tuple[Any, ...]]] = {}
        self._fts_rows: list[tuple[int, str, str]] = []
        self._lsh_rows: tuple[int, int] | None = None  # (lsh_recent, lsh_buckets) row counts
        self._last_keys: tuple[Any, list[int]] | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._reader: sqlite3.Connection | None = None  # see _known_bodies

    @property
    def conn(self) -> sqlite3.Connection:
        """The connection, once a commit running in the background (if any) has finished.

        Every use of the connection goes through here, so nothing reads or writes while a
        `transaction(background=True)` is still committing, and its error surfaces here.
        """
        if self._committing is not None:
            self.sync()
        return self._conn

    def sync(self) -> None:
        """Wait for a background commit; re-raise its error (its transaction was rolled back)."""
        future, self._committing = self._committing, None
        if future is not None:
            future.result()

    # --- lifecycle --------------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | Path, *, migrate: bool = True,
             mmap_bytes: int = MMAP_BYTES) -> Archive:
        """Open (creating if needed) and migrate the archive at `path` (":memory:" for tests).

        `mmap_bytes`: how much of the file SQLite may read through mmap (faster bulk filing;
        the mapped pages count in the process's resident memory as the file grows). The crawl
        pipeline passes its EGOVCRAWL_ARCHIVE_MMAP (0: plain reads through the OS cache)."""
        path = str(path)
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, isolation_level=None, timeout=BUSY_TIMEOUT_MS / 1000,
                               check_same_thread=False)
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if path != ":memory:" and mode.lower() != "wal":
                raise ArchiveError(f"{path}: cannot switch to WAL journal (got {mode})")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            conn.execute(f"PRAGMA mmap_size = {int(mmap_bytes)}")
            conn.execute(f"PRAGMA wal_autocheckpoint = {WAL_AUTOCHECKPOINT_PAGES}")
            archive = cls(conn, path)
            archive.mmap_bytes = int(mmap_bytes)
            if migrate:
                archive.migrate()
            else:
                archive._check_version()
        except BaseException:
            conn.close()
            raise
        return archive

    def close(self) -> None:
        if self._depth:
            raise ArchiveError("close() inside an open transaction")
        try:
            self.sync()
        finally:
            if self._committer is not None:
                self._committer.shutdown(wait=True)
                self._committer = None
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        with contextlib.suppress(sqlite3.OperationalError):
            self.conn.execute("PRAGMA optimize")
        self.conn.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._depth:  # an exception escaped a transaction block: it was rolled back already
            self._depth = 0
        self.close()

    def schema_version(self) -> int:
        if not self.db["schema_migrations"].exists():
            return 0
        row = self.conn.execute("SELECT max(version) FROM schema_migrations").fetchone()
        return row[0] or 0

    def _check_version(self) -> None:
        current = self.schema_version()
        if current > schema.LATEST:
            raise ArchiveError(
                f"{self.path}: schema version {current} is newer than this egovcrawl "
                f"knows ({schema.LATEST}); upgrade egovcrawl"
            )
        if current < schema.LATEST:
            raise ArchiveError(f"{self.path}: schema version {current}, needs migration")

    def migrate(self) -> list[int]:
        """Apply missing migrations, each in its own transaction; return the versions applied."""
        with self.transaction():
            if not self.db["schema_migrations"].exists():
                self.db["schema_migrations"].create(
                    {"version": int, "name": str, "applied_at": str}, pk="version"
                )
        current = self.schema_version()
        if current > schema.LATEST:
            self._check_version()
        applied = []
        for version, name, func in schema.MIGRATIONS:
            if version <= current:
                continue
            with self.transaction():
                func(self.db)
                self.conn.execute(
                    "INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)",
                    (version, name, utcnow()),
                )
            applied.append(version)
        return applied

    @contextlib.contextmanager
    def transaction(self, *, background: bool = False) -> Iterator[None]:
        """One write transaction (BEGIN IMMEDIATE): commits on success, rolls back on error.

        Nested blocks join the outer one, so a pipeline can batch many items per commit.
        `background=True` (outermost block only) returns before the end of the transaction:
        the batch's full-text postings and the COMMIT (with any WAL checkpoint) run on a
        thread, with the GIL released, while the caller goes on with CPU work that does not
        touch the archive; the next use of `conn` (or `sync()`) waits for it and re-raises its
        error. Atomicity is unchanged: the index rows commit with the article rows or not at all.
        """
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self.conn.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield
            self._flush_deferred()
            fts_rows, self._fts_rows = self._fts_rows, []
        except BaseException:
            self._depth = 0
            self._abandon()
            raise
        self._depth = 0
        if background:
            if self._committer is None:
                self._committer = ThreadPoolExecutor(1, thread_name_prefix="egov-archive-commit")
            self._committing = self._committer.submit(self._finish_transaction, fts_rows,
                                                      checkpoint=True)
        else:
            self._finish_transaction(fts_rows)

    def _finish_transaction(self, fts_rows: list[tuple[int, str, str]], *,
                            checkpoint: bool = False) -> None:
        try:
            self._index(fts_rows)
            self._conn.execute("COMMIT")
        except BaseException:
            self._abandon()
            raise
        if checkpoint:
            # committed already: a checkpoint that cannot finish (a reader) leaves the WAL
            # longer, never the data inconsistent, so its errors are not the commit's
            with contextlib.suppress(sqlite3.OperationalError):
                self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()

    def _abandon(self) -> None:
        self._deferred.clear()
        self._fts_rows.clear()
        self._lsh_rows = None
        self._site_seen.clear()  # the cache may describe rolled-back writes
        if self._conn.in_transaction:
            self._conn.execute("ROLLBACK")

    def _defer(self, sql: str, params: tuple[Any, ...]) -> None:
        """Queue a write nothing reads back inside the transaction; flushed before COMMIT."""
        self._deferred.setdefault(sql, []).append(params)

    def _flush_deferred(self) -> None:
        """Write the queued rows (statement by statement, in first-queued order)."""
        while self._deferred:
            sql = next(iter(self._deferred))
            self._conn.executemany(sql, self._deferred.pop(sql))

    def _settle(self) -> None:
        """Before a read that may look at queued rows: wait for a background commit, write the
        queue (inside a transaction the queue may hold rows; outside it is empty)."""
        self.sync()
        self._flush_deferred()
        self._flush_fts()

    def _flush_fts(self) -> None:
        rows, self._fts_rows = self._fts_rows, []
        self._index(rows)

    def _index(self, rows: list[tuple[int, str, str]]) -> None:
        """Index queued articles with ONE statement (rows passed as a JSON array), so the
        tokenising runs in SQLite without returning to Python (and without the GIL) per row."""
        if not rows:
            return
        self._conn.execute(
            "INSERT INTO articles_fts(rowid, title, text) "
            "SELECT value ->> 0, value ->> 1, value ->> 2 FROM json_each(?)",
            (json.dumps(rows, ensure_ascii=False),))

    # --- crawls and sites -------------------------------------------------------------------

    def start_crawl(self, sites: Sequence[str] = (), started: str | None = None) -> int:
        with self.transaction():
            cur = self.conn.execute(
                "INSERT INTO crawls(started, sites, status, stats) VALUES (?, ?, 'running', '{}')",
                (started or utcnow(), json.dumps(list(sites), ensure_ascii=False)),
            )
        return int(cur.lastrowid)

    def finish_crawl(self, crawl_id: int, status: str = "finished",
                     stats: dict[str, Any] | None = None) -> None:
        with self.transaction():
            cur = self.conn.execute(
                "UPDATE crawls SET finished = ?, status = ?, stats = ? WHERE id = ?",
                (utcnow(), status, json.dumps(stats or {}, ensure_ascii=False, sort_keys=True),
                 crawl_id),
            )
            if cur.rowcount != 1:
                raise ArchiveError(f"no crawl {crawl_id}")

    def crawl(self, crawl_id: int) -> dict[str, Any] | None:
        row = self._one("SELECT * FROM crawls WHERE id = ?", crawl_id)
        if row:
            row["sites"] = json.loads(row["sites"] or "[]")
            row["stats"] = json.loads(row["stats"] or "{}")
        return row

    def last_crawl_status(self, site: str) -> str | None:
        """Status of the latest crawl of `site` that ended: `finished`, `failed`,
        `stopped: <reason>`, or `killed` (left `running` although a later crawl of the site
        started: the process died). None if the site was never crawled to an end.

        The latest crawl row of the site, when still running, is taken for the caller's own
        crawl and skipped: call this once the current crawl's row exists (the pipeline creates
        it when the spider opens), or a crawl killed just before is not seen.
        """
        rows = self.conn.execute(
            "SELECT status, finished FROM crawls WHERE EXISTS "
            "(SELECT 1 FROM json_each(crawls.sites) WHERE value = ?) ORDER BY id DESC", (site,))
        for i, (status, finished) in enumerate(rows):
            if finished is not None:
                return str(status)
            if i > 0:
                return "killed"
        return None

    def known_urls(self, site: str) -> dict[str, KnownUrl]:
        """Every URL of `site` the archive fetched with a 2xx or 304 response, plus every URL
        of the site's articles (`article_urls`), keyed by `dedup.canonical_url`: what an
        incremental crawl need not fetch again (see `KnownUrl`). Two queries over the site's
        own rows (index on `fetches.site`); measured 200k URLs (400k fetches) in about 1.5 s."""
        self._settle()
        canonical = dedup.canonical_url
        canon_of: dict[str, str] = {}  # raw URL -> canonical: listings are fetched every night
        same: dict[str, str] = {}  # one string object per distinct timestamp / validator
        # per canonical URL: [article_id, last_fetched, etag, last_modified, page_kind]
        acc: dict[str, Any] = {}
        rows = self.conn.execute(
            "SELECT url, final_url, status, fetched_at, etag, last_modified, page_kind, "
            "article_id FROM fetches WHERE site = ? AND (status BETWEEN 200 AND 299 "
            "OR status = 304) ORDER BY id", (site,))
        for url, final, status, when, etag, lm, kind, aid in rows:
            when = same.setdefault(when, when)
            for raw in (url, final) if final and final != url else (url,):
                key = canon_of.get(raw)
                if key is None:
                    key = canon_of[raw] = canonical(raw)
                entry = acc.get(key)
                if entry is None:
                    entry = acc[key] = [aid, when, None, None, None]
                else:
                    if aid is not None:
                        entry[0] = aid
                    if when > entry[1]:
                        entry[1] = when
                if status != 304:  # the latest 2xx fetch's validators and kind (id order)
                    entry[2] = etag
                    entry[3] = lm if lm is None else same.setdefault(lm, lm)
                    if kind is not None:
                        entry[4] = kind
        rows = self.conn.execute(
            "SELECT u.url, u.article_id, a.last_seen FROM article_urls u "
            "JOIN articles a ON a.id = u.article_id WHERE a.site = ?", (site,))
        for url, aid, seen in rows:
            key = canon_of.get(url) or canonical(url)
            entry = acc.get(key)
            if entry is None:
                acc[key] = [aid, same.setdefault(seen, seen), None, None, "article"]
            else:
                entry[0] = aid
                if seen > entry[1]:
                    entry[1] = same.setdefault(seen, seen)
                if entry[4] is None:
                    entry[4] = "article"
        del canon_of, same
        for key, entry in acc.items():  # in place: each list is freed as its record is made
            acc[key] = KnownUrl(key, *entry)
        return acc

    def upsert_site(self, name: str, *, base_url: str | None = None,
                    profile_hash: str | None = None, cms: str | None = None,
                    theme: str | None = None) -> None:
        """Create or update a site row; None leaves a column as it is."""
        now = utcnow()
        with self.transaction():
            self.conn.execute(
                "INSERT INTO sites(name, first_seen, last_seen) VALUES (?, ?, ?) "
                "ON CONFLICT(name) DO NOTHING", (name, now, now))
            self.conn.execute(
                "UPDATE sites SET base_url = coalesce(?, base_url), "
                "profile_hash = coalesce(?, profile_hash), cms = coalesce(?, cms), "
                "theme = coalesce(?, theme) WHERE name = ?",
                (base_url, profile_hash, cms, theme, name))

    def observe_site(self, site: str | None, page: Page, *, crawl_id: int | None,
                     fetch_id: int | None, observed_at: str) -> None:
        """Record what any page of a site says about the site: copyright/ICP as last seen, and
        the site-wide visitor counter (first observation per crawl: one point per re-crawl)."""
        if not site:
            return
        c, sc = page.copyright, page.site_counter
        has_counter = bool(sc and (sc.today is not None or sc.yesterday is not None
                                   or sc.total is not None))
        key = (crawl_id, c.holder if c else None, c.year if c else None, c.icp if c else None)
        seen = self._site_seen.get(site)
        if seen is not None and seen[:4] == key and (seen[4] or not has_counter):
            return  # nothing new about this site in this crawl: spare the writes
        self._site_seen[site] = (*key, has_counter or bool(seen and seen[4] and
                                                          seen[0] == crawl_id))
        with self.transaction():
            self.conn.execute(
                "INSERT INTO sites(name, first_seen, last_seen) VALUES (?, ?, ?) "
                "ON CONFLICT(name) DO UPDATE SET last_seen = max(last_seen, excluded.last_seen)",
                (site, observed_at, observed_at))
            if c and (c.holder or c.icp or c.year):
                self.conn.execute(
                    "UPDATE sites SET copyright_holder = coalesce(?, copyright_holder), "
                    "copyright_year = coalesce(?, copyright_year), icp = coalesce(?, icp) "
                    "WHERE name = ?", (c.holder, c.year, c.icp, site))
            if sc and has_counter:
                self.conn.execute(
                    "INSERT OR IGNORE INTO site_counters(site, crawl_id, fetch_id, observed_at, "
                    "today, yesterday, total) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (site, crawl_id, fetch_id, observed_at, sc.today, sc.yesterday, sc.total))

    # --- fetches and bodies -----------------------------------------------------------------

    def record_fetch(self, rec: FetchRecord, prepared: PreparedBody | None = None) -> int:
        """Store one fetch (provenance row, body once per distinct hash). Returns the fetch id.

        The fetch is left *pending* (outcome NULL) until `store_article` or `mark_fetch`
        records what became of it, so a crash in between is visible and resumable.
        """
        bhash = None
        with self.transaction():
            if rec.body:
                bhash = prepared.hash if prepared else body_hash(rec.body)
                exists = self.conn.execute(
                    "SELECT 1 FROM bodies WHERE hash = ?", (bhash,)).fetchone()
                if not exists:
                    codec, data = (prepared.codec, prepared.data) if prepared else \
                        compress(rec.body)
                    self.conn.execute(
                        "INSERT INTO bodies(hash, codec, size, stored, data) VALUES (?,?,?,?,?)",
                        (bhash, codec, len(rec.body), len(data), data))
            headers = json.dumps(dict(rec.headers), ensure_ascii=False) if rec.headers else None
            cur = self.conn.execute(
                "INSERT INTO fetches(crawl_id, site, url, final_url, status, fetched_at, headers, "
                "content_type, declared_encoding, bytes, etag, last_modified, body_hash, error) "
                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (rec.crawl_id, rec.site, rec.url, rec.final_url, rec.status, rec.fetched_at,
                 headers, rec.content_type, rec.declared_encoding, len(rec.body),
                 rec.header("etag"), rec.header("last-modified"), bhash, rec.error))
        return int(cur.lastrowid)

    def prepare_fetches(self, records: Sequence[FetchRecord]) -> PreparedFetches:
        """The work of `record_fetches` that needs no write lock, so that it can overlap a
        background commit: bodies hashed, those already archived looked up on a read-only
        connection (committed bodies are all it needs to see), the others compressed, rows
        built. Hashing and compression release the GIL: they run on a small thread pool."""
        hashes = self._map(lambda r: body_hash(r.body) if r.body else None, records)
        wanted = {h: r.body for h, r in zip(hashes, records, strict=True) if h is not None}
        known = self._known_bodies(list(wanted))
        missing = [(h, b) for h, b in wanted.items() if h not in known]
        packed = self._map(lambda hb: compress(hb[1]), missing)
        bodies = [(h, codec, len(b), len(data), data)
                  for (h, b), (codec, data) in zip(missing, packed, strict=True)]
        rows = [(rec.crawl_id, rec.site, rec.url, rec.final_url, rec.status, rec.fetched_at,
                 json.dumps(dict(rec.headers), ensure_ascii=False) if rec.headers else None,
                 rec.content_type, rec.declared_encoding, len(rec.body),
                 rec.header("etag"), rec.header("last-modified"), h, rec.error)
                for rec, h in zip(records, hashes, strict=True)]
        return PreparedFetches(len(records), bodies, rows)

    def record_fetches(self, records: Sequence[FetchRecord],
                       prepared: PreparedFetches | None = None) -> list[int]:
        """Store a batch of fetches in one transaction (see `record_fetch`); returns their ids.

        Only bodies not archived yet are compressed (an unchanged page on a re-crawl costs a
        hash, not a compression). `prepared` is `prepare_fetches(records)` made ahead (e.g.
        while the previous batch commits). One statement per table for the batch.
        """
        if prepared is None:
            prepared = self.prepare_fetches(records)
        if prepared.count != len(records):
            raise ValueError("prepared fetches of another batch")
        with self.transaction():
            self.conn.executemany(
                "INSERT OR IGNORE INTO bodies(hash, codec, size, stored, data) VALUES (?,?,?,?,?)",
                prepared.bodies)
            # explicit ids: this transaction holds the write lock, so max(id)+1.. are ours
            first = self.conn.execute("SELECT coalesce(max(id), 0) + 1 FROM fetches").fetchone()[0]
            ids = list(range(first, first + len(records)))
            self.conn.executemany(
                "INSERT INTO fetches(id, crawl_id, site, url, final_url, status, fetched_at, "
                "headers, content_type, declared_encoding, bytes, etag, last_modified, "
                "body_hash, error) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                [(fid, *row) for fid, row in zip(ids, prepared.rows, strict=True)])
        return ids

    def _known_bodies(self, hashes: Sequence[str]) -> set[str]:
        """Which of these bodies are archived. Read on a second, read-only connection when the
        archive is a file (WAL: it sees every committed body and never waits for the writer);
        bodies commit with their fetches, never in a pending background commit."""
        conn = self._read_conn()
        known: set[str] = set()
        for start in range(0, len(hashes), 500):
            chunk = hashes[start : start + 500]
            marks = ",".join("?" * len(chunk))
            known.update(r[0] for r in conn.execute(
                f"SELECT hash FROM bodies WHERE hash IN ({marks})", chunk))
        return known

    def _read_conn(self) -> sqlite3.Connection:
        if self.path == ":memory:":
            return self.conn
        if self._reader is None:
            uri = Path(self.path).resolve().as_uri() + "?mode=ro"
            reader = sqlite3.connect(uri, uri=True, isolation_level=None,
                                     timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
            reader.execute(f"PRAGMA mmap_size = {self.mmap_bytes}")
            self._reader = reader
        return self._reader

    def _map(self, func: Callable[[Any], Any], items: Sequence[Any]) -> list[Any]:
        """`[func(x) for x in items]` on the thread pool AND the calling thread (interleaved
        slices): the caller works instead of waiting, so a loaded machine (whose scheduler
        shares the cores per thread) finishes the batch's hashing and compression sooner."""
        ways = (self._pool_size() + 1) if len(items) > 8 else 1
        if ways == 1:
            return [func(x) for x in items]
        pool = self._thread_pool()
        futures = [pool.submit(lambda part: [func(x) for x in part], items[i::ways])
                   for i in range(1, ways)]
        parts = [[func(x) for x in items[0::ways]]] + [f.result() for f in futures]
        out: list[Any] = [None] * len(items)
        for i, part in enumerate(parts):
            out[i::ways] = part
        return out

    @staticmethod
    def _pool_size() -> int:
        return min(4, os.cpu_count() or 2)

    def _thread_pool(self) -> ThreadPoolExecutor:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=self._pool_size(),
                                            thread_name_prefix="egov-archive-cpu")
        return self._pool

    def mark_fetch(self, fetch_id: int, outcome: str, *, error: str | None = None,
                   article_id: int | None = None, cause: Cause = "crawl",
                   page_kind: str | None = None) -> StoreResult:
        """Record what became of a fetch (and the kind of page extracted from it). Re-extraction
        keeps the crawl-time outcome and only fills what was missing (a pending fetch, an
        article found where there was none); its page kind, derived data, replaces the old."""
        with self.transaction():
            if cause == "reextract":
                self._defer(
                    "UPDATE fetches SET outcome = coalesce(outcome, ?), "
                    "article_id = coalesce(article_id, ?), "
                    "processed_at = coalesce(processed_at, ?), "
                    "page_kind = coalesce(?, page_kind) WHERE id = ?",
                    (outcome, article_id, utcnow(), page_kind, fetch_id))
            else:
                self._defer(
                    "UPDATE fetches SET outcome = ?, error = coalesce(?, error), "
                    "article_id = ?, processed_at = ?, page_kind = ? WHERE id = ?",
                    (outcome, error, article_id, utcnow(), page_kind, fetch_id))
        return StoreResult(fetch_id, outcome, article_id, error)  # type: ignore[arg-type]

    def body(self, hash_: str) -> bytes:
        row = self.conn.execute("SELECT codec, data FROM bodies WHERE hash = ?",
                                (hash_,)).fetchone()
        if row is None:
            raise KeyError(hash_)
        return decompress(row[0], row[1])

    def fetch_record(self, fetch_id: int) -> FetchRecord:
        """Rebuild the FetchRecord of a stored fetch, body included (for reprocessing)."""
        self._settle()
        row = self._one("SELECT * FROM fetches WHERE id = ?", fetch_id)
        if row is None:
            raise KeyError(fetch_id)
        return FetchRecord(
            url=row["url"], final_url=row["final_url"], status=row["status"],
            headers=json.loads(row["headers"] or "{}"),
            body=self.body(row["body_hash"]) if row["body_hash"] else b"",
            fetched_at=row["fetched_at"], crawl_id=row["crawl_id"], site=row["site"],
            error=row["error"],
        )

    def pending_fetch_ids(self, site: str | None = None) -> list[int]:
        """Fetches stored but never processed (a crash between fetch and store)."""
        self._settle()
        sql = "SELECT id FROM fetches WHERE outcome IS NULL"
        args: tuple[Any, ...] = ()
        if site:
            sql += " AND site = ?"
            args = (site,)
        return [r[0] for r in self.conn.execute(sql + " ORDER BY id", args)]

    def start_reextract(self, site: str | None) -> int:
        with self.transaction():
            cur = self.conn.execute(
                "INSERT INTO reextract_runs(started, site, status) VALUES (?, ?, 'running')",
                (utcnow(), site))
        return int(cur.lastrowid)

    def finish_reextract(self, run_id: int, status: str, stats_json: str, when: str) -> None:
        with self.transaction():
            self.conn.execute(
                "UPDATE reextract_runs SET finished = ?, status = ?, stats = ? WHERE id = ?",
                (when, status, stats_json, run_id))

    def reextract_fetch_ids(self, site: str | None = None) -> list[int]:
        """The fetches re-extraction reads: per archived article the fetch it was built from,
        plus the latest successful fetch of every URL that gave no article (the extractor may
        now find one). Oldest first, so first-seen order is preserved."""
        self._settle()
        site_sql = " AND site = ?" if site else ""
        args: tuple[Any, ...] = (site,) if site else ()
        # a URL whose latest good fetch made no article; older fetches of a URL that now has
        # an article are never re-read (their bodies would roll the article back)
        rows = self.conn.execute(
            "SELECT fetch_id FROM articles WHERE fetch_id IS NOT NULL" + site_sql +
            " UNION SELECT id FROM fetches WHERE article_id IS NULL AND id IN ("
            "SELECT max(id) FROM fetches WHERE body_hash IS NOT NULL "
            "AND status BETWEEN 200 AND 299" + site_sql + " GROUP BY url) ORDER BY 1",
            args + args)
        return [r[0] for r in rows]

    # --- articles ---------------------------------------------------------------------------

    def mark_removed(self, rec: FetchRecord, fetch_id: int) -> StoreResult:
        """A 404/410 at an archived article's URL: the article is kept, its status `removed`."""
        with self.transaction():
            article_id = self._find_by_urls(list(dict.fromkeys(
                [rec.url, rec.effective_url, dedup.canonical_url(rec.url)])))
            if article_id is None:
                return self.mark_fetch(fetch_id, "not-article", error=f"HTTP {rec.status}")
            old = self.conn.execute("SELECT status FROM articles WHERE id = ?",
                                    (article_id,)).fetchone()[0]
            if old != "removed":
                self.conn.execute("UPDATE articles SET status = 'removed' WHERE id = ?",
                                  (article_id,))
                self._change(article_id, "crawl", rec.crawl_id, fetch_id, None, "status",
                             old, "removed", rec.fetched_at)
            return self.mark_fetch(fetch_id, "removed", article_id=article_id)

    def mark_not_modified(self, rec: FetchRecord, fetch_id: int, *,
                          cause: Cause = "crawl") -> StoreResult:
        """A 304 (conditional GET: unchanged): at an archived article's URL an observation
        (`unchanged`: last_seen, a removed article is live again; no body, no view count, no
        extraction), elsewhere `not-article`."""
        with self.transaction():
            urls = list(dict.fromkeys([rec.url, rec.effective_url, dedup.canonical_url(rec.url),
                                       dedup.canonical_url(rec.effective_url)]))
            article_id = self._find_by_urls(urls)
            if article_id is None:
                return self.mark_fetch(fetch_id, "not-article", cause=cause)
            if cause == "crawl":
                now = rec.fetched_at
                old = self.conn.execute("SELECT status FROM articles WHERE id = ?",
                                        (article_id,)).fetchone()[0]
                if old != "live":
                    self._change(article_id, cause, rec.crawl_id, fetch_id, None, "status",
                                 old, "live", now)
                self.conn.execute(
                    "UPDATE articles SET last_seen = max(last_seen, ?), status = 'live' "
                    "WHERE id = ?", (now, article_id))
                marks = ",".join("?" * len(urls))
                self.conn.execute(
                    f"UPDATE article_urls SET last_seen = max(last_seen, ?) "
                    f"WHERE article_id = ? AND url IN ({marks})", (now, article_id, *urls))
            return self.mark_fetch(fetch_id, "unchanged", article_id=article_id, cause=cause)

    def store_article(self, page: Page, rec: FetchRecord, fetch_id: int, *,
                      cause: Cause = "crawl", reextract_id: int | None = None,
                      prepared: PreparedText | None = None) -> StoreResult:
        """File an extracted article page: new article, alias, version, duplicate or unchanged.

        `cause="reextract"` re-files a stored body with a newer extractor: changes are recorded
        the same way, but no view-count observation or last_seen is added (nothing was observed).
        """
        now = rec.fetched_at
        canon = dedup.canonical_url(rec.effective_url, page.canonical_url)
        urls = list(dict.fromkeys([canon, rec.url, rec.effective_url]))
        print_view = dedup.is_print_view(rec.effective_url) or dedup.is_print_view(rec.url)
        prep = prepared or prepare_text(page)
        chash = prep.content_hash
        with self.transaction():
            article_id = self._find_by_urls(urls)
            if article_id is None and chash and rec.site:
                row = self.conn.execute(
                    "SELECT id FROM articles WHERE content_hash = ? AND site = ? "
                    "ORDER BY id LIMIT 1", (chash, rec.site)).fetchone()
                if row:  # the same text at another URL of the same site: an alias
                    article_id = row[0]
                    self._add_urls(article_id, urls, now)
                    if cause == "crawl":
                        self._observe(article_id, page, rec, fetch_id)
                    self._add_attachments(article_id, page, rec, fetch_id)
                    return self.mark_fetch(fetch_id, "alias", article_id=article_id,
                                           cause=cause, page_kind="article")
            if article_id is None:
                result = self._insert_article(page, rec, fetch_id, canon, urls, prep, cause)
            else:
                result = self._update_article(article_id, page, rec, fetch_id, urls, prep,
                                              print_view, cause, reextract_id)
            assert result.article_id is not None
            self._add_attachments(result.article_id, page, rec, fetch_id)
            return result

    def _add_attachments(self, article_id: int, page: Page, rec: FetchRecord,
                         fetch_id: int) -> None:
        """The article's document links (PDF, DOC...), kept as first seen: never removed."""
        for link in page.attachments:
            self._defer(
                "INSERT OR IGNORE INTO attachments(article_id, url, title, first_seen, fetch_id) "
                "VALUES (?,?,?,?,?)", (article_id, link.url, link.title or None, rec.fetched_at,
                                       fetch_id))

    def _insert_article(self, page: Page, rec: FetchRecord, fetch_id: int, canon: str,
                        urls: list[str], prep: PreparedText,
                        cause: Cause = "crawl") -> StoreResult:
        now = rec.fetched_at
        chash, sig = prep.content_hash, prep.signature
        dup_of, sim = self._near_duplicate(sig) if sig is not None else (None, None)
        pub, upd = _date(page.published), _date(page.updated)
        c, s = page.copyright, page.source
        cur = self.conn.execute(
            "INSERT INTO articles(url, site, title, text, published, published_source, "
            "published_raw, updated, updated_source, updated_raw, views, copyright_holder, "
            "copyright_year, icp, source, source_url, language, country, encoding, content_hash, "
            "minhash, duplicate_of, similarity, first_seen, last_seen, status, version, "
            "fetch_id, body_hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,"
            "'live',1,?,(SELECT body_hash FROM fetches WHERE id = ?))",
            (canon, rec.site, page.title, page.text, *pub, *upd, page.views,
             c.holder if c else None, c.year if c else None, c.icp if c else None,
             s.name if s else None, s.url if s else None, page.language, page.country,
             page.encoding, chash, dedup.signature_bytes(sig), dup_of, sim, now, now,
             fetch_id, fetch_id))
        article_id = int(cur.lastrowid)
        self._add_urls(article_id, urls, now, canonical=canon)
        self._fts_insert(article_id, page.title, page.text, prep)
        if sig is not None:
            self._add_bands(article_id, sig)
        if page.views is not None:
            self._view(article_id, rec, fetch_id, page.views)
        return self.mark_fetch(fetch_id, "duplicate" if dup_of else "new",
                               article_id=article_id, cause=cause, page_kind="article")

    def _update_article(self, article_id: int, page: Page, rec: FetchRecord, fetch_id: int,
                        urls: list[str], prep: PreparedText, print_view: bool,
                        cause: Cause, reextract_id: int | None) -> StoreResult:
        now = rec.fetched_at
        chash, sig = prep.content_hash, prep.signature
        old = self._one("SELECT * FROM articles WHERE id = ?", article_id)
        assert old is not None
        self._add_urls(article_id, urls, now)
        if print_view and cause == "crawl":
            # a print view is a variant of the article, not a newer edition of its text
            self._observe(article_id, page, rec, fetch_id)
            return self.mark_fetch(fetch_id, "alias", article_id=article_id, page_kind="article")

        same_text = (chash == old["content_hash"] if chash or old["content_hash"]
                     else (page.text or "") == (old["text"] or ""))
        new_values = self._tracked(page, old["url"])
        outcome = "unchanged"
        if not same_text or (page.title or None) != (old["title"] or None):
            outcome = "updated"
            self.conn.execute(
                "INSERT INTO article_versions(article_id, version, title, text, content_hash, "
                "first_seen, replaced_at, cause, fetch_id) VALUES (?,?,?,?,?,?,?,?,?)",
                (article_id, old["version"], old["title"], old["text"], old["content_hash"],
                 old["first_seen"] if old["version"] == 1 else self._version_start(article_id),
                 now if cause == "crawl" else utcnow(), cause, fetch_id))
            self._fts_delete(article_id, old["title"], old["text"])
            self._fts_insert(article_id, page.title, page.text, prep)
            if sig is not None:
                self._add_bands(article_id, sig)
            self.conn.execute(
                "UPDATE articles SET title = ?, text = ?, content_hash = ?, minhash = ?, "
                "version = version + 1, status = ? WHERE id = ?",
                (page.title, page.text, chash, dedup.signature_bytes(sig),
                 "changed" if cause == "crawl" else old["status"], article_id))
        elif cause == "crawl" and old["status"] != "live":
            self._change(article_id, cause, rec.crawl_id, fetch_id, reextract_id, "status",
                         old["status"], "live", now)
            self.conn.execute("UPDATE articles SET status = 'live' WHERE id = ?", (article_id,))

        changed_meta = False
        for name, value in new_values.items():
            if name == "title":
                continue  # title changes are versions
            if value is None and cause == "crawl":
                continue  # a field not found this time is not evidence that it went away
            if _norm(value) != _norm(old[name]):
                changed_meta = True
                self._change(article_id, cause, rec.crawl_id, fetch_id, reextract_id, name,
                             old[name], value, now)
                self.conn.execute(f"UPDATE articles SET {name} = ? WHERE id = ?",
                                  (value, article_id))
        if outcome == "unchanged" and changed_meta and cause == "reextract":
            outcome = "updated"
        if cause == "crawl":
            self._observe(article_id, page, rec, fetch_id)
        if outcome == "updated" or cause == "crawl":
            self.conn.execute(
                "UPDATE articles SET fetch_id = ?, "
                "body_hash = (SELECT body_hash FROM fetches WHERE id = ?) WHERE id = ?",
                (fetch_id, fetch_id, article_id))
        return self.mark_fetch(fetch_id, outcome, article_id=article_id, cause=cause,
                               page_kind="article")

    def _tracked(self, page: Page, url: str) -> dict[str, Any]:
        pub, upd = _date(page.published), _date(page.updated)
        c, s = page.copyright, page.source
        return {
            "title": page.title, "published": pub[0], "published_source": pub[1],
            "updated": upd[0], "updated_source": upd[1],
            "copyright_holder": c.holder if c else None, "copyright_year": c.year if c else None,
            "icp": c.icp if c else None, "source": s.name if s else None,
            "source_url": s.url if s else None, "language": page.language,
            "country": page.country, "url": url,
        }

    def _version_start(self, article_id: int) -> str | None:
        row = self.conn.execute(
            "SELECT max(replaced_at) FROM article_versions WHERE article_id = ?",
            (article_id,)).fetchone()
        return row[0]

    def _observe(self, article_id: int, page: Page, rec: FetchRecord, fetch_id: int) -> None:
        self.conn.execute(
            "UPDATE articles SET last_seen = max(last_seen, ?), views = coalesce(?, views) "
            "WHERE id = ?", (rec.fetched_at, page.views, article_id))
        if page.views is not None:
            self._view(article_id, rec, fetch_id, page.views)

    def _view(self, article_id: int, rec: FetchRecord, fetch_id: int, views: int) -> None:
        self._defer(
            "INSERT INTO view_counts(article_id, crawl_id, fetch_id, observed_at, views) "
            "VALUES (?,?,?,?,?)", (article_id, rec.crawl_id, fetch_id, rec.fetched_at, views))

    def _change(self, article_id: int, cause: str, crawl_id: int | None, fetch_id: int | None,
                reextract_id: int | None, field: str, old: Any, new: Any, when: str) -> None:
        self.conn.execute(
            "INSERT INTO article_changes(article_id, changed_at, cause, crawl_id, fetch_id, "
            "reextract_id, field, old, new) VALUES (?,?,?,?,?,?,?,?,?)",
            (article_id, when if cause == "crawl" else utcnow(), cause, crawl_id, fetch_id,
             reextract_id, field, _norm(old), _norm(new)))

    def _find_by_urls(self, urls: Sequence[str]) -> int | None:
        marks = ",".join("?" * len(urls))
        row = self.conn.execute(
            f"SELECT article_id FROM article_urls WHERE url IN ({marks}) "
            "ORDER BY article_id LIMIT 1", tuple(urls)).fetchone()
        return row[0] if row else None

    def _add_urls(self, article_id: int, urls: Sequence[str], when: str,
                  canonical: str | None = None) -> None:
        self.conn.executemany(
            "INSERT INTO article_urls(url, article_id, kind, first_seen, last_seen) "
            "VALUES (?,?,?,?,?) ON CONFLICT(url) DO UPDATE SET "
            "last_seen = max(last_seen, excluded.last_seen)",
            [(u, article_id, _url_kind(u, canonical), when, when) for u in urls])

    def _near_duplicate(self, sig: Any) -> tuple[int | None, float | None]:
        """LSH lookup: the earliest-seen article whose signature is close enough, or None.

        One primary-key probe per band; each bucket remembers the first article that landed in
        it, so the work per article is bounded whatever the archive size.
        """
        keys = self._band_keys(sig)
        marks = ",".join("?" * len(keys))
        cands = {r[0] for r in self.conn.execute(
            f"SELECT article_id FROM lsh_buckets WHERE key IN ({marks}) UNION ALL "
            f"SELECT article_id FROM lsh_recent WHERE key IN ({marks})", keys + keys)}
        best: tuple[float, int] | None = None
        for cand in sorted(cands):
            row = self.conn.execute(
                "SELECT minhash, duplicate_of FROM articles WHERE id = ?", (cand,)).fetchone()
            other = dedup.signature_from_bytes(row[0]) if row else None
            if other is None:
                continue
            sim = dedup.similarity(sig, other)
            if sim >= dedup.NEAR_DUP_THRESHOLD and (best is None or sim > best[0]):
                best = (sim, row[1] or cand)
        return (best[1], best[0]) if best else (None, None)

    def _band_keys(self, sig: Any) -> list[int]:
        # the probe and the insert of one article use the same keys: compute them once
        if self._last_keys is None or self._last_keys[0] is not sig:
            self._last_keys = (sig, dedup.band_keys(sig))
        return self._last_keys[1]

    def _add_bands(self, article_id: int, sig: Any) -> None:
        """File the signature's band keys; a bucket keeps the first article that reached it.

        Keys go to `lsh_recent` (small, cached: a batch dirties a few pages, not one page per
        key) and are merged into `lsh_buckets` in key order when it reaches LSH_MERGE_SHARE of
        it, so each page of the big table is rewritten once per merge: constant work per key
        whatever the archive size. Until then a bucket may have an entry in both tables; the
        probe reads both and verification picks the best candidate, whose cluster root wins.
        """
        keys = self._band_keys(sig)
        if self._lsh_rows is None:
            self._lsh_rows = (
                self.conn.execute("SELECT count(*) FROM lsh_recent").fetchone()[0],
                int(self.conn.execute("SELECT value FROM meta WHERE key = 'lsh_buckets_rows'"
                                      ).fetchone()[0]))
        # one statement over a JSON array: one step instead of 21, no tuple per key
        self.conn.execute(
            "INSERT OR IGNORE INTO lsh_recent(key, article_id) "
            "SELECT value, ? FROM json_each(?)", (article_id, json.dumps(keys)))
        recent, main = self._lsh_rows
        recent += len(keys)
        self._lsh_rows = (recent, main)
        if recent >= max(LSH_MERGE_MIN, int(main * LSH_MERGE_SHARE)):
            self._merge_lsh()

    def _merge_lsh(self) -> None:
        """Move lsh_recent into lsh_buckets in key order (older entries win), in the caller's
        transaction."""
        with self.transaction():
            added = self.conn.execute(
                "INSERT OR IGNORE INTO lsh_buckets(key, article_id) "
                "SELECT key, article_id FROM lsh_recent ORDER BY key").rowcount
            self.conn.execute("DELETE FROM lsh_recent")
            main = int(self.conn.execute(
                "SELECT value FROM meta WHERE key = 'lsh_buckets_rows'").fetchone()[0]) + added
            self.conn.execute("UPDATE meta SET value = ? WHERE key = 'lsh_buckets_rows'",
                              (str(main),))
            self._lsh_rows = (0, main)

    # --- full-text search -------------------------------------------------------------------

    def _fts_insert(self, article_id: int, title: str | None, text: str | None,
                    prepared: PreparedText | None = None) -> None:
        if prepared is not None:
            values = (article_id, prepared.fts_title, prepared.fts_text)
        else:
            values = (article_id, fts.index_text(title), fts.index_text(text))
        self._fts_rows.append(values)

    def _fts_delete(self, article_id: int, title: str | None, text: str | None) -> None:
        # a contentless index forgets a row only when given exactly what it indexed, so the
        # queued inserts (this row's among them) go first
        self._flush_fts()
        self.conn.execute(
            "INSERT INTO articles_fts(articles_fts, rowid, title, text) "
            "VALUES ('delete', ?, ?, ?)",
            (article_id, fts.index_text(title), fts.index_text(text)))

    def rebuild_fts(self) -> int:
        """Re-index every article (after `fts.FTS_VERSION` changed). Returns the row count."""
        with self.transaction():
            self.conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('delete-all')")
            n = 0
            for aid, title, text in self.conn.execute(
                    "SELECT id, title, text FROM articles").fetchall():
                self._fts_insert(aid, title, text)
                n += 1
            self.conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('fts_version', ?)",
                              (str(fts.FTS_VERSION),))
        return n

    def optimize_fts(self) -> None:
        """Merge the full-text index's segments (after a crawl): smaller, faster queries."""
        with self.transaction():
            self.conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('optimize')")

    def search(self, query: str, *, limit: int = 20, site: str | None = None) -> list[SearchHit]:
        """Articles matching `query` (English, German or Chinese), best first (bm25).

        FTS5 syntax (`"phrases"`, AND/OR/NOT, `*`) is honoured when the query is valid FTS5;
        otherwise (`NEAR(a b)`, `a AND (NOT b)`) its words are searched as plain words, so no
        user input is a syntax error."""
        expr, plain = fts.match_expressions(query)
        if not expr and not plain:
            return []
        self._settle()
        sql = ("SELECT a.id, a.url, a.site, a.title, a.published, f.rank FROM articles_fts f "
               "JOIN articles a ON a.id = f.rowid WHERE articles_fts MATCH ?")
        tail: list[Any] = []
        if site:
            sql += " AND a.site = ?"
            tail.append(site)
        sql += " ORDER BY f.rank LIMIT ?"
        tail.append(limit)
        for candidate in (expr, plain):
            if not candidate:
                continue
            try:
                return [SearchHit(*row) for row in self.conn.execute(sql, [candidate, *tail])]
            except sqlite3.OperationalError as exc:
                if "fts5" not in str(exc).lower() and "syntax" not in str(exc).lower():
                    raise
        return []

    # --- inspection -------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        self._settle()
        tables = ["sites", "crawls", "fetches", "bodies", "articles", "article_urls",
                  "article_versions", "article_changes", "view_counts", "site_counters"]
        return {t: self.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in tables}

    def integrity_check(self) -> list[str]:
        """SQLite's integrity check plus the FTS index's own; ["ok"] when all is well."""
        self._settle()
        rows = [r[0] for r in self.conn.execute("PRAGMA integrity_check")]
        try:
            self.conn.execute(
                "INSERT INTO articles_fts(articles_fts, rank) VALUES ('integrity-check', 0)")
        except sqlite3.DatabaseError as exc:
            rows.append(f"articles_fts: {exc}")
        return rows

    def _one(self, sql: str, *args: Any) -> dict[str, Any] | None:
        cur = self.conn.execute(sql, args)
        row = cur.fetchone()
        if row is None:
            return None
        return {d[0]: v for d, v in zip(cur.description, row, strict=True)}


def _url_kind(url: str, canonical: str | None) -> str:
    if canonical is not None and url == canonical:
        return "canonical"
    return "print" if dedup.is_print_view(url) else "alias"


def _norm(value: Any) -> str | None:
    return None if value is None else str(value)
