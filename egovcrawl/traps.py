"""Crawler-trap guard: which discovered URLs must not be requested, and why.

Pure (no Scrapy): the spider asks `TrapGuard.check(url, depth)` before it schedules a link and
requests `strip_session_ids(url)` instead of the raw link. One guard per site per crawl, because
the calendar budget is a per-site allowance.

What a trap looks like, in general terms rather than per site:

* **Infinite calendars** - a month view links to the next month forever. A calendar page is a URL
  whose calendar-ish query parameters (`month`, `date`, `year`, `datum`, `tx_cal_controller[month]`
  ...) or calendar-ish path segments (`/calendar/`, `/events/`, `/termine/` ... followed only by
  dates and view words) carry a date, and that names no article (no id parameter, no slug after
  the date). Dated article URLs (`/2024/07/03/slug/`, gov.cn `/202407/t20240703_1.shtml`) are not
  calendars. A site gets `max_calendar_pages` distinct calendar URLs; dates before
  `CALENDAR_MIN_YEAR` or more than `CALENDAR_FUTURE_DAYS` ahead are refused whatever the budget.
* **Ever-growing URLs** - relative links that append themselves (`/a/b/a/b/a/b`), query strings
  that collect parameters or repeat keys, or simply get too long.
* **Session ids** - a fresh id per page makes every link "new"; they are stripped, and a URL
  that only differs from an earlier one by its session id is refused.
* **Depth** - links further than `max_depth` hops from a start URL.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta
from urllib.parse import parse_qsl, unquote, urlsplit, urlunsplit

# --- data: refusal reasons ------------------------------------------------------------------

MAX_DEPTH = "max-depth"
URL_TOO_LONG = "url-too-long"
REPEATED_PATH_SEGMENTS = "repeated-path-segments"
TOO_MANY_QUERY_PARAMS = "too-many-query-params"
DUPLICATE_QUERY_KEYS = "duplicate-query-keys"
SESSION_LOOP = "session-loop"
CALENDAR_OUT_OF_RANGE = "calendar-out-of-range"
CALENDAR_BUDGET = "calendar-budget"
REASONS = (MAX_DEPTH, URL_TOO_LONG, REPEATED_PATH_SEGMENTS, TOO_MANY_QUERY_PARAMS,
           DUPLICATE_QUERY_KEYS, SESSION_LOOP, CALENDAR_OUT_OF_RANGE, CALENDAR_BUDGET)

# --- data: limits ---------------------------------------------------------------------------

MAX_CALENDAR_PAGES = 24  # distinct calendar URLs per site: two years of month views
MAX_URL_LENGTH = 500
MAX_SEGMENT_REPEATS = 2  # a path segment seen 3 times is a relative-link loop
MAX_QUERY_PARAMS = 12
CALENDAR_MIN_YEAR = 1990  # no e-government calendar has real entries before the web did
CALENDAR_FUTURE_DAYS = 366  # event calendars are planned about a year ahead, not to 2099

# --- data: session ids ----------------------------------------------------------------------

#: Query keys that only ever carry a session (removed whatever the value).
SESSION_PARAMS = frozenset({
    "jsessionid", "phpsessid", "sessionid", "session_id", "sessid", "sess_id", "aspsessionid",
    "cfid", "cftoken", "oscsid", "zenid", "wt.si_n", "ps_session",
})
#: Query keys that are a session id only when the value looks like a token (vBulletin `s=`,
#: `sid=`): on many CMSs `sid=12` is a section and WordPress `s=` a search term.
SESSION_PARAMS_IF_TOKEN = frozenset({"s", "sid", "session", "token_sid"})
#: A token: 16+ letters and digits, mixed as random ids are (`9f8e7d6c...`, `lit3py55t21z...`),
#: not as words are (`digitalisierung2024`): at least `SESSION_TOKEN_SWITCHES` letter/digit changes.
SESSION_TOKEN = re.compile(r"^[0-9a-z]{16,}$", re.I)
SESSION_TOKEN_SWITCHES = 4
_LETTER_DIGIT_SWITCH = re.compile(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])", re.I)
#: `;jsessionid=...` path parameters and ASP.NET cookieless-session segments `/(S(abc...))/`.
SESSION_PATH_PARAM = re.compile(r";(?:jsessionid|phpsessid|sid|sessionid)=[^/?#;]*", re.I)
ASPNET_SESSION_SEGMENT = re.compile(r"/\((?:[A-Z]\([^()/]*\))+\)(?=/)", re.I)

# --- data: calendars ------------------------------------------------------------------------

#: Query keys (lower case; `a[b][month]` counts as `month`) by the date part their value gives.
YEAR_KEYS = frozenset({"year", "yr", "y", "jahr", "annee", "anno", "ano", "nian"})
MONTH_KEYS = frozenset({"month", "monthnum", "mon", "m", "monat", "mois", "mes", "mese", "yue"})
DAY_KEYS = frozenset({"day", "d", "dd", "jour", "dia", "giorno"})
WEEK_KEYS = frozenset({"week", "w", "kw", "woche", "wk"})
#: Keys whose value is a whole date (a bare year is accepted: `?date=2024`).
DATE_KEYS = frozenset({
    "date", "cal", "calendar", "caldate", "cal_date", "calendar_date", "datum", "ym",
    "yearmonth", "year_month", "mini", "tribe-bar-date", "eventdate", "event_date",
    "selected_date", "selecteddate", "showdate", "show_date", "currentdate", "current_date",
    "riqi", "rq",
})
#: Range/filter keys: the value must hold at least a year and a month, since a bare
#: `start=2000` is a pagination offset, not a year.
RANGE_KEYS = frozenset({
    "from", "to", "start", "end", "begin", "since", "until", "von", "bis",
    "start_date", "startdate", "end_date", "enddate", "date_from", "datefrom", "date_to",
    "dateto", "from_date", "to_date", "fromdate", "todate", "min_date", "max_date",
})
#: Month keys whose bare number (`?month=7`) is a calendar even without a year.
EXPLICIT_MONTH_KEYS = frozenset({"month", "monat", "mois", "mes", "mese"})
#: Query keys that name one article, event or page: their URL is a detail page, not a calendar.
ARTICLE_ID_KEYS = frozenset({
    "id", "p", "page_id", "aid", "nid", "articleid", "article_id", "article", "artikel",
    "newsid", "news_id", "news", "contentid", "content_id", "docid", "doc_id", "postid",
    "post_id", "post", "storyid", "story", "evid", "eventid", "event_id", "event", "rp_id",
    "tribe_events", "meldung", "infoid", "info_id", "slug",
})
#: Path segments that open a calendar: matched anywhere in a segment (compounds like
#: `Veranstaltungskalender`) ...
CALENDAR_WORD_ANYWHERE = ("calendar", "kalender", "日历", "日程", "活动安排")
#: ... or as a whole word of a segment (`/events/`, `/termine-2024/`, `/agenda/`).
CALENDAR_WORD = re.compile(
    r"(?:^|[-_.])(?:cal|events?|veranstaltung(?:en)?|termine?|agenda|evenements?|eventi|"
    r"activities|huodong|richeng|rili)(?:$|[-_.])"
)
#: Path segments a calendar view may hold besides dates (view switches, index scripts).
VIEW_WORDS = frozenset({
    "month", "week", "day", "year", "list", "liste", "grid", "photo", "map", "summary", "today",
    "upcoming", "past", "all", "view", "monat", "woche", "tag", "jahr", "heute", "index",
    "default", "ansicht", "monatsansicht", "wochenansicht", "tagesansicht", "page",
})
#: Extensions stripped from the last path segment before it is read (`/events/2024-07.html`).
PAGE_EXTENSION = re.compile(r"\.(?:s?html?|php\d?|aspx?|jspx?|cfm|do|action)$", re.I)

_YEAR = r"(\d{4})"
_MONTH = r"(\d{1,2})"
_SEP = r"[-/._]"
DATE_VALUE_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(rf"^{_YEAR}{_SEP}{_MONTH}{_SEP}{_MONTH}(?:[T ].*)?$"), "ymd"),
    (re.compile(rf"^{_YEAR}(\d{{2}})(\d{{2}})$"), "ymd"),
    (re.compile(rf"^{_MONTH}[./]{_MONTH}[./]{_YEAR}$"), "dmy"),
    (re.compile(rf"^{_YEAR}-?w(\d{{1,2}})$", re.I), "yw"),
    (re.compile(rf"^{_YEAR}{_SEP}{_MONTH}$"), "ym"),
    (re.compile(rf"^{_YEAR}(\d{{2}})$"), "ym"),
    (re.compile(rf"^{_YEAR}$"), "y"),
)
_BRACKET_KEY = re.compile(r"\[([^\]]*)\]")
_DIGIT_RUN = re.compile(r"\d{3,}")
_SLUG = re.compile(r"^[^\W\d_]+(?:[-_][\w]+)+$")

DateParts = tuple[int | None, int | None, int | None]


# --- session ids ----------------------------------------------------------------------------


def strip_session_ids(url: str) -> str:
    """`url` without session ids (path parameters, cookieless segments and query keys).

    Everything else is kept byte for byte (order, encoding, fragment), so a URL without a
    session id comes back unchanged and the archive sees what the site linked to.
    """
    if ";" not in url and "(" not in url and "=" not in url:
        return url
    parts = urlsplit(url)
    path = SESSION_PATH_PARAM.sub("", parts.path)
    if "(" in path:
        path = ASPNET_SESSION_SEGMENT.sub("", path)
    query = parts.query
    if query:
        kept = [pair for pair in query.split("&") if pair and not _is_session_pair(pair)]
        query = "&".join(kept)
    if path == parts.path and query == parts.query:
        return url
    return urlunsplit((parts.scheme, parts.netloc, path, query, parts.fragment))


def _is_session_pair(pair: str) -> bool:
    key, _, value = pair.partition("=")
    key = unquote(key).lower()
    if key in SESSION_PARAMS or key.startswith("aspsessionid"):
        return True
    return key in SESSION_PARAMS_IF_TOKEN and _is_token(unquote(value))


def _is_token(value: str) -> bool:
    if not SESSION_TOKEN.match(value):
        return False
    return len(_LETTER_DIGIT_SWITCH.findall(value)) >= SESSION_TOKEN_SWITCHES


# --- calendars ------------------------------------------------------------------------------


def _query_key(key: str) -> str:
    """`tx_cal_controller[month]` -> `month`: frameworks nest their parameters in brackets."""
    key = key.lower()
    if "[" in key:
        inner = [k for k in _BRACKET_KEY.findall(key) if k and not k.isdigit()]
        if inner:
            return inner[-1]
        return key.split("[", 1)[0]
    return key


def parse_date_value(value: str, *, year_only: bool = True) -> DateParts | None:
    """(year, month, day) of a date-like value (`2024`, `2024-07`, `202407`, `03.07.2024`...).

    None when the value is not a date: month 1-12, day 1-31 and a four-digit year are required.
    With `year_only=False` a bare year (also a page offset like `start=2000`) does not count.
    """
    value = value.strip()
    if not value or not value[0].isdigit():
        return None
    for pattern, shape in DATE_VALUE_PATTERNS:
        m = pattern.match(value)
        if not m:
            continue
        g = [int(x) for x in m.groups()]
        if shape == "ymd":
            parts: DateParts = (g[0], g[1], g[2])
        elif shape == "dmy":
            day, month = (g[0], g[1]) if g[1] <= 12 else (g[1], g[0])  # MDY reading
            parts = (g[2], month, day)
        elif shape == "yw":
            if not 1 <= g[1] <= 53:
                return None
            parts = (g[0], None, None)
        elif shape == "ym":
            parts = (g[0], g[1], None)
        else:
            if not year_only:
                return None
            parts = (g[0], None, None)
        _, month, day = parts
        if month is not None and not 1 <= month <= 12:
            return None
        if day is not None and not 1 <= day <= 31:
            return None
        return parts
    return None


def _merge(into: list[int | None], parts: DateParts) -> None:
    for i, v in enumerate(parts):
        if v is not None and into[i] is None:
            into[i] = v


def _small(value: str, top: int) -> int | None:
    value = value.strip()
    if value.isdigit() and len(value) <= 2 and 1 <= int(value) <= top:
        return int(value)
    return None


def _is_calendar_segment(segment: str) -> bool:
    return any(w in segment for w in CALENDAR_WORD_ANYWHERE) or bool(CALENDAR_WORD.search(segment))


def _looks_like_article(segment: str) -> bool:
    """A last path segment that names one document: `t20240703_123`, `pm-123`, `some-slug`."""
    if not segment or segment in VIEW_WORDS or _is_calendar_segment(segment):
        return False
    if parse_date_value(segment):
        return False
    return bool(_DIGIT_RUN.search(segment) or _SLUG.match(segment))


def _path_segments(path: str) -> list[str]:
    segments = [unquote(s).lower() for s in path.split("/") if s]
    if segments:
        segments[-1] = PAGE_EXTENSION.sub("", segments[-1])
    return segments


def _path_calendar(segments: list[str]) -> DateParts | None:
    """Date parts of `/calendar/2024/07/`, `/events/month/2024-07/`; None for detail pages."""
    start = next((i for i, s in enumerate(segments) if _is_calendar_segment(s)), None)
    if start is None:
        return None
    ymd: list[int | None] = [None, None, None]
    for segment in segments[start + 1:]:
        if segment in VIEW_WORDS or _is_calendar_segment(segment):
            continue
        parts = parse_date_value(segment)
        if parts:
            _merge(ymd, parts)
            continue
        if ymd[0] is not None and ymd[1] is None and _small(segment, 12):
            ymd[1] = _small(segment, 12)
            continue
        if ymd[1] is not None and ymd[2] is None and _small(segment, 31):
            ymd[2] = _small(segment, 31)
            continue
        if ymd[0] is not None and segment.isdigit() and len(segment) <= 2:
            continue  # a page number after a full date
        return None  # a slug or id: an event or article of the calendar, not a view
    if ymd[0] is None and ymd[1] is None:
        return None
    return (ymd[0], ymd[1], ymd[2])


def _query_calendar(pairs: list[tuple[str, str]]) -> DateParts | None:
    ymd: list[int | None] = [None, None, None]
    bare_month: int | None = None
    explicit_month = False
    bare_day: int | None = None
    for raw_key, value in pairs:
        key = _query_key(raw_key)
        if key in DATE_KEYS or key in YEAR_KEYS:
            parts = parse_date_value(value)
            if parts:
                _merge(ymd, parts)
        elif key in RANGE_KEYS:
            parts = parse_date_value(value, year_only=False)
            if parts:
                _merge(ymd, parts)
        elif key in MONTH_KEYS:
            parts = parse_date_value(value, year_only=False)
            if parts:
                _merge(ymd, parts)
            elif (month := _small(value, 12)) is not None:
                bare_month = month
                explicit_month = explicit_month or key in EXPLICIT_MONTH_KEYS
        elif key in DAY_KEYS:
            parts = parse_date_value(value, year_only=False)
            if parts:
                _merge(ymd, parts)
            elif (day := _small(value, 31)) is not None:
                bare_day = day
        elif key in WEEK_KEYS:  # `kw=2024-W27`; a bare week number is bounded (53 values)
            parts = parse_date_value(value, year_only=False)
            if parts:
                _merge(ymd, parts)
    if ymd[0] is not None:
        if ymd[1] is None and bare_month is not None:
            ymd[1] = bare_month
        if ymd[1] is not None and ymd[2] is None and bare_day is not None:
            ymd[2] = bare_day
        return (ymd[0], ymd[1], ymd[2])
    if ymd[1] is not None or (bare_month is not None and (explicit_month or bare_day)):
        return (None, ymd[1] or bare_month, ymd[2] or bare_day)
    return None


def calendar_parts(url: str) -> DateParts | None:
    """(year, month, day) of a calendar page (None for parts it does not name); None if the URL
    is not a calendar page (no calendar date, or a date on an article/event detail page)."""
    parts = urlsplit(url)
    pairs = parse_qsl(parts.query, keep_blank_values=True) if parts.query else []
    keys = {_query_key(k) for k, v in pairs if v}
    if any("[" in k for k, _ in pairs):
        keys.discard("id")  # TYPO3: `?id=42&tx_cal_controller[...]`, the id is the page's
    if keys & ARTICLE_ID_KEYS:
        return None
    segments = _path_segments(parts.path)
    found = _path_calendar(segments)
    if pairs:
        from_query = _query_calendar(pairs)
        if from_query is not None:
            if found is None and segments and _looks_like_article(segments[-1]):
                return None  # `/news/some-story.html?date=...`: an article with a filter
            merged = list(from_query)
            if found:
                _merge(merged, found)
            found = (merged[0], merged[1], merged[2])
    return found


def calendar_in_range(parts: DateParts, today: date) -> bool:
    """False for calendar dates before CALENDAR_MIN_YEAR or beyond CALENDAR_FUTURE_DAYS."""
    year, month, day = parts
    if year is None:
        return True
    if year < CALENDAR_MIN_YEAR:
        return False
    horizon = today + timedelta(days=CALENDAR_FUTURE_DAYS)
    if year > horizon.year:
        return False
    try:
        first = date(year, month or 1, day or 1)
    except ValueError:  # 2024-02-31: judge by the month
        first = date(year, month or 1, 1)
    return first <= horizon


# --- the guard ------------------------------------------------------------------------------


class TrapGuard:
    """Per-site, per-crawl memory of calendar pages and session ids; `check` says what to skip.

    `max_depth` None means unlimited, 0 only the start pages (as `max_depth` in sites.toml).
    `refused` counts the reasons given, for the spider's stats.
    """

    def __init__(
        self,
        *,
        max_calendar_pages: int = MAX_CALENDAR_PAGES,
        max_depth: int | None = None,
        max_url_length: int = MAX_URL_LENGTH,
        max_query_params: int = MAX_QUERY_PARAMS,
        max_segment_repeats: int = MAX_SEGMENT_REPEATS,
        today: date | None = None,
    ) -> None:
        if max_calendar_pages < 0:
            raise ValueError(f"max_calendar_pages must be >= 0, got {max_calendar_pages}")
        if max_depth is not None and max_depth < 0:
            raise ValueError(f"max_depth must be >= 0, got {max_depth}")
        self.max_calendar_pages = max_calendar_pages
        self.max_depth = max_depth
        self.max_url_length = max_url_length
        self.max_query_params = max_query_params
        self.max_segment_repeats = max_segment_repeats
        self.today = today or date.today()
        self.calendar_pages: set[str] = set()
        self._session_free: set[int] = set()
        self.refused: Counter[str] = Counter()

    def check(self, url: str, depth: int = 0) -> str | None:
        """Why `url` (found `depth` hops from a start URL) must not be requested, or None."""
        reason = self._reason(url, depth)
        if reason:
            self.refused[reason] += 1
        return reason

    def _reason(self, url: str, depth: int) -> str | None:
        if self.max_depth is not None and depth > self.max_depth:
            return MAX_DEPTH
        if len(url) > self.max_url_length:
            return URL_TOO_LONG
        clean = strip_session_ids(url)
        parts = urlsplit(clean)
        if _repeats_segments(parts.path, self.max_segment_repeats):
            return REPEATED_PATH_SEGMENTS
        pairs: list[tuple[str, str]] = []
        if parts.query:
            pairs = parse_qsl(parts.query, keep_blank_values=True)
            if len(pairs) > self.max_query_params:
                return TOO_MANY_QUERY_PARAMS
            if _duplicate_keys(pairs):
                return DUPLICATE_QUERY_KEYS
        if clean != url:
            key = hash(clean)
            if key in self._session_free:
                return SESSION_LOOP
            self._session_free.add(key)
        cal = calendar_parts(clean)
        if cal is None:
            return None
        if not calendar_in_range(cal, self.today):
            return CALENDAR_OUT_OF_RANGE
        page = _calendar_key(parts, pairs)
        if page in self.calendar_pages:
            return None  # the same page again: the scheduler's duplicate filter drops it
        if len(self.calendar_pages) >= self.max_calendar_pages:
            return CALENDAR_BUDGET
        self.calendar_pages.add(page)
        return None


def _repeats_segments(path: str, limit: int) -> bool:
    if path.count("/") <= limit:
        return False
    counts = Counter(s for s in path.split("/") if s)
    return bool(counts) and max(counts.values()) > limit


def _duplicate_keys(pairs: list[tuple[str, str]]) -> bool:
    """A key given twice, except PHP arrays (`cat[]=1&cat[]=2`, bounded by the param limit)."""
    seen: set[str] = set()
    for key, _ in pairs:
        if key.endswith("[]"):
            continue
        if key in seen:
            return True
        seen.add(key)
    return False


def _calendar_key(parts, pairs: list[tuple[str, str]]) -> str:
    """One key per distinct calendar page: host, path and the sorted query."""
    query = "&".join(f"{k}={v}" for k, v in sorted(pairs))
    return f"{parts.netloc.lower()}{parts.path}?{query}"
