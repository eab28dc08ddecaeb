"""The archive's schema as numbered migrations, applied in order and recorded.

`schema_migrations` lists every migration applied (version, name, when). A database whose newest
migration is unknown to this code was written by a newer egovcrawl: it is refused, never
downgraded. Each migration runs in its own transaction, so a crash leaves the previous version.
Tables are created with sqlite-utils; only the FTS5 virtual table needs raw DDL.
`docs/schema.md` documents every table and column for analysts: keep it in step.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlite_utils

from egovcrawl.storage import dedup, fts

FTS_HASHSIZE = 8 * 1024 * 1024


def _m001_initial(db: sqlite_utils.Database) -> None:
    db["meta"].create({"key": str, "value": str}, pk="key")
    db["sites"].create(
        {
            "name": str, "base_url": str, "profile_hash": str,
            "copyright_holder": str, "copyright_year": int, "icp": str,
            "cms": str, "theme": str, "first_seen": str, "last_seen": str,
        },
        pk="name",
    )
    db["crawls"].create(
        {"id": int, "started": str, "finished": str, "sites": str, "status": str, "stats": str},
        pk="id", not_null={"started", "status"},
    )
    db["bodies"].create(
        {"hash": str, "codec": str, "size": int, "stored": int, "data": bytes},
        pk="hash", not_null={"codec", "size", "data"},
    )
    db["fetches"].create(
        {
            "id": int, "crawl_id": int, "site": str, "url": str, "final_url": str,
            "status": int, "fetched_at": str, "headers": str, "content_type": str,
            "declared_encoding": str, "bytes": int, "etag": str, "last_modified": str,
            "body_hash": str, "error": str, "outcome": str, "article_id": int,
            "processed_at": str,
        },
        pk="id", not_null={"url", "fetched_at"},
        foreign_keys=[("crawl_id", "crawls", "id"), ("body_hash", "bodies", "hash")],
    )
    db["articles"].create(
        {
            "id": int, "url": str, "site": str, "title": str, "text": str,
            "published": str, "published_source": str, "published_raw": str,
            "updated": str, "updated_source": str, "updated_raw": str,
            "views": int, "copyright_holder": str, "copyright_year": int, "icp": str,
            "source": str, "source_url": str, "language": str, "country": str,
            "encoding": str, "content_hash": str, "minhash": bytes,
            "duplicate_of": int, "similarity": float,
            "first_seen": str, "last_seen": str, "status": str, "version": int,
            "fetch_id": int, "body_hash": str,
        },
        pk="id", not_null={"url", "first_seen", "last_seen", "status", "version"},
        foreign_keys=[("duplicate_of", "articles", "id"), ("fetch_id", "fetches", "id")],
    )
    db["article_urls"].create(
        {"url": str, "article_id": int, "kind": str, "first_seen": str, "last_seen": str},
        pk="url", not_null={"article_id", "kind"},
        foreign_keys=[("article_id", "articles", "id")],
    )
    db["article_versions"].create(
        {
            "id": int, "article_id": int, "version": int, "title": str, "text": str,
            "content_hash": str, "first_seen": str, "replaced_at": str, "cause": str,
            "fetch_id": int,
        },
        pk="id", not_null={"article_id", "version", "replaced_at", "cause"},
        foreign_keys=[("article_id", "articles", "id")],
    )
    db["article_changes"].create(
        {
            "id": int, "article_id": int, "changed_at": str, "cause": str, "crawl_id": int,
            "fetch_id": int, "reextract_id": int, "field": str, "old": str, "new": str,
        },
        pk="id", not_null={"article_id", "changed_at", "cause", "field"},
        foreign_keys=[("article_id", "articles", "id")],
    )
    db["view_counts"].create(
        {"id": int, "article_id": int, "crawl_id": int, "fetch_id": int, "observed_at": str,
         "views": int},
        pk="id", not_null={"article_id", "observed_at", "views"},
        foreign_keys=[("article_id", "articles", "id"), ("crawl_id", "crawls", "id")],
    )
    db["site_counters"].create(
        {"id": int, "site": str, "crawl_id": int, "fetch_id": int, "observed_at": str,
         "today": int, "yesterday": int, "total": int},
        pk="id", not_null={"site", "observed_at"},
        foreign_keys=[("crawl_id", "crawls", "id")],
    )
    db["reextract_runs"].create(
        {"id": int, "started": str, "finished": str, "site": str, "status": str, "stats": str},
        pk="id", not_null={"started", "status"},
    )
    db["lsh_buckets"].create({"key": int, "article_id": int}, pk="key", not_null={"article_id"})

    db["fetches"].create_index(["crawl_id"])
    db["fetches"].create_index(["url"])
    db["fetches"].create_index(["body_hash"])
    db.execute("CREATE INDEX idx_fetches_pending ON fetches(id) WHERE outcome IS NULL")
    db["articles"].create_index(["url"], unique=True)
    db["articles"].create_index(["site", "published"])
    db["articles"].create_index(["content_hash"])
    db["articles"].create_index(["duplicate_of"])
    db["article_urls"].create_index(["article_id"])
    db["article_versions"].create_index(["article_id"])
    db["article_changes"].create_index(["article_id"])
    db["view_counts"].create_index(["article_id", "observed_at"])
    db["site_counters"].create_index(["site", "crawl_id"], unique=True)

    db.execute(
        "CREATE VIRTUAL TABLE articles_fts USING fts5("
        "title, text, content='', tokenize='unicode61 remove_diacritics 2')"
    )
    # measured: automerge=8 (default 4) files ~1.8x faster while crawling; queries stay fast
    # and `Archive.optimize_fts()` merges the segments after a crawl
    db.execute("INSERT INTO articles_fts(articles_fts, rank) VALUES ('automerge', 8)")
    db["meta"].insert_all(
        [
            {"key": "fts_version", "value": str(fts.FTS_VERSION)},
            {"key": "fts_method", "value": "cjk-bigram+unicode61, contentless"},
            {"key": "minhash_version", "value": str(dedup.MINHASH_VERSION)},
            {"key": "minhash_params",
             "value": f"oph num_perm={dedup.NUM_PERM} bands={dedup.BANDS} rows={dedup.ROWS} "
                      f"threshold={dedup.NEAR_DUP_THRESHOLD}"},
        ]
    )


def _m002_fts_hashsize(db: sqlite_utils.Database) -> None:
    # measured (benchmarks/store_bench.py): the default 1 MB of pending postings spills a
    # 500-article batch into two or three small segments that automerge then rewrites; 8 MB
    # writes one segment per batch: 280 -> 175 us per article. Stored in articles_fts_config.
    db.execute(f"INSERT INTO articles_fts(articles_fts, rank) VALUES ('hashsize', {FTS_HASHSIZE})")


def _m003_lsh_recent(db: sqlite_utils.Database) -> None:
    # New band keys land in a small table that stays in the page cache; they are merged into
    # lsh_buckets in key order once it reaches a share of the big one (Archive._merge_lsh).
    # Random-key inserts straight into the big table dirtied one 4 KB page per key per commit
    # (21 per article), which made linking and every commit slower as the archive grew.
    db["lsh_recent"].create({"key": int, "article_id": int}, pk="key", not_null={"article_id"})
    rows = db.execute("SELECT count(*) FROM lsh_buckets").fetchone()[0]
    db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('lsh_buckets_rows', ?)",
               [str(rows)])


def _m004_page_kind_attachments(db: sqlite_utils.Database) -> None:
    # Incremental crawling asks which URLs of a site are known (Archive.known_urls) and what
    # kind of page each was: fetches.page_kind, filled when a fetch is filed, and an index on
    # fetches.site so that question reads one site's rows, not the whole log.
    db.execute("ALTER TABLE fetches ADD COLUMN page_kind TEXT")
    # fetches filed as articles before this migration were article pages; others stay unknown
    db.execute(
        "UPDATE fetches SET page_kind = 'article' WHERE article_id IS NOT NULL "
        "AND status BETWEEN 200 AND 299 "
        "AND outcome IN ('new', 'duplicate', 'alias', 'updated', 'unchanged')")
    db["fetches"].create_index(["site"])
    # document links (PDF, DOC, XLS, archives...) in an article's content, as first seen
    db["attachments"].create(
        {"article_id": int, "url": str, "title": str, "first_seen": str, "fetch_id": int},
        pk=("article_id", "url"), not_null={"first_seen"},
        foreign_keys=[("article_id", "articles", "id"), ("fetch_id", "fetches", "id")],
    )
    db["attachments"].create_index(["url"])


#: (version, name, function). Append only; never edit a released migration.
MIGRATIONS: list[tuple[int, str, Callable[[sqlite_utils.Database], None]]] = [
    (1, "initial: sites, crawls, fetches, bodies, articles, history, FTS, LSH", _m001_initial),
    (2, "FTS: 8 MB of pending postings per transaction (one segment per batch)",
     _m002_fts_hashsize),
    (3, "LSH: new band keys in lsh_recent, merged into lsh_buckets in key order",
     _m003_lsh_recent),
    (4, "fetches.page_kind and an index on fetches.site (incremental crawls); attachments",
     _m004_page_kind_attachments),
]

LATEST = MIGRATIONS[-1][0]
