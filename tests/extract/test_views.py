import pytest

from egovcrawl.extract.dom import Document
from egovcrawl.extract.title import extract_title
from egovcrawl.extract.views import extract_views, parse_count, parse_views


def views_of(html: str) -> int | None:
    d = Document.from_text(html, "https://example.gov.cn/news/1.html")
    return extract_views(d, extract_title(d))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("43 Views", 43),
        ("2020-8-20 - 43 Views", 43),
        ("Views: 43", 43),
        ("Hits: 1234", 1234),
        ("阅读 123", 123),
        ("阅读量：5,678", 5678),
        ("浏览次数：1234", 1234),
        ("点击数：88", 88),
        ("Aufrufe: 1.208", 1208),
        ("Zugriffe: 12 345", 12345),
        ("Read 1,234 times", 1234),
        ("1.2万阅读", 12000),
        ("阅读：3.5万", 35000),
        ("Views: 1\u202f234", 1234),
        ("Views: 1\u2009234", 1234),
        ("0 Views", 0),
        ("1.208 mal gelesen", 1208),
        ("Hits 1234", 1234),
    ],
)
def test_parse_views_formats(text, expected):
    assert parse_views(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Iyer hits 50 in the final over",  # prose, not a counter
        "今日访问量：5678",  # site counter
        "总访问量：12345678",
        "Today 284 Yesterday 662 All 39463192",
        "浏览次数：",  # filled by a script
        "阅读 2020-08-20",  # a date, not a count
        "2 Klicks für mehr Datenschutz",
        "Read more: China's e-government service",
    ],
)
def test_parse_views_rejects(text):
    assert parse_views(text) is None


def test_parse_count_separators_and_multipliers():
    assert parse_count("1,234") == 1234
    assert parse_count("1.208") == 1208
    assert parse_count("1 234") == 1234
    assert parse_count("1.2", "万") == 12000
    assert parse_count("3.4", "k") == 3400
    assert parse_count("1.5") is None  # a bare decimal is not a count


def test_parse_count_refuses_what_no_real_count_reaches():
    assert parse_count("99,999,999,999") == 99_999_999_999
    assert parse_count("100000000000") is None  # MAX_COUNT
    assert parse_count("9" * 20) is None
    assert parse_count("9" * 5000) is None  # beyond int()'s digit limit: no ValueError
    assert parse_count("9" * 400, "万") is None  # float inf: no OverflowError
    assert parse_count("2", "亿") == 200_000_000


def test_wordpress_meta_line_and_sidebar_counts():
    html = """<html><body><div id="page">
    <main><article><header class="entry-header"><h1 class="entry-title">Wuhan ranks 5th</h1>
    <div class="entry-meta"><time>2020-8-20</time> - <span class="post-views">43 Views</span></div>
    </header><div class="entry-content"><p>Wuhan in Central China ranked fifth.</p></div></article>
    </main>
    <aside class="widget-area"><section class="widget"><ul>
    <li><a href="/a">Hangzhou city brain goes province-wide</a> <span>1,204 Views</span></li>
    <li><a href="/b">Guangdong app passes 100 million users</a> <span>988 Views</span></li>
    </ul></section></aside></div></body></html>"""
    assert views_of(html) == 43


def test_zero_views_is_zero():
    html = """<html><body><article><h1>Neue Förderrichtlinie</h1>
    <p class="meta">Veröffentlicht 3.07.2024 · 0 Views</p><p>Text.</p></article></body></html>"""
    assert views_of(html) == 0


def test_gov_cn_info_line():
    html = """<html><body><div class="article"><h1>武汉市推进一网通办改革</h1>
    <div class="info">发布时间：2024-07-03 10:30　来源：长江日报
    　浏览次数：<span id="hits">1234</span>
    字号：<a href="#">大</a></div><div class="TRS_Editor"><p>正文。</p></div></div>
    <div class="footer"><p>总访问量：12345678　今日访问量：5678</p></div></body></html>"""
    assert views_of(html) == 1234


def test_count_filled_by_script_is_none():
    html = """<html><body><div class="article"><h1>武汉市推进一网通办改革</h1>
    <div class="info">发布时间：2024-07-03　浏览次数：<span id="hits"></span>
    <script>document.getElementById('hits').innerHTML = getHits(2431);</script></div>
    <p>正文。</p></div><div class="footer">总访问量：12345678</div></body></html>"""
    assert views_of(html) is None


def test_site_counter_is_never_views():
    html = """<html><body><header><div class="mod-vvisit-counter"><table>
    <tr><td>Today</td><td>284</td></tr><tr><td>Yesterday</td><td>662</td></tr>
    <tr><td>All</td><td>39463192</td></tr></table></div></header>
    <main><h1>China's e-government service reaches 809 million people</h1>
    <p>China's national e-government platform had 809 million registered users.</p></main>
    </body></html>"""
    assert views_of(html) is None


def test_page_without_counts_is_none():
    html = """<html><body><main><h1>Press release</h1><p>The ministry views the report as
    a milestone; 43 experts read it.</p></main></body></html>"""
    assert views_of(html) is None


def test_listing_teaser_counts_are_not_views():
    html = """<html><body><main>
    <div class="item"><h2><a href="/1">First article on the portal</a></h2>
    <span>120 Views</span></div>
    <div class="item"><h2><a href="/2">Second article on the portal</a></h2>
    <span>88 Views</span></div>
    <div class="item"><h2><a href="/3">Third article on the portal</a></h2>
    <span>7 Views</span></div>
    </main></body></html>"""
    assert views_of(html) is None


def test_joomla_article_info_hits():
    html = """<html><body><div class="item-page"><h2 itemprop="headline">Digital agenda adopted</h2>
    <dl class="article-info"><dd class="published">Published: 03 July 2024</dd>
    <dd class="hits">Hits: 1,234</dd></dl><div itemprop="articleBody"><p>Text.</p></div></div>
    </body></html>"""
    assert views_of(html) == 1234


def test_label_and_number_in_separate_cells():
    html = """<html><body><table><tr><td><h1>Landesportal: Breitbandausbau</h1></td></tr>
    <tr><td><table><tr><td>Aufrufe</td><td>1.208</td></tr></table></td></tr></table>
    <p>Text.</p></body></html>"""
    assert views_of(html) == 1208


def test_rating_number_before_label_is_not_the_count():
    html = """<html><body><div class="post"><h1>Briefe an die Redaktion</h1>
    <div class="details"><ul><li>1</li><li>2</li><li>3</li><li>4</li><li>5</li></ul>
    Aufrufe: 1120 | Hinzugefügt von: admin</div></div></body></html>"""
    assert views_of(html) == 1120


def test_jsonld_interaction_statistic():
    html = """<html><head><script type="application/ld+json">{"@context": "https://schema.org",
    "@type": "NewsArticle", "headline": "Budget adopted", "interactionStatistic": [
      {"@type": "InteractionCounter", "interactionType": "https://schema.org/CommentAction",
       "userInteractionCount": 5},
      {"@type": "InteractionCounter", "interactionType": {"@type": "ReadAction"},
       "userInteractionCount": "2,345"}]}</script></head>
    <body><h1>Budget adopted</h1></body></html>"""
    assert views_of(html) == 2345


def test_microdata_interaction_counter():
    html = """<html><body><article><h1>Budget adopted</h1>
    <div itemprop="interactionStatistic" itemscope itemtype="https://schema.org/InteractionCounter">
    <meta itemprop="interactionType" content="https://schema.org/ViewAction">
    <meta itemprop="userInteractionCount" content="321"></div></article></body></html>"""
    assert views_of(html) == 321


def test_no_headline_single_count_outside_furniture():
    html = """<html><body><div class="content"><p class="meta">浏览：56次</p><p>正文内容。</p></div>
    <div class="footer">累计访问：99999</div></body></html>"""
    d = Document.from_text(html, "https://example.gov.cn/x")
    assert extract_views(d, None) == 56


def test_deep_tree_does_not_recurse(no_hang):
    html = "<div>" * 5000 + "<h1>Title here</h1><span>43 Views</span>" + "</div>" * 5000
    views_of(f"<html><body>{html}</body></html>")  # must simply return


def test_repetitive_page_is_bounded(no_hang):
    # every paragraph mentions a count next to site-counter words: the scan gives up early
    row = "<p>Today 5 Yesterday 6 Views 来源：新华网 © 2020 X</p>"
    views_of(f"<html><body><div><h1>Title of the page</h1>{row * 5000}</div></body></html>")
