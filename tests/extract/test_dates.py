import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from egovcrawl.extract.dates import extract_dates, parse_date
from egovcrawl.extract.dom import Document
from egovcrawl.extract.hints import SiteHints
from egovcrawl.extract.title import Headline, extract_title

D = dt.date


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2020-08-20", D(2020, 8, 20)),
        ("2020-8-20", D(2020, 8, 20)),
        ("2020/08/20", D(2020, 8, 20)),
        ("3.07.2024", D(2024, 7, 3)),
        ("3 July 2024", D(2024, 7, 3)),
        ("July 3, 2024", D(2024, 7, 3)),
        ("Jul. 3rd 2024", D(2024, 7, 3)),
        ("3. Juli 2024", D(2024, 7, 3)),
        ("2020年8月20日", D(2020, 8, 20)),
        ("21 de setembro de 2020", D(2020, 9, 21)),
        ("20/08/2020", D(2020, 8, 20)),  # only one reading is a real date
        ("Published: 3 July 2024", D(2024, 7, 3)),
    ],
)
def test_parse_date_formats(raw, expected):
    assert parse_date(raw) == expected


def test_parse_date_with_time_and_offset():
    value = parse_date("2020-08-20T10:30:00+08:00")
    assert value == dt.datetime(2020, 8, 20, 10, 30, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert parse_date("发布时间：2020-08-20 10:30") == dt.datetime(2020, 8, 20, 10, 30)
    assert parse_date("Sep 21st, 2020 at 3:45 pm EDT") == dt.datetime(
        2020, 9, 21, 15, 45, tzinfo=dt.timezone(dt.timedelta(hours=-4)))


def test_naive_time_gets_the_site_timezone():
    value = parse_date("发布时间：2020-08-20 10:30", timezone="Asia/Shanghai")
    assert value == dt.datetime(2020, 8, 20, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert parse_date("2020-08-20", timezone="Asia/Shanghai") == D(2020, 8, 20)  # dates stay dates


def test_day_month_order():
    assert parse_date("03/07/2024") is None  # undecidable: not guessed
    assert parse_date("03/07/2024", order="DMY") == D(2024, 7, 3)
    assert parse_date("03/07/2024", order="MDY") == D(2024, 3, 7)
    # the printed weekday decides, whatever the order says
    assert parse_date("Wednesday, 3.07.2024") == D(2024, 7, 3)
    assert parse_date("Wednesday, 07/03/2024", order="DMY") == D(2024, 7, 3)
    assert parse_date("Mittwoch, 03/07/2024", order="MDY") == D(2024, 7, 3)
    # a weekday neither reading fits: undecidable
    assert parse_date("Monday, 03/07/2024") is None


def test_two_digit_years_only_when_unambiguous():
    assert parse_date("3.07.24") == D(2024, 7, 3)
    assert parse_date("03/07/24") is None


def test_rejects_non_dates():
    assert parse_date("© 2020") is None
    assert parse_date("2020") is None
    assert parse_date("Version 1.2.3") is None
    assert parse_date("1985-06-01") is None  # before 1990
    future = dt.date.today() + dt.timedelta(days=30)
    assert parse_date(future.isoformat()) is None
    assert parse_date("") is None


def _dates(html: str, url: str = "https://example.gov/news/item", hints: SiteHints | None = None):
    doc = Document.from_text(html, url, hints=hints)
    return extract_dates(doc, extract_title(doc))


def test_jsonld_published_and_modified():
    html = """<html><head><script type="application/ld+json">
    {"@context":"https://schema.org","@type":"NewsArticle","headline":"Budget approved",
     "datePublished":"2020-08-20T10:30:00+08:00","dateModified":"2020-08-22T09:00:00+08:00"}
    </script></head><body><h1>Budget approved</h1><p>Text.</p></body></html>"""
    published, updated = _dates(html)
    assert published.source == "jsonld" and published.day == D(2020, 8, 20)
    assert published.value.utcoffset() == dt.timedelta(hours=8)
    assert updated.day == D(2020, 8, 22)


def test_modified_meta_is_never_published():
    html = """<html><head><meta property="article:modified_time" content="2021-05-01T08:00:00Z">
    </head><body><h1>City council meets</h1><p>Body text without any date.</p></body></html>"""
    published, updated = _dates(html)
    assert published is None
    assert updated.source == "meta" and updated.day == D(2021, 5, 1)


def test_meta_published_with_raw():
    html = """<html><head><meta name="PubDate" content="2020-08-20 10:30">
    </head><body><h1>通知</h1></body></html>"""
    published, _ = _dates(html)
    assert published.source == "meta" and published.raw == "2020-08-20 10:30"
    assert published.value == dt.datetime(2020, 8, 20, 10, 30)


def test_header_widget_today_is_not_the_date():
    """Seed 000: a top bar prints today's date (with weekday) far above the article."""
    menu = "".join(f"<li><a href='/m{i}'>Menu entry number {i}</a></li>" for i in range(30))
    html = f"""<html><body>
    <div class="topbar"><span>Wednesday, 3.07.2024</span></div>
    <div id="mainmenu"><ul>{menu}</ul></div>
    <div class="item-page"><h2>Shanghai pressing ahead in digital transformation</h2>
    <p>Shanghai is speeding up digital transformation to improve people's daily lives.</p></div>
    </body></html>"""
    assert _dates(html) == (None, None)


def test_meta_line_below_headline():
    """Seed 001: `2020-8-20 - 43 Views` under the headline, then the re-published source line."""
    html = """<html lang="en"><body>
    <aside class="sidebar"><h3>Latest</h3><ul>
      <li><a href="/a">Another story about e-government in the province</a> 2021-01-05</li>
    </ul></aside>
    <article><h1>Wuhan ranks 5th for digital governance development</h1>
    <div class="post-meta">2020-8-20 - 43 Views</div>
    <p>Wuhan ranks 5th for digital governance chinadaily.com.cn | Updated: 2020-08-20</p>
    <p>Wuhan in Central China's Hubei province ranked fifth, according to a report jointly
    released on Aug 18, 2020 by China Economic Information Service.</p></article>
    <footer>版权所有 © 2020 good news · Theme By Ameli</footer></body></html>"""
    published, _ = _dates(html)
    assert published.source == "visible-text"
    assert published.value == D(2020, 8, 20) and published.raw == "2020-8-20"


def test_labelled_chinese_date_without_heading_element():
    html = """<html><body><div class="nav"><a href="/">首页</a> 2024年7月3日 星期三</div>
    <div class="title">武汉市推进政务服务一网通办</div>
    <div class="info">发布时间：2020-08-20 10:30 来源：市政府办公厅</div>
    <div class="content"><p>正文内容。会议定于2020年9月1日召开。</p></div>
    <div class="footer">版权所有：武汉市人民政府办公厅 © 2020</div></body></html>"""
    doc = Document.from_text(html, "https://www.wuhan.gov.cn/a.html",
                             hints=SiteHints(timezone="Asia/Shanghai"))
    published, _ = extract_dates(doc, extract_title(doc))
    assert published.value == dt.datetime(2020, 8, 20, 10, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert published.raw == "发布时间：2020-08-20 10:30"


def test_german_press_release_labels():
    html = """<html lang="de"><body><main><h1>Land fördert digitale Verwaltung</h1>
    <p class="meta">Veröffentlicht am 3. Juli 2024</p>
    <p>Die Landesregierung hat am 12. Juni 2024 beschlossen, die Verwaltung zu digitalisieren
    und dafür neue Mittel bereitzustellen, wie der Minister mitteilte.</p>
    <p>Stand: 05.07.2024</p></main></body></html>"""
    published, updated = _dates(html)
    assert published.day == D(2024, 7, 3)
    assert updated.day == D(2024, 7, 5) and updated.raw == "Stand: 05.07.2024"


def test_only_updated_label_on_page():
    html = """<html lang="de"><body><h1>Hochwasser: Lage entspannt sich</h1>
    <div>Stand: 19.10.2019 11:05 Uhr</div><p>Die Pegel sinken.</p></body></html>"""
    published, updated = _dates(html)
    assert published.day == D(2019, 10, 19) and updated.day == D(2019, 10, 19)


def test_sidebar_and_teaser_dates_are_ignored():
    teasers = "".join(
        f"<li><span class='date'>0{i}.05.2021</span> <a href='/n{i}'>Other news headline "
        f"number {i} about the city</a></li>" for i in range(1, 6))
    html = f"""<html lang="de"><body><h1>Neue Bürgerdienste online</h1>
    <p>Die Stadt bietet ab sofort weitere Dienste online an, berichtete das Amt.</p>
    <div class="latest-news"><ul>{teasers}</ul></div></body></html>"""
    assert _dates(html)[0] is None


def test_event_dates_in_body_are_not_publication_dates():
    html = """<html lang="en-GB"><body><h1>Consultation opens</h1>
    <p>The consultation, which the department announced in a long statement to parliament
    today, will run from 3 July 2024 to 30 September 2024, and responses are welcome from all
    residents, businesses and community organisations in the region.</p></body></html>"""
    assert _dates(html)[0] is None


def test_time_element_and_url_fallback():
    html = """<html><body><article><h1>Ministry launches portal</h1>
    <time datetime="2020-08-20T10:30:00+02:00">20 August</time><p>Text.</p></article>
    </body></html>"""
    published, _ = _dates(html)
    assert published.source == "time-element" and published.day == D(2020, 8, 20)
    published, _ = _dates("<html><body><h1>Portal</h1><p>Text</p></body></html>",
                          url="https://example.org/2020/08/20/portal-launch/")
    assert published.source == "url" and published.value == D(2020, 8, 20)


def test_page_language_decides_numeric_order():
    body = "<body><h1>Council budget approved</h1><p>Posted 03/07/2024</p><p>Text.</p></body>"
    assert _dates(f"<html lang='en-US'>{body}</html>")[0].value == D(2024, 3, 7)
    assert _dates(f"<html lang='en-GB'>{body}</html>")[0].value == D(2024, 7, 3)
    assert _dates(f"<html>{body}</html>", url="https://example.com/x")[0] is None
    hinted = _dates(f"<html>{body}</html>", url="https://example.com/x",
                    hints=SiteHints(date_order="DMY"))
    assert hinted[0].value == D(2024, 7, 3)


def test_sources_that_agree_win():
    """A visible date and the URL outvote a meta tag carrying another day."""
    html = """<html><head><meta property="article:published_time" content="2019-01-01">
    </head><body><h1>Open data strategy</h1><div class="date">20 August 2020</div>
    <p>Text.</p></body></html>"""
    published, _ = _dates(html, url="https://example.org/2020/08/20/open-data/")
    assert published.day == D(2020, 8, 20)


def test_hostile_inputs(no_hang):
    assert _dates("") == (None, None)
    deep = "<div>" * 100_000 + "2020-08-20" + "</div>" * 100_000
    _dates(deep)
    big = "<html><body><h1>T</h1>" + "<p>12.12.12 1.1.1 2020-13-45 " * 200_000 + "</body></html>"
    _dates(big)


_LONG_BODY = "<p>" + "Die Verwaltung arbeitet an neuen digitalen Angeboten für alle. " * 80 + "</p>"


def test_publishing_line_below_the_body():
    """Blogs and forums print `wurde am DATE veröffentlicht` / `在DATE发表` after the text."""
    html = f"""<html lang="de"><body><article><h1>Kein Cyberterrorismus</h1>{_LONG_BODY}
    <p class="postmetadata"><small>Dieser Beitrag wurde am Samstag, 3. Dezember 2011 um 10:00 Uhr
    veröffentlicht.</small></p></article></body></html>"""
    assert _dates(html)[0].day == D(2011, 12, 3)
    html = f"""<html><body><h3>台湾教育家演讲精选</h3>{_LONG_BODY}
    <p>原标题是大卫在2005年8月12日16:10:13发表</p></body></html>"""
    assert _dates(html)[0].day == D(2005, 8, 12)
    html = """<html><body><table><tr><td class="post-title">湘菜粤菜 兵分两路</td></tr>
    <tr><td class="post-body">正文。</td></tr>
    <tr><td class="post-footer">由海姑娘张贴 @ 2005-03-21 01:20:44</td></tr></table>
    </body></html>"""
    assert _dates(html)[0].day == D(2005, 3, 21)


def test_bylines_of_quoted_posts_and_comments_are_not_the_date():
    html = f"""<html lang="de"><body><article><h1>Der Fall Vreni Frost</h1>
    <p>{"Einleitung zum Fall, die ein paar Sätze lang ist und erklärt, worum es geht. " * 12}</p>
    <blockquote class="instagram-media">Ein Beitrag geteilt von vreni frost (@vrenifrost)
    am Mär 27, 2018 um 12:08 PDT</blockquote>{_LONG_BODY}
    <div class="comments"><p>Kommentar von Jan am 3. Mai 2018</p></div></article></body></html>"""
    assert _dates(html)[0] is None


def test_date_line_at_the_end_with_issued_time():
    """HK-style press release: `Ends/Wednesday, July 3, 2024` then `Issued at HKT 15:30`."""
    html = """<html lang="en"><body><div id="header"><a href="/">Press Releases</a></div>
    <div id="pressrelease"><h1>Government expands digital identity services</h1>
    <p>The Government announced today that 50 more public services will accept the digital
    identity from the fourth quarter, bringing the total to more than 390 services.</p>
    <p>A spokesman said that users would also be able to sign documents digitally when applying
    for licences from the Buildings Department and the Lands Department in the coming year.</p>
    <p>Ends/Wednesday, July 3, 2024<br>Issued at HKT 15:30</p></div>
    <div id="footer">Last revision date: July 3, 2024</div></body></html>"""
    published, _ = _dates(html)
    assert published.value == dt.datetime(2024, 7, 3, 15, 30,
                                           tzinfo=dt.timezone(dt.timedelta(hours=8)))


def test_updated_label_ending_in_a_published_label():
    html = """<html><body><h1>武汉城市大脑二期上线</h1>
    <div class="info">发布时间：2024-05-10 09:00 更新时间：2024-05-12 16:20 来源：长江日报</div>
    <p>正文。</p></body></html>"""
    published, updated = _dates(html)
    assert published.value == dt.datetime(2024, 5, 10, 9, 0)
    assert updated.value == dt.datetime(2024, 5, 12, 16, 20) and updated.raw.startswith("更新时间")


def test_header_widget_right_above_the_headline_and_blog_date_header():
    """A top bar's today-date just above the headline is furniture; a blog's own
    `<h2 class="date-header">` above the post title is the post's date."""
    html = """<html lang="en-GB"><body><div class="topbar"><span class="today-date">Wednesday,
    3.07.2024</span></div><div class="item-page"><h2>Councils test shared digital identity</h2>
    <p>Councils are testing a shared digital identity service for residents.</p></div>
    </body></html>"""
    assert _dates(html)[0] is None
    html = """<html lang="de"><head><title>Viertes eigenes Buch erschienen | Lesewelt</title>
    </head><body><div class="widget Blog"><div class="date-outer">
    <h2 class="date-header"><span>Samstag, 5. Oktober 2013</span></h2>
    <div class="post"><h3 class="post-title">Viertes eigenes Buch erschienen</h3>
    <p>Heute ist es so weit, mein viertes Buch ist erschienen.</p></div></div></div>
    </body></html>"""
    assert _dates(html)[0].day == D(2013, 10, 5)


def test_sticky_header_repeating_the_title_is_not_the_anchor():
    """A site header repeats the title next to a today-date widget; the <h1> is the anchor."""
    html = """<html lang="en-US"><head><title>Child dead from fentanyl, parent arrested</title>
    </head><body><header class="site-header"><div class="date">Thursday, November 9th 2023</div>
    <h2 class="entry-title"><span class="dfm-title">Child dead from fentanyl, parent arrested
    </span></h2></header><article><header class="entry-header"><h1 class="entry-title">
    <a href="/crime/">Crime | </a><span class="dfm-title">Child dead from fentanyl, parent
    arrested</span></h1><div class="byline">PUBLISHED: November 8, 2023 at 5:49 p.m.</div>
    </header><p>FREMONT — A child died.</p></article></body></html>"""
    published, _ = _dates(html)
    assert published.day == D(2023, 11, 8)


def test_time_pubdate_attribute_marks_the_publication_date():
    html = """<html lang="de"><body><h1>Paris Haute Couture</h1><p>Kurzer Text.</p>
    <div class="entry-meta"><time datetime="2014-01-27T19:02:50+00:00" pubdate>27. Januar
    2014</time> <time class="updated" datetime="2014-02-01T10:00:00+00:00">1. Februar</time>
    </div></body></html>"""
    published, updated = _dates(html)
    assert published.day == D(2014, 1, 27) and updated.day == D(2014, 2, 1)


def test_article_own_footer_and_aside_hold_its_date():
    """`<footer>`/`<aside>` inside the article are its meta parts, not page furniture; the site
    header's today widget and a comment footer inside the article stay traps."""
    filler = "<p>" + "Body text of the press release. " * 40 + "</p>"
    html = f"""<html><body><header class="site-header"><span>Wednesday, 3.07.2024</span></header>
    <div class="hentry post"><h1>New e-government portal launched</h1>{filler}
    <footer class="entry-footer">Posted by Jane Doe on 12.01.2017</footer>
    <div class="comments"><article class="comment"><footer class="comment-meta">Posted by
    Bob on 14.01.2017</footer><p>Nice.</p></article></div></div></body></html>"""
    published, _ = _dates(html)
    assert published.day == D(2017, 1, 12)
    html = f"""<html><body><article><h1>Neue Förderrichtlinie</h1>
    <aside class="blogData"><dl><dt>Datum</dt><dd>12.01.2017</dd></dl></aside>{filler}
    </article></body></html>"""
    published, _ = _dates(html)
    assert published.day == D(2017, 1, 12)
    html = f"""<html><body><article><header><div class="today">Wednesday, 3.07.2024</div>
    <nav><a href="/">Home</a></nav></header><h1>Neue Förderrichtlinie</h1>{filler}
    </article></body></html>"""
    assert _dates(html)[0] is None


def test_library_fallback_is_guarded_by_the_days_we_rejected():
    """htmldate reads what the cascade does not (an image URL's date) on otherwise empty pages,
    but never returns a day the cascade rejected (today widget, teasers) or a month-only date."""
    pytest.importorskip("htmldate")
    body = "<h1>Annual report published</h1><p>" + "Report text. " * 30 + "</p>"
    html = f"""<html><head><meta property="og:image"
    content="https://example.gov/files/2016/05/04/report.png"></head><body>{body}</body></html>"""
    published, _ = _dates(html)
    assert published.day == D(2016, 5, 4) and published.source == "htmldate"
    html = f"""<html><body><div class="topbar"><span class="date">Wednesday, 3.07.2024</span>
    </div><nav><a href="/">Home</a></nav>{body}</body></html>"""
    assert _dates(html)[0] is None
    html = f"""<html><body>{body}<aside class="sidebar"><ul><li><a href="/n1">Another
    council story with a long title</a> <span class="date">2021-11-10</span></li></ul></aside>
    </body></html>"""
    assert _dates(html)[0] is None
    html = f"""<html><body><div class="date">Stand 03/2021</div>{body}</body></html>"""
    assert _dates(html)[0] is None


def test_document_date_beats_web_posting_date_in_disclosure_tables():
    html = """<html><body><table><tr><td>发文机关：</td><td>某省人民政府</td>
    <td>成文日期：</td><td>2022年01月27日</td></tr><tr><td>标 题：</td>
    <td><b>某省人民政府关于禁止新增建设项目的通告</b></td></tr><tr><td>发文字号：</td>
    <td>某政明电〔2022〕1号</td><td>发布日期：</td><td>2022年01月28日</td></tr></table>
    <div><p>特此通告。</p><p>某省人民政府</p><p>2022年1月27日</p></div></body></html>"""
    published, _ = _dates(html, url="https://www.example.gov.cn/zhengce/content_5670000.htm")
    assert published.day == D(2022, 1, 27)


RDF = """<!--
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
  xmlns:dc="http://purl.org/dc/elements/1.1/">
<rdf:Description rdf:about="{about}" dc:title="{title}" dc:date="{date}" />
</rdf:RDF>
-->"""


def test_rdf_trackback_block_in_a_comment_dates_its_own_entry():
    url = "https://blog.example.org/entry/5d8c31a6"
    entry = RDF.format(about=url, title="Hiking report", date="2020-07-03T17:16:22+09:00")
    html = f"""<html><body><h3>Hiking report</h3><div class="entry-body">
    <p>We climbed the mountain in the rain.</p>{entry}</div></body></html>"""
    published, _ = _dates(html, url)
    assert published.source == "meta" and published.day == D(2020, 7, 3)
    assert published.raw == 'dc:date="2020-07-03T17:16:22+09:00"'
    # a blog's front page: one block per teaser, none of them about this page
    teasers = "".join(RDF.format(about=f"https://blog.example.org/entry/{i}", title=f"Post {i}",
                                 date=f"2020-07-0{i}T10:00:00+09:00") for i in range(1, 4))
    front = f"<html><body><h1>My blog</h1><p>Posts.</p>{teasers}</body></html>"
    assert _dates(front, "https://blog.example.org/") == (None, None)


def test_headline_caught_in_a_slideshow_caption_is_anchored_at_the_heading():
    """title.py may find the headline's text first in a teaser caption that repeats it; the date
    is read beside the heading that prints the same text, not beside the caption."""
    title = "Sale winners (2020/7/11-12, 18 horses)"
    html = f"""<html><head><title>{title} - Horse market news</title></head><body>
    <div class="entry"><h3><a href="/e/1">{title}</a></h3>
    <div class="entry-top-info"><span class="entry-top-info-time">2020年07月12日</span></div>
    <div class="entry-body">{"Winners of the weekend races were sold at auction. " * 5}</div></div>
    <ul class="slides"><li><a href="/e/1"><span class="caption">{title}</span></a></li></ul>
    </body></html>"""
    doc = Document.from_text(html, "https://blog.example.org/e/1")
    caption = doc.tree.find(".//span[@class='caption']")
    published, _ = extract_dates(doc, Headline(title, None, caption))
    assert published.day == D(2020, 7, 12)


def test_generic_meta_date_after_the_printed_stand_is_not_the_publication():
    html = """<html><head><meta name="date" content="2020-04-29T11:52:23"></head><body>
    <h1>Data of arms maker leaked</h1><p class="text"><span class="stand">Stand: 28.04.2020
    18:00 Uhr</span></p><p>Internal documents were found on the internet.</p></body></html>"""
    published, _ = _dates(html, "https://news.example.de/investigativ/leak-101.html")
    assert published.day == D(2020, 4, 28) and published.source == "visible-text"
    # a meta date before the Stand stays the publication date
    earlier = html.replace("2020-04-29T11:52:23", "2020-04-27T09:00:00")
    assert _dates(earlier, "https://news.example.de/investigativ/leak-101.html")[0].day == D(
        2020, 4, 27)


def test_tied_metadata_days_go_to_the_day_the_page_prints():
    html = """<html><head><meta name="DC.Date" content="2023-11-07T07:30+01:00">
    <script type="application/ld+json">{"@type":"NewsArticle","headline":"Arms for Russia",
    "datePublished":"2023-11-06T18:19+01:00","dateModified":"2023-11-07T10:14+01:00"}</script>
    </head><body><h1>Arms for Russia</h1><p class="stand">Stand: 07.11.2023, 07:30 Uhr</p>
    <p>Since the beginning of the war, German parts have been found.</p></body></html>"""
    published, _ = _dates(html, "https://news.example.de/arms-100.html")
    assert published.day == D(2023, 11, 7)


def test_utc_stamp_of_the_printed_local_time_keeps_the_printed_day():
    """`23:59:50Z` and the printed `2020/12/25 01:59` (UTC+2) are one instant: the site's
    calendar day, as printed, is the publication day."""
    html = """<html><head><meta property="article:published_time"
    content="2020-12-24T23:59:50+00:00"></head><body><h1>Minister thanks health workers</h1>
    <p class="meta">2020/12/25 - 01:59</p><p>The minister thanked the staff.</p></body></html>"""
    published, _ = _dates(html, "https://news.example.org/2020/item")
    assert published.day == D(2020, 12, 25)
    # without the printed time the stamp's own day stands
    bare = html.replace("2020/12/25 - 01:59", "")
    assert _dates(bare, "https://news.example.org/2020/item")[0].day == D(2020, 12, 24)


def test_a_latest_box_teaser_of_this_very_page_dates_it():
    """The page prints no date of its own, but its "latest articles" box also lists it: that
    teaser's date is this page's. The other teasers' dates stay traps."""
    teasers = "".join(
        f"""<div class="views-row"><a href="/{slug}"><div class="teaser">
        <div class="authored">{day}.11.2021</div><h2>{title}</h2></div></a></div>"""
        for slug, day, title in (
            ("refugees-at-the-border", "12", "Refugees at the border: act now"),
            ("respect-human-rights", "10", "Respect human rights"),
            ("counselling-works", "09", "Counselling works, funding is missing")))
    html = f"""<html lang="de"><body><article><h1>Respect human rights</h1>
    <p>An appeal to the federal government to put human rights first.</p>
    <div class="marginal"><h3>Latest articles</h3>{teasers}</div></article></body></html>"""
    published, _ = _dates(html, "https://www.charity.example.org/respect-human-rights")
    assert published.day == D(2021, 11, 10) and published.raw == "10.11.2021"
    assert _dates(html, "https://www.charity.example.org/some-other-page") == (None, None)


def test_a_navigation_wrapper_around_main_is_layout():
    html = """<html><body><div class="grid left-navigation-wrapper--margin">
    <nav><a href="/a">Section A</a></nav><main class="main">
    <p>The association elected its new president at the delegates' assembly.</p>
    <div class="eventbox"><span>Erschienen am:</span><h2>13.10.2021</h2></div>
    </main></div></body></html>"""
    published, _ = _dates(html, "https://www.charity.example.de/presse/president-elected")
    assert published.day == D(2021, 10, 13)
    # the same line in a real sidebar beside <main> stays furniture
    aside = html.replace('<div class="eventbox">', '</main><aside class="sidebar"><div>').replace(
        "</h2></div>\n    </main>", "</h2></div></aside>")
    assert _dates(aside, "https://www.charity.example.de/presse/president-elected")[0] is None
