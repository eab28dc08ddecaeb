"""Page kind, listing links and pagination on small realistic pages (listing, article, other)."""

from __future__ import annotations

from lxml import etree

from egovcrawl.extract.classify import Classification, classify
from egovcrawl.extract.dom import Document
from egovcrawl.extract.title import extract_title

PARA = ("The municipal government announced that all administrative services will be available "
        "online by the end of the year, according to a report released on Wednesday. ")
ZH_PARA = ("近日，市政府召开常务会议，研究部署推进政务服务“一网通办”工作，"
           "要求各部门加快数据共享，提升群众办事便利度。")


def run(html: str, url: str, text: str | None = None) -> Classification:
    doc = Document.from_text(html, url)
    return classify(doc, text, extract_title(doc))


# --- listing modelled on a Joomla research portal (seed 000) --------------------------------

TEASERS = [
    ("8801-china-s-e-government", "China's e-government service reaches 809 million people"),
    ("8795-cn-shanghai-qingpu", "CN: Shanghai: Qingpu district to prioritize digital growth"),
    ("8790-five-year-plan", "China’s 14th Five-Year Plan is Digital Huawei, Alibaba and Tencent"),
    ("8788-cn-shanghai-pressing-ahead", "CN: Shanghai pressing ahead in digital transformation"),
    ("8781-summit-on-digital-development", "Summit on digital development opens in east China"),
]


def joomla_listing(read_more_title: bool = True) -> str:
    items = "".join(
        f"""<div class="blog-item"><div class="item-content">
        <h2 class="item-title"><a href="/index.php/china/{slug}">{title}</a></h2>
        <p>{PARA}</p><p>{PARA[:90]}</p>
        <p class="readmore"><a class="btn" href="/index.php/china/{slug}">Read more{
            ': ' + title if read_more_title else ''}</a></p></div></div>"""
        for slug, title in TEASERS
    )
    return f"""<html lang="en-gb"><head><title>China - eGovernment Research</title></head><body>
    <header class="header"><div class="mod-vvisit-counter"><table>
      <tr><td>Today</td><td>284</td></tr><tr><td>Yesterday</td><td>662</td></tr>
      <tr><td>All</td><td>39463192</td></tr></table></div>
      <div class="date-widget">Wednesday, 3.07.2024</div>
      <nav><ul><li><a href="/">Home</a></li><li><a href="/index.php/china">China</a></li>
      <li><a href="/index.php/europe">Europe</a></li></ul></nav></header>
    <main><div class="blog"><div class="blog-items">{items}</div>
    <nav class="pagination__wrapper"><ul class="pagination">
      <li class="active page-item"><a aria-current="true" href="#">1</a></li>
      <li class="page-item"><a href="/index.php/china?start=5">2</a></li>
      <li class="page-item"><a href="/index.php/china?start=10">3</a></li>
      <li class="page-item"><a aria-label="Go to next page" href="/index.php/china?start=5">Next</a>
      </li></ul></nav></div></main>
    <footer class="footer"><p>Copyright © 2001-2024 eGovernment Research.</p></footer>
    <a href="#top" id="back-top">Go to top</a></body></html>"""


def test_joomla_listing_with_read_more_links():
    url = "https://egov-research.example.org/index.php/china"
    teaser_text = "\n\n".join(PARA for _ in TEASERS)
    for text in (None, teaser_text):
        result = run(joomla_listing(), url, text)
        assert result.page_kind == "listing"
        assert [link.title for link in result.links] == [t for _, t in TEASERS]
        assert result.links[0].url == (
            "https://egov-research.example.org/index.php/china/8801-china-s-e-government")
        assert result.next == "https://egov-research.example.org/index.php/china?start=5"


def test_read_more_text_replaced_by_teaser_title():
    result = run(joomla_listing(read_more_title=False), "https://x.example.org/index.php/china")
    assert result.page_kind == "listing"
    assert all(not link.title.lower().startswith("read more") for link in result.links)
    assert result.links[1].title == TEASERS[1][1]


def test_listing_lying_og_type_article_is_still_listing():
    html = joomla_listing().replace("<head>", '<head><meta property="og:type" content="article">')
    assert run(html, "https://x.example.org/index.php/china").page_kind == "listing"


# --- gov.cn-style news list -----------------------------------------------------------------

GOV_TITLES = [f"市政府召开第{i}次常务会议研究部署政务服务工作" for i in range(1, 11)]


def gov_cn_listing() -> str:
    def ul(titles: list[str], start: int) -> str:
        return "<ul class='list'>" + "".join(
            f"<li><a href='./202407/t2024070{start + i}_{1000 + start + i}.shtml' target='_blank'>"
            f"{t}</a><span>2024-07-0{(start + i) % 9 + 1}</span></li>"
            for i, t in enumerate(titles)
        ) + "</ul>"

    sidebar = "".join(f"<li><a href='/hot/{i}.shtml'>热点新闻标题第{i}条关于数字政府</a></li>"
                      for i in range(8))
    return f"""<html lang="en"><head><meta charset="utf-8">
    <title>市政府常务会议_武汉市人民政府</title></head><body>
    <div class="top"><a href="/">首页</a></div>
    <div class="nav"><ul><li><a href="/zwgk/">政务公开</a></li>
    <li><a href="/bsfw/">办事服务</a></li></ul></div>
    <div class="main"><div class="right-box"><h2 class="lmmc">常务会议</h2>
    {ul(GOV_TITLES[:5], 0)}<div class="line"></div>{ul(GOV_TITLES[5:], 5)}
    <div class="page">第1页/共20页 <span>首页</span> <span>上一页</span>
      <a href="index_1.shtml">下一页</a> <a href="index_19.shtml">末页</a></div></div>
    <div class="sidebar"><h3>热点新闻</h3><ul>{sidebar}</ul></div></div>
    <div class="footer">版权所有：武汉市人民政府办公厅 鄂ICP备12345678号</div></body></html>"""


def test_gov_cn_listing_split_lists_and_chinese_pager():
    url = "https://www.wuhan.example.gov.cn/zwgk/cwhy/index.shtml"
    result = run(gov_cn_listing(), url)
    assert result.page_kind == "listing"
    assert [link.title for link in result.links] == GOV_TITLES
    assert result.links[0].url == (
        "https://www.wuhan.example.gov.cn/zwgk/cwhy/202407/t20240700_1000.shtml")
    assert not any("/hot/" in link.url for link in result.links)
    assert result.next == "https://www.wuhan.example.gov.cn/zwgk/cwhy/index_1.shtml"


# --- German press release list --------------------------------------------------------------

DE_TITLES = ["Landesregierung beschließt Digitalstrategie für die Verwaltung",
             "Neues Serviceportal für Bürgerinnen und Bürger freigeschaltet",
             "Ministerin besucht Kommunen zum Onlinezugangsgesetz",
             "Förderprogramm für digitale Rathäuser verlängert"]


def test_german_list_with_weiterlesen_and_naechste_seite():
    items = "".join(
        f"""<div class="teaser"><span class="date">0{i + 1}.07.2024</span>
        <h3>{t}</h3><p>Die Staatskanzlei teilt mit, dass die Arbeiten planmäßig vorankommen
        und weitere Schritte im Herbst folgen.</p>
        <a href="/presse/pm-{i}.html" title="{t}">weiterlesen</a></div>"""
        for i, t in enumerate(DE_TITLES)
    )
    html = f"""<html lang="de"><body><h1>Pressemitteilungen</h1><div id="content">{items}
    <div class="pager"><a href="/presse/index.html?seite=2">Nächste Seite</a></div></div>
    </body></html>"""
    result = run(html, "https://www.land.example.de/presse/index.html")
    assert result.page_kind == "listing"
    assert [link.title for link in result.links] == DE_TITLES
    assert result.next == "https://www.land.example.de/presse/index.html?seite=2"


# --- WordPress category archive -------------------------------------------------------------


def wordpress_archive() -> str:
    posts = "".join(
        f"""<article id="post-{100 + i}" class="post-{100 + i} post type-post status-publish
        format-standard hentry category-{cat}"><header class="entry-header">
        <h2 class="entry-title"><a href="https://goodnews.example.cn/2020/08/{10 + i}/story-{i}/"
        rel="bookmark">Wuhan digital governance story number {i} makes progress</a></h2>
        <span class="posted-on">August {10 + i}, 2020</span></header>
        <div class="entry-summary"><p>{PARA[:120]}</p>
        <a class="more-link" href="https://goodnews.example.cn/2020/08/{10 + i}/story-{i}/">
        Continue reading <span class="meta-nav">→</span></a></div></article>"""
        for i, cat in enumerate(["news", "egov", "news", "cities", "egov", "news"])
    )
    return f"""<html><head><meta property="og:type" content="article">
    <link rel="next" href="https://goodnews.example.cn/category/news/page/2/"></head><body>
    <div id="content-sidebar-wrap"><main id="main" class="site-main">{posts}
    <nav class="navigation pagination"><div class="nav-links">
    <span aria-current="page" class="page-numbers current">1</span>
    <a class="page-numbers" href="https://goodnews.example.cn/category/news/page/2/">2</a>
    <a class="next page-numbers" href="https://goodnews.example.cn/category/news/page/2/">»</a>
    </div></nav></main>
    <aside class="widget-area"><ul>{RECENT}</ul></aside></div></body></html>"""


RECENT = "".join(f'<li><a href="/p/{i}">Recent post title {i} here</a></li>' for i in range(6))


def test_wordpress_archive_continue_reading():
    result = run(wordpress_archive(), "https://goodnews.example.cn/category/news/")
    assert result.page_kind == "listing"
    assert len(result.links) == 6
    assert result.links[0] == result.links[0].__class__(
        "https://goodnews.example.cn/2020/08/10/story-0/",
        "Wuhan digital governance story number 0 makes progress")
    assert result.next == "https://goodnews.example.cn/category/news/page/2/"


def test_numbered_pager_without_next_word():
    html = wordpress_archive().replace(
        '<link rel="next" href="https://goodnews.example.cn/category/news/page/2/">', "")
    html = html.replace('<a class="next page-numbers" href="https://goodnews.example.cn/'
                        'category/news/page/2/">»</a>', "")
    assert run(html, "https://goodnews.example.cn/category/news/").next == (
        "https://goodnews.example.cn/category/news/page/2/")


# --- articles -------------------------------------------------------------------------------


def wordpress_post(paragraphs: int = 6) -> str:
    related = "".join(
        f"<li><a href='/2020/07/{i}/related-{i}/'>Related government story number {i}</a>"
        f"<span>July {i}, 2020</span></li>" for i in range(1, 7)
    )
    body = "".join(f"<p>{PARA}</p>" for _ in range(paragraphs))
    return f"""<html><head><title>Wuhan ranks 5th for digital governance - good news</title>
    <link rel="next" title="Other story" href="https://goodnews.example.cn/2020/08/21/other/">
    </head><body><header class="site-header"><a href="/">good news</a></header>
    <main><article class="post"><h1 class="entry-title">Wuhan ranks 5th for digital governance
    development</h1><div class="entry-meta">2020-8-20 - 43 Views</div>
    <div class="entry-content">{body}</div>
    <div class="related-posts-box"><h3>You may also like</h3><ul>{related}</ul></div>
    <nav class="post-navigation"><div class="nav-next"><a rel="next"
    href="https://goodnews.example.cn/2020/08/21/other/">Next post: Other story</a></div></nav>
    </article></main><footer>版权所有 © 2020 good news · Theme By Ameli</footer></body></html>"""


def test_article_with_related_list_and_post_navigation():
    text = "\n\n".join(PARA for _ in range(6))
    url = "https://goodnews.example.cn/2020/08/20/wuhan-ranks-5th/"
    for t in (text, None):
        result = run(wordpress_post(), url, t)
        assert result.page_kind == "article"
        assert result.links == ()
        assert result.next is None  # the next *post* is not the next page


def test_chinese_gov_article_with_related_news():
    related = "".join(f"<li><a href='/xw/{i}.shtml'>{GOV_TITLES[i]}</a>"
                      f"<span>2024-07-0{i + 1}</span></li>" for i in range(6))
    html = f"""<html><body><div class="article"><h1>武汉市推进政务服务一网通办</h1>
    <div class="info">发布时间：2024-07-03 10:30 来源：武汉市政务服务局</div>
    <div class="TRS_Editor">{''.join(f'<p>{ZH_PARA}</p>' for _ in range(5))}</div>
    <div class="xgxw"><h3>相关新闻</h3><ul>{related}</ul></div>
    <div class="fy"><a href="/xw/9.shtml">下一篇：市政府召开常务会议</a></div></div>
    </body></html>"""
    text = "\n\n".join(ZH_PARA for _ in range(5))
    url = "https://www.wuhan.example.gov.cn/sy/whyw/202407/t20240703_2431.shtml"
    result = run(html, url, text)
    assert result.page_kind == "article"
    assert result.next is None


def test_multi_page_article_gets_next_page():
    html = f"""<html><body><h1>武汉市数字政府建设规划全文</h1>
    <div class="content">{''.join(f'<p>{ZH_PARA}</p>' for _ in range(4))}</div>
    <div class="page-nav"><span>1</span> <a href="t20240703_2431_1.shtml">2</a>
    <a href="t20240703_2431_2.shtml">3</a> <a href="t20240703_2431_1.shtml">下一页</a></div>
    </body></html>"""
    url = "https://www.wuhan.example.gov.cn/sy/whyw/202407/t20240703_2431.shtml"
    result = run(html, url, "\n\n".join(ZH_PARA for _ in range(4)))
    assert result.page_kind == "article"
    assert result.next == "https://www.wuhan.example.gov.cn/sy/whyw/202407/t20240703_2431_1.shtml"


def test_short_notice_with_headline_is_article():
    html = f"<html><body><h1>Notice on office hours</h1><p>{PARA}{PARA[:60]}</p></body></html>"
    assert run(html, "https://x.example.gov/notice", PARA + PARA[:60]).page_kind == "article"


# --- other ----------------------------------------------------------------------------------


def test_other_pages():
    home = """<html><body><nav><ul><li><a href="/a">About the ministry</a></li>
    <li><a href="/b">Press and media releases</a></li><li><a href="/c">Services for citizens</a>
    </li></ul></nav><form action="/search"><input name="q"></form></body></html>"""
    error = "<html><body><h1>404 Not Found</h1><p>The page was not found.</p></body></html>"
    long_error = ("<html><head><title>Page not found | Office of Digital Services</title></head>"
                  f"<body><h1>Page not found</h1><p>{PARA} Try the search box or the newsroom."
                  "</p></body></html>")
    zh_error = ("<html><head><title>您访问的页面不存在</title></head><body><h1>404</h1>"
                f"<p>{ZH_PARA}</p></body></html>")
    for html, text in ((home, None), (error, "The page was not found."), ("", None),
                       (long_error, PARA), (zh_error, ZH_PARA),
                       ("<html><body></body></html>", None)):
        assert run(html, "https://x.example.gov/", text) == Classification("other")


def test_relative_links_use_base_href():
    html = joomla_listing().replace("<head>", '<head><base href="https://mirror.example.net/">')
    result = run(html, "https://x.example.org/index.php/china")
    assert result.links[0].url.startswith("https://mirror.example.net/index.php/china/8801")


def test_tree_is_not_mutated():
    doc = Document.from_text(joomla_listing(), "https://x.example.org/index.php/china")
    before = etree.tostring(doc.tree)
    classify(doc, None, extract_title(doc))
    classify(doc, PARA, None)
    assert etree.tostring(doc.tree) == before


def test_deep_tree_does_not_recurse():
    html = "<div>" * 5000 + "<a href='/x'>deep link text here</a>" + "</div>" * 5000
    assert run(html, "https://x.example.org/").page_kind == "other"


def test_read_more_followed_by_a_screen_reader_title_after_a_space():
    from egovcrawl.extract.classify import _read_more_rest

    assert _read_more_rest("Read more Shenzhen moves services online") == (
        "Shenzhen moves services online")
    assert _read_more_rest("More than 100 cities join the platform") is None


# --- article pages with long link lists beside them (not listings) ---------------------------

SHORT_NOTICE = ("The district office will be closed on Friday for maintenance of its online "
                "services. Applications can still be filed through the national portal, and the "
                "help desk answers questions by phone.")


def _article_with_box(box: str) -> str:
    return f"""<html><head><title>Office closed on Friday - City of Example</title></head><body>
    <main><h1>Office closed on Friday</h1><p>{SHORT_NOTICE}</p></main>{box}</body></html>"""


def test_language_switcher_is_not_a_teaser_list():
    langs = ["Albanian Shqip", "Amharic Amarigna", "Arabic Alarabiya", "Bengali Bangla",
             "Bosnian Bosanski", "Bulgarian Balgarski", "Croatian Hrvatski", "English English",
             "French Francais"]
    box = "<div id='languageSection'><ul>" + "".join(
        f"<li><a href='/{n[:2].lower()}/topics/s-{i}' data-lang='{n[:2].lower()}'>{n}</a></li>"
        for i, n in enumerate(langs)) + "</ul></div>"
    html = _article_with_box(box)
    assert run(html, "https://news.example.org/en/office-closed/a-123").page_kind == "article"
    # the same links without language attributes are a list of bare links: a listing
    bare = html.replace(" data-lang=", " data-x=")
    assert run(bare, "https://news.example.org/en/office-closed/a-123").page_kind == "listing"


def test_carousel_of_more_videos_is_not_a_listing():
    slides = "".join(
        f"<div class='col swiper-slide'><a href='/video/{i}/episode-{i}'>"
        f"<span>44 min</span>Episode {i}: how the city digitises its services</a></div>"
        for i in range(12))
    box = f"<div class='grid swiper-gridlist'><div class='row swiper-wrapper'>{slides}</div></div>"
    html = _article_with_box(box)
    assert run(html, "https://media.example.org/video/99/office-closed").page_kind == "article"
    plain = html.replace("swiper-slide", "grid-cell").replace("swiper-wrapper", "grid-row")
    assert run(plain, "https://media.example.org/video/99/office-closed").page_kind == "listing"
    # items without a slide class in a carousel container (owl-carousel around <article>s)
    owl = plain.replace("grid swiper-gridlist", "product carousel owl-carousel")
    assert run(owl, "https://media.example.org/video/99/office-closed").page_kind == "article"


def test_jsonld_article_with_the_printed_headline_is_not_a_listing():
    """A news page with a long "more news" results list under a short article: the JSON-LD
    declares the article the page prints; og:type alone would not be trusted."""
    cards = "".join(
        f"<div class='thumbnail-standard'><a href='/news/2020/03/1{i % 10}/story-{i}.htm'>"
        f"<span>Agency</span> Council story number {i} about digital services</a>"
        f"<time>14/03/2020</time></div>" for i in range(40))
    html = f"""<html><head><script type="application/ld+json">{{"@type": "NewsArticle",
    "headline": "Office closed on Friday"}}</script></head><body><main>
    <h1>Office closed on Friday</h1><p>{SHORT_NOTICE}</p><p>{SHORT_NOTICE}</p></main>
    <div class='results-items'>{cards}</div></body></html>"""
    url = "https://news.example.org/2020/03/14/office-closed.htm"
    assert run(html, url).page_kind == "article"
    other = html.replace('"headline": "Office closed on Friday"', '"headline": "News"')
    assert run(other, url).page_kind == "listing"


def test_stream_that_also_lists_the_shown_article_is_not_a_listing():
    """An aggregator's story page: the article, then the stream it comes from, which also holds
    this very story (linking to its original publisher, not to this page)."""
    titles = ["Office closed on Friday"] + [f"Council approves digital budget plan {i}"
                                            for i in range(8)]
    rows = "".join(
        f"<div class='news-list-row'><span>16:{i:02d}</span><a href='https://source{i}.example"
        f".net/story/{i}'>{t}</a><p>{SHORT_NOTICE[:80]}</p></div>" for i, t in enumerate(titles))
    html = f"""<html><body><div class='story'><h2>Office closed on Friday</h2>
    <p>{SHORT_NOTICE}</p></div><div class='news-list-table'>{rows}</div></body></html>"""
    assert run(html, "https://agg.example.org/story/123").page_kind == "article"
    section = html.replace("<h2>Office closed on Friday</h2>", "<h2>Latest news</h2>")
    assert run(section, "https://agg.example.org/story/123").page_kind == "listing"


def test_front_page_featured_story_repeated_in_the_list_stays_a_listing():
    """A front page's featured story (its heading links to the story) also opens the list
    below: the page is still a listing, although its heading is one teaser's title."""
    titles = [f"Council approves digital budget plan {i}" for i in range(8)]
    rows = "".join(
        f"<div class='news-list-row'><span>16:{i:02d}</span><a href='/story/{i}'>{t}</a>"
        f"<p>{SHORT_NOTICE[:80]}</p></div>" for i, t in enumerate(titles))
    html = f"""<html><body><div class='featured'><h2><a href='/story/0'>{titles[0]}</a></h2>
    <p>{SHORT_NOTICE[:60]}</p></div><div class='news-list-table'>{rows}</div></body></html>"""
    assert run(html, "https://agg.example.org/").page_kind == "listing"
