"""Source: the original publisher of a re-published article, and the page's canonical URL.

`来源：新华网`, `文章来源：人民日报`, `转载自…`, `Source: Reuters`, `Quelle: dpa`, `Originally
published by …`, and China Daily's `chinadaily.com.cn | Updated: 2020-08-20` (the name right
before `| Updated:`). `url` is the link to the original when the name is a link.

Cascade, first plausible wins: a source line near the headline (the article's meta line, the first
or last paragraphs) -> CMS metadata (`<meta name="ContentSource">`, `source`, `original-source`)
-> JSON-LD `isBasedOn` / `sourceOrganization`. With no visible headline, a source line counts only
if it is the one source named outside furniture (listings name one per teaser).

Never the site itself (`来源：本站`, its own name or host) and never a picture or data credit
(`图片来源：`, `数据来源：`, `Image source:`, captions).
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree
from lxml.html import HtmlElement

from egovcrawl.extract.dom import (
    Document,
    class_id,
    element_text,
    is_furniture,
    normalize_space,
)
from egovcrawl.extract.model import Source
from egovcrawl.extract.textnodes import bounded_text, headline_levels, needle_re, text_nodes_with
from egovcrawl.extract.title import Headline
from egovcrawl.extract.urls import join_url, split_url, url_host

# --- data -------------------------------------------------------------------------------------

#: Labels followed by the source name. (label, needs a colon). Longest first.
LABELS: tuple[tuple[str, bool], ...] = (
    ("文章来源", False), ("信息来源", False), ("稿件来源", False), ("新闻来源", False),
    ("内容来源", False), ("消息来源", False), ("原文来源", False), ("本文来源", False),
    ("本文转自", False), ("本文转载自", False), ("转载自", False), ("转载于", False),
    ("转自", False), ("摘自", False), ("选自", False), ("原载于", False), ("原载", False),
    ("来源于", False), ("来源", False), ("來源", False), ("来自", True), ("出处", True),
    ("originally published (?:by|in|on|at)", False),
    ("first published (?:by|in|on|at)", False),
    ("reprinted (?:with permission )?from", False),
    ("republished (?:with permission )?from", False),
    ("courtesy of", False), ("sources?", True), ("quelle", True),
    ("zuerst erschienen (?:bei|in)", False),
)
#: A label preceded by these is a picture/data credit, not the article's publisher.
NOT_PUBLISHER_BEFORE_RE = re.compile(
    r"(?:数据|图片|图|照片|视频|资料|题图|封面|配图|image|photo|picture|data|bild|foto|grafik|"
    r"video|open|code|event|traffic)\s*$",
    re.I,
)
#: Where a source name ends: the next label of the meta line, a separator, a date.
STOP_RE = re.compile(
    r"\s*(?:[|｜【】\[\]\n;；，。、]|\s[-–—/·•]\s|\s{2,}|\u3000|(?<=\S)\s+(?=\d{4}[-年/.]\d)|"
    r"作者|编辑|责任编辑|责编|记者|通讯员|时间|发布时间|发布日期|发表时间|更新时间|日期|点击|浏览|"
    r"阅读|字号|字体|分享|打印|关闭|收藏|评论|来源|"
    r"\b(?:author|by|date|published|posted|updated|views|autor|datum|stand|veröffentlicht|"
    r"photo|foto|read more)\b|\.\s|,\s)",
    re.I,
)
#: Names that say "this site" or nothing at all.
GENERIC_NAMES = frozenset({
    "本站", "本网", "本网站", "本站原创", "原创", "网络", "互联网", "网络转载", "未知", "佚名",
    "综合", "网友", "转载", "转载文章", "其他", "其它", "admin", "unknown", "internet", "web",
    "n/a", "none", "na", "null", "-", "本报", "本台", "本刊", "own", "staff", "intern",
    "redaktion",
})
#: Notes after the name that are not part of it: `人民日报（转载）`, `新华社(有删节)`.
ANNOTATION_RE = re.compile(r"\s*[(（](?:转载|转|原创|摘编|节选|有删节|综合|编译|记者[^)）]{0,10}|"
                           r"reprint(?:ed)?|via [^)）]{1,30}|gekürzt|mit material von [^)）]{1,30})"
                           r"[)）]\s*$", re.I)
#: `chinadaily.com.cn | Updated: 2020-08-20`: the name right before `| Updated:`.
UPDATED_RE = re.compile(r"[|｜]\s*(?:updated|aktualisiert)\s*[:：]", re.I)
DOMAIN_RE = re.compile(r"(?:[a-z0-9-]+\.)+[a-z]{2,}$", re.I)
#: <meta> names of CMSes that record the original publisher (TRS on gov.cn: ContentSource).
META_SOURCE = ("contentsource", "source", "article:source", "og:article:source",
               "original-source", "syndication-source")
#: JSON-LD types of `isBasedOn` that are cited studies/data, not a re-published original.
CITATION_TYPES = frozenset({"scholarlyarticle", "medicalscholarlyarticle", "dataset", "book",
                            "chapter", "thesis", "report", "claim", "review"})
#: Text before a label that makes the line a picture credit (`Bild: © X. Quelle: Unsplash`).
PICTURE_LINE_RE = re.compile(r"©|(?:bild|foto|photo|image|picture|grafik|illustration)\w*|"
                             r"图片|摄影|配图|图/|druckauflösung", re.I)
#: A "name" that is a date: `First published on November 20, 2019`.
DATE_NAME_RE = re.compile(
    r"^(?:\d{1,4}\s*[-./年月]\s*\d|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mär|mai|"
    r"okt|dez|mon|tue|wed|thu|fri|sat|sun|montag|dienstag|mittwoch|donnerstag|freitag|samstag|"
    r"sonntag)[a-zä]*\.?,?\s+\d)",
    re.I,
)
#: Second-level labels under which sites register (`com.cn`, `gov.cn`, `co.uk`).
SECOND_LEVEL = frozenset({"com", "co", "gov", "org", "net", "edu", "ac", "or", "ne", "go"})
NEEDLES = ("来源", "來源", "来自", "出处", "转载", "转自", "摘自", "选自", "原载", "ource", "OURCE",
           "uelle", "UELLE", "riginally", "irst published", "eprinted", "epublished",
           "ourtesy", "pdated", "ktualisiert", "erschienen")
#: Containers whose "Source:" is a caption credit.
CAPTION_TAGS = frozenset({"figure", "figcaption", "caption", "cite", "blockquote"})
CAPTION_RE = re.compile(r"(?:^|[\s_\-])(?:caption|wp-caption|credit|credits|bildunterschrift|"
                        r"bildnachweis|photo|image|img|chart|infographic)(?:$|[\s_\-\d])", re.I)
TEASER_RE = re.compile(r"(?:^|[\s_\-])(?:sidebar|widget|related|popular|latest|recommend|hot|"
                       r"rank|teaser|list|similar|trending)(?:$|[\s_\-\d])", re.I)
MAX_LINE_CHARS = 300
MAX_NAME_CHARS = 60

# --- parsing ----------------------------------------------------------------------------------

# CJK and Latin labels in separate patterns: one case-insensitive alternation of both is ~10x
# slower, and the CJK one needs no word boundaries
_CJK_LABEL_RE = re.compile("|".join(sorted((lb for lb, _ in LABELS if not lb.isascii()),
                                           key=len, reverse=True)))
_LATIN_LABEL_RE = re.compile(r"\b(?:" + "|".join(lb for lb, _ in LABELS if lb.isascii())
                             + r")\b", re.I)
_NEEDS_COLON = frozenset(lb for lb, colon in LABELS if colon and not lb.isascii()) | {
    "source", "sources", "quelle"}
YEAR_IN_PARENS_RE = re.compile(r"\((?:19|20)\d\d[a-z]?\)")
_COLON_RE = re.compile(r"\s*[:：]\s*|\s+")
_GAP_RE = re.compile(r"\s*[\u3000\t\n\r]\s*|\u00a0{2,}|[ \u00a0]{3,}")
_VISIBLE_TEXT = etree.XPath(".//text()[not(parent::script or parent::style)]", smart_strings=False)


def _clean(name: str, *, cut: bool = True) -> str | None:
    if cut:
        m = STOP_RE.search(name)
        if m:
            name = name[:m.start()]
    name = ANNOTATION_RE.sub("", name).strip()
    if name.endswith((":", "：")) or re.search(r"[=<>{}\"]", name):
        return None  # a form label (`Quelle: Nick:`) or markup debris
    name = name.strip(" \t,，.。;；\"'“”《》〈〉「」")
    for op, cl in ("()", "（）", "[]"):  # drop unbalanced brackets only: `House of Clio (Sony)`
        if name.count(op) != name.count(cl):
            name = name.strip(op + cl)
    if not name or len(name) > MAX_NAME_CHARS or not re.search(r"[A-Za-z\u3400-\u9fff]", name):
        return None
    if name.lower() in GENERIC_NAMES or len(name.split()) > 8 or DATE_NAME_RE.match(name):
        return None
    return name


_NEEDLES = needle_re(NEEDLES)


def parse_source(text: str) -> Source | None:
    """The source named in a short text (`来源：新华网`, `Source: Reuters`), or None."""
    text = normalize_space(text)[:MAX_LINE_CHARS * 2] if "\u3000" not in text \
        else text[:MAX_LINE_CHARS * 2].replace("\u3000", "  ")
    found = _parse(text)
    if found:
        return Source(name=found[0], url=None, raw=normalize_space(text)[:MAX_LINE_CHARS])
    return None


def _parse(text: str) -> tuple[str, int] | None:
    """(name, position of the name in text) of the first source label with a usable name."""
    labels = sorted([*_CJK_LABEL_RE.finditer(text), *_LATIN_LABEL_RE.finditer(text)],
                    key=lambda m: m.start())
    for m in labels:
        if NOT_PUBLISHER_BEFORE_RE.search(text[max(0, m.start() - 8):m.start()]):
            continue
        if PICTURE_LINE_RE.search(text[max(0, m.start() - 60):m.start()]):
            continue
        sep = _COLON_RE.match(text, m.end())
        if m.group().lower() in _NEEDS_COLON and (sep is None
                                                  or not re.search("[:：]", sep.group())):
            continue
        start = sep.end() if sep else m.end()
        name = _clean(text[start:start + MAX_NAME_CHARS * 2])
        if name:
            return name, text.find(name, start)
    m = UPDATED_RE.search(text)
    if m:
        seg = re.split(r"[|｜]", text[:m.start()])[-1].strip()
        last = seg.split()[-1] if seg.split() else ""
        if DOMAIN_RE.match(last):
            name = last
        elif len(seg) <= 40 and len(seg.split()) <= 4 and not re.match(r"by\s", seg, re.I):
            name = seg
        else:
            return None
        cleaned = _clean(name)
        if cleaned:
            return cleaned, text.rfind(cleaned, 0, m.start())
    return None


# --- search -----------------------------------------------------------------------------------


def extract_source(doc: Document, headline: Headline | None) -> Source | None:
    """The original publisher, or None (see module docstring for the cascade)."""
    levels = headline_levels(headline)
    own = _own_names(doc)
    found = _near_headline(doc, levels, own) if levels else _only_source(doc, own)
    return found or _from_meta(doc, own) or _from_jsonld(doc, own)


def _candidates(doc: Document, root: HtmlElement) -> list[tuple[HtmlElement, Source]]:
    out: list[tuple[HtmlElement, Source]] = []
    seen: set[HtmlElement] = set()
    for node in text_nodes_with(doc, root, _NEEDLES, window_ok=lambda w: _parse(w) is not None):
        el = node.getparent()
        if el is not None and node.is_tail:
            el = el.getparent()
        for _ in range(2):  # label and name may be split across inline elements: climb once
            if el is None or el in seen or el.tag in ("body", "html", "script", "style", "form",
                                                      "label", "select", "option", "textarea"):
                break
            seen.add(el)
            if _caption(el):
                break
            raw = _text_with_gaps(el)
            if not raw or len(raw) > MAX_LINE_CHARS:
                break
            found = _parse(raw)
            if found:
                out.append((el, _with_link(doc, el, found[0], raw)))
                break
            el = el.getparent()
    return out


def _near_headline(doc: Document, levels: dict[HtmlElement, int],
                   own: set[str]) -> Source | None:
    region = max(levels, key=levels.__getitem__)
    best: tuple[int, Source] | None = None
    for el, src in _candidates(doc, region):
        level = _level(el, levels)
        if level is None or _is_self(src, own, doc):
            continue
        if best is None or level < best[0]:
            best = (level, src)
    return best[1] if best else None


def _only_source(doc: Document, own: set[str]) -> Source | None:
    found = [src for el, src in _candidates(doc, doc.body)
             if not is_furniture(el) and not _is_self(src, own, doc)]
    names = {s.name for s in found}
    return found[0] if len(names) == 1 else None


def _level(el: HtmlElement, levels: dict[HtmlElement, int]) -> int | None:
    node: HtmlElement | None = el
    while node is not None:
        if node in levels:
            return levels[node]
        if node.tag in ("aside", "nav") or TEASER_RE.search(class_id(node)):
            return None
        node = node.getparent()
    return None


def _caption(el: HtmlElement) -> bool:
    node: HtmlElement | None = el
    for _ in range(6):
        if node is None:
            break
        if node.tag in CAPTION_TAGS or CAPTION_RE.search(class_id(node)):
            return True
        node = node.getparent()
    return False


def _text_with_gaps(el: HtmlElement) -> str:
    """Element text with full-width/multiple spaces and line breaks kept as a two-space gap:
    on meta lines they separate fields (`来源：长江日报　浏览次数：…`)."""
    if len(el) >= 60 or bounded_text(el, MAX_LINE_CHARS * 2) is None:
        return ""  # too big for a meta line: checked before joining a huge subtree's text
    text = "".join(_VISIBLE_TEXT(el))
    text = _GAP_RE.sub("\x01", text[:MAX_LINE_CHARS * 4])
    text = re.sub(r"[ \u00a0]+", " ", text)
    return text.replace("\x01", "  ").strip()[:MAX_LINE_CHARS * 2]


def _with_link(doc: Document, el: HtmlElement, name: str, raw: str) -> Source:
    """Attach the link's URL when the source name is (part of) a link's text."""
    url = None
    for a in el.iter("a"):
        text = element_text(a)
        if text and (text == name or (len(text) >= 2 and (text in name or name in text))):
            url = _absolute(doc.url, a.get("href"))
            if url:
                break
    return Source(name=name, url=url, raw=normalize_space(raw)[:MAX_LINE_CHARS])


def _from_meta(doc: Document, own: set[str]) -> Source | None:
    for key in META_SOURCE:
        for value in doc.meta.get(key, ()):
            value = normalize_space(value)
            if not value:
                continue
            if re.match(r"https?://", value):
                src = Source(name=None, url=value, raw=value)
            else:
                name = _clean(value)
                if not name:
                    continue
                src = Source(name=name, url=None, raw=value)
            if not _is_self(src, own, doc):
                return src
    return None


def _from_jsonld(doc: Document, own: set[str]) -> Source | None:
    for obj in doc.jsonld:
        for key in ("isBasedOn", "isBasedOnUrl", "sourceOrganization"):
            value = obj.get(key)
            for item in value if isinstance(value, list) else [value]:
                kind = item.get("@type") if isinstance(item, dict) else None
                if isinstance(kind, str) and kind.lower() in CITATION_TYPES:
                    continue
                src = _jsonld_source(doc, item)
                if src and not _is_self(src, own, doc):
                    return src
    return None


def _jsonld_source(doc: Document, item: Any) -> Source | None:
    if isinstance(item, str) and item.strip():
        value = item.strip()
        if re.match(r"https?://", value):
            return Source(name=None, url=value, raw=value)
        name = _clean(value)
        return Source(name=name, url=None, raw=value) if name else None
    if isinstance(item, dict):
        name = item.get("name")
        if isinstance(name, str) and (len(name) > MAX_NAME_CHARS or YEAR_IN_PARENS_RE.search(name)):
            return None  # a literature citation (`Hilimire, M. et al. (2015): …`), not a publisher
        name = _clean(normalize_space(name), cut=False) if isinstance(name, str) else None
        url = item.get("url") or item.get("@id")
        url = _absolute(doc.url, url) if isinstance(url, str) else None
        if name or url:
            return Source(name=name, url=url, raw=name or url or "")
    return None


def _own_names(doc: Document) -> set[str]:
    """Normalised names the site calls itself: never a source."""
    names = {doc.meta_first(k) for k in ("og:site_name", "application-name", "twitter:site")}
    for obj in doc.jsonld:
        if str(obj.get("@type", "")).lower() in ("website", "organization"):
            names.add(obj.get("name") if isinstance(obj.get("name"), str) else None)
    for host in _own_hosts(doc):
        names.add(host)
        names.add(host.split(".")[0])  # `chinadaily` for chinadaily.com.cn
    return {_norm(n) for n in names if n} - {""}


def _own_hosts(doc: Document) -> set[str]:
    """The page's own site. The canonical URL stands in only when the page URL has no host: a
    re-published article's canonical often points at the original publisher."""
    host = _site(url_host(doc.url))
    if not host:
        host = _site(url_host(extract_canonical(doc)))
    return {host} - {""}


def _site(host: str) -> str:
    """The registrable part of a host: `www.wuhan.gov.cn` -> `wuhan.gov.cn`."""
    labels = host.lower().strip(".").split(".")
    if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in SECOND_LEVEL:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def _norm(name: str) -> str:
    return re.sub(r"[\W_]+", "", name.lower().removeprefix("@"))


def _is_self(src: Source, own: set[str], doc: Document) -> bool:
    if src.name and _norm(src.name) in own:
        return True
    hosts = _own_hosts(doc)
    if src.name and DOMAIN_RE.match(src.name) and _site(src.name) in hosts:
        return True
    if src.name is None and src.url:
        return _site(url_host(src.url)) in hosts
    return False


def _absolute(base: str, href: str | None) -> str | None:
    if not href:
        return None
    href = href.strip()
    if not href or href.startswith("#") or re.search(r"[\s<>{}]", href):
        return None
    url = join_url(base, href) if base else href
    parts = split_url(url) if url is not None else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return url


def extract_canonical(doc: Document) -> str | None:
    """The `<link rel=canonical>` URL made absolute, else og:url; None when absent or invalid."""
    head = doc.head
    if head is not None:
        for link in head.iter("link"):
            rel = (link.get("rel") or "").lower().split()
            if "canonical" in rel:
                url = _absolute(doc.url, link.get("href"))
                if url:
                    return url
    og = doc.meta_first("og:url")
    return _absolute(doc.url, og) if og else None
