"""Site profiles: loading, defaults, every error as its exact one line, scope, kinds, hashes."""

import dataclasses
import hashlib
import json
import pickle
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from egovcrawl import profiles as profiles_module
from egovcrawl.extract.hints import SiteHints
from egovcrawl.profiles import (
    DEFAULT_SITES_PATH,
    PROFILE_KEYS,
    ProfileError,
    SiteProfile,
    load_profiles,
    select_profiles,
)

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "sites.example.toml"

HEAD = '[sites.x]\nstart_urls = ["https://www.example.gov.cn/"]\n'


def write(tmp_path: Path, text: str, name: str = "sites.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load(tmp_path: Path, text: str, **variables: str) -> dict[str, SiteProfile]:
    return load_profiles(write(tmp_path, text), variables=variables)


def error_of(tmp_path: Path, text: str, **variables: str) -> str:
    path = write(tmp_path, text)
    with pytest.raises(ProfileError) as info:
        load_profiles(path, variables=variables)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: ")
    return message[len(f"{path}: "):]


# --- the shipped example ---------------------------------------------------------------------

def test_example_file_loads_with_its_three_sites():
    sites = load_profiles(EXAMPLE)
    assert list(sites) == ["wuhan-example", "bmi-example", "egov-news-example"]
    wuhan, bmi, news = sites.values()
    assert (wuhan.date_order, wuhan.language, wuhan.timezone) == ("YMD", "zh", "Asia/Shanghai")
    assert wuhan.download_delay == 2.0  # its own value beats [defaults]
    assert bmi.download_delay == 1.0  # from [defaults]
    assert bmi.date_order == "DMY" and bmi.sitemap_lastmod_days == 30
    assert news.feeds == ("https://egov-news.example.org/feed/",) and not news.enabled
    assert wuhan.url_kind("https://www.example.gov.cn/art/2024/7/3/art_3842_2443180.html") == (
        "article")
    assert wuhan.url_kind("https://www.example.gov.cn/col/col3842/index_2.html") == "listing"
    assert not wuhan.in_scope("https://www.example.gov.cn/module/search/index.jsp?q=x")
    assert news.url_kind("https://egov-news.example.org/2020/08/20/wuhan-ranks-5th/") == "article"
    assert not news.in_scope("https://egov-news.example.org/tag/wuhan/")


def test_example_file_documents_every_key_and_only_real_ones():
    text = EXAMPLE.read_text(encoding="utf-8")
    documented = re.findall(r"^# (\w+) = ", text, re.M)
    fields = [f.name for f in dataclasses.fields(SiteProfile) if f.name != "name"]
    missing = [key for key in fields if key not in documented]
    assert not missing, f"sites.example.toml does not document: {missing}"
    assert set(documented) == set(fields), "sites.example.toml documents keys that do not exist"
    # each documented key has an explanation below it
    for key in fields:
        after = text.split(f"\n# {key} = ", 1)[1].split("\n")[1]
        assert after.startswith("#     ") and len(after) > 20, key


def test_every_field_has_a_check():
    assert set(profiles_module._CHECKS) == set(PROFILE_KEYS)
    assert PROFILE_KEYS[0] == "start_urls" and "name" not in PROFILE_KEYS
    assert DEFAULT_SITES_PATH == "data/sites.toml"


# --- values and defaults ---------------------------------------------------------------------

def test_defaults_of_a_minimal_profile(tmp_path):
    (p,) = load(tmp_path, HEAD).values()
    assert p.name == "x"
    assert p.start_urls == ("https://www.example.gov.cn/",)
    assert p.sitemaps == () and p.feeds == ()
    assert p.allowed_domains == ("www.example.gov.cn",)
    assert p.allow == p.deny == p.article_allow == p.listing_allow == ()
    assert dict(p.selectors) == {}
    assert p.date_order is p.language is p.timezone is None
    assert (p.max_pages, p.max_depth, p.download_delay, p.refresh_days) == (10_000, 5, None, 7.0)
    assert p.enabled and p.discover_sitemaps and p.follow_links and p.obey_robots
    assert p.sitemap_lastmod_days is None
    assert (p.stop_after_known_pages, p.max_calendar_pages) == (1, 24)
    assert p.hints() is None


def test_every_key_read_and_normalised(tmp_path):
    (p,) = load(tmp_path, """
[sites."gov.cn-Wuhan_2"]
start_urls = "https://www.wuhan.gov.cn/col/col1/index.html"
sitemaps = ["https://www.wuhan.gov.cn/sitemap.xml", "https://www.wuhan.gov.cn/sitemap.xml"]
feeds = ["https://www.wuhan.gov.cn/rss.xml"]
allowed_domains = ["Wuhan.GOV.cn", ".hubei.gov.cn"]
allow = ['/art/', '/col/']
deny = '/search/'
article_allow = ['/art/\\d{4}/']
listing_allow = ['/col/col\\d+/']
date_order = "ymd"
language = "ZH"
timezone = "Asia/Shanghai"
max_pages = 500
max_depth = 0
download_delay = 3
refresh_days = 0.5
enabled = false
discover_sitemaps = false
sitemap_lastmod_days = 30
stop_after_known_pages = 0
follow_links = false
max_calendar_pages = 0
obey_robots = false
[sites."gov.cn-Wuhan_2".selectors]
title = "h1.title"
views = "//span[@id='hits']"
""").values()
    assert p.name == "gov.cn-Wuhan_2"
    assert p.start_urls == ("https://www.wuhan.gov.cn/col/col1/index.html",)
    assert p.sitemaps == ("https://www.wuhan.gov.cn/sitemap.xml",)  # duplicates dropped
    assert p.allowed_domains == ("wuhan.gov.cn", "hubei.gov.cn")
    assert [r.pattern for r in p.allow] == ["/art/", "/col/"]
    assert [r.pattern for r in p.deny] == ["/search/"]
    assert (p.date_order, p.language) == ("YMD", "zh")
    assert isinstance(p.download_delay, float) and p.download_delay == 3.0
    assert p.refresh_days == 0.5 and p.max_depth == 0 and p.stop_after_known_pages == 0
    assert not (p.enabled or p.discover_sitemaps or p.follow_links or p.obey_robots)
    assert p.hints() == SiteHints(date_order="YMD", language="zh", timezone="Asia/Shanghai",
                                  selectors={"title": "h1.title", "views": "//span[@id='hits']"})
    with pytest.raises(TypeError):
        p.selectors["text"] = "div"  # type: ignore[index]


def test_sitemaps_or_feeds_may_replace_start_urls(tmp_path):
    sites = load(tmp_path, """
[sites.a]
sitemaps = ["https://a.example.de:8443/sitemap.xml.gz"]
[sites.b]
feeds = ["http://b.example.org/feed/"]
""")
    assert sites["a"].start_urls == () and sites["a"].allowed_domains == ("a.example.de:8443",)
    assert sites["b"].allowed_domains == ("b.example.org",)


def test_direct_construction_validates_and_normalises():
    p = SiteProfile("d", start_urls=["https://d.example.org/"],  # type: ignore[arg-type]
                    allow=["/news/"], selectors={"title": "h1"})  # type: ignore[arg-type]
    assert p.start_urls == ("https://d.example.org/",)
    assert p.allow == (re.compile("/news/"),)
    assert SiteProfile("d", start_urls=("https://d.example.org/",), allow=p.allow).allow == p.allow
    with pytest.raises(ProfileError) as info:
        SiteProfile("d", start_urls=("https://d.example.org/",), max_depth=-1)
    assert str(info.value) == "site 'd': key 'max_depth': must be >= 0 (got -1)"
    with pytest.raises(dataclasses.FrozenInstanceError):
        p.max_pages = 3  # type: ignore[misc]
    assert len({p, dataclasses.replace(p)}) == 1


# --- errors: one exact line each -------------------------------------------------------------

@pytest.mark.parametrize(("body", "expected"), [
    ('date_order = "DYM"',
     "site 'x': key 'date_order': must be one of DMY, MDY, YMD (got 'DYM')"),
    ("date_order = 1", "site 'x': key 'date_order': must be one of DMY, MDY, YMD (got 1)"),
    ('start_url = ["https://a.org/"]',
     "site 'x': key 'start_url': unknown key (did you mean 'start_urls'?)"),
    ("frobnicate = 1", "site 'x': key 'frobnicate': unknown key"),
    ('sitemap = "https://a.org/s.xml"',
     "site 'x': key 'sitemap': unknown key (did you mean 'sitemaps'?)"),
    ("max_pages = 0", "site 'x': key 'max_pages': must be >= 1 (got 0)"),
    ("max_pages = 1.5",
     "site 'x': key 'max_pages': must be a whole number >= 1 (got a number 1.5)"),
    ("max_depth = true",
     "site 'x': key 'max_depth': must be a whole number >= 0 (got a boolean true)"),
    ("sitemap_lastmod_days = 0", "site 'x': key 'sitemap_lastmod_days': must be >= 1 (got 0)"),
    ("max_calendar_pages = -1", "site 'x': key 'max_calendar_pages': must be >= 0 (got -1)"),
    ("stop_after_known_pages = -2",
     "site 'x': key 'stop_after_known_pages': must be >= 0 (got -2)"),
    ('refresh_days = "7"',
     "site 'x': key 'refresh_days': must be a number >= 0 (got a string '7')"),
    ("download_delay = -1", "site 'x': key 'download_delay': must be a number >= 0 (got -1)"),
    ("download_delay = inf", "site 'x': key 'download_delay': must be a number >= 0 (got inf)"),
    ('enabled = "yes"', "site 'x': key 'enabled': must be true or false (got a string 'yes')"),
    ("obey_robots = 0", "site 'x': key 'obey_robots': must be true or false (got an integer 0)"),
    ('allow = ["("]', "site 'x': key 'allow': bad regular expression '(': "
                      "missing ), unterminated subpattern at position 0"),
    ("deny = [1]", "site 'x': key 'deny': must be a list of regular expressions "
                   "(got an integer 1 in the list)"),
    ("article_allow = {a = 1}",
     "site 'x': key 'article_allow': must be a list of regular expressions (got a table)"),
    ('language = "zh-CN"', "site 'x': key 'language': must be a two-letter ISO 639-1 code "
                           "like 'zh', 'de' or 'en' (got 'zh-CN')"),
    ('timezone = "Asia/Shangai"',
     "site 'x': key 'timezone': unknown IANA time zone 'Asia/Shangai' "
     "(did you mean 'Asia/Shanghai'?)"),
    ('timezone = "../../etc/passwd"',
     "site 'x': key 'timezone': unknown IANA time zone '../../etc/passwd'"),
    ('selectors = {titel = "h1"}',
     "site 'x': key 'selectors.titel': unknown field (did you mean 'title'?); fields: "
     "copyright, published, site_counter, source, text, title, updated, views"),
    ('selectors = {title = "h1[["}',
     "site 'x': key 'selectors.title': bad CSS selector 'h1[[': "
     "Expected ident or '*', got <DELIM '[' at 3>"),
    ('selectors = {views = "//span[@id="}',
     "site 'x': key 'selectors.views': bad XPath '//span[@id=': Invalid expression"),
    ("selectors = {views = 3}",
     "site 'x': key 'selectors.views': must be a CSS selector or XPath string "
     "(got an integer 3)"),
    ('selectors = "h1"', "site 'x': key 'selectors': must be a table of field = "
                         "\"CSS or XPath\" (got a string 'h1')"),
    ('allowed_domains = ["https://www.example.gov.cn/news/"]',
     "site 'x': key 'allowed_domains': must be host names like 'example.gov.cn' or "
     "'127.0.0.1:8080', without scheme or path "
     "(got 'https://www.example.gov.cn/news/'; write 'www.example.gov.cn')"),
    ('allowed_domains = ["example.gov.cn:http"]',
     "site 'x': key 'allowed_domains': bad host 'example.gov.cn:http': "
     "Port could not be cast to integer value as 'http'"),
    ('allowed_domains = ["other.gov.cn"]',
     "site 'x': key 'start_urls': 'https://www.example.gov.cn/' is outside allowed_domains "
     "(add 'www.example.gov.cn')"),
])
def test_error_lines(tmp_path, body, expected):
    assert error_of(tmp_path, HEAD + body + "\n") == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("[sites.x]\nmax_pages = 3\n",
     "site 'x': key 'start_urls': required (a list of URLs), unless sitemaps or feeds are given"),
    ('[sites.x]\nstart_urls = ["ftp://files.example.gov.cn/"]\n',
     "site 'x': key 'start_urls': must be absolute http(s) URLs like "
     "'https://www.example.gov.cn/' (got 'ftp://files.example.gov.cn/')"),
    ('[sites.x]\nstart_urls = ["www.example.gov.cn/news"]\n',
     "site 'x': key 'start_urls': must be absolute http(s) URLs like "
     "'https://www.example.gov.cn/' (got 'www.example.gov.cn/news')"),
    ('[sites.x]\nstart_urls = ["https://a.org/a b"]\n',
     "site 'x': key 'start_urls': must be absolute http(s) URLs without spaces "
     "(got 'https://a.org/a b')"),
    ('[sites.x]\nstart_urls = ["https://a.org:99999/"]\n',
     "site 'x': key 'start_urls': bad URL 'https://a.org:99999/': "
     "Port out of range 0-65535"),
    ("[sites.x]\nstart_urls = 5\n",
     "site 'x': key 'start_urls': must be a list of URLs (got an integer 5)"),
    ('[sites.x]\nfeeds = ["https://a.org/feed", ["nested"]]\n',
     "site 'x': key 'feeds': must be a list of URLs (got a list in the list)"),
    ('[sites."a b"]\nstart_urls = ["https://a.org/"]\n',
     "site 'a b': bad site name (use letters, digits, '_', '.', '-'; got 'a b')"),
    ("[sites]\nx = 1\n", "site 'x': must be a [sites.x] table (got an integer 1)"),
    ("[sites]\n", "no sites defined: add a [sites.NAME] table per site (see sites.example.toml)"),
    ("", "no sites defined: add a [sites.NAME] table per site (see sites.example.toml)"),
    ('sites = ["a"]', "no sites defined ('sites' is a list): add a [sites.NAME] table per site "
                      "(see sites.example.toml)"),
    ('[site.x]\nstart_urls = ["https://a.org/"]\n',
     "unknown top-level key 'site' (did you mean 'sites'?)"),
    ('[wuhan]\nstart_urls = ["https://a.org/"]\n',
     "unknown top-level key 'wuhan' (a site is a [sites.wuhan] table)"),
    ('[sites.x]\nstart_urls = ["https://a.org/"\n',
     "line 2 (end of file): invalid TOML: Unclosed array"),
    ('[sites.x]\nstart_urls = ["https://a.org/"]\nmax_pages = 1\nmax_pages = 2\n',
     "line 4, column 14: invalid TOML: Cannot overwrite a value"),
    ('[sites.x]\nstart_urls = "https://a.org/',
     "line 2 (end of file): invalid TOML: Unterminated string"),
])
def test_file_error_lines(tmp_path, text, expected):
    assert error_of(tmp_path, text) == expected


def test_missing_file_says_how_to_create_one(tmp_path):
    path = tmp_path / "data" / "sites.toml"
    with pytest.raises(ProfileError) as info:
        load_profiles(path)
    assert str(info.value) == (f"{path}: no such file (to start one: cp sites.example.toml "
                               f"{path}, then edit it)")


def test_unreadable_and_non_utf8_files(tmp_path):
    with pytest.raises(ProfileError, match=r": cannot read: Is a directory$"):
        load_profiles(tmp_path)
    path = tmp_path / "gbk.toml"
    path.write_bytes(HEAD.encode() + '# 武汉\n'.encode("gbk"))
    with pytest.raises(ProfileError) as info:
        load_profiles(path)
    assert str(info.value) == f"{path}: line 3: not UTF-8 text (TOML files must be saved as UTF-8)"


def test_utf8_bom_is_accepted(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + HEAD.encode())
    assert list(load_profiles(path)) == ["x"]


# --- placeholders and [defaults] -------------------------------------------------------------

def test_placeholders_expand_everywhere(tmp_path):
    (p,) = load(tmp_path, """
[sites.demo]
start_urls = ["http://${HOST}:${PORT}/gov/"]
allowed_domains = ["${HOST}:${PORT}"]
article_allow = ['^http://${HOST}:${PORT}/gov/art/.*\\.html$$']
selectors = {title = "h1.${CLASS}"}
deny = ['/cost/$${literal}']
""", HOST="127.0.0.1", PORT="41234", CLASS="headline").values()
    assert p.start_urls == ("http://127.0.0.1:41234/gov/",)
    assert p.allowed_domains == ("127.0.0.1:41234",)
    assert p.article_allow[0].pattern == r"^http://127.0.0.1:41234/gov/art/.*\.html$$"
    assert p.selectors["title"] == "h1.headline"
    assert p.deny[0].pattern == "/cost/${literal}"


@pytest.mark.parametrize(("body", "variables", "expected"), [
    ('start_urls = ["http://127.0.0.1:${PORT}/"]', {},
     "site 'x': key 'start_urls': unknown placeholder ${PORT} (variables: none given)"),
    ('start_urls = ["http://127.0.0.1:${PORT}/"]', {"HOST": "h", "ROOT": "r"},
     "site 'x': key 'start_urls': unknown placeholder ${PORT} (variables: HOST, ROOT)"),
    ('start_urls = ["http://127.0.0.1:${PORT/"]', {"PORT": "1"},
     "site 'x': key 'start_urls': bad placeholder '${PORT/' (write ${NAME})"),
    ('selectors = {title = "${X}"}', {},
     "site 'x': key 'selectors.title': unknown placeholder ${X} (variables: none given)"),
])
def test_placeholder_errors(tmp_path, body, variables, expected):
    text = "[sites.x]\n" + body + "\n"
    assert error_of(tmp_path, text, **variables) == expected


def test_defaults_table_applies_and_is_checked(tmp_path):
    sites = load(tmp_path, """
[defaults]
download_delay = 2
timezone = "Europe/Berlin"
selectors = {copyright = "#footer"}
[sites.a]
start_urls = ["https://a.example.de/"]
[sites.b]
start_urls = ["https://b.example.de/"]
download_delay = 0.25
selectors = {title = "h1"}
""")
    assert sites["a"].download_delay == 2.0 and sites["a"].timezone == "Europe/Berlin"
    assert dict(sites["a"].selectors) == {"copyright": "#footer"}
    assert sites["b"].download_delay == 0.25
    assert dict(sites["b"].selectors) == {"copyright": "#footer", "title": "h1"}


@pytest.mark.parametrize(("defaults", "expected"), [
    ('start_urls = ["https://a.org/"]',
     "key 'defaults.start_urls': cannot be a default: it names one site's own URLs"),
    ("refresh_dayz = 3", "key 'defaults.refresh_dayz': unknown key (did you mean 'refresh_days'?)"),
    ('date_order = "YDM"',
     "key 'defaults.date_order': must be one of DMY, MDY, YMD (got 'YDM')"),
    ('selectors = {txt = "div"}',
     "key 'defaults.selectors.txt': unknown field (did you mean 'text'?); fields: copyright, "
     "published, site_counter, source, text, title, updated, views"),
    ('language = "${LANG}"',
     "key 'defaults.language': unknown placeholder ${LANG} (variables: none given)"),
])
def test_defaults_errors(tmp_path, defaults, expected):
    assert error_of(tmp_path, f"[defaults]\n{defaults}\n{HEAD}") == expected
    assert error_of(tmp_path, "defaults = 3\n" + HEAD) == (
        "key 'defaults': must be a [defaults] table (got an integer 3)")


# --- scope and kinds -------------------------------------------------------------------------

def test_in_scope_hosts_subdomains_and_ports():
    p = SiteProfile("s", start_urls=("https://www.example.gov.cn/",),
                    allowed_domains=("example.gov.cn", "127.0.0.1:8080", "[::1]:9000"))
    assert p.in_scope("https://www.example.gov.cn/art/1.html")
    assert p.in_scope("http://example.gov.cn/")
    assert p.in_scope("https://HBJ.Example.GOV.cn./x")  # case and a trailing dot do not matter
    assert p.in_scope("https://example.gov.cn:8443/")  # no port in the entry: any port
    assert not p.in_scope("https://badexample.gov.cn/")  # a suffix is not a subdomain
    assert not p.in_scope("https://example.gov.cn.evil.org/")
    assert not p.in_scope("https://www.example.gov.cn@evil.org/")  # user info is not the host
    assert not p.in_scope("ftp://www.example.gov.cn/")
    assert not p.in_scope("mailto:office@example.gov.cn")
    assert not p.in_scope("/relative/path")
    assert not p.in_scope("http://example.gov.cn:notaport/")
    assert p.in_scope("http://127.0.0.1:8080/a")
    assert not p.in_scope("http://127.0.0.1:8081/a")
    assert not p.in_scope("http://127.0.0.1/a")  # port 80
    assert p.in_scope("http://[::1]:9000/")
    assert not p.in_scope("http://[::1]:9001/")


def test_in_scope_default_ports_and_derived_domains():
    p = SiteProfile("s", start_urls=("http://127.0.0.1:80/", "https://a.example.org/"))
    assert p.allowed_domains == ("127.0.0.1:80", "a.example.org")
    assert p.in_scope("http://127.0.0.1/x")  # 80 is http's port
    assert not p.in_scope("https://127.0.0.1/x")  # 443
    assert p.in_scope("https://sub.a.example.org/")
    assert not p.in_scope("https://example.org/")  # the parent is not allowed by default
    idn = SiteProfile("i", start_urls=("https://bürgerportal.example.de/",))
    assert idn.allowed_domains == ("xn--brgerportal-thb.example.de",)
    assert idn.in_scope("https://xn--brgerportal-thb.example.de/a")
    assert idn.in_scope("https://www.bürgerportal.example.de/a")


def test_in_scope_allow_then_deny():
    p = SiteProfile("s", start_urls=("https://a.example.org/",),
                    allow=(re.compile("/news/"), re.compile(r"/press/\d+")),
                    deny=(re.compile(r"[?&]print=1"), re.compile("/news/archive/")))
    assert p.in_scope("https://a.example.org/news/1.html")
    assert p.in_scope("https://a.example.org/en/press/2024")
    assert not p.in_scope("https://a.example.org/about/")  # no allow pattern matches
    assert not p.in_scope("https://a.example.org/news/1.html?print=1")
    assert not p.in_scope("https://a.example.org/news/archive/2001.html")
    assert not p.in_scope("https://b.example.org/news/1.html")  # the host comes first
    # allow is searched in the full URL, so it may anchor on the host
    q = SiteProfile("q", start_urls=("https://a.example.org/",),
                    allowed_domains=("example.org",), allow=(re.compile(r"^https://a\."),))
    assert q.in_scope("https://a.example.org/x") and not q.in_scope("https://b.example.org/x")


URL_PARTS = st.sampled_from(["http://", "https://", "ftp://", "//", "[", "]", ":", "@", "/",
                             "?", "#", "%", "a.example.org", "127.0.0.1", "::1", "8080",
                             "99999", "xn--", "ü", "\x00", " ", "."])


@given(st.lists(URL_PARTS | st.text(max_size=5), max_size=12).map("".join))
def test_scope_and_kind_never_raise(url):
    p = SiteProfile("s", start_urls=("https://a.example.org/",),
                    allowed_domains=("a.example.org", "127.0.0.1:8080", "[::1]:8080"),
                    deny=(re.compile("x"),), article_allow=(re.compile("a"),))
    assert p.in_scope(url) in (True, False)
    assert p.url_kind(url) in ("article", None)


def test_url_kind():
    p = SiteProfile("s", start_urls=("https://a.example.org/",),
                    article_allow=(re.compile(r"/\d{4}/\d{2}/[^/]+/$"),),
                    listing_allow=(re.compile("/category/"), re.compile(r"/page/\d+/")))
    assert p.url_kind("https://a.example.org/2020/08/wuhan/") == "article"
    assert p.url_kind("https://a.example.org/category/china/") == "listing"
    assert p.url_kind("https://a.example.org/category/2020/08/x/") == "article"  # article first
    assert p.url_kind("https://a.example.org/about/") is None
    assert SiteProfile("t", start_urls=("https://a.example.org/",)).url_kind(
        "https://a.example.org/2020/08/wuhan/") is None


# --- identity --------------------------------------------------------------------------------

def test_profile_hash_is_sha256_of_the_non_default_values(tmp_path):
    p = SiteProfile("demo", start_urls=("https://www.example.gov.cn/",))
    expected = json.dumps({"name": "demo", "start_urls": ["https://www.example.gov.cn/"]},
                          sort_keys=True, separators=(",", ":"))
    assert p.profile_hash == hashlib.sha256(expected.encode()).hexdigest()


def test_profile_hash_stable_under_spelling_and_changed_by_content(tmp_path):
    a = load(tmp_path, """
[sites.w]
start_urls = ["https://www.example.gov.cn/"]
date_order = "YMD"
allow = ['/art/']
""")["w"]
    b = load(tmp_path, """
[sites.w]
allow = '/art/'
date_order = "ymd"
max_pages = 10000
refresh_days = 7
allowed_domains = ["www.example.gov.cn"]
enabled = false
selectors = {}
start_urls = "https://www.example.gov.cn/"
""")["w"]
    assert a.profile_hash == b.profile_hash
    assert re.fullmatch(r"[0-9a-f]{64}", a.profile_hash)
    changed = [dataclasses.replace(a, max_pages=9),
               dataclasses.replace(a, allow=(re.compile("/art/\\d"),)),
               dataclasses.replace(a, allowed_domains=("example.gov.cn",)),
               dataclasses.replace(a, selectors={"title": "h1"}),
               dataclasses.replace(a, name="w2")]
    hashes = {a.profile_hash, *(c.profile_hash for c in changed)}
    assert len(hashes) == 1 + len(changed)


def test_profiles_pickle():
    for p in load_profiles(EXAMPLE).values():
        copy = pickle.loads(pickle.dumps(p))
        assert copy == p and copy.profile_hash == p.profile_hash
        assert copy.hints() == p.hints()
    p = SiteProfile("i", start_urls=("https://a.example.org/",), deny=(re.compile("x", re.I),))
    assert pickle.loads(pickle.dumps(p)).in_scope("https://a.example.org/X") is False


def test_as_dict_is_json_ready():
    p = SiteProfile("s", start_urls=("https://a.example.org/",), deny=(re.compile("x"),),
                    selectors={"title": "h1"})
    d = p.as_dict()
    assert list(d) == ["name", *PROFILE_KEYS]
    assert d["deny"] == ["x"] and d["selectors"] == {"title": "h1"}
    assert json.loads(json.dumps(d)) == d


# --- selecting sites -------------------------------------------------------------------------

@pytest.fixture
def three():
    return {n: SiteProfile(n, start_urls=(f"https://{n}.example.org/",), enabled=n != "off")
            for n in ("wuhan", "off", "bmi")}


def test_select_by_name_keeps_order_and_allows_disabled(three):
    chosen = select_profiles(three, ["bmi", "off", "bmi"])
    assert [p.name for p in chosen] == ["bmi", "off"]


def test_select_all_skips_disabled(three):
    assert [p.name for p in select_profiles(three, [], all_=True)] == ["wuhan", "bmi"]


@pytest.mark.parametrize(("names", "all_", "expected"), [
    (["wuhn"], False, "unknown site 'wuhn' (did you mean 'wuhan'?) (known: wuhan, off, bmi)"),
    (["zzz"], False, "unknown site 'zzz' (known: wuhan, off, bmi)"),
    ([], False, "no site given: name one or more sites, or use --all (known: wuhan, off, bmi)"),
    (["wuhan"], True, "give site names or --all, not both"),
])
def test_select_errors(three, names, all_, expected):
    with pytest.raises(ProfileError) as info:
        select_profiles(three, names, all_=all_)
    assert str(info.value) == expected


def test_select_errors_name_the_loaded_file(tmp_path):
    path = write(tmp_path, HEAD)
    profiles = load_profiles(path)
    assert profiles.path == str(path) and dict(profiles) == {"x": profiles["x"]}
    with pytest.raises(ProfileError) as info:
        select_profiles(profiles, ["y"])
    assert str(info.value) == f"{path}: unknown site 'y' (known: x)"


def test_select_all_with_every_site_disabled(three):
    with pytest.raises(ProfileError, match="no enabled sites"):
        select_profiles({"off": three["off"]}, [], all_=True)
