"""Page kind (article / listing / other), a listing's article links, and the pagination link.

Why structure and not metadata: CMSs put `og:type=article` on category pages and leave it off
real articles. A listing is recognised by what it *is*: the same small block (a title link, maybe
a date, maybe a teaser and a `Read more` link) repeated down the main region, with little text
outside those blocks. An article is a page with a good run of text that is not such blocks.

How teaser blocks are found without walking every subtree per container (linear time): every
link outside page furniture gets a signature, the tag/class path from <body> down to it; links
sharing a signature are one candidate list. Each link's *item* is its highest ancestor that holds
no other link of the list (an <li>, a `div.blog-item`, an <article>), so lists split over several
<ul>s still give one item per entry. A heading link and a `Read more` link to the same article
land in the same item and are merged.

`next`: on listings, `<link rel=next>`, `a[rel=next]`, a `Next`/`下一页`/`Weiter` link or the
number after the current one in a numbered pager. On articles only a pager of the *same* article
counts (multi-page articles: `…/2/`, `_1.shtml`, `?page=2`): `rel=next` and "next" links on
single posts usually point at the next, different article (WordPress post navigation), which
is not pagination. `other` pages get no `next`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from lxml.html import HtmlElement

from egovcrawl.extract.dom import (
    NON_TEXT_TAGS,
    Document,
    class_id,
    element_text,
    is_self_furniture,
    normalize_space,
)
from egovcrawl.extract.model import Link, PageKind
from egovcrawl.extract.urls import base_url, comparable_url, join_url, split_url

if TYPE_CHECKING:
    from egovcrawl.extract.title import Headline

# --- decision rules (data) ------------------------------------------------------------------

#: Items a list needs before it can make a listing: with teaser text or `Read more` links,
#: with a date per item, and bare title links (menus and "related" boxes are bare and short).
MIN_RICH_ITEMS = 3
MIN_DATED_ITEMS = 4
MIN_BARE_ITEMS = 6
#: Share of a list's items that must carry a title-like link (regular structure).
MIN_TITLED_SHARE = 0.6
#: A title link's text, in weighted characters (a CJK character weighs CJK_WEIGHT).
MIN_TITLE_CHARS = 12
MAX_TITLE_CHARS = 400
CJK_WEIGHT = 3
#: Item text beyond its title that makes a teaser ("rich" item), weighted characters.
MIN_TEASER_CHARS = 40
#: Teasers are short: a list whose median item is longer holds full posts (a blog page showing
#: whole articles), which is read as an article, not as a list of links.
MAX_MEDIAN_ITEM_CHARS = 2500
#: A bare item is a link and little else: its title is at least this share of the item text
#: (so paragraphs of an article that each carry an inline link are not a link list).
BARE_TITLE_SHARE = 0.6
#: Listing when the text outside the teaser list is at most this (weighted chars) or at most
#: OUTSIDE_RATIO of the list's own text: an intro paragraph above a list is fine, an article
#: with a "related news" list under it is not a listing.
OUTSIDE_ABS = 300
OUTSIDE_RATIO = 0.6
#: ... and only this share when the page's headline stands outside the list (an article with
#: a "more news" box under it has its own headline; a listing's h1 is a short section name).
OUTSIDE_RATIO_WITH_HEADLINE = 0.25
#: A teaser's title link comes first in its item (after a date, a kicker or an image caption):
#: a link deep inside a block of text is an inline link of an article paragraph.
TITLE_NEAR_START = 150
#: Article: main text of this many weighted characters; less with a headline or article
#: metadata (short government notices are articles too).
ARTICLE_MIN_CHARS = 500
ARTICLE_MIN_CHARS_WITH_HINTS = 150
#: Error pages (their short apology text with a headline would otherwise pass as a notice).
ERROR_TITLE_RE = re.compile(
    r"\b(?:404|403|410|500)\b|page\s+not\s+found|not\s+found|page\s+(?:does\s+not|doesn'?t)\s+"
    r"exist|no\s+longer\s+available|seite\s+nicht\s+gefunden|nicht\s+gefunden|fehlerseite|"
    r"页面不存在|页面未找到|找不到|无法找到|访问的页面|出错了|错误页面",
    re.I,
)
#: An error page's text is short; a long text under such a title is a real article about it.
ERROR_MAX_CHARS = 1500
#: Items' text is read up to this many characters (teasers are short; bounds hostile pages).
MAX_ITEM_TEXT = 2000
#: Paragraph-like elements whose text outside the list counts as article evidence.
BLOCK_TAGS = ("p", "pre", "blockquote")

#: Link text of "read more" links: the teaser's title replaces it. The rest after the phrase
#: (Joomla: "Read more: <title>") is kept when it is itself a title.
READ_MORE_RE = re.compile(
    r"^\s*[\[【(]?\s*(?:read\s+more|read\s+the\s+rest|read\s+full(?:\s+(?:story|article))?|"
    r"continue\s+reading|more|full\s+story|learn\s+more|weiterlesen|weiter\s+lesen|mehr|"
    r"mehr\s+lesen|mehr\s+erfahren|zum\s+artikel|details|阅读全文|阅读更多|查看全文|查看详情|"
    r"详细|详情|全文|更多|more\s*>+)\s*[\]】)]?\s*(?:[:：»›>→…\.\-–—]+\s*|$)"
    # WordPress: "Read more <span class=screen-reader-text>Title</span>": only unambiguous
    # phrases may be followed by the title after a plain space ("More than 100 cities" is a title)
    r"|^\s*(?:read\s+more|continue\s+reading|weiterlesen|阅读全文)\s+",
    re.I,
)
#: Link text (decorations stripped) of a "next page" link.
NEXT_WORDS = frozenset({
    "next", "next page", "next »", "older posts", "older entries", "older", "weiter",
    "nächste", "nächste seite", "vorwärts", "下一页", "下页", "后页", "下一頁", "suivant",
    "page suivante", "siguiente", "successiva", "volgende",
})
#: Symbols that mean "next" only inside a pager.
NEXT_ARROWS = frozenset({"»", "›", ">", ">>", "→", "▶", "►", "next»", "〉", "》"})
#: aria-label / title of next links ("Go to next page", "Nächste Seite").
NEXT_LABEL_RE = re.compile(
    r"^\s*(?:go\s+to\s+(?:the\s+)?)?(?:next(?:\s+page)?|nächste(?:\s+seite)?|weiter|zur\s+nächsten"
    r"\s+seite|下一页|下一頁|page\s+suivante|suivant|siguiente)\s*[»›>]?\s*$",
    re.I,
)
#: Longest raw text of a link that can be a "next" link (whitespace included).
MAX_NEXT_TEXT = 40
#: Decorations around pager link text.
_ARROWS = "«»‹›<>←→▶►◀◄〈〉《》 "
#: Article navigation ("Next post", "下一篇"), never pagination.
ARTICLE_NAV_RE = re.compile(r"下一篇|上一篇|next\s+(?:post|article|story|entry)|nächster\s+artikel",
                            re.I)
#: class/id of pagers.
PAGER_RE = re.compile(r"pag(?:e|ing|in|ination)|pager|fenye|page-?nav|wp-pagenavi|page-numbers",
                      re.I)
#: class tokens marking the current page in a pager.
CURRENT_RE = re.compile(r"(?:^|[\s_\-])(?:current|active|selected|on|cur|curr|now)(?:$|[\s_\-])",
                        re.I)
#: How another page of the same article differs from the first: a path suffix or a query key.
PAGE_SUFFIX_RE = re.compile(r"[/_\-]?(?:p|page|seite|pg)?[/_\-]?\d{1,3}", re.I)
PAGE_PARAM_RE = re.compile(r"p|page|pg|paged|pageno|pagenum|pn|seite|start|offset|cp|pi", re.I)
OFFSET_PARAMS = frozenset({"start", "offset"})
#: Comment threads have pagers of their own.
COMMENT_RE = re.compile(r"comment", re.I)
#: Class tokens that vary from item to item in one list (WordPress post classes, stripes).
VOLATILE_CLASS_RE = re.compile(
    r"\d|^(?:odd|even|first|last|alt|active|current|on|hover|sticky|has-post-thumbnail|"
    r"(?:category|tag|format|status|type|post|author|item|entry)-.+)$",
    re.I,
)
#: Links that switch the site's language (`hreflang`, `lang`, `data-lang` attributes) are never
#: teasers: a language menu of 20+ "English Englisch" links is not a list of articles.
LANGUAGE_LINK_ATTRS = ("hreflang", "lang", "data-lang", "data-language")
#: class tokens of a carousel slide: a slider of "more videos/stories" is a box beside the page's
#: own content, never the main list of a listing page.
SLIDE_CLASS_RE = re.compile(
    r"(?:^|\s)(?:swiper-slide|slick-slide|carousel-item|carousel-cell|owl-item|glide__slide|"
    r"splide__slide|slide|slider-item|carousel__item|swiper__slide|"
    # ... or of the carousel holding the items
    r"carousel|owl-carousel|swiper-wrapper|slick-track|slider|glide__slides|splide__list)"
    r"(?:$|\s)",
    re.I,
)

_DATE_RE = re.compile(
    r"(?:19|20)\d\d\s*[-./年]\s*\d{1,2}\s*[-./月]\s*\d{1,2}|\b\d{1,2}\.\s?\d{1,2}\.\s?(?:19|20)\d\d"
    r"|\b\d{1,2}/\d{1,2}/(?:19|20)\d\d|\b\d{1,2}\.?\s+[A-Za-zäÄ]{3,9}\.?\s+(?:19|20)\d\d"
    r"|\b[A-Z][a-z]{2,8}\.?\s+\d{1,2},?\s+(?:19|20)\d\d"
)
_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_NUM_RE = re.compile(r"^\[?\s*(\d{1,4})\s*\]?$")
_BAD_HREF = ("#", "javascript:", "mailto:", "tel:", "data:")
_ARTICLE_TYPES = frozenset({"article", "newsarticle", "blogposting", "reportagenewsarticle",
                            "governmentservice", "report", "scholarlyarticle"})
#: Blanks and zero-width characters, which `normalize_space` turns into one space or drops.
_BLANKS_RE = re.compile(r"[\s\u200b-\u200d\u2060\ufeff\u00ad]+")


def _next_key(text: str) -> str:
    """What is left of a link text without blanks and surrounding arrows, lowercased.

    A cheap necessary condition: a link whose normalised text is a `NEXT_WORDS` entry or a
    `NEXT_ARROWS` symbol has one of `_NEXT_KEYS` as its key, so the other links (nearly all of a
    page's) skip the full "next" rules.
    """
    return _BLANKS_RE.sub("", text).lower().strip(_ARROWS)


_NEXT_KEYS = frozenset(_next_key(w) for w in NEXT_WORDS | NEXT_ARROWS)


@dataclass(frozen=True, slots=True)
class Classification:
    page_kind: PageKind
    links: tuple[Link, ...] = ()
    next: str | None = None


@dataclass(slots=True)
class _Item:
    el: HtmlElement
    href: str = ""
    title: str = ""
    read_more: bool = False
    in_heading: bool = False


@dataclass(slots=True)
class _List:
    items: list[_Item] = field(default_factory=list)
    titled: int = 0
    rich: int = 0
    dated: int = 0
    read_more: int = 0
    bare: int = 0
    text_chars: int = 0
    texts: list[str] = field(default_factory=list)

    @property
    def qualifies(self) -> bool:
        n = self.titled
        if n < MIN_TITLED_SHARE * len(self.items):
            return False
        sizes = sorted(weighted_len(t) for t in self.texts)
        if sizes and sizes[len(sizes) // 2] > MAX_MEDIAN_ITEM_CHARS:
            return False
        return (
            (n >= MIN_RICH_ITEMS and (self.rich + self.read_more) >= MIN_TITLED_SHARE * n)
            or (n >= MIN_DATED_ITEMS and self.dated >= MIN_TITLED_SHARE * n)
            or self.bare >= MIN_BARE_ITEMS
        )

    @property
    def score(self) -> float:
        n = self.titled
        return n * (1 + (self.rich + self.read_more) / max(n, 1) + self.dated / max(n, 1))


# --- helpers --------------------------------------------------------------------------------


def weighted_len(text: str) -> int:
    """Length with CJK characters counted CJK_WEIGHT times (one carries a word)."""
    if text.isascii():
        return len(text)
    return len(text) + (CJK_WEIGHT - 1) * len(_CJK_RE.findall(text))


def _tag(el: HtmlElement) -> str:
    return el.tag if isinstance(el.tag, str) else ""


class _FurnitureCache:
    """is-furniture for elements and their ancestors, each element judged once."""

    def __init__(self) -> None:
        self._seen: dict[HtmlElement, bool] = {}
        self._class_ids: dict[str, bool] = {}

    def __call__(self, el: HtmlElement) -> bool:
        seen = self._seen
        known = seen.get(el)
        if known is not None:
            return known
        chain: list[HtmlElement] = []
        node: HtmlElement | None = el
        result = False
        while node is not None:
            known = seen.get(node)
            if known is not None:
                result = known
                break
            chain.append(node)
            if is_self_furniture(node, self._class_ids):
                result = True
                break
            node = node.getparent()
        for n in chain:
            seen[n] = result
        return result


class _Signatures:
    """Tag/class path from <body> down to an element, as an interned id (equal paths, equal ids).

    Ancestors' paths are memoised and a path is (parent's id, own step), so each element is
    judged once and no path is ever copied, however deep the page.
    """

    def __init__(self) -> None:
        self._memo: dict[HtmlElement, int] = {}
        self._ids: dict[tuple[int, str], int] = {}
        self._classes: dict[str, str] = {}  # class attribute -> its stable tokens

    def __call__(self, el: HtmlElement) -> int:
        memo = self._memo
        chain: list[HtmlElement] = []
        node: HtmlElement | None = el
        prefix = 0  # the empty path (<body>)
        while node is not None and _tag(node) not in ("body", "html"):
            known = memo.get(node)
            if known is not None:
                prefix = known
                break
            chain.append(node)
            node = node.getparent()
        ids = self._ids
        for node in reversed(chain):
            raw = node.get("class") or ""
            classes = self._classes.get(raw)
            if classes is None:
                classes = self._classes[raw] = " ".join(sorted(
                    t for t in raw.split() if not VOLATILE_CLASS_RE.search(t)))
            step = (prefix, f"{_tag(node)}.{classes}")
            prefix = ids.get(step) or ids.setdefault(step, len(ids) + 1)
            memo[node] = prefix
        return prefix


def _usable_href(a: HtmlElement) -> str | None:
    href = (a.get("href") or "").strip()
    if not href or href.lower().startswith(_BAD_HREF):
        return None
    return href


def _quick_text(el: HtmlElement) -> str:
    """Normalised text of a small element (a link, a pager number) via lxml's C text_content."""
    return normalize_space(el.text_content()[:MAX_ITEM_TEXT])


def _link_text(a: HtmlElement) -> str:
    text = _quick_text(a)
    if not text:
        text = normalize_space(a.get("title") or "")
        if not text:
            img = a.find(".//img")
            text = normalize_space(img.get("alt") or "") if img is not None else ""
    return text[:MAX_TITLE_CHARS]


def _title_like(text: str) -> bool:
    w = weighted_len(text)
    if w < MIN_TITLE_CHARS or _NUM_RE.match(text) or _is_next_text(text):
        return False
    return bool(_CJK_RE.search(text)) or len(text.split()) >= 2


def _read_more_rest(text: str) -> str | None:
    """For a read-more link text, what follows the phrase ('' if nothing); None otherwise."""
    m = READ_MORE_RE.match(text)
    if not m:
        return None
    return text[m.end():].strip()


def _strip_arrows(text: str) -> str:
    return text.strip(_ARROWS).strip().lower()


def _is_next_text(text: str) -> bool:
    return _strip_arrows(normalize_space(text)) in NEXT_WORDS


def _in_heading(a: HtmlElement) -> bool:
    node = a.getparent()
    for _ in range(3):
        if node is None:
            return False
        if _tag(node) in ("h1", "h2", "h3", "h4", "h5", "h6"):
            return True
        node = node.getparent()
    return False


def _headline_text(el: HtmlElement) -> str:
    for h in el.iter("h1", "h2", "h3", "h4", "h5", "h6", "strong", "b"):
        text = element_text(h)
        if _title_like(text):
            return text[:MAX_TITLE_CHARS]
    return ""


@dataclass(slots=True)
class _Links:
    """One pass over the page's <a> elements, shared by the teaser lists and pagination."""

    usable: list[tuple[HtmlElement, str]]  # (link, href) with a followable href, page order
    next_candidates: list[tuple[HtmlElement, str, str]]  # (link, href, raw text) maybe "next"
    numbered: bool  # some usable link's text is a page number (a numbered pager may exist)


def _scan_links(doc: Document) -> _Links:
    usable: list[tuple[HtmlElement, str]] = []
    candidates: list[tuple[HtmlElement, str, str]] = []
    numbered = False
    for a in doc.body.iter("a"):
        href = a.get("href")
        if not href:
            continue
        href = href.strip()
        if not href or href.lower().startswith(_BAD_HREF):
            continue
        usable.append((a, href))
        # text_content() of a childless link is its .text (and much cheaper)
        raw = a.text_content() if len(a) else a.text or ""
        if not numbered:
            stripped = raw.strip()
            first = stripped[:1]
            numbered = (first == "[" or first.isdecimal()) and bool(_NUM_RE.match(stripped))
        if (a.get("rel") or a.get("aria-label") or a.get("title")
                or "next" in (a.get("class") or "").lower()
                or (len(raw) <= MAX_NEXT_TEXT and _next_key(raw) in _NEXT_KEYS)):
            candidates.append((a, href, raw))
    return _Links(usable, candidates, numbered)


# --- teaser lists ---------------------------------------------------------------------------


def _teaser_lists(links: _Links, furniture: _FurnitureCache) -> list[_List]:
    """Candidate lists of teaser items, best first."""
    by_sig: dict[int, list[HtmlElement]] = {}
    signature = _Signatures()
    for a, _ in links.usable:
        if furniture(a) or any(a.get(attr) for attr in LANGUAGE_LINK_ATTRS):
            continue
        by_sig.setdefault(signature(a), []).append(a)

    # item element -> its links, across signatures (heading link + read-more link merge here)
    items: dict[HtmlElement, list[HtmlElement]] = {}
    groups: list[list[HtmlElement]] = []
    for group_links in by_sig.values():
        if len(group_links) < MIN_RICH_ITEMS:
            continue
        # 1 = one link of the list below this node, 2 = several. A walk stops at the first node
        # an earlier walk reached (marking it shared): its ancestors are shared too, and the item
        # walk below never goes past the lowest shared node, so their counts are never read.
        counts: dict[HtmlElement, int] = {}
        for a in group_links:
            node = a.getparent()
            while node is not None:
                if node in counts:
                    counts[node] = 2
                    break
                counts[node] = 1
                node = node.getparent()
        group_items: list[HtmlElement] = []
        for a in group_links:
            item = a
            node = a.getparent()
            while node is not None and counts.get(node, 0) == 1:
                item = node
                node = node.getparent()
            if item not in items:
                items[item] = []
                group_items.append(item)
            items[item].append(a)
        # cluster by the items' grandparent: a main list and a look-alike box elsewhere split
        clusters: dict[HtmlElement | None, list[HtmlElement]] = {}
        for item in group_items:
            parent = item.getparent()
            key = parent.getparent() if parent is not None else None
            clusters.setdefault(key, []).append(item)
        groups.extend(c for c in clusters.values()
                      if len(c) >= MIN_RICH_ITEMS and not _slides(c))

    lists = [_evaluate(group, items) for group in groups]
    lists = [lst for lst in lists if lst.qualifies]
    lists.sort(key=lambda lst: lst.score, reverse=True)
    return lists


def _slides(group: list[HtmlElement]) -> bool:
    """Most items are carousel slides (the item or one of the two elements around it)."""
    hits = 0
    for item in group:
        node: HtmlElement | None = item
        for _ in range(3):
            if node is None:
                break
            if SLIDE_CLASS_RE.search(node.get("class") or ""):
                hits += 1
                break
            node = node.getparent()
    return hits * 2 > len(group)


def _evaluate(group: list[HtmlElement], items: dict[HtmlElement, list[HtmlElement]]) -> _List:
    lst = _List()
    for el in group:
        item = _Item(el)
        titles: list[tuple[int, str, str]] = []  # (rank, text, href)
        for a in items[el]:
            href = _usable_href(a) or ""
            text = _link_text(a)
            rest = _read_more_rest(text)
            if rest is not None:
                item.read_more = True
                item.href = item.href or href
                if _title_like(rest):
                    titles.append((2, rest, href))
            elif _title_like(text):
                rank = 0 if _in_heading(a) else 1
                item.in_heading = item.in_heading or rank == 0
                titles.append((rank, text, href))
        if titles:
            titles.sort(key=lambda t: (t[0], -len(t[1])))
            _, item.title, item.href = titles[0]
        lst.items.append(item)
    titled = sum(1 for it in lst.items if (it.title or it.read_more) and it.href)
    if titled < MIN_RICH_ITEMS or titled < MIN_TITLED_SHARE * len(lst.items):
        return lst  # cannot qualify: skip reading the items' text
    for item in lst.items:
        if not item.title and item.read_more:
            item.title = _headline_text(item.el)
        full = _bounded_text(item.el, MAX_ITEM_TEXT)
        if item.title and item.href:
            lst.titled += 1
            extra = weighted_len(full) - weighted_len(item.title)
            near_start = item.read_more or 0 <= full.find(item.title[:30]) <= TITLE_NEAR_START
            needed = MIN_TEASER_CHARS + (weighted_len(item.title) if item.read_more else 0)
            if near_start and extra >= needed:
                lst.rich += 1
            if weighted_len(item.title) >= BARE_TITLE_SHARE * weighted_len(full):
                lst.bare += 1
        if item.read_more:
            lst.read_more += 1
        if _DATE_RE.search(full):
            lst.dated += 1
        lst.text_chars += weighted_len(full)
        lst.texts.append(full)
    return lst


def _bounded_text(el: HtmlElement, limit: int) -> str:
    """Visible text of `el`, whitespace-normalised, reading no more than ~`limit` characters."""
    parts: list[str] = []
    size = 0
    for node in el.iter():
        tag = _tag(node)
        if tag and tag not in NON_TEXT_TAGS and node.text:
            parts.append(node.text)
            size += len(node.text)
        if node is not el and node.tail:
            parts.append(node.tail)
            size += len(node.tail)
        if size >= limit:
            break
    return normalize_space(" ".join(parts))[:limit]


# --- decision -------------------------------------------------------------------------------


def _outside_chars(doc: Document, text: str | None, lists: list[_List],
                   furniture: _FurnitureCache, limit: float | None = None) -> int:
    """Weighted characters of main content that are not inside any teaser list.

    With `limit`, counting stops as soon as the total exceeds it (the caller only compares).
    """
    inside: dict[HtmlElement, bool] = {it.el: True for lst in lists for it in lst.items}
    joined = "\n".join(t for lst in lists for t in lst.texts)
    from_text = 0
    if text:
        for para in text.split("\n"):
            para = para.strip()
            if para and (not joined or normalize_space(para)[:200] not in joined):
                from_text += weighted_len(para)
                if limit is not None and from_text > limit:
                    return from_text
    from_blocks = 0
    for block in doc.body.iter(*BLOCK_TAGS):
        if furniture(block):
            continue
        if inside:  # is the block inside a list item? ancestors judged once (memoised)
            chain: list[HtmlElement] = []
            node: HtmlElement | None = block
            within = False
            while node is not None:
                known = inside.get(node)
                if known is not None:
                    within = known
                    break
                chain.append(node)
                node = node.getparent()
            for n in chain:
                inside[n] = within
            if within:
                continue
        from_blocks += weighted_len(_bounded_text(block, MAX_ITEM_TEXT))
        if limit is not None and from_blocks > limit:
            return from_blocks
    return max(from_text, from_blocks) if text else from_blocks


def _article_metadata(doc: Document) -> bool:
    if (doc.meta_first("og:type") or "").lower() == "article":
        return True
    for obj in doc.jsonld:
        kinds = obj.get("@type")
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if any(isinstance(k, str) and k.lower() in _ARTICLE_TYPES for k in kinds):
            return True
    return False


def classify(doc: Document, text: str | None, headline: Headline | None) -> Classification:
    """Decide the page kind; for listings also their article links and the next page."""
    furniture = _FurnitureCache()
    scanned = _scan_links(doc)
    lists = _teaser_lists(scanned, furniture)
    outside: int | None = None
    if lists:
        main = lists[0]
        links = _links(doc, main)
        ratio = OUTSIDE_RATIO
        own_headline = headline is not None and headline.element is not None and not _inside(
            headline.element, {it.el for it in main.items})
        if own_headline:
            ratio = OUTSIDE_RATIO_WITH_HEADLINE
        limit = max(OUTSIDE_ABS, ratio * main.text_chars)
        # with text, only the comparison matters: counting may stop past the limit
        outside = _outside_chars(doc, text, lists, furniture, limit if text else None)
        if (outside <= limit and not _links_to_self(doc, links)
                and not (own_headline and not _links_away(doc, headline.element)
                         and (_teaser_titled(main, headline.title)
                              or _jsonld_article_titled(doc, headline.title)))):
            return Classification("listing", links, _next_link(doc, scanned, listing=True))
    # without extracted text, the paragraphs outside any list stand in for it
    if text:
        text_chars = weighted_len(text)
    else:
        text_chars = outside if outside is not None else _outside_chars(doc, text, lists,
                                                                        furniture)
    if text_chars < ERROR_MAX_CHARS and _is_error_page(doc, headline):
        return Classification("other")
    hinted = headline is not None or _article_metadata(doc)
    if text_chars >= ARTICLE_MIN_CHARS or (hinted and text_chars >= ARTICLE_MIN_CHARS_WITH_HINTS):
        return Classification("article", (), _next_link(doc, scanned, listing=False))
    return Classification("other")


def links_and_next(doc: Document, page_kind: PageKind) -> tuple[tuple[Link, ...], str | None]:
    """Links and next page of a page whose kind the caller knows (a site profile's
    `listing_allow`/`article_allow`), read with that kind's rules whatever `classify` made of it:
    for a listing its best teaser list's links (if one qualifies) and any next page, so that a
    listing misread as an article keeps its pagination; for an article only a next page of the
    same document; nothing for other pages."""
    if page_kind == "other":
        return (), None
    scanned = _scan_links(doc)
    if page_kind == "article":
        return (), _next_link(doc, scanned, listing=False)
    lists = _teaser_lists(scanned, _FurnitureCache())
    return (_links(doc, lists[0]) if lists else ()), _next_link(doc, scanned, listing=True)


def _teaser_titled(main: _List, title: str) -> bool:
    """One of the list's teasers carries the page's own headline (printed outside the list):
    the list is a stream of "latest" items beside the article it shows, not a listing (whose
    headline is a section name, never one of its teasers' titles)."""
    wanted = _BLANKS_RE.sub("", title).lower()
    if weighted_len(wanted) < MIN_TITLE_CHARS:
        return False
    return any(_BLANKS_RE.sub("", it.title).lower() == wanted for it in main.items if it.title)


def _links_away(doc: Document, el: HtmlElement) -> bool:
    """The headline is (in) a link to another page: a featured story's teaser on a front
    page, not the page's own headline."""
    own = _own_urls(doc.url)
    node: HtmlElement | None = el
    for _ in range(3):
        if node is None:
            break
        if _tag(node) == "a" and _usable_href(node):
            return comparable_url(join_url(doc.url, _usable_href(node))) not in own
        node = node.getparent()
    for a in el.iter("a"):
        href = _usable_href(a)
        if href and comparable_url(join_url(doc.url, href)) not in own:
            return True
    return False


def _jsonld_article_titled(doc: Document, title: str) -> bool:
    """The page declares, in JSON-LD, an article whose headline is the one it prints outside
    the list: it is that article, and the list beside it is a "more news" box. (A listing's
    printed heading is a section name, not an article's headline; og:type alone is not
    trusted, CMSs put `article` on category pages.)"""
    wanted = _BLANKS_RE.sub("", title).lower()
    if weighted_len(wanted) < MIN_TITLE_CHARS:
        return False
    for obj in doc.jsonld:
        kinds = obj.get("@type")
        kinds = kinds if isinstance(kinds, list) else [kinds]
        if not any(isinstance(k, str) and k.lower() in _ARTICLE_TYPES for k in kinds):
            continue
        name = obj.get("headline") or obj.get("name")
        if isinstance(name, str) and _BLANKS_RE.sub("", name).lower() == wanted:
            return True
    return False


def _inside(el: HtmlElement, items: set[HtmlElement]) -> bool:
    node: HtmlElement | None = el
    while node is not None:
        if node in items:
            return True
        node = node.getparent()
    return False


def _links_to_self(doc: Document, links: tuple[Link, ...]) -> bool:
    """A list that links to the page itself is a "latest news" box on an article."""
    canonical = next((el.get("href") for el in doc.tree.iter("link")
                      if (el.get("rel") or "").lower() == "canonical" and el.get("href")), None)
    own = _own_urls(doc.url, join_url(doc.url, canonical) if canonical else None)
    return any(comparable_url(link.url) in own for link in links)


def _own_urls(*urls: str | None) -> set[str]:
    """The comparable forms of the page's own URLs (an unparseable one matches nothing)."""
    return {c for c in map(comparable_url, urls) if c is not None}


def _is_error_page(doc: Document, headline: Headline | None) -> bool:
    title_el = doc.head.find("title") if doc.head is not None else None
    titles = [headline.title if headline is not None else "",
              title_el.text_content() if title_el is not None else ""]
    return any(ERROR_TITLE_RE.search(t[:200]) for t in titles if t)


def _links(doc: Document, main: _List) -> tuple[Link, ...]:
    base = base_url(doc)
    seen: set[str] = set()
    out: list[Link] = []
    for item in main.items:
        if not item.href:
            continue
        url = join_url(base, item.href)
        if url is None or url in seen:
            continue
        seen.add(url)
        out.append(Link(url, item.title))
    return tuple(out)


# --- pagination -----------------------------------------------------------------------------


def _in_pager(a: HtmlElement) -> bool:
    node = a.getparent()
    for _ in range(4):
        if node is None or _tag(node) in ("body", "html"):
            return False
        if PAGER_RE.search(class_id(node)) or (node.get("aria-label") or "").lower() in (
            "pagination", "pager", "page navigation", "seitennavigation"
        ):
            return True
        numbers = sum(1 for x in node.iter("a") if _NUM_RE.match(x.text_content().strip()))
        if numbers >= 2:
            return True
        node = node.getparent()
    return False


def _in_comments(a: HtmlElement) -> bool:
    node = a.getparent()
    while node is not None:
        if COMMENT_RE.search(class_id(node)):
            return True
        node = node.getparent()
    return False


def _same_article_page(current: str, nxt: str) -> bool:
    """`nxt` is another page of the same document: `/2/`, `-p2.html`, `_1.shtml`, `?page=2`."""
    a, b = split_url(current), split_url(nxt)
    if a is None or b is None:
        return False
    if a.netloc and b.netloc and a.netloc.lower() != b.netloc.lower():
        return False
    stem = re.sub(r"\.[a-z]{2,5}$", "", a.path.rstrip("/"), flags=re.I)
    other = re.sub(r"\.[a-z]{2,5}$", "", b.path.rstrip("/"), flags=re.I)
    if other == stem:
        old = dict(parse_qsl(a.query))
        new = dict(parse_qsl(b.query))
        changed = {k for k in new if new[k] != old.get(k)}
        return bool(changed) and all(_next_page_value(k, old.get(k), new[k]) for k in changed)
    return other.startswith(stem) and bool(PAGE_SUFFIX_RE.fullmatch(other[len(stem):]))


def _next_page_value(key: str, old: str | None, new: str) -> bool:
    """`?page=2` after no page, `?page=3` after `?page=2`, any larger `?start=`: not `?p=<id>`."""
    if not PAGE_PARAM_RE.fullmatch(key) or not new.isdigit():
        return False
    if key.lower() in OFFSET_PARAMS:
        return old is None or (old.isdigit() and int(new) > int(old))
    if old is None:
        return int(new) <= 2
    return old.isdigit() and int(new) == int(old) + 1


def _next_link(doc: Document, scanned: _Links, *, listing: bool) -> str | None:
    base = base_url(doc)
    candidates: list[tuple[int, str, HtmlElement | None]] = []
    head = doc.head
    if head is not None:
        for link in head.iter("link"):
            if "next" in (link.get("rel") or "").lower().split() and link.get("href"):
                candidates.append((0, link.get("href").strip(), None))
    for a, href, raw in scanned.next_candidates:
        rel = a.get("rel")
        label = f"{a.get('aria-label') or ''} {a.get('title') or ''}".strip()
        cls = a.get("class") or ""
        if len(raw) > MAX_NEXT_TEXT and not rel and not label and "next" not in cls:
            continue  # a "next" link has a short text: most links are skipped here
        text = normalize_space(raw)
        if ARTICLE_NAV_RE.search(text):
            continue
        stripped = _strip_arrows(text)
        if "next" in (rel or "").lower().split():
            candidates.append((1, href, a))
        elif stripped in NEXT_WORDS or (not stripped and NEXT_LABEL_RE.search(label)):
            candidates.append((2 if _in_pager(a) else 3, href, a))
        elif label and NEXT_LABEL_RE.search(label) and len(stripped) <= 12:
            candidates.append((2 if _in_pager(a) else 4, href, a))
        elif (text in NEXT_ARROWS or "next" in cls.lower().split()) and _in_pager(a):
            candidates.append((4, href, a))
    numbered = _numbered_next(doc) if scanned.numbered else None
    if numbered is not None:
        candidates.append((5, *numbered))
    candidates.sort(key=lambda c: c[0])
    current = doc.url.split("#")[0].rstrip("/")
    for _, href, el in candidates:
        url = join_url(base, href)
        if url is None or url.split("#")[0].rstrip("/") == current:
            continue
        if listing:
            return url
        if _same_article_page(doc.url, url) and (el is None or not _in_comments(el)):
            return url
    return None


def _numbered_next(doc: Document) -> tuple[str, HtmlElement] | None:
    """In a numbered pager, the link to the page after the marked current one."""
    for el in doc.body.iter("a", "span", "strong", "b", "em", "font"):
        raw = el.text_content() if len(el) else el.text or ""
        m = _NUM_RE.match(raw.strip()) if len(raw) <= MAX_NEXT_TEXT else None
        if m is None:
            continue
        parent = el.getparent()
        if _tag(el) == "a":
            marked = el.get("aria-current") in ("page", "true") or CURRENT_RE.search(class_id(el))
            marked = marked or (parent is not None and _tag(parent) == "li"
                                and CURRENT_RE.search(class_id(parent)))
        else:  # an unlinked number among linked ones is the current page
            marked = parent is None or _tag(parent) != "a"
        if not marked:
            continue
        want = str(int(m.group(1)) + 1)
        pager = parent
        for _ in range(3):
            if pager is None or _tag(pager) in ("body", "html"):
                break
            numbers = 0
            found: HtmlElement | None = None
            for link in pager.iter("a"):
                n = _NUM_RE.match(link.text_content().strip())
                if n and _usable_href(link):
                    numbers += 1
                    if n.group(1) == want:
                        found = link
            if found is not None and numbers >= 1:
                return found.get("href").strip(), found
            if numbers >= 2:  # the pager, and no page after the current one: last page
                return None
            pager = pager.getparent()
    return None
