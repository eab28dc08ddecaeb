"""Title: the article's headline, not the site name or the `<title>` suffix.

Cascade, first plausible wins: a visible heading (h1/h2) that agrees with the page's metadata
title; og:title / JSON-LD headline; the `<title>` with its site-name suffix cut; a lone h1.
Country-prefixed headlines (`CN: Shanghai: Qingpu district ...`) also give `country`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml.html import HtmlElement

from egovcrawl.extract.dom import Document, element_text, is_furniture, normalize_space
from egovcrawl.extract.urls import url_host


@dataclass(frozen=True, slots=True)
class Headline:
    """The headline and, when visible, its element in `doc.tree` (other fields search near it)."""

    title: str
    country: str | None = None
    element: HtmlElement | None = None


# "CN: ...", "EU: ...", "UK: ..." (ISO 3166 alpha-2 plus the common EU/UK), at the very start
_COUNTRY_RE = re.compile(r"^([A-Z]{2})\s*:\s+(?=\S)")
# separators between headline and site name in <title>: spaced dashes/bars anywhere; unspaced
# bars, underscores and dashes only next to CJK text ("武汉的声音-新华网", "通知_市政府")
_TITLE_SEP_RE = re.compile(
    r"\s+(?:[|\-–—·•»:]|::)\s+|\s*[|–—·•»]\s*|(?<=[\u3400-\u9fff！？」”》）)])\s*(?:--?|_)\s*"
    r"|\s*(?:--?|_)\s*(?=[\u3400-\u9fff])"
)
_WORD_RE = re.compile(r"\w+", re.U)

MIN_TITLE_CHARS = 4
MAX_TITLE_CHARS = 400
#: A metadata title (og:title, JSON-LD headline, <title>) longer than this, before its site name
#: is cut, is no headline but a description stuffed into it, or the rest of the page swallowed by
#: a <title> left open: it is not used as the reference (nor returned as the title).
MAX_REFERENCE_CHARS = 2 * MAX_TITLE_CHARS
#: Metadata names of the title, most specific first.
META_TITLE_NAMES = ("og:title", "twitter:title", "dc.title", "title", "headline", "articletitle")


def parse_title_text(text: str) -> Headline | None:
    """A headline from a string (e.g. a site profile's title selector)."""
    text = normalize_space(text)
    if len(text) < 2:
        return None
    return Headline(text, _country(text))


def _country(text: str) -> str | None:
    m = _COUNTRY_RE.match(text)
    return m.group(1) if m else None


def _tokens(text: str) -> set[str]:
    text = text.lower()
    words = set(_WORD_RE.findall(text))
    # CJK: characters are the tokens
    words.update(ch for ch in text if "\u3400" <= ch <= "\u9fff")
    return words


def _similarity(ta: set[str], tb: set[str]) -> float:
    """Share of the smaller token set found in the other."""
    if not ta or not tb:
        return 0.0
    return len(ta & tb) / min(len(ta), len(tb))


def _as_reference(value: str) -> str | None:
    """A metadata title, whitespace-normalised; None when empty or too long for a headline."""
    if len(value) > 4 * MAX_REFERENCE_CHARS:  # no need to normalise a megabyte to know
        return None
    text = normalize_space(value)
    return text if text and len(text) <= MAX_REFERENCE_CHARS else None


def _meta_title(doc: Document) -> str | None:
    for name in META_TITLE_NAMES:
        for value in doc.meta.get(name, ()):
            if value and (reference := _as_reference(value)):
                return reference
    for obj in doc.jsonld:
        headline = obj.get("headline") or (obj.get("name") if _is_article(obj) else None)
        if isinstance(headline, str) and (reference := _as_reference(headline)):
            return reference
    return None


def _is_article(obj: dict) -> bool:
    kind = obj.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return any(isinstance(k, str) and ("Article" in k or k in ("BlogPosting", "Report"))
               for k in kinds)


def _title_tag(doc: Document) -> str | None:
    el = doc.tree.find(".//title")
    if el is None:
        return None
    return _as_reference(el.text_content())


_FOLD = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "é": "e", "è": "e", "à": "a"})


def _compact(text: str) -> str:
    """Lowercase word characters only, umlauts folded as host names spell them (thueringen)."""
    return "".join(_WORD_RE.findall(text.lower().translate(_FOLD)))


def _site_names(doc: Document) -> list[str]:
    """Names a page's title may carry as a suffix/prefix: site name metas, publisher, host."""
    names = [doc.meta_first("og:site_name", "application-name", "twitter:site") or ""]
    for obj in doc.jsonld:
        publisher = obj.get("publisher")
        if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
            names.append(publisher["name"])
    host = url_host(doc.url)
    labels = [lab for lab in host.split(".") if lab not in _HOST_NOISE and len(lab) > 2]
    names.extend(labels[:-1] if len(labels) > 1 else labels)
    return [c for c in (_compact(n.lstrip("@")) for n in names) if len(c) >= 3]


# a short title part with one of these words names the publisher, not the story (gov sites)
_SITE_WORDS_RE = re.compile(
    r"(?:portal|website|homepage|gov\.uk|\.gov|government|ministry|ministerium|landesregierung|"
    r"senatsverwaltung|bundesregierung|staatskanzlei|landesportal|city of|stadt |department|"
    r"agency|bureau|council|commission|政府|网站|门户|官网|网$|在线$|频道$|新闻中心$|资讯中心$)",
    re.I,
)
MAX_SITE_PART_CHARS = 40

_HOST_NOISE = frozenset({"www", "com", "org", "net", "gov", "edu", "news", "html", "blog"})


def _is_site_part(part: str, names: list[str], *, trailing: bool = False) -> bool:
    compact = _compact(part)
    if not compact:
        return True
    if trailing and len(part) <= MAX_SITE_PART_CHARS and _SITE_WORDS_RE.search(part.strip()):
        return True
    return any(name == compact or (name in compact and len(compact) <= len(name) + 12)
               or (compact in name and len(compact) >= 4) for name in names)


MAX_CHANNEL_CJK_CHARS = 6


def _is_channel(title: str, first: tuple[int, int], part: tuple[int, int]) -> bool:
    text = title[part[0]:part[1]].strip()
    head = title[first[0]:first[1]]
    all_cjk = all("\u3400" <= ch <= "\u9fff" for ch in text)
    return 0 < len(text) <= MAX_CHANNEL_CJK_CHARS and all_cjk and len(head) >= 2 * len(text)


def _strip_site_name(title: str, site_names: list[str]) -> str:
    """Cut `Headline | Site name` (or `Site - Headline`) down to the headline.

    A part is cut only when it looks like the site (its name metas, its host name); otherwise the
    title is kept whole, since headlines contain dashes and colons of their own.
    """
    pieces = [(m.start(), m.end()) for m in _TITLE_SEP_RE.finditer(title)]
    if not pieces:
        return title
    bounds = [0] + [b for span in pieces for b in span] + [len(title)]
    parts = [(bounds[i], bounds[i + 1]) for i in range(0, len(bounds), 2)]
    lo, hi = 0, len(parts) - 1
    while hi > lo and _is_site_part(title[parts[hi][0]:parts[hi][1]], site_names, trailing=True):
        hi -= 1
    # "标题_新浪房产_新浪网": once the site is cut, a short CJK channel name before it goes too
    while hi > lo and hi < len(parts) - 1 and _is_channel(title, parts[lo], parts[hi]):
        hi -= 1
    while lo < hi and _is_site_part(title[parts[lo][0]:parts[lo][1]], site_names):
        lo += 1
    kept = title[parts[lo][0]:parts[hi][1]].strip()
    return kept if len(kept) >= MIN_TITLE_CHARS else title


def _headings(doc: Document) -> list[HtmlElement]:
    body = doc.body
    return [h for tag in ("h1", "h2") for h in body.iter(tag)]


def extract_title(doc: Document) -> Headline | None:
    doc.all_elements  # noqa: B018 - holds the element proxies for every later walk
    site_names = _site_names(doc)
    reference = _meta_title(doc) or _title_tag(doc)
    if reference:
        reference = _strip_site_name(reference, site_names)
        # read once, not per heading
        ref_tokens, ref_compact, ref_lower = (_tokens(reference), _compact(reference),
                                              reference.lower())

    candidates: list[tuple[float, int, HtmlElement, str]] = []
    for order, h in enumerate(_headings(doc)):
        text = element_text(h)
        if not (MIN_TITLE_CHARS <= len(text) <= MAX_TITLE_CHARS):
            continue
        score = 0.0
        if reference:
            score = _similarity(_tokens(text), ref_tokens)
            if normalize_space(text).lower() == ref_lower:
                score += 1.0
            elif len(_compact(text)) < 0.5 * len(ref_compact):
                score -= 0.5  # a short heading inside a long title: a section or site name
            elif len(_compact(text)) > 2.5 * len(ref_compact) + 10:
                score -= 0.5  # a long heading around a short title: a teaser on a section page
        if h.tag == "h1":
            score += 0.3
        if is_furniture(h):
            score -= 0.6
        candidates.append((score, -order, h, text))

    if candidates:
        score, _, el, text = max(candidates, key=lambda c: (c[0], c[1]))
        if score >= 0.8 or (reference is None and el.tag == "h1" and not is_furniture(el)):
            return Headline(text, _country(text), el)
        if reference is None or _is_generic(reference, site_names):
            # "Press Release: Press Information Bureau" names no story: the heading that
            # introduces the body text does
            el = _heading_before_body(doc)
            if el is not None:
                text = element_text(el)
                return Headline(text, _country(text), el)

    if reference:
        # table-layout pages print the headline in a <td>, <font> or <div class="title">:
        # anchor on the visible element carrying the reference text, so other fields can search
        # near it
        return Headline(reference, _country(reference), _visible_element(doc, reference))
    return None


# a title made only of these (and site names) says what kind of page it is, not which story
_GENERIC_PART_RE = re.compile(
    r"(?:press releases?|news|news release|article|detail|details|media release|statement|"
    r"pressemitteilung(?:en)?|presseinformation|meldung|aktuelles|nachrichten|"
    r"新闻|正文|详情|详细信息|信息公开|通知公告|工作动态|文章)",
    re.I,
)
MIN_BODY_PARAGRAPH = 80


def _is_generic(reference: str, site_names: list[str]) -> bool:
    parts = [p for p in re.split(r"\s*[:|\-–—·•»_/]\s*", reference) if p.strip()]
    return bool(parts) and all(
        _GENERIC_PART_RE.fullmatch(p.strip()) or _is_site_part(p, site_names, trailing=True)
        for p in parts
    )


def _heading_before_body(doc: Document) -> HtmlElement | None:
    """The last non-furniture h1-h3 before the first long paragraph of the page."""
    last: HtmlElement | None = None
    for el in doc.body.iter("h1", "h2", "h3", "p"):
        if el.tag == "p":
            if last is not None and len(element_text(el)) >= MIN_BODY_PARAGRAPH:
                return last
        elif not is_furniture(el) and MIN_TITLE_CHARS <= len(element_text(el)) <= MAX_TITLE_CHARS:
            last = el
    return None


# tags that never carry the visible headline (links are teasers/menus; title/option are not shown)
_NOT_HEADLINE_TAGS = frozenset({"a", "title", "option", "li", "label", "button"})


def _visible_element(doc: Document, reference: str) -> HtmlElement | None:
    """The first non-furniture element whose own text is the reference title (or most of it)."""
    ref = _compact(reference)
    if len(ref) < MIN_TITLE_CHARS:
        return None
    for el in doc.body.iter():
        if not isinstance(el.tag, str) or el.tag in _NOT_HEADLINE_TAGS:
            continue
        own = el.text
        if not own or len(own) > MAX_TITLE_CHARS * 2:
            continue
        c = _compact(own)
        if len(c) < MIN_TITLE_CHARS:
            continue
        matches = c == ref or (ref.startswith(c) and len(c) >= 0.6 * len(ref)) or (
            c.startswith(ref) and len(ref) >= 0.8 * len(c)
        )
        if matches and not is_furniture(el):
            return el
    return None
