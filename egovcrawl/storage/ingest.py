"""From fetched pages to archived articles: store the raw fetch first, then extract, validate,
dedup and store. Used by the Scrapy pipelines, by crash recovery and by re-extraction.

Two phases per batch, each one transaction: (1) every fetch and its body are committed, outcome
NULL; (2) extraction runs outside any transaction and the results are filed, with each fetch's
outcome. A crash in between leaves committed fetches with no outcome: `process_pending` finishes
them later from the stored bodies, without network. An extractor exception is recorded on the
fetch (`outcome='error'`, `error`) and the body stays for `reextract`. `Ingestor` runs the same
two phases over a stream of batches with batch k's filing commit (in the background) overlapping
batch k+1's extraction.
"""

from __future__ import annotations

import traceback
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence

from egovcrawl.extract.model import ExtractionError, Page
from egovcrawl.storage.archive import (
    Archive,
    Cause,
    PreparedText,
    prepare_text,
)
from egovcrawl.storage.records import FetchRecord, StoreResult

Extractor = Callable[[FetchRecord], Page]
REMOVED_STATUSES = frozenset({404, 410})


def default_extractor(hints_for: Callable[[str | None], object] | None = None) -> Extractor:
    """`extract_page` over a FetchRecord (final URL, declared charset, the site's hints)."""
    from egovcrawl.extract import extract_page

    def run(rec: FetchRecord) -> Page:
        hints = hints_for(rec.site) if hints_for else None
        return extract_page(rec.body, rec.effective_url, encoding=rec.declared_encoding,
                            hints=hints)  # type: ignore[arg-type]

    return run


def validate(page: Page) -> str | None:
    """Why an article page cannot be archived as an article, or None when it can."""
    if not (page.title and page.title.strip()) and not (page.text and page.text.strip()):
        return "article without title and text"
    return None


#: Media types read as web pages; so is a response without a Content-Type.
PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain"})
#: XML media types: pages only when the document is (X)HTML.
XML_TYPES = frozenset({"text/xml", "application/xml"})
#: Types servers send when they do not know (or force a download): the bytes decide.
GENERIC_TYPES = frozenset({"application/octet-stream", "binary/octet-stream",
                           "application/unknown", "application/x-unknown",
                           "application/force-download", "application/x-download",
                           "application/download"})
_HTML_START = (b"<!doctype", b"<html", b"<head", b"<body", b"<?xml", b"<!--", b"<meta",
               b"<title", b"<div", b"<p", b"<table")


def non_html_reason(rec: FetchRecord) -> str | None:
    """Why a response is clearly not a web page (PDF, image, archive...), or None.

    HTML, XHTML, plain text and a missing Content-Type are pages; XML is a page only when it is
    XHTML (sitemaps and feeds are not); a generic type (`application/octet-stream`) is a page
    when the body starts like markup.
    """
    ctype = rec.content_type
    if ctype in XML_TYPES or (ctype and ctype.endswith("+xml") and "html" not in ctype):
        # XHTML served as XML is a page; a sitemap, RSS or Atom feed is discovery, not content
        if b"<html" in rec.body[:2048].lower():
            return None
        return f"non-HTML content: {ctype}"
    if not ctype or ctype in PAGE_TYPES or "html" in ctype:
        return None
    if ctype in GENERIC_TYPES:
        head = rec.body[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
        if head.startswith(_HTML_START):
            return None
    return f"non-HTML content: {ctype}"


def extract_one(rec: FetchRecord, extractor: Extractor) -> tuple[Page | None, str, str | None]:
    """(page, provisional outcome, error). Never raises for what a page contains.

    Provisional outcomes besides the final ones: `article` (file the page) and `not-modified`
    (a 304: `file_page` finds the article it confirms). A `Page` the spider already extracted
    (`rec.page`) is used as it is.
    """
    if rec.error or rec.status is None:
        return None, "error", rec.error or "no response"
    if rec.status == 304:
        return None, "not-modified", None
    if rec.status in REMOVED_STATUSES:
        return None, "removed", None
    if not 200 <= rec.status < 300:
        return None, "error", f"HTTP {rec.status}"
    reason = non_html_reason(rec)
    if reason:
        return None, "not-article", reason
    if not rec.body:
        return None, "invalid", "empty body"
    if isinstance(rec.page, Page):
        return rec.page, "article", None
    try:
        page = extractor(rec)
    except ExtractionError as exc:
        return None, "not-article", str(exc)
    except Exception as exc:  # an extractor bug must not lose the fetch: record it, go on
        tb = traceback.format_exception_only(exc)[-1].strip()
        return None, "error", f"extractor: {tb}"
    return page, "article", None


def file_page(archive: Archive, rec: FetchRecord, fetch_id: int, page: Page | None,
              outcome: str, error: str | None, *, cause: Cause = "crawl",
              reextract_id: int | None = None,
              prepared: PreparedText | None = None) -> StoreResult:
    """Phase 2 for one fetch: record what the extraction result means in the archive."""
    if outcome == "removed":
        return archive.mark_removed(rec, fetch_id)
    if outcome == "not-modified":
        return archive.mark_not_modified(rec, fetch_id, cause=cause)
    if page is None:
        return archive.mark_fetch(fetch_id, outcome, error=error, cause=cause)
    if cause == "crawl":
        archive.observe_site(rec.site, page, crawl_id=rec.crawl_id, fetch_id=fetch_id,
                             observed_at=rec.fetched_at)
    if page.page_kind != "article":
        return archive.mark_fetch(fetch_id, "not-article", cause=cause, page_kind=page.page_kind)
    problem = validate(page)
    if problem:
        return archive.mark_fetch(fetch_id, "invalid", error=problem, cause=cause,
                                  page_kind=page.page_kind)
    return archive.store_article(page, rec, fetch_id, cause=cause, reextract_id=reextract_id,
                                 prepared=prepared)


Extracted = tuple[Page | None, str, str | None]


def _extract_prepared(records: Sequence[FetchRecord], extractor: Extractor
                      ) -> list[tuple[Extracted, PreparedText | None]]:
    out = []
    for rec in records:
        res = extract_one(rec, extractor)
        out.append((res, prepare_text(res[0]) if res[0] is not None else None))
    return out


def _file(archive: Archive, records: Sequence[FetchRecord], ids: Sequence[int],
          extracted: list[tuple[Extracted, PreparedText | None]], *,
          background: bool = False) -> list[StoreResult]:
    with archive.transaction(background=background):
        out = []
        for rec, fid, (res, prep) in zip(records, ids, extracted, strict=True):
            out.append(file_page(archive, rec, fid, *res, prepared=prep))
        return out


def ingest_batch(archive: Archive, records: Sequence[FetchRecord], extractor: Extractor,
                 *, on_fetched: Callable[[list[int]], None] | None = None) -> list[StoreResult]:
    """Archive a batch of fetches: commit the raw fetches, then extract and file them."""
    with archive.transaction():
        ids = archive.record_fetches(records)
    if on_fetched:
        on_fetched(ids)
    return _file(archive, records, ids, _extract_prepared(records, extractor))


class Ingestor:
    """Files a stream of batches with the archive's two CPUs kept busy (what `ingest` and the
    Scrapy pipeline use; `ingest_batch` is the one-batch form).

    `feed(batch)` commits the batch's raw fetches, files the batch fed before it, and extracts
    this one while that filing commits in the background (its full-text indexing and COMMIT
    run in SQLite without the GIL). So the guarantees stay those of `ingest_batch`: a fetch is
    committed before it is extracted, and what a crash leaves (at most two batches' fetches
    without an outcome) `process_pending` finishes. `feed` returns the outcomes of the batch it
    filed (the previous one); `finish()` files the last and waits for every commit.
    """

    def __init__(self, archive: Archive, extractor: Extractor, *,
                 on_fetched: Callable[[list[int]], None] | None = None) -> None:
        self.archive = archive
        self.extractor = extractor
        self.on_fetched = on_fetched
        self._held: tuple[Sequence[FetchRecord], list[int],
                          list[tuple[Extracted, PreparedText | None]]] | None = None

    def feed(self, records: Sequence[FetchRecord]) -> list[StoreResult]:
        if not records:
            return []
        # hashing, compression and the known-bodies lookup overlap the background commit
        prepared = self.archive.prepare_fetches(records)
        ids = self.archive.record_fetches(records, prepared)  # waits for that commit
        if self.on_fetched:
            self.on_fetched(ids)
        out: list[StoreResult] = []
        if self._held is not None:
            held, self._held = self._held, None
            out = _file(self.archive, *held, background=True)
        # extraction and fingerprints of this batch overlap the previous batch's commit
        self._held = (records, ids, _extract_prepared(records, self.extractor))
        return out

    def finish(self) -> list[StoreResult]:
        out: list[StoreResult] = []
        if self._held is not None:
            held, self._held = self._held, None
            out = _file(self.archive, *held)
        self.archive.sync()
        return out


def stored_batches(archive: Archive, fetch_ids: Sequence[int], extractor: Extractor,
                   batch_size: int) -> Iterator[list[tuple[FetchRecord, int, Extracted]]]:
    """Already stored fetches, read back and extracted a batch at a time (no network): the
    shared loop of crash recovery and re-extraction. The caller files each batch in one
    transaction."""
    for start in range(0, len(fetch_ids), batch_size):
        chunk = fetch_ids[start : start + batch_size]
        recs = [archive.fetch_record(fid) for fid in chunk]
        yield [(rec, fid, extract_one(rec, extractor))
               for rec, fid in zip(recs, chunk, strict=True)]


def process_pending(archive: Archive, extractor: Extractor, *, site: str | None = None,
                    batch_size: int = 200) -> Counter[str]:
    """Finish fetches a crashed run stored but never filed. Returns outcome counts."""
    counts: Counter[str] = Counter()
    for batch in stored_batches(archive, archive.pending_fetch_ids(site), extractor, batch_size):
        with archive.transaction():
            for rec, fid, res in batch:
                counts[file_page(archive, rec, fid, *res).outcome] += 1
    return counts


def ingest(archive: Archive, records: Iterable[FetchRecord], extractor: Extractor, *,
           batch_size: int = 200) -> Counter[str]:
    """Archive fetches in batches (after finishing any pending ones). Returns outcome counts."""
    counts = process_pending(archive, extractor)
    ingestor = Ingestor(archive, extractor)
    batch: list[FetchRecord] = []
    for rec in records:
        batch.append(rec)
        if len(batch) >= batch_size:
            counts.update(r.outcome for r in ingestor.feed(batch))
            batch = []
    if batch:
        counts.update(r.outcome for r in ingestor.feed(batch))
    counts.update(r.outcome for r in ingestor.finish())
    return counts
