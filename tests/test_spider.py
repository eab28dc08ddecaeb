"""The egov spider end to end: the bundled sample sites served on 127.0.0.1 (three hosts: a
Joomla portal, a WordPress re-publisher, a GBK gov.cn portal — robots.txt, gzipped sitemap,
sitemap index, feed, pagination, an endless calendar, duplicate URLs, a 404, PDFs), crawled twice
by `egovcrawl crawl` in a subprocess (a Twisted reactor runs once per process).

The truth is `egovcrawl/samples/sites/expected.json`, written with the sites: the exact set of
archived articles and their fields, what must never be requested, and how little an incremental
second run may fetch.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from egovcrawl.demo import site_names, sites_dir
from egovcrawl.sitesrv import SiteServer

SITES = sites_dir()
TRUTH = json.loads((SITES / "expected.json").read_text(encoding="utf-8"))
EXPECTED = TRUTH["sites"]
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
        "-s", "EGOVCRAWL_EXTRACT_WORKERS=0"]


def crawl(db: Path, variables: dict[str, str], *extra: str, sites: Path = SITES / "sites.toml",
          names: tuple[str, ...] = ("--all",)) -> subprocess.CompletedProcess[str]:
    args = [sys.executable, "-m", "egovcrawl.cli", "crawl", *names, "--db", str(db),
            "--sites", str(sites), "--no-progress", *FAST, *extra]
    for name, value in variables.items():
        args += ["--var", f"{name}={value}"]
    return subprocess.run(args, capture_output=True, text=True, timeout=180, check=False)


@dataclass
class Crawled:
    db: Path
    base: dict[str, str]
    first: subprocess.CompletedProcess[str]
    second: subprocess.CompletedProcess[str]
    requests1: list[Any]
    requests2: list[Any]
    stats1: dict[str, Any]
    stats2: dict[str, Any]

    def rows(self, sql: str, *args: Any) -> list[sqlite3.Row]:
        conn = sqlite3.connect(self.db)
        conn.row_factory = sqlite3.Row
        try:
            return conn.execute(sql, args).fetchall()
        finally:
            conn.close()

    def path(self, site: str, url: str) -> str:
        assert url.startswith(self.base[site]), url
        return url[len(self.base[site]):] or "/"


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Crawled:
    tmp = tmp_path_factory.mktemp("spider")
    db = tmp / "archive.db"
    names = site_names()
    with SiteServer({n: SITES / n for n in names}) as server:
        base = {n: server.base_url(n) for n in names}
        first = crawl(db, base, "--stats-json", str(tmp / "s1.json"))
        requests1 = server.requests.snapshot()
        second = crawl(db, base, "--stats-json", str(tmp / "s2.json"))
        requests2 = server.requests.snapshot()[len(requests1):]
    assert first.returncode == 0, first.stderr[-3000:]
    assert second.returncode == 0, second.stderr[-3000:]
    return Crawled(db, base, first, second, requests1, requests2,
                   json.loads((tmp / "s1.json").read_text()),
                   json.loads((tmp / "s2.json").read_text()))


@pytest.mark.parametrize("site", sorted(EXPECTED))
def test_exactly_the_expected_articles_are_archived(crawled: Crawled, site: str) -> None:
    got = {crawled.path(site, r["url"])
           for r in crawled.rows("SELECT url FROM articles WHERE site = ?", site)}
    assert got == set(EXPECTED[site]["articles"])


@pytest.mark.parametrize("site", sorted(EXPECTED))
def test_article_fields_are_the_truth_of_the_pages(crawled: Crawled, site: str) -> None:
    rows = {crawled.path(site, r["url"]): r for r in crawled.rows(
        "SELECT url, title, published, views, language FROM articles WHERE site = ?", site)}
    for path, truth in EXPECTED[site]["articles"].items():
        row = rows[path]
        assert row["title"] == truth["title"], path
        assert (row["published"] or "")[:10] == truth["published"], path
        assert row["views"] == truth["views"], path
        assert row["language"] == truth["language"], path


@pytest.mark.parametrize("site", sorted(EXPECTED))
def test_listings_and_other_pages_are_never_articles(crawled: Crawled, site: str) -> None:
    articles = {crawled.path(site, r["url"])
                for r in crawled.rows("SELECT url FROM articles WHERE site = ?", site)}
    for path in [*EXPECTED[site]["listings"], *EXPECTED[site]["other"],
                 *EXPECTED[site]["sitemaps"], *EXPECTED[site]["feeds"]]:
        assert path not in articles


@pytest.mark.parametrize("site", sorted(EXPECTED))
def test_robots_disallowed_urls_are_never_requested(crawled: Crawled, site: str) -> None:
    paths = [r.path for r in crawled.requests1 + crawled.requests2 if r.site == site]
    assert paths, "the site was not crawled"
    for path in paths:
        assert not any(path.startswith(p) for p in EXPECTED[site]["robots_disallow"]), path
        assert path not in EXPECTED[site]["never_request"]


@pytest.mark.parametrize("site", sorted(EXPECTED))
def test_attachments_are_recorded_never_fetched(crawled: Crawled, site: str) -> None:
    rows = crawled.rows("SELECT a.url AS article, t.url AS attachment FROM attachments t "
                        "JOIN articles a ON a.id = t.article_id WHERE a.site = ?", site)
    got: dict[str, set[str]] = {}
    for r in rows:
        got.setdefault(crawled.path(site, r["article"]), set()).add(
            crawled.path(site, r["attachment"]))
    for path, truth in EXPECTED[site]["articles"].items():
        assert got.get(path, set()) == set(truth["attachments"]), path
    requested = {r.path for r in crawled.requests1 if r.site == site}
    for attachments in got.values():
        assert not attachments & requested


def test_duplicate_urls_are_aliases_not_articles(crawled: Crawled) -> None:
    """utm links, print views, non-SEF Joomla URLs, ?replytocom=: one article, several URLs."""
    for site, truth in EXPECTED.items():
        for alias in truth["aliases"]:
            url = crawled.base[site] + alias
            if not crawled.rows("SELECT 1 FROM fetches WHERE url = ?", url):
                continue  # canonicalised before the request: never fetched at all
            rows = crawled.rows("SELECT a.url FROM article_urls u JOIN articles a "
                                "ON a.id = u.article_id WHERE u.url = ?", url)
            assert [crawled.path(site, r["url"]) for r in rows] != [], alias
            assert crawled.path(site, rows[0]["url"]) in truth["articles"], alias


def test_near_duplicate_republication_is_linked(crawled: Crawled) -> None:
    """The copy on another site and the original end in one cluster (duplicate_of points at
    whichever of the two the crawl saw first: both sites are crawled at the same time)."""
    assert TRUTH["near_duplicates"]
    for pair in TRUTH["near_duplicates"]:
        a = crawled.base[pair["original"]["site"]] + pair["original"]["path"]
        b = crawled.base[pair["copy"]["site"]] + pair["copy"]["path"]
        rows = {r["url"]: r for r in crawled.rows(
            "SELECT id, url, duplicate_of FROM articles WHERE url IN (?, ?)", a, b)}
        assert set(rows) == {a, b}
        ids = {rows[a]["id"], rows[b]["id"]}
        assert {rows[a]["duplicate_of"], rows[b]["duplicate_of"]} - {None} <= ids
        assert (rows[a]["duplicate_of"] is None) != (rows[b]["duplicate_of"] is None)


def test_not_found_links_are_recorded_with_their_status(crawled: Crawled) -> None:
    for site, truth in EXPECTED.items():
        for path in truth["not_found"]:
            rows = crawled.rows("SELECT status FROM fetches WHERE url = ?",
                                crawled.base[site] + path)
            requested = any(r.path == path for r in crawled.requests1 if r.site == site)
            if requested:
                assert [r["status"] for r in rows] == [404], path


def test_the_endless_calendar_is_bounded(crawled: Crawled) -> None:
    import tomllib

    profiles = tomllib.loads((SITES / "sites.toml").read_text(encoding="utf-8"))["sites"]
    for site, truth in EXPECTED.items():
        trap = truth.get("trap")
        if not trap:
            continue
        path = trap["path"]
        hits = [r for r in crawled.requests1 if r.site == site and r.path.startswith(path)]
        assert len(hits) <= profiles[site].get("max_calendar_pages", 24)
        assert not crawled.rows("SELECT 1 FROM articles WHERE url LIKE ?", f"%{path}%")


def test_gbk_pages_keep_their_chinese_text(crawled: Crawled) -> None:
    rows = crawled.rows("SELECT title, text FROM articles WHERE site = 'wuhan-gov'")
    assert rows
    assert all("\ufffd" not in (r["title"] or "") + (r["text"] or "") for r in rows)
    assert any("昇" in (r["title"] or "") + (r["text"] or "") for r in rows)


def test_every_fetch_is_recorded_with_its_crawl(crawled: Crawled) -> None:
    crawls = crawled.rows("SELECT id, status, sites FROM crawls ORDER BY id")
    assert [r["status"] for r in crawls] == ["finished", "finished"]
    assert set(json.loads(crawls[0]["sites"])) == set(EXPECTED)
    fetched = crawled.rows("SELECT count(*) AS n FROM fetches WHERE crawl_id = ?", crawls[0]["id"])
    page_requests = [r for r in crawled.requests1 if not r.path.startswith("/robots.txt")]
    # every request but robots.txt and a guessed sitemap that 404s is a fetch row
    assert fetched[0]["n"] >= len(page_requests) - len(EXPECTED)


def test_incremental_second_run_fetches_only_entry_points(crawled: Crawled) -> None:
    """Nothing changed: the second run reads robots.txt, sitemaps, feeds and the listing pages
    where new articles would appear (conditional GETs), and no article or other page again."""
    entry = {(s, p) for s, t in EXPECTED.items()
             for p in ["/robots.txt", *t["sitemaps"], *t["feeds"], *t["listings"]]}
    second = [(r.site, r.path) for r in crawled.requests2]
    assert set(second) <= entry
    listings = [r for r in crawled.requests2 if (r.site, r.path) in entry and r.status == 304]
    assert listings, "listings are asked for with If-None-Match / If-Modified-Since"
    assert len(crawled.requests2) / len(crawled.requests1) < 0.4
    assert crawled.stats2["articles"].get("new", 0) == 0


def test_crawls_table_and_stats_json_agree(crawled: Crawled) -> None:
    rows = crawled.rows("SELECT stats FROM crawls ORDER BY id")
    for row, stats in zip(rows, (crawled.stats1, crawled.stats2), strict=True):
        recorded = json.loads(row["stats"])
        assert recorded["articles"] == stats["articles"]
        assert recorded["requests"] == stats["stats"]["downloader/request_count"]


def test_a_crawl_cut_short_is_completed_by_the_next_run(tmp_path: Path) -> None:
    """A page budget (or a kill) leaves a crawl unfinished: the next run walks all pagination
    again instead of stopping at the first known listing page, and the archive ends complete."""
    db = tmp_path / "archive.db"
    names = site_names()
    with SiteServer({n: SITES / n for n in names}) as server:
        base = {n: server.base_url(n) for n in names}
        cut = crawl(db, base, "--max-pages", "4")
        assert cut.returncode == 0, cut.stderr[-2000:]
        conn = sqlite3.connect(db)
        try:
            partial = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
            status = conn.execute("SELECT status FROM crawls").fetchone()[0]
        finally:
            conn.close()
        assert status == "incomplete"
        assert partial < sum(len(t["articles"]) for t in EXPECTED.values())
        rest = crawl(db, base)
        assert rest.returncode == 0, rest.stderr[-2000:]
    conn = sqlite3.connect(db)
    try:
        urls = {u for (u,) in conn.execute("SELECT url FROM articles")}
    finally:
        conn.close()
    assert urls == {base[s] + p for s, t in EXPECTED.items() for p in t["articles"]}
