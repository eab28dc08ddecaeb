"""Views: the article's own view count (`43 Views`, `浏览次数：1234`, `Aufrufe: 1.208`).

Cascade, first plausible wins:
1. schema.org `interactionStatistic` (View/Read/WatchAction) of the page's one main entity,
   in JSON-LD or microdata;
2. a count in the article's meta line: searched only in the headline's neighbourhood (a few
   ancestors up), nearest to the headline first, never inside sidebars, teasers or links;
3. with no visible headline only: a count that is the only one on the page outside furniture.

A count that belongs to another article (sidebar "most read", teaser lists) or to the whole site
(`Today 284`, `总访问量`) is never the view count: counts far from the headline are not trusted,
and site-counter wording next to a number disqualifies it. A label with no number next to it
(`浏览次数：<span id="hits"></span><script>…`, filled in by a script) gives None, not a guess.

The label search over text nodes and the count parser live in `textnodes`, shared with the
other counter/footer modules (`site_counter`, `copyright`, `source`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from lxml import etree
from lxml.html import HtmlElement

from egovcrawl.extract.dom import Document, class_id, element_text, is_furniture, normalize_space
from egovcrawl.extract.textnodes import (
    HEADLINE_LEVELS,
    MAX_COUNT,
    NUMBER,
    bounded_text,
    headline_levels,
    needle_re,
    parse_count,
    text_nodes_with,
    text_owner,
)
from egovcrawl.extract.title import Headline

__all__ = ["NUMBER", "extract_views", "parse_count", "parse_views"]

# --- data -------------------------------------------------------------------------------------

#: Labels printed before the number. CJK labels are specific enough without a colon.
CJK_LABELS_BEFORE = (
    "阅读量", "阅读数", "阅读次数", "阅读", "浏览量", "浏览次数", "浏览数", "浏览", "点击数",
    "点击量", "点击次数", "点击率", "点击", "访问量", "访问次数", "查看次数", "人气", "閱讀",
    "瀏覽次數", "瀏覽", "點擊數", "點擊",
)
#: Latin labels before the number: need a colon, or must start their segment (`| Hits 12`),
#: so that prose such as `Iyer hits 50` is not a count.
LATIN_LABELS_BEFORE = (
    "views", "view count", "viewed", "page views", "pageviews", "post views", "hits", "reads",
    "read count", "aufrufe", "seitenaufrufe", "zugriffe", "klicks", "gelesen", "visualizzazioni",
    "visites", "vues",
)
#: Labels printed after the number (`43 Views`, `123次浏览`, `1.208 mal gelesen`).
LABELS_AFTER = (
    "views", "view", "hits", "reads", "times read", "times viewed", "aufrufe", "zugriffe",
    "mal gelesen", "mal aufgerufen", "次阅读", "次浏览", "人阅读", "人浏览", "人看过",
    "次点击", "次查看", "阅读", "浏览", "次閱讀", "次瀏覽",
)
#: `Read 1,234 times`, `Viewed 12 times`, `gelesen: 12 mal`.
TIMES_RE = re.compile(
    r"(?<![\w])(?:read|viewed|gelesen|aufgerufen|已阅读|已浏览)\s*[:：]?\s*" + NUMBER
    + r"\s*(?:times|mal|次|人次)(?![a-z])",
    re.I,
)
#: Words right before a count that make it a site-wide counter, not this article's views.
SITE_WORDS_RE = re.compile(
    r"(?:今日|今天|昨日|昨天|本月|本周|总|累计|全站|本站|网站|站点|在线|访客|访问者|"
    r"total|today|yesterday|visitors?|besucher|heute|gestern|gesamt|online|site|blog)"
    r"[\s:：]*$",
    re.I,
)
#: Site-counter layouts: a container mentioning these is a visitor counter, not a meta line.
SITE_COUNTER_CONTEXT_RE = re.compile(
    r"今日访|昨日访|总访问|累计访|访问人数|访客|位访问者|站点统计|网站统计|visitors?\b|besucher|"
    r"\byesterday\b|\bgestern\b|blog stats",
    re.I,
)
#: Substrings that must occur in a text node for it to be worth a look (case variants listed
#: because the search is a plain substring search, the cheapest that lxml offers).
NEEDLES = (
    "iews", "IEWS", "iewed", "Hits", "hits", "HITS", "Reads", "reads", "ead count", " times",
    "ufrufe", "ugriff", "lick", "elesen", "阅", "浏", "点击", "访问", "查看", "人气", "閱", "瀏",
    "點擊",
)
#: schema.org interaction types that count views (not likes, comments or shares).
VIEW_ACTIONS = ("viewaction", "readaction", "watchaction")
#: class/id tokens of containers that hold other articles' teasers, never this article.
TEASER_TOKENS = (
    "sidebar", "widget", "related", "popular", "latest", "most-read", "mostread", "most-viewed",
    "recommend", "recommended", "hot", "rank", "ranking", "teaser", "teasers", "aside", "similar",
    "trending", "top-posts", "toplist", "tuijian", "xgwz", "xgxw", "remen", "rmtj", "paihang",
)
#: How far above the headline the article's meta line may hang (ancestor levels).
MAX_LEVEL = HEADLINE_LEVELS
#: Longest container text accepted as a meta line (longer = prose that happens to mention views).
MAX_META_CHARS = 240

# --- views ------------------------------------------------------------------------------------

_MICRODATA_COUNTS = etree.XPath("//*[@itemprop='userInteractionCount']")
_NUMBER_RE = re.compile(NUMBER)


def _alt(words: Sequence[str]) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"\s*") for w in sorted(words, key=len,
                                                                           reverse=True))


# CJK and Latin labels apart: a single case-insensitive alternation of both is several times
# slower (every position tries every label)
_BEFORE_CJK_RE = re.compile(
    r"(?P<label>" + _alt(CJK_LABELS_BEFORE) + r")(?P<colon>\s*[:：])?\s*(?:\(\s*)?" + NUMBER
    + r"(?!\s*[-/年月.:]\s*\d)")
_BEFORE_LATIN_RE = re.compile(
    r"(?P<label>\b(?:" + _alt(LATIN_LABELS_BEFORE) + r")\b)(?P<colon>\s*[:：])?\s*(?:\(\s*)?"
    + NUMBER + r"(?!\s*[-/.:]\s*\d)", re.I)
# a label followed by `: 1120` belongs to that number (`★ 5 Aufrufe: 1120` is 1120)
# and `2024-07-03 浏览次数：` is a date before a label, not 3 views
_AFTER_RE = re.compile(r"(?<![\w.,\-/:])" + NUMBER + r"\s*(?P<label>" + _alt(LABELS_AFTER)
                       + r")(?![a-z])(?![量数率]|次数)(?!\s*[:：]\s*\d)", re.I)
_SEGMENT_START_RE = re.compile(r"(?:^|[|｜·•/\-–—:：,;()\[\]])\s*$")
_CJK_RE = re.compile(r"[\u3400-\u9fff]")
_AUTHOR_LINK_RE = re.compile(r"author|categor|tag|bookmark|comment", re.I)
_TEASER_RE = re.compile(
    r"(?:^|[\s_\-])(?:" + "|".join(re.escape(t) for t in TEASER_TOKENS) + r")(?:$|[\s_\-\d])",
    re.I,
)


_NEEDLES = needle_re(NEEDLES)


def _has_count(window: str) -> bool:
    # lenient: nodes joined into a window lose the cell/segment boundaries the strict check needs
    return bool(_find_counts(normalize_space(window), strict=False))


def parse_views(text: str) -> int | None:
    """The view count in a short text (`43 Views`, `浏览次数：1,234`, `1.2万阅读`), or None."""
    found = _find_counts(normalize_space(text)[:2000])
    return found[0] if found else None


def _find_counts(text: str, *, strict: bool = True) -> list[int]:
    out: list[tuple[int, int]] = []
    for rx in (TIMES_RE, _BEFORE_CJK_RE, _BEFORE_LATIN_RE, _AFTER_RE):
        for m in rx.finditer(text):
            if SITE_WORDS_RE.search(text[max(0, m.start() - 12):m.start()]):
                continue
            # a Latin label without a colon must open its segment: `Hits 12`, `| Views 43`
            if (strict and rx is _BEFORE_LATIN_RE and not m.group("colon")
                    and not _SEGMENT_START_RE.search(text[max(0, m.start() - 3):m.start()])):
                continue
            if rx is _AFTER_RE and SITE_WORDS_RE.search(m.group("label")):
                continue
            value = parse_count(m.group("num"), m.group("mult"))
            if value is not None:
                out.append((m.start(), value))
    return [v for _, v in sorted(out)]


def extract_views(doc: Document, headline: Headline | None) -> int | None:
    """The article's own view count, or None (see module docstring for the cascade)."""
    value = _from_structured(doc)
    if value is not None:
        return value
    levels = headline_levels(headline)
    if levels:
        return _near_headline(doc, levels, headline)
    return _only_count(doc)


def _from_structured(doc: Document) -> int | None:
    """interactionStatistic of the single main entity (JSON-LD, then microdata)."""
    counts: set[int] = set()
    for obj in doc.jsonld:
        stats = obj.get("interactionStatistic")
        for stat in stats if isinstance(stats, list) else [stats]:
            if not isinstance(stat, dict):
                continue
            kind = stat.get("interactionType")
            if isinstance(kind, dict):
                kind = kind.get("@type") or kind.get("@id")
            if not isinstance(kind, str) or not kind.lower().endswith(VIEW_ACTIONS):
                continue
            value = _int(stat.get("userInteractionCount"))
            if value is not None:
                counts.add(value)
        legacy = obj.get("interactionCount")
        if isinstance(legacy, str) and legacy.lower().startswith(("userpagevisits", "userviews")):
            value = _int(legacy.split(":")[-1])
            if value is not None:
                counts.add(value)
    if len(counts) == 1:
        return counts.pop()
    if counts:  # several entities with different counts: a listing, not one article
        return None
    if "userinteractioncount" not in doc.meta:  # microdata counts are <meta> in practice
        return None
    for el in _MICRODATA_COUNTS(doc.tree):
        scope = el.getparent()
        kind = ""
        if scope is not None:
            for k in scope.iterfind(".//*[@itemprop='interactionType']"):
                kind = (k.get("content") or k.get("href") or element_text(k)).lower()
        if kind.endswith(VIEW_ACTIONS) and not is_furniture(el):
            value = _int(el.get("content") or element_text(el))
            if value is not None:
                counts.add(value)
    return counts.pop() if len(counts) == 1 else None


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value < MAX_COUNT else None
    if isinstance(value, float):
        return int(value) if 0 <= value < MAX_COUNT else None
    if isinstance(value, str):
        m = _NUMBER_RE.search(value.strip())
        if m:
            return parse_count(m.group("num"), m.group("mult"))
    return None


def _candidates(doc: Document, root: HtmlElement) -> list[tuple[HtmlElement, int]]:
    """(container, count) for every meta-line-like count under root, in document order."""
    out: list[tuple[HtmlElement, int]] = []
    seen: set[HtmlElement] = set()
    for node in text_nodes_with(doc, root, _NEEDLES, window_ok=_has_count):
        el = text_owner(node)
        for _ in range(3):  # label and number may sit in sibling cells/spans: climb a little
            if el is None or el in seen or el.tag in ("body", "html") or len(el) > 40:
                break
            text = bounded_text(el, MAX_META_CHARS)
            if text is None:
                break
            counts = _find_counts(text)
            if counts:
                if not SITE_COUNTER_CONTEXT_RE.search(text):
                    seen.add(el)
                    out.append((el, counts[0]))
                break
            el = el.getparent()
    return out


def _near_headline(doc: Document, levels: dict[HtmlElement, int],
                   headline: Headline | None) -> int | None:
    region = max(levels, key=levels.__getitem__)
    head_el = headline.element if headline else None
    best: tuple[int, int] | None = None
    values: dict[int, set[int]] = {}
    for el, value in _candidates(doc, region):
        level, path = _level(el, levels)
        if level is None or _is_teaser(path, head_el):
            continue
        values.setdefault(level, set()).add(value)
        if best is None or level < best[0]:
            best = (level, value)
    if best is None:
        return None
    # two different counts equally close to the headline: cannot tell which is this article's
    return best[1] if len(values[best[0]]) == 1 else None


def _level(el: HtmlElement, levels: dict[HtmlElement, int]) -> tuple[int | None, list]:
    path: list[HtmlElement] = []
    node: HtmlElement | None = el
    while node is not None:
        if node in levels:
            return levels[node], path
        path.append(node)
        node = node.getparent()
    return None, path


def _is_teaser(path: list[HtmlElement], head_el: HtmlElement | None) -> bool:
    """True if the count sits in a link, a sidebar/related block or next to another title."""
    for node in path:
        if node.tag in ("a", "aside", "nav"):
            return True
        if _TEASER_RE.search(class_id(node)):
            return True
        if node is not head_el and node.tag in ("h1", "h2", "h3", "h4"):
            return True
    # a long link (another article's title) in the same small block = a teaser
    for node in path[:2]:
        if node is not path[0] and bounded_text(node, MAX_META_CHARS) is None:
            break  # the parent is a big block (the article body): its links are not teasers
        for a in node.iterfind(".//a"):
            if _AUTHOR_LINK_RE.search(f"{a.get('rel', '')} {class_id(a)}"):
                continue
            text = element_text(a)
            if len(text) >= 30 or len(_CJK_RE.findall(text)) >= 10:
                return True
    return False


def _only_count(doc: Document) -> int | None:
    """No visible headline: trust a count only if it is the single one outside furniture."""
    values = {value for el, value in _candidates(doc, doc.body)
              if not _chrome(el) and not _is_teaser(_path_to_body(el), None)}
    return values.pop() if len(values) == 1 else None


def _chrome(el: HtmlElement) -> bool:
    """Page furniture, except that an article's own <header>/<footer> (its meta line) is not."""
    path = _path_to_body(el)
    for i, node in enumerate(path):
        if node.tag in ("article", "main"):
            inner = path[:i]
            return any(n.tag in ("aside", "nav") or _TEASER_RE.search(class_id(n))
                       for n in inner)
    return is_furniture(el)


def _path_to_body(el: HtmlElement) -> list[HtmlElement]:
    path: list[HtmlElement] = []
    node: HtmlElement | None = el
    while node is not None and node.tag not in ("body", "html"):
        path.append(node)
        node = node.getparent()
    return path
