import pytest

from egovcrawl.extract.dom import Document
from egovcrawl.extract.model import Source
from egovcrawl.extract.source import extract_canonical, extract_source, parse_source
from egovcrawl.extract.title import extract_title

URL = "https://goodnews.example.cn/2020/08/20/wuhan/"


def doc(html: str, url: str = URL) -> Document:
    return Document.from_text(html, url)


def source_of(html: str, url: str = URL) -> Source | None:
    d = doc(html, url)
    return extract_source(d, extract_title(d))


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("来源：新华网", "新华网"),
        ("来源: 人民日报", "人民日报"),
        ("文章来源：中国政府网", "中国政府网"),
        ("转载自《北京科技报》", "北京科技报"),
        ("Source: Reuters", "Reuters"),
        ("Quelle: dpa", "dpa"),
        ("Originally published by The Conversation", "The Conversation"),
        ("发布时间：2024-07-03 10:30　来源：长江日报　浏览次数：1234", "长江日报"),
        ("来源：湖北日报 作者：张三 编辑：李四", "湖北日报"),
        ("2022年02月13日07:48 | 来源：新华日报 | 点击：12", "新华日报"),
        ("chinadaily.com.cn | Updated: 2020-08-20", "chinadaily.com.cn"),
        ("By Zhang Yi | Xinhua | Updated: 2020-08-20 09:15", "Xinhua"),
        ("Quelle: Deutscher Jagdverband (DJV), 02. Februar 2022", "Deutscher Jagdverband (DJV)"),
        ("来源：人民日报（转载）", "人民日报"),
        ("Quelle: dpa (gekürzt)", "dpa"),
    ],
)
def test_parse_source_formats(text, name):
    s = parse_source(text)
    assert s is not None
    assert s.name == name


@pytest.mark.parametrize(
    "text",
    [
        "来源：本站",
        "来源：互联网",
        "图片来源：视觉中国",
        "数据来源：国家统计局",
        "Image source: Getty",
        "First published on November 20, 2019 / 1:07 AM",
        "News-Tipp an die Redaktion senden: Quelle: Nick:",
        "The source of the problem was a data error.",
    ],
)
def test_parse_source_rejects(text):
    assert parse_source(text) is None


def test_chinadaily_style_republication_with_link():
    html = """<html><body><article><header><h1>Wuhan ranks 5th for digital governance</h1>
    <div class="entry-meta">2020-8-20 - 43 Views</div></header><div class="entry-content">
    <p>Wuhan ranks 5th for digital governance <a href="http://www.chinadaily.com.cn/a/1.html">
    chinadaily.com.cn</a> | Updated: 2020-08-20</p><p>Wuhan in Central China ranked fifth.</p>
    </div></article></body></html>"""
    s = source_of(html)
    assert s is not None
    assert s.name == "chinadaily.com.cn"
    assert s.url == "http://www.chinadaily.com.cn/a/1.html"


def test_gov_cn_info_line_with_linked_source():
    html = """<html><body><div class="article"><h1>武汉市推进一网通办改革</h1>
    <div class="info">发布时间：2024-07-03　来源：<a href="/ext/cjrb">长江日报</a>　作者：张三</div>
    <div class="TRS_Editor"><p>正文。</p></div></div></body></html>"""
    s = source_of(html, "https://www.wuhan.gov.cn/sy/whyw/202407/t20240703_2431.shtml")
    assert s is not None
    assert s.name == "长江日报"
    assert s.url == "https://www.wuhan.gov.cn/ext/cjrb"


def test_site_itself_is_not_a_source():
    html = """<html><head><meta property="og:site_name" content="武汉市人民政府"></head><body>
    <div class="article"><h1>标题</h1><div class="info">来源：武汉市人民政府</div></div>
    </body></html>"""
    assert source_of(html, "https://www.wuhan.gov.cn/a.html") is None
    html2 = """<html><body><h1>Title</h1><p class="meta">Source: www.wuhan.gov.cn</p>
    </body></html>"""
    assert source_of(html2, "https://www.wuhan.gov.cn/a.html") is None


def test_sidebar_sources_are_ignored():
    html = """<html><body><div class="article"><h1>市政府召开常务会议</h1><p>正文。</p></div>
    <div class="sidebar"><ul><li><a href="/1">另一篇文章</a> 来源：新华网</li></ul></div>
    </body></html>"""
    assert source_of(html) is None


def test_caption_source_is_not_the_publisher():
    html = """<html><body><article><h1>Budget adopted</h1><figure><img src="c.png">
    <figcaption>Source: Eurostat</figcaption></figure><p>Text.</p></article></body></html>"""
    assert source_of(html) is None


def test_meta_content_source():
    html = """<html><head><meta name="ContentSource" content="长江日报"></head><body>
    <div class="article"><h1>标题</h1><p>正文。</p></div></body></html>"""
    s = source_of(html)
    assert s is not None and s.name == "长江日报"


def test_jsonld_is_based_on():
    html = """<html><head><script type="application/ld+json">{"@type": "NewsArticle",
    "headline": "T", "isBasedOn": {"@type": "NewsArticle", "name": "Xinhua",
    "url": "http://www.news.cn/1.htm"}}</script></head><body><h1>T</h1></body></html>"""
    s = source_of(html)
    assert s is not None
    assert (s.name, s.url) == ("Xinhua", "http://www.news.cn/1.htm")


def test_jsonld_citation_is_not_a_source():
    html = """<html><head><script type="application/ld+json">{"@type": "Article", "headline": "T",
    "isBasedOn": {"@type": "ScholarlyArticle", "name": "Smith et al. (2015): A study",
    "url": "https://pubmed.example/1"}}</script></head><body><h1>T</h1></body></html>"""
    assert source_of(html) is None


def test_no_source_is_none():
    assert source_of("<html><body><h1>Title</h1><p>Plain text.</p></body></html>") is None


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ('<link rel="canonical" href="https://example.org/a/b">', "https://example.org/a/b"),
        ('<link rel="canonical" href="/news/1.html">', "https://goodnews.example.cn/news/1.html"),
        ('<link rel="Canonical" href="  ">'
         '<meta property="og:url" content="https://example.org/og">', "https://example.org/og"),
        ('<link rel="canonical" href="javascript:void(0)">', None),
        ('<link rel="canonical" href="{{ canonical }}">', None),
        ("", None),
    ],
)
def test_canonical(head, expected):
    d = doc(f"<html><head>{head}</head><body><p>x</p></body></html>")
    assert extract_canonical(d) == expected
