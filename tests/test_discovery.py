"""Discovery parsers: robots.txt sitemaps, XML sitemaps (index, gzip, broken), feeds, anchors."""

import datetime as dt
import gzip

from egovcrawl import discovery

URLSET = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>https://www.example.gov.cn/sy/whyw/202407/t20240703_1.shtml</loc>
       <lastmod>2024-07-03T10:30:00+08:00</lastmod></url>
  <url><loc> https://www.example.gov.cn/sy/whyw/202407/t20240702_2.shtml </loc>
       <lastmod>2024-07-02</lastmod></url>
  <url><loc>ftp://nope/</loc></url>
  <url><lastmod>2024-07-01</lastmod></url>
</urlset>"""

INDEX = b"""<?xml version="1.0"?>
<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://example.org/sitemap-news.xml.gz</loc></sitemap>
</sitemapindex>"""


def test_urlset_entries_with_lastmod_in_utc() -> None:
    sm = discovery.parse_sitemap(URLSET)
    assert sm.kind == "urlset"
    assert [e.loc for e in sm.entries] == [
        "https://www.example.gov.cn/sy/whyw/202407/t20240703_1.shtml",
        "https://www.example.gov.cn/sy/whyw/202407/t20240702_2.shtml",
    ]
    assert sm.entries[0].lastmod == dt.datetime(2024, 7, 3, 2, 30, tzinfo=dt.UTC)
    assert sm.entries[1].lastmod == dt.datetime(2024, 7, 2, tzinfo=dt.UTC)


def test_sitemap_index_and_gzip_by_magic_number() -> None:
    sm = discovery.parse_sitemap(gzip.compress(INDEX))
    assert sm.kind == "sitemapindex"
    assert [e.loc for e in sm.entries] == ["https://example.org/sitemap-news.xml.gz"]


def test_not_a_sitemap_and_truncated_files() -> None:
    assert discovery.parse_sitemap(b"<html><body>404</body></html>").kind == ""
    assert discovery.parse_sitemap(b"").kind == ""
    truncated = discovery.parse_sitemap(URLSET[: URLSET.index(b"<url><loc>ftp")])
    assert truncated.kind == "urlset" and len(truncated.entries) == 2
    broken_gzip = gzip.compress(URLSET)[:-20]
    assert len(discovery.parse_sitemap(broken_gzip).entries) >= 1


def test_gzip_bomb_is_cut() -> None:
    bomb = gzip.compress(b"<urlset>" + b" " * (3 * 1024 * 1024))
    assert len(discovery.maybe_gunzip(bomb, max_size=1024 * 1024)) == 1024 * 1024


def test_robots_sitemaps() -> None:
    robots = b"User-agent: *\nDisallow: /search\nSitemap: /sitemap.xml.gz\n" \
             b"sitemap: https://cdn.example.org/s.xml\nSitemap:\n"
    assert discovery.robots_sitemaps(robots, "https://example.org/robots.txt") == [
        "https://example.org/sitemap.xml.gz", "https://cdn.example.org/s.xml"]


def test_rss_and_atom_feeds() -> None:
    rss = """<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title>
    <item><title>数字政府</title><link>https://goodnews.example/2020/08/20/a/</link>
    <pubDate>Thu, 20 Aug 2020 10:00:00 +0800</pubDate></item>
    <item><title>relative</title><link>/2020/08/21/b/</link></item>
    </channel></rss>""".encode()
    entries = discovery.parse_feed(rss, "https://goodnews.example/feed/")
    assert [e.link for e in entries] == ["https://goodnews.example/2020/08/20/a/",
                                         "https://goodnews.example/2020/08/21/b/"]
    assert entries[0].updated == dt.datetime(2020, 8, 20, 2, 0, tzinfo=dt.UTC)
    atom = b"""<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title>
    <entry><title>A</title><link href="https://bmi.example.de/DE/a.html"/>
    <updated>2024-07-03T09:00:00Z</updated></entry></feed>"""
    assert [e.link for e in discovery.parse_feed(atom, "https://bmi.example.de/feed")] == [
        "https://bmi.example.de/DE/a.html"]
    assert discovery.parse_feed(b"not a feed", "https://x.example/") == []


def test_page_anchors_absolute_unique_no_fragments() -> None:
    html = """<html><head><base href="https://example.org/news/"></head><body>
    <a href="a.html#top">A</a><a href="a.html">A again</a><a href="mailto:x@y">m</a>
    <a href="javascript:void(0)">j</a><a href="#x">frag</a><a href="/b?x=1">B</a></body></html>"""
    assert list(discovery.page_anchors(html, "https://example.org/index.html")) == [
        "https://example.org/news/a.html", "https://example.org/b?x=1"]


def test_attachment_and_binary_urls() -> None:
    assert discovery.is_attachment_url("https://x.gov.cn/P020240703.PDF?download=1")
    assert discovery.is_attachment_url("https://x.de/SharedDocs/a.docx")
    assert not discovery.is_attachment_url("https://x.gov.cn/t20240703_1.shtml")
    assert discovery.is_binary_url("https://x.org/logo.png")
    assert not discovery.is_binary_url("https://x.org/2024/07/03/slug/")


def test_unparseable_urls_are_skipped_not_raised() -> None:
    """`//[` cannot be parsed as a URL (an IPv6 host left open): it is no link, not an error."""
    assert discovery.robots_sitemaps(b"Sitemap: //[\nSitemap: /s.xml",
                                     "https://a.example/robots.txt") == ["https://a.example/s.xml"]
    assert list(discovery.page_anchors('<a href="//[">x</a><a href="/b#f">b</a>',
                                       "https://a.example/")) == ["https://a.example/b"]
