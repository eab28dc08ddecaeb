"""Site counter: the site-wide visitor counter (`Today 284 / Yesterday 662 / All 39463192`).

Portals and Joomla/WordPress sites print a visitor widget in the header, sidebar or footer. It is
kept apart from `views` (the article's own count): the two modules use disjoint wording, and
`views` refuses any number next to site-counter words.

Generic search: text nodes with counter wording anywhere on the page; from each, climb to the
smallest block that holds the whole widget (label/number pairs often sit in separate table cells)
and parse it. A lone `Today 12` is too weak on its own (prose says that too): a counter needs two
of today/yesterday/total, or an unambiguous label (`总访问量`, `Visitors today`, `您是第N位访问者`).
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from egovcrawl.extract.dom import Document, normalize_space
from egovcrawl.extract.model import SiteCounter
from egovcrawl.extract.textnodes import (
    NUMBER,
    bounded_text,
    needle_re,
    parse_count,
    text_nodes_with,
)

# --- data -------------------------------------------------------------------------------------

#: Labels per field. Longer/more specific labels first; `strong` ones prove a counter alone.
TODAY_LABELS = (
    "visitors today", "visits today", "today's visitors", "today visitors", "besucher heute",
    "heute", "today", "今日访问量", "今日访问人数", "今日访问人次", "今日访问", "今日访客",
    "今日浏览量", "今日浏览", "今日点击", "今天访问量", "今天访问", "今日", "今天", "本日",
)
YESTERDAY_LABELS = (
    "visitors yesterday", "visits yesterday", "yesterday's visitors", "besucher gestern",
    "gestern", "yesterday", "昨日访问量", "昨日访问人数", "昨日访问", "昨日访客", "昨日浏览量",
    "昨日浏览", "昨天访问量", "昨天访问", "昨日", "昨天",
)
TOTAL_LABELS = (
    "total visitors", "total visits", "visitors total", "all visitors", "besucher gesamt",
    "besucher insgesamt", "gesamtbesucher", "insgesamt", "gesamt", "visitors", "besucher",
    "total", "all", "网站总访问量", "网站访问量", "总访问量", "总访问人数", "总访问人次", "总访问",
    "累计访问量", "累计访问人数", "累计访问人次", "累计访问", "访问总量", "总浏览量", "总点击量",
    "总点击", "访问量", "访问人数", "访问人次", "累计", "总计", "总数", "合计",
)
#: Labels that make a counter by themselves (a lone `Today 12` or `All 5` does not).
STRONG_LABELS = (
    "visitors today", "visits today", "today's visitors", "today visitors", "besucher heute",
    "visitors yesterday", "besucher gestern", "total visitors", "total visits", "visitors total",
    "all visitors", "besucher gesamt", "besucher insgesamt", "gesamtbesucher", "visitors",
    "besucher", "今日访问量", "今日访问人数", "今日访问人次", "今日访问", "今日访客",
    "今日浏览量", "今天访问量", "今天访问", "昨日访问量", "昨日访问人数", "昨日访问",
    "昨日访客", "昨天访问量", "网站总访问量", "网站访问量", "总访问量", "总访问人数",
    "总访问人次", "总访问", "累计访问量", "累计访问人数", "累计访问人次", "累计访问", "访问总量",
    "总浏览量",
)
#: `您是第12345位访问者`, `You are visitor number 12,345`, `Sie sind Besucher Nr. 1.234`.
VISITOR_NUMBER_RE = re.compile(
    r"(?:第\s*" + NUMBER + r"\s*(?:位|名|个)\s*(?:访问者|访客|浏览者|来访者))"
    r"|(?:visitor\s*(?:number|no\.?|#)\s*" + NUMBER.replace("<num>", "<num2>").replace(
        "<mult>", "<mult2>") + r")"
    r"|(?:besucher\s*(?:nr\.?|nummer)\s*" + NUMBER.replace("<num>", "<num3>").replace(
        "<mult>", "<mult3>") + r")",
    re.I,
)
#: Substrings that make a text node worth a look (plain substring search; case variants listed).
NEEDLES = (
    "oday", "ODAY", "esterday", "ESTERDAY", "isitor", "ISITOR", "esucher", "eute", "estern",
    "今日", "今天", "昨日", "昨天", "访问", "访客", "站点统计", "网站统计", "本日",
)
#: Largest widget text parsed; a bigger block is a page section, not a counter.
MAX_WIDGET_CHARS = 400
MAX_CLIMB = 5

# --- logic ------------------------------------------------------------------------------------


def _labels(words: tuple[str, ...]) -> str:
    return "|".join(re.escape(w).replace(r"\ ", r"\s*").replace("'", "['’]?")
                    for w in sorted(words, key=len, reverse=True))


def _field_re(words: tuple[str, ...]) -> re.Pattern[str]:
    # label, optional colon, the number; the number must not be a date or a time
    return re.compile(r"(?<![\w])(?P<label>" + _labels(words) + r")(?![a-z])\s*[:：]?\s*"
                      + NUMBER + r"(?!\s*[-/.:年月]\s*\d)", re.I)


_FIELDS = (("today", _field_re(TODAY_LABELS)), ("yesterday", _field_re(YESTERDAY_LABELS)),
           ("total", _field_re(TOTAL_LABELS)))
_STRONG = frozenset(w.lower() for w in STRONG_LABELS)


_NEEDLES = needle_re(NEEDLES)


def _plausible(window: str) -> bool:
    return _parse(normalize_space(window))[1]


def parse_site_counter(text: str) -> SiteCounter | None:
    """Today/yesterday/total from a counter widget's text, or None if it holds none of them."""
    found, _ = _parse(normalize_space(text)[:2000])
    return found


def _parse(text: str) -> tuple[SiteCounter | None, bool]:
    """(counter, strong): strong when the wording alone proves a visitor counter."""
    values: dict[str, int] = {}
    strong = False
    taken: list[tuple[int, int]] = []  # spans of the matches, to keep raw to the widget
    for name, rx in _FIELDS:
        for m in rx.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            value = parse_count(m.group("num"), m.group("mult"))
            if value is None:
                continue
            values[name] = value
            taken.append((m.start(), m.end()))
            label = normalize_space(m.group("label")).lower().replace("’", "'")
            strong = strong or label in _STRONG
            break
    m = VISITOR_NUMBER_RE.search(text)
    if m and "total" not in values:
        num = m.group("num") or m.group("num2") or m.group("num3")
        value = parse_count(num) if num else None
        if value is not None:
            values["total"] = value
            taken.append((m.start(), m.end()))
            strong = True
    if not values:
        return None, False
    strong = strong or len(values) >= 2
    raw = text[min(s for s, _ in taken):max(e for _, e in taken)]
    return SiteCounter(today=values.get("today"), yesterday=values.get("yesterday"),
                       total=values.get("total"), raw=raw[:300]), strong


def extract_site_counter(doc: Document) -> SiteCounter | None:
    """The page's visitor counter, or None. The widget with the most fields wins."""
    best: tuple[int, SiteCounter] | None = None
    seen: set[HtmlElement] = set()
    for node in text_nodes_with(doc, doc.body, _NEEDLES, window_ok=_plausible):
        el = node.getparent()
        if el is not None and node.is_tail:
            el = el.getparent()
        found = _widget(el, seen)
        if found is not None:
            score = sum(v is not None for v in (found.today, found.yesterday, found.total))
            if best is None or score > best[0]:
                best = (score, found)
            if score == 3:
                break
    return best[1] if best else None


def _widget(el: HtmlElement | None, seen: set[HtmlElement]) -> SiteCounter | None:
    """Climb from a label to the block holding the whole widget; keep the richest parse."""
    best: SiteCounter | None = None
    best_n = 0
    for _ in range(MAX_CLIMB):
        if el is None or el.tag in ("body", "html") or not isinstance(el.tag, str):
            break
        if el.tag in ("script", "style", "title", "option"):
            return None
        if el in seen:
            break
        seen.add(el)
        text = bounded_text(el, MAX_WIDGET_CHARS)
        if text is None:
            break
        found, strong = _parse(text)
        if found is not None and strong:
            n = sum(v is not None for v in (found.today, found.yesterday, found.total))
            if n > best_n:
                best, best_n = found, n
        el = el.getparent()
    return best
