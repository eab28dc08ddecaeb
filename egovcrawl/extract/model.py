"""Typed records returned by extraction.

These names are a contract: pipelines, storage, the docs and outside evaluation read them. Records
are frozen so that a `Page` can be shared between threads/processes and cached without copies.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Literal

PageKind = Literal["article", "listing", "other"]
# "htmldate": the library's answer, used only on pages our own cascade leaves empty (see dates.py)
DateSource = Literal[
    "jsonld", "meta", "time-element", "visible-text", "url", "selector", "htmldate"
]


@dataclass(frozen=True, slots=True)
class DateInfo:
    """A date with its provenance, so a researcher can tell *why* the archive believes it."""

    value: dt.date | dt.datetime
    source: DateSource
    raw: str

    def iso(self) -> str:
        return self.value.isoformat()

    @property
    def day(self) -> dt.date:
        return self.value.date() if isinstance(self.value, dt.datetime) else self.value


@dataclass(frozen=True, slots=True)
class SiteCounter:
    """Site-wide visitor counter (`Today 284 / Yesterday 662 / All 39463192`): never views."""

    today: int | None = None
    yesterday: int | None = None
    total: int | None = None
    raw: str = ""


@dataclass(frozen=True, slots=True)
class Copyright:
    """The site's copyright footer: who holds it, which years, and the theme credit kept apart."""

    holder: str | None = None
    years: tuple[int, int] | None = None  # (first, last); a single year is (y, y)
    year: int | None = None  # the latest year
    text: str = ""  # the raw footer line(s) it came from
    credit: str | None = None  # "Theme By Ameli", "Powered by WordPress": never the holder
    icp: str | None = None  # Chinese ICP licence number, e.g. "鄂ICP备12345678号-1"


@dataclass(frozen=True, slots=True)
class Source:
    """The original publisher of a re-published article (`来源：新华网`, `Source: Reuters`)."""

    name: str | None = None
    url: str | None = None  # a link to the original, when the page gives one
    raw: str = ""


@dataclass(frozen=True, slots=True)
class Link:
    """A link with its text: an article teaser on a listing page, or an article's attachment."""

    url: str
    title: str = ""


@dataclass(frozen=True, slots=True)
class Page:
    """Everything extraction learned from one fetched page. Fields are None when not found."""

    url: str
    encoding: str
    page_kind: PageKind = "other"
    title: str | None = None
    country: str | None = None  # from country-prefixed titles: "CN: Shanghai: ..." -> "CN"
    text: str | None = None
    published: DateInfo | None = None
    updated: DateInfo | None = None
    views: int | None = None
    site_counter: SiteCounter | None = None
    copyright: Copyright | None = None
    source: Source | None = None
    canonical_url: str | None = None
    language: str | None = None
    links: tuple[Link, ...] = field(default=())
    next: str | None = None  # pagination: the next listing page
    # document links (PDF, DOC, XLS, archives...) in an article's content; () on other pages
    attachments: tuple[Link, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (dates as ISO strings, tuples as lists), used by goldens and exports."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, DateInfo):
                value = {"value": value.iso(), "source": value.source, "raw": value.raw}
            elif isinstance(value, tuple) and f.name in ("links", "attachments"):
                value = [asdict(link) for link in value]
            elif value is not None and hasattr(value, "__dataclass_fields__"):
                value = {k: (list(v) if isinstance(v, tuple) else v)
                         for k, v in asdict(value).items()}
            out[f.name] = value
        return out


class ExtractionError(ValueError):
    """The one error `extract_page` raises: the input cannot be treated as a web page at all.

    Raised for input that is not bytes/str, or bytes that are recognisably binary (images,
    archives, PDF). Broken markup, wrong charsets and empty bodies do not raise: they give a Page.
    """
