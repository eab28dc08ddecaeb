import json

import pytest

from egovcrawl.extract import dom
from egovcrawl.extract.dom import Document, element_text, is_furniture, normalize_space, parse_html
from egovcrawl.extract.hints import SiteHints


def test_element_text_skips_scripts_and_keeps_order():
    root = parse_html("<p>Hello<script>var a=1</script> world <b>bold</b> tail<style>x{}</style>")
    assert element_text(root.find(".//p")) == "Hello world bold tail"


def test_normalize_space_folds_every_blank():
    assert normalize_space("\u3000\u3000政务\u00a0服务\u200b \t\n公开 ") == "政务 服务 公开"


def test_furniture_by_tag_class_and_role():
    root = parse_html("""<body><div class="sidebar-right"><p id=a>x</p></div>
    <div role="navigation"><p id=b>y</p></div><div class="content"><p id=c>z</p></div>
    <div class="navigation-free-article"><p id=d>w</p></div></body>""")
    by_id = {p.get("id"): p for p in root.iter("p")}
    assert is_furniture(by_id["a"]) and is_furniture(by_id["b"])
    assert not is_furniture(by_id["c"])


def test_jsonld_is_flattened_and_tolerates_trailing_commas():
    data = {"@graph": [{"@type": "WebPage"}, {"@type": "NewsArticle", "headline": "h"}]}
    d = Document.from_text(
        f"""<script type="application/ld+json">{json.dumps(data)}</script>
        <script type="application/ld+json">{{"@type": "Organization", "name": "x",}}</script>""",
        "https://x.test/")
    types = [o.get("@type") for o in d.jsonld]
    assert "NewsArticle" in types and "Organization" in types


def test_meta_lookup_is_case_insensitive():
    d = Document.from_text('<meta Name="PubDate" content="2024-07-03"><meta property="og:title" '
                           'content="T">', "https://x.test/")
    assert d.meta_first("pubdate") == "2024-07-03" and d.meta_first("og:title") == "T"


def test_html_lang_normalised():
    assert Document.from_text('<html lang="zh-CN"><body>x</body></html>', "u").html_lang == "zh"
    assert Document.from_text('<html lang="de_DE"><body>x</body></html>', "u").html_lang == "de"
    assert Document.from_text("<html><body>x</body></html>", "u").html_lang is None


def test_select_css_and_xpath_and_bad_selector():
    d = Document.from_text('<div id="info"><span class="d">2024</span></div>', "u")
    assert [e.text for e in d.select("#info .d")] == ["2024"]
    assert [e.text for e in d.select("//div[@id='info']/span")] == ["2024"]
    with pytest.raises(ValueError, match="bad selector"):
        d.select("//div[")


def test_parse_never_raises_on_garbage():
    for text in ["", "   ", "<?xml version='1.0' encoding='utf-8'?><html><body>x</body></html>",
                 "<<<>>></p></div>", "\x00\x01"]:
        assert parse_html(text).tag == "html"


def test_hints_validate():
    with pytest.raises(ValueError, match="date_order"):
        SiteHints(date_order="DDMM")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown fields"):
        SiteHints(selectors={"author": ".byline"})
    hints = SiteHints(date_order="DMY", selectors={"published": ".date"})
    assert hints.selectors["published"] == ".date"


def _attrs(n: int, fmt: str = "a{}=x") -> str:
    return " ".join(fmt.format(i) for i in range(n))


@pytest.mark.parametrize("fmt", ["a{}=x", "a{}", 'a{}=">"', "a{}='<x'", "a{}/"])
def test_an_overlong_start_tag_keeps_its_first_attributes(fmt):
    root = parse_html(f"<html><body><div {_attrs(5000, fmt)}>x</div><p>after</p></body></html>")
    div = root.find(".//div")
    assert len(div.attrib) == dom.MAX_ATTRIBUTES and "a0" in div.attrib
    assert div.text == "x" and root.find(".//p").text == "after"


def test_tags_in_scripts_and_comments_are_not_cut():
    for page in (f"<p>x</p><script>var s='<div {_attrs(3000)}';</script><p>y</p>",
                 f"<p>x</p><!-- <div {_attrs(3000)} --><p>y</p>"):
        assert dom.cap_attributes(page) is page
    # a comment opener in an attribute value opens no comment
    page = f'<p title="<!--" {_attrs(3000)}>x</p><div {_attrs(3000)}>y</div>'
    assert dom.cap_attributes(page).count("=") == 2 * dom.MAX_ATTRIBUTES


def test_long_tags_with_few_attributes_are_kept_whole():
    page = f'<html><body><img src="data:image/png;base64,{"A" * 20000}" alt="x"></body></html>'
    assert dom.cap_attributes(page) is page
