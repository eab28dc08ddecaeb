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


def _section_page(teasers: int) -> bytes:
    items = "".join(f"<li><h2><a href='/news/2021/{i}.html'>Item {i} of the news</a></h2>"
                    f"<p>A short teaser about item {i} of the city council budget.</p></li>"
                    for i in range(teasers))
    return ("<html><head><title>news page 2</title></head><body><main><h1>news</h1>"
            f"<ul>{items}</ul><div class='pagination'><a rel='next' href='/news/page/3/'>"
            "Next page</a></div></main></body></html>").encode()


def test_links_and_next_follow_the_forced_kind_rules() -> None:
    url = "https://example.gov/news/page/2/"
    # two teasers: no teaser list, read as an article; as a listing it keeps its next page
    assert extract_page(_section_page(2), url).page_kind != "listing"
    forced = extract_page(_section_page(2), url, page_kind="listing")
    assert forced.next == "https://example.gov/news/page/3/"
    # a listing forced to an article: the next listing page is no page of the same document
    assert extract_page(_section_page(20), url).next == "https://example.gov/news/page/3/"
    forced = extract_page(_section_page(20), url, page_kind="article")
    assert forced.links == () and forced.next is None
    assert extract_page(_section_page(20), url, page_kind="other").next is None
