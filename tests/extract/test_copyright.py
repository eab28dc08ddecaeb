import pytest

from egovcrawl.extract.copyright import extract_copyright, parse_copyright
from egovcrawl.extract.dom import Document
from egovcrawl.extract.model import Copyright


def copyright_of(html: str) -> Copyright | None:
    return extract_copyright(Document.from_text(html, "https://example.org/a"))


def test_wordpress_footer_with_theme_credit():
    html = """<html><body><article><h1>Wuhan ranks 5th</h1><p>Text.</p>
    <footer class="entry-footer">Posted in 电子政务</footer></article>
    <footer id="colophon" class="site-footer"><div class="site-info">版权所有 © 2020 good news ·
    Theme By <a href="https://example.org/ameli">Ameli</a> ·</div></footer></body></html>"""
    c = copyright_of(html)
    assert c is not None
    assert c.holder == "good news"
    assert c.years == (2020, 2020) and c.year == 2020
    assert c.credit == "Theme By Ameli"
    assert "版权所有" in c.text


def test_gov_cn_footer_holder_and_icp():
    html = """<html><body><div class="article"><h1>标题</h1><p>正文。</p></div>
    <div class="footer"><p>版权所有：武汉市人民政府办公厅　主办：武汉市人民政府办公厅
    　承办：武汉市大数据管理局</p>
    <p><a href="https://beian.miit.gov.cn/">鄂ICP备12345678号-1</a>　鄂公网安备 42010202000001号</p>
    </div></body></html>"""
    c = copyright_of(html)
    assert c is not None
    assert c.holder == "武汉市人民政府办公厅"
    assert c.icp == "鄂ICP备12345678号-1"
    assert c.years is None


def test_host_is_holder_without_copyright_line():
    html = """<html><body><div class="main"><h1>标题</h1></div><div id="bottom">
    <p>主办：XX市人民政府办公厅　承办：XX市大数据中心</p><p>京ICP证030173号</p></div>
    </body></html>"""
    c = copyright_of(html)
    assert c is not None
    assert c.holder == "XX市人民政府办公厅"
    assert c.icp == "京ICP证030173号"


@pytest.mark.parametrize(
    ("text", "holder", "years"),
    [
        ("Copyright © 2001-2024 www.wuhan.gov.cn All Rights Reserved", "www.wuhan.gov.cn",
         (2001, 2024)),
        ("Copyright © 2001–2024 eGovernment Research. All rights reserved.",
         "eGovernment Research", (2001, 2024)),
        ("© 2024 Landesregierung Nordrhein-Westfalen", "Landesregierung Nordrhein-Westfalen",
         (2024, 2024)),
        ("Copyright 2023 Freistaat Sachsen", "Freistaat Sachsen", (2023, 2023)),
        ("© 版权所有2000-2006，北京千龙新闻网络传播有限责任公司",
         "北京千龙新闻网络传播有限责任公司", (2000, 2006)),
        ("网易公司版权所有", "网易公司", None),
        ("Copyright © 2005 Sohu.com Inc. All rights reserved.搜狐公司 版权所有", "Sohu.com Inc.",
         (2005, 2005)),
        ("Yahoo.com.cn © 2006 版权所有 不得转载", "Yahoo.com.cn", (2006, 2006)),
        ("© Telegraph Media Group Limited 2022", "Telegraph Media Group Limited", (2022, 2022)),
        ("All Rights Reserved © 2019", None, (2019, 2019)),
        ("© 2001-24 Stadt Musterstadt", "Stadt Musterstadt", (2001, 2024)),
    ],
)
def test_parse_holder_and_years(text, holder, years):
    c = parse_copyright(text)
    assert c is not None
    assert c.holder == holder
    assert c.years == years
    assert c.year == (years[1] if years else None)


@pytest.mark.parametrize(
    ("text", "credit"),
    [
        ("© 2024 Stadt Köln | Powered by WordPress", "Powered by WordPress"),
        ("Copyright © 2024 Acme Inc. · Designed by Foo Studio", "Designed by Foo Studio"),
        ("© 2024 Gemeinde Beispiel. Joomla! is Free Software released under the GNU GPL.",
         "Joomla! is Free Software released under the GNU GPL."),
        ("版权所有：某某市人民政府 技术支持：某某网络科技有限公司",
         "技术支持：某某网络科技有限公司"),
    ],
)
def test_credit_is_never_the_holder(text, credit):
    c = parse_copyright(text)
    assert c is not None
    assert c.credit == credit
    assert c.holder and "Powered" not in c.holder and "Designed" not in c.holder
    assert "技术支持" not in c.holder and "Joomla" not in c.holder


def test_credit_only_line_has_no_holder():
    c = parse_copyright("Powered by WordPress | Theme: Twenty Twenty")
    assert c is not None and c.holder is None and c.credit


def test_copyright_prose_is_not_a_footer():
    assert parse_copyright("Copyright Policy") is None
    assert parse_copyright("The copyright law reform was adopted in 2019.") is None


def test_photo_credit_in_article_is_not_the_site_copyright():
    html = """<html><body><article><h1>Neue Förderrichtlinie</h1>
    <figure><img src="a.jpg"><figcaption>Foto: © dpa 2024</figcaption></figure>
    <p>Text des Artikels. Copyright 2019 Musterverlag im Zitat.</p></article>
    <div class="teaser"><div><picture><img src="b.jpg"></picture></div>
    <span class="teaser-copyright">© Polizei RLP</span></div>
    <footer><p>© 2024 Landesregierung Nordrhein-Westfalen</p></footer></body></html>"""
    c = copyright_of(html)
    assert c is not None
    assert c.holder == "Landesregierung Nordrhein-Westfalen"
    assert c.year == 2024


def test_icp_digits_are_not_years():
    c = parse_copyright("沪ICP备2021000000号-2 版权所有：上海市人民政府")
    assert c is not None
    assert c.icp == "沪ICP备2021000000号-2"
    assert c.years is None
    assert c.holder == "上海市人民政府"


def test_public_security_number_is_not_icp():
    c = parse_copyright("京公网安备 11010502030143号 版权所有：北京市人民政府")
    assert c is not None
    assert c.icp is None
    assert c.holder == "北京市人民政府"


def test_meta_copyright_fallback():
    html = """<html><head><meta name="copyright" content="人民网版权所有"></head>
    <body><h1>标题</h1><p>正文。</p></body></html>"""
    c = copyright_of(html)
    assert c is not None and c.holder == "人民网"


def test_page_without_footer_is_none():
    assert copyright_of("<html><body><h1>Title</h1><p>Text only.</p></body></html>") is None
