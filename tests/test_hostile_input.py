"""Hostile input gives a Page or the one documented error, and never hangs."""

import gzip
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from egovcrawl.extract import ExtractionError, Page, extract_page

URL = "https://www.example.gov.cn/art/2024/7/3/art_1.html"


@pytest.mark.parametrize("body", [b"", b"   \n", "", b"<html></html>", b"<<<>>>"])
def test_empty_or_trivial_bodies_give_an_empty_page(body):
    page = extract_page(body, URL)
    assert isinstance(page, Page)
    assert page.page_kind == "other"
    assert page.text is None and page.published is None and page.views is None


@pytest.mark.parametrize("body", [
    b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj",
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00",
    gzip.compress(b"<html><body>compressed twice</body></html>"),
    b"PK\x03\x04\x14\x00\x06\x00" + bytes(200),
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00",
])
def test_binary_bodies_raise_the_documented_error(body):
    with pytest.raises(ExtractionError, match="binary"):
        extract_page(body, URL)


def test_wrong_type_raises_the_documented_error():
    with pytest.raises(ExtractionError):
        extract_page(12345, URL)  # type: ignore[arg-type]


def test_undecodable_bytes_still_give_a_page(no_hang):
    body = b"<html><body><h1>\xff\xfe\xfa title</h1><p>" + bytes(range(128, 256)) * 40 + b"</p>"
    page = extract_page(body, URL, encoding="utf-8")
    assert isinstance(page, Page)


def test_broken_markup_keeps_the_text(no_hang):
    body = ("<html><body><div class=article><h1>Broken page<p>First paragraph of a long article "
            "about digital government services that never closes its tags <p>Second paragraph "
            "<b><i>nested badly</b></i> and more words to make it an article body" * 3)
    page = extract_page(body.encode(), URL)
    assert page.text and "Second paragraph" in page.text


def test_hundred_thousand_nested_tags(no_hang):
    body = b"<html><body>" + b"<div>" * 100_000 + b"deep text" + b"</div>" * 100_000 + b"</body>"
    assert isinstance(extract_page(body, URL), Page)


def test_twenty_megabyte_page(no_hang):
    para = b"<p>" + b"Das Ministerium informiert ueber digitale Verwaltung. " * 20 + b"</p>\n"
    body = b"<html><body><h1>Huge</h1>" + para * (20_000_000 // len(para)) + b"</body></html>"
    assert len(body) >= 19_000_000
    assert isinstance(extract_page(body, URL), Page)


def test_random_bytes_without_nul_give_a_page(no_hang):
    noise = os.urandom(50_000).replace(b"\x00", b"")
    assert isinstance(extract_page(b"<html><body>" + noise, URL), Page)


def test_random_bytes_with_nul_are_binary_or_a_page(no_hang):
    try:
        assert isinstance(extract_page(os.urandom(50_000), URL), Page)
    except ExtractionError as exc:
        assert "binary" in str(exc)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=2000))
def test_any_text_gives_a_page(text):
    assert isinstance(extract_page(text, URL), Page)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from([
    "<div>", "</div>", "<p>", "</p>", "<h1>", "</h1>", "<table><tr><td>", "</td></tr></table>",
    "发布时间：2024-07-03", "43 Views", "© 2020", "版权所有", "Today 284", "<a href='/x'>", "</a>",
    "<script>", "</script>", "<br>", "浏览次数：", "Read more:", "3.07.2024", "&nbsp;", "\u3000",
]), max_size=200))
def test_any_tag_soup_gives_a_page(chunks):
    assert isinstance(extract_page("".join(chunks).encode("utf-8"), URL), Page)
