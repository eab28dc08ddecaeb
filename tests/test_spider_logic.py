"""The egov spider's decisions, one at a time, without a network: which URLs it requests, with
which validators, when pagination stops, what a sitemap's lastmod window skips."""

from __future__ import annotations

import datetime as dt
import gzip
from pathlib import Path
from typing import Any

import pytest
from scrapy.http import HtmlResponse, Request, XmlResponse
from scrapy.utils.test import get_crawler

from egovcrawl.extract.model import Link, Page
from egovcrawl.spiders.egov import EgovSpider, SiteState
from egovcrawl.storage import KnownUrl

BASE = "https://www.example.gov.cn"
SITES = f"""
[sites.city]
start_urls = ["{BASE}/sy/whyw/"]
article_allow = ['/t\\d{{8}}_\\d+\\.shtml$']
date_order = "YMD"
refresh_days = 7
stop_after_known_pages = 2
sitemap_lastmod_days = 30
max_calendar_pages = 2

[sites.other]
start_urls = ["https://bmi.example.de/DE/"]
stop_after_known_pages = 0
"""


def make_spider(tmp_path: Path, site: str = "city", **settings: Any) -> EgovSpider:
    path = tmp_path / "sites.toml"
    path.write_text(SITES, encoding="utf-8")
    crawler = get_crawler(EgovSpider, {"EGOVCRAWL_ARCHIVE": "", "EGOVCRAWL_EXTRACT_WORKERS": 0,
                                       **settings})
    spider = EgovSpider.from_crawler(crawler, site=site, sites=str(path))
    crawler.spider = spider
    crawler.stats.open_spider()
    assert spider.config_error is None
    spider._load_states()
    return spider


def known(url: str, *, days_ago: float, kind: str = "article", etag: str | None = '"e1"',
          last_modified: str | None = "Wed, 03 Jul 2024 10:30:00 GMT") -> KnownUrl:
    fetched = (dt.datetime.now(dt.UTC) - dt.timedelta(days=days_ago)).replace(microsecond=0)
    return KnownUrl(url=url, article_id=1 if kind == "article" else None,
                    last_fetched=fetched.isoformat(), etag=etag,
                    last_modified=last_modified, page_kind=kind)


def state(spider: EgovSpider, site: str = "city") -> SiteState:
    return spider.states[site]


def stat(spider: EgovSpider, key: str) -> int:
    return spider.crawler.stats.get_value(f"egovcrawl/spider/{key}", 0)


def test_new_url_is_requested_once(tmp_path: Path) -> None:
    spider = make_spider(tmp_path)
    st = state(spider)
    url = f"{BASE}/sy/whyw/202407/t20240703_1.shtml"
    req = spider._page_request(st, url, role="article", depth=1)
    assert isinstance(req, Request) and req.url == url
    assert "If-None-Match" not in req.headers
    assert req.meta["egov_site"] == "city"
    assert spider._page_request(st, url, role="article", depth=1) is None  # seen this run


def test_known_article_is_skipped_until_due_then_fetched_conditionally(tmp_path: Path) -> None:
    spider = make_spider(tmp_path)
    st = state(spider)
    fresh = f"{BASE}/sy/whyw/202407/t20240703_1.shtml"
    due = f"{BASE}/sy/whyw/202406/t20240603_2.shtml"
    st.known[fresh] = known(fresh, days_ago=1)
    st.known[due] = known(due, days_ago=8)
    assert spider._page_request(st, fresh, role="article", depth=1) is None
    assert stat(spider, "skipped/known") == 1
    req = spider._page_request(st, due, role="article", depth=1)
    assert req is not None
    assert req.headers["If-None-Match"] == b'"e1"'
    assert req.headers["If-Modified-Since"] == b"Wed, 03 Jul 2024 10:30:00 GMT"


def test_sitemap_lastmod_newer_than_the_last_fetch_refetches(tmp_path: Path) -> None:
    spider = make_spider(tmp_path)
    st = state(spider)
    url = f"{BASE}/sy/whyw/202407/t20240703_1.shtml"
    st.known[url] = known(url, days_ago=1)
    later = dt.datetime.now(dt.UTC)
    assert spider._page_request(st, url, role="page", depth=1, lastmod=later) is not None


def test_session_ids_are_stripped_and_out_of_scope_urls_refused(tmp_path: Path) -> None:
    spider = make_spider(tmp_path)
    st = state(spider)
    req = spider._page_request(
        st, f"{BASE}/sy/whyw/202407/t20240703_1.shtml;jsessionid=0123456789ABCDEF0123456789ABCDEF",
        role="article", depth=1)
    assert req is not None and "jsessionid" not in req.url
    assert spider._page_request(st, "https://elsewhere.example.com/a.html", role="article",
                                depth=1) is None
    assert stat(spider, "skipped/out-of-scope") == 1


def test_attachments_and_media_are_never_requested(tmp_path: Path) -> None:
    spider = make_spider(tmp_path)
    st = state(spider)
    for url in (f"{BASE}/zwgk/P020240620.pdf", f"{BASE}/images/logo.png",
                f"{BASE}/files/plan.docx?download=1"):
        assert spider._page_request(st, url, role="article", depth=1) is None
    assert stat(spider, "skipped/not-a-page") == 3


def test_calendar_trap_is_bounded(tmp_path: Path) -> None:
    spider = make_spider(tmp_path)
    st = state(spider)
    got = [spider._page_request(st, f"{BASE}/events/calendar?month=2024-{m:02d}", role="page",
                                depth=1) for m in range(1, 8)]
    assert sum(r is not None for r in got) == 2  # max_calendar_pages = 2
    assert stat(spider, "skipped/trap/calendar-budget") == 5


def test_max_pages_budget_marks_the_site_incomplete(tmp_path: Path) -> None:
    spider = make_spider(tmp_path, site="city")
    spider.max_pages_override = 2
    st = state(spider)
    urls = [f"{BASE}/sy/whyw/202407/t2024070{i}_{i}.shtml" for i in range(1, 5)]
    got = [spider._page_request(st, u, role="article", depth=1) for u in urls]
    assert sum(r is not None for r in got) == 2
    assert spider.incomplete_sites == {"city"}


def _listing(url: str, links: list[str], next_url: str | None) -> Page:
    return Page(url=url, encoding="utf-8", page_kind="listing",
                links=tuple(Link(u, "t") for u in links), next=next_url)


def _follow(spider: EgovSpider, page: Page) -> list[Request]:
    st = state(spider, next(iter(spider.states)))
    response = HtmlResponse(page.url, body=b"<html></html>")
    return list(spider._follow_listing(st, page, [], 0, response))


@pytest.mark.parametrize("backfill, expect_stop_at", [(False, 2), (True, None)])
def test_pagination_stops_after_n_listing_pages_with_nothing_new(
        tmp_path: Path, backfill: bool, expect_stop_at: int | None) -> None:
    spider = make_spider(tmp_path)
    st = state(spider)
    st.backfill = backfill
    articles = [f"{BASE}/sy/whyw/202407/t2024070{i}_{i}.shtml" for i in range(1, 7)]
    for url in articles:
        st.known[url] = known(url, days_ago=1)
    followed_next = []
    for n in range(1, 4):
        page = _listing(f"{BASE}/sy/whyw/index_{n}.shtml", articles[2 * n - 2: 2 * n],
                        f"{BASE}/sy/whyw/index_{n + 1}.shtml")
        reqs = _follow(spider, page)
        followed_next.append(any(r.url.endswith(f"index_{n + 1}.shtml") for r in reqs))
    if expect_stop_at is None:
        assert followed_next == [True, True, True]
    else:  # stop_after_known_pages = 2: the second all-known page is the last one followed
        assert followed_next == [True, False, False]
        assert st.pagination_stopped


def test_a_listing_with_something_new_resets_the_streak(tmp_path: Path) -> None:
    spider = make_spider(tmp_path)
    st = state(spider)
    st.backfill = False
    old = f"{BASE}/sy/whyw/202407/t20240701_1.shtml"
    st.known[old] = known(old, days_ago=1)
    new = f"{BASE}/sy/whyw/202407/t20240709_9.shtml"
    _follow(spider, _listing(f"{BASE}/sy/whyw/", [old], f"{BASE}/sy/whyw/index_1.shtml"))
    assert st.known_streak == 1
    reqs = _follow(spider, _listing(f"{BASE}/sy/whyw/index_1.shtml", [old, new],
                                    f"{BASE}/sy/whyw/index_2.shtml"))
    assert st.known_streak == 0
    assert {r.url for r in reqs} == {new, f"{BASE}/sy/whyw/index_2.shtml"}


def test_stop_after_known_pages_zero_never_stops(tmp_path: Path) -> None:
    spider = make_spider(tmp_path, site="other")
    st = state(spider, "other")
    st.backfill = False
    url = "https://bmi.example.de/DE/a.html"
    st.known[url] = known(url, days_ago=1)
    reqs = _follow(spider, _listing("https://bmi.example.de/DE/", [url],
                                    "https://bmi.example.de/DE/?page=2"))
    assert [r.url for r in reqs] == ["https://bmi.example.de/DE/?page=2"]


def _sitemap(entries: list[tuple[str, str]]) -> bytes:
    urls = "".join(f"<url><loc>{loc}</loc><lastmod>{mod}</lastmod></url>" for loc, mod in entries)
    return (f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{urls}</urlset>").encode()


def test_sitemap_lastmod_window_and_gzip(tmp_path: Path) -> None:
    spider = make_spider(tmp_path)
    recent = (dt.datetime.now(dt.UTC) - dt.timedelta(days=3)).date().isoformat()
    body = gzip.compress(_sitemap([(f"{BASE}/sy/whyw/202407/t20240703_1.shtml", recent),
                                   (f"{BASE}/sy/whyw/201907/t20190703_2.shtml", "2019-07-03")]))
    response = XmlResponse(f"{BASE}/sitemap.xml.gz", body=body,
                           request=Request(f"{BASE}/sitemap.xml.gz",
                                           meta={"egov_site": "city", "egov_role": "sitemap"}))
    out = list(spider.parse_sitemap(response))
    requests = [o for o in out if isinstance(o, Request)]
    assert [r.url for r in requests] == [f"{BASE}/sy/whyw/202407/t20240703_1.shtml"]
    assert stat(spider, "skipped/sitemap-lastmod") == 1


def test_robots_sitemaps_or_the_common_path(tmp_path: Path) -> None:
    spider = make_spider(tmp_path)
    meta = {"egov_site": "city", "egov_role": "robots"}
    declared = HtmlResponse(f"{BASE}/robots.txt", body=b"Sitemap: /s1.xml\nSitemap: /s2.xml\n",
                            request=Request(f"{BASE}/robots.txt", meta=meta))
    assert [r.url for r in spider.parse_robots(declared)] == [f"{BASE}/s1.xml", f"{BASE}/s2.xml"]
    missing = HtmlResponse(f"{BASE}/robots.txt", status=404, body=b"",
                           request=Request(f"{BASE}/robots.txt", meta=meta))
    guessed = list(spider.parse_robots(missing))
    assert [r.url for r in guessed] == [f"{BASE}/sitemap.xml"]
    assert guessed[0].meta["egov_probe"] is True


def test_config_error_is_one_line_before_any_request(tmp_path: Path) -> None:
    path = tmp_path / "sites.toml"
    path.write_text('[sites.x]\nstart_urls = ["https://a.example/"]\ndate_order = "DYM"\n')
    crawler = get_crawler(EgovSpider, {"EGOVCRAWL_ARCHIVE": ""})
    spider = EgovSpider.from_crawler(crawler, site="x", sites=str(path))
    assert spider.config_error is not None
    assert "\n" not in spider.config_error
    assert "site 'x'" in spider.config_error and "date_order" in spider.config_error


def test_contact_url_goes_into_the_user_agent(tmp_path: Path) -> None:
    from scrapy.crawler import Crawler
    from scrapy.settings import Settings

    path = tmp_path / "sites.toml"
    path.write_text(SITES, encoding="utf-8")
    settings = Settings()
    settings.setmodule("egovcrawl.settings", priority="project")
    settings.set("EGOVCRAWL_CONTACT_URL", "https://lab.example.edu/crawl", priority="cmdline")
    crawler = Crawler(EgovSpider, settings)  # not yet frozen: as in a real crawl's from_crawler
    EgovSpider.from_crawler(crawler, site="city", sites=str(path))
    assert crawler.settings["USER_AGENT"] == "egovcrawl/0.1.0 (+https://lab.example.edu/crawl)"
    settings.set("USER_AGENT", "my-lab-bot/2.0", priority="cmdline")  # the user's own wins
    crawler = Crawler(EgovSpider, settings)
    EgovSpider.from_crawler(crawler, site="city", sites=str(path))
    assert crawler.settings["USER_AGENT"] == "my-lab-bot/2.0"


def test_profile_download_delay_becomes_its_hosts_slot_delay(tmp_path: Path) -> None:
    from scrapy.crawler import Crawler
    from scrapy.settings import Settings

    path = tmp_path / "sites.toml"
    path.write_text(SITES + '\n[sites.slow]\nstart_urls = ["https://slow.example.org/news/"]\n'
                    "download_delay = 4.5\n", encoding="utf-8")
    settings = Settings()
    settings.setmodule("egovcrawl.settings", priority="project")
    crawler = Crawler(EgovSpider, settings)
    EgovSpider.from_crawler(crawler, site="slow,city", sites=str(path))
    slots = crawler.settings.getdict("DOWNLOAD_SLOTS")
    assert slots["slow.example.org"]["delay"] == 4.5
    assert "www.example.gov.cn" not in slots  # no delay in its profile: the global one applies


def test_progress_line_counts_pages_articles_errors_per_site() -> None:
    import io

    from scrapy.statscollectors import MemoryStatsCollector

    from egovcrawl.extensions import Progress

    crawler = get_crawler(EgovSpider)
    stats = MemoryStatsCollector(crawler)
    for key, value in {"response_received_count": 120, "egovcrawl/archive/outcome/new": 40,
                       "egovcrawl/archive/outcome/duplicate": 2,
                       "egovcrawl/spider/fetch-errors": 3,
                       "egovcrawl/spider/a/server-errors": 1,
                       "egovcrawl/spider/a/pages-ok": 70,
                       "egovcrawl/spider/b/pages-ok": 50}.items():
        stats.set_value(key, value)
    progress = Progress(stats, 1.0, io.StringIO())
    progress.sites = ["a", "b"]
    line = progress.line()
    assert line.startswith("pages 120 (")
    assert "new articles 42" in line and "errors 4" in line and "a: 70  b: 50" in line


def test_due_archived_articles_are_refetched_even_when_listings_show_nothing(
        tmp_path: Path) -> None:
    """A listing answering 304 shows no links: articles due for their refresh_days are
    scheduled from the archive itself, longest unseen first, with a conditional GET."""
    spider = make_spider(tmp_path)
    st = state(spider)
    fresh = f"{BASE}/sy/whyw/202407/t20240703_1.shtml"
    old = f"{BASE}/sy/whyw/202301/t20230103_2.shtml"
    older = f"{BASE}/sy/whyw/202201/t20220103_3.shtml"
    st.known.update({fresh: known(fresh, days_ago=1), old: known(old, days_ago=9),
                     older: known(older, days_ago=30),
                     f"{BASE}/sy/whyw/": known(f"{BASE}/sy/whyw/", days_ago=30, kind="listing")})
    reqs = list(spider._start_requests(st))
    refresh = [r for r in reqs if r.meta["egov_role"] == "article"]
    assert [r.url for r in refresh] == [older, old]
    assert all(r.headers.get("If-None-Match") == b'"e1"' for r in refresh)
