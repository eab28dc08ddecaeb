"""What incremental crawling needs from the archive: known URLs with their validators, the
last crawl's status, 304 Not Modified, non-HTML responses, pre-extracted pages, page kinds and
attachment links (migration 4)."""

from __future__ import annotations

import pytest

from egovcrawl.extract.model import Link, Page
from egovcrawl.storage import Archive, FetchRecord, KnownUrl
from egovcrawl.storage.ingest import ingest_batch, non_html_reason, process_pending
from egovcrawl.storage.schema import MIGRATIONS

from .helpers import file, page

URL = "https://www.example.gov/news/2020/08/portal.html"
T1, T2, T3 = "2024-07-03T10:00:00+00:00", "2024-08-03T10:00:00+00:00", "2024-09-03T10:00:00+00:00"


def rows(archive: Archive, sql: str, *args) -> list[tuple]:
    return archive.conn.execute(sql, args).fetchall()


def rec(url: str, *, status: int | None = 200, body: bytes = b"<html>x</html>",
        ctype: str | None = "text/html; charset=utf-8", when: str = T1, site: str = "example",
        crawl_id: int | None = None, final_url: str | None = None, pg: Page | None = None,
        **headers: str) -> FetchRecord:
    hdrs = {"Content-Type": ctype} if ctype else {}
    hdrs.update({k.replace("_", "-"): v for k, v in headers.items()})
    return FetchRecord(url=url, body=body, status=status, headers=hdrs, fetched_at=when,
                       site=site, crawl_id=crawl_id, final_url=final_url, page=pg)


def never_called(_rec: FetchRecord) -> Page:
    raise AssertionError("the extractor must not run")


# --- known_urls -------------------------------------------------------------------------------


def test_known_urls_lists_fetched_urls_and_article_aliases_by_canonical_form(archive):
    listing = "https://www.example.gov/news/index.html"
    file(archive, rec(URL + "?utm_source=feed", ETag='"v1"', Last_Modified="Mon, 01 Jul 2024"),
         page(URL + "?utm_source=feed", canonical="https://www.example.gov/news/portal"))
    file(archive, rec(listing, when=T2, ETag='"L"'), page(listing, kind="listing"))
    file(archive, rec("https://www.example.gov/missing", status=404), None)
    file(archive, rec("https://www.example.gov/down", status=None, body=b""), None)
    file(archive, rec("https://other.gov/x.html", site="other"), page("https://other.gov/x.html"))
    known = archive.known_urls("example")
    art = rows(archive, "SELECT id FROM articles WHERE site = 'example'")[0][0]
    assert set(known) == {URL, "https://www.example.gov/news/portal", listing}
    assert known[URL] == KnownUrl(URL, art, T1, '"v1"', "Mon, 01 Jul 2024", "article")
    # the rel=canonical alias was never fetched itself: no validators of its own
    assert known["https://www.example.gov/news/portal"] == KnownUrl(
        "https://www.example.gov/news/portal", art, T1, None, None, "article")
    assert known[listing] == KnownUrl(listing, None, T2, '"L"', None, "listing")
    assert archive.known_urls("nobody") == {}


def test_known_urls_take_the_latest_fetch_and_304s_keep_the_validators(archive):
    file(archive, rec(URL, ETag='"v1"'), page(URL))
    file(archive, rec(URL, when=T2, ETag='"v2"'), page(URL, views=50))
    ingest_batch(archive, [rec(URL, status=304, body=b"", ctype=None, when=T3, ETag='"v3"')],
                 never_called)
    k = archive.known_urls("example")[URL]
    assert (k.last_fetched, k.etag, k.page_kind) == (T3, '"v2"', "article")


def test_known_urls_include_redirect_targets(archive):
    target = "https://www.example.gov/news/new-place.html"
    file(archive, rec(URL, final_url=target), page(target))
    known = archive.known_urls("example")
    assert known[URL].article_id == known[target].article_id is not None


# --- last_crawl_status ------------------------------------------------------------------------


def test_last_crawl_status(archive):
    assert archive.last_crawl_status("example") is None
    c1 = archive.start_crawl(["example", "other"])
    archive.finish_crawl(c1, "finished")
    assert archive.last_crawl_status("example") == "finished"
    c2 = archive.start_crawl(["other"])
    archive.finish_crawl(c2, "failed")
    assert archive.last_crawl_status("example") == "finished"
    assert archive.last_crawl_status("other") == "failed"
    c3 = archive.start_crawl(["example"])
    archive.finish_crawl(c3, "stopped: shutdown")
    assert archive.last_crawl_status("example") == "stopped: shutdown"
    archive.start_crawl(["example"])  # killed: never finished
    # the latest running row may be the caller's own crawl: not judged yet
    assert archive.last_crawl_status("example") == "stopped: shutdown"
    archive.start_crawl(["example"])  # the next crawl starts: the one before it died
    assert archive.last_crawl_status("example") == "killed"
    assert archive.last_crawl_status("exam") is None  # whole names, not substrings


# --- 304 Not Modified -------------------------------------------------------------------------


def test_304_at_an_article_url_is_an_unchanged_observation(archive):
    c1 = archive.start_crawl(["example"])
    first = file(archive, rec(URL + "?utm_medium=x", crawl_id=c1), page(URL, views=43))
    archive.mark_removed(rec(URL, status=404, when=T2),
                         archive.record_fetches([rec(URL, status=404, when=T2)])[0])
    assert rows(archive, "SELECT status FROM articles") == [("removed",)]
    before = archive.counts()
    c2 = archive.start_crawl(["example"])
    res = ingest_batch(archive, [rec(URL, status=304, body=b"", ctype=None, when=T3,
                                     crawl_id=c2)], never_called)[0]
    assert (res.outcome, res.article_id, res.error) == ("unchanged", first.article_id, None)
    after = archive.counts()
    assert {k: after[k] - before[k] for k in after if after[k] != before[k]} == {
        "fetches": 1, "crawls": 1, "article_changes": 1}  # status removed -> live
    assert rows(archive, "SELECT status, last_seen, views FROM articles") == [("live", T3, 43)]
    assert rows(archive, "SELECT status, body_hash, outcome, page_kind FROM fetches "
                         "WHERE id = ?", res.fetch_id) == [(304, None, "unchanged", None)]
    assert rows(archive, "SELECT field, old, new FROM article_changes") == [
        ("status", "live", "removed"), ("status", "removed", "live")]


def test_304_elsewhere_is_not_an_article_and_never_an_error(archive):
    res = ingest_batch(archive, [rec("https://www.example.gov/list", status=304, body=b"")],
                       never_called)[0]
    assert (res.outcome, res.error, res.article_id) == ("not-article", None, None)


def test_a_pending_304_is_finished_after_a_crash(archive):
    file(archive, rec(URL), page(URL))
    with archive.transaction():
        archive.record_fetches([rec(URL, status=304, body=b"", when=T2)])
    assert process_pending(archive, never_called) == {"unchanged": 1}


# --- non-HTML responses -----------------------------------------------------------------------


@pytest.mark.parametrize("ctype, body, reason", [
    ("application/pdf", b"%PDF-1.7 ...", "non-HTML content: application/pdf"),
    ("application/msword", b"\xd0\xcf\x11\xe0", "non-HTML content: application/msword"),
    ("image/png; charset=binary", b"\x89PNG", "non-HTML content: image/png"),
    ("application/zip", b"PK\x03\x04", "non-HTML content: application/zip"),
    ("application/octet-stream", b"\x00\x01binary",
     "non-HTML content: application/octet-stream"),
    ("application/octet-stream", b"\xef\xbb\xbf  <!DOCTYPE html><html>", None),
    ("text/html", b"<p>", None), ("application/xhtml+xml", b"<p>", None),
    ("text/plain", b"hello", None), (None, b"<p>", None),
    # sitemaps and feeds are discovery documents, not pages; XHTML served as XML is a page
    ("application/rss+xml", b"<rss>", "non-HTML content: application/rss+xml"),
    ("text/xml", b"<urlset/>", "non-HTML content: text/xml"),
    ("application/xml", b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml">',
     None), ("TEXT/HTML; charset=GBK", b"<p>", None),
])
def test_non_html_reason(ctype, body, reason):
    assert non_html_reason(rec(URL, ctype=ctype, body=body)) == reason


def test_non_html_response_keeps_its_body_and_is_not_extracted(archive):
    pdf = b"%PDF-1.7\n" + bytes(range(256)) * 10
    res = ingest_batch(archive, [rec("https://www.example.gov/files/plan.pdf", body=pdf,
                                     ctype="application/pdf")], never_called)[0]
    assert (res.outcome, res.error) == ("not-article", "non-HTML content: application/pdf")
    (bhash, err, kind), = rows(archive, "SELECT body_hash, error, page_kind FROM fetches")
    assert archive.body(bhash) == pdf and err == res.error and kind is None
    assert archive.counts()["articles"] == 0


# --- pre-extracted pages ----------------------------------------------------------------------


def test_a_page_extracted_by_the_spider_is_used_and_never_stored(archive):
    pg = page(URL, views=7)
    r = rec(URL, pg=pg)
    assert r == rec(URL) and "page" not in repr(r)  # not compared, not shown
    res = ingest_batch(archive, [r], never_called)[0]
    assert res.outcome == "new"
    assert rows(archive, "SELECT views FROM articles") == [(7,)]
    assert archive.fetch_record(res.fetch_id).page is None


def test_without_a_page_the_pipeline_extracts_and_records_the_error(archive):
    res = ingest_batch(archive, [rec(URL, pg=None)], lambda _r: 1 / 0)[0]
    assert res.outcome == "error" and "ZeroDivisionError" in (res.error or "")


def test_a_spider_page_does_not_override_status_or_content_type(archive):
    pg = page(URL)
    assert ingest_batch(archive, [rec(URL, status=500, pg=pg)], never_called)[0].outcome == "error"
    res = ingest_batch(archive, [rec(URL, ctype="application/pdf", pg=pg)], never_called)[0]
    assert res.outcome == "not-article"


# --- page_kind and attachments ----------------------------------------------------------------


def test_page_kind_is_recorded_per_fetch(archive):
    file(archive, rec(URL), page(URL))
    file(archive, rec(URL + "/list"), page(URL + "/list", kind="listing"))
    file(archive, rec(URL + "/other"), page(URL + "/other", kind="other"))
    file(archive, rec(URL + "/empty"), page(URL + "/empty", title="", text=None))
    file(archive, rec(URL + "/bug"), None)
    assert rows(archive, "SELECT url, outcome, page_kind FROM fetches ORDER BY id") == [
        (URL, "new", "article"), (URL + "/list", "not-article", "listing"),
        (URL + "/other", "not-article", "other"), (URL + "/empty", "invalid", "article"),
        (URL + "/bug", "error", None)]


def test_attachments_are_kept_per_article_as_first_seen(archive):
    pdf, xls = "https://www.example.gov/f/plan.pdf", "https://www.example.gov/f/data.xlsx"
    base = page(URL)
    first = file(archive, rec(URL), Page(**{**_fields(base), "attachments": (
        Link(pdf, "Plan (PDF)"), Link(xls, ""))}))
    second = file(archive, rec(URL, when=T2), Page(**{**_fields(base), "attachments": (
        Link(pdf, "Renamed"),)}))
    assert second.outcome == "unchanged"
    assert rows(archive, "SELECT article_id, url, title, first_seen, fetch_id FROM attachments "
                         "ORDER BY url") == [
        (first.article_id, xls, None, T1, first.fetch_id),
        (first.article_id, pdf, "Plan (PDF)", T1, first.fetch_id)]


def _fields(pg: Page) -> dict:
    return {name: getattr(pg, name) for name in Page.__dataclass_fields__}


# --- migration 4 on an existing archive -------------------------------------------------------


def test_migration_4_backfills_page_kind_of_archived_articles(tmp_path, monkeypatch):
    from egovcrawl.storage import schema

    path = tmp_path / "old.db"
    monkeypatch.setattr(schema, "MIGRATIONS", MIGRATIONS[:3])
    monkeypatch.setattr(schema, "LATEST", 3)
    old = Archive.open(path)
    con = old.conn
    con.execute("INSERT INTO fetches(id, url, fetched_at, status, outcome, article_id, site) "
                "VALUES (1, 'a', 't', 200, 'new', 1, 's'), (2, 'b', 't', 200, 'not-article', "
                "NULL, 's'), (3, 'c', 't', 404, 'removed', 1, 's')")
    old.close()
    monkeypatch.undo()
    new = Archive.open(path)
    assert new.migrate() == []
    assert rows(new, "SELECT id, page_kind FROM fetches ORDER BY id") == [
        (1, "article"), (2, None), (3, None)]
    pk = [r[1] for r in sorted(rows(new, "PRAGMA table_info(attachments)"), key=lambda r: r[5])
          if r[5]]
    assert pk == ["article_id", "url"]
    assert "idx_fetches_site" in {r[1] for r in rows(new, "PRAGMA index_list(fetches)")}
    new.close()

