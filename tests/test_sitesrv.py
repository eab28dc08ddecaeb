"""The local site server (egovcrawl.sitesrv) and the truth of the bundled sample sites.

The demo and the crawl tests rely on both: the server must behave like the real sites' servers
(ports per site, templates, gzip, conditional GET, query routes, an endless calendar, faults) and
`samples/sites/expected.json` must state what the served pages really hold.
"""

from __future__ import annotations

import gzip
import http.client
import json
import re
import tomllib
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import feedparser
import lxml.html
import pytest
from protego import Protego

from egovcrawl.extract import extract_page
from egovcrawl.sitesrv import (
    SiteConfigError,
    SiteServer,
    bundled_sites,
    bundled_sites_dir,
    sites_in,
)

SITES_DIR = bundled_sites_dir()
EXPECTED = json.loads((SITES_DIR / "expected.json").read_text(encoding="utf-8"))
ARTICLES = [(site, path) for site, spec in EXPECTED["sites"].items() for path in spec["articles"]]


@pytest.fixture(scope="module")
def server() -> Iterator[SiteServer]:
    with SiteServer(bundled_sites()) as srv:
        yield srv


def fetch(url: str, headers: dict[str, str] | None = None,
          method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body without following redirects or raising on 4xx/5xx."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        conn.request(method, target or "/", headers=headers or {})
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read()
    finally:
        conn.close()


def charset(headers: dict[str, str]) -> str | None:
    m = re.search(r"charset=([\w-]+)", headers.get("Content-Type", ""))
    return m[1] if m else None


def links(base: str, path: str, body: bytes) -> set[str]:
    # decoded first: libxml2 given the bytes trusts <meta charset=gb2312> and stops at the first
    # GBK-only character (昇), dropping every link after it
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        text = body.decode("gb18030")
    doc = lxml.html.document_fromstring(text)
    return {urljoin(base + path, href) for href in doc.xpath("//a/@href")}


# --- the server ------------------------------------------------------------------------------


def test_each_site_has_its_own_port(server: SiteServer) -> None:
    bases = server.base_urls
    assert set(bases) == set(EXPECTED["sites"])
    assert len({urlsplit(b).port for b in bases.values()}) == len(bases)
    for name, base in bases.items():
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", base)
        status, _, body = fetch(base + "/robots.txt")
        assert status == 200
        assert f"Sitemap: {base}/".encode() in body, name


def test_templates_fill_this_and_other_sites_base(server: SiteServer) -> None:
    path = EXPECTED["near_duplicates"][0]["copy"]["path"]
    _, _, body = fetch(server.url("goodnews", path))
    assert f'href="{server.base_url("goodnews")}/feed/"'.encode() in body
    assert f'href="{server.base_url("egov-research")}/index.php/china/'.encode() in body
    assert b"{{" not in body


def test_no_template_token_is_left_in_any_served_file(server: SiteServer) -> None:
    for name, root in bundled_sites().items():
        for file in root.rglob("*"):
            rel = file.relative_to(root).as_posix()
            if file.is_dir() or any(p.startswith("_") for p in rel.split("/")):
                continue
            status, _, body = fetch(server.url(name, "/" + _quote(rel)))
            assert status == 200, (name, rel)
            assert b"{{" not in body, (name, rel)


def _quote(rel: str) -> str:
    from urllib.parse import quote

    return quote(rel)


def test_gzipped_sitemap_is_generated_from_the_plain_one(server: SiteServer) -> None:
    base = server.base_url("egov-research")
    status, headers, body = fetch(base + "/sitemap.xml.gz")
    assert status == 200
    assert headers["Content-Type"] == "application/x-gzip"
    xml = gzip.decompress(body)
    assert xml == fetch(base + "/sitemap.xml")[2]
    assert f"<loc>{base}/index.php/china/8801-".encode() in xml


def test_conditional_get_and_head(server: SiteServer) -> None:
    url = server.url("egov-research", "/index.php/europe")
    status, headers, body = fetch(url)
    assert status == 200
    etag, modified = headers["ETag"], headers["Last-Modified"]
    assert re.fullmatch(r'"[0-9a-f]{32}"', etag)
    assert modified == "Wed, 03 Jul 2024 06:12:00 GMT"
    assert fetch(url, {"If-None-Match": etag})[0] == 304
    status, h304, body304 = fetch(url, {"If-None-Match": f'"other", {etag}'})
    assert (status, body304, h304["ETag"]) == (304, b"", etag)
    assert fetch(url, {"If-Modified-Since": modified})[0] == 304
    # If-None-Match wins over If-Modified-Since (RFC 9110)
    assert fetch(url, {"If-None-Match": '"stale"', "If-Modified-Since": modified})[0] == 200
    assert fetch(url, {"If-Modified-Since": "Tue, 02 Jul 2024 00:00:00 GMT"})[0] == 200
    status, head_headers, head_body = fetch(url, method="HEAD")
    assert (status, head_body) == (200, b"")
    assert head_headers["Content-Length"] == str(len(body))
    assert head_headers["ETag"] == etag


def test_unknown_paths_and_queries_get_the_sites_404(server: SiteServer) -> None:
    base = server.base_url("egov-research")
    for path in ("/no/such/page", "/index.php/china?start=15", "/index.php/china?foo=1",
                 "/_site.toml", "/_print/8795.html", "/%2e%2e/sites.toml", "/../expected.json"):
        status, headers, body = fetch(base + path)
        assert status == 404, path
        assert headers["Content-Type"] == "text/html; charset=utf-8"
        assert b"404 - Page not found" in body, path


def test_query_routes_ignore_parameter_order_and_tracking(server: SiteServer) -> None:
    base = server.base_url("egov-research")
    page2 = fetch(base + "/index.php/china?start=5")[2]
    assert b"8612-cn-hangzhou-city-brain" in page2
    assert page2 != fetch(base + "/index.php/china")[2]
    a = fetch(base + "/index.php?option=com_content&view=article&id=8612&catid=12&Itemid=112")
    b = fetch(base + "/index.php?Itemid=112&catid=12&id=8612&view=article&option=com_content")
    assert a[0] == b[0] == 200 and a[2] == b[2]
    article = "/index.php/china/8795-cn-shanghai-qingpu-district-to-prioritize-digital-" \
              "transformation-and-growth"
    assert fetch(base + article + "?utm_source=x&utm_medium=y")[2] == fetch(base + article)[2]
    printed = fetch(base + article + "?tmpl=component&print=1")[2]
    assert b"window.print()" in printed and b"Today" not in printed


def test_redirects(server: SiteServer) -> None:
    base = server.base_url("goodnews")
    status, headers, _ = fetch(base + "/?p=1432")
    assert status == 301
    assert headers["Location"] == base + "/2020/08/20/wuhan-ranks-5th-for-digital-governance-" \
                                         "development/"
    status, headers, _ = fetch(base + "/page/2")
    assert (status, headers["Location"]) == (301, base + "/page/2/")


def test_calendar_pages_forever(server: SiteServer) -> None:
    base = server.base_url("egov-research")
    path = "/events/calendar?month=2024-07"
    for expected_month in ("2024-07", "2024-08", "2024-09", "2024-10", "2024-11", "2024-12",
                           "2025-01"):
        status, _, body = fetch(base + path)
        assert status == 200
        assert path.endswith(f"?month={expected_month}")
        doc = lxml.html.document_fromstring(body)
        [nxt] = doc.xpath("//a[@class='next-month']/@href")
        [prev] = doc.xpath("//a[@class='prev-month']/@href")
        assert prev < path < nxt
        path = nxt
    assert b"eGovernment Forum Berlin 2024" in fetch(base + "/events/calendar?month=2024-07")[2]
    assert b"No events this month" in fetch(base + "/events/calendar?month=2099-01")[2]
    assert fetch(base + "/events/calendar")[0] == 200
    assert fetch(base + "/events/calendar?month=9999-12")[0] == 200
    for bad in ("2024-13", "2024-7", "june", "0000-01"):
        assert fetch(f"{base}/events/calendar?month={bad}")[0] == 404, bad
    assert fetch(base + "/events/calendar?month=2024-07&view=week")[0] == 404


def test_request_log(server: SiteServer) -> None:
    server.requests.clear()
    base = server.base_url("wuhan-gov")
    fetch(base + "/sy/whyw/index_1.shtml?x=1", {"User-Agent": "egovcrawl-test"})
    fetch(base + "/robots.txt", method="HEAD")
    records = server.requests.for_site("wuhan-gov")
    assert [(r.method, r.path, r.status) for r in records] == [
        ("GET", "/sy/whyw/index_1.shtml?x=1", 404), ("HEAD", "/robots.txt", 200)]
    assert records[0].headers["User-Agent"] == "egovcrawl-test"
    assert server.requests.paths("goodnews") == []
    assert len(server.requests) == 2


def test_gbk_pages_are_served_byte_for_byte_with_their_headers(server: SiteServer) -> None:
    root = bundled_sites()["wuhan-gov"]
    base = server.base_url("wuhan-gov")
    declared = {}
    for path in EXPECTED["sites"]["wuhan-gov"]["articles"]:
        status, headers, body = fetch(base + path)
        assert status == 200
        assert body == (root / path.lstrip("/")).read_bytes()
        body.decode("gbk")  # GBK bytes, not re-encoded
        declared[path] = charset(headers)
    assert "镕".encode("gbk") in fetch(base + "/sy/whyw/202407/t20240703_2431.shtml")[2]
    assert declared == {p: a["http_charset"]
                        for p, a in EXPECTED["sites"]["wuhan-gov"]["articles"].items()}
    assert set(declared.values()) == {"gb2312", "utf-8", None}


# --- faults and configuration, on a site written by the test ----------------------------------


@pytest.fixture
def tiny_site(tmp_path: Path) -> Path:
    site = tmp_path / "tiny"
    site.mkdir()
    (site / "index.html").write_text("<p>home {{base}}</p>", encoding="utf-8")
    (site / "page.html").write_text("<p>" + "x" * 400 + "</p>", encoding="utf-8")
    (site / "_site.toml").write_text("""
[routes."/busy"]
fault = "status:503"
headers = { "Retry-After" = "2" }
[routes."/flaky"]
file = "page.html"
fault = "status:500"
fault_times = 2
[routes."/reset"]
file = "page.html"
fault = "reset"
[routes."/cut"]
file = "page.html"
fault = "truncate"
[routes."/gone"]
status = 410
[routes."/slow"]
file = "page.html"
fault = "slow"
delay = 0.01
""", encoding="utf-8")
    return site


def test_faults(tiny_site: Path) -> None:
    with SiteServer({"tiny": tiny_site}) as srv:
        base = srv.base_url("tiny")
        status, headers, _ = fetch(base + "/busy")
        assert (status, headers["Retry-After"]) == (503, "2")
        assert [fetch(base + "/flaky")[0] for _ in range(3)] == [500, 500, 200]
        with pytest.raises(ConnectionResetError):
            fetch(base + "/reset")
        with pytest.raises(http.client.IncompleteRead):
            fetch(base + "/cut")
        assert fetch(base + "/gone")[0] == 410
        slow = fetch(base + "/slow")  # headers, a pause, half the body, a pause, the rest
        assert (slow[0], slow[2]) == (200, (tiny_site / "page.html").read_bytes())
        assert fetch(base + "/")[2] == f"<p>home {base}</p>".encode()
        # a reset is logged with status 0: no status line was ever sent
        assert [r.status for r in srv.requests] == [503, 500, 500, 200, 0, 200, 410, 200, 200]


def test_body_faults_generated_pages_and_port_templates(tmp_path: Path) -> None:
    site = tmp_path / "odd"
    site.mkdir()
    page = b"<p>" + b"y" * 997 + b"</p>"
    (site / "page.html").write_bytes(page)
    (site / "_site.toml").write_text("""
[routes."/drip"]
file = "page.html"
fault = "drip"
delay = 0.001
[routes."/cut-reset"]
file = "page.html"
fault = "reset-body"
[routes."/huge"]
dynamic = "large"
size = 300000
[routes."/huge-chunked"]
dynamic = "large"
size = 300001
chunked = true
[routes."/bomb"]
dynamic = "gzip-bomb"
size = 3000000
[routes."/away"]
redirect = "http://localhost:{{port}}/page.html"
""", encoding="utf-8")
    with SiteServer({"odd": site}) as srv:
        base = srv.base_url("odd")
        assert fetch(base + "/drip")[::2] == (200, page)  # ten pieces, all of them
        with pytest.raises((ConnectionResetError, http.client.IncompleteRead)):
            fetch(base + "/cut-reset")
        status, headers, body = fetch(base + "/huge")
        assert (status, headers["Content-Length"], len(body)) == (200, "300000", 300000)
        assert body.startswith(b"<!DOCTYPE html>") and body.endswith(b"</html>\n")
        assert "ETag" not in headers  # made while sent: never hashed whole
        status, headers, body = fetch(base + "/huge-chunked")
        assert (headers.get("Transfer-Encoding"), "Content-Length" in headers) == ("chunked", False)
        assert len(body) == 300001
        status, headers, body = fetch(base + "/bomb")
        assert headers["Content-Encoding"] == "gzip"
        assert len(body) < 10000 and len(gzip.decompress(body)) == 3000000
        port = base.rsplit(":", 1)[1]
        assert fetch(base + "/away")[1]["Location"] == f"http://localhost:{port}/page.html"


def test_a_site_wide_fault_fails_every_request(tiny_site: Path) -> None:
    with SiteServer({"tiny": tiny_site}) as srv:
        base = srv.base_url("tiny")
        assert fetch(base + "/page.html")[0] == 200
        (tiny_site / "_site.toml").write_text('fault = "status:500"\nfault_times = 3\n',
                                              encoding="utf-8")
        got = [fetch(base + p)[0] for p in ("/page.html", "/robots.txt", "/nowhere", "/")]
        assert got == [500, 500, 500, 200]  # the first three, whatever they asked for
        (tiny_site / "_site.toml").write_text('fault = "reset"\n', encoding="utf-8")
        with pytest.raises(ConnectionResetError):
            fetch(base + "/page.html")


def test_edits_between_requests_are_served(tiny_site: Path) -> None:
    with SiteServer({"tiny": tiny_site}) as srv:
        url = srv.url("tiny", "/page.html")
        etag = fetch(url)[1]["ETag"]
        (tiny_site / "page.html").write_text("<p>changed</p>", encoding="utf-8")
        status, headers, body = fetch(url, {"If-None-Match": etag})
        assert (status, body) == (200, b"<p>changed</p>")
        assert headers["ETag"] != etag


@pytest.mark.parametrize(("toml", "message"), [
    ("[routes.\"/a\"]\nfault = \"explode\"", "fault must be"),
    ("fault = \"explode\"", "fault must be reset, reset-body"),
    ("fault_times = -1", "fault_times must be"),
    ("[routes.\"/a\"]\ndynamic = \"large\"\nsize = \"big\"", "size must be"),
    ("[routes.\"/a\"]\ndynamic = \"huge\"", "dynamic must be calendar, large"),
    ("[routes.\"/a\"]\ndynamic = \"large\"\nchunked = 1", "chunked must be"),
    ("[routes.\"/a\"]\nstatus = 99", "status must be"),
    ("[routes.\"a\"]\nfile = \"x\"", "must start with '/'"),
    ("colour = \"red\"", "unknown key 'colour'"),
    ("[routes.\"/a\"]\ndynamic = \"calendar\"", "needs a template"),
    ("last_modified = \"yesterday\"", "last_modified"),
    ("not toml at all [", "_site.toml"),
])
def test_bad_site_config_fails_at_construction(tmp_path: Path, toml: str, message: str) -> None:
    (tmp_path / "_site.toml").write_text(toml, encoding="utf-8")
    with pytest.raises(SiteConfigError, match=re.escape(message)):
        SiteServer({"bad": tmp_path})


def test_server_refuses_missing_sites_and_unknown_names(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="nowhere"):
        SiteServer({"x": tmp_path / "nowhere"})
    with pytest.raises(ValueError, match="at least one site"):
        SiteServer({})
    with SiteServer({"one": tmp_path}) as srv, pytest.raises(KeyError, match="no site 'two'"):
        srv.base_url("two")
    with pytest.raises(RuntimeError, match="start"):
        srv.base_url("one")  # stopped


def test_template_naming_an_unserved_site_is_a_500(tmp_path: Path) -> None:
    (tmp_path / "index.html").write_text('<a href="{{base:nowhere}}/">x</a>', encoding="utf-8")
    with SiteServer({"one": tmp_path}) as srv:
        status, _, body = fetch(srv.url("one"))
        assert status == 500 and b"nowhere" in body


# --- the bundled sites tell the truth: expected.json ------------------------------------------


@pytest.mark.parametrize(("site", "path"), ARTICLES, ids=[f"{s}:{p}" for s, p in ARTICLES])
def test_every_expected_article_extracts_as_that_article(server: SiteServer, site: str,
                                                         path: str) -> None:
    truth = EXPECTED["sites"][site]["articles"][path]
    base = server.base_url(site)
    status, headers, body = fetch(base + path)
    assert status == 200
    page = extract_page(body, base + path, encoding=charset(headers))
    assert page.page_kind == "article"
    assert page.title == truth["title"]
    assert page.published is not None and page.published.day.isoformat() == truth["published"]
    assert page.views == truth["views"]
    assert page.copyright is not None and page.copyright.holder
    assert page.language == truth["language"]
    if page.canonical_url:
        assert page.canonical_url == base + path
    page_links = links(base, path, body)
    for attachment in truth["attachments"]:
        assert base + attachment in page_links
        status, headers, pdf = fetch(base + attachment)
        assert (status, headers["Content-Type"], pdf[:5]) == (200, "application/pdf", b"%PDF-")


@pytest.mark.parametrize("site", list(EXPECTED["sites"]))
def test_expected_discovery_paths_are_true(server: SiteServer, site: str) -> None:
    spec = EXPECTED["sites"][site]
    base = server.base_url(site)
    listed: dict[str, set[str]] = {}
    for listing in spec["listings"]:
        status, _, body = fetch(base + listing)
        assert status == 200, listing
        listed[listing] = links(base, listing, body)
    for path, truth in spec["articles"].items():
        for listing in truth["found_via"]["listing"]:
            assert base + path in listed[listing], (path, listing)
    in_sitemaps = set()
    for sitemap in spec["sitemaps"]:
        status, _, body = fetch(base + sitemap)
        assert status == 200
        if sitemap.endswith(".gz"):
            body = gzip.decompress(body)
        in_sitemaps |= set(re.findall(rb"<loc>([^<]+)</loc>", body))
    for path, truth in spec["articles"].items():
        assert (base + path).encode() in in_sitemaps or not truth["found_via"]["sitemap"], path
    in_feeds = set()
    for feed in spec["feeds"]:
        parsed = feedparser.parse(fetch(base + feed)[2])
        assert parsed.version == "rss20"
        in_feeds |= {entry.link for entry in parsed.entries}
    assert in_feeds == {base + p for p, t in spec["articles"].items() if t["found_via"]["feed"]}


@pytest.mark.parametrize("site", list(EXPECTED["sites"]))
def test_expected_robots_and_dead_links_are_true(server: SiteServer, site: str) -> None:
    spec = EXPECTED["sites"][site]
    base = server.base_url(site)
    robots = fetch(base + "/robots.txt")[2].decode()
    parser = Protego.parse(robots)
    disallowed = [line.split(":", 1)[1].strip() for line in robots.splitlines()
                  if line.startswith("Disallow:")]
    assert disallowed == spec["robots_disallow"]
    every_link: set[str] = set()
    for path in [*spec["listings"], *spec["articles"]]:
        every_link |= links(base, path, fetch(base + path)[2])
    for path in spec["never_request"]:
        assert not parser.can_fetch(base + path, "egovcrawl"), path
        assert base + path in every_link, f"{path} is not linked, so the check proves nothing"
    for path in [*spec["articles"], *spec["listings"], *spec["sitemaps"], *spec["feeds"]]:
        assert parser.can_fetch(base + path, "egovcrawl"), path
    for path in spec["not_found"]:
        assert fetch(base + path)[0] == 404
        assert base + path in every_link
    if spec["trap"]:
        assert base + spec["trap"]["linked_as"] in every_link


@pytest.mark.parametrize("site", list(EXPECTED["sites"]))
def test_expected_aliases_serve_the_same_article(server: SiteServer, site: str) -> None:
    spec = EXPECTED["sites"][site]
    base = server.base_url(site)
    for alias, path in spec["aliases"].items():
        status, headers, body = fetch(base + alias)
        if status == 301:
            assert headers["Location"] == base + path
            continue
        assert status == 200
        page = extract_page(body, base + alias, encoding=charset(headers))
        assert page.title == spec["articles"][path]["title"]
        from egovcrawl.storage.dedup import canonical_url

        assert canonical_url(base + alias, page.canonical_url) == base + path


def test_near_duplicates_differ_by_little(server: SiteServer) -> None:
    from egovcrawl.storage.dedup import minhash, similarity

    for pair in EXPECTED["near_duplicates"]:
        texts = []
        for side in ("original", "copy"):
            site, path = pair[side]["site"], pair[side]["path"]
            assert path in EXPECTED["sites"][site]["articles"]
            base = server.base_url(site)
            _, headers, body = fetch(base + path)
            texts.append(extract_page(body, base + path, encoding=charset(headers)).text)
        assert texts[0] != texts[1]
        estimate = similarity(minhash(texts[0]), minhash(texts[1]))
        assert estimate >= 0.5


def test_sites_toml_names_every_bundled_site_and_only_known_placeholders() -> None:
    profiles = tomllib.loads((SITES_DIR / "sites.toml").read_text(encoding="utf-8"))["sites"]
    assert set(profiles) == set(sites_in(SITES_DIR)) == set(EXPECTED["sites"])
    values = json.dumps(profiles)  # every string of every profile
    assert set(re.findall(r"\$\{([^}]*)\}", values)) == set(profiles)
    for name, profile in profiles.items():
        assert all(u.startswith(f"${{{name}}}/") for u in profile["start_urls"]), name


def test_sites_toml_is_a_valid_profile_file() -> None:
    from egovcrawl.profiles import load_profiles

    variables = {name: f"http://127.0.0.1:{8000 + i}"
                 for i, name in enumerate(sites_in(SITES_DIR))}
    profiles = load_profiles(SITES_DIR / "sites.toml", variables=variables)
    assert sorted(p for p in profiles) == sorted(variables)


def test_urlopen_sees_a_gbk_page_like_a_browser(server: SiteServer) -> None:
    """urllib (not our fetch helper) gets the same bytes: nothing depends on the client."""
    url = server.url("wuhan-gov", "/zwgk/tzgg/202406/t20240614_2350.shtml")
    with urllib.request.urlopen(url, timeout=10) as resp:
        assert resp.headers["Content-Type"] == "text/html"
        assert "武汉市人民政府关于调整部分行政许可事项的公告" in resp.read().decode("gbk")
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(server.url("wuhan-gov", "/nope.shtml"), timeout=10)
    assert err.value.code == 404
