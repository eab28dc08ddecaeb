"""`extract_page`: bytes in, a typed `Page` out. Pure: no Scrapy, no network, no global state.

The HTML is decoded and parsed once; every field module reads the same read-only `Document`.
A site profile's selector for a field replaces that field's generic search but not its parser, so
`03.07.2024` picked by a selector is still read with the site's date order.
"""

from __future__ import annotations

from egovcrawl.extract import (
    attachments,
    classify,
    copyright,
    dates,
    encoding,
    language,
    site_counter,
    source,
    text,
    title,
    views,
)
from egovcrawl.extract.dom import Document, element_text, parse_html
from egovcrawl.extract.hints import DEFAULT_HINTS, SiteHints
from egovcrawl.extract.model import DateInfo, ExtractionError, Page, PageKind

#: Bytes beyond this are not parsed: no real article page is this large, and parsing a hostile
#: 100 MB body would stall a crawl. The cut keeps the head of the page, where articles live.
MAX_BODY_BYTES = 8 * 1024 * 1024
#: What may date a page that is not an article. On a listing, printed dates and <time> elements
#: are its teasers'; only the JSON-LD it declares about itself counts. An "other" page (error,
#: search, an article whose text could not be read) keeps what it prints, but not its URL's date,
#: which on an error page names the article that is not there.
PAGE_DATE_SOURCES = {
    "listing": frozenset({"jsonld", "selector"}),
    "other": frozenset({"jsonld", "meta", "time-element", "visible-text", "selector", "htmldate"}),
}


def extract_page(
    body: bytes | str,
    url: str,
    *,
    encoding: str | None = None,
    hints: SiteHints | None = None,
    page_kind: PageKind | None = None,
) -> Page:
    """Extract every article field from one page.

    `encoding` is the charset the HTTP header declared, if any (it may lie; the bytes decide).
    `page_kind` overrides the classifier when the caller already knows (a site profile's
    `article_allow`/`listing_allow` patterns); the fields are then read as for that kind.
    Raises `ExtractionError` only for input that is not a web page at all (binary formats).
    """
    return extract_page_and_document(body, url, encoding=encoding, hints=hints,
                                     page_kind=page_kind)[0]


def extract_page_and_document(
    body: bytes | str,
    url: str,
    *,
    encoding: str | None = None,
    hints: SiteHints | None = None,
    page_kind: PageKind | None = None,
) -> tuple[Page, Document]:
    """`extract_page`, plus the parsed page it read: for a caller that needs more of the same
    HTML (the crawler's links to follow) without decoding and parsing it a second time."""
    hints = hints or DEFAULT_HINTS
    if isinstance(body, bytes | bytearray | memoryview):
        raw = bytes(body[:MAX_BODY_BYTES])
        if _encoding_mod.looks_binary(raw):
            raise ExtractionError(f"{url}: body is binary, not HTML")
        html_text, used = _encoding_mod.decode_body(raw, encoding)
    elif isinstance(body, str):
        html_text, used = body[:MAX_BODY_BYTES], "utf-8"
    else:
        raise ExtractionError(f"{url}: body must be bytes or str, not {type(body).__name__}")

    doc = Document(parse_html(html_text), url, used, hints, html_text)
    headline = _selected(doc, "title", title.parse_title_text) or title.extract_title(doc)

    if "text" in hints.selectors:
        main_text = _selected_text(doc)
    else:
        main_text = text.extract_text(doc, headline)

    published, updated = dates.extract_dates(doc, headline)
    published = _selected(doc, "published", lambda s: _date_from(s, hints)) or published
    updated = _selected(doc, "updated", lambda s: _date_from(s, hints)) or updated

    views_count = _selected(doc, "views", views.parse_views)
    if views_count is None:
        views_count = views.extract_views(doc, headline)

    kind = classify.classify(doc, main_text, headline)
    if page_kind is not None and page_kind != kind.page_kind:
        # links and pagination as that kind has them, not as the kind the classifier saw
        kind = classify.Classification(page_kind, *classify.links_and_next(doc, page_kind))
    if kind.page_kind != "article":
        published, updated = (_page_date(d, kind.page_kind) for d in (published, updated))
    lang = hints.language or language.detect_language(main_text, doc)

    page = Page(
        url=url,
        encoding=used,
        page_kind=kind.page_kind,
        title=headline.title if headline else None,
        country=headline.country if headline else None,
        text=main_text,
        published=published,
        updated=updated,
        views=views_count,
        site_counter=_selected(doc, "site_counter", site_counter.parse_site_counter)
        or site_counter.extract_site_counter(doc),
        copyright=_selected(doc, "copyright", copyright.parse_copyright)
        or copyright.extract_copyright(doc),
        source=_selected(doc, "source", source.parse_source)
        or source.extract_source(doc, headline),
        canonical_url=source.extract_canonical(doc),
        language=lang,
        links=kind.links,
        next=kind.next,
        attachments=attachments.extract_attachments(doc) if kind.page_kind == "article" else (),
    )
    return page, doc


_encoding_mod = encoding  # the parameter named `encoding` shadows the module inside extract_page


def _selected(doc: Document, field: str, parse):
    """Parse the text of the element a site profile's selector points at, if it has one."""
    selector = doc.hints.selectors.get(field)
    if not selector:
        return None
    for el in doc.select(selector):
        value = parse(element_text(el))
        if value is not None:
            return value
    return None


def _selected_text(doc: Document) -> str | None:
    elements = doc.select(doc.hints.selectors["text"])
    parts = [t for el in elements if (t := text.text_from_element(el))]
    return "\n\n".join(parts) or None


def _page_date(date: DateInfo | None, page_kind: str) -> DateInfo | None:
    return date if date is not None and date.source in PAGE_DATE_SOURCES[page_kind] else None


def _date_from(raw: str, hints: SiteHints) -> DateInfo | None:
    value = dates.parse_date(raw, order=hints.date_order, timezone=hints.timezone)
    return DateInfo(value, "selector", raw) if value is not None else None
