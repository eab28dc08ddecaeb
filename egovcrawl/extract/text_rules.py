"""Data for the main-text extractor: tags, class/id tokens and boilerplate line patterns.

Kept apart from the logic in `text.py` so tuning (or a site profile) changes data, not code.
Patterns are applied to single short lines only (see `MAX_BOILERPLATE_LINE`), so none of them can
run over unbounded text.
"""

from __future__ import annotations

import re

# ------------------------------------------------------------------------- tags

#: Tags that end the current paragraph when they open or close.
BLOCK_TAGS = frozenset({
    "p", "div", "section", "article", "main", "header", "footer", "aside", "nav", "blockquote",
    "pre", "ul", "ol", "dl", "dt", "dd", "li", "table", "thead", "tbody", "tfoot", "tr", "caption",
    "h1", "h2", "h3", "h4", "h5", "h6", "figure", "figcaption", "form", "fieldset", "address",
    "hr", "center", "details", "summary", "body", "html", "hgroup", "menu", "dir",
    "legend", "noscript", "video", "audio", "picture",
})
HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
LIST_ITEM_TAGS = frozenset({"li", "dt", "dd"})
CELL_TAGS = frozenset({"td", "th"})
#: Block tags whose own text is a paragraph credited to their ancestors (readability's <p>).
PARAGRAPH_TAGS = frozenset({"p", "pre", "blockquote", "li", "dd"})
#: Tags never scored as paragraphs (a long headline is not body text).
UNSCORED_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "a", "title", "button", "label"})
#: Tags that hold inline text: their text belongs to the enclosing block's paragraph.
INLINE_TAGS = frozenset({
    "a", "abbr", "b", "bdi", "bdo", "big", "cite", "code", "data", "del", "dfn", "em", "font",
    "i", "ins", "kbd", "mark", "q", "s", "samp", "small", "span", "strike", "strong", "sub",
    "sup", "time", "tt", "u", "var", "wbr", "label", "nobr", "o:p", "st1", "img", "br",
})
#: Containers that are furniture by their tag alone.
FURNITURE_TAGS = frozenset({"nav", "aside", "footer", "menu"})

# ------------------------------------------------------------- class/id tokens

#: class/id words that mark the article body (readability's positive list plus CMS names used by
#: Chinese gov portals: TRS_Editor, zoom, Custom_UnionStyle, 正文 ...).
CONTENT_RE = re.compile(
    r"article|(?<![a-z])body|content|entry|main|page|post|text|blog|story|news_?txt|detail|"
    r"trs_?editor|zoom|unionstyle|正文|内容|artibody|con_?txt|pages?_?con|art_?con|"
    r"itemprop_articlebody|field-name-body|wysiwyg",
    re.I,
)
#: class/id words that mark page furniture; matched as whole tokens (split on -, _, space, digits).
NEGATIVE_TOKENS = frozenset({
    "nav", "navbar", "navigation", "menu", "submenu", "sidebar", "sidebox", "side", "aside",
    "widget", "widgets", "footer", "foot", "header", "head", "masthead", "topbar", "toolbar",
    "breadcrumb", "breadcrumbs", "crumbs", "crumb", "cookie", "cookies", "consent", "gdpr",
    "share", "sharing", "social", "sns", "related", "recommend", "recommended", "recommendations",
    "comment", "comments", "disqus", "respond", "reply", "banner", "advert", "advertisement",
    "ads", "ad", "adsbygoogle", "sponsor", "sponsored", "promo", "popular", "most", "mostread",
    "trending", "latest", "newsletter", "subscribe", "subscription", "signup", "login", "modal",
    "popup", "overlay", "pagination", "pager", "paging", "copyright", "sitemap", "skip", "tags",
    "tag", "tagcloud", "print", "byline", "author", "meta", "postmeta", "entry-meta", "dateline",
    "rss", "outbrain", "taboola", "teaser", "teasers", "more", "also", "next", "prev", "previous",
    "hidden", "hide", "visually", "sr", "screen", "reader", "tools", "tool", "fenxiang", "bdshare",
    "jiathis", "xgxw", "xgwz", "bottom", "top", "gotop", "backtop", "counter", "visitor",
    "visitors", "caption", "credit", "credits", "rating", "vote", "poll", "search", "lang",
    "language", "rank", "ranking", "hot", "links", "friendlink", "list", "card",
})
#: Tokens that make the extractor skip an element inside the chosen body (unless it holds most of
#: the body's text): fewer than `NEGATIVE_TOKENS`, since words like "list" or "top" also name
#: parts of real articles.
SKIP_TOKENS = frozenset({
    "nav", "navbar", "navigation", "menu", "submenu", "sidebar", "widget", "footer", "masthead",
    "topbar", "toolbar", "breadcrumb", "breadcrumbs", "crumbs", "cookie", "cookies", "consent",
    "gdpr", "share", "sharing", "social", "sns", "related", "recommend", "recommended",
    "recommendations", "comment", "comments", "disqus", "respond", "advert", "advertisement",
    "ads", "ad", "adsbygoogle", "sponsor", "sponsored", "promo", "popular", "mostread",
    "trending", "newsletter", "subscribe", "subscription", "signup", "login", "modal", "popup",
    "pagination", "pager", "paging", "copyright", "sitemap", "skip", "tagcloud", "print",
    "byline", "postmeta", "dateline", "outbrain", "taboola", "fenxiang", "bdshare", "jiathis",
    "xgxw", "xgwz", "gotop", "backtop", "counter", "visitor", "visitors", "rating", "vote",
    "poll", "search", "friendlink", "noprint", "caption", "credit", "credits", "figcaption",
    "gallery", "slideshow", "lightbox", "feedback",
})
#: class/id/itemprop of the lead paragraph that sites set apart between headline and body
#: (`<p class="lead">`, `<div class="teaser-text" itemprop="description">`, 导语). News deks and
#: standfirsts (`dek`, `standfirst`, `summary`) are left out: the aeb gold bodies leave them out.
LEAD_RE = re.compile(
    r"(?:^|[\s_-])(?:lead|lede|intro|introduction|teaser|description|abstract|vorspann|"
    r"excerpt|摘要|导语)(?:$|[\s_-])",
    re.I,
)
#: ... unless the name makes it part of the headline block (a subtitle, `alternativeHeadline`).
SUBTITLE_RE = re.compile(r"title|headline|subline|dek", re.I)
#: Tags skipped inside the body unless they hold most of its text (figures and their captions).
SKIP_TAGS = frozenset({"figure", "figcaption"})
#: Skip tokens that also appear as modifiers of content blocks (`TestReport__Section--Ads`):
#: a long, link-poor block marked only by these is kept.
WEAK_SKIP_TOKENS = frozenset({"ad", "ads", "print", "noprint", "sponsor", "promo", "search",
                              "counter", "caption", "credit", "credits", "rating", "vote"})
#: Whole class names of visually hidden helpers (screen-reader labels).
HIDDEN_CLASS_RE = re.compile(
    r"(?:^|\s)(?:hidden|hide|d-none|is-hidden|sr-only|screen-reader-text|visually-hidden|"
    r"visuallyhidden|element-invisible|offscreen)(?:\s|$)",
    re.I,
)
#: Tokens that mark a container as furniture even when it wraps a lot of text.
STRONG_NEGATIVE_TOKENS = frozenset({
    "comment", "comments", "disqus", "respond", "sidebar", "footer", "cookie", "consent",
    "related", "recommend", "recommended", "outbrain", "taboola", "newsletter", "breadcrumb",
    "share", "sharing", "social", "popular", "mostread", "trending", "copyright",
})
TOKEN_SPLIT_RE = re.compile(r"[\s_\-:.\d]+")
#: Inline styles and attributes that hide an element.
HIDDEN_STYLE_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)

# --------------------------------------------------------------- line patterns

#: Only lines up to this length are tested against the boilerplate patterns.
MAX_BOILERPLATE_LINE = 160
#: Lines dropped wherever they appear in the body: UI labels, teasers, counters, credits.
BOILERPLATE_LINE_RE = re.compile(
    r"^(?:"
    # teasers and navigation
    r"read more\b.*|continue reading.*|read the full (?:story|article).*|weiterlesen.*|"
    r"mehr (?:lesen|erfahren|zum thema).*|zum artikel.*|阅读全文.*|阅读更多.*|查看更多.*|"
    r"查看全文.*|更多>*|more>*|"
    r"(?:go|back|return|scroll) to top|top|nach oben|zum seitenanfang|seitenanfang|"
    r"zurück(?: zur übersicht| zur liste)?|返回顶部|回到顶部|返回首页|返回列表|返回|"
    r"(?:上一篇|下一篇|上一条|下一条|前一篇|后一篇)\s*[:：].*|"
    r"(?:previous|next) (?:post|article)\b.*|"
    # share / print / font size widgets
    r"share(?: this| on| via| article| story|:)?.*|teilen|artikel teilen|seite teilen|"
    r"diese seite teilen.*|分享到.*|分享：.*|分享|"
    r"print(?: this)?(?: page| article)?|drucken|seite drucken|druckversion|"
    r"【?\s*打印(?:本页|此页|文章)?\s*】?|【?\s*关闭(?:本页|窗口|页面)?\s*】?|"
    r"【?\s*字[体号]\s*[:：]?\s*[【\[]?\s*大\s*[】\]]?\s*[【\[]?\s*中\s*[】\]]?\s*[【\[]?\s*小.*|"
    r"扫一扫.*|微信扫一扫.*|打开微信.*|.*扫描二维码.*|"
    r"【?\s*(?:收藏|纠错|我要纠错|打印本页|关闭窗口)\s*】?(?:\s*【?\s*(?:收藏|纠错|我要纠错|打印本页|关闭窗口|打印|关闭)\s*】?)*|"
    # editors, sources and reporters lines (Chinese portals)
    r"[\[【(（]?\s*(?:责任编辑|责编|编辑|审核|校对|初审|复审|终审|主编|值班编辑|来源|信息来源|"
    r"文章来源|稿件来源|新闻来源|原文来源|转载自|转载于|转自|出处|原标题|原文链接|"
    r"作者|撰稿|供稿|发布者|发布人|发布机构|点击数|浏览次数|阅读次数|访问量|阅读量)\s*[:：].{0,60}|"
    # visitor counters, comments, copyright, credits
    r"(?:today|yesterday|this week|this month|all|total|online)\s*[:：]?\s*[\d,. ]+|"
    r"(?:今日|昨日|本周|本月|总)(?:访问|访问量|访客|浏览)\s*[:：]?.*|.*(?:网站|本站)?总?访问(?:量|人次).*|"
    r"\d+\s*(?:comments?|kommentare?|responses?|replies)|"
    r"(?:leave|post|write|add) a (?:comment|reply).*|"
    r"no comments(?: yet)?\.?|comments? (?:are )?closed\.?|kommentar(?:e)? schreiben.*|"
    r".*(?:版权所有|copyright\s*©|©\s*(?:copyright)?\s*\d{4}|all rights reserved|"
    r"alle rechte vorbehalten|icp备|icp证|公网安备|theme by|powered by|网站标识码|网站地图).*|"
    # cookie notices
    r".*\b(?:we use cookies|uses cookies|use of cookies|cookie policy|cookie settings|"
    r"accept (?:all )?cookies|verwendet cookies|cookies? akzeptieren|cookie-einstellungen)\b.*|"
    # social names alone
    r"(?:(?:facebook|twitter|x|linkedin|whatsapp|email|e-mail|xing|weibo|wechat|微信|微博|"
    r"qq空间|pinterest|reddit|telegram|mail)\s*[|·,/]?\s*)+|"
    r"(?:advertisement|advert|anzeige|sponsored|werbung|广告)|"
    r".*\b(?:subscribe|sign up|signing up)\b.{0,60}\bnewsletters?\b.*|"
    r".*\bnewsletter abonnieren\b.*|you have been successfully subscribed.*|"
    r"there was a problem subscribing.*|"
    r"(?:image|photo|picture|slide|bild|foto) \d+ (?:of|von) \d+|"
    r"[(\[]?(?:image|photo|picture|bild|foto)(?: credit)?s?\s*:.{0,80}|"
    r"caption|close|schließen|expand|enlarge|vergrößern|this slideshow requires javascript\.?|"
    r"(?:tags?|schlagworte|schlagwörter|标签|关键词)\s*[:：].*|"
    r"photo\s*[:：].{0,80}|(?:图片|图)\s*[:：].{0,40}|"
    r"(?:skip to (?:main )?content|zum inhalt springen|direkt zum inhalt)|"
    # calls to action, permalinks, rating widgets, loaders, disclaimers
    r"(?:permalink|permalien|kurzlink|short ?link)\b.{0,100}|imprimer|stampa|imprimir|"
    r"loading\.{0,3}|lädt\.{0,3}|wird geladen\.{0,3}|\+\s*follow|follow|mehr anzeigen|"
    r"weniger anzeigen|show (?:more|less)|"
    r"\(?\d+ (?:stimmen|votes?|bewertungen|ratings?)\s*[:,].{0,40}|"
    r".{0,80}\bsign up here\.?|stay (?:up[- ]to[- ]date|informed|in touch)\b.{0,60}|"
    r"get (?:e-?mail|news) updates.{0,40}|we want to hear what you think\b.{0,120}|"
    r"submit (?:a|your) letter to the editor.{0,80}|"
    r"(?:möchten|willst|wollen) (?:sie|du) (?:den|diesen) (?:artikel|beitrag) teilen\s*\??|"
    r"\.{3}\s*weiter (?:zu|mit)\b.{0,60}|\(?(?:alle )?angaben ohne gewähr\)?\.?|"
    r"latest posts by .{1,60}|"
    r"【?\s*纠错\s*】?\s*(?:责任编辑|编辑)\s*[:：].{0,40}|"
    # feedback widgets ("Was this page helpful? Yes No")
    r"(?:was|is|did you find) this (?:page|article|information|content|post|answer)"
    r"(?: (?:helpful|useful))?\s*\?.{0,80}|"
    r"(?:war|ist) (?:diese seite|dieser artikel|der artikel|diese information|dieser beitrag) "
    r"(?:hilfreich|nützlich)\s*\?.{0,80}|"
    r"report a problem with this page.{0,40}|(?:give|send us|leave) (?:your )?feedback|"
    r"(?:本文|此文|这篇文章|本页面?|该页面|此页面|本信息)(?:是否)?对您有(?:帮助|用)吗?\s*[?？]?.{0,40}|"
    # government banners ("An official website of the United States government")
    r"an official (?:web)?site of (?:the )?.{1,80}|here['’]s how you know\.?|"
    r"official websites use \.gov.*|secure \.gov websites use https.*|"
    # press-release furniture: header labels, sign-offs, release ids
    r"for (?:immediate|general) release\b.{0,60}|embargo(?:ed)?\s*(?:until|till|bis|:).{0,80}|"
    r"issued at (?:hkt )?\d{1,2}[:.]\d{2}.{0,20}|"
    r"[(（]?\s*release id\s*[:：]?\s*\d+\s*[)）]?|"
    r"(?:media|press|news media) (?:contacts?|enquiries|inquiries)\s*[:：].{0,100}|"
    r"pressekontakt\s*[:：].{0,100}|"
    r"(?:tel(?:efon)?|phone|telephone|fax|telefax|mobil|mobile|电话|传真)\.?\s*[:：]?\s*"
    r"[+(\d][\d\s()+/.–-]{5,30}|"
    # metadata labels left alone on their line (gov.uk `<dt>From:</dt>`, `Last updated`) and
    # label: value lines of document metadata
    r"(?:from|published|first published|last updated|updated|posted|date|release date|"
    r"document type|content type|page type|category|categories|topics?|organisations?|"
    r"departments?|filed under|veröffentlicht(?: am)?|aktualisiert(?: am)?|stand|datum|"
    r"letzte änderung|发布时间|发布日期|更新时间|更新日期|发文日期|成文日期)\s*[:：]?|"
    r"(?:document type|content type|page type|release language|filed under|categor(?:y|ies)|"
    r"letzte änderung|last (?:modified|updated|reviewed)|page last (?:updated|reviewed)|"
    r"posted in|kategorie|rubrik)\s*[:：].{0,80}|"
    # pagers ("共1287条 第1/215页 首页 上一页 下一页 尾页", "Page 2 of 9", "Next page")
    r".{0,80}(?:上一页|下一页|尾页).{0,80}|.{0,40}第\s*\d+\s*/\s*\d+\s*页.{0,80}|"
    r"(?:page|seite) \d+ (?:of|von) [\d,.]+|"
    r"(?:[«‹<]\s*)?(?:next|previous|nächste|vorherige) (?:page|seite)(?:\s*[»›>])?"
    r")$",
    re.I,
)

#: Every alternative of BOILERPLATE_LINE_RE that may start anywhere in the line (`.*...`,
#: `.{0,80}...`) needs one of these (lowercase) in the line: lines holding none are tested
#: against the fixed-start alternatives alone, which is most of the time saved (the `.*`
#: ones backtrack over the whole line). Extend this when adding such an alternative.
BOILERPLATE_ANYWHERE_WORDS = (
    "扫描二维码", "访问", "版权所有", "copyright", "©", "all rights reserved",
    "alle rechte vorbehalten", "icp备", "icp证", "公网安备", "theme by", "powered by", "网站标识码",
    "网站地图", "cookie", "newsletter", "sign up here", "上一页", "下一页", "尾页", "第",
)

#: Views/comments/reading-time words that make a short line with a date a meta line.
META_WORDS_RE = re.compile(
    r"views?|hits?|reads?|visits?|aufrufe|zugriffe|gelesen|min(?:ute)?s? read|comments?|"
    r"posted|published|updated|last modified|veröffentlicht|aktualisiert|stand|"
    r"by\s|von\s|vom\s|author|autor|source|quelle|press release|news release|"
    r"pressemitteilung|pressemeldung|medienmitteilung|mitteilung|datum|date|"
    r"阅读|浏览|点击|发布|更新|来源|作者|编辑|时间|日期|字号|评论|次",
    re.I,
)
#: A date in any of the common numeric, English, German or Chinese forms.
DATE_RE = re.compile(
    r"\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}|\d{1,2}\s*[./]\s*\d{1,2}\s*[./]\s*\d{2,4}|"
    r"\d{1,2}\.?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|januar|februar|märz|mai|"
    r"juni|juli|august|september|oktober|november|dezember)[a-zä]*\.?,?\s+\d{4}|"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2},?\s+\d{4}",
    re.I,
)
#: A meta line longer than this is kept: it is probably a sentence quoting a date.
MAX_META_LINE = 90
#: A line opening with a byline marker and this short is a byline, not text.
BYLINE_RE = re.compile(
    r"^(?:by|von|text|foto|fotos|photo|photos|bild|quelle|source|written by|reported by)"
    r"\s*[:|/]?\s+\S.{0,60}$|"
    r"^[(（]?(?:记者|通讯员|本报记者|摄影|文/图|文|图|摄)\s*[:：/|]\s*\S.{0,30}$|"
    r"^[(（]?(?:记者|通讯员|本报记者)\s+\S.{0,30}$|"
    r"^(?:本报讯|新华社\S{0,8}电)\s*[(（][^)）]{1,30}[)）]$",
    re.I,
)
#: Links-only lines with this share of linked characters or more are navigation or teasers.
MAX_LINE_LINK_SHARE = 0.6
#: A class/id name like these is a layout wrapper of the article, never furniture
#: (`content-with-sidebar-wrp`, `main-content-header`).
CONTENT_NAME_RE = re.compile(r"content|(?:with|has|no)-?sidebar", re.I)
LAYOUT_NAME_RE = re.compile(
    r"(?:with|has|no)-?sidebar|sidebar-(?:left|right)$|(?:left|right)-sidebar$", re.I)
#: A short line announcing a list of other stories: it and the short lines after it are dropped.
RELATED_MARKER_RE = re.compile(
    r"^[\s【\[(（]*(?:相关(?:报道|新闻|阅读|链接|文章|稿件|资讯)|延伸阅读|推荐阅读|热点推荐|热门推荐|"
    r"更多(?:新闻|报道|阅读)|猜你喜欢|你可能(?:还)?感兴趣|"
    r"related(?: articles?| stories| posts| news| content| coverage| reading| links)?|"
    r"(?:you )?(?:may|might) (?:also )?like|recommended(?: for you| stories)?|"
    r"keep reading|editors['’]? (?:recommendations|picks)|articles? liés?|"
    r"(?:diese|folgende) (?:artikel|beiträge) (?:könnten|dürften) (?:dich|sie) (?:auch )?"
    r"interessieren|"
    r"more (?:from|on) .{0,40}|"
    r"read (?:also|next)|see also|also read|further reading|more (?:news|stories|articles)|"
    r"lesen sie auch.{0,40}|zum weiterlesen|mehr zum thema|"
    r"weitere (?:aktuelle )?(?:meldungen|artikel|nachrichten|informationen|themen|beiträge)"
    r"(?: .{0,40})?|mehr \S+ (?:auf|bei|von) .{0,30}|das könnte sie auch interessieren|"
    r"(?:à )?lire aussi|voir aussi|sur le même sujet|dans la même rubrique|"
    r"leer también|lea también|más sobre .{0,40}|más noticias(?: .{0,30})?)"
    r"[\s】\])）]*[:：]?\s*$",
    re.I,
)
#: Lines after a related-stories marker up to this length are taken as its list.
MAX_RELATED_ITEM = 100
#: A line that closes a press release (`###`, `-30-`, `- Ends -`, `Ends/Wednesday, July 3, 2024`,
#: `NNNN`, `***`): it and the short lines after it (sign-off initials, release ids, contacts) are
#: dropped when nothing long follows, so a `***` section break inside an article stays harmless.
END_MARKER_RE = re.compile(
    r"^(?:#{3,}|[-–—]\s*30\s*[-–—]|n{4}|[-–—]*\s*ends?\s*[-–—]*|ends?\s*/.{0,60}|"
    r"(?:\*\s*){3,}|[-–—]\s*(?:end|ende|完)\s*[-–—]|"
    # the page's own last-change stamp closes the article on many government sites
    r"(?:page )?last (?:updated|modified|changed|reviewed)\s*(?:on)?\s*[:：]?.{0,40}|"
    r"letzte (?:änderung|aktualisierung)\s*[:：]?.{0,40}|"
    r"(?:最后|最近)(?:更新|修改)(?:时间|日期)?\s*[:：].{0,30})$",
    re.I,
)
#: A heading opening the author's bio or the reference of the study at the end of an article;
#: dropped with what follows when that is at most `MAX_TAIL_BLOCK` characters.
TAIL_BLOCK_MARKER_RE = re.compile(
    r"^(?:über (?:den|die) autor(?:in)?|about the authors?|zur person|über uns|"
    r"originalpublikation|original(?:e)? publication|publication originale|"
    r"关于作者|作者简介)\s*[:：]?$",
    re.I,
)
MAX_TAIL_BLOCK = 1000
#: Lines after an end marker up to this length are its sign-off.
MAX_SIGN_OFF_LINE = 120
#: A short heading or label opening a contact block at the end of a release; it and the short
#: lines below it are dropped like a related-stories list.
CONTACT_MARKER_RE = re.compile(
    r"^[\s【\[(（]*(?:(?:media|press|news media) (?:contacts?|enquiries|inquiries|office)|"
    r"for (?:media|press) (?:enquiries|inquiries)|contact for (?:media|the press)|"
    r"pressekontakt|pressestelle|kontakt für (?:medien|die presse).{0,20}|"
    r"contacts?|contact (?:us|information|details|person)|"
    r"for (?:further|more) information(?:,? (?:please )?contact)?|"
    r"kontakt|ansprechpartner(?:in|innen)?(?: (?:für|presse|bei) .{0,40})?|"
    r"(?:adresse )?für rückfragen(?: .{0,40})?|rückfragen|herausgeber(?:in)?|"
    r"新闻联系人|媒体联系(?:人|方式)?|联系(?:人|方式|我们))[\s】\])）]*[:：]?\s*$",
    re.I,
)
#: Lines before the headline inside the chosen body up to this length are kickers and labels
#: (`Ministry of Electronics & IT`, `FOR IMMEDIATE RELEASE`, `News story`), not text.
MAX_PRE_HEADLINE_LINE = 100
