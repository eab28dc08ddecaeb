"""Crawler-trap guard: calendars, ever-growing URLs, session ids and depth, on real URL shapes."""

from datetime import date

import pytest

from egovcrawl import traps
from egovcrawl.traps import TrapGuard, calendar_parts, parse_date_value, strip_session_ids

TODAY = date(2026, 11, 24)

# Article, listing and other ordinary pages that carry dates or ids: never calendars.
ORDINARY = [
    "https://www.gov.cn/zhengce/202407/t20240703_123.shtml",
    "https://www.gov.cn/zhengce/content/202407/content_6960000.htm",
    "http://www.beijing.gov.cn/ywdt/gzdt/202407/t20240703_3740000.html",
    "https://egov.example.org/2024/07/03/some-slug/",
    "https://egov.example.org/2024/07/03/digital-government-strategy-2030/",
    "https://egov.example.org/2024/07/",  # a WordPress month archive: finite, a listing
    "https://egov.example.org/?p=123",
    "https://egov.example.org/?page_id=42",
    "https://egov.example.org/page/3/",
    "https://egov.example.org/?s=egovernment",
    "https://egov.example.org/index.php?option=com_content&view=article&id=12&Itemid=3",
    "https://egov.example.org/index.php?option=com_content&view=category&id=8&Itemid=101",
    "https://egov.example.org/news?start=10",
    "https://egov.example.org/news?start=2000",  # a page offset, not the year 2000
    "https://egov.example.org/news?limitstart=20",
    "https://egov.example.org/node/123",
    "https://egov.example.org/de/node/4567?page=2",
    "https://www.bmi.bund.de/SharedDocs/pressemitteilungen/DE/2024/07/pm-123.html",
    "https://www.bundesregierung.de/breg-de/aktuelles/2024/07/pm-123.html",
    "https://www.bmi.bund.de/DE/Aktuelles/2024/07/pm-123.html?nn=9390260",
    "https://www.stadt.example.de/rathaus/aktuelles/pressemitteilungen/2024/07/",
    "https://egov.example.org/events/",
    "https://egov.example.org/events/some-conference-on-e-government/",
    "https://egov.example.org/event/open-data-day/2024-07-03/",  # one occurrence of an event
    "https://egov.example.org/events/2024/07/12345",  # an event id after the month
    "https://egov.example.org/events/list/page/2/",
    "https://egov.example.org/veranstaltungen/tag-der-offenen-tuer-2024/",
    "https://egov.example.org/index.php?option=com_jevents&task=icalrepeat.detail&evid=5"
    "&Itemid=115&year=2024&month=07&day=03",
    "https://egov.example.org/news/city-council-approves-budget.html?date=2024-07-03",
    "https://egov.example.org/index.php?id=88&tx_news_pi1[news]=123&tx_news_pi1[day]=3"
    "&tx_news_pi1[month]=7&tx_news_pi1[year]=2024",
    "https://egov.example.org/archive.php?m=1",  # ?m=1 is a mobile switch, not a month
    "https://egov.example.org/list.jsp?sid=12&page=2",
    "https://egov.example.org/calendar/",  # this month's view: one page
    "https://egov.example.org/news?week=27",
]

# Calendar pages, with the (year, month, day) they name.
CALENDARS = [
    ("https://egov.example.org/events/?month=2024-07", (2024, 7, None)),
    ("https://egov.example.org/calendar?date=2024-07-03", (2024, 7, 3)),
    ("https://egov.example.org/calendar.php?year=2031&month=4", (2031, 4, None)),
    ("https://egov.example.org/calendar/2024/07/", (2024, 7, None)),
    ("https://egov.example.org/calendar/2024/07/03/", (2024, 7, 3)),
    ("https://egov.example.org/events/2024-07/", (2024, 7, None)),
    ("https://egov.example.org/events/month/2024-07/", (2024, 7, None)),
    ("https://egov.example.org/events/2024-07-03/", (2024, 7, 3)),
    ("https://egov.example.org/events/list/?tribe-bar-date=2024-07-03", (2024, 7, 3)),
    ("https://egov.example.org/calendar/month/2024-07", (2024, 7, None)),
    ("https://egov.example.org/calendar-field-date/day/2024-07-03", (2024, 7, 3)),
    ("https://egov.example.org/events?mini=2024-07", (2024, 7, None)),
    ("https://egov.example.org/index.php?option=com_jevents&task=month.calendar&year=2024"
     "&month=07&day=03&Itemid=115", (2024, 7, 3)),
    ("https://www.stadt.example.de/veranstaltungskalender/?datum=03.07.2024", (2024, 7, 3)),
    ("https://www.stadt.example.de/termine/2024-07.html", (2024, 7, None)),
    ("https://www.stadt.example.de/kalender?monat=7&jahr=2024", (2024, 7, None)),
    ("https://www.stadt.example.de/index.php?id=42&tx_cal_controller[view]=month"
     "&tx_cal_controller[year]=2024&tx_cal_controller[month]=7", (2024, 7, None)),
    ("https://egov.example.org/?m=202407", (2024, 7, None)),
    ("https://egov.example.org/?year=2024&monthnum=7", (2024, 7, None)),
    ("https://egov.example.org/search?from=2024-01-01&to=2024-07-01", (2024, 1, 1)),
    ("https://egov.example.org/agenda/?week=2024-W27", (2024, None, None)),
    ("https://egov.example.org/cal/?y=2024&m=7", (2024, 7, None)),
    ("https://egov.example.org/events/?month=7", (None, 7, None)),
    ("https://www.example.gov.cn/rili/2024-07/", (2024, 7, None)),
    ("https://egov.example.org/%E6%97%A5%E5%8E%86/2024/07/", (2024, 7, None)),  # /日历/
    ("https://egov.example.org/calendar/index.php?year=2024&month=7", (2024, 7, None)),
]


@pytest.mark.parametrize("url", ORDINARY)
def test_ordinary_urls_are_not_calendars(url):
    assert calendar_parts(url) is None
    assert TrapGuard(today=TODAY).check(url, 1) is None


@pytest.mark.parametrize(("url", "parts"), CALENDARS)
def test_calendar_urls(url, parts):
    assert calendar_parts(url) == parts


@pytest.mark.parametrize(
    ("value", "parts"),
    [("2024", (2024, None, None)), ("2024-07", (2024, 7, None)), ("202407", (2024, 7, None)),
     ("2024-7-3", (2024, 7, 3)), ("20240703", (2024, 7, 3)), ("2024/07/03", (2024, 7, 3)),
     ("03.07.2024", (2024, 7, 3)), ("07/13/2024", (2024, 7, 13)),
     ("2024-07-03T00:00:00", (2024, 7, 3)), ("2024-W27", (2024, None, None)),
     ("2024-13", None), ("2024-07-32", None), ("10", None), ("abc", None), ("", None),
     ("12345", None), ("2024-W60", None)],
)
def test_parse_date_value(value, parts):
    assert parse_date_value(value) == parts


def test_bare_year_needs_a_date_key():
    assert parse_date_value("2000", year_only=False) is None
    assert parse_date_value("2000-01", year_only=False) == (2000, 1, None)


def test_calendar_budget_counts_distinct_pages_per_guard():
    guard = TrapGuard(max_calendar_pages=3, today=TODAY)
    months = [f"https://egov.example.org/events/?month=2024-{m:02d}" for m in range(1, 7)]
    assert [guard.check(u, 2) for u in months] == [None, None, None] + ["calendar-budget"] * 3
    # a page already granted stays granted (the same link on another page), and ordinary
    # pages of the site are not affected by the spent budget
    assert guard.check(months[0], 3) is None
    assert guard.check("https://egov.example.org/2024/07/03/some-slug/", 3) is None
    assert guard.refused == {"calendar-budget": 3}
    # query order and session ids do not make a page new
    one = TrapGuard(max_calendar_pages=1, today=TODAY)
    assert one.check("https://egov.example.org/cal?year=2024&month=7", 1) is None
    assert one.check("https://egov.example.org/cal?month=7&year=2024&PHPSESSID=ab12", 1) is None
    assert one.check("https://egov.example.org/cal?month=8&year=2024", 1) == "calendar-budget"
    # another site has its own guard and its own budget
    assert TrapGuard(max_calendar_pages=3, today=TODAY).check(months[5], 2) is None


def test_infinite_calendar_walk_is_bounded():
    """Following `next month` from July 2024 forever yields the budget and no more."""
    guard = TrapGuard(today=TODAY)
    allowed = 0
    year, month = 2024, 7
    for _ in range(600):
        if guard.check(f"https://egov.example.org/calendar/{year}/{month:02d}/", 4) is None:
            allowed += 1
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    assert allowed == traps.MAX_CALENDAR_PAGES == 24


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://egov.example.org/calendar/1970/01/", "calendar-out-of-range"),
        ("https://egov.example.org/calendar?date=1989-12-31", "calendar-out-of-range"),
        ("https://egov.example.org/cal.php?year=2031&month=4", "calendar-out-of-range"),
        ("https://egov.example.org/events/?month=2028-01", "calendar-out-of-range"),
        ("https://egov.example.org/events/?year=9999", "calendar-out-of-range"),
        ("https://egov.example.org/events/2027-12-01/", "calendar-out-of-range"),
        ("https://egov.example.org/calendar?date=1990-01-01", None),
        ("https://egov.example.org/events/?month=2027-11", None),  # within a year ahead
        ("https://egov.example.org/events/?year=2027", None),
        ("https://egov.example.org/events/?month=7", None),  # no year: only the budget bounds it
    ],
)
def test_calendar_date_range(url, reason):
    guard = TrapGuard(max_calendar_pages=0 if reason else 24, today=TODAY)
    # out-of-range is refused whatever the budget (0 here) and says so
    assert guard.check(url, 1) == reason


def test_ever_growing_urls():
    guard = TrapGuard(today=TODAY)
    base = "https://egov.example.org"
    assert guard.check(base + "/a/" + "x" * 520, 1) == "url-too-long"
    assert guard.check(base + "/news/list/news/list/news/list/", 1) == "repeated-path-segments"
    assert guard.check(base + "/de/de/de/aktuelles", 1) == "repeated-path-segments"
    assert guard.check(base + "/news/list/news/list/", 1) is None  # twice is allowed
    assert guard.check(base + "/2024/07/07/slug/", 1) is None
    many = "&".join(f"f{i}=1" for i in range(13))
    assert guard.check(base + "/search?" + many, 1) == "too-many-query-params"
    twelve = "&".join(f"f{i}=1" for i in range(12))
    assert guard.check(base + "/search?" + twelve, 1) is None
    assert guard.check(base + "/list?page=2&page=3", 1) == "duplicate-query-keys"
    assert guard.check(base + "/list?lang=en&sort=date&lang=en", 1) == "duplicate-query-keys"
    assert guard.check(base + "/list?cat[]=1&cat[]=2", 1) is None  # a PHP array
    assert guard.refused["repeated-path-segments"] == 2


def test_max_depth():
    unlimited = TrapGuard(today=TODAY)
    assert unlimited.check("https://egov.example.org/a", 50) is None
    guard = TrapGuard(max_depth=3, today=TODAY)
    assert guard.check("https://egov.example.org/a", 3) is None
    assert guard.check("https://egov.example.org/a", 4) == "max-depth"
    only_start = TrapGuard(max_depth=0, today=TODAY)
    assert only_start.check("https://egov.example.org/", 0) is None
    assert only_start.check("https://egov.example.org/a", 1) == "max-depth"
    with pytest.raises(ValueError, match="max_depth"):
        TrapGuard(max_depth=-1)
    with pytest.raises(ValueError, match="max_calendar_pages"):
        TrapGuard(max_calendar_pages=-1)


@pytest.mark.parametrize(
    ("url", "clean"),
    [
        ("https://egov.example.org/news/list.jsp;jsessionid=A1B2C3D4E5?page=2",
         "https://egov.example.org/news/list.jsp?page=2"),
        ("https://egov.example.org/x.do;JSESSIONID=abc.node1", "https://egov.example.org/x.do"),
        ("https://egov.example.org/index.php?PHPSESSID=9f8e7d6c5b4a&option=com_content&id=3",
         "https://egov.example.org/index.php?option=com_content&id=3"),
        ("https://egov.example.org/a?sessionid=1&b=2&session_id=3",
         "https://egov.example.org/a?b=2"),
        ("https://egov.example.org/forum/showthread.php?s=0a1b2c3d4e5f60718293a4b5c6d7e8f9&t=5",
         "https://egov.example.org/forum/showthread.php?t=5"),
        ("https://egov.example.org/(S(lit3py55t21z5v55vlm25s55))/news.aspx?id=4",
         "https://egov.example.org/news.aspx?id=4"),
        ("https://egov.example.org/a?ASPSESSIONIDQQGGQGPG=KLMNOP&b=1",
         "https://egov.example.org/a?b=1"),
        ("https://egov.example.org/shop?osCsid=abc&CFID=12&CFTOKEN=34",
         "https://egov.example.org/shop"),
        ("https://egov.example.org/a?sid=9e107d9d372bb6826bd81d3542a419d6#top",
         "https://egov.example.org/a#top"),
    ],
)
def test_strip_session_ids(url, clean):
    assert strip_session_ids(url) == clean


@pytest.mark.parametrize(
    "url",
    [
        "https://egov.example.org/?s=egovernment",  # WordPress search
        "https://egov.example.org/?s=digitalisierung2024",  # long, but letters with a year
        "https://egov.example.org/list.jsp?sid=12&page=2",  # a section id
        "https://egov.example.org/a?b=%E6%94%BF%E5%8A%A1&c=1",  # encoding kept byte for byte
        "https://egov.example.org/2024/07/03/some-slug/",
        "https://egov.example.org/(foo)/bar",
    ],
)
def test_strip_session_ids_keeps_other_urls(url):
    assert strip_session_ids(url) is url or strip_session_ids(url) == url


def test_session_loop():
    guard = TrapGuard(today=TODAY)
    first = "https://egov.example.org/news.jsp;jsessionid=AAAA1111?page=2"
    again = "https://egov.example.org/news.jsp;jsessionid=BBBB2222?page=2"
    assert guard.check(first, 1) is None
    assert guard.check(again, 2) == "session-loop"
    assert guard.check("https://egov.example.org/other.jsp;jsessionid=BBBB2222", 2) is None
    assert guard.refused == {"session-loop": 1}


def test_reasons_are_documented():
    guard = TrapGuard(max_depth=1, max_calendar_pages=0, today=TODAY)
    seen = {
        guard.check("https://egov.example.org/a", 2),
        guard.check("https://egov.example.org/" + "a" * 600, 1),
        guard.check("https://egov.example.org/a/a/a", 1),
        guard.check("https://egov.example.org/?" + "&".join(f"k{i}=1" for i in range(20)), 1),
        guard.check("https://egov.example.org/?a=1&a=1", 1),
        guard.check("https://egov.example.org/x;jsessionid=1", 1),
        guard.check("https://egov.example.org/x;jsessionid=2", 1),
        guard.check("https://egov.example.org/calendar/1900/01/", 1),
        guard.check("https://egov.example.org/calendar/2025/01/", 1),
    }
    assert seen - {None} == set(traps.REASONS)
