"""A site profile's article_allow/listing_allow decide the page kind when the classifier can't."""

from pathlib import Path

from egovcrawl.extract import extract_page

PAGES = Path(__file__).parent.parent / "fixtures" / "pages"


def _listing() -> tuple[bytes, str]:
    import json

    for meta in sorted(PAGES.glob("*.json")):
        spec = json.loads(meta.read_text())
        if spec["expect"].get("page_kind") == "listing":
            return meta.with_suffix(".html").read_bytes(), spec["url"]
    raise AssertionError("no listing fixture")


def test_listing_forced_to_article_keeps_printed_dates_and_drops_links() -> None:
    body, url = _listing()
    auto = extract_page(body, url)
    forced = extract_page(body, url, page_kind="article")
    assert auto.page_kind == "listing" and auto.links
    assert forced.page_kind == "article"
    assert forced.links == ()


def test_article_forced_to_listing_is_not_dated_by_its_text() -> None:
    html = ("<html><body><article><h1>Shanghai opens data portal</h1>"
            "<p>Published: 2024-07-03</p><p>" + "The city government said. " * 40
            + "</p></article></body></html>")
    auto = extract_page(html, "https://example.gov/news/1.html")
    forced = extract_page(html, "https://example.gov/news/1.html", page_kind="listing")
    assert auto.page_kind == "article" and auto.published is not None
    assert forced.page_kind == "listing"
    assert forced.published is None
