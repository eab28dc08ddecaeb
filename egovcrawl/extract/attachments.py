"""Attachment links of an article: the documents and archives it links to (PDF, Word, Excel...).

Government notices publish the document itself as an attachment (`附件：xxx.pdf`, `Download
(DOCX)`); the crawl records those links with the article instead of parsing them as pages. A
link is an attachment when its URL path ends in a document or archive extension (query and
fragment ignored: `file.pdf?v=2` is a PDF, `download.jsp?f=a.pdf` cannot be told), and it is
not in the site's furniture (navigation, header, footer, sidebar), where the same privacy
policy PDF hangs on every page. Pure: no network.
"""

from __future__ import annotations

from urllib.parse import unquote

from lxml.html import HtmlElement

from egovcrawl.extract.dom import Document, is_furniture, normalize_space
from egovcrawl.extract.model import Link
from egovcrawl.extract.urls import base_url, join_url

#: Document and archive formats, by file extension (lower case, no dot). Includes the Chinese
#: government formats: WPS Office (wps/et/dps), OFD (the national fixed-layout format), CEB
#: (Apabi e-books) and CAJ. Plain text, images and media are not attachments.
ATTACHMENT_EXTENSIONS = frozenset({
    "pdf", "doc", "docx", "docm", "dot", "dotx", "rtf", "odt", "ott",
    "xls", "xlsx", "xlsm", "xlsb", "xlt", "xltx", "ods",
    "ppt", "pptx", "pptm", "pps", "ppsx", "odp",
    "wps", "wpt", "et", "ett", "dps", "ofd", "ceb", "caj",
    "zip", "rar", "7z", "tar", "gz", "tgz", "bz2", "xz",
})
#: Beyond this many attachments a page is a file index, not an article: keep the first ones.
MAX_ATTACHMENTS = 200
_MAX_TITLE = 300


def attachment_extension(url: str) -> str | None:
    """The document extension of the URL's path (lower case), or None if it is not one."""
    # plain string cuts, not urlsplit: this runs on every link of every page
    name = url.split("#", 1)[0].split("?", 1)[0].rsplit("/", 1)[-1]
    if "." not in name or name.endswith("."):
        return None
    ext = unquote(name).rsplit(".", 1)[-1].strip().lower()
    return ext if ext in ATTACHMENT_EXTENSIONS else None


def extract_attachments(doc: Document, root: HtmlElement | None = None, *,
                        limit: int = MAX_ATTACHMENTS) -> tuple[Link, ...]:
    """Document links under `root` (default: the page body) outside furniture, in page order.

    URLs are made absolute against the page's `<base href>` or URL, fragments dropped; each URL
    once, titled by the first non-empty link text (else its `title` attribute).
    """
    root = doc.body if root is None else root
    base = base_url(doc)
    found: dict[str, str] = {}
    for a in root.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or attachment_extension(href) is None:
            continue  # most links: one string split, no URL join, no ancestor walk
        url = join_url(base, href)
        if url is None:
            continue
        url = url.split("#", 1)[0]
        if not url.lower().startswith(("http://", "https://")):
            continue
        if found.get(url):
            continue
        if is_furniture(a):
            continue
        title = normalize_space(a.text_content()) or normalize_space(a.get("title") or "")
        if url not in found and len(found) >= limit:
            break
        found[url] = title[:_MAX_TITLE]
    return tuple(Link(url, title) for url, title in found.items())

