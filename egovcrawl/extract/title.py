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


@dataclass(frozen=True, slots=True)
class Headline:
    """The headline and, when visible, its element in `doc.tree` (other fields search near it)."""

    title: str
    country: str | None = None
    element: HtmlElement | None = None


# "CN: ...", "EU: ...", "UK: ..." (ISO 3166 alpha-2 plus the common EU/UK), at the very start
_COUNTRY_RE = re.compile(r"^([A-Z]{2})\s*:\s+(?=\S)")
# separators between headline and site name in <title>
_TITLE_SEP_RE = re.compile(r"\s+(?:[|\-–—·•»:]|::|_)\s+|\s*[|–—·•»_]\s*")
_WORD_RE = re.compile(r"\w+", re.U)

MIN_TITLE_CHARS = 4
MAX_TITLE_CHARS = 400


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


def _similarity(a: str, b: str) -> float:
    ta, tb = _tokens(a), _tokens(b)
    if not ta or not tb:
        return 0.0
    return len(ta & tb) / min(len(ta), len(tb))


def _meta_title(doc: Document) -> str | None:
    value = doc.meta_first("og:title", "twitter:title", "dc.title", "title", "headline",
                           "articletitle", "articletitle")
    if value:
        return normalize_space(value)
    for obj in doc.jsonld:
        headline = obj.get("headline") or (obj.get("name") if _is_article(obj) else None)
        if isinstance(headline, str) and headline.strip():
            return normalize_space(headline)
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
    text = normalize_space(el.text_content())
    return text or None


def _strip_site_name(title: str, site_names: list[str]) -> str:
    """Cut `Headline | Site name` to the headline: the longest separated part wins."""
    parts = [p.strip() for p in _TITLE_SEP_RE.split(title) if p and p.strip()]
    if len(parts) <= 1:
        return title
    names = {normalize_space(n).lower() for n in site_names if n}
    kept = [p for p in parts if p.lower() not in names]
    if not kept:
        return title
    return max(kept, key=len)


def _headings(doc: Document) -> list[HtmlElement]:
    body = doc.body
    return [h for tag in ("h1", "h2") for h in body.iter(tag)]


def extract_title(doc: Document) -> Headline | None:
    meta = _meta_title(doc)
    tag_title = _title_tag(doc)
    site_names = [doc.meta_first("og:site_name", "application-name") or ""]
    reference = meta or (_strip_site_name(tag_title, site_names) if tag_title else None)

    candidates: list[tuple[float, int, HtmlElement, str]] = []
    for order, h in enumerate(_headings(doc)):
        text = element_text(h)
        if not (MIN_TITLE_CHARS <= len(text) <= MAX_TITLE_CHARS):
            continue
        score = 0.0
        if reference:
            score = _similarity(text, reference)
            if normalize_space(text).lower() == reference.lower():
                score += 1.0
        if h.tag == "h1":
            score += 0.3
        if is_furniture(h):
            score -= 0.6
        candidates.append((score, -order, h, text))

    if candidates:
        score, _, el, text = max(candidates, key=lambda c: (c[0], c[1]))
        if score >= 0.8 or (reference is None and el.tag == "h1" and not is_furniture(el)):
            return Headline(text, _country(text), el)

    if reference:
        return Headline(reference, _country(reference), None)
    return None
