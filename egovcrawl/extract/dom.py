"""The parsed page shared by every field extractor: one parse per page, read-only.

Field modules receive a `Document` and must not mutate `doc.tree` (text extraction works on its
own copy of the subtree it keeps), so the order in which fields are extracted never matters.
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from lxml import etree, html
from lxml.html import HtmlElement

from egovcrawl.extract.hints import DEFAULT_HINTS, SiteHints

# Elements whose text is never content.
NON_TEXT_TAGS = frozenset({"script", "style", "noscript", "template", "svg", "math", "iframe",
                           "object", "embed", "canvas", "select", "option", "button", "input",
                           "textarea"})
# Structural containers that are page furniture, not the article.
FURNITURE_TAGS = frozenset({"nav", "aside", "footer", "header", "menu"})
# class/id tokens that mark furniture. Kept as data so site profiles and tuning can extend them.
FURNITURE_TOKENS = (
    "nav", "navbar", "navigation", "menu", "sidebar", "side-bar", "widget", "footer", "header",
    "breadcrumb", "breadcrumbs", "cookie", "share", "sharing", "social", "related", "comments",
    "comment", "banner", "advert", "ads", "popular", "most-read", "latest", "toolbar", "topbar",
    "masthead", "pagination", "pager", "copyright", "sitemap", "skip",
)
_TOKEN_SPLIT = re.compile(r"[\s_\-]+")
_FURNITURE_RE = re.compile(
    r"(?:^|[\s_\-])(?:" + "|".join(re.escape(t) for t in FURNITURE_TOKENS) + r")(?:$|[\s_\-\d])",
    re.I,
)

_WS_RE = re.compile(r"[ \t\r\f\v\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
# the same runs, less the single plain spaces that need no replacing (most blanks in prose):
# a substitution per word boundary was most of normalize_space's time
_WS_TO_SPACE_RE = re.compile(r"(?: (?=[ \t\r\f\v\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000])"
                             r"|[\t\r\f\v\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000])"
                             r"[ \t\r\f\v\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]*")
_ZERO_WIDTH_RE = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
_NL_RE = re.compile(r" *\n[ \n]*")


def normalize_space(text: str) -> str:
    """Collapse every kind of blank (nbsp, full-width space, zero-width) to single spaces."""
    text = _ZERO_WIDTH_RE.sub("", text)
    return _WS_TO_SPACE_RE.sub(" ", text.replace("\n", " ")).strip()


def normalize_block(text: str) -> str:
    """Like `normalize_space` but keeps line breaks (collapsing blank runs to one line break)."""
    text = _ZERO_WIDTH_RE.sub("", text)
    text = _WS_RE.sub(" ", text)
    return _NL_RE.sub("\n", text).strip()


def element_text(el: HtmlElement) -> str:
    """Visible text of an element, skipping scripts/styles, whitespace-normalised.

    Iterative (not recursive) so that pathologically deep markup cannot hit the recursion limit.
    """
    parts: list[str] = []
    if el.text:
        parts.append(el.text)
    stack = list(reversed(el))
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            parts.append(node)
            continue
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag and tag not in NON_TEXT_TAGS:
            if node.text:
                parts.append(node.text)
            # the tail is pushed as a marker so that it comes after the children's text
            if node.tail:
                stack.append(node.tail)
            stack.extend(reversed(node))
        elif node.tail:
            parts.append(node.tail)
    return normalize_space(" ".join(parts))


def class_id(el: HtmlElement) -> str:
    return f"{el.get('class', '')} {el.get('id', '')}".strip()


# a class token naming content ("content-sidebar-wrap", "main-navigation-free") is a layout wrapper
CONTENT_WORDS = ("content", "main", "article", "entry", "post", "primary")
FURNITURE_ROLES = frozenset({"navigation", "banner", "contentinfo", "complementary"})


def is_self_furniture(el: HtmlElement, memo: dict[str, bool] | None = None) -> bool:
    """True if this element itself (not its ancestors) is navigation, a sidebar, a footer...

    `memo` (class/id string -> verdict), kept by a caller judging many elements of one page,
    saves the regex for the class strings that menus and lists repeat.
    """
    tag = el.tag  # not a str for comments: in neither set below
    if tag in FURNITURE_TAGS:
        return True
    if tag == "html" or tag == "body":
        return False
    get = el.get
    if get("role") in FURNITURE_ROLES:
        return True
    cls = get("class")
    ident = get("id")
    if not cls and not ident:
        return False  # most elements: no class, no id
    ci = f"{cls or ''} {ident or ''}"
    if memo is None:
        return furniture_class_id(ci)
    verdict = memo.get(ci)
    if verdict is None:
        verdict = memo[ci] = furniture_class_id(ci)
    return verdict


def furniture_class_id(ci: str) -> bool:
    """True if a class/id string marks furniture (a token naming content does not)."""
    ci = ci.strip()
    if not ci or not _FURNITURE_RE.search(ci):
        return False
    # rare path, only for elements that look like furniture: judge token by token
    return any(_FURNITURE_RE.search(token) and not any(w in token for w in CONTENT_WORDS)
               for token in ci.lower().split())


def is_furniture(el: HtmlElement) -> bool:
    """True if the element or an ancestor is navigation, header, footer, sidebar or similar."""
    node: HtmlElement | None = el
    while node is not None:
        if is_self_furniture(node):
            return True
        node = node.getparent()
    return False


#: Text nodes this long are scripts or prose paragraphs, never a label or a footer line: blanked
#: in a `TextIndex` so that label searches skip them.
MAX_LABEL_NODE_CHARS = 1000
_ALL_TEXT = etree.XPath(".//text()", smart_strings=False)


class TextIndex:
    """Every text node under one element as plain strings, and their "\x00"-joined string.

    Built once per element per page and shared: views, site counter, copyright and source all
    search the same text nodes for their labels (one regex over `joined`), then fetch only the
    few nodes that hit. Long nodes (see MAX_LABEL_NODE_CHARS) are blanked in `joined`.
    """

    __slots__ = ("_blanked", "_sizes", "joined", "texts")

    def __init__(self, root: HtmlElement) -> None:
        self.texts: list[str] = _ALL_TEXT(root)
        blanked = self.texts
        if blanked and max(map(len, blanked)) >= MAX_LABEL_NODE_CHARS:
            blanked = [t if len(t) < MAX_LABEL_NODE_CHARS else "" for t in blanked]
        self._blanked = blanked
        self.joined = "\x00".join(blanked)
        self._sizes: list[int] | None = None

    def _end(self, index: int) -> int:
        """Offset in `joined` just after node `index` and its separator."""
        if self._sizes is None:  # running total of the (blanked) node lengths
            self._sizes = list(itertools.accumulate(map(len, self._blanked)))
        return self._sizes[index] + index + 1

    def start_of(self, index: int) -> int:
        """Offset in `joined` where node `index` begins."""
        return self._end(index - 1) if index > 0 else 0

    def node_at(self, offset: int) -> int:
        """Index of the node holding `offset` of `joined` (binary search)."""
        lo, hi = 0, len(self.texts)
        while lo < hi:
            mid = (lo + hi) // 2
            if offset < self._end(mid):
                hi = mid
            else:
                lo = mid + 1
        return lo


_PARSER = html.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False,
                          default_doctype=False, huge_tree=False)

#: libxml2's HTML parser compares each attribute of a start tag with all the earlier ones, in C
#: where no signal can interrupt it: quadratic in the attributes of one tag (300,000 take
#: minutes). Real tags carry a few dozen; a start tag's attributes beyond this many are dropped
#: before parsing.
MAX_ATTRIBUTES = 1000
#: Start tags this long or longer are checked (a shorter one holds at most ~1,400 attributes:
#: milliseconds). Such a tag leaves an aligned window of half this length without `>` (or, when
#: its values quote `>`s, without `<`): one C-level `find` per window finds them, so ordinary
#: pages are scanned in microseconds and parse their text untouched.
LONG_TAG_CHARS = 4096
_TAG_OPEN_RE = re.compile(r"<[A-Za-z]")
# a start tag as the HTML tokenizer reads it: attribute names take any character but blanks, `/`
# and `>`; quotes open values only after `=`. It ends at the first `>` outside quoted values (or
# the end of the text); it cannot fail, so its repetitions never backtrack. (A quote that is
# never closed scans to the end of the text once: a later quote would have closed it.)
_VALUE = r"""(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]*))?"""
_ATTRIBUTE = rf"[^\s/>][^\s/>=]*{_VALUE}"
_START_TAG_RE = re.compile(rf"<([A-Za-z][^\s/>]*)(?:[\s/]*{_ATTRIBUTE})*[\s/]*>?")
_TAG_NAME_RE = re.compile(r"<[A-Za-z][^\s/>]*")
# the first MAX_ATTRIBUTES attributes after a tag's name, then one more: a bounded look at any
# tag (atomic: names may split anywhere, so a failing count must not try other splits)
_FIRST_ATTRIBUTES_RE = re.compile(rf"(?>[\s/]*{_ATTRIBUTE}){{{MAX_ATTRIBUTES}}}")
_NEXT_ATTRIBUTE_RE = re.compile(rf"[\s/]*{_ATTRIBUTE}")
#: Where the tokenizer reads no tags: comments, and elements whose content libxml2 takes as text
#: up to their end tag (plaintext: to the end of the page). Attributes are not cut in there.
_RAW_TEXT = ("script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes",
             "plaintext")
_NO_TAGS_RE = re.compile(r"<!--|<(" + "|".join(_RAW_TEXT) + r")(?=[\s/>])", re.I)
_RAW_TEXT_END = {name: re.compile(rf"</{name}(?=[\s/>])" if name != "plaintext" else r"\Z", re.I)
                 for name in _RAW_TEXT}


def _no_tags_region(text: str, m: re.Match[str]) -> tuple[int, int]:
    """(start, end) of the comment or raw-text content that `m` (from _NO_TAGS_RE) opens."""
    if m.group(1) is None:
        end = text.find("-->", m.end())
        return m.start(), end + 3 if end >= 0 else len(text)
    tag_end = _START_TAG_RE.match(text, m.start()).end()
    if text.endswith("/>", 0, tag_end):  # libxml2 honours <script/>
        return tag_end, tag_end
    close = _RAW_TEXT_END[m.group(1).lower()].search(text, tag_end)
    return tag_end, close.start() if close is not None else len(text)


def cap_attributes(text: str) -> str:
    """`text` with every start tag of LONG_TAG_CHARS or more that holds more than MAX_ATTRIBUTES
    attributes cut to its first MAX_ATTRIBUTES.

    Linear: windows, candidate tags and the regions without tags (comments, script/style...
    content, where a cut could drop their end) are all walked forward once.
    """
    half = LONG_TAG_CHARS // 2
    find, rfind = text.find, text.rfind
    out: list[str] = []
    done = pos = 0
    region = (-1, -1)
    no_tags: re.Match[str] | None = None  # the next comment or raw-text element, once needed
    seen_long = False

    def cut(start: int) -> int:
        """Cut the tag opening at `start` if it holds too many attributes; where it ends."""
        nonlocal done, region, no_tags, seen_long
        first = _FIRST_ATTRIBUTES_RE.match(text, _TAG_NAME_RE.match(text, start).end())
        if first is None or _NEXT_ATTRIBUTE_RE.match(text, first.end()) is None:
            return _START_TAG_RE.match(text, start).end()  # at most MAX_ATTRIBUTES to read
        # a cut in a script or comment could drop its end: there, `<` opens no tag anyway
        if not seen_long:
            seen_long, no_tags = True, _NO_TAGS_RE.search(text)
        while no_tags is not None and no_tags.start() <= start:
            region = _no_tags_region(text, no_tags)
            no_tags = _NO_TAGS_RE.search(text, max(region[1], no_tags.end()))
            if region[1] > start:
                break
        if region[0] <= start < region[1]:
            return region[1]
        end = _START_TAG_RE.match(text, start).end()
        if no_tags is not None and no_tags.start() < end:  # in this tag's values: opens nothing
            no_tags = _NO_TAGS_RE.search(text, end)
        out.append(text[done:first.end()])
        out.append(">")
        done = end
        return end

    lt_seen = 0  # `<`s before this were looked at
    for start in range(0, len(text) - half + 1, half):
        end = start + half
        if end <= pos:
            continue
        if find("<", start, end) < 0:
            # a long tag quoting `>`s in its values opens at the last `<` before this window
            lt = rfind("<", max(pos, lt_seen), start)
            lt_seen = end
            if lt >= 0 and _TAG_OPEN_RE.match(text, lt):
                pos = max(pos, cut(lt))
        if end > pos and find(">", start, end) < 0:
            # every tag opening between the last `>` and the next reaches past this window
            hi = find(">", end)
            hi = len(text) if hi < 0 else hi
            lo = max(pos, rfind(">", pos, start) + 1)
            # (`find` first: scripts and JSON without `>` mostly hold no `<` either)
            while (lt := find("<", lo, hi)) >= 0 and (
                    m := _TAG_OPEN_RE.search(text, lt, hi)) is not None:
                lo = cut(m.start())  # past `hi`, unless `m` is in a script or comment
            pos = max(pos, lo, hi)
    if not out:
        return text
    out.append(text[done:])
    return "".join(out)


def parse_html(text: str) -> HtmlElement:
    """Parse HTML text into an <html> root, never raising on broken or empty markup."""
    if not text.strip():
        return html.document_fromstring("<html><body></body></html>")
    # lxml refuses str input carrying an XML encoding declaration
    if text.lstrip().startswith("<?xml"):
        text = re.sub(r"^\s*<\?xml[^>]*>", "", text, count=1)
    text = cap_attributes(text)
    try:
        root = html.document_fromstring(text, parser=_PARSER)
    except (etree.ParserError, ValueError):
        root = html.document_fromstring("<html><body></body></html>")
    return root


#: Comments read per page, and characters of each: bounds hostile pages (comments are only
#: searched for metadata some CMSs print inside them, e.g. an RDF trackback block).
MAX_COMMENTS = 500
MAX_COMMENT_CHARS = 5000


def html_comments(text: str) -> tuple[str, ...]:
    """The `<!-- ... -->` comments of an HTML text, in order. The parser drops comments (no
    field reads them as text), so the few rules that read metadata hidden in them get them here,
    from the source text, with a C-level `find` per comment (linear, no regex over the page)."""
    out: list[str] = []
    pos = text.find("<!--")
    while pos >= 0 and len(out) < MAX_COMMENTS:
        end = text.find("-->", pos + 4)
        if end < 0:
            break
        out.append(text[pos + 4:min(end, pos + 4 + MAX_COMMENT_CHARS)])
        pos = text.find("<!--", end + 3)
    return tuple(out)


def _lang_code(value: str | None) -> str | None:
    if not value:
        return None
    code = value.strip().lower().replace("_", "-").split("-")[0].split(",")[0].strip()
    return code if re.fullmatch(r"[a-z]{2,3}", code) else None


@dataclass
class Document:
    """One parsed page plus lazily computed lookups (meta tags, JSON-LD) shared by all fields."""

    tree: HtmlElement
    url: str
    encoding: str = "utf-8"
    hints: SiteHints = field(default=DEFAULT_HINTS)
    #: the decoded HTML the tree was parsed from ("" when unknown): only for `comments`
    source: str = field(default="", repr=False)

    @classmethod
    def from_text(cls, text: str, url: str, *, encoding: str = "utf-8",
                  hints: SiteHints | None = None) -> Document:
        return cls(parse_html(text), url, encoding, hints or DEFAULT_HINTS, text)

    @cached_property
    def comments(self) -> tuple[str, ...]:
        """The page's HTML comments (the parsed tree has none), from `source`."""
        return html_comments(self.source)

    @cached_property
    def head(self) -> HtmlElement | None:
        return self.tree.find("head")

    @cached_property
    def body(self) -> HtmlElement:
        body = self.tree.find("body")
        return body if body is not None else self.tree

    @cached_property
    def all_elements(self) -> list[HtmlElement]:
        """Every node of the page in document order, listed once per page.

        Holding them also keeps lxml's Python proxies alive for the Document's life: lxml.html
        builds a proxy through a Python-level class lookup whenever a walk meets an element that
        nobody holds, so without this each field's walk (text, dates, classify...) pays that
        again for every element. Field modules touch it first thing (about 0.2 ms per page, and
        0.5-0.7 ms saved over the later walks on the eval-dev pages)."""
        return list(self.tree.iter())

    @cached_property
    def meta(self) -> dict[str, list[str]]:
        """<meta> contents by lowercased name / property / itemprop / http-equiv."""
        out: dict[str, list[str]] = {}
        for m in self.tree.iter("meta"):
            content = m.get("content")
            if content is None:
                continue
            for attr in ("name", "property", "itemprop", "http-equiv"):
                key = m.get(attr)
                if key:
                    out.setdefault(key.strip().lower(), []).append(content.strip())
        return out

    def meta_first(self, *names: str) -> str | None:
        for name in names:
            for value in self.meta.get(name, ()):
                if value:
                    return value
        return None

    @cached_property
    def jsonld(self) -> list[dict[str, Any]]:
        """Every JSON-LD object on the page, flattened out of lists and @graph."""
        found: list[dict[str, Any]] = []
        for script in self.tree.iter("script"):
            if (script.get("type") or "").strip().lower() != "application/ld+json":
                continue
            raw = (script.text or "").strip()
            if not raw:
                continue
            # RecursionError: JSON nested deeper than the interpreter's recursion limit
            try:
                data = json.loads(raw)
            except (ValueError, RecursionError):
                try:  # common breakage: trailing commas / control characters
                    data = json.loads(re.sub(r",\s*([}\]])", r"\1", raw), strict=False)
                except (ValueError, RecursionError):
                    continue
            stack = [data]
            while stack:
                item = stack.pop()
                if isinstance(item, list):
                    stack.extend(reversed(item))
                elif isinstance(item, dict):
                    found.append(item)
                    graph = item.get("@graph")
                    if isinstance(graph, list):
                        stack.extend(reversed(graph))
        return found

    @cached_property
    def html_lang(self) -> str | None:
        """Declared language (<html lang>, Content-Language meta), ISO 639-1 when possible."""
        return _lang_code(self.tree.get("lang") or self.tree.get("xml:lang")) or _lang_code(
            self.meta_first("content-language", "og:locale", "language", "dc.language")
        )

    @cached_property
    def _text_indexes(self) -> dict[HtmlElement, TextIndex]:
        return {}

    def text_index(self, root: HtmlElement | None = None) -> TextIndex:
        """The text nodes under `root` (default: <body>), collected once per page and element."""
        root = self.body if root is None else root
        index = self._text_indexes.get(root)
        if index is None:
            index = self._text_indexes[root] = TextIndex(root)
        return index

    def select(self, selector: str) -> list[HtmlElement]:
        """Elements matching a CSS selector, or an XPath when it starts with '/' or '('."""
        try:
            if selector.lstrip().startswith(("/", "(")):
                result = self.tree.xpath(selector)
                return [r for r in result if isinstance(r, HtmlElement)]
            return self.tree.cssselect(selector)
        except (etree.XPathError, SyntaxError, ValueError) as exc:
            raise ValueError(f"bad selector {selector!r}: {exc}") from exc
