"""Shared helpers: an archive in a temp dir and Pages built directly (no extractor needed)."""

from __future__ import annotations

import datetime as dt

from egovcrawl.extract.model import Copyright, DateInfo, Page, SiteCounter, Source
from egovcrawl.storage import Archive, FetchRecord
from egovcrawl.storage.ingest import ingest_batch
from egovcrawl.storage.records import StoreResult

EN_TEXT = (
    "The city government launched a one-stop online service portal on Monday. "
    "Residents can now apply for more than 300 administrative services without visiting an "
    "office. Officials said the reform cuts average processing time by half. "
    "The portal also publishes the status of every application in real time. "
    "A hotline answers questions in three languages during office hours."
)
ZH_TEXT = (
    "武汉市政务服务和大数据管理局近日发布通知，全面推进一网通办改革。"
    "市政府要求各部门优化办事流程，提升政务服务效能，让企业和群众少跑腿。"
    "截至目前，全市已有三百多项政务服务事项实现网上办理。"
)


def page(url: str, *, title: str = "One-stop portal launched", text: str | None = EN_TEXT,
         views: int | None = 43, kind: str = "article", canonical: str | None = None,
         published: dt.date | None = dt.date(2020, 8, 20), counter: SiteCounter | None = None,
         holder: str | None = "City of Example", source: str | None = None,
         language: str = "en") -> Page:
    return Page(
        url=url, encoding="utf-8", page_kind=kind, title=title, text=text,  # type: ignore[arg-type]
        published=DateInfo(published, "meta", str(published)) if published else None,
        views=views, site_counter=counter,
        copyright=Copyright(holder=holder, year=2020, text=f"© 2020 {holder}") if holder else None,
        source=Source(name=source) if source else None, canonical_url=canonical,
        language=language,
    )


def fetch(url: str, *, site: str = "example", crawl_id: int | None = None,
          body: bytes | None = None, status: int | None = 200,
          when: str = "2024-07-03T10:00:00+00:00", error: str | None = None) -> FetchRecord:
    return FetchRecord(url=url, body=body if body is not None else f"<html>{url}</html>".encode(),
                       status=status, site=site, crawl_id=crawl_id, fetched_at=when,
                       headers={"Content-Type": "text/html; charset=utf-8", "ETag": '"abc"'},
                       error=error)


def file(archive: Archive, rec: FetchRecord, pg: Page | None) -> StoreResult:
    """Archive one fetch through the real ingest path with a stand-in extractor."""

    def extractor(_rec: FetchRecord) -> Page:
        if pg is None:
            raise RuntimeError("extractor bug")
        return pg

    return ingest_batch(archive, [rec], extractor)[0]


def snapshot(archive: Archive, *, skip: tuple[str, ...] = ()) -> dict[str, int]:
    return {k: v for k, v in archive.counts().items() if k not in skip}
