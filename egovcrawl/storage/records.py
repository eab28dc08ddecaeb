"""Records that cross the boundary between the spider, the pipelines and the archive.

`FetchRecord` is the item shape the spider yields for every HTTP fetch, article or not, success or
error: the pipelines store it first (the provenance log and the raw body), then extract from it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Outcome = Literal[
    "new",  # a new article row
    "duplicate",  # a new article row linked by duplicate_of to an earlier copy on another site
    "alias",  # an article already archived, found at another URL of the same site
    "updated",  # the text changed: the old text went to article_versions
    "unchanged",  # same text (or a 304 at an article's URL): an observation, last_seen only
    "not-article",  # listings, other pages, non-HTML bodies: kept as fetch + body only
    "invalid",  # an article page without title and text
    "removed",  # 404/410 at the URL of an archived article: the article is marked removed
    "error",  # network error, HTTP error, or the extractor raised (see fetches.error)
]


def utcnow() -> str:
    """ISO 8601 UTC timestamp with seconds: the one time format in the archive."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()


@dataclass(frozen=True, slots=True)
class FetchRecord:
    """One HTTP fetch as the spider saw it (the Scrapy item the pipelines receive).

    * `url`: the URL requested; `final_url`: after redirects (None = same as url).
    * `status`: HTTP status, or None when no response came (DNS, timeout: see `error`).
    * `headers`: response headers, names lower-cased, repeated headers joined with ", ".
    * `body`: the raw response bytes, undecoded (b"" when none).
    * `fetched_at`: ISO 8601 UTC; `crawl_id`: from `Archive.start_crawl`; `site`: profile name.
    * `error`: why the fetch failed, or None.
    * `page`: the `Page` the spider already extracted (in a worker process), used instead of
      extracting again; never stored (read-backs have None), not compared, not in repr. An
      extraction error in the spider leaves it None, so the pipeline extracts and records it.
    * status 304 (a conditional GET answered "not modified", no body) is a normal observation.
    """

    url: str
    body: bytes = b""
    status: int | None = 200
    headers: Mapping[str, str] = field(default_factory=dict)
    final_url: str | None = None
    fetched_at: str = field(default_factory=utcnow)
    crawl_id: int | None = None
    site: str | None = None
    error: str | None = None
    page: Any = field(default=None, compare=False, repr=False)

    @property
    def effective_url(self) -> str:
        return self.final_url or self.url

    def header(self, name: str) -> str | None:
        name = name.lower()
        for key, value in self.headers.items():
            if key.lower() == name:
                return value
        return None

    @property
    def content_type(self) -> str | None:
        value = self.header("content-type")
        return value.split(";", 1)[0].strip().lower() if value else None

    @property
    def declared_encoding(self) -> str | None:
        """The charset the Content-Type header declared (it may lie; extraction checks)."""
        value = self.header("content-type") or ""
        for part in value.split(";")[1:]:
            key, _, val = part.partition("=")
            if key.strip().lower() == "charset" and val.strip():
                return val.strip().strip("'\"")
        return None


@dataclass(frozen=True, slots=True)
class StoreResult:
    """What storing one fetch did: its fetch row, the article it touched, and how."""

    fetch_id: int
    outcome: Outcome
    article_id: int | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class KnownUrl:
    """What the archive knows about a URL of a site, for incremental crawling.

    * `url`: the canonical form (`dedup.canonical_url`), the key of `Archive.known_urls`.
    * `article_id`: the article archived at this URL (any of its aliases), or None.
    * `last_fetched`: ISO UTC of the latest 2xx/304 fetch of the URL; for an article's URL, of
      the latest fetch of the article at any of its URLs (the refresh clock).
    * `etag`, `last_modified`: the raw validators of the URL's latest 2xx fetch (conditional
      GET), None when it sent none or the URL was never fetched itself (a rel=canonical alias).
    * `page_kind`: `article`, `listing` or `other` as extracted from that fetch; None when
      unknown (a non-HTML body, an extractor error, a fetch older than migration 4).
    """

    url: str
    article_id: int | None
    last_fetched: str
    etag: str | None = None
    last_modified: str | None = None
    page_kind: str | None = None
