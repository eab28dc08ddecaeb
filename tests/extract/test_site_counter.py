import pytest

from egovcrawl.extract.dom import Document
from egovcrawl.extract.model import SiteCounter
from egovcrawl.extract.site_counter import extract_site_counter, parse_site_counter


def counter_of(html: str) -> SiteCounter | None:
    return extract_site_counter(Document.from_text(html, "https://example.org/"))


def test_joomla_visitor_table_in_header():
    html = """<html><body><header><div class="moduletable visitors"><div class="mod-vvisit-counter">
    <table><tr><td>Today</td><td>284</td></tr><tr><td>Yesterday</td><td>662</td></tr>
    <tr><td>All</td><td>39463192</td></tr></table></div></div>
    <div class="date-widget"><span class="today">Wednesday, 3.07.2024</span></div></header>
    <main><h2>China's e-government</h2><p>Text.</p></main></body></html>"""
    c = counter_of(html)
    assert c is not None
    assert (c.today, c.yesterday, c.total) == (284, 662, 39463192)
    assert "Today 284" in c.raw


def test_gov_cn_footer_counter():
    html = """<html><body><div class="article"><h1>标题</h1>
    <div class="info">浏览次数：1234</div></div>
    <div class="footer"><p>版权所有：武汉市人民政府办公厅</p>
    <p>总访问量：12,345,678　今日访问量：5678</p></div></body></html>"""
    c = counter_of(html)
    assert c is not None
    assert (c.today, c.yesterday, c.total) == (5678, None, 12345678)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Today 284 / Yesterday 662 / All 39463192", (284, 662, 39463192)),
        ("Visitors today: 12", (12, None, None)),
        ("Besucher heute: 12 Besucher gestern: 30 Besucher gesamt: 1.234.567", (12, 30, 1234567)),
        ("站点统计 今日访问：56 昨日访问：78 累计访问：9,999", (56, 78, 9999)),
        ("您是第12345位访问者", (None, None, 12345)),
        ("You are visitor number 4,321", (None, None, 4321)),
        ("昨日访问 662", (None, 662, None)),
    ],
)
def test_parse_formats(text, expected):
    c = parse_site_counter(text)
    assert c is not None
    assert (c.today, c.yesterday, c.total) == expected


def test_parse_nothing():
    assert parse_site_counter("Read more: China's e-government service") is None
    assert parse_site_counter("今天是：2024年11月24日 星期日") is None


def test_today_widget_date_and_prose_are_not_counters():
    html = """<html><body><div class="topbar">今天是：2024年11月24日 星期日</div>
    <div class="date">Today 3.07.2024</div>
    <main><h1>Today 12 districts joined the platform</h1>
    <p>Today 12 districts joined; yesterday 3 more applied.</p></main></body></html>"""
    # prose naming today and yesterday has no counter wording and is too long to be a widget;
    # the headline alone is a weak "Today 12"
    c = counter_of(html)
    assert c is None or c.today != 3


def test_article_view_count_is_not_a_site_counter():
    html = """<html><body><article><h1>Wuhan ranks 5th</h1><span class="views">43 Views</span>
    <div class="info">浏览次数：1234 点击数：88</div></article></body></html>"""
    assert counter_of(html) is None


def test_blog_stats_widget():
    html = """<html><body><main><h1>Post</h1><p>Text.</p></main><div class="sidebar">
    <div class="widget"><h2>Visitors</h2><ul><li>Total visitors: 10.423.242</li></ul></div>
    </div></body></html>"""
    c = counter_of(html)
    assert c is not None and c.total == 10423242
