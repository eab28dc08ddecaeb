"""Date patterns, names and keywords kept as data, so tuning and site profiles can extend them.

`dates.py` holds the logic; everything language- or site-specific lives here.
"""

from __future__ import annotations

import datetime as dt

#: Plausibility window: e-government news on the web starts in the 1990s; a date after "now"
#: is a scheduled event, a typo or a widget, never a publication date.
MIN_DATE = dt.date(1990, 1, 1)
#: Grace for time zones: a page published "tomorrow" east of the crawler is not in the future.
FUTURE_GRACE = dt.timedelta(days=1)

# Month names (lowercase, no trailing dot) -> month number. Genitive forms for Slavic languages.
_MONTH_LISTS: dict[str, tuple[tuple[str, ...], ...]] = {
    "en": (("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
           ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
           ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
           ("december", "dec")),
    "de": (("januar", "jänner", "jaenner", "jän"), ("februar", "feber"),
           ("märz", "maerz", "mär", "mrz"),
           (), ("mai",), ("juni",), ("juli",), (), (), ("oktober", "okt"), (), ("dezember", "dez")),
    "fr": (("janvier", "janv"), ("février", "fevrier", "févr", "fevr", "fév"), ("mars",),
           ("avril", "avr"), (), ("juin",), ("juillet", "juil"), ("août", "aout"),
           ("septembre",), ("octobre",), ("novembre",), ("décembre", "decembre", "déc")),
    "es": (("enero", "ene"), ("febrero",), ("marzo",), ("abril", "abr"), ("mayo",), ("junio",),
           ("julio",), ("agosto", "ago"), ("septiembre", "setiembre", "set"), ("octubre",),
           ("noviembre",), ("diciembre", "dic")),
    "pt": (("janeiro",), ("fevereiro", "fev"), ("março", "marco"), (), ("maio",), ("junho",),
           ("julho",), (), ("setembro",), ("outubro", "out"), ("novembro",), ("dezembro", "dez")),
    "it": (("gennaio", "gen"), ("febbraio",), (), ("aprile",), ("maggio", "mag"), ("giugno", "giu"),
           ("luglio", "lug"), (), ("settembre",), ("ottobre", "ott"), (), ("dicembre",)),
    "nl": (("januari",), ("februari",), ("maart", "mrt"), (), ("mei",), ("juni",), ("juli",),
           ("augustus",), (), ("oktober",), (), ()),
    "ru": (("января", "январь", "янв"), ("февраля", "февраль", "фев"), ("марта", "март", "мар"),
           ("апреля", "апрель", "апр"), ("мая", "май"), ("июня", "июнь", "июн"),
           ("июля", "июль", "июл"), ("августа", "август", "авг"),
           ("сентября", "сентябрь", "сен", "сент"), ("октября", "октябрь", "окт"),
           ("ноября", "ноябрь", "ноя"), ("декабря", "декабрь", "дек")),
    "uk": (("січня", "січень"), ("лютого", "лютий"), ("березня", "березень"),
           ("квітня", "квітень"), ("травня", "травень"), ("червня", "червень"),
           ("липня", "липень"), ("серпня", "серпень"), ("вересня", "вересень"),
           ("жовтня", "жовтень"), ("листопада", "листопад"), ("грудня", "грудень")),
    "tr": (("ocak",), ("şubat", "subat"), ("mart",), ("nisan",), ("mayıs", "mayis"),
           ("haziran",), ("temmuz",), ("ağustos", "agustos"), ("eylül", "eylul"),
           ("ekim",), ("kasım", "kasim"), ("aralık", "aralik")),
    "pl": (("stycznia", "styczeń"), ("lutego", "luty"), ("marca", "marzec"),
           ("kwietnia", "kwiecień"), ("maja", "maj"), ("czerwca", "czerwiec"),
           ("lipca", "lipiec"), ("sierpnia", "sierpień"), ("września", "wrzesień"),
           ("października", "październik"), ("listopada", "listopad"), ("grudnia", "grudzień")),
    "ro": (("ianuarie", "ian"), ("februarie",), ("martie",), ("aprilie",), (), ("iunie",),
           ("iulie",), ("august",), ("septembrie",), ("octombrie",), ("noiembrie", "noi"),
           ("decembrie",)),
    "cs": (("ledna", "leden"), ("února", "únor"), ("března", "březen"), ("dubna", "duben"),
           ("května", "květen"), ("června", "červen"), ("července", "červenec"),
           ("srpna", "srpen"), ("září",), ("října", "říjen"), ("listopadu",), ("prosince",)),
    "sv": (("januari",), ("februari",), ("mars",), ("april",), ("maj",), ("juni",), ("juli",),
           ("augusti",), ("september",), ("oktober",), ("november",), ("december",)),
    "hu": (("január",), ("február",), ("március",), ("április",), ("május",), ("június",),
           ("július",), ("augusztus",), ("szeptember",), ("október",), ("november",),
           ("december",)),
    "hr": (("siječnja",), ("veljače",), ("ožujka",), ("travnja",), ("svibnja",), ("lipnja",),
           ("srpnja",), ("kolovoza",), ("rujna",), ("listopada",), ("studenoga", "studenog"),
           ("prosinca",)),
}
MONTHS: dict[str, int] = {}
for _names in _MONTH_LISTS.values():
    for _i, _forms in enumerate(_names, start=1):
        for _form in _forms:
            MONTHS.setdefault(_form, _i)

# Weekday names -> Monday=0 ... Sunday=6
_WEEKDAY_LISTS: tuple[tuple[str, ...], ...] = (
    ("monday", "mon", "montag", "mo", "lundi", "lunes", "segunda", "lunedì", "maandag",
     "понедельник", "понеділок", "pazartesi", "poniedziałek", "星期一", "周一", "礼拜一"),
    ("tuesday", "tue", "tues", "dienstag", "di", "mardi", "martes", "terça", "martedì", "dinsdag",
     "вторник", "вівторок", "salı", "wtorek", "星期二", "周二", "礼拜二"),
    ("wednesday", "wed", "mittwoch", "mi", "mercredi", "miércoles", "quarta", "mercoledì",
     "woensdag", "среда", "середа", "çarşamba", "środa", "星期三", "周三", "礼拜三"),
    ("thursday", "thu", "thur", "thurs", "donnerstag", "do", "jeudi", "jueves", "quinta",
     "giovedì", "donderdag", "четверг", "четвер", "perşembe", "czwartek", "星期四", "周四",
     "礼拜四"),
    ("friday", "fri", "freitag", "fr", "vendredi", "viernes", "sexta", "venerdì", "vrijdag",
     "пятница", "п'ятниця", "cuma", "piątek", "星期五", "周五", "礼拜五"),
    ("saturday", "sat", "samstag", "sonnabend", "sa", "samedi", "sábado", "sabato", "zaterdag",
     "суббота", "субота", "cumartesi", "sobota", "星期六", "周六", "礼拜六"),
    ("sunday", "sun", "sonntag", "so", "dimanche", "domingo", "domenica", "zondag",
     "воскресенье", "неділя", "pazar", "niedziela", "星期日", "星期天", "周日", "礼拜日", "礼拜天"),
)
WEEKDAYS: dict[str, int] = {}
for _i, _forms in enumerate(_WEEKDAY_LISTS):
    for _form in _forms:
        WEEKDAYS.setdefault(_form, _i)

# Time zone abbreviations printed next to times on news/gov sites (fixed offsets in hours;
# summer-time abbreviations are their own entries).
TZ_ABBREVIATIONS: dict[str, float] = {
    "utc": 0, "gmt": 0, "z": 0, "bst": 1, "cet": 1, "mez": 1, "cest": 2, "mesz": 2,
    "eet": 2, "eest": 3, "msk": 3, "ist": 5.5, "cst": -6, "cdt": -5, "est": -5, "edt": -4,
    "mst": -7, "mdt": -6, "pst": -8, "pdt": -7, "aest": 10, "aedt": 11, "jst": 9, "kst": 9,
    "hkt": 8, "sgt": 8, "awst": 8, "北京时间": 8,
}

# Default day/month order by <html lang> (full tag first, then the primary language). Only
# languages whose pages really print numeric day-first or month-first dates are listed.
LANG_ORDER: dict[str, str] = {
    "en-us": "MDY", "en-ph": "MDY", "en-gb": "DMY", "en-au": "DMY", "en-nz": "DMY",
    "en-ie": "DMY", "en-in": "DMY", "en-za": "DMY", "en-sg": "DMY", "en-hk": "DMY",
    "de": "DMY", "fr": "DMY", "es": "DMY", "it": "DMY", "pt": "DMY", "nl": "DMY", "ru": "DMY",
    "uk": "DMY", "pl": "DMY", "tr": "DMY", "cs": "DMY", "da": "DMY", "fi": "DMY", "nb": "DMY",
    "no": "DMY", "sv": "YMD", "el": "DMY", "hu": "YMD", "lt": "YMD", "zh": "YMD", "ja": "YMD",
    "ko": "YMD", "id": "DMY", "vi": "DMY", "ro": "DMY", "hr": "DMY", "sk": "DMY", "sl": "DMY",
    "bg": "DMY", "sr": "DMY", "et": "DMY", "lv": "DMY", "ar": "DMY", "he": "DMY",
}
# When the language says nothing (plain "en"), the country code of the host may.
TLD_ORDER: dict[str, str] = {
    "uk": "DMY", "au": "DMY", "nz": "DMY", "ie": "DMY", "in": "DMY", "za": "DMY", "de": "DMY",
    "at": "DMY", "ch": "DMY", "fr": "DMY", "it": "DMY", "es": "DMY", "nl": "DMY", "be": "DMY",
    "ru": "DMY", "ua": "DMY", "pl": "DMY", "br": "DMY", "mx": "DMY", "ar": "DMY", "eu": "DMY",
    "gov": "MDY", "mil": "MDY", "us": "MDY",
}

# <meta> names/properties carrying the publication date, strongest first.
PUBLISHED_META: tuple[str, ...] = (
    "article:published_time", "og:article:published_time", "og:published_time",
    "article:published", "datepublished", "date_published", "published_time", "published-date",
    "publish-date", "publish_date", "publishdate", "publication_date", "publication-date",
    "pubdate", "pub_date", "dc.date.issued", "dcterms.issued", "dc.date.created",
    "dcterms.created", "dc.date", "dcterms.date", "citation_publication_date", "citation_date",
    "sailthru.date", "parsely-pub-date", "article.published", "article_date_original",
    "cxenseparse:recs:publishtime", "date_created", "datecreated", "created", "firstpublishedat",
    "originalpublicationdate", "releasedate", "release_date", "dc.created", "date",
    "og:pubdate", "article.created", "bt:pubdate", "发布时间",
    "pubtime", "firstpubtime", "publishtime", "publish_time", "contentpublisheddate",
)
# <meta> names/properties carrying the last-modified date: `updated`, never `published`.
MODIFIED_META: tuple[str, ...] = (
    "article:modified_time", "og:updated_time", "og:article:modified_time", "article:modified",
    "datemodified", "date_modified", "modified_time", "last-modified", "lastmodified",
    "last_modified", "dc.date.modified", "dcterms.modified", "modified", "updated_time",
    "article.updated", "parsely-updated", "sailthru.lastupdate", "revised", "lastupdate",
    "last-update", "dc.date.updated",
)
# JSON-LD: object types whose dates are the article's own, and types whose dates never are
# (an event's start, a list's, the site's, a person's birth date).
JSONLD_ARTICLE_TYPES: tuple[str, ...] = (
    "article", "posting", "report", "pressrelease", "blog", "newsitem", "liveblog",
)
JSONLD_FOREIGN_TYPES: tuple[str, ...] = (
    "event", "itemlist", "listitem", "breadcrumb", "website", "organization", "person",
    "place", "product", "offer", "comment", "imageobject", "searchaction",
)
JSONLD_PUBLISHED_KEYS: tuple[str, ...] = ("datePublished", "dateCreated", "uploadDate")
JSONLD_MODIFIED_KEYS: tuple[str, ...] = ("dateModified",)

# JSON keys in inline scripts (app state, data layers) that carry the publication date.
SCRIPT_PUBLISHED_KEYS: tuple[str, ...] = (
    "datePublished", "published_at", "publishedAt", "publishDate", "publish_date",
    "publicationDate", "first-publication", "firstPublished", "date_published", "pubDate",
)

# Labels in front of a visible date. Matched case-insensitively on the text just before it.
PUBLISHED_LABELS: tuple[str, ...] = (
    "published on", "published", "publication date", "date published", "posted on", "posted",
    "released", "release date", "issued", "date", "created", "erstellt am", "erstellt",
    "veröffentlicht am", "veröffentlicht", "veroeffentlicht", "publiziert am", "publiziert",
    "datum", "vom", "am", "pressemitteilung vom", "meldung vom", "erschienen am", "publié le",
    "publié", "date de publication", "publicado", "publicado el", "pubblicato il", "pubblicato",
    "mise en ligne", "mis en ligne le", "发布时间", "发布日期", "发表时间", "发表日期", "发文日期",
    "成文日期", "日期", "时间",
    "发布于", "发表于", "发稿时间", "刊发时间", "录入时间", "添加时间", "上传时间", "信息来源时间",
)
# Labels of an official document's own date (gov.cn 信息公开 tables print it beside the web
# posting's 发布日期; the document is cited, and signed at its end, with this date): preferred.
DOCUMENT_LABELS: tuple[str, ...] = ("成文日期", "发文日期")
# Verbs printed right *after* a date that make it the publication date ("wurde am 3. Mai 2010
# um 23:03 Uhr veröffentlicht", "是大卫在2005年8月12日16:10:13发表").
PUBLISHED_AFTER: tuple[str, ...] = (
    "veröffentlicht", "gepostet", "publiziert", "erschienen", "eingestellt", "posted",
    "published", "publié", "发表", "发布", "张贴", "发帖",
)
# Bylines: "Von Christian am 03.05.2013", "Posted by Jane on July 3, 2020",
# "由海姑娘张贴 @ 2005-03-21".
# (author word, at most a short name, then one of these joiners right before the date)
BYLINE_AUTHOR_WORDS: tuple[str, ...] = ("von", "by", "posted by", "written by", "geschrieben von",
                                        "由", "作者", "par")
BYLINE_JOINERS: tuple[str, ...] = ("am", "on", "@", "le", "um", "|", "·", "-", "—", "于", "在", ",")
UPDATED_LABELS: tuple[str, ...] = (
    "last updated on", "last updated", "updated on", "updated", "last modified", "modified",
    "last reviewed", "page last updated", "revised", "aktualisiert am", "aktualisiert",
    "zuletzt aktualisiert", "letzte aktualisierung", "geändert am", "zuletzt geändert",
    "stand", "mis à jour le", "mis à jour", "actualizado", "aggiornato", "更新时间", "更新日期",
    "修改时间", "最后更新",
)
# class/id/itemprop tokens of elements that hold an article's own date (meta lines, bylines).
DATE_CLASS_TOKENS: tuple[str, ...] = (
    "date", "time", "datum", "publish", "published", "pubdate", "posted", "post-date", "dateline",
    "entry-date", "byline", "meta", "info", "article-info", "timestamp", "created", "fecha",
    "data", "zeit", "source", "pubtime",
)
# tokens for containers of other articles' teasers: dates inside them are never this page's
TEASER_TOKENS: tuple[str, ...] = (
    "teaser", "latest", "recent", "related", "popular", "more", "list", "news-list",
    "newslist", "listing", "archive", "events", "calendar", "termine", "veranstaltung",
    "slider", "carousel", "tabs", "widget", "aside", "sidebar", "weather", "ticker",
)
# An article's own <header>/<footer>/<aside> (meta bar, "Posted by … on …" footer, a facts box)
# is furniture by its tag but holds the article's date: these parts are exempt inside an
# article container (the <article> tag or one of these class/id tokens) ...
ARTICLE_PART_TAGS: tuple[str, ...] = ("header", "footer", "aside")
ARTICLE_PART_TOKENS: tuple[str, ...] = ("header", "footer", "sidebar", "side-bar", "aside")
ARTICLE_CONTAINER_TOKENS: tuple[str, ...] = ("hentry", "entry", "post", "article", "story",
                                             "asset", "blogpost")
# ... unless they are another kind of furniture (comments, teasers, sharing, navigation).
FOREIGN_PART_TOKENS: tuple[str, ...] = (
    "comment", "comments", "related", "nav", "navigation", "menu", "share", "sharing", "social",
    "widget", "latest", "popular", "most-read", "breadcrumb", "breadcrumbs", "recent", "teaser",
)
# ... and site chrome: a part holding navigation, a search form or many links is the site's.
ARTICLE_PART_CHROME_TAGS: tuple[str, ...] = ("nav", "form", "menu", "a")
ARTICLE_PART_MAX_LINKS = 6
#: how far above an article part its container may be
ARTICLE_PART_LEVELS = 8
