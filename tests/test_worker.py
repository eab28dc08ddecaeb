"""The extraction pool the spider awaits: worker processes or inline, with priorities."""

from __future__ import annotations

import asyncio

from egovcrawl.worker import CrawlExtract, ExtractionPool, extract_for_crawl

ARTICLE = (b"<html><body><header><a href='/'>Home</a></header><article><h1>City portal opens"
           b"</h1><p>Published: 2024-07-03</p><p>" + b"The city government said it would. " * 40
           + b"</p></article></body></html>")
LISTING = (b"<html><body><h1>News</h1><ul>" + b"".join(
    b"<li><a href='/news/%d.html'>Digital service %d launched for all residents</a>"
    b" <span>2024-07-0%d</span></li>" % (i, i, 1 + i % 9) for i in range(12))
    + b"</ul><a rel='next' href='/news/page2.html'>Next</a></body></html>")


def test_inline_extraction_with_anchors_for_non_articles() -> None:
    art = extract_for_crawl(ARTICLE, "https://x.example/a.html", None, None, None, True)
    assert art.page is not None and art.page.page_kind == "article" and art.anchors == ()
    lst = extract_for_crawl(LISTING, "https://x.example/news/", None, None, None, True)
    assert lst.page is not None and lst.page.page_kind == "listing"
    assert "https://x.example/news/page2.html" in lst.anchors


def test_binary_body_is_a_missing_page_not_an_exception() -> None:
    res = extract_for_crawl(b"%PDF-1.7\x00\x01\x02" * 100, "https://x.example/a.pdf", None,
                            None, None, False)
    assert res.page is None and res.error


def test_workers_return_pages_and_serve_higher_priority_first() -> None:
    pool = ExtractionPool(2)
    pool.start()
    order: list[int] = []

    async def one(i: int, priority: int) -> CrawlExtract:
        res = await pool.extract(ARTICLE, f"https://x.example/{i}.html", None, None,
                                 priority=priority)
        order.append(i)
        return res

    async def run() -> list[CrawlExtract]:
        return await asyncio.gather(*(one(i, 10 if i == 40 else 0) for i in range(60)))

    try:
        results = asyncio.run(run())
    finally:
        pool.close()
    assert all(r.page is not None and r.page.title == "City portal opens" for r in results)
    # first-come-first-served would finish it 41st; with priority it overtakes the 35 or so
    # articles still waiting (a loaded machine may shuffle completions a little)
    assert order.index(40) < 20
