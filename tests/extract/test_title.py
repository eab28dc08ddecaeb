from egovcrawl.extract.dom import Document
from egovcrawl.extract.title import extract_title, parse_title_text


def doc(html: str) -> Document:
    return Document.from_text(html, "https://example.gov/news/1")


def test_headline_beats_site_name_heading():
    d = doc("""<html><head><title>Budget 2024 adopted by the cabinet | Ministry of Finance</title>
    <body><header><h1 class="logo">Ministry of Finance</h1></header>
    <main><h1>Budget 2024 adopted by the cabinet</h1><p>text</p></main></body></html>""")
    h = extract_title(d)
    assert h is not None
    assert h.title == "Budget 2024 adopted by the cabinet"
    assert h.element is not None and h.element.getparent().tag == "main"


def test_title_tag_suffix_is_cut_when_no_heading_matches():
    d = doc("<html><head><title>Neue Förderrichtlinie veröffentlicht – Landesportal Sachsen-Anhalt"
            "</title></head><body><div>no headings</div></body></html>")
    h = extract_title(d)
    assert h is not None and h.title == "Neue Förderrichtlinie veröffentlicht"
    assert h.element is None


def test_country_prefix_is_kept_and_reported():
    d = doc("""<html><head><title>CN: Shanghai: Qingpu district to prioritize digital transformation
    - eGovernment Research</title></head><body><h2 class="item-title">CN: Shanghai: Qingpu district
    to prioritize digital transformation</h2></body></html>""")
    h = extract_title(d)
    assert h is not None
    assert h.title.startswith("CN: Shanghai: Qingpu district")
    assert h.country == "CN"


def test_og_title_picks_the_matching_heading_over_sidebar_heading():
    d = doc("""<html><head><meta property="og:title" content="武汉市推进一网通办改革"></head><body>
    <aside><h2>热点新闻</h2></aside><div class="article"><h1>武汉市推进一网通办改革</h1></div>
    </body></html>""")
    h = extract_title(d)
    assert h is not None and h.title == "武汉市推进一网通办改革" and h.element.tag == "h1"


def test_no_title_at_all_is_none():
    assert extract_title(doc("<html><body><p>just a paragraph</p></body></html>")) is None


def test_parse_title_text_normalises_space_and_country():
    h = parse_title_text("  DE:\u00a0Berlin   startet  digitale  Bauakte ")
    assert h is not None and h.title == "DE: Berlin startet digitale Bauakte" and h.country == "DE"
    assert parse_title_text(" ") is None


def test_lowercase_word_prefix_is_not_a_country():
    h = parse_title_text("Update: new portal opens")
    assert h is not None and h.country is None


def test_table_layout_headline_is_anchored_on_its_visible_element():
    d = doc("""<html><head>
    <title>武汉市推进一网通办改革_武汉要闻_武汉市人民政府门户网站</title></head><body>
    <table><tr><td class="nav"><a href="/">首页</a></td></tr>
    <tr><td align="center"><font size="4"><b>武汉市推进一网通办改革</b></font></td></tr>
    <tr><td>发布时间：2024-07-03</td></tr></table></body></html>""")
    h = extract_title(d)
    assert h is not None and h.title == "武汉市推进一网通办改革"
    assert h.element is not None and h.element.tag == "b"


def test_breadcrumb_h1_with_a_section_name_is_not_the_headline():
    d = doc("""<html><head><title>江苏多地要求师生员工暂不返校 - 新闻中心</title></head><body>
    <h1 class="crumb">新闻</h1>
    <div class="title">江苏多地要求师生员工暂不返校</div></body></html>""")
    h = extract_title(d)
    assert h is not None and h.title == "江苏多地要求师生员工暂不返校"
    assert h.element is not None and h.element.tag == "div"


def test_host_name_with_folded_umlauts_is_the_site_part():
    d = Document.from_text(
        "<html><head><title>Kabinett beschließt Digitalgesetz | Freistaat Thüringen</title>"
        "</head><body><p>x</p></body></html>",
        "https://www.thueringen.de/presse/detail/digitalgesetz")
    h = extract_title(d)
    assert h is not None and h.title == "Kabinett beschließt Digitalgesetz"


def test_generic_title_gives_way_to_the_heading_that_introduces_the_body():
    d = doc("""<html><head><title>Press Release:Press Information Bureau</title></head><body>
    <div class="menu"><h2>Latest releases</h2></div>
    <h2>Ministry of Electronics &amp; IT</h2><h2>DigiLocker crosses 300 million users</h2>
    <p>Posted On: 03 JUL 2024</p>
    <p>DigiLocker, the flagship platform of Digital India, has crossed 300 million users, the
    ministry said on Wednesday in a statement released in New Delhi.</p></body></html>""")
    h = extract_title(d)
    assert h is not None and h.title == "DigiLocker crosses 300 million users"


def test_section_page_title_is_not_its_first_teaser_headline():
    d = doc("""<html><head><title>China - eGovernment Research</title></head><body>
    <main><h2><a href="/a">China's e-government service reaches 809 million people</a></h2>
    <p>teaser</p><h2><a href="/b">Shanghai pressing ahead in digital transformation</a></h2>
    </main></body></html>""")
    h = extract_title(d)
    assert h is not None and h.title == "China"


def test_a_metadata_title_too_long_for_a_headline_is_no_reference():
    # an og:title stuffed with a description gives way to the <title>; a <title> left open that
    # swallowed the rest of the page is not returned as the title
    stuffed = "Digital services portal opens " * 40
    d = doc(f"""<html><head><meta property="og:title" content="{stuffed}">
    <title>Digital services portal opens for residents</title></head><body>
    <h2>Related</h2><h1>Digital services portal opens for residents</h1></body></html>""")
    h = extract_title(d)
    assert h is not None and h.title == "Digital services portal opens for residents"
    assert extract_title(doc("<html><head><title>Headline " + "2024-07-03 " * 20_000)) is None
