"""Where a crawl learns which URLs exist: robots.txt `Sitemap:` lines, XML sitemaps (indexes,
gzip), RSS/Atom feeds, and the anchors of a page. Pure functions, bytes in, URLs out, no Scrapy,
so each can be tested on a saved file and reused by other front ends.

Sitemaps and feeds are parsed defensively: government sitemaps are often gzip-compressed, served
with the wrong type, truncated or huge; a broken one yields what it can and never raises.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import lxml.etree
import lxml.html

from egovcrawl.extract.attachments import attachment_extension
from egovcrawl.extract.urls import join_url

#: Never inflate a compressed sitemap beyond this (a gzip bomb stops here, with what it gave).
MAX_SITEMAP_BYTES = 50 * 1024 * 1024
#: Sitemap protocol limit is 50,000 URLs per file; more is a broken or hostile file.
MAX_SITEMAP_ENTRIES = 50_000
#: Common sitemap locations tried when robots.txt declares none.
COMMON_SITEMAP_PATHS = ("/sitemap.xml",)
#: Media and other binary files no crawl of news should download.
BINARY_EXTENSIONS = frozenset({
    "jpg", "jpeg", "png", "gif", "bmp", "webp", "svg", "ico", "tif", "tiff", "mp3", "mp4", "avi",
    "mov", "wmv", "flv", "wav", "ogg", "webm", "exe", "msi", "dmg", "apk", "iso", "css", "js",
    "woff", "woff2", "ttf", "eot", "swf",
})
_EXT_RE = re.compile(r"\.([A-Za-z0-9]{1,5})$")
_SKIP_SCHEMES = ("mailto:", "javascript:", "tel:", "data:", "ftp:", "#")


@dataclass(frozen=True, slots=True)
class SitemapEntry:
    loc: str
    lastmod: dt.datetime | None = None  # timezone-aware (UTC when the file gave no zone)


@dataclass(frozen=True, slots=True)
class Sitemap:
    kind: str  # "urlset" or "sitemapindex" ("" when the file is not a sitemap)
    entries: tuple[SitemapEntry, ...]


def extension(url: str) -> str | None:
    """The lower-cased file extension of the URL's path, if it has one."""
    m = _EXT_RE.search(urlsplit(url).path)
    return m.group(1).lower() if m else None


def is_attachment_url(url: str) -> bool:
    """A document to record as an article's attachment (the extractor's rule), never a page."""
    return attachment_extension(url) is not None


def is_binary_url(url: str) -> bool:
    return extension(url) in BINARY_EXTENSIONS


def robots_sitemaps(robots_txt: bytes | str, base_url: str) -> list[str]:
    """`Sitemap:` URLs declared in a robots.txt (absolute; relative ones resolved)."""
    if isinstance(robots_txt, bytes):
        robots_txt = robots_txt.decode("utf-8", "replace")
    out: list[str] = []
    for line in robots_txt.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip().lower() == "sitemap" and value.strip():
            url = join_url(base_url, value.strip())
            if url and url.startswith(("http://", "https://")) and url not in out:
                out.append(url)
    return out


def maybe_gunzip(body: bytes, *, max_size: int = MAX_SITEMAP_BYTES) -> bytes:
    """Inflate gzip bytes (by magic number, whatever the headers said), at most `max_size`."""
    if body[:2] != b"\x1f\x8b":
        return body
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
    out = bytearray()
    pending = body
    try:
        while pending and len(out) < max_size:
            chunk = inflater.decompress(pending, min(1 << 20, max_size - len(out)))
            out += chunk
            pending = inflater.unconsumed_tail
            if inflater.eof or not chunk:
                break
    except zlib.error:
        pass  # truncated or corrupt: keep what was inflated
    return bytes(out[:max_size])


def parse_sitemap(body: bytes) -> Sitemap:
    """Entries of a sitemap or sitemap index. Not a sitemap (an HTML error page): kind ""."""
    data = maybe_gunzip(body)
    entries: list[SitemapEntry] = []
    kind = ""
    try:
        events = lxml.etree.iterparse(
            io.BytesIO(data), events=("start", "end"), recover=True, resolve_entities=False,
            no_network=True, huge_tree=False, remove_comments=True, remove_pis=True)
        for event, el in events:
            tag = _local(el.tag)
            if event == "start":
                if not kind:
                    kind = tag if tag in ("urlset", "sitemapindex") else "?"
                continue
            if tag not in ("url", "sitemap"):
                continue
            loc = lastmod = None
            for child in el:
                name = _local(child.tag)
                if name == "loc" and child.text:
                    loc = child.text.strip()
                elif name == "lastmod" and child.text:
                    lastmod = parse_w3c_datetime(child.text.strip())
            el.clear()
            if loc and loc.startswith(("http://", "https://")):
                entries.append(SitemapEntry(loc, lastmod))
                if len(entries) >= MAX_SITEMAP_ENTRIES:
                    break
    except (lxml.etree.XMLSyntaxError, ValueError):
        pass  # truncated or empty: keep the entries read so far
    if kind not in ("urlset", "sitemapindex"):
        return Sitemap("", ())
    return Sitemap(kind, tuple(entries))


def parse_w3c_datetime(value: str) -> dt.datetime | None:
    """A sitemap/feed `lastmod` (W3C datetime: date, or date-time with zone) as aware UTC."""
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed.astimezone(dt.UTC)


@dataclass(frozen=True, slots=True)
class FeedEntry:
    link: str
    title: str = ""
    updated: dt.datetime | None = None


def parse_feed(body: bytes, url: str) -> list[FeedEntry]:
    """Entry links of an RSS or Atom feed, via feedparser (it copes with the broken feeds CMSs
    emit: wrong encodings, undeclared entities, RSS 0.9x to Atom 1.0)."""
    import feedparser

    parsed = feedparser.parse(body, response_headers={"content-location": url})
    out: list[FeedEntry] = []
    for entry in parsed.entries[:MAX_SITEMAP_ENTRIES]:
        link = entry.get("link")
        if not link:
            continue
        link = join_url(url, link)
        if not link or not link.startswith(("http://", "https://")):
            continue
        # dict.get, not entry.get: feedparser maps a missing "updated" to "published" with a
        # DeprecationWarning on its own lookup
        stamp = dict.get(entry, "updated_parsed") or dict.get(entry, "published_parsed")
        updated = dt.datetime(*stamp[:6], tzinfo=dt.UTC) if stamp else None
        out.append(FeedEntry(link, entry.get("title", "") or "", updated))
    return out


def page_anchors(html: str, url: str) -> Iterator[str]:
    """Absolute, fragment-free http(s) link targets of a decoded page, in document order,
    honouring `<base href>`."""
    try:
        tree = lxml.html.fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return
    base = url
    for el in tree.iter("base"):
        if el.get("href"):
            base = join_url(url, el.get("href").strip()) or url
            break
    yield from tree_anchors(tree, base)


def tree_anchors(tree: lxml.html.HtmlElement, base: str) -> Iterator[str]:
    """The link targets of an already parsed page, made absolute against `base`, each once;
    hrefs that cannot be parsed (`//[`) are skipped."""
    seen: set[str] = set()
    for el in tree.iter("a", "area"):
        href = (el.get("href") or "").strip()
        if not href or href.lower().startswith(_SKIP_SCHEMES):
            continue
        joined = join_url(base, href)
        if joined is None:
            continue
        target = joined.split("#", 1)[0]
        if target.startswith(("http://", "https://")) and target not in seen:
            seen.add(target)
            yield target


def _local(tag: object) -> str:
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].lower()
