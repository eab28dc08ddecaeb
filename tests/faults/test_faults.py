"""Fault injection: crawls of misbehaving sites on 127.0.0.1, then the archive is checked.

The sites are tests/faults/sites/NAME/ (profiles in tests/faults/sites.toml), served by
egovcrawl.sitesrv, and crawled by `egovcrawl crawl` in subprocesses with fast settings (no delay,
2 s timeout, one retry, 50 ms backoff, 5 MB DOWNLOAD_MAXSIZE):

* faulty: four good articles beside one link per failure: 500/502/503 with and without
  Retry-After, 429, a timeout, a body dripping past the timeout, connection resets before and in
  the body, a truncated body, a gzip bomb, 50 MB pages (announced and chunked), redirect loops,
  redirects off-site, a 301 without Location;
* sulky: asks for a Retry-After of a day (the breaker leaves the site at once);
* robots500, robotsslow: robots.txt answers 500 or never in time; the pages are fine, but an
  unreachable robots.txt means "disallow everything" (RFC 9309): not crawled, a failed site;
* quirky: odd but not broken (transient 503/429/500/reset, a slow drip within the timeout, HTML
  sent as application/octet-stream, a PDF sent as text/html, a redirect, a 404, an endless
  calendar): crawled alone it must exit 0 with every article archived;
* steady: a clean crawl, then crawls of the same site all 500, resetting every article, and gone
  (connection refused): nothing archived may be lost, changed or duplicated;
* paged: page 2 of the listing fails in the first crawl only: the next crawl must fetch it.

Every fault must end as a recorded fetch with its error, every crawl must finish, the exit code is
1 where requests failed and 0 where nothing did, and every good article is archived exactly once.
Each crawl runs once per module; the tests read its result.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from egovcrawl.sitesrv import RequestRecord, SiteServer, sites_in

HERE = Path(__file__).parent
SITES = HERE / "sites"
PROFILES = HERE / "sites.toml"
MAXSIZE = 5 * 1024 * 1024
RETRY_TIMES = 1
FAST = {
    "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "EGOVCRAWL_EXTRACT_WORKERS": 0,
    "DOWNLOAD_TIMEOUT": 2, "RETRY_TIMES": RETRY_TIMES, "EGOVCRAWL_BACKOFF_BASE": 0.05,
    "EGOVCRAWL_BACKOFF_MAX": 0.2, "EGOVCRAWL_RETRY_AFTER_MAX": 5, "DOWNLOAD_MAXSIZE": MAXSIZE,
    "DOWNLOAD_WARNSIZE": 0, "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
}
#: Good articles per site: each must be archived exactly once, whatever else the site does.
GOOD = {
    "faulty": ["harbour-permits", "school-enrolment", "tax-chatbot", "open-budget"],
    "quirky": ["flood-alerts", "library-cards", "building-permits", "health-records",
               "flaky-503", "flaky-429", "flaky-500", "flaky-reset", "drip", "octet-stream",
               "youth-grants"],
    "robots500": ["bus-tickets", "waste-collection"],
    "robotsslow": ["procurement-portal", "court-hearings"],
    "steady": ["parking-sensors", "pension-estimates", "broadband-villages"],
    "paged": ["snow-clearing", "marriage-booking", "tree-register", "meeting-minutes"],
}
#: faulty's failing links: (path, HTTP status of the final answer or None, words of the error)
FAILURES = [
    ("/news/e500.html", 500, "HTTP 500"),
    ("/news/e502.html", 502, "HTTP 502"),
    ("/news/e503.html", 503, "HTTP 503"),
    ("/news/e503-past-date.html", 503, "HTTP 503"),
    ("/news/e503-junk.html", 503, "HTTP 503"),
    ("/news/e429.html", 429, "HTTP 429"),
    ("/news/timeout.html", None, "longer than 2"),
    ("/news/drip-timeout.html", None, "longer than 2"),
    ("/news/reset.html", None, "Connection"),
    ("/news/reset-body.html", None, "Error"),
    ("/news/truncated.html", None, "Error"),
    ("/news/huge.html", None, "max size"),
    ("/news/huge-chunked.html", None, "Error"),
]


def path_of(slug: str) -> str:
    return f"/news/{slug}.html"


@dataclass
class Crawl:
    """One `egovcrawl crawl` run: its process, stats JSON and the requests the sites saw."""

    proc: subprocess.CompletedProcess[str]
    stats: dict[str, Any]
    requests: list[RequestRecord] = field(default_factory=list)

    @property
    def code(self) -> int:
        return self.proc.returncode

    def hits(self, site: str, path: str) -> list[RequestRecord]:
        return [r for r in self.requests if r.site == site and r.path == path]


class Archive:
    """Read-only views of a crawl's archive."""

    def __init__(self, db: Path, bases: dict[str, str]) -> None:
        self.db = db
        self.bases = bases

    def rows(self, sql: str, *args: Any) -> list[sqlite3.Row]:
        conn = sqlite3.connect(f"file:{self.db}?mode=ro", uri=True)
        conn.row_factory = sqlite3.Row
        try:
            return conn.execute(sql, args).fetchall()
        finally:
            conn.close()

    def url(self, site: str, path: str) -> str:
        return self.bases[site] + path

    def fetches(self, site: str, path: str) -> list[sqlite3.Row]:
        return self.rows("SELECT * FROM fetches WHERE url = ? ORDER BY id", self.url(site, path))

    def article_paths(self, site: str) -> Counter[str]:
        base = self.bases[site]
        return Counter(r["url"].removeprefix(base) for r in
                       self.rows("SELECT url FROM articles WHERE site = ?", site))


def start(server: SiteServer, db: Path, names: list[str], stats: Path, *,
          bases: dict[str, str] | None = None,
          settings: dict[str, Any] | None = None) -> subprocess.Popen[str]:
    args = [sys.executable, "-m", "egovcrawl.cli", "crawl", *names, "--db", str(db),
            "--sites", str(PROFILES), "--no-progress", "--stats-json", str(stats)]
    for name, value in {**FAST, **(settings or {})}.items():
        args += ["-s", f"{name}={value}"]
    # every profile's placeholder needs a value: sites not served point at a closed port
    variables = {name: "http://127.0.0.1:1" for name in sites_in(SITES)}
    for name, base in {**variables, **(bases or server.base_urls)}.items():
        args += ["--var", f"{name}={base}"]
    return subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen[str], stats: Path) -> Crawl:
    try:
        out, err = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        pytest.fail(f"crawl hung: {err[-2000:]}")
    done = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
    assert stats.is_file(), f"no stats written (exit {proc.returncode}): {err[-3000:]}"
    return Crawl(done, json.loads(stats.read_text(encoding="utf-8")))


def crawl(server: SiteServer, db: Path, names: list[str], stats: Path, **kw: Any) -> Crawl:
    seen = len(server.requests)
    result = finish(start(server, db, names, stats, **kw), stats)
    result.requests = server.requests.snapshot()[seen:]
    return result


# --- one crawl of the failing sites and, at the same time, one of the quirky site ----------------


@dataclass
class Faults:
    archive: Archive  # faulty, sulky, robots500, robotsslow
    failing: Crawl
    quirky_archive: Archive
    quirky: Crawl  # quirky alone
    requests: list[RequestRecord]


@pytest.fixture(scope="module")
def faults(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Faults]:
    tmp = tmp_path_factory.mktemp("faults")
    sites = {n: p for n, p in sites_in(SITES).items() if n not in ("steady", "paged")}
    with SiteServer(sites) as server:
        # two crawls at once, into two archives: the breaker threshold is out of the way here
        # (faulty fails 19 times in a row); sulky's day-long Retry-After opens it anyway
        failing = start(server, tmp / "failing.db", ["faulty", "sulky", "robots500",
                                                     "robotsslow"], tmp / "failing.json",
                        settings={"EGOVCRAWL_BREAKER_THRESHOLD": 1000})
        quirky = start(server, tmp / "quirky.db", ["quirky"], tmp / "quirky.json")
        failed = finish(failing, tmp / "failing.json")
        fine = finish(quirky, tmp / "quirky.json")
        requests = server.requests.snapshot()
        bases = server.base_urls
    failed.requests = [r for r in requests if r.site != "quirky"]
    fine.requests = [r for r in requests if r.site == "quirky"]
    yield Faults(Archive(tmp / "failing.db", bases), failed, Archive(tmp / "quirky.db", bases),
                 fine, requests)


def test_failing_sites_crawl_finishes_with_partial_failure(faults: Faults) -> None:
    crawl = faults.failing
    assert crawl.code == 1, crawl.proc.stderr[-3000:]
    assert crawl.stats["status"] == "partial"
    assert crawl.stats["stats"]["finish_reason"] == "finished"
    failed = {name for name, site in crawl.stats["sites"].items() if site["failed"]}
    assert failed == {"faulty", "sulky", "robots500", "robotsslow"}
    assert "failures on faulty, sulky, robots500, robotsslow" in crawl.proc.stderr
    assert "Traceback" not in crawl.proc.stdout
    rows = faults.archive.rows("SELECT status FROM crawls")
    # 'incomplete' once a failed start page makes the next run backfill (see the paged tests)
    assert [r["status"] for r in rows] in (["finished"], ["incomplete"])


def test_quirky_site_alone_exits_zero(faults: Faults) -> None:
    crawl = faults.quirky
    assert crawl.code == 0, crawl.proc.stdout[-2000:] + crawl.proc.stderr[-3000:]
    assert crawl.stats["status"] == "ok"
    site = crawl.stats["sites"]["quirky"]
    assert (site["fetch_errors"], site["server_errors"], site["breaker_open"]) == (0, 0, False)


@pytest.mark.parametrize("site", ["faulty"])
def test_good_articles_are_archived_exactly_once(faults: Faults, site: str) -> None:
    got = faults.archive.article_paths(site)
    for slug in GOOD[site]:
        assert got[path_of(slug)] == 1, slug
    titles = Counter(r["title"] for r in faults.archive.rows(
        "SELECT title FROM articles WHERE site = ?", site))
    assert max(titles.values()) == 1


def test_quirky_articles_are_all_archived_exactly_once(faults: Faults) -> None:
    """Transient 503 (Retry-After 1 s), 429 (Retry-After in the past), 500 and a reset, a slow
    drip, HTML sent as a download, a redirect: each article once, and nothing else is one."""
    got = faults.quirky_archive.article_paths("quirky")
    assert got == Counter(path_of(s) for s in GOOD["quirky"])
    rows = faults.quirky_archive.rows("SELECT count(*) AS n, count(DISTINCT content_hash) AS d "
                                      "FROM articles")
    assert rows[0]["n"] == rows[0]["d"] == len(GOOD["quirky"])


@pytest.mark.parametrize(("path", "status", "words"), FAILURES, ids=[f[0] for f in FAILURES])
def test_each_failure_is_a_recorded_fetch_with_its_error(faults: Faults, path: str,
                                                         status: int | None, words: str) -> None:
    rows = faults.archive.fetches("faulty", path)
    assert len(rows) == 1, path  # one row per request, after its retries
    row = rows[0]
    assert row["status"] == status
    assert row["outcome"] == "error"
    assert words in (row["error"] or "")
    assert row["article_id"] is None


@pytest.mark.parametrize(("path", "status", "words"), FAILURES, ids=[f[0] for f in FAILURES])
def test_failures_are_retried_exactly_as_configured(faults: Faults, path: str,
                                                    status: int | None, words: str) -> None:
    tries = faults.failing.hits("faulty", path)
    if path.startswith("/news/huge"):
        # cancelled for DOWNLOAD_MAXSIZE (on its Content-Length, or when 5 MB had come):
        # asking again would only bring the same 50 MB
        assert len(tries) == 1
    elif path == "/news/reset.html":
        # Twisted's connection pool itself retries a GET once when a reused connection is
        # reset before any response byte, so an attempt may be two requests
        assert 1 + RETRY_TIMES <= len(tries) <= 2 * (1 + RETRY_TIMES)
    else:
        assert len(tries) == 1 + RETRY_TIMES, path


def test_retry_after_is_honoured_or_refused(faults: Faults) -> None:
    stats = faults.failing.stats["stats"]
    # e429 (1 s) and e503-past-date (a date gone by: 0 s) retried as asked; e503-junk backed off
    assert stats["egovcrawl/retry/retry_after_honoured"] >= 2
    assert stats["egovcrawl/retry/retry_after_too_long"] == 1  # sulky's 86400 s


def test_a_day_long_retry_after_leaves_the_site_at_once(faults: Faults) -> None:
    assert [r.status for r in faults.failing.hits("sulky", "/news/")] == [503]  # not retried
    rows = faults.archive.fetches("sulky", "/news/")
    assert [(r["status"], r["outcome"]) for r in rows] == [(503, "error")]
    site = faults.failing.stats["sites"]["sulky"]
    assert site["breaker_open"] and site["failed"]
    after = [r.path for r in faults.failing.requests if r.site == "sulky"]
    assert set(after) <= {"/robots.txt", "/news/"}


def test_large_pages_are_refused_not_stored(faults: Faults) -> None:
    rows = faults.archive.rows("SELECT max(size) AS biggest FROM bodies")
    assert rows[0]["biggest"] < MAXSIZE
    for path in ("/news/huge.html", "/news/huge-chunked.html", "/news/gzip-bomb.html"):
        assert all(r["body_hash"] is None for r in faults.archive.fetches("faulty", path))


def test_gzip_bomb_is_a_recorded_fetch_with_its_error(faults: Faults) -> None:
    assert faults.failing.hits("faulty", "/news/gzip-bomb.html")
    rows = faults.archive.fetches("faulty", "/news/gzip-bomb.html")
    assert [(r["outcome"], "DOWNLOAD_MAXSIZE" in (r["error"] or "")) for r in rows] == [
        ("error", True)]


@pytest.mark.parametrize("path", ["/news/loop-a.html", "/news/self-loop.html"])
def test_redirect_loops_are_recorded_fetches_with_an_error(faults: Faults, path: str) -> None:
    assert faults.failing.hits("faulty", path)
    rows = faults.archive.fetches("faulty", path)
    assert len(rows) == 1
    assert rows[0]["outcome"] == "error" and "redirect" in rows[0]["error"].lower()


def test_redirect_loops_end(faults: Faults) -> None:
    loop = [r.path for r in faults.failing.requests if r.site == "faulty" and "loop" in r.path]
    assert 0 < len(loop) <= 2 * 21  # never more than Scrapy's REDIRECT_MAX_TIMES per loop


def test_redirect_without_location_is_recorded(faults: Faults) -> None:
    assert faults.failing.hits("faulty", "/news/redirect-nowhere.html")
    rows = faults.archive.fetches("faulty", "/news/redirect-nowhere.html")
    assert [r["status"] for r in rows] == [301]


def test_off_site_redirect_targets_on_other_hosts_are_never_requested(faults: Faults) -> None:
    assert faults.failing.hits("faulty", "/news/offsite-host.html")
    assert not [r for r in faults.requests
                if r.site == "elsewhere" and r.headers.get("Host", "").startswith("localhost")]


def test_off_site_redirect_targets_are_never_fetched_nor_archived(faults: Faults) -> None:
    assert faults.failing.hits("faulty", "/news/offsite-port.html")
    assert not [r for r in faults.requests if r.site == "elsewhere"]
    assert set(faults.archive.article_paths("faulty")) == {path_of(s) for s in GOOD["faulty"]}


@pytest.mark.parametrize("path", ["/news/offsite-host.html", "/news/offsite-port.html"])
def test_off_site_redirects_are_recorded_fetches(faults: Faults, path: str) -> None:
    rows = faults.archive.fetches("faulty", path)
    assert len(rows) == 1
    assert rows[0]["outcome"] == "error" and "redirect" in rows[0]["error"].lower()
    assert rows[0]["article_id"] is None


def test_every_faulty_link_is_requested_and_every_request_recorded(faults: Faults) -> None:
    """The failures recorded are the failures that happened: no request the site saw is
    missing from the archive (robots.txt aside, see the robots tests)."""
    requested = {r.path for r in faults.failing.requests
                 if r.site == "faulty" and r.path != "/robots.txt"}
    recorded = {r["url"].removeprefix(faults.archive.bases["faulty"])
                for r in faults.archive.rows("SELECT url FROM fetches WHERE site = 'faulty'")}
    assert {p for p, _, _ in FAILURES} <= recorded
    missing = {p for p in requested - recorded
               if p != "/news/loop-b.html"  # a hop inside a loop
               and "sitemap" not in p}  # guessed sitemap paths: their 404 is not recorded
    assert missing == set()


@pytest.mark.parametrize("site", ["robots500", "robotsslow"])
def test_an_unreachable_robots_txt_disallows_the_site(faults: Faults, site: str) -> None:
    """RFC 9309 §2.3.1.3-4: a robots.txt that errors or cannot be fetched means "disallow
    everything": no page of the site is requested, nothing is archived, the site failed."""
    tries = faults.failing.hits(site, "/robots.txt")
    assert len(tries) >= 1 + RETRY_TIMES  # asked again, as any failing request
    pages = [r for r in faults.failing.requests if r.site == site and r.path != "/robots.txt"]
    assert pages == []
    assert faults.archive.article_paths(site) == {}
    assert faults.failing.stats["sites"][site]["failed"]
    assert faults.failing.stats["stats"]["egovcrawl/robots/unreachable"] >= 2


@pytest.mark.parametrize("site", ["robots500", "robotsslow"])
def test_a_broken_robots_txt_is_recorded(faults: Faults, site: str) -> None:
    rows = faults.archive.fetches(site, "/robots.txt")
    assert rows and all(r["outcome"] == "error" for r in rows)


def test_wrong_content_types(faults: Faults) -> None:
    archive = faults.quirky_archive
    octet = archive.fetches("quirky", "/news/octet-stream.html")
    assert [(r["content_type"], r["outcome"]) for r in octet] == [
        ("application/octet-stream", "new")]  # sniffed: it is an article page
    pdf = archive.fetches("quirky", "/news/annual-report.html")
    assert [(r["content_type"], r["outcome"], r["status"]) for r in pdf] == [
        ("text/html", "not-article", 200)]
    assert "binary" in pdf[0]["error"]
    body = archive.rows("SELECT data, codec FROM bodies WHERE hash = ?", pdf[0]["body_hash"])
    assert body, "the PDF's bytes are kept"


def test_transient_faults_are_retried_and_recovered(faults: Faults) -> None:
    for slug in ("flaky-503", "flaky-429", "flaky-500", "flaky-reset"):
        tries = faults.quirky.hits("quirky", path_of(slug))
        assert [r.status != 200 for r in tries] == [True, False], slug
        rows = faults.quirky_archive.fetches("quirky", path_of(slug))
        assert [(r["status"], r["outcome"]) for r in rows] == [(200, "new")], slug
    assert faults.quirky.stats["stats"]["egovcrawl/retry/retry_after_honoured"] == 2


def test_redirect_and_404_are_recorded_not_failures(faults: Faults) -> None:
    archive = faults.quirky_archive
    moved = archive.fetches("quirky", "/news/moved.html")
    assert [(r["status"], r["final_url"]) for r in moved] == [
        (200, archive.url("quirky", "/news/youth-grants.html"))]
    gone = archive.fetches("quirky", "/news/withdrawn.html")
    assert [(r["status"], r["outcome"]) for r in gone] == [(404, "not-article")]


def test_the_endless_calendar_is_bounded_and_never_an_article(faults: Faults) -> None:
    months = [r for r in faults.quirky.requests if r.path.startswith("/events/calendar?")]
    assert 0 < len(months) <= 3  # max_calendar_pages
    assert not [p for p in faults.quirky_archive.article_paths("quirky") if "calendar" in p]


# --- an archive survives crawls of its site broken -------------------------------------------


@dataclass
class Survival:
    archive: Archive
    crawls: list[Crawl]
    before: list[dict[str, Any]]  # the articles after the clean crawl
    after: list[list[dict[str, Any]]]  # ... after each broken crawl


ARTICLE_COLUMNS = ("id, url, title, text, published, content_hash, status, version, "
                   "duplicate_of, first_seen")


@pytest.fixture(scope="module")
def survival(tmp_path_factory: pytest.TempPathFactory) -> Survival:
    tmp = tmp_path_factory.mktemp("survival")
    site = tmp / "steady"
    shutil.copytree(SITES / "steady", site)
    db = tmp / "archive.db"
    archive: Archive
    crawls: list[Crawl] = []
    after: list[list[dict[str, Any]]] = []

    def snapshot() -> list[dict[str, Any]]:
        return [dict(r) for r in archive.rows(f"SELECT {ARTICLE_COLUMNS} FROM articles "
                                              "ORDER BY id")]

    with SiteServer({"steady": site}) as server:
        bases = server.base_urls
        archive = Archive(db, bases)
        crawls.append(crawl(server, db, ["steady"], tmp / "0.json"))
        before = snapshot()
        # 1: every request of the site answers 500 (robots.txt, listing, sitemaps)
        (site / "_site.toml").write_text('fault = "status:500"\n', encoding="utf-8")
        crawls.append(crawl(server, db, ["steady"], tmp / "1.json"))
        after.append(snapshot())
        # 2: the listing works (and changed: a 304 would hide its links), every article is
        # due for a refresh (refresh_days = 0) and resets the connection
        with (site / "news" / "index.html").open("a", encoding="utf-8") as listing:
            listing.write("<!-- edited -->\n")
        (site / "_site.toml").write_text("".join(
            f'[routes."{path_of(s)}"]\nfault = "reset"\n' for s in GOOD["steady"]),
            encoding="utf-8")
        crawls.append(crawl(server, db, ["steady"], tmp / "2.json"))
        after.append(snapshot())
    # 3: the server is gone: connection refused at the same address
    crawls.append(crawl(server, db, ["steady"], tmp / "3.json", bases=bases))
    after.append(snapshot())
    return Survival(archive, crawls, before, after)


def test_the_clean_crawl_archives_the_site_and_exits_zero(survival: Survival) -> None:
    first = survival.crawls[0]
    assert first.code == 0, first.proc.stderr[-3000:]
    assert survival.archive.article_paths("steady") == Counter(
        path_of(s) for s in GOOD["steady"])


def test_broken_crawls_finish_with_partial_failure(survival: Survival) -> None:
    for broken in survival.crawls[1:]:
        assert broken.code == 1, broken.proc.stderr[-3000:]
        assert broken.stats["status"] == "partial"
        assert broken.stats["sites"]["steady"]["failed"]
    assert len(survival.archive.rows("SELECT id FROM crawls")) == 4


def test_broken_crawls_really_failed_where_expected(survival: Survival) -> None:
    all_500, resets, refused = survival.crawls[1:]
    assert all_500.requests and {r.status for r in all_500.requests} == {500}
    reset_articles = [r for r in resets.requests if r.path.endswith(".html")]
    assert {r.path for r in reset_articles} == {path_of(s) for s in GOOD["steady"]}
    assert {r.status for r in reset_articles} == {0}
    assert not refused.requests
    archive = survival.archive
    crawl_ids = [r["id"] for r in archive.rows("SELECT id FROM crawls ORDER BY id")]
    for crawl_id in crawl_ids[1:]:
        rows = archive.rows("SELECT status, outcome, error FROM fetches WHERE crawl_id = ?",
                            crawl_id)
        assert rows, crawl_id
    for slug in GOOD["steady"]:
        failed = [r for r in archive.fetches("steady", path_of(slug)) if r["error"]]
        assert len(failed) >= 1, slug  # the reset of crawl 2 at least
    refused_rows = archive.rows("SELECT error FROM fetches WHERE crawl_id = ?", crawl_ids[3])
    assert refused_rows and all("refused" in (r["error"] or "").lower() for r in refused_rows)


def test_nothing_archived_is_lost_changed_or_duplicated(survival: Survival) -> None:
    assert len(survival.before) == len(GOOD["steady"])
    for snapshot in survival.after:
        assert snapshot == survival.before
    assert all(a["status"] == "live" for a in survival.after[-1])
    assert not survival.archive.rows("SELECT 1 FROM article_versions")


# --- a listing page that failed is walked again by the next crawl -----------------------------


@pytest.fixture(scope="module")
def paged(tmp_path_factory: pytest.TempPathFactory) -> tuple[Archive, list[Crawl]]:
    tmp = tmp_path_factory.mktemp("paged")
    db = tmp / "archive.db"
    with SiteServer({"paged": SITES / "paged"}) as server:
        runs = [crawl(server, db, ["paged"], tmp / f"{i}.json") for i in range(2)]
        return Archive(db, server.base_urls), runs


def test_a_failed_listing_page_fails_the_crawl(paged: tuple[Archive, list[Crawl]]) -> None:
    archive, (first, _) = paged
    assert first.code == 1, first.proc.stderr[-3000:]
    assert [r.status for r in first.hits("paged", "/news/page/2/")] == [500] * (1 + RETRY_TIMES)
    assert set(archive.article_paths("paged")) >= {path_of("snow-clearing"),
                                                   path_of("marriage-booking")}


def test_the_next_crawl_walks_the_failed_listing_page_again(
        paged: tuple[Archive, list[Crawl]]) -> None:
    archive, (_, second) = paged
    assert second.code == 0, second.proc.stderr[-3000:]
    assert [r.status for r in second.hits("paged", "/news/page/2/")] == [200]
    assert archive.article_paths("paged") == Counter(path_of(s) for s in GOOD["paged"])
