"""Label search over text nodes and count parsing, shared by the meta-line and footer fields.

Views, site counter, copyright and source all look for short labelled texts (`浏览次数：`,
`Today`, `©`, `来源：`) and then read the small element around them. They search the same
per-page `TextIndex` (dom.Document.text_index: the text nodes collected once) with one regex of
literal needles each, and touch elements only for the few nodes that hit.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from lxml import etree
from lxml.html import HtmlElement

from egovcrawl.extract.dom import Document, normalize_space

if TYPE_CHECKING:
    from egovcrawl.extract.title import Headline

# --- data -------------------------------------------------------------------------------------

#: A count: thousands-grouped (`1,234` `1.208` `1 234` `1'234`, thin spaces) or plain digits with
#: an optional decimal part that only a multiplier (`1.2万`, `3.4k`) makes meaningful.
NUMBER = (
    r"(?P<num>\d{1,3}(?:[,.'\u00a0\u2009\u202f ]\d{3})+(?!\d)|\d+(?:[.,]\d+)?(?![\d]))"
    r"\s*(?P<mult>万|亿|千|[kKmM](?![A-Za-z]))?"
)
MULTIPLIERS = {"千": 1_000, "万": 10_000, "亿": 100_000_000, "k": 1_000, "m": 1_000_000}
#: Counts at or above this are not views or visitors (no page reaches 100 billion) but ids, phone
#: numbers or garbage; the one cap every count field shares, and it keeps each count far inside
#: the archive's 64-bit INTEGER columns.
MAX_COUNT = 10**11
#: A number written with more characters than this cannot be a count below MAX_COUNT (even
#: grouped, with decimals before a multiplier); refused before int()/float() see it, which raise
#: on thousands of digits (int's digit limit) or overflow to inf.
MAX_COUNT_CHARS = 24
#: How far above the headline the article's meta line may hang (ancestor levels).
HEADLINE_LEVELS = 4
#: Text nodes fetched per search (the hits nearest the start, or the end with `last`).
MAX_TEXT_NODES_FETCHED = 40
#: Characters either side of a hit that `window_ok` sees, and how many hits it may look at.
WINDOW = 120
MAX_WINDOW_CHECKS = 200
#: Elements whose text is never a visible label.
SKIP_PARENTS = frozenset({"script", "style", "noscript", "template", "textarea", "option",
                          "select", "title"})

#: The k-th text node under an element: one axis walk, no node-set sort (a positional `or`
#: predicate over `(.//text())` cost several times more).
_NTH_TEXT = etree.XPath("descendant::text()[$k]")
_SEP_RE = re.compile(r"[,.'\u00a0\u2009\u202f ]")
_DIGITS_RE = re.compile(r"\d+")
_GROUPED_RE = re.compile(r"\d{1,3}(?:[,.'\u00a0\u2009\u202f ]\d{3})+")


# --- counts -----------------------------------------------------------------------------------


def parse_count(num: str, mult: str | None = None) -> int | None:
    """`1,234` / `1.208` / `1 234` / `1.2` + `万` -> int; a bare decimal (`1.5`) is not a count,
    nor a number of MAX_COUNT or more."""
    if len(num) > MAX_COUNT_CHARS:
        return None
    value: int | None = None
    if mult:
        factor = MULTIPLIERS.get(mult.lower(), 1)
        try:
            number = float(num.replace(",", ".")) if num.count(",") + num.count(".") <= 1 \
                else float(_SEP_RE.sub("", num))
        except ValueError:
            return None
        value = round(number * factor)
    elif _DIGITS_RE.fullmatch(num):
        value = int(num)
    elif _GROUPED_RE.fullmatch(num):
        value = int(_SEP_RE.sub("", num))
    return value if value is not None and 0 <= value < MAX_COUNT else None


# --- text-node search -------------------------------------------------------------------------


def needle_re(needles: Iterable[str]) -> re.Pattern[str]:
    """One alternation of literal needles (cheaper than a `str.find` per needle)."""
    return re.compile("|".join(re.escape(n) for n in sorted(needles, key=len, reverse=True)))


def text_nodes_with(doc: Document, root: HtmlElement, needles: re.Pattern[str], *,
                    last: int | None = None,
                    window_ok: Callable[[str], bool] | None = None) -> list[Any]:
    """Text nodes under `root` where `needles` matches, as lxml smart strings (with getparent()).

    The page's text nodes under `root` are collected once (`doc.text_index`); one regex finds
    the hits; `window_ok` may reject a hit from the text around it (nodes joined) before any
    element is touched; a second pass fetches only the surviving nodes. Several times cheaper
    than XPath `contains()` per needle or a Python walk over every element.
    `last` limits the search to the final N text nodes.
    """
    index = doc.text_index(root)
    joined = index.joined
    first = max(0, len(index.texts) - last) if last else 0
    begin = index.start_of(first) if first else 0
    hits: list[int] = []
    checks = 0
    for m in needles.finditer(joined, begin):
        if window_ok is not None:
            checks += 1
            if checks > MAX_WINDOW_CHECKS:  # hostile or repetitive page: stop looking
                break
            window = joined[max(begin, m.start() - WINDOW):m.end() + WINDOW].replace("\x00", " ")
            if not window_ok(window):
                continue
        hits.append(m.start())
        if len(hits) >= 4 * MAX_TEXT_NODES_FETCHED:
            break
    if not hits:
        return []
    nodes_at = sorted({index.node_at(h) for h in hits})[:MAX_TEXT_NODES_FETCHED]
    nodes = [n for i in nodes_at for n in _NTH_TEXT(root, k=i + 1)]
    return [n for n in nodes if text_owner(n) is not None]


def text_owner(node: Any) -> HtmlElement | None:
    """The element a text node is visibly inside (for a tail: the parent of its element)."""
    el = node.getparent()
    if el is None:
        return None
    if node.is_tail:
        el = el.getparent()
    if el is None or not isinstance(el.tag, str) or el.tag in SKIP_PARENTS:
        return None
    return el


def bounded_text(el: HtmlElement, limit: int) -> str | None:
    """Visible text of `el` (scripts skipped, blanks collapsed), or None once it exceeds `limit`
    characters. Stops early, so climbing from a label into a huge wrapper costs little."""
    parts: list[str] = [el.text] if el.text else []
    size = len(el.text or "")
    stack: list[Any] = list(reversed(el))
    while stack:
        if size > limit * 3:  # raw text before blanks collapse: generous
            return None
        node = stack.pop()
        if isinstance(node, str):
            parts.append(node)
            size += len(node)
            continue
        tag = node.tag if isinstance(node.tag, str) else ""
        if node.tail:
            stack.append(node.tail)
        if tag in SKIP_PARENTS or tag in ("noscript", "svg", "select", "button"):
            continue
        stack.extend(reversed(node))
        if node.text:
            stack.append(node.text)
    text = normalize_space(" ".join(parts))
    return text if len(text) <= limit else None


def headline_levels(headline: Headline | None,
                    max_level: int = HEADLINE_LEVELS) -> dict[HtmlElement, int]:
    """The headline element and its ancestors up to `max_level` (body/html excluded) -> level."""
    levels: dict[HtmlElement, int] = {}
    el = headline.element if headline else None
    level = 0
    while el is not None and level <= max_level and el.tag not in ("body", "html"):
        levels[el] = level
        el = el.getparent()
        level += 1
    return levels
