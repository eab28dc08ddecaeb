"""URL joining and splitting that cannot raise, shared by every field that reads links.

`urllib.parse` raises ValueError on some malformed URLs (an unclosed IPv6 bracket such as
`//[`, `http://[b/`). Pages carry such hrefs (typos, hostile or fuzzed markup); one of them must
cost that one link, not the page. Each helper returns None for a URL it cannot parse, so the
callers' usual "no URL here" path handles it, and no field needs its own try/except.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import SplitResult, urljoin, urlsplit

if TYPE_CHECKING:
    from egovcrawl.extract.dom import Document


def join_url(base: str, href: str) -> str | None:
    """`href` made absolute against `base`, or None if either cannot be parsed."""
    try:
        return urljoin(base, href)
    except ValueError:
        return None


def split_url(url: str) -> SplitResult | None:
    """The parts of `url`, or None if it cannot be parsed."""
    try:
        return urlsplit(url)
    except ValueError:
        return None


def url_host(url: str | None) -> str:
    """The lower-case host name of `url`; "" when it has none or cannot be parsed."""
    parts = split_url(url) if url else None
    return (parts.hostname or "") if parts is not None else ""


def comparable_url(url: str | None) -> str | None:
    """`url` as compared with the page's own URLs: host without `www.`, path without its
    trailing slash, query; no scheme, no fragment. None when there is no parseable URL, which
    then matches no page's own URL."""
    parts = split_url(url.strip()) if url else None
    if parts is None:
        return None
    return f"{parts.netloc.lower().removeprefix('www.')}{parts.path.rstrip('/')}?{parts.query}"


def base_url(doc: Document) -> str:
    """The URL relative links resolve against: the page's `<base href>` made absolute, else the
    page URL (also when the `<base href>` cannot be parsed)."""
    head = doc.head
    if head is not None:
        base = head.find("base")
        href = (base.get("href") or "").strip() if base is not None else ""
        if href:
            return join_url(doc.url, href) or doc.url
    return doc.url
