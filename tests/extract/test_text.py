import time

from lxml import etree

from egovcrawl.extract.dom import Document
from egovcrawl.extract.text import extract_text, text_from_element
from egovcrawl.extract.title import extract_title

P1 = ("Wuhan in Central China's Hubei province ranked fifth among major domestic cities for "
      "digital governance development, according to a report released on Aug 18.")
P2 = ("The report analyzes the digital governance level of China's top 100 cities, taking into "
      "account digital infrastructure, administrative services and public services.")
P3 = ("A total of 41 departments are now interconnected and sharing data, including the city's "
      "human resources and social security departments.")


def doc(html: str, url: str = "https://example.gov/news/1") -> Document:
    return Document.from_text(html, url)


def text_of(html: str) -> str | None:
    d = doc(html)
    return extract_text(d, extract_title(d))


def test_wordpress_article_without_furniture():
    html = f"""<html><head><title>Wuhan ranks 5th &#8211; good news</title>
    <meta property="og:title" content="Wuhan ranks 5th for digital governance development"></head>
    <body><header class="site-header"><p class="site-title"><a href="/">good news</a></p>
    <nav class="main-navigation"><ul><li><a href="/">首页</a></li><li><a href="/a">电子政务</a></li>
    </ul></nav></header>
    <a class="go-top" href="#page">Go to top</a>
    <main><article class="post hentry">
      <header class="entry-header"><h1 class="entry-title">Wuhan ranks 5th for digital governance
      development</h1><div class="entry-meta"><time>2020-8-20</time> - <span>43 Views</span></div>
      </header>
      <div class="entry-content">
        <p>Wuhan ranks 5th for digital governance development <a href="http://x.cn/1">chinadaily.com.cn</a>
        | Updated: 2020-08-20</p>
        <p>{P1}</p><p>{P2}</p><p>{P3}</p>
      </div>
      <footer class="entry-footer">Posted in <a href="/c">电子政务</a></footer>
    </article></main>
    <aside class="widget-area"><h2>热门文章</h2><ul><li><a href="/b">Hangzhou city brain goes
    province-wide</a> 1,204 Views</li></ul></aside>
    <footer class="site-footer">版权所有 © 2020 good news · Theme By <a href="/t">Ameli</a> ·
    </footer>
    </body></html>"""
    assert text_of(html) == f"{P1}\n\n{P2}\n\n{P3}"


def test_listing_keeps_teasers_but_not_read_more_lines():
    items = "".join(
        f"""<div class="blog-item"><h2 class="item-title"><a href="/n/{i}">Teaser title {i}</a></h2>
        <p>Summary {i}: {P1}</p>
        <p class="readmore"><a class="btn" href="/n/{i}">Read more: Teaser title {i}</a></p>
        </div>"""
        for i in range(4)
    )
    html = f"""<html><head><title>China - eGovernment Research</title></head><body>
    <div class="visitors"><table><tr><td>Today</td><td>284</td></tr>
    <tr><td>All</td><td>39463192</td></tr></table></div>
    <div class="date-widget">Wednesday, 3.07.2024</div>
    <main><div class="blog-items">{items}</div></main>
    <a href="#top" id="back-top">Go to top</a></body></html>"""
    text = text_of(html)
    assert text is not None
    for i in range(4):
        assert f"Summary {i}:" in text
    assert "Read more" not in text
    assert "Go to top" not in text and "39463192" not in text and "3.07.2024" not in text


def test_chinese_gov_portal_layout_table():
    zh1 = ("7月2日，记者从市政务服务和大数据管理局获悉，今年以来，我市深入推进“一网通办”改革，"
           "全市政务服务事项网上可办率达98%。")
    zh2 = ("据介绍，市民通过“武汉政务服务”平台即可办理社保、公积金、不动产登记等事项，"
           "过去需要跑多个窗口。")
    html = f"""<html><head><meta charset="utf-8">
    <title>武汉市推进一网通办改革_武汉市人民政府</title></head>
    <body><div class="topbar">今天是：2024年11月24日 星期日</div>
    <div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/x">武汉要闻</a></div>
    <table><tr><td width="720"><div class="article">
      <h1>武汉市推进一网通办改革</h1>
      <div class="info">发布时间：2024-07-03 10:30　来源：长江日报　浏览次数：1234</div>
      <div class="TRS_Editor">
        <p>　　{zh1}</p>
        <p>&nbsp;&nbsp;{zh2}</p>
      </div>
      <p>责任编辑：张三</p>
      <div class="share">分享到：微信 微博</div>
      <div class="tools"><a href="#">打印本页</a> <a href="#">关闭窗口</a></div>
      <p>上一篇：<a href="/p">武汉新增5个城市公园</a></p>
    </div></td>
    <td class="sidebar"><h3>热点新闻</h3><ul><li><a href="/a">长江新区建设提速</a></li></ul></td>
    </tr></table>
    <div class="footer"><p>版权所有：武汉市人民政府办公厅</p><p>鄂ICP备05003305号</p>
    <p>总访问量：12345678</p></div></body></html>"""
    assert text_of(html) == f"{zh1}\n\n{zh2}"


def test_br_separated_lines_in_a_cell():
    html = """<html><body><table><tr><td class="nav"><a href="/">首页</a></td>
    <td>第一条：为了规范政务服务事项的网上办理，提高行政效率，制定本办法。<br>
    第二条：本办法适用于本市各级行政机关的政务服务事项办理工作。<br><br>
    第三条：市政务服务和大数据管理局负责本办法的组织实施工作。</td></tr></table></body></html>"""
    assert text_of(html) == (
        "第一条：为了规范政务服务事项的网上办理，提高行政效率，制定本办法。\n"
        "第二条：本办法适用于本市各级行政机关的政务服务事项办理工作。\n"
        "第三条：市政务服务和大数据管理局负责本办法的组织实施工作。"
    )


def test_german_press_release_headings_and_lists():
    html = f"""<html lang="de"><head><title>Neue Förderrichtlinie – Landesportal</title></head>
    <body><nav><a href="/">Startseite</a></nav><main><article>
    <h1>Neue Förderrichtlinie veröffentlicht</h1>
    <p class="date">Pressemitteilung vom 3. Juli 2024</p>
    <p>{P1}</p>
    <h2>Was wird gefördert?</h2>
    <ul><li>Digitale Verwaltungsleistungen</li><li>Breitbandausbau in Kommunen</li></ul>
    <p>{P2}</p>
    <div class="share"><a href="#">Teilen</a> <a href="#">Drucken</a></div>
    <p><a href="#top">Zum Seitenanfang</a></p>
    </article></main><footer>Impressum · Datenschutz</footer></body></html>"""
    assert text_of(html) == (
        f"{P1}\n\nWas wird gefördert?\n\nDigitale Verwaltungsleistungen\n"
        f"Breitbandausbau in Kommunen\n\n{P2}"
    )


def test_cookie_banner_comments_and_related_are_dropped():
    html = f"""<html><body>
    <div id="cookie-notice">We use cookies to improve your experience. <button>Accept</button></div>
    <div class="content"><h1>Budget adopted</h1><p>{P1}</p><p>{P2}</p></div>
    <div class="related-posts"><h3>Related</h3><p><a href="/r">Another story about budgets and
    digital governance in the region</a></p></div>
    <div id="comments"><p>Great article, thanks for writing about the digital governance level of
    Chinese cities!</p></div></body></html>"""
    assert text_of(html) == f"{P1}\n\n{P2}"


def test_entities_and_wide_spaces_are_normalised():
    html = f"""<html><body><div class="article-body"><p>Caf&eacute;&nbsp;&nbsp;policy\u3000and
    &amp; more: {P1}</p><p>{P2}</p></div></body></html>"""
    text = text_of(html)
    assert text is not None
    assert text.startswith("Café policy and & more: Wuhan")
    assert "\u00a0" not in text and "\u3000" not in text


def test_headline_not_repeated_in_text():
    html = f"""<html><head><title>Budget adopted</title></head><body><div class="post">
    <h1>Budget adopted by the cabinet</h1><p>Budget adopted by the cabinet</p>
    <p>{P1}</p><p>{P2}</p></div></body></html>"""
    assert text_of(html) == f"{P1}\n\n{P2}"


def test_pre_keeps_its_lines():
    html = f"""<html><body><article><p>{P1}</p><pre>line one
line two</pre><p>{P2}</p></article></body></html>"""
    assert text_of(html) == f"{P1}\n\nline one\nline two\n\n{P2}"


def test_text_from_element_cleans_a_pinned_body():
    d = doc(f"""<html><body><div id="body"><p>{P1}</p><p>分享到：微信</p>
    <p>Read more: other story</p><p>{P2}</p></div></body></html>""")
    (el,) = d.select("#body")
    assert text_from_element(el) == f"{P1}\n\n{P2}"
    assert text_from_element(d.select("body")[0].makeelement("div")) is None


def test_tree_is_not_mutated():
    d = doc(f"""<html><body><nav>menu</nav><div class="content"><p>{P1}</p>
    <div class="share">Share</div><p>{P2}</p></div></body></html>""")
    before = etree.tostring(d.tree)
    extract_text(d, extract_title(d))
    assert etree.tostring(d.tree) == before


def test_empty_and_textless_pages_give_none():
    assert text_of("") is None
    assert text_of("<html><body><nav><a href='/'>Home</a></nav></body></html>") is None


def test_deep_nesting_is_iterative_and_fast(no_hang):
    html = "<div>" * 100_000 + P1 + "</div>" * 100_000
    start = time.perf_counter()
    text = text_of(f"<html><body>{html}</body></html>")
    assert time.perf_counter() - start < 10
    # lxml caps the depth; whatever survives must not crash the walk
    assert text is None or isinstance(text, str)


# ---- e-government boilerplate: feedback boxes, banners, release furniture, metadata, pagers ----


def article(body: str, before: str = "", headline: str = "Parking permits go digital") -> str:
    return f"""<html><head><title>{headline} | Council</title></head><body>
    <header class="site-header"><a href="/">Council</a></header>
    <main class="article">{before}<h1>{headline}</h1>{body}</main></body></html>"""


def test_feedback_widget_is_dropped():
    html = article(f"""<div class="editor"><p>{P1}</p><p>{P2}</p></div>
    <div class="feedback"><p>Was this page helpful? <a href="/f?y">Yes</a> <a href="/f?n">No</a>
    </p></div>""")
    assert text_of(html) == f"{P1}\n\n{P2}"
    # the same question without a telling class name goes by its words
    html = article(f"<p>{P1}</p><p>{P2}</p><p>Is this page useful? Yes No</p>"
                   "<p>War diese Seite hilfreich? Ja Nein</p><p>本文对您有帮助吗？</p>")
    assert text_of(html) == f"{P1}\n\n{P2}"


def test_official_government_banner_is_not_text():
    html = """<html><body><section class="usa-banner"><p>An official website of the United
    States government</p><button>Here’s how you know</button></section>
    <main><h1>Press Releases</h1><h2><a href="/a">Agency launches shared login</a></h2>
    <h2><a href="/b">Agency publishes annual accessibility report</a></h2></main></body></html>"""
    text = text_of(html)
    assert text is None or "official website" not in text


def test_press_release_header_end_marker_and_media_contact_are_dropped():
    html = article(f"""<div class="body"><p>{P1}</p><p>{P2}</p><p>###</p></div>
    <div class="media-contact"><h2>Media Contact</h2><p>press@digital.example.gov</p></div>""",
                   before='<p class="label">FOR IMMEDIATE RELEASE</p>',
                   headline="Agency launches shared login")
    assert text_of(html) == f"{P1}\n\n{P2}"


def test_sign_off_after_end_marker_is_dropped():
    hk = article(f"""<div id="pr"><p>{P1}</p><p>{P2}</p>
    <p>Ends/Wednesday, July 3, 2024<br>Issued at HKT 15:30</p><p>NNNN</p></div>""")
    assert text_of(hk) == f"{P1}\n\n{P2}"
    pib = article(f"""<div class="pt20"><p>{P1}</p><p>{P2}</p><p>***</p><p>SKS/VK</p>
    <p>(Release ID: 2030111)</p></div><div class="lang">Release Language: Hindi</div>""")
    assert text_of(pib) == f"{P1}\n\n{P2}"


def test_section_break_inside_an_article_keeps_what_follows():
    html = article(f"<div class='body'><p>{P1}</p><p>* * *</p><p>Short subheading</p>"
                   f"<p>{P2}</p><p>{P3}</p></div>")
    assert text_of(html) == f"{P1}\n\nShort subheading\n\n{P2}\n\n{P3}"  # `* * *` is debris


def test_contact_heading_alone_in_a_sentence_is_text():
    html = article(f"<p>{P1}</p><p>Media enquiries about the report rose sharply this year, the "
                   f"press office said, as more outlets covered digital government.</p><p>{P2}</p>")
    assert "Media enquiries about the report" in (text_of(html) or "")


def test_kicker_above_the_headline_is_not_text():
    html = article(f"<p>{P1}</p><p>{P2}</p>",
                   before="<h2>Ministry of Electronics &amp; IT</h2><span>News story</span>",
                   headline="DigiLocker crosses 300 million users")
    assert text_of(html) == f"{P1}\n\n{P2}"


def test_metadata_definition_list_and_labels_are_dropped():
    html = article(f"""<div class="gem-c-metadata"><dl><dt>From:</dt><dd><a href="/org">Central
    Digital and Data Office</a></dd><dt>Published</dt><dd>3 July 2024</dd><dt>Last updated</dt>
    <dd>5 July 2024 <a href="#history">— See all updates</a></dd></dl></div>
    <div class="govspeak"><p>{P1}</p><p>{P2}</p></div>
    <ul><li>Document type: News story</li><li>Letzte Änderung: 18.02.2020</li></ul>""")
    assert text_of(html) == f"{P1}\n\n{P2}"


def test_reposted_source_line_belongs_to_source_not_text():
    zh = ("去年10月，国家数据局正式揭牌。一年来，各地数据管理机构陆续组建，"
          "政务数据共享从“能共享”向“好共享”转变。")
    html = article(f'<div class="content"><p>转载自：<a href="http://p.cn/1">人民网</a></p>'
                   f"<p>{zh}</p><p>文章来源：新华社</p><p>{zh}</p></div>",
                   headline="数据局组建一周年")
    assert text_of(html) == f"{zh}\n\n{zh}"


def test_pager_lines_are_dropped():
    html = article(f"""<p>{P1}</p><p>{P2}</p>
    <div class="pages">共1287条 第1/215页 <a href="/">首页</a> 上一页 <a href="/2">下一页</a>
    <a href="/215">尾页</a> 转到第<input>页</div><p>Page 2 of 9</p><p>Next page »</p>""")
    assert text_of(html) == f"{P1}\n\n{P2}"


def test_sentence_quoting_a_date_is_text_but_a_meta_line_is_not():
    last = "Comments can be submitted until 15 April 2024 through the Have Your Say portal."
    html = article(f"<p>Published: 18 March 2024 | 43 Views</p><p>{P1}</p><p>{P2}</p>"
                   f"<p>{last}</p>")
    assert text_of(html) == f"{P1}\n\n{P2}\n\n{last}"


def test_contact_block_and_last_change_stamp_close_the_release():
    html = article(f"""<div class="body"><p>{P1}</p><p>{P2}</p>
    <h3>Adresse für Rückfragen</h3><p>Presse- und Informationsdienst, Bundeshaus Nord, 3003 Bern</p>
    <h3>Herausgeber</h3><p>Eidgenössisches Departement für Umwelt</p>
    <p>Letzte Änderung 14.02.2019</p><p>Kommunikationsdienst GS</p><p>3003 Bern</p></div>""")
    assert text_of(html) == f"{P1}\n\n{P2}"
    html = article(f"""<p>{P1}</p><p>Kontakt:</p><p>Dr. Hendryk Bockelmann</p>
    <p>Telefon: +49 - (40) - 300 30 - 1141</p><p>{P2}</p>""")
    assert text_of(html) == f"{P1}\n\n{P2}"


def test_further_reading_markers_take_their_list():
    html = article(f"""<p>{P1}</p><p>{P2}</p><h3>Lesen Sie auch die folgenden Beiträge:</h3>
    <p>Fünf HR-Trends für das neue Jahr</p><p>Mehr Kolumnen auf MeinPortal</p>""")
    assert text_of(html) == f"{P1}\n\n{P2}"


def test_calls_to_action_permalinks_and_disclaimers_are_dropped():
    html = article(f"""<p>{P1}</p><p>(Alle Angaben ohne Gewähr)</p><p>{P2}</p>
    <p>We want to hear what you think about this article. Submit a letter to the editor.</p>
    <p>Stay up-to-date on our work.</p><p>Permalink https://p.example.gov/p/RPYx</p>
    <p>(95 Stimmen: 4,73 von 5)</p><p>Loading...</p>""")
    assert text_of(html) == f"{P1}\n\n{P2}"


def test_author_bio_and_study_reference_at_the_end_are_dropped():
    bio = ("Jane Doe has written about public administration for twenty years and edits the "
           "observatory's country reports.")
    html = article(f"<p>{P1}</p><p>{P2}</p><h3>About the author</h3><p>{bio}</p>")
    assert text_of(html) == f"{P1}\n\n{P2}"
    # the same words early in a long article head a section, not a bio
    long_rest = "".join(f"<p>{P3} ({i})</p>" for i in range(8))
    html = article(f"<p>{P1}</p><h3>About the author</h3><p>{bio}</p>{long_rest}")
    assert bio in (text_of(html) or "")


def test_lead_paragraph_between_headline_and_body_is_text():
    lead = ("Die Landesregierung hat heute das neue Digitalgesetz beschlossen, das alle Behörden "
            "betrifft.")
    html = f"""<html><head><meta property="og:title" content="Digitalgesetz beschlossen">
    </head><body><main>
    <div class="header"><h1>Digitalgesetz beschlossen</h1>
    <span class="date">03.07.2024</span></div>
    <div class="teaser-text" itemprop="description"><p>{lead}</p></div>
    <div class="row"><div class="body-text"><p>{P1}</p><p>{P2}</p><p>{P3}</p></div></div>
    </main></body></html>"""
    assert text_of(html) == f"{lead}\n\n{P1}\n\n{P2}\n\n{P3}"


def test_subtitle_and_caption_are_not_a_lead():
    html = f"""<html><head><meta property="og:title" content="Digital budget adopted">
    </head><body><main>
    <h1>Digital budget adopted</h1>
    <div class="headline-dek summary">A second headline that only restates the first one here,
    in more words</div>
    <figure><figcaption class="caption description">The minister presenting the budget plan
    to the press in the capital</figcaption></figure>
    <div class="row"><div class="body-text"><p>{P1}</p><p>{P2}</p><p>{P3}</p></div></div>
    </main></body></html>"""
    assert text_of(html) == f"{P1}\n\n{P2}\n\n{P3}"


def test_article_header_row_is_not_skipped_for_a_print_modifier():
    lead = "A performance dashboard built with 14 councils will let authorities compare services."
    html = f"""<html><head><meta property="og:title" content="Councils to get new tools">
    </head><body><main class="article">
    <div class="header-row print-columns-none"><span>News story</span>
    <h1>Councils to get new tools</h1><p class="first-paragraph">{lead}</p></div>
    <p>{P1}</p><p>{P2}</p><p>{P3}</p></main></body></html>"""
    assert text_of(html) == f"{lead}\n\n{P1}\n\n{P2}\n\n{P3}"


def test_anywhere_boilerplate_alternatives_each_need_a_listed_word() -> None:
    """The fast path skips the '.*' alternatives of BOILERPLATE_LINE_RE for lines without any of
    BOILERPLATE_ANYWHERE_WORDS: each such alternative must name one of them."""
    from egovcrawl.extract import text as text_mod
    from egovcrawl.extract.text_rules import BOILERPLATE_ANYWHERE_WORDS, BOILERPLATE_LINE_RE

    alts = text_mod._top_level_alternatives(BOILERPLATE_LINE_RE.pattern[4:-2])
    anywhere = [a for a in alts if a.startswith(".")]
    assert anywhere
    for alt in anywhere:
        assert any(w in alt.lower() for w in BOILERPLATE_ANYWHERE_WORDS), alt
    for line in ("Copyright © 2020 Land Hessen", "We Use Cookies on this site", "Read more",
                 "Sign up for our newsletter now", "共5条 第1/2页 上一页 下一页",
                 "A plain sentence.", "ALL RIGHTS RESERVED", "Weiterlesen", "Theme by Ameli",
                 "Ordinary text here"):
        assert text_mod._is_boilerplate_line(line) == bool(BOILERPLATE_LINE_RE.match(line)), line
