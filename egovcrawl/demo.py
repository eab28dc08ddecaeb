"""`egovcrawl demo`: serve the bundled sample sites on 127.0.0.1, crawl them with the real spider
into a fresh SQLite archive, and summarise what was archived. No internet needed.

The sample sites (`egovcrawl/samples/sites/`) reproduce the traps of real e-government sites: a
header widget with today's date, a site-wide visitor counter, a re-published article, a GBK
portal whose headers lie about the charset, robots.txt, a gzipped sitemap, a feed, pagination,
an endless event calendar, a PDF, a 404 and duplicate URLs of one article.
"""

from __future__ import annotations

import os
import sqlite3
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

DEFAULT_DEMO_DB = "data/demo.db"
#: Loopback needs no politeness delay; everything else is the production configuration.
DEMO_SETTINGS = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False,
                 "CONCURRENT_REQUESTS_PER_DOMAIN": 8}
SAMPLE_QUERIES = ("digital government", "数字政府")


def sites_dir() -> Path:
    return Path(str(resources.files("egovcrawl") / "samples" / "sites"))


def site_names(root: Path | None = None) -> list[str]:
    root = root or sites_dir()
    with open(root / "sites.toml", "rb") as fh:
        return list(tomllib.load(fh).get("sites", {}))


@dataclass
class DemoResult:
    db: str
    exit_code: int
    articles: list[dict[str, Any]] = field(default_factory=list)
    counters: list[dict[str, Any]] = field(default_factory=list)
    searches: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    fetches: int = 0
    requests: dict[str, int] = field(default_factory=dict)
    message: str = ""


def run_demo(db: str | os.PathLike[str] = DEFAULT_DEMO_DB) -> DemoResult:
    """Serve, crawl, summarise. The demo archive is rebuilt from scratch on every run (the
    served ports, hence the URLs, change from run to run)."""
    from egovcrawl.crawler import crawl_lock, resolve_profiles, run_crawl
    from egovcrawl.sitesrv import SiteServer

    root = sites_dir()
    names = site_names(root)
    db_path = Path(db)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    with crawl_lock(db_path):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
        with SiteServer({name: root / name for name in names}) as server:
            variables = {name: server.base_url(name) for name in names}
            profiles = resolve_profiles(root / "sites.toml", names, variables=variables)
            result = run_crawl(profiles, db_path, root / "sites.toml", variables=variables,
                               overrides={**DEMO_SETTINGS, "LOG_LEVEL": "ERROR"})
            requests = {name: len(server.requests.paths(name)) for name in names}
    out = summarise(db_path)
    out.exit_code, out.message, out.requests = result.exit_code, result.message, requests
    return out


def summarise(db: str | os.PathLike[str]) -> DemoResult:
    """What the archive holds: articles per site, site counters, sample searches."""
    from egovcrawl.queries import search

    out = DemoResult(str(db), 0)
    conn = sqlite3.connect(f"file:{os.fspath(db)}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        out.articles = [dict(r) for r in conn.execute(
            "SELECT id, site, url, title, published, views, copyright_holder, source, "
            "language, duplicate_of FROM articles ORDER BY site, published DESC, id")]
        out.counters = [dict(r) for r in conn.execute(
            "SELECT site, today, yesterday, total FROM site_counters AS c "
            "WHERE id = (SELECT max(id) FROM site_counters WHERE site = c.site) ORDER BY site")]
        out.fetches = conn.execute("SELECT count(*) FROM fetches").fetchone()[0]
        for query in SAMPLE_QUERIES:
            out.searches[query] = [
                {"site": h.site, "title": h.title, "published": h.published,
                 "snippet": h.snippet}
                for h in search(conn, query, limit=3, marks=("[", "]"))]
    finally:
        conn.close()
    return out
