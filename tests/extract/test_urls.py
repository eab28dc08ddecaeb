"""URL helpers that return None instead of raising on URLs urllib cannot parse."""

from egovcrawl.extract.dom import Document
from egovcrawl.extract.urls import base_url, comparable_url, join_url, split_url, url_host

PAGE = "https://www.example.gov.cn/news/2024/art_1.html"


def test_join_resolves_relative_links():
    assert join_url(PAGE, "../a.html") == "https://www.example.gov.cn/news/a.html"


def test_invalid_ipv6_hosts_give_none():
    assert join_url(PAGE, "//[") is None
    assert join_url("http://[b/", "a.html") is None
    assert split_url("http://[n") is None
    assert url_host("http://[n") == ""
    assert comparable_url("p://[") is None


def test_comparable_ignores_scheme_www_and_trailing_slash():
    assert comparable_url("http://example.gov.cn/news/") == comparable_url(
        "https://www.example.gov.cn/news")
    assert comparable_url(None) is None


def test_an_unparseable_base_href_falls_back_to_the_page_url():
    doc = Document.from_text("<html><head><base href='http://[b/'></head><body></body></html>",
                             PAGE)
    assert base_url(doc) == PAGE
    doc = Document.from_text("<html><head><base href='/files/'></head><body></body></html>",
                             PAGE)
    assert base_url(doc) == "https://www.example.gov.cn/files/"
