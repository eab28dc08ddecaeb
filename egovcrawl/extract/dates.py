"""Publication and update dates, each with its provenance and the raw string it came from.

Cascade for `published` (first plausible wins, agreement between sources breaks doubt):
JSON-LD `datePublished` of the article object; publication `<meta>` tags and microdata;
`<time datetime>` near the headline; a labelled or meta-line date printed next to the headline;
the URL (`/2020/08/20/`). Modified-date metadata only ever feeds `updated`.

Traps avoided on purpose: a header widget printing *today's* date (far from the headline, in
page furniture), dates of other articles in sidebars and teaser lists, event dates quoted in the
body (only short meta lines near the headline or labelled dates count), the copyright year (a
bare year is never a date), dates in the future or before 1990, and undecidable `03/07/2024`.

Hand-written rather than dateparser/htmldate (measured on eval-dev): dateparser costs ~10 ms per
string, ignores a printed weekday, guesses `03/07/2024` and turns `© 2020` into a full date;
htmldate alone picks the today-widget, the modified date and guessed day/month orders, i.e.
exactly the traps above. It is used only as a guarded last resort, on pages the cascade leaves
empty, and its answer is refused when it is a day the cascade saw and rejected as a trap; such
dates carry the source `htmldate` so that their provenance stays honest.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from urllib.parse import unquote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from lxml import etree
from lxml.html import HtmlElement

from egovcrawl.extract.date_rules import (
    ARTICLE_CONTAINER_TOKENS,
    ARTICLE_PART_CHROME_TAGS,
    ARTICLE_PART_LEVELS,
    ARTICLE_PART_MAX_LINKS,
    ARTICLE_PART_TAGS,
    ARTICLE_PART_TOKENS,
    BYLINE_AUTHOR_WORDS,
    BYLINE_JOINERS,
    DATE_CLASS_TOKENS,
    DOCUMENT_LABELS,
    FOREIGN_PART_TOKENS,
    FUTURE_GRACE,
    JSONLD_ARTICLE_TYPES,
    JSONLD_FOREIGN_TYPES,
    JSONLD_MODIFIED_KEYS,
    JSONLD_PUBLISHED_KEYS,
    LANG_ORDER,
    MIN_DATE,
    MODIFIED_META,
    MONTHS,
    PUBLISHED_AFTER,
    PUBLISHED_LABELS,
    PUBLISHED_META,
    SCRIPT_PUBLISHED_KEYS,
    TEASER_TOKENS,
    TLD_ORDER,
    TZ_ABBREVIATIONS,
    UPDATED_LABELS,
    WEEKDAYS,
)
from egovcrawl.extract.dom import NON_TEXT_TAGS, Document, is_furniture, is_self_furniture
from egovcrawl.extract.model import DateInfo, DateSource
from egovcrawl.extract.urls import comparable_url, join_url, split_url, url_host

# ---------------------------------------------------------------------------------------------
# patterns (built from the data in date_rules)

_LETTER_B = r"(?<![^\W\d_])"  # start of a word made of letters
_LETTER_E = r"(?![^\W\d_])"  # end of it
_WEEKDAY_ALT = "|".join(re.escape(w) for w in sorted(WEEKDAYS, key=len, reverse=True))

# Month names are matched as any word and looked up in MONTHS: a regex alternation of a few
# hundred names costs ~4 ms per page of text, a dictionary lookup nothing.
_WORD = r"[^\W\d_]{3,12}"
_DATE_RE = re.compile(
    # 2020-08-20, 2020/8/20, 2020.08.20 (year first is never ambiguous)
    r"(?<![\d.])(?P<iy>(?:19|20)\d\d)(?P<isep>[-/.])(?P<im>\d{1,2})(?P=isep)(?P<id>\d{1,2})(?![\d])"
    # 2020年8月20日
    r"|(?P<cy>(?:19|20)\d\d)\s?年\s?(?P<cm>\d{1,2})\s?月\s?(?P<cd>\d{1,2})\s?[日号]"
    # 3.07.2024, 03/07/2024, 03-07-2024 (order decided later), 3.07.24
    r"|(?<![\d.,/])(?P<na>\d{1,2})(?P<nsep>[./-])\s?(?P<nb>\d{1,2})(?P=nsep)\s?"
    r"(?P<ny>(?:19|20)\d\d|\d\d)(?![\d]|[./-]\d)"
    # 3 July 2024, 3. Juli 2024, 3rd of July, 2024, 21 de setembro de 2020
    r"|(?<!\d)(?P<td>\d{1,2})(?:\.|st|nd|rd|th|er|º)?\s?(?:de\s|of\s)?\s?"
    + _LETTER_B + r"(?P<tm>" + _WORD + r")" + _LETTER_E
    + r"\.?,?\s?(?:de\s|del\s)?\s?(?P<ty>(?:19|20)\d\d)(?!\d)"
    # July 3, 2024, Jul. 3rd 2024
    r"|" + _LETTER_B + r"(?P<um>" + _WORD + r")" + _LETTER_E
    + r"\.?\s?(?P<ud>\d{1,2})(?:st|nd|rd|th)?(?!\d)\.?,?\s?(?P<uy>(?:19|20)\d\d)(?!\d)",
    re.I,
)
# Every date above holds a four-digit year or ends in `.dd`: the full pattern only runs in
# windows around these anchors (a cheap scan), not over the whole page text.
# the leading (?=\d) changes no match (both branches start with a digit) but lets the scan
# skip non-digits fast: a lookbehind first made the engine try both branches at every character
_ANCHOR_RE = re.compile(r"(?=\d)(?:(?<!\d)(?:19|20)\d\d(?!\d)|\d[./-]\d\d(?![\d.]))")
_WINDOW_BEFORE = 40
_WINDOW_AFTER = 50
_TZ_ALT = "|".join(re.escape(k) for k in sorted(TZ_ABBREVIATIONS, key=len, reverse=True)
                   if k != "z")
_TIME_RE = re.compile(
    r"(?:\s?(?:,|issued at|at|um|à|a las|às|alle|[-|/]|T|\u00a0)?\s?)"
    # a zone printed before the time: "Issued at HKT 15:30"
    r"(?:(?P<tzb>" + _TZ_ALT + r")\s)?"
    r"(?P<h>\d{1,2})[:：时時h](?P<mi>\d{2})(?:[:：分](?P<s>\d{1,2}))?(?:[.:,]\d{1,9})?"
    r"\s?(?:分|Uhr|h)?\s?(?P<ampm>[ap]\.?\s?m\.?(?![a-z]))?\s?"
    r"(?P<tz>Z(?![a-z])|(?:UTC|GMT)?\s?[+-]\d{1,2}(?::?\d{2})?(?!\d)"
    r"|" + _TZ_ALT + r")?",
    re.I,
)
_WEEKDAY_BEFORE_RE = re.compile(
    _LETTER_B + r"(?P<w>" + _WEEKDAY_ALT + r")" + _LETTER_E
    + r"\.?,?\s?(?:den\s|der\s|the\s|le\s)?\s?$",
    re.I,
)
_WEEKDAY_AFTER_RE = re.compile(r"^[\s,(（]{0,3}(?P<w>" + _WEEKDAY_ALT + r")" + _LETTER_E, re.I)
# dates in URLs: /2020/08/20/, /2020-08-20-, /20200820/
_URL_DATE_RE = re.compile(
    r"(?<![\d])((?:19|20)\d\d)[/_-](0?[1-9]|1[0-2])[/_-](0?[1-9]|[12]\d|3[01])(?![\d])"
    r"|(?<![\d])((?:19|20)\d\d)(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?![\d])"
)
_LABEL_TAIL_CHARS = 40  # how far before a date its label may start
_PUB_LABEL_RE = re.compile(
    r"(?:" + "|".join(re.escape(x) for x in sorted(PUBLISHED_LABELS, key=len, reverse=True))
    + r")" + _LETTER_E + r"\s?[:：]?\s?(?:" + _WEEKDAY_ALT + r")?[\s,.]{0,3}$",
    re.I,
)
_UPD_LABEL_RE = re.compile(
    r"(?:" + "|".join(re.escape(x) for x in sorted(UPDATED_LABELS, key=len, reverse=True))
    + r")" + _LETTER_E + r"\s?[:：]?\s?(?:" + _WEEKDAY_ALT + r")?[\s,.]{0,3}$",
    re.I,
)
_PUB_AFTER_RE = re.compile(
    r"[^\d.;!?<>]{0,20}?(?:" + "|".join(re.escape(x) for x in PUBLISHED_AFTER) + r")", re.I)
_BYLINE_WORDS = sorted(BYLINE_AUTHOR_WORDS, key=len, reverse=True)
_BYLINE_RE = re.compile(
    r"(?:" + _LETTER_B + r"(?:" + "|".join(re.escape(x) for x in _BYLINE_WORDS if x.isascii())
    + r")" + _LETTER_E + "|" + "|".join(re.escape(x) for x in _BYLINE_WORDS if not x.isascii())
    # a short name: no digits, no sentence end, no handle or bracket (quoted social posts)
    + r")\s?[^\d.;!?:：()\[\]@（）]{1,30}?\s?(?:"
    + "|".join(re.escape(x) for x in BYLINE_JOINERS) + r")"
    r"\s?(?:" + _WEEKDAY_ALT + r")?[\s,.]{0,3}$",
    re.I,
)
_TOKEN_RE_CACHE: dict[tuple[str, ...], re.Pattern[str]] = {}

MAX_RAW_CHARS = 300  # parse_date reads at most this much of a string
MAX_SCRIPT_CHARS = 200_000  # characters of each inline script searched for date keys
MAX_SCAN_CHARS = 400_000  # visible text scanned per page (article pages are far shorter)
#: Printed dates read per scan of the visible text: an article's own date is among the first few
#: near its headline; a text printing thousands (a data table, a <title> left open swallowing
#: the page) would otherwise be scored date by date, ~50 µs each.
MAX_DATES_SCANNED = 2000
SHORT_BLOCK_CHARS = 120  # a meta line, not a paragraph of prose
SHORT_LINE_CHARS = 40  # a text node this short that starts with the date is a line of its own
TITLE_PROBE_CHARS = 24  # characters of the title searched for in the text
TEASER_LEVELS = 5  # how far up a date's teaser container may be
TEASER_LINK_CHARS = 25  # a link this long in it is another article's title
TEASER_CARD_CHARS = 30  # a link around the date holding this much text is a teaser card

# Scoring of printed dates and <time> elements (tuned on eval-dev; see the module docstring).
# Distance from the headline in characters of text -> score; the first row is "right there".
NEAR_AFTER: tuple[tuple[int, float], ...] = ((300, 3.0), (800, 2.0), (3000, 1.0))
NEAR_BEFORE: tuple[tuple[int, float], ...] = ((160, 2.5), (500, 1.0))
FAR_SCORE = 0.0
NO_HEADLINE_SCORE = 1.5
LABEL_SCORES = {"document": 3.0, "published": 2.5, "updated": 2.0, "weak": 0.5}
DATECLASS_SCORE = 1.0
SHORT_BLOCK_SCORE = 0.5
PROSE_PENALTY = 1.5
FURNITURE_PENALTY = 2.5
MIN_SCORE = 2.5
MAX_SCORE = 5.0
# Votes of each source for its day (visible sources scaled by their score / MAX_SCORE).
WEIGHTS = {"jsonld": 3.0, "meta": 3.0, "microdata": 2.0, "time-element": 3.0,
           "visible-text": 4.0, "url": 4.0}
NEIGHBOUR_DAY_SHARE = 0.5
MAX_ZONE_SECONDS = 14 * 3600  # the widest UTC offset in use
SELF_TEASER_SCORE = MIN_SCORE  # a date in a teaser of this very page (a weak vote)
SELF_TEASER_MAX_LINKS = 8  # links one teaser or "about this post" line may hold
WEAK_LABELS = ("vom", "am", "时间")


def _tokens_re(tokens: tuple[str, ...]) -> re.Pattern[str]:
    pattern = _TOKEN_RE_CACHE.get(tokens)
    if pattern is None:
        pattern = re.compile(
            r"(?:^|[\s_\-])(?:" + "|".join(re.escape(t) for t in tokens) + r")(?:$|[\s_\-\d])", re.I
        )
        _TOKEN_RE_CACHE[tokens] = pattern
    return pattern


_DATE_CLASS_RE = _tokens_re(DATE_CLASS_TOKENS)
#: every element carrying microdata, fetched once per page (both date props are looked up in it)
_ITEMPROP_XPATH = etree.XPath("descendant::*[@itemprop]")
_SCRIPT_DATE_RE = re.compile(
    r"[\"'](?:" + "|".join(re.escape(k) for k in SCRIPT_PUBLISHED_KEYS) + r")[\"']\s?:\s?"
    r"[\"'](?P<v>[^\"'\\]{8,40})[\"']"
)
RDF_MARKER = "rdf:Description"
_RDF_DATE_RE = re.compile(r"dc:date\s?=\s?[\"'](?P<v>[^\"'<>]{8,40})[\"']")
_RDF_ABOUT_RE = re.compile(r"rdf:about\s?=\s?[\"']([^\"'<>\s]{1,2000})[\"']")
_MICROFORMAT_RE = re.compile(r"(?:^|\s)(?:published|updated|dtstart|dtstamp|date)(?:$|\s)", re.I)
_TITLE_PARTS_RE = re.compile(r"\s[|–—-]\s|\s::\s|\s»\s")
# "Tue Jan 28 15:28:56 CET 2020" (Java's Date.toString in CMS metadata)
_JAVA_DATE_RE = re.compile(
    r"(?P<mon>[A-Za-z]{3})\s+(?P<day>\d{1,2})\s+(?P<time>\d\d:\d\d(?::\d\d)?)\s+"
    r"(?P<tz>[A-Za-z]{1,5}\s+)?(?P<year>\d{4})"
)
_TEASER_RE = _tokens_re(TEASER_TOKENS)
_ARTICLE_PART_RE = _tokens_re(ARTICLE_PART_TOKENS)
_ARTICLE_CONTAINER_RE = _tokens_re(ARTICLE_CONTAINER_TOKENS)
_FOREIGN_PART_RE = _tokens_re(FOREIGN_PART_TOKENS)


# ---------------------------------------------------------------------------------------------
# parsing


@dataclass(frozen=True, slots=True)
class _Found:
    start: int
    end: int
    value: dt.date | dt.datetime


def _today() -> dt.date:
    return dt.date.today()


def _plausible(value: dt.date | dt.datetime) -> bool:
    day = value.date() if isinstance(value, dt.datetime) else value
    return MIN_DATE <= day <= _today() + FUTURE_GRACE


def _year(text: str) -> int:
    y = int(text)
    if len(text) == 2:
        y += 2000 if 2000 + y <= _today().year else 1900
    return y


def _mkdate(y: int, m: int, d: int) -> dt.date | None:
    try:
        value = dt.date(y, m, d)
    except ValueError:
        return None
    return value if _plausible(value) else None


def _weekday_near(text: str, start: int, end: int) -> int | None:
    before = _WEEKDAY_BEFORE_RE.search(text[max(0, start - 20):start])
    if before:
        return WEEKDAYS.get(before.group("w").lower())
    after = _WEEKDAY_AFTER_RE.match(text[end:end + 12])
    if after:
        return WEEKDAYS.get(after.group("w").lower())
    return None


def _numeric(m: re.Match[str], text: str, order: str | None, hinted: bool) -> dt.date | None:
    """Resolve `a.b.y` / `a/b/y`: weekday, then order (hint or language), else only if forced."""
    a, b, ys = int(m.group("na")), int(m.group("nb")), m.group("ny")
    y = _year(ys)
    dmy, mdy = _mkdate(y, b, a), _mkdate(y, a, b)
    if dmy == mdy:
        return dmy  # also covers 05/05/2020 and both invalid
    weekday = _weekday_near(text, m.start(), m.end())
    if weekday is not None:
        fits = [c for c in (dmy, mdy) if c is not None and c.weekday() == weekday]
        return fits[0] if len(fits) == 1 else None
    if dmy is None or mdy is None:  # only one reading is a real date (e.g. 20/08/2020)
        return (dmy or mdy) if len(ys) == 4 or order else None
    # dotted dates are day-first in practice, unless a site profile says otherwise
    if m.group("nsep") == "." and not (hinted and order == "MDY"):
        return dmy
    if order == "DMY":
        return dmy
    if order == "MDY":
        return mdy
    return None  # undecidable: not guessed


def _time_after(text: str, end: int) -> tuple[dt.time | None, dt.tzinfo | None, int]:
    m = _TIME_RE.match(text, end, min(len(text), end + 48))
    if not m:
        return None, None, end
    h, mi, s = int(m.group("h")), int(m.group("mi")), int(m.group("s") or 0)
    ampm = (m.group("ampm") or "").lower()
    if ampm:
        if not 1 <= h <= 12:
            return None, None, end
        h = h % 12 + (12 if ampm.startswith("p") else 0)
    if h > 23 or mi > 59 or s > 59:
        return None, None, end
    tz = _tzinfo(m.group("tz") or m.group("tzb"))
    return dt.time(h, mi, s), tz, m.end()


def _tzinfo(raw: str | None) -> dt.tzinfo | None:
    if not raw:
        return None
    key = raw.strip().lower()
    if key in TZ_ABBREVIATIONS:
        return dt.timezone(dt.timedelta(hours=TZ_ABBREVIATIONS[key]))
    m = re.fullmatch(r"(?:utc|gmt)?\s?([+-])(\d{1,2}):?(\d{2})?", key)
    if not m:
        return None
    hours, minutes = int(m.group(2)), int(m.group(3) or 0)
    if hours > 14 or minutes > 59:
        return None
    sign = -1 if m.group(1) == "-" else 1
    return dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))


def _zone(name: str | None) -> dt.tzinfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _date_matches(text: str) -> Iterator[re.Match[str]]:
    lo = hi = -1
    for anchor in _ANCHOR_RE.finditer(text):
        start, end = anchor.start() - _WINDOW_BEFORE, anchor.end() + _WINDOW_AFTER
        if start <= hi:
            hi = end
            continue
        if hi > 0:
            yield from _DATE_RE.finditer(text, max(lo, 0), hi)
        lo, hi = start, end
    if hi > 0:
        yield from _DATE_RE.finditer(text, max(lo, 0), hi)


def _iter_dates(text: str, order: str | None, hinted: bool, tz: dt.tzinfo | None,
                with_time: bool = True, undecided: set[dt.date] | None = None
                ) -> Iterator[_Found]:
    """Every plausible date in `text`, with the time (and offset) printed right after it;
    both readings of an undecidable `03/07/2024` go to `undecided` when it is given."""
    for m in _date_matches(text):
        value: dt.date | None
        if m.group("iy"):
            value = _mkdate(int(m.group("iy")), int(m.group("im")), int(m.group("id")))
        elif m.group("cy"):
            value = _mkdate(int(m.group("cy")), int(m.group("cm")), int(m.group("cd")))
        elif m.group("na"):
            value = _numeric(m, text, order, hinted)
            if value is None and undecided is not None:
                y, a, b = _year(m.group("ny")), int(m.group("na")), int(m.group("nb"))
                undecided.update(v for v in (_mkdate(y, b, a), _mkdate(y, a, b)) if v)
        elif m.group("td"):
            month = MONTHS.get(m.group("tm").lower())
            value = _mkdate(int(m.group("ty")), month, int(m.group("td"))) if month else None
        else:
            month = MONTHS.get(m.group("um").lower())
            value = _mkdate(int(m.group("uy")), month, int(m.group("ud"))) if month else None
        if value is None:
            continue
        end = m.end()
        if with_time:
            time, offset, end = _time_after(text, end)
            if time is not None:
                stamp = dt.datetime.combine(value, time, offset or tz)
                if offset is not None and stamp > dt.datetime.now(dt.UTC) + FUTURE_GRACE:
                    continue
                yield _Found(m.start(), end, stamp)
                continue
        yield _Found(m.start(), end, value)


def parse_date(raw: str, *, order: str | None = None,
               timezone: str | None = None) -> dt.date | dt.datetime | None:
    """The first plausible date in `raw` (a date, or a datetime when a time is printed).

    `order` ("DMY"/"MDY"/"YMD") settles numeric dates like `03/07/2024`; a printed weekday
    overrides it; without either such a date is undecidable and gives None. A time with an
    offset gives an aware datetime; a naive one gets `timezone` (IANA name) when it is given.
    """
    if not raw:
        return None
    text = raw[:MAX_RAW_CHARS]
    for found in _iter_dates(text, order, order is not None, _zone(timezone)):
        return found.value
    return None


def _parse_machine(raw: str, zone: dt.tzinfo | None) -> dt.date | dt.datetime | None:
    """Dates from metadata: ISO 8601 mostly, but CMSs also write anything parse_date reads."""
    raw = raw.strip()[:MAX_RAW_CHARS]
    if not raw:
        return None
    if re.fullmatch(r"\d{10}(?:\d{3})?", raw):  # Unix time stamp (seconds or milliseconds)
        seconds = int(raw[:10])
        stamp = dt.datetime.fromtimestamp(seconds, dt.UTC)
        return stamp if _plausible(stamp) else None
    iso = raw.replace(" ", "T", 1) if re.match(r"\d{4}-\d\d-\d\d \d", raw) else raw
    try:
        value = dt.datetime.fromisoformat(iso.replace("z", "Z"))
    except ValueError:
        value = None
    if value is not None:
        if value.tzinfo is None and zone is not None:
            value = value.replace(tzinfo=zone)
        if len(raw) <= 10:
            return value.date() if _plausible(value) else None
        return value if _plausible(value) else None
    java = _JAVA_DATE_RE.search(raw)
    if java:
        raw = f"{java['mon']} {java['day']} {java['year']} {java['time']} {java['tz'] or ''}"
    for found in _iter_dates(raw, "MDY" if "/" in raw else None, False, zone):
        return found.value
    return None


# ---------------------------------------------------------------------------------------------
# candidates from the page


@dataclass(frozen=True, slots=True)
class _Cand:
    value: dt.date | dt.datetime
    source: DateSource
    raw: str

    def info(self) -> DateInfo:
        return DateInfo(self.value, self.source, self.raw)

    @property
    def day(self) -> dt.date:
        return self.value.date() if isinstance(self.value, dt.datetime) else self.value


def _jsonld_rank(obj: dict) -> int:
    """0 for articles/postings, 1 for web pages and other creative works (recipes, videos),
    None-like 9 for objects whose dates are not the page's (events, lists, sites, people)."""
    kind = obj.get("@type")
    kinds = [k.lower() for k in (kind if isinstance(kind, list) else [kind]) if isinstance(k, str)]
    if any(any(x in k for x in JSONLD_FOREIGN_TYPES) for k in kinds):
        return 9
    if any(any(h in k for h in JSONLD_ARTICLE_TYPES) for k in kinds):
        return 0
    return 1


def _jsonld(doc: Document, zone: dt.tzinfo | None) -> tuple[_Cand | None, _Cand | None]:
    """The article object's own datePublished / dateModified (not an event's, not a list's)."""
    published = modified = None
    best_rank = 9
    for obj in doc.jsonld:
        rank = _jsonld_rank(obj)
        if rank >= best_rank:
            continue
        pub = _first_key(obj, JSONLD_PUBLISHED_KEYS, zone)
        mod = _first_key(obj, JSONLD_MODIFIED_KEYS, zone)
        if pub or mod:
            published, modified, best_rank = pub, mod, rank
    return published, modified


def _first_key(obj: dict, keys: tuple[str, ...], zone: dt.tzinfo | None) -> _Cand | None:
    for key in keys:
        raw = obj.get(key)
        if isinstance(raw, list) and raw:
            raw = raw[0]
        if isinstance(raw, str):
            value = _parse_machine(raw, zone)
            if value is not None:
                return _Cand(value, "jsonld", raw)
    return None


def _meta(doc: Document, names: tuple[str, ...], zone: dt.tzinfo | None) -> _Cand | None:
    meta = doc.meta
    for name in names:
        for raw in meta.get(name, ()):
            value = _parse_machine(raw, zone)
            if value is not None:
                return _Cand(value, "meta", raw)
    return None


def _script_json(doc: Document, zone: dt.tzinfo | None) -> _Cand | None:
    """`"datePublished": "…"` / `"published_at": "…"` inside inline scripts (app state, data
    layers): the publication date of pages that render their metadata with JavaScript."""
    for script in doc.tree.iter("script"):
        code = script.text
        if not code or len(code) < 20:
            continue
        m = _SCRIPT_DATE_RE.search(code, 0, MAX_SCRIPT_CHARS)
        if m:
            value = _parse_machine(m.group("v"), zone)
            if value is not None:
                return _Cand(value, "meta", m.group(0)[:MAX_RAW_CHARS])
    return None


def _rdf_comment(doc: Document, zone: dt.tzinfo | None) -> _Cand | None:
    """`dc:date` of the RDF trackback block that blog engines (Movable Type, old WordPress,
    hosted blogs) print inside an HTML comment: the entry's own metadata, but only when its
    `rdf:about` names this page (a blog's front page carries one block per teaser)."""
    if RDF_MARKER not in doc.source:  # one C-level search; most pages have no such block
        return None
    own = _own_urls(doc)
    blocks = [c for c in doc.comments if RDF_MARKER in c]
    for comment in blocks:
        date = _RDF_DATE_RE.search(comment)
        about = _RDF_ABOUT_RE.search(comment)
        if date is None:
            continue
        if own:
            if about is None or comparable_url(about.group(1)) not in own:
                continue
        elif len(blocks) > 1:
            return None  # no URL to tell this page's block from the teasers'
        value = _parse_machine(date.group(1), zone)
        if value is not None:
            return _Cand(value, "meta", date.group(0))
    return None


def _own_urls(doc: Document) -> set[str]:
    """The page's URL and its canonical URL, comparable (no scheme, www, trailing slash)."""
    if not doc.url:
        return set()
    urls = [doc.url]
    for link in doc.tree.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
            urls.append(join_url(doc.url, link.get("href").strip()))
            break
    return {c for c in map(comparable_url, urls) if c is not None}


def _self_teaser(el: HtmlElement, own: set[str], base: str) -> bool:
    """The date sits in a teaser (a link, a list item, a teaser box) that links to this page."""
    node: HtmlElement | None = el
    for _ in range(TEASER_LEVELS + 2):
        if node is None or node.tag in ("body", "html", "main", "article"):
            return False
        href = node.get("href") if node.tag == "a" else None
        if href:
            return comparable_url(join_url(base, href.strip())) in own
        cls = f"{node.get('class', '')} {node.get('id', '')}"
        if node.tag in ("li", "p", "dd", "td") or (cls.strip() and _TEASER_RE.search(cls)):
            links = [a.get("href") for a in node.iter("a") if a.get("href")]
            if len(links) > SELF_TEASER_MAX_LINKS:
                return False  # a menu or a whole sidebar, not one teaser
            if links:
                return any(comparable_url(join_url(base, h.strip())) in own for h in links)
        node = node.getparent()
    return False


def _microdata(items: list[HtmlElement], prop: str, zone: dt.tzinfo | None) -> _Cand | None:
    """`itemprop="datePublished"` on visible elements (the <meta> ones are in doc.meta)."""
    for el in items:
        if el.get("itemprop") != prop or el.tag == "meta":
            continue
        raw = el.get("datetime") or el.get("content") or el.text_content()
        value = _parse_machine(raw, zone) if raw else None
        if value is not None:
            source: DateSource = "time-element" if el.tag == "time" else "meta"
            return _Cand(value, source, raw.strip()[:MAX_RAW_CHARS])
    return None


# ---------------------------------------------------------------------------------------------
# visible text: one joined string of the body's text nodes with their owning elements


@dataclass
class _Text:
    text: str
    starts: list[int]  # start offset of each node in `text`
    owners: list[HtmlElement]  # the element whose text (or child's tail) the node is
    times: list[tuple[int, HtmlElement, str]]  # <time datetime>, <abbr class=published title>
    h_start: int = -1  # where the headline's text starts / ends (-1: no headline element)
    h_end: int = -1
    #: `_block_len` per block element: dates sharing a block (a table, a huge text node) walk
    #: its text once, not once each
    block_lens: dict[HtmlElement, int] = field(default_factory=dict)

    def owner_at(self, offset: int) -> HtmlElement:
        return self.owners[max(0, bisect.bisect_right(self.starts, offset) - 1)]


def _visible_text(doc: Document, headline_el: HtmlElement | None, title: str | None,
                  full: bool = False) -> _Text:
    """Body text nodes joined in document order, so labels and dates split over elements
    (`<b>发布时间：</b>2020-08-20`) still meet, and distances to the headline are in characters."""
    parts: list[str] = []
    starts: list[int] = []
    owners: list[HtmlElement] = []
    times: list[tuple[int, HtmlElement, str]] = []
    pos = 0
    h_start = h_end = -1
    body = doc.body
    limit = MAX_SCAN_CHARS
    # lxml's C-level walk (start/end events) instead of a Python stack: 2-3x faster on pages
    # of thousands of nodes; skipped subtrees (scripts, forms) still contribute their tails
    walker = etree.iterwalk(body, events=("start", "end", "comment", "pi"))
    for event, node in walker:
        if pos >= limit:
            break
        if event == "start":
            tag = node.tag
            if node is headline_el:
                h_start = pos
            if tag in NON_TEXT_TAGS:
                walker.skip_subtree()
                continue
            if tag == "time":
                raw = node.get("datetime")
                if raw:
                    times.append((pos, node, raw))
            elif tag == "abbr" and node.get("title") and _MICROFORMAT_RE.search(
                    node.get("class", "")):
                times.append((pos, node, node.get("title", "")))
            own = node.text
            if own and not own.isspace():
                own = " ".join(own.split())  # distances count visible characters, not indentation
                parts.append(own)
                starts.append(pos)
                owners.append(node)
                pos += len(own) + 1
            continue
        if node is headline_el:
            h_end = pos
            # dates further below the headline than this never count: stop reading there
            if not full:
                limit = min(limit, pos + NEAR_AFTER[-1][0] + _WINDOW_AFTER)
        tail = node.tail
        if tail and node is not body and not tail.isspace():
            tail = " ".join(tail.split())
            parts.append(tail)
            starts.append(pos)
            owners.append(node.getparent())
            pos += len(tail) + 1
    if h_start >= 0 and h_end < 0:
        h_end = pos
    # one huge text node may overshoot the limit: the date scan stays bounded
    result = _Text(" ".join(parts)[:MAX_SCAN_CHARS], starts, owners, times, h_start, h_end)
    if h_start < 0 and title:
        result.h_start, result.h_end = _find_title(result, title)
    return result


def _find_title(text: _Text, title: str) -> tuple[int, int]:
    """Where the headline is printed when title.py knows its text but not its element
    (`<td><b>标题</b></td>` layouts): its first occurrence outside page furniture."""
    # a title that still carries its site name ("Headline – Site – Blog"): probe the longest part
    title = max(_TITLE_PARTS_RE.split(title), key=len)
    chars = [c for c in title if not c.isspace()][:TITLE_PROBE_CHARS]
    if len(chars) < 4:
        return -1, -1
    probe = re.compile(r"\s*".join(re.escape(c) for c in chars))
    fallback = heading = heading_in_furniture = (-1, -1)
    for m in probe.finditer(text.text):
        span = (m.start(), m.end() + max(0, len(title) - len(m.group(0))))
        owner = text.owner_at(m.start())
        parent = owner.getparent()
        if owner.tag == "h1" or (parent is not None and parent.tag == "h1"):
            return span  # the page's <h1> printing the title, even in the article's <header>
        furniture = is_furniture(owner)
        # other headings and "title" elements next; one in furniture (an article's <header>, but
        # also a sticky site header repeating the title) only if no other heading prints it
        if owner.tag in _HEADING_TAGS or "title" in _class_chain(owner, 2).lower():
            if not furniture and heading[0] < 0:
                heading = span
            elif furniture and heading_in_furniture[0] < 0:
                heading_in_furniture = span
        elif fallback[0] < 0 and not furniture:
            fallback = span
    for span in (heading, heading_in_furniture):
        if span[0] >= 0:
            return span
    return fallback


_HEADING_TAGS = frozenset({"h1", "h2", "h3"})


def _class_chain(el: HtmlElement, levels: int = 3) -> str:
    parts = []
    node: HtmlElement | None = el
    for _ in range(levels):
        if node is None:
            break
        parts.append(f"{node.get('class', '')} {node.get('id', '')} {node.get('itemprop', '')}")
        node = node.getparent()
    return " ".join(parts)


def _is_teaser(el: HtmlElement, headline_el: HtmlElement | None) -> bool:
    """The date belongs to another article: its close container is a teaser/list item that
    also holds a title link (and not this page's headline)."""
    node: HtmlElement | None = el
    for _ in range(TEASER_LEVELS):
        if node is None:
            return False
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in ("body", "html", "article", "main"):
            return False
        if headline_el is not None and (node is headline_el or _contains(node, headline_el)):
            return False
        if tag == "a" and node.get("href") and len(" ".join(
                node.text_content()[:TEASER_LINK_CHARS * 8].split())) >= TEASER_CARD_CHARS:
            return True  # a whole teaser card (date, title, image) wrapped in one link
        cls = f"{node.get('class', '')} {node.get('id', '')}"
        if tag == "li" or (cls.strip() and _TEASER_RE.search(cls)):
            for a in node.iter("a"):
                if len(" ".join((a.text_content() or "").split())) >= TEASER_LINK_CHARS:
                    return True
        node = node.getparent()
    return False


def _contains(node: HtmlElement, other: HtmlElement) -> bool:
    return any(anc is node for anc in other.iterancestors())


def _block_len(el: HtmlElement, memo: dict[HtmlElement, int]) -> int:
    """Length of the text block the date sits in (a short meta line vs a prose paragraph), up
    to a bound. `memo` (per page) keeps it per block: the text of a block holding thousands of
    dates (a <title> left open swallows the page) is copied out of lxml once, not per date."""
    node: HtmlElement | None = el
    while node is not None and node.tag in _INLINE_TAGS:
        node = node.getparent()
    if node is None:
        return 0
    length = memo.get(node)
    if length is not None:
        return length
    length = 0
    for piece in node.itertext():
        length += len(piece.strip())
        if length > SHORT_BLOCK_CHARS * 4:
            break
    memo[node] = length
    return length


_INLINE_TAGS = frozenset({"span", "time", "b", "strong", "em", "i", "a", "font", "small",
                          "abbr", "label", "sup", "sub", "u"})


@dataclass
class _Scored:
    cand: _Cand
    score: float
    distance: int


def _position_score(text: _Text, start: int, end: int) -> tuple[float, int, bool]:
    """(score, distance, right below the headline) from where a date sits relative to it."""
    if text.h_start < 0:
        return 0.0, 10**9, False
    if start >= text.h_end:
        after = start - text.h_end
        for limit, score in NEAR_AFTER:
            if after <= limit:
                return score, after, after <= NEAR_AFTER[0][0]
        return FAR_SCORE, after, False
    before = text.h_start - end
    if before >= 0:
        for limit, score in NEAR_BEFORE:
            if before <= limit:
                return score, before, before <= NEAR_BEFORE[0][0]
        return FAR_SCORE, before, False
    return NEAR_AFTER[0][1], 0, True  # inside the headline element (rare: date in <h1>)


def _score(text: _Text, el: HtmlElement, start: int, end: int, label: str,
           headline_el: HtmlElement | None, is_time: bool = False) -> tuple[float, int] | None:
    pos, distance, right_there = _position_score(text, start, end)
    dateclass = is_time or bool(_DATE_CLASS_RE.search(_class_chain(el)))
    score = pos
    if text.h_start < 0:  # no headline element: only labelled or marked-up dates count
        score = NO_HEADLINE_SCORE if (label or dateclass) else 0.0
    score += LABEL_SCORES.get(label, 0.0)
    if dateclass:
        score += DATECLASS_SCORE
    if score + (0.0 if label or dateclass else SHORT_BLOCK_SCORE) < MIN_SCORE:
        return None  # cheap exit before the tree checks below
    if _is_teaser(el, headline_el):
        return None
    # furniture right below the headline is often the article's own meta bar; above it, a
    # header widget printing today's date
    # (a `<time pubdate>` is the article's own date wherever its meta bar sits)
    pubdate = is_time and el.tag == "time" and el.get("pubdate") is not None
    if (not right_there or start < text.h_start) and not pubdate and _furniture_apart(
            el, headline_el, above=text.h_start < 0 or start < text.h_start):
        score -= FURNITURE_PENALTY
    if not label and not dateclass:
        block = _block_len(el, text.block_lens)
        if block <= SHORT_BLOCK_CHARS or _own_line(text, start):
            score += SHORT_BLOCK_SCORE
        elif block > SHORT_BLOCK_CHARS * 2:
            score -= PROSE_PENALTY  # a date quoted in a paragraph: an event, not the article's
    return (score, distance) if score >= MIN_SCORE else None


def _furniture_apart(el: HtmlElement, headline_el: HtmlElement | None,
                     above: bool = False) -> bool:
    """Navigation, header, sidebar... that does not also hold the headline. A "sidebar" or
    "header" wrapper around the headline is layout (`mainwrap sidebar`, `header-wrapper` of the
    article), and an element whose own class names a date (`date-header`) is the date's."""
    node: HtmlElement | None = el
    while node is not None:
        if headline_el is not None and (node is headline_el or _contains(node, headline_el)):
            return False
        if node.tag == "main" or node.get("role") == "main":
            return False  # a "navigation-wrapper" class around <main> is page layout
        if is_self_furniture(node) and not _DATE_CLASS_RE.search(
                f"{node.get('class', '')} {node.get('id', '')}"):
            container = _article_of_part(node, above)
            if container is None:
                return True
            node = container  # the article's own header/footer: judge the article instead
            continue
        node = node.getparent()
    return False


def _article_of_part(node: HtmlElement, above: bool) -> HtmlElement | None:
    """The article container a `<header>`/`<footer>`/`<aside>` (or `entry-footer`...) belongs
    to, when it is such a part and not comments, teasers, sharing or site chrome (menus, a
    search form); else None. A header above the headline is never exempt: that is where
    today-date widgets sit, even when a page wraps everything in one `<article>`."""
    cls = f"{node.get('class', '')} {node.get('id', '')}"
    if _FOREIGN_PART_RE.search(cls):
        return None
    tag = node.tag
    if tag not in ARTICLE_PART_TAGS and not _ARTICLE_PART_RE.search(cls):
        return None
    if above and (tag == "header" or "header" in cls.lower()):
        return None
    for links, sub in enumerate(node.iterdescendants(ARTICLE_PART_CHROME_TAGS), start=1):
        if sub.tag != "a" or links > ARTICLE_PART_MAX_LINKS:
            return None
    up = node.getparent()
    for _ in range(ARTICLE_PART_LEVELS):
        if up is None or up.tag in ("body", "html"):
            return None
        if up.tag == "article" or _ARTICLE_CONTAINER_RE.search(
                f"{up.get('class', '')} {up.get('id', '')}"):
            return up
        up = up.getparent()
    return None


def _own_line(text: _Text, start: int) -> bool:
    """The date opens a short text node of its own (a `<br>`-separated meta line)."""
    i = bisect.bisect_right(text.starts, start) - 1
    if i < 0:
        return False
    node_start = text.starts[i]
    node_end = text.starts[i + 1] - 1 if i + 1 < len(text.starts) else len(text.text)
    return start - node_start <= 2 and node_end - node_start <= SHORT_LINE_CHARS


def _label(text: str, start: int, end: int = -1, stop: int = -1) -> str:
    """`document` (成文日期), `published`, `updated`, `weak` (`am`, `时间`) or "" from the
    words around a date:
    a label before it, a byline (`by Jane on`), or a publishing verb after it (before `stop`,
    where the headline starts: "3.07.2024 | Report published" is a widget and a title)."""
    prefix = text[max(0, start - _LABEL_TAIL_CHARS):start]
    if _UPD_LABEL_RE.search(prefix):  # first: `更新时间` ends in the publishing label `时间`
        return "updated"
    m = _PUB_LABEL_RE.search(prefix)
    weak = False
    if m:
        word = m.group(0).lower()
        if any(word.startswith(w) for w in DOCUMENT_LABELS):
            return "document"
        if not any(word.startswith(w) for w in WEAK_LABELS):
            return "published"
        weak = True
    if _BYLINE_RE.search(prefix) or (end >= 0 and _PUB_AFTER_RE.match(
            text, end, min(end + 40, stop) if stop > end else end + 40)):
        return "published"
    return "weak" if weak else ""


def _with_label(text: str, found: _Found) -> str:
    """The raw string with its label (`发布时间：2020-08-20 10:30`), for provenance."""
    prefix = text[max(0, found.start - _LABEL_TAIL_CHARS):found.start]
    m = _UPD_LABEL_RE.search(prefix) or _PUB_LABEL_RE.search(prefix)
    start = found.start - (len(prefix) - m.start()) if m else found.start
    return " ".join(text[start:found.end].split())


@dataclass
class _Visible:
    published: _Scored | None = None
    updated: _Scored | None = None
    time_published: _Scored | None = None
    time_updated: _Scored | None = None
    seen: set[dt.date] = field(default_factory=set)  # every day printed or marked up
    text_chars: int = 0


def _better(a: _Scored | None, b: _Scored) -> bool:
    return a is None or (b.score, -b.distance) > (a.score, -a.distance)


def _visible(doc: Document, headline_el: HtmlElement | None, title: str | None,
             order: str | None, hinted: bool, zone: dt.tzinfo | None) -> _Visible:
    """The best printed date and the best `<time>` element for `published` and `updated`."""
    text = _visible_text(doc, headline_el, title)
    joined = text.text
    if headline_el is None and text.h_start >= 0:
        headline_el = text.owner_at(text.h_start)  # the element printing the title's text
    result = _Visible(text_chars=len(joined))
    # a headline found by its text (no element): the rest of the page was read to find it
    seen = result.seen
    own: set[str] | None = None  # the page's own URLs, read when a teaser date needs them
    for found in islice(_iter_dates(joined[:_near_end(text)], order, hinted, zone,
                                    undecided=seen), MAX_DATES_SCANNED):
        seen.add(found.value.date() if isinstance(found.value, dt.datetime) else found.value)
        el = text.owner_at(found.start)
        label = _label(joined, found.start, found.end, text.h_start)
        scored = _score(text, el, found.start, found.end, label, headline_el)
        if scored is None:
            if own is None:
                own = _own_urls(doc)
            if not own or not _self_teaser(el, own, doc.url):
                continue
            # a "latest" box that also lists this very page: its teaser's date is this page's
            scored = (SELF_TEASER_SCORE, _position_score(text, found.start, found.end)[1])
        raw = _with_label(joined, found) if label else joined[found.start:found.end].strip()
        item = _Scored(_Cand(found.value, "visible-text", raw), *scored)
        if label == "updated":
            if _better(result.updated, item):
                result.updated = item
        elif _better(result.published, item):
            result.published = item
    for offset, el, raw in text.times:
        raw = raw.strip()
        value = _parse_machine(raw, zone) if raw else None
        if value is None:
            continue
        seen.add(value.date() if isinstance(value, dt.datetime) else value)
        cls = _class_chain(el, 3).lower()
        upd = any(w in cls for w in ("updat", "modif", "aktualis"))
        # HTML5's `<time pubdate>` marks the article's own publication date
        label = "updated" if upd else ("published" if el.get("pubdate") is not None
                                       else _label(joined, offset))
        scored = _score(text, el, offset, offset, label if label != "updated" else "", headline_el,
                        is_time=True)
        if scored is None:
            continue
        item = _Scored(_Cand(value, "time-element", raw), *scored)
        if label == "updated":
            if _better(result.time_updated, item):
                result.time_updated = item
        elif _better(result.time_published, item):
            result.time_published = item
    return result


def _near_end(text: _Text) -> int:
    """Where dates stop counting as near the headline (the whole text without a headline)."""
    if text.h_start < 0:
        return len(text.text)
    return min(len(text.text), text.h_end + NEAR_AFTER[-1][0] + _WINDOW_AFTER)


def _far_below(doc: Document, headline_el: HtmlElement | None, title: str | None,
               order: str | None, hinted: bool, zone: dt.tzinfo | None,
               vis: _Visible) -> _Cand | None:
    """Last resort when nothing near the headline dates the page: a *labelled* date further
    down, e.g. a blog's or forum's `Posted by X on DATE` / `wurde am DATE veröffentlicht`
    line below the body. Only read for pages that gave no date at all (costs a second walk).
    Every day read on the way goes to `vis.seen`."""
    text = _visible_text(doc, headline_el, title, full=True)
    seen = vis.seen
    vis.text_chars = max(vis.text_chars, len(text.text))
    if text.h_start < 0:
        return None
    if headline_el is None:
        headline_el = text.owner_at(text.h_start)
    joined = text.text
    near = _near_end(text)
    best: tuple[float, str, _Cand] | None = None
    scanned = 0
    for found in _iter_dates(joined, order, hinted, zone, undecided=seen):
        if found.start < near:  # a bounded stretch: `near` is a few thousand characters in
            continue
        scanned += 1
        if scanned > MAX_DATES_SCANNED:
            break
        seen.add(found.value.date() if isinstance(found.value, dt.datetime) else found.value)
        label = _label(joined, found.start, found.end, text.h_start)
        if label not in ("document", "published", "updated"):
            continue
        el = text.owner_at(found.start)
        scored = _score(text, el, found.start, found.end, label, headline_el)
        if scored is None:
            continue
        key = (scored[0] + (1.0 if label != "updated" else 0.0))
        if best is None or key > best[0]:
            best = (key, label, _Cand(found.value, "visible-text", _with_label(joined, found)))
            if label != "updated":
                break  # the first publishing line below the body
    return best[2] if best else None


USE_LIBRARY_FALLBACK = True
FALLBACK_MAX_CHARS = 100_000  # no fallback on huge pages (htmldate copies and serializes them)
#: htmldate serialises the tree with libxml2, which scans for '-->' after every '<!--' inside an
#: attribute value (quadratic, in C, beyond any alarm): no fallback on a page holding more
#: comment openers than any real page does, or on a source of several megabytes.
FALLBACK_MAX_COMMENT_OPENERS = 2_000
FALLBACK_MAX_SOURCE_CHARS = 2_000_000


def _library_fallback(doc: Document, rejected: set[dt.date]) -> _Cand | None:
    """htmldate's fast mode for pages our cascade leaves empty (metadata and markup we do not
    read), unless its answer is a day we saw and rejected: a today widget, a teaser's or an
    event's date, a modified date."""
    source = doc.source
    if (len(source) > FALLBACK_MAX_SOURCE_CHARS
            or source.count("<!--") > FALLBACK_MAX_COMMENT_OPENERS):
        return None
    import htmldate  # imported lazily: it pulls in dateparser, which is slow to import

    try:
        raw = htmldate.find_date(doc.tree, url=doc.url or None, original_date=True,
                                 extensive_search=False)
    except Exception:  # a library failure must not fail the page
        return None
    if not raw:
        return None
    try:
        value = dt.date.fromisoformat(raw)
    except ValueError:
        return None
    # day 1: htmldate turns month-only dates (`Stand 03/2021`, `/2020/03/`) into the 1st
    if value in rejected or value.day == 1 or not _plausible(value):
        return None
    return _Cand(value, "htmldate", raw)


def _url_date(url: str) -> _Cand | None:
    if not url:
        return None
    parts = split_url(url)
    if parts is None:
        return None
    path = unquote(parts.path)[:MAX_RAW_CHARS]
    m = _URL_DATE_RE.search(path)
    if not m:
        return None
    y, mo, d = (m.group(1), m.group(2), m.group(3)) if m.group(1) else m.group(4, 5, 6)
    value = _mkdate(int(y), int(mo), int(d))
    return _Cand(value, "url", m.group(0)) if value else None


def _page_order(doc: Document) -> tuple[str | None, bool]:
    """Day/month order for numeric dates: the site hint, else the page language, else the TLD."""
    if doc.hints.date_order:
        return doc.hints.date_order, True
    tag = (doc.tree.get("lang") or doc.meta_first("og:locale", "content-language") or "")
    tag = tag.strip().lower().replace("_", "-")
    if tag:
        if tag in LANG_ORDER:
            return LANG_ORDER[tag], False
        primary = tag.split("-")[0]
        if primary in LANG_ORDER:
            return LANG_ORDER[primary], False
    host = url_host(doc.url)
    tld = host.rsplit(".", 1)[-1] if host else ""
    return TLD_ORDER.get(tld), False


def _headline_element(doc: Document, headline) -> HtmlElement | None:
    """The headline's element; if title.py found it in furniture (a breadcrumb <h1>), the
    same text in a heading inside the article is the better anchor."""
    el = getattr(headline, "element", None) if headline is not None else None
    if el is None or (el.tag in _HEADING_TAGS and not is_furniture(el)):
        return el
    # a headline found in a span or link (a slideshow caption, a "latest entries" box that also
    # lists this page) or in furniture: a heading printing the same text is the article's own
    wanted = " ".join(headline.title.split()).lower()
    for tag in ("h1", "h2", "h3"):
        for other in doc.body.iter(tag):
            if other is not el and " ".join(other.text_content().split()).lower() == wanted \
                    and not is_furniture(other):
                return other
    return el


def _same_instant(naive: dt.datetime, aware: dt.datetime) -> bool:
    """A printed wall-clock time that is an aware time stamp seen in some time zone: to the
    minute, a whole quarter hour apart and at most 14 hours (23:15 printed, 04:15Z stamped)."""
    utc = aware.astimezone(dt.UTC).replace(tzinfo=None, second=0, microsecond=0)
    seconds = (naive.replace(second=0, microsecond=0) - utc).total_seconds()
    return abs(seconds) <= MAX_ZONE_SECONDS and seconds % 900 == 0


def _choose(weighted: list[tuple[_Cand, float]],
            printed: frozenset[dt.date] = frozenset()) -> _Cand | None:
    """The day most sources agree on; within it, the earliest source in the cascade.

    A machine time stamp near midnight and the printed date may differ by a day (UTC vs the
    site's zone), so aware time stamps also lend some weight to the neighbouring days; an
    aware stamp that is the very instant of a time the page prints in its own zone (`04:15Z`
    for `11:15 PM`) votes for the printed day: the site's calendar decides, as its readers see
    it. Days tied in support go to one the page prints near its headline (`printed`), then to
    the earliest source.
    """
    if not weighted:
        return None
    local = [c.value for c, _ in weighted
             if isinstance(c.value, dt.datetime) and c.value.tzinfo is None]
    support: dict[dt.date, float] = {}
    for cand, weight in weighted:
        day = cand.day
        if local and isinstance(cand.value, dt.datetime) and cand.value.tzinfo is not None:
            for wall in local:
                if wall.date() != day and _same_instant(wall, cand.value):
                    day = wall.date()
                    break
        support[day] = support.get(day, 0.0) + weight
        if isinstance(cand.value, dt.datetime) and cand.value.tzinfo is not None:
            for delta in (-1, 1):
                other = day + dt.timedelta(days=delta)
                support[other] = support.get(other, 0.0) + weight * NEIGHBOUR_DAY_SHARE
    best_support = max(support.get(cand.day, 0.0) for cand, _ in weighted)
    # (a stamp that voted for a printed day is never returned for it: the printed date is)
    tied = [cand for cand, _ in weighted if support.get(cand.day, 0.0) >= best_support - 1e-9]
    # ties: a day the page prints, else the day of the earliest candidate in the cascade
    for cand in tied:
        if cand.day in printed:
            return cand
    return tied[0] if tied else None


def extract_dates(doc: Document, headline) -> tuple[DateInfo | None, DateInfo | None]:
    """(published, updated), each with provenance, or None where the page does not say."""
    doc.all_elements  # noqa: B018 - holds the element proxies for every later walk
    zone = _zone(doc.hints.timezone)
    order, hinted = _page_order(doc)
    headline_el = _headline_element(doc, headline)

    ld_pub, ld_mod = _jsonld(doc, zone)
    meta_pub = _meta(doc, PUBLISHED_META, zone) or _rdf_comment(doc, zone)
    items = _ITEMPROP_XPATH(doc.body)
    micro_pub = _microdata(items, "datePublished", zone)
    meta_mod = _meta(doc, MODIFIED_META, zone) or _microdata(items, "dateModified", zone)
    title = getattr(headline, "title", None) if headline is not None else None
    vis = _visible(doc, headline_el, title, order, hinted, zone)
    url = _url_date(doc.url)

    weighted: list[tuple[_Cand, float]] = []
    for cand, weight in ((ld_pub, WEIGHTS["jsonld"]), (meta_pub, WEIGHTS["meta"]),
                         (micro_pub, WEIGHTS["microdata"])):
        if cand is not None:
            weighted.append((cand, weight))
    for scored, key in ((vis.time_published, "time-element"), (vis.published, "visible-text")):
        if scored is not None:
            weighted.append((scored.cand, WEIGHTS[key] * min(scored.score, MAX_SCORE) / MAX_SCORE))
    if url is not None:
        weighted.append((url, WEIGHTS["url"]))
    if not weighted:
        script = _script_json(doc, zone)  # last resort: metadata rendered by JavaScript
        if script is not None:
            weighted.append((script, WEIGHTS["meta"]))
    printed = frozenset(s.cand.day for s in (vis.updated, vis.time_updated, vis.published,
                                             vis.time_published) if s is not None)
    published = _choose(weighted, printed)
    if (published is not None and published.source == "meta" and vis.updated is not None
            and published.day > vis.updated.cand.day
            and all(c.day != published.day for c, _ in weighted if c.source != "meta")):
        # publication metadata later than the page's own printed `Stand:`/`Updated:` is the
        # CMS's render or edit time (a generic `<meta name=date>`), not the publication
        published = vis.updated.cand
    if published is None and vis.updated is not None:
        # `Stand: 03.07.2024` / `Updated: …` is the only date the page prints: on news and
        # government pages that is the date of the text as published.
        published = vis.updated.cand
    if published is None:
        published = _far_below(doc, headline_el, title, order, hinted, zone, vis)
    if published is None and USE_LIBRARY_FALLBACK and vis.text_chars < FALLBACK_MAX_CHARS:
        rejected = vis.seen | {c.day for c in (ld_mod, meta_mod) if c is not None}
        published = _library_fallback(doc, rejected)
    updated_cands = [c for c in (ld_mod, meta_mod,
                                 vis.time_updated.cand if vis.time_updated else None,
                                 vis.updated.cand if vis.updated else None) if c is not None]
    updated = updated_cands[0] if updated_cands else None
    if published and updated and updated.day < published.day:
        updated = None
    return (published.info() if published else None, updated.info() if updated else None)
