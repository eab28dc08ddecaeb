"""Read-only questions to the archive: what `egovcrawl search/export/stats/runs/query` print.

Every function here takes a connection from `connect()`, which opens the SQLite file read-only
(`mode=ro` URI, `PRAGMA query_only`): an analyst's command can never change the archive a cron
crawl is writing, and WAL lets it read a consistent snapshot while the crawl goes on. Writing
stays in `egovcrawl.storage` (the only module that writes SQL); `migrate()` goes through it.

Results stream from SQLite cursors (exports hold one row at a time), so a million-article
archive exports in constant memory. The functions raise `ArchiveUnavailable` (the file is
missing, not SQLite, corrupt, locked or not an archive), `QueryRefused` (a write in `run_sql`)
or `sqlite3.Error`; the CLI turns them into one line and an exit code.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import functools
import http
import io
import json
import re
import sqlite3
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from egovcrawl.storage import fts
from egovcrawl.storage.fts import _has_token_char, match_expressions

SQLITE_MAGIC = b"SQLite format 3\x00"
#: A crawl writes in WAL mode and never blocks readers; this only matters for a database in
#: another journal mode held by a writer.
READ_TIMEOUT_S = 10.0

#: The article columns `export` writes, in this order (docs/schema.md explains each).
ARTICLE_FIELDS = (
    "id", "url", "site", "title", "text", "published", "updated", "views", "copyright_holder",
    "copyright_year", "source", "language", "duplicate_of", "first_seen", "last_seen", "status",
)
#: Fields whose per-site fill rate `stats` reports.
FILL_FIELDS = ("title", "text", "published", "views", "copyright_holder", "language")
#: Drift alarm: a site is flagged when the share of its newly archived article pages with a
#: date (or a text) fell by more than this many percentage points from one crawl to the next,
DRIFT_POINTS = 20.0
#: ... and both crawls archived at least this many new article pages of the site (fewer make
#: a share too noisy to alarm on).
DRIFT_MIN_PAGES = 5
DATE_ARG = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")


class ArchiveUnavailable(Exception):
    """The file cannot be read as an egovcrawl archive (missing, not SQLite, corrupt, locked)."""


class QueryRefused(Exception):
    """A statement given to `run_sql` would change something; nothing was run."""


# --- opening ---------------------------------------------------------------------------------

def connect(path: str | Path, *, tables: Sequence[str] = ("articles",)) -> sqlite3.Connection:
    """Open the archive at `path` read-only; check that it holds `tables`.

    Refuses, without creating or touching anything, a path that does not exist, a file that is
    not SQLite, a corrupt or locked database and (when `tables` is given) one without them.
    """
    p = Path(path)
    if not p.exists():
        raise ArchiveUnavailable(f"no archive at {path}")
    if p.is_dir():
        raise ArchiveUnavailable(f"{path} is a directory, not an archive file")
    try:
        with p.open("rb") as fh:
            head = fh.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise ArchiveUnavailable(f"cannot read {path}: {exc.strerror or exc}") from None
    if head and head != SQLITE_MAGIC:
        raise ArchiveUnavailable(f"{path} is not a SQLite database")
    try:
        conn = sqlite3.connect(f"{p.resolve().as_uri()}?mode=ro", uri=True,
                               timeout=READ_TIMEOUT_S, check_same_thread=False)
    except sqlite3.Error as exc:
        raise ArchiveUnavailable(f"cannot open {path}: {exc}") from None
    try:
        conn.execute("PRAGMA query_only = 1")
        names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    except sqlite3.Error as exc:
        conn.close()
        raise ArchiveUnavailable(f"{path}: {describe_error(exc)}") from None
    missing = [t for t in tables if t not in names]
    if missing:
        conn.close()
        raise ArchiveUnavailable(
            f"{path} is not an egovcrawl archive (no {missing[0]} table); "
            "`egovcrawl migrate --db FILE` creates one")
    return conn


def describe_error(exc: sqlite3.Error) -> str:
    """SQLite's message for an error, with a hint where the reason is not obvious."""
    name = getattr(exc, "sqlite_errorname", "")
    msg = str(exc)
    if name == "SQLITE_NOTADB":
        return "not a SQLite database (file is not a database)"
    if name == "SQLITE_CORRUPT":
        return f"the database is corrupt ({msg}); restore it from a backup"
    if name in ("SQLITE_BUSY", "SQLITE_LOCKED"):
        return f"{msg}: another process holds the database"
    return msg


def is_archive_error(exc: sqlite3.Error) -> bool:
    """True when an error is about the database file (corrupt, locked, unreadable), not about
    the SQL or the arguments the user gave."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    return name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB", "SQLITE_BUSY", "SQLITE_LOCKED",
                            "SQLITE_IOERR", "SQLITE_CANTOPEN", "SQLITE_FULL", "SQLITE_NOMEM",
                            "SQLITE_PERM"))


def check_date(value: str) -> str:
    """A --since/--until argument: YYYY, YYYY-MM or YYYY-MM-DD (a real date)."""
    if not DATE_ARG.fullmatch(value):
        raise ValueError(f"{value!r} is not a date: use YYYY, YYYY-MM or YYYY-MM-DD")
    parts = [int(x) for x in value.split("-")] + [1, 1]
    try:
        dt.date(parts[0], parts[1], parts[2])
    except ValueError:
        raise ValueError(f"{value!r} is not a date: use YYYY, YYYY-MM or YYYY-MM-DD") from None
    return value


def _date_filters(column: str, since: str | None, until: str | None
                  ) -> tuple[list[str], list[Any]]:
    """SQL conditions on an ISO date/datetime column: `since` and `until` are inclusive and
    compare at their own precision (until 2024-07 keeps all of July)."""
    where: list[str] = []
    args: list[Any] = []
    if since:
        where.append(f"substr({column}, 1, {len(since)}) >= ?")
        args.append(since)
    if until:
        where.append(f"substr({column}, 1, {len(until)}) <= ?")
        args.append(until)
    return where, args


def _rows(cur: sqlite3.Cursor) -> Iterator[dict[str, Any]]:
    names = [d[0] for d in cur.description]
    for row in cur:
        yield dict(zip(names, row, strict=True))


# --- search ----------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class SearchResult:
    id: int
    url: str
    site: str | None
    title: str | None
    published: str | None
    views: int | None
    rank: float
    snippet: str


def query_terms(query: str) -> list[str]:
    """The words and phrases of a query, for marking them in a snippet (operators, terms
    after NOT and punctuation left out)."""
    terms: list[str] = []
    negate = False
    for token in fts.QUERY_TOKEN.findall(query):
        if token == "NOT":
            negate = True
            continue
        if token in fts.OPERATORS or token in ("(", ")"):
            continue
        term = token.strip('"').rstrip("*").strip()
        if term and _has_token_char(term) and not negate:
            terms.append(term)
        negate = False
    return terms


@functools.lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    low = ch.lower()[:1] or ch
    return unicodedata.normalize("NFKD", low)[:1] or low


def _fold(text: str) -> str:
    """Lower case without diacritics, one character for one (positions stay valid)."""
    if text.isascii():
        return text.lower()
    return "".join(map(_fold_char, text))


def make_snippet(text: str | None, terms: Sequence[str], *, width: int = 160,
                 marks: tuple[str, str] = ("**", "**")) -> str:
    """A window of `text` around the first query term it contains, terms wrapped in `marks`.

    The full-text index is contentless (docs/schema.md), so FTS5's snippet() has no text to
    cut; this works on articles.text. Matching folds case and diacritics as the index does.
    Without a match (the hit was in the title) it is the start of the text.
    """
    if not text:
        return ""
    flat = " ".join(text.split())
    folded = _fold(flat)
    spans: list[tuple[int, int]] = []
    for term in terms:
        needle = _fold(" ".join(term.split()))
        if not needle:
            continue
        start = folded.find(needle)
        while start != -1:
            spans.append((start, start + len(needle)))
            start = folded.find(needle, start + len(needle))
    spans.sort()
    first = spans[0][0] if spans else 0
    lo = max(0, min(first - width // 3, len(flat) - width))
    hi = min(len(flat), lo + width)
    if lo > 0:  # start at a word boundary when there is one nearby (not inside CJK text)
        space = flat.find(" ", lo, first if spans else lo + 20)
        if 0 <= space < lo + 20:
            lo = space + 1
    out: list[str] = ["…" if lo > 0 else ""]
    pos = lo
    for start, end in spans:
        if start < pos or end > hi:
            continue
        out += [flat[pos:start], marks[0], flat[start:end], marks[1]]
        pos = end
    out.append(flat[pos:hi])
    if hi < len(flat):
        out.append("…")
    return "".join(out)


def search(conn: sqlite3.Connection, query: str, *, site: str | None = None,
           since: str | None = None, until: str | None = None, limit: int = 20,
           marks: tuple[str, str] = ("**", "**")) -> list[SearchResult]:
    """Articles matching `query` (English, German or Chinese), best first (bm25 rank).

    `since`/`until` filter on the published date (undated articles are then left out).
    """
    expr, plain = match_expressions(query)
    if not expr and not plain:
        return []
    # the texts (for snippets) are read for the top hits only: sorting every match with its
    # text made a common English query 1.5x slower than the bare full-text query
    sql = ("SELECT a.id, a.url, a.site, a.title, a.published, a.views, f.rank "
           "FROM articles_fts f JOIN articles a ON a.id = f.rowid WHERE articles_fts MATCH ?")
    args: list[Any] = []
    if site:
        sql += " AND a.site = ?"
        args.append(site)
    where, dargs = _date_filters("a.published", since, until)
    sql += "".join(f" AND {w}" for w in where) + " ORDER BY f.rank LIMIT ?"
    args += [*dargs, limit]
    try:
        rows = conn.execute(sql, [expr or plain, *args]).fetchall()
    except sqlite3.OperationalError as exc:
        if "fts5" not in str(exc):
            raise
        rows = conn.execute(sql, [plain, *args]).fetchall() if plain else []
    terms = query_terms(query)
    texts = dict(conn.execute(
        f"SELECT id, text FROM articles WHERE id IN ({','.join('?' * len(rows))})",
        [r[0] for r in rows])) if rows else {}
    return [SearchResult(*row, snippet=make_snippet(texts.get(row[0]), terms, marks=marks))
            for row in rows]


# --- export ----------------------------------------------------------------------------------

def iter_articles(conn: sqlite3.Connection, *, site: str | None = None,
                  since: str | None = None) -> Iterator[dict[str, Any]]:
    """Every article (ARTICLE_FIELDS), oldest id first, one row in memory at a time.
    `since` keeps articles published on or after that date."""
    where, args = _date_filters("published", since, None)
    if site:
        where.append("site = ?")
        args.append(site)
    sql = f"SELECT {', '.join(ARTICLE_FIELDS)} FROM articles"
    if where:
        sql += " WHERE " + " AND ".join(where)
    yield from _rows(conn.execute(sql + " ORDER BY id", args))


def write_csv(rows: Iterable[Mapping[str, Any]], out: IO[str], fields: Sequence[str]) -> int:
    """CSV with a header row (NULL = empty cell); returns the number of rows."""
    writer = csv.writer(out)
    writer.writerow(fields)
    n = 0
    for row in rows:
        writer.writerow(["" if row[f] is None else row[f] for f in fields])
        n += 1
    return n


def write_jsonl(rows: Iterable[Mapping[str, Any]], out: IO[str]) -> int:
    """One JSON object per line (UTF-8, NULL = null); returns the number of rows."""
    n = 0
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
        n += 1
    return n


@dataclass
class WarcReport:
    responses: int = 0  #: response records written (one per fetch that got a response)
    skipped: int = 0  #: fetches without a response (network errors): nothing to replay
    bytes: int = 0  #: payload bytes written (before gzip)


#: Headers that describe the bytes on the wire, not the decoded body the archive keeps; a
#: replay tool reading them would try to de-chunk or decompress it again. Kept under pywb's
#: X-Archive-Orig- prefix, with Content-Length set to the stored body's length.
_WIRE_HEADERS = ("content-encoding", "transfer-encoding", "content-length")


def _http_headers(status: int, headers_json: str | None, length: int) -> Any:
    from warcio.statusandheaders import StatusAndHeaders

    try:
        phrase = http.HTTPStatus(status).phrase
    except ValueError:
        phrase = ""
    stored = json.loads(headers_json) if headers_json else {}
    items: list[tuple[str, str]] = []
    for name, value in stored.items():
        if name.lower() in _WIRE_HEADERS:
            if name.lower() != "content-length" or str(value) != str(length):
                items.append((f"X-Archive-Orig-{name}", str(value)))
        else:
            items.append((name, str(value)))
    items.append(("Content-Length", str(length)))
    return StatusAndHeaders(f"{status} {phrase}".strip(), items, protocol="HTTP/1.1")


def warc_date(iso: str) -> str:
    """An archive timestamp as a WARC-Date (UTC, `Z`)."""
    when = dt.datetime.fromisoformat(iso)
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    when = when.astimezone(dt.UTC)
    fmt = "%Y-%m-%dT%H:%M:%S.%fZ" if when.microsecond else "%Y-%m-%dT%H:%M:%SZ"
    return when.strftime(fmt)


def write_warc(conn: sqlite3.Connection, out: IO[bytes], *, site: str | None = None,
               since: str | None = None, filename: str = "egovcrawl.warc.gz") -> WarcReport:
    """The stored fetches as WARC/1.1 (gzip per record), in fetch order.

    A `warcinfo` record, then per fetch that got a response: a `response` record (status line,
    the stored headers, the body as archived; WARC-Date = fetch time, WARC-Payload-Digest) and
    a `metadata` record concurrent to it with egovcrawl's provenance (fetch id, crawl, site,
    outcome, article, the requested URL after a redirect). No `request` records: the archive
    does not keep request headers, and an invented request would not be evidence. `since`
    keeps fetches made on or after that date (UTC).
    """
    from warcio.warcwriter import WARCWriter

    from egovcrawl import __version__
    from egovcrawl.storage.archive import decompress

    writer = WARCWriter(out, gzip=True, warc_version="1.1")
    writer.write_record(writer.create_warcinfo_record(filename, {
        "software": f"egovcrawl/{__version__}",
        "format": "WARC File Format 1.1",
        "description": "raw responses of an egovcrawl archive; bodies as stored (HTTP "
                       "content and transfer encodings decoded, see X-Archive-Orig-*)",
    }))
    report = WarcReport()
    where, args = _date_filters("fetched_at", since, None)
    if site:
        where.append("site = ?")
        args.append(site)
    sql = ("SELECT id, crawl_id, site, url, final_url, status, fetched_at, headers, body_hash, "
           "outcome, article_id, error FROM fetches")
    if where:
        sql += " WHERE " + " AND ".join(where)
    bodies = conn.cursor()
    for row in _rows(conn.execute(sql + " ORDER BY id", args)):
        if row["status"] is None:
            report.skipped += 1
            continue
        body = b""
        if row["body_hash"]:
            found = bodies.execute("SELECT codec, data FROM bodies WHERE hash = ?",
                                   (row["body_hash"],)).fetchone()
            if found is None:
                raise ArchiveUnavailable(f"fetch {row['id']}: body {row['body_hash']} missing")
            body = decompress(found[0], found[1])
        uri = row["final_url"] or row["url"]
        date = warc_date(row["fetched_at"])
        record = writer.create_warc_record(
            uri, "response", payload=io.BytesIO(body), length=len(body),
            http_headers=_http_headers(row["status"], row["headers"], len(body)),
            warc_headers_dict={"WARC-Date": date})
        writer.write_record(record)
        fields = [("egovcrawl-fetch-id", row["id"]), ("egovcrawl-crawl-id", row["crawl_id"]),
                  ("egovcrawl-site", row["site"]), ("egovcrawl-outcome", row["outcome"]),
                  ("egovcrawl-article-id", row["article_id"]), ("egovcrawl-error", row["error"])]
        if row["final_url"] and row["final_url"] != row["url"]:
            fields.append(("egovcrawl-requested-url", row["url"]))
        meta = "".join(f"{k}: {v}\r\n" for k, v in fields if v is not None).encode()
        writer.write_record(writer.create_warc_record(
            uri, "metadata", payload=io.BytesIO(meta), length=len(meta),
            warc_content_type="application/warc-fields",
            warc_headers_dict={
                "WARC-Date": date,
                "WARC-Concurrent-To": record.rec_headers.get_header("WARC-Record-ID"),
            }))
        report.responses += 1
        report.bytes += len(body)
    return report


# --- stats -----------------------------------------------------------------------------------

@dataclass
class Stats:
    """What `egovcrawl stats` reports; every list holds plain dicts (one per row)."""

    sites: list[dict[str, Any]] = field(default_factory=list)
    months: list[dict[str, Any]] = field(default_factory=list)
    views: list[dict[str, Any]] = field(default_factory=list)
    fill: list[dict[str, Any]] = field(default_factory=list)
    drift: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def flagged(self) -> list[dict[str, Any]]:
        return [d for d in self.drift if d["alarm"]]


def _pct(part: int | None, whole: int | None) -> float | None:
    return round(100.0 * (part or 0) / whole, 1) if whole else None


def stats(conn: sqlite3.Connection, *, site: str | None = None, by_month: bool = False,
          drift_points: float = DRIFT_POINTS, drift_min_pages: int = DRIFT_MIN_PAGES) -> Stats:
    """Articles per site (and month), view-count growth, fill rates and the drift alarm.

    Everything is read in one transaction, so the figures describe one snapshot even while a
    crawl is writing.
    """
    out = Stats()
    site_sql, site_args = ("WHERE site = ?", [site]) if site else ("", [])
    conn.execute("BEGIN")
    try:
        filled = ", ".join(
            f"sum({f} IS NOT NULL AND {f} != '') AS {f}" for f in FILL_FIELDS)
        for row in _rows(conn.execute(
                "SELECT site, count(*) AS articles, count(published) AS dated, "
                "count(*) - count(published) AS undated, "
                "count(duplicate_of) AS republished, "
                "min(substr(published, 1, 10)) AS first_published, "
                "max(substr(published, 1, 10)) AS last_published, "
                f"{filled} FROM articles {site_sql} GROUP BY site ORDER BY site", site_args)):
            n = row["articles"]
            out.sites.append({k: row[k] for k in (
                "site", "articles", "dated", "undated", "republished", "first_published",
                "last_published")})
            out.fill.append({"site": row["site"], "articles": n,
                             **{f: _pct(row[f], n) for f in FILL_FIELDS}})
        if by_month:
            out.months = list(_rows(conn.execute(
                "SELECT site, coalesce(substr(published, 1, 7), 'undated') AS month, "
                f"count(*) AS articles FROM articles {site_sql} GROUP BY site, month "
                "ORDER BY site, month = 'undated', month", site_args)))
        out.views = list(_views(conn, site))
        out.drift = _drift(conn, site, drift_points, drift_min_pages)
    finally:
        conn.execute("COMMIT")
    return out


def _views(conn: sqlite3.Connection, site: str | None) -> Iterator[dict[str, Any]]:
    """Per site: the articles with view counts and the sum of their first and latest counts."""
    site_sql = "WHERE a.site = ?" if site else ""
    sql = f"""
        WITH obs AS (
            SELECT article_id, views, observed_at,
                   row_number() OVER (PARTITION BY article_id ORDER BY observed_at, id) AS n,
                   row_number() OVER (PARTITION BY article_id
                                      ORDER BY observed_at DESC, id DESC) AS back,
                   count(*) OVER (PARTITION BY article_id) AS observations
            FROM view_counts)
        SELECT a.site, count(DISTINCT o.article_id) AS articles,
               count(DISTINCT CASE WHEN o.observations > 1 THEN o.article_id END) AS tracked,
               sum(CASE WHEN o.n = 1 THEN o.views END) AS first_views,
               sum(CASE WHEN o.back = 1 THEN o.views END) AS latest_views,
               min(o.observed_at) AS first_observed, max(o.observed_at) AS last_observed
        FROM obs o JOIN articles a ON a.id = o.article_id {site_sql}
        GROUP BY a.site ORDER BY a.site"""
    for row in _rows(conn.execute(sql, [site] if site else [])):
        row["growth"] = (row["latest_views"] or 0) - (row["first_views"] or 0)
        yield row


def _drift(conn: sqlite3.Connection, site: str | None, points: float,
           min_pages: int) -> list[dict[str, Any]]:
    """Compare, per site, the two latest crawls that archived new article pages.

    A re-fetched article keeps the fields it had (a field a re-crawl does not find is not
    overwritten), so extraction drift shows in the articles each crawl archives for the first
    time (`new`/`duplicate`) and in article pages it could not file (`invalid`: neither title
    nor text). Per crawl: the share of those pages with a published date and with a text.
    """
    site_sql = "AND f.site = ?" if site else ""
    per_crawl: dict[str, list[dict[str, Any]]] = {}
    for row in _rows(conn.execute(f"""
            SELECT f.site, f.crawl_id, count(*) AS pages,
                   sum(a.published IS NOT NULL) AS dated,
                   sum(coalesce(a.text, '') != '') AS with_text
            FROM fetches f LEFT JOIN articles a
                 ON a.id = f.article_id AND f.outcome IN ('new', 'duplicate')
            WHERE f.outcome IN ('new', 'duplicate', 'invalid') AND f.crawl_id IS NOT NULL
                  AND f.site IS NOT NULL {site_sql}
            GROUP BY f.site, f.crawl_id ORDER BY f.site, f.crawl_id""",
            [site] if site else [])):
        per_crawl.setdefault(row["site"], []).append(row)
    out = []
    for name, crawls in per_crawl.items():
        latest = crawls[-1]
        prev = crawls[-2] if len(crawls) > 1 else None
        entry: dict[str, Any] = {
            "site": name, "latest_crawl": latest["crawl_id"], "latest_pages": latest["pages"],
            "published_latest": _pct(latest["dated"], latest["pages"]),
            "text_latest": _pct(latest["with_text"], latest["pages"]),
            "previous_crawl": prev["crawl_id"] if prev else None,
            "previous_pages": prev["pages"] if prev else None,
            "published_previous": _pct(prev["dated"], prev["pages"]) if prev else None,
            "text_previous": _pct(prev["with_text"], prev["pages"]) if prev else None,
        }
        reasons = []
        if prev and min(prev["pages"], latest["pages"]) >= min_pages:
            for fld in ("published", "text"):
                before, now = entry[f"{fld}_previous"], entry[f"{fld}_latest"]
                if before - now > points:
                    reasons.append(f"{fld} {before:g}% -> {now:g}%")
        entry["alarm"] = "; ".join(reasons) or None
        out.append(entry)
    return out


# --- runs ------------------------------------------------------------------------------------

def _duration(started: str | None, finished: str | None) -> str | None:
    if not started or not finished:
        return None
    try:
        secs = int((dt.datetime.fromisoformat(finished)
                    - dt.datetime.fromisoformat(started)).total_seconds())
    except ValueError:
        return None
    h, rest = divmod(max(secs, 0), 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}"


def runs(conn: sqlite3.Connection, *, limit: int = 20) -> list[dict[str, Any]]:
    """The latest crawls, newest first, with their outcome counts from `crawls.stats`.

    `new` counts new article rows (re-published copies included); `errors` the fetches whose
    outcome was `error` (network errors, HTTP errors, extractor exceptions); `stats` is the
    crawl's whole stats object.
    """
    out = []
    for row in _rows(conn.execute(
            "SELECT id, started, finished, sites, status, stats FROM crawls "
            "ORDER BY id DESC LIMIT ?", (limit,))):
        try:
            st = json.loads(row["stats"] or "{}")
            sites = json.loads(row["sites"] or "[]")
        except ValueError:
            st, sites = {}, []
        outcomes = st.get("articles") or {}
        errors = outcomes.get("error")
        if errors is None and isinstance(st.get("errors"), dict):
            errors = sum(v for v in st["errors"].values() if isinstance(v, int))
        out.append({
            "id": row["id"], "started": row["started"], "finished": row["finished"],
            "duration": _duration(row["started"], row["finished"]),
            "sites": ", ".join(map(str, sites)) if isinstance(sites, list) else str(sites),
            "status": row["status"], "requests": st.get("requests"),
            "new": (outcomes.get("new") or 0) + (outcomes.get("duplicate") or 0)
            if outcomes else None,
            "updated": outcomes.get("updated"), "unchanged": outcomes.get("unchanged"),
            "errors": errors,
            "stats": st,
        })
    return out


# --- read-only SQL ---------------------------------------------------------------------------

#: Pragmas that only report (any argument names what to report on, it sets nothing).
_INFO_PRAGMAS = frozenset({
    "table_info", "table_xinfo", "table_list", "index_list", "index_info", "index_xinfo",
    "foreign_key_list", "foreign_key_check", "database_list", "collation_list",
    "function_list", "module_list", "pragma_list", "compile_options", "integrity_check",
    "quick_check",
})
_ALLOWED = {
    sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION,
    sqlite3.SQLITE_RECURSIVE, sqlite3.SQLITE_TRANSACTION, sqlite3.SQLITE_SAVEPOINT,
}
_ACTIONS = (
    "CREATE INDEX", "CREATE TABLE", "CREATE TEMP INDEX", "CREATE TEMP TABLE",
    "CREATE TEMP TRIGGER", "CREATE TEMP VIEW", "CREATE TRIGGER", "CREATE VIEW", "DELETE FROM",
    "DROP INDEX", "DROP TABLE", "DROP TEMP INDEX", "DROP TEMP TABLE", "DROP TEMP TRIGGER",
    "DROP TEMP VIEW", "DROP TRIGGER", "DROP VIEW", "INSERT INTO", "PRAGMA", "READ", "SELECT",
    "TRANSACTION", "UPDATE", "ATTACH", "DETACH", "ALTER TABLE", "REINDEX", "ANALYZE",
    "CREATE VIRTUAL TABLE", "DROP VIRTUAL TABLE", "FUNCTION", "SAVEPOINT", "RECURSIVE",
)
#: SQLite's authorizer action codes (sqlite3.h: SQLITE_CREATE_INDEX = 1 ... SQLITE_RECURSIVE = 33)
_ACTION_NAMES = dict(enumerate(_ACTIONS, start=1))


def _connect_virtual_tables(conn: sqlite3.Connection) -> None:
    """Connect every virtual table (FTS5) before the authorizer is installed: connecting one
    runs SQLite's own schema statements, which the authorizer would refuse."""
    for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL%'"
            ).fetchall():
        # a module this SQLite lacks: a query on the table fails later with SQLite's message
        with contextlib.suppress(sqlite3.Error):
            conn.execute(f'SELECT 1 FROM "{name.replace(chr(34), chr(34) * 2)}" LIMIT 0')


def run_sql(conn: sqlite3.Connection, sql: str,
            params: Mapping[str, Any] | Sequence[Any] = ()) -> sqlite3.Cursor:
    """Run one read-only statement; the cursor streams its rows.

    Three locks: the file is opened read-only (`mode=ro`), `PRAGMA query_only` is on, and an
    authorizer lets SQLite prepare nothing but reads (no INSERT/UPDATE/DELETE, DDL, ATTACH,
    pragma assignments such as `writable_schema = 1` or `query_only = 0`). A refused statement
    raises QueryRefused before anything runs.
    """
    refused: list[str] = []
    conn.set_authorizer(None)
    _connect_virtual_tables(conn)

    def authorize(action: int, arg1: str | None, arg2: str | None, _db: str | None,
                  _trigger: str | None) -> int:
        if action in _ALLOWED:
            return sqlite3.SQLITE_OK
        if action == sqlite3.SQLITE_PRAGMA and (arg2 is None or (arg1 or "").lower()
                                                in _INFO_PRAGMAS):
            return sqlite3.SQLITE_OK
        what = _ACTION_NAMES.get(action, f"action {action}")
        if action == sqlite3.SQLITE_PRAGMA:
            what = f"PRAGMA {arg1} = {arg2}"
        elif action == sqlite3.SQLITE_ATTACH:
            what = f"ATTACH {arg1!r}"
        elif action != sqlite3.SQLITE_FUNCTION and arg1:
            what += f" {arg1}"
        refused.append(what)
        return sqlite3.SQLITE_DENY

    conn.set_authorizer(authorize)
    try:
        return conn.execute(sql, params)
    except sqlite3.DatabaseError:
        if refused:
            what = refused[0]
            if what.endswith(("sqlite_master", "sqlite_temp_master")):
                what = "a schema change"  # DROP, CREATE: SQLite reports its schema table
            raise QueryRefused(
                f"refused: {what} (egovcrawl query is read-only)") from None
        raise


# --- migrate ---------------------------------------------------------------------------------

@dataclass
class MigrateReport:
    path: str
    created: bool
    before: int  #: schema version before (0 = new or empty database)
    version: int  #: schema version now
    applied: list[dict[str, Any]]  #: the migrations this run applied (version, name, applied_at)


def migrate(path: str | Path) -> MigrateReport:
    """Create the archive at `path` or bring its schema up to date (through egovcrawl.storage).

    An existing file is first checked read-only, so a file that is not SQLite (or is corrupt)
    is refused untouched.
    """
    from egovcrawl.storage import Archive

    p = Path(path)
    created = not p.exists()
    before = 0
    if not created:
        conn = connect(p, tables=())
        try:
            if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'schema_migrations'"
                            ).fetchone():
                before = conn.execute("SELECT max(version) FROM schema_migrations"
                                      ).fetchone()[0] or 0
            elif conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                raise ArchiveUnavailable(
                    f"{path} is a SQLite database but not an egovcrawl archive "
                    "(no schema_migrations table); refusing to add tables to it")
        finally:
            conn.close()
    archive = Archive.open(p)
    try:
        version = archive.schema_version()
        applied = [{"version": v, "name": n, "applied_at": a} for v, n, a in archive.conn.execute(
            "SELECT version, name, applied_at FROM schema_migrations WHERE version > ? "
            "ORDER BY version", (before,))]
    finally:
        archive.close()
    return MigrateReport(str(path), created, before, version, applied)


# --- Datasette -------------------------------------------------------------------------------

def datasette_metadata_path() -> Path:
    """The metadata file shipped with egovcrawl (`datasette archive.db -m <this>`)."""
    from importlib import resources

    return Path(str(resources.files("egovcrawl") / "datasette" / "metadata.yml"))


def datasette_metadata(database: str) -> str:
    """The shipped metadata with its database key renamed for a file called `database`.db
    (Datasette names a database after its file; the file covers `archive` and `demo`)."""
    text = datasette_metadata_path().read_text(encoding="utf-8")
    if database in ("archive", "demo"):
        return text
    return re.sub(r"(?m)^  archive: &archive$", f"  {json.dumps(database)}: &archive", text,
                  count=1)
