"""Fuzz `extract_page` with mutated real pages: it must return a well-typed `Page` or raise
`ExtractionError`, and finish each page within a time bound.

    python benchmarks/fuzz_extract.py --minutes 5 [--seed N] [--bound 5]
    python benchmarks/fuzz_extract.py --seed N --replay I      # rerun case I of seed N, verbose
    python benchmarks/fuzz_extract.py --minimize benchmarks/results/fuzz-failures/X.json
    python benchmarks/fuzz_extract.py --skip many_attributes   # leave out a known hang

The corpus is every golden fixture page (tests/fixtures/pages) and every sample-site page
(egovcrawl/samples/sites), as served: GBK stays GBK. Each case applies one to three mutations
(byte flips, truncation mid-character, range edits, tags cut open, nesting/script/entity/JSON-LD
bombs, huge attributes, NULs, BOMs, lying charsets, hostile URLs, absurd dates and counts...) and
may also lie about the HTTP charset or force a page kind. Case I of seed N is always the same
input, so a failure is reproducible from two numbers; failing inputs are also written to
benchmarks/results/fuzz-failures/ (git-ignored) with a .json describing the call.

Extraction runs in a child process: a per-page alarm (--bound) catches slow Python code, and the
parent kills the child if even the alarm does not fire (a hang inside C code), then records that
input as a hang and carries on with a fresh child.

The mutators are shared with tests/test_fuzz_extract.py, which drives them from hypothesis
through the same `Chooser` interface (random here, shrinkable draws there).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import datetime as dt
import json
import multiprocessing as mp
import platform
import random
import re
import signal
import sys
import threading
import time
import tomllib
import traceback
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Protocol, TypeVar

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from egovcrawl.extract import ExtractionError, Page, extract_page  # noqa: E402
from egovcrawl.extract.hints import SiteHints  # noqa: E402
from egovcrawl.extract.model import Copyright, DateInfo, Link, SiteCounter, Source  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "pages"
SITES = ROOT / "egovcrawl" / "samples" / "sites"
FAILURES = ROOT / "benchmarks" / "results" / "fuzz-failures"
#: Seconds one page may take before it counts as a hang (real pages take milliseconds).
DEFAULT_BOUND = 5.0
#: Counts are stored in SQLite INTEGER columns: a larger value would fail the archive insert.
SQLITE_INT_MAX = 2**63 - 1

T = TypeVar("T")


# --- the corpus -------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Sample:
    """One real page as served, with the arguments a crawl would pass for it."""

    name: str
    body: bytes
    url: str
    encoding: str | None = None
    hints: SiteHints = dataclasses.field(default_factory=SiteHints)

    def __repr__(self) -> str:  # hypothesis prints drawn samples: the name says enough
        return f"Sample({self.name!r})"


_TEMPLATE_RE = re.compile(rb"\{\{(base|port|cal)(?::[A-Za-z0-9_.-]+)?\}\}")
_SAMPLE_SUFFIXES = (".html", ".htm", ".shtml")


def _fill_template(match: re.Match[bytes]) -> bytes:
    # sitesrv fills these when serving; any plausible value does for extraction
    kind = match.group(1)
    return {b"base": b"http://127.0.0.1:8080", b"port": b"8080"}.get(kind, b"2024-07")


def fixture_samples() -> list[Sample]:
    """The golden fixture pages with their URL, HTTP charset and hints."""
    out = []
    for path in sorted(FIXTURES.glob("*.html")):
        golden = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        out.append(Sample(path.stem, path.read_bytes(), golden["url"],
                          golden.get("http_encoding"), SiteHints(**golden.get("hints", {}))))
    return out


def site_samples() -> list[Sample]:
    """Every HTML page of the bundled sample sites, with the charset their server declares."""
    out = []
    for site in sorted(p for p in SITES.iterdir() if p.is_dir()):
        conf_path = site / "_site.toml"
        conf = tomllib.loads(conf_path.read_text(encoding="utf-8")) if conf_path.exists() else {}
        charsets = {k.lower(): v for k, v in conf.get("charset", {}).items()}
        for path in sorted(site.rglob("*")):
            if not path.is_file() or path.suffix not in _SAMPLE_SUFFIXES:
                continue
            rel = path.relative_to(site).as_posix()
            body = _TEMPLATE_RE.sub(_fill_template, path.read_bytes())
            out.append(Sample(f"{site.name}/{rel}", body, f"http://127.0.0.1:8080/{rel}",
                              charsets.get(path.suffix.lstrip(".")) or None))
    return out


def all_samples() -> list[Sample]:
    return fixture_samples() + site_samples()


# --- choices: random here, hypothesis draws in the tests ----------------------------------------


class Chooser(Protocol):
    """Where mutators get their decisions from. Small values and early elements are the tamest,
    so that hypothesis, which shrinks towards them, reports the smallest failing mutation."""

    def integer(self, lo: int, hi: int) -> int: ...

    def choice(self, options: Sequence[T]) -> T: ...


class RandomChooser:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def integer(self, lo: int, hi: int) -> int:
        return self.rng.randint(lo, hi)

    def choice(self, options: Sequence[T]) -> T:
        return options[self.rng.randrange(len(options))]


# --- mutators: (body, chooser) -> (new body, what was done) -------------------------------------

Mutator = Callable[[bytes, Chooser], tuple[bytes, str]]

_TAG_RE = re.compile(rb"<[A-Za-z/!][^<>]{0,2000}>")
_END_TAG_RE = re.compile(rb"</([A-Za-z][A-Za-z0-9]*)\s*>")
_META_CHARSET_RE = re.compile(rb"(charset\s*=\s*[\"']?\s*)([A-Za-z0-9_.:\-]+)", re.I)
_HREF_RE = re.compile(rb"(\b(?:href|src|action|content)\s*=\s*[\"']?)([^\"'\s>]*)", re.I)
_DIGIT_RUN_RE = re.compile(rb"\d+")

CHARSET_LABELS = (
    "utf-8", "gbk", "gb2312", "gb18030", "big5", "shift_jis", "euc-kr", "iso-8859-1",
    "windows-1251", "koi8-r", "utf-16", "utf-16le", "utf-16be", "utf-32", "utf-7",
    "iso-2022-jp", "hz-gb-2312", "x-user-defined", "mac-roman", "ascii", "unicode",
    "bogus-charset", "", "utf8mb4", '"gbk"', "UTF-8;", "latin1 ", "cp037", "rot13", "idna",
    "punycode", "hex", "zlib", "uu", "base64", "undefined", "mbcs", "x" * 300,
)
BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff",
        b"\x2b\x2f\x76\x38", b"\xef\xbb\xbf\xef\xbb\xbf")
BOMB_TAGS = ("div", "table", "li", "ul", "p", "span", "a href=#", "b", "font", "td", "tr",
             "table><tr><td", "blockquote", "section", "article", "main", "h1", "dl><dd",
             "select", "template", "svg", "math", "iframe", "noscript", "textarea", "form",
             "nav", "footer", "time datetime=2024-07-03", "div class=content")
BOMB_COUNTS = (10, 100, 1_000, 5_000, 20_000, 100_000)
HOSTILE_URLS = (
    "http://[bad", "http://[::1", "https://[2001:db8::1]x/", "//", "///", "http://", "http:",
    "javascript:alert(1)", "data:text/html,<h1>x</h1>", "mailto:", "http://a:99999999/",
    "http://a:b/", "http://user:pass@:80/", "http://例子.测试/新闻/1.html",
    "http://xn--/", "http://xn--zz.example/", "http://exa mple.com/a b.pdf", "\x00", "%",
    "%zz%", "?" * 5000, "/" + "a/" * 3000, "http://example.gov.cn/" + "x" * 100_000 + ".pdf",
    "http://127.0.0.1:8080/\udcff.pdf", "HTTP://EXAMPLE.GOV.CN:/A.PDF#\u202e", "\\\\server\\x",
    "file:///etc/passwd", "http://a/b/../../../../c.pdf", " \t\n", "#", "?next=1",
    "http://[v1.fe80::a+en1]/", "http://a\u3002b\u3002cn/x.pdf", "http://%5B::1%5D/",
)
ENTITIES = (
    "&#xD800;", "&#xDFFF;", "&#xDBFF;&#xDC00;", "&#55296;", "&#0;", "&#x0;", "&#99999999999;",
    "&#x110000;", "&#xFFFFFFFFFFFFFFFFFFFFFFFF;", "&#1114111;", "&#x;", "&#;", "&#xZZ;",
    "&bogus;", "&amp", "&lt", "&", "&#65", "&#x1F600;", "&#x202E;", "&#xFEFF;", "&#x85;",
    "&#x2028;", "&#12288;", "&nbsp;" * 50, "&#" + "9" * 5000 + ";",
)
RAW_UNICODE = ("\u202e", "\ufeff", "\u200b" * 100, "\ud7ff", "\ue000", "\U0010ffff", "\x85",
               "\u2028", "\u0301" * 500, "\U0001f600", "\uffff", "\x0b\x0c\x1b", "\x7f")
DATE_GARBAGE = (
    "发布时间：9999-99-99 99:99:99", "发布日期：2024年13月45日", "时间：0000-00-00",
    "Stand: 31.02.2024", "Published: February 30, 2024", "Updated: 2024-07-03T25:61:61+99:00",
    "Posted on 29/02/2023", "-2024-01-01", "2024-07-03T12:00:00+9999", "Datum: 00.00.0000",
    "Published 1 January 0001", "Published 31 December 9999 23:59:59", "2024-W99-9",
    "发布时间：" + "2024-07-03 " * 2000, "Stand: " + "1" * 5000,
)
COUNT_GARBAGE = (
    "浏览次数：" + "9" * 20, "阅读：" + "9" * 400 + "万", "Views: 1e308", "点击：-1",
    "浏览次数：" + "9" * 5000, "阅读 9999999999999亿", "43 Views" * 1000,
    "今日访问：99999999999999999999 昨日访问：1 总访问量：" + "9" * 30,
    "Today 1" + "0" * 25 + " / Yesterday 662 / All " + "9" * 4400,
    "您是第" + "9" * 40 + "位访问者", "Aufrufe: 1.000.000.000.000.000.000.000",
    "© " + "2024-" * 1000 + "2025 版权所有", "Copyright © 99999 Example",
    "鄂ICP备" + "1" * 5000 + "号",
)
META_GARBAGE = (
    '<meta property="article:published_time" content="99999999999999999999">',
    '<meta property="article:published_time" content="9999999999">',
    '<meta property="article:published_time" content="-62135596800">',
    '<meta name="pubdate" content="2024-02-30">',
    '<meta name="PubDate" content="' + "2024" * 5000 + '">',
    '<meta http-equiv="Content-Type" content="text/html; charset=utf-16">',
    '<meta http-equiv="refresh" content="0; url=http://[bad">',
    '<link rel="canonical" href="http://[bad">', '<base href="http://[bad/">',
    '<base href="javascript:void(0)">', '<html lang="' + "zh-" * 3000 + '">',
    '<meta name="language" content="\x00">', '<time datetime="99999-99-99">today</time>',
)
JSONLD_VALUES = (
    '{"@type":"NewsArticle","datePublished":99999999999999999999,"dateModified":-1e308}',
    '{"@type":"NewsArticle","datePublished":"2024-02-30T99:99","headline":' + '"x"' + "}",
    '{"@type":"NewsArticle","datePublished":1e999,"interactionStatistic":'
    '{"userInteractionCount":1e308}}',
    '{"@graph":[' + ",".join(['{"@graph":[]}'] * 5000) + "]}",
    '{"@type":"Article","headline":"' + "标题" * 100_000 + '","author":{"name":null}}',
    '[{"@type":"WebPage","name":{"@value":[1,2,3]},"datePublished":["2024-07-03", 5, null]}]',
    '{"@type":"NewsArticle","datePublished":"\\ud800","headline":"\\u0000"}',
    '{"@type":"NewsArticle",,,"datePublished":"2024-07-03",}',
    '{"interactionStatistic":[{"interactionType":"ViewAction","userInteractionCount":"'
    + "9" * 5000 + '"}]}',
)


def _at(data: bytes, c: Chooser) -> int:
    return c.integer(0, len(data))


def _insert(data: bytes, c: Chooser, piece: bytes) -> tuple[bytes, int]:
    pos = _at(data, c)
    return data[:pos] + piece + data[pos:], pos


def flip_bytes(data: bytes, c: Chooser) -> tuple[bytes, str]:
    if not data:
        return data, "flip: empty"
    buf = bytearray(data)
    n = c.integer(1, 32)
    for _ in range(n):
        buf[c.integer(0, len(buf) - 1)] = c.integer(0, 255)
    return bytes(buf), f"flip {n} bytes"


def truncate(data: bytes, c: Chooser) -> tuple[bytes, str]:
    pos = _at(data, c)
    return data[:pos], f"truncate at {pos}"


def truncate_mid_char(data: bytes, c: Chooser) -> tuple[bytes, str]:
    """Cut just after a non-ASCII byte: mid-character for most GBK and UTF-8 text."""
    high = [m.start() for m in re.finditer(rb"[\x80-\xff]", data[:200_000])]
    if not high:
        return truncate(data, c)
    pos = high[c.integer(0, len(high) - 1)] + c.integer(1, 2)
    return data[:pos], f"truncate mid-character at {pos}"


def _range(data: bytes, c: Chooser, most: int = 20_000) -> tuple[int, int]:
    start = c.integer(0, len(data))
    return start, min(len(data), start + c.integer(1, most))


def delete_range(data: bytes, c: Chooser) -> tuple[bytes, str]:
    a, b = _range(data, c)
    return data[:a] + data[b:], f"delete bytes {a}:{b}"


def duplicate_range(data: bytes, c: Chooser) -> tuple[bytes, str]:
    a, b = _range(data, c, 5_000)
    times = c.choice((1, 2, 10, 100))
    return data[:b] + data[a:b] * times + data[b:], f"duplicate bytes {a}:{b} x{times}"


def swap_ranges(data: bytes, c: Chooser) -> tuple[bytes, str]:
    a, b = _range(data, c)
    x, y = _range(data, c)
    if x < a:
        (a, b), (x, y) = (x, y), (a, b)
    if x < b:  # overlapping: swap the two halves of the union instead
        x, y = b, max(b, y)
    return data[:a] + data[x:y] + data[b:x] + data[a:b] + data[y:], f"swap {a}:{b} with {x}:{y}"


def open_tags(data: bytes, c: Chooser) -> tuple[bytes, str]:
    """Drop the '>' of some tags, or cut a tag in the middle of its attributes."""
    tags = [m.span() for m in _TAG_RE.finditer(data)]
    if not tags:
        return data, "open tags: none"
    n = c.integer(1, 50)
    chosen = sorted({tags[c.integer(0, len(tags) - 1)] for _ in range(n)}, reverse=True)
    cut = c.choice((False, True))
    for start, end in chosen:
        if cut and end - start > 2:
            mid = start + 1 + (end - start - 2) // 2
            data = data[:mid] + data[end:]
        else:
            data = data[:end - 1] + data[end:]
    return data, f"open {len(chosen)} tags" + (" mid-attribute" if cut else "")


def drop_end_tags(data: bytes, c: Chooser) -> tuple[bytes, str]:
    names = sorted({m.group(1).lower() for m in _END_TAG_RE.finditer(data)})
    if not names:
        return data, "drop end tags: none"
    name = c.choice([b"*", *names])
    if name == b"*":
        return _END_TAG_RE.sub(b"", data), "drop every end tag"
    pattern = re.compile(rb"</" + re.escape(name) + rb"\s*>", re.I)
    return pattern.sub(b"", data), f"drop every </{name.decode()}>"


def inject_brackets(data: bytes, c: Chooser) -> tuple[bytes, str]:
    n = c.choice((1, 10, 200, 5_000))
    pieces = (b"<", b">", b"</", b"<!--", b"-->", b"<![CDATA[", b"<?", b"<!", b"<a", b"=\"",
              b"'", b"<script>", b"</script>", b"<<", b">>", b"</>", b"<!DOCTYPE")
    for _ in range(min(n, 30)):
        data, _ = _insert(data, c, c.choice(pieces))
    if n > 30:  # many: sprinkle without drawing each position (hypothesis draws stay few)
        rng = random.Random(c.integer(0, 2**16))
        parts = [data[i:i + 64] for i in range(0, len(data), 64)]
        for _ in range(n - 30):
            i = rng.randrange(len(parts) or 1)
            if parts:
                parts[i] += rng.choice(pieces)
        data = b"".join(parts)
    return data, f"inject {n} brackets"


def nesting_bomb(data: bytes, c: Chooser) -> tuple[bytes, str]:
    tag = c.choice(BOMB_TAGS)
    count = c.choice(BOMB_COUNTS)
    closed = c.choice((False, True))
    text = "深层文本 deep text 2024-07-03 ".encode()
    piece = f"<{tag}>".encode() * count + text
    if closed:
        piece += b"".join(f"</{t.split()[0]}>".encode() for t in tag.split("><")[::-1]) * count
    data, pos = _insert(data, c, piece)
    return data, f"nesting bomb {count} x <{tag}>{' closed' if closed else ''} at {pos}"


def deep_inline(data: bytes, c: Chooser) -> tuple[bytes, str]:
    count = c.choice((10, 300, 3_000, 30_000))
    piece = b"<b><i><span><font color=red><em><strong><a href=#><u><small>" * count
    data, pos = _insert(data, c, piece + "内联 inline text".encode())
    return data, f"{count * 9} nested inline tags at {pos}"


def huge_attribute(data: bytes, c: Chooser) -> tuple[bytes, str]:
    size = c.choice((1_000, 100_000, 1_000_000, 3_000_000))
    attr = c.choice(("class", "id", "href", "style", "datetime", "content", "title", "lang",
                     "itemprop"))
    fill = c.choice(("a", "nav menu content ", "&amp;", "数", '\\"', "2024-07-03 ", " "))
    value = (fill * (size // max(1, len(fill.encode()))))[:size]
    data, pos = _insert(data, c, f'<div {attr}="{value}">属性 attribute</div>'.encode())
    return data, f"{size}-byte {attr} attribute of {fill!r} at {pos}"


def many_attributes(data: bytes, c: Chooser) -> tuple[bytes, str]:
    count = c.choice((10, 1_000, 10_000, 300_000))
    same = c.choice((False, True))  # one name repeated, or all distinct
    attrs = b" ".join((b"class=x" if same else b"a%d=x" % i) for i in range(count))
    data, pos = _insert(data, c, b"<div " + attrs + b">x</div>")
    return data, f"{count} {'repeated' if same else 'distinct'} attributes on one tag at {pos}"


def nul_bytes(data: bytes, c: Chooser) -> tuple[bytes, str]:
    how = c.choice(("some", "prefix", "every-nth", "replace-spaces"))
    if how == "some":
        for _ in range(c.integer(1, 20)):
            data, _ = _insert(data, c, b"\x00")
    elif how == "prefix":
        data = b"\x00" * c.choice((1, 4, 1000)) + data
    elif how == "every-nth":
        n = c.choice((2, 7, 100))
        data = b"".join(data[i:i + n] + b"\x00" for i in range(0, len(data), n))
    else:
        data = data.replace(b" ", b"\x00")
    return data, f"NUL bytes: {how}"


def bom(data: bytes, c: Chooser) -> tuple[bytes, str]:
    mark = c.choice(BOMS)
    return mark + data, f"prepend BOM {mark!r}"


def wrong_meta_charset(data: bytes, c: Chooser) -> tuple[bytes, str]:
    label = c.choice(CHARSET_LABELS).encode("utf-8", "surrogatepass")
    if _META_CHARSET_RE.search(data[:4096]) and c.choice((True, False)):
        return _META_CHARSET_RE.sub(lambda m: m.group(1) + label, data, count=1), \
            f"meta charset -> {label!r}"
    piece = c.choice((b'<meta charset="%s">', b'<meta http-equiv="Content-Type" '
                      b'content="text/html; charset=%s">', b'<?xml version="1.0" '
                      b'encoding="%s"?>')) % label
    return piece + data, f"prepend {piece[:80]!r}"


def giant_line(data: bytes, c: Chooser) -> tuple[bytes, str]:
    size = c.choice((10_000, 1_000_000, 4_000_000))
    words = c.choice(("word ", "政务服务一网通办", "2024-07-03 ", "x", "© 2024 ", "浏览 12 ",
                      "Read more ", "\t"))
    line = (words * (size // len(words.encode()) + 1)).encode()[:size]
    data, pos = _insert(data, c, line)
    return data, f"{size}-byte line of {words!r} at {pos}"


def many_scripts(data: bytes, c: Chooser) -> tuple[bytes, str]:
    count = c.choice((10, 1_000, 20_000))
    kind = c.choice(("js", "ld+json", "unclosed", "style"))
    if kind == "js":
        piece = b"<script>var a = '<div>2024-07-03</div>';</script>" * count
    elif kind == "ld+json":
        piece = (b'<script type="application/ld+json">{"@type":"NewsArticle",'
                 b'"datePublished":"2024-07-03"}</script>') * count
    elif kind == "style":
        piece = b"<style>.nav{display:none}</style>" * count
    else:
        piece = b"<script>" * count
    data, pos = _insert(data, c, piece)
    return data, f"{count} {kind} script blocks at {pos}"


def cjk_text_node(data: bytes, c: Chooser) -> tuple[bytes, str]:
    size = c.choice((10_000, 2_000_000))
    codec = c.choice(("utf-8", "gb18030"))
    text = "武汉市人民政府办公厅关于推进数字政府建设的通知。" * (size // 60 + 1)
    piece = text.encode(codec)[:size]
    data, pos = _insert(data, c, b"<p>" + piece + b"</p>")
    return data, f"{size}-byte {codec} CJK text node at {pos}"


def unicode_entities(data: bytes, c: Chooser) -> tuple[bytes, str]:
    n = c.integer(1, 30)
    for _ in range(n):
        if c.choice((True, False)):
            piece = c.choice(ENTITIES).encode()
        elif c.choice((True, False)):
            piece = c.choice(RAW_UNICODE).encode("utf-8", "surrogatepass")
        else:  # any code point as a numeric entity, surrogates included
            piece = b"&#x%X;" % c.integer(0, 0x10FFFF)
        data, _ = _insert(data, c, piece)
    return data, f"{n} odd entities/characters"


def hostile_urls(data: bytes, c: Chooser) -> tuple[bytes, str]:
    url = c.choice(HOSTILE_URLS).encode("utf-8", "surrogatepass")
    how = c.choice(("replace-some", "replace-all", "teasers", "canonical+base+next",
                    "attachment"))
    if how.startswith("replace"):
        every = how == "replace-all"
        hits = 0

        def swap(m: re.Match[bytes]) -> bytes:
            nonlocal hits
            hits += 1
            return m.group(1) + url if every or hits % 3 == 1 else m.group(0)

        data = _HREF_RE.sub(swap, data)
    elif how == "teasers":
        items = b"".join(b'<li><a href="' + url + b'">Teaser headline about digital '
                         b'government %d</a> 2024-07-0%d</li>' % (i, i % 9 + 1)
                         for i in range(12))
        data, _ = _insert(data, c, b"<ul>" + items + b"</ul>")
    elif how == "attachment":
        data, _ = _insert(data, c, b'<a href="' + url + b'.pdf">Report (PDF)</a>')
    else:
        head = (b'<link rel="canonical" href="' + url + b'"><base href="' + url + b'">'
                b'<a rel="next" href="' + url + b'">Next</a><a href="' + url + b'">2</a>')
        data, _ = _insert(data, c, head)
    return data, f"hostile URL {url[:60]!r}: {how}"


def jsonld_bomb(data: bytes, c: Chooser) -> tuple[bytes, str]:
    how = c.choice(("value", "deep-array", "deep-object"))
    if how == "value":
        payload = c.choice(JSONLD_VALUES)
    else:
        depth = c.choice((10, 1_000, 100_000))
        payload = ("[" * depth + "]" * depth if how == "deep-array"
                   else '{"@graph":' * depth + "1" + "}" * depth)
    piece = b'<script type="application/ld+json">' + payload.encode("utf-8", "surrogatepass")
    data, pos = _insert(data, c, piece + b"</script>")
    return data, f"JSON-LD {how} ({len(payload)} chars) at {pos}"


def date_and_count_garbage(data: bytes, c: Chooser) -> tuple[bytes, str]:
    how = c.choice(("digits", "dates", "counts", "meta"))
    if how == "digits":  # every digit run of the page replaced: dates and counts go absurd
        repl = c.choice((b"0", b"99", b"9999", b"31", b"99999999999", b"9" * 40))
        return _DIGIT_RUN_RE.sub(repl, data), f"every digit run -> {repl[:12]!r}"
    pool = {"dates": DATE_GARBAGE, "counts": COUNT_GARBAGE, "meta": META_GARBAGE}[how]
    piece = c.choice(pool)
    data, pos = _insert(data, c, f"<div class='info'>{piece}</div>".encode())
    return data, f"{how} garbage {piece[:50]!r} at {pos}"


def comment_bomb(data: bytes, c: Chooser) -> tuple[bytes, str]:
    count = c.choice((10, 10_000, 200_000))
    piece = c.choice((b"<!--", b"<!-- x -->", b"<!-- dc:date 2024-07-03 -->", b"<!--->"))
    data, pos = _insert(data, c, piece * count)
    return data, f"{count} x {piece!r} at {pos}"


def transcode(data: bytes, c: Chooser) -> tuple[bytes, str]:
    """The page's text re-encoded in another charset (the declarations now lie)."""
    for codec in ("utf-8", "gb18030"):
        try:
            text = data.decode(codec)
            break
        except UnicodeDecodeError:
            continue
    else:
        text = data.decode("utf-8", "replace")
    target = c.choice(("utf-16-le", "utf-16", "utf-16-be", "utf-32", "big5", "shift_jis",
                       "gb18030", "utf-8", "windows-1252", "koi8-r", "utf-7", "euc-kr"))
    return text.encode(target, "replace"), f"transcode to {target}"


#: Cheap structural mutators appear twice so that they are drawn more often than the bombs.
MUTATORS: tuple[Mutator, ...] = (
    flip_bytes, truncate, truncate_mid_char, delete_range, duplicate_range, swap_ranges,
    open_tags, drop_end_tags, inject_brackets, nul_bytes, bom, wrong_meta_charset,
    unicode_entities, hostile_urls, date_and_count_garbage, transcode, jsonld_bomb,
    nesting_bomb, deep_inline, huge_attribute, many_attributes, giant_line, many_scripts,
    cjk_text_node, comment_bomb,
    flip_bytes, truncate, truncate_mid_char, open_tags, inject_brackets, unicode_entities,
    hostile_urls, date_and_count_garbage, wrong_meta_charset,
)
MUTATORS_BY_NAME = {m.__name__: m for m in MUTATORS}
PAGE_KINDS = (None, "article", "listing", "other")


@dataclasses.dataclass
class Case:
    """One fuzz input: a mutated page and the arguments `extract_page` gets with it."""

    sample: str
    body: bytes
    url: str
    encoding: str | None
    hints: SiteHints
    page_kind: str | None
    steps: list[str]

    def describe(self) -> str:
        return (f"{self.sample} [{len(self.body)} bytes, encoding={self.encoding!r}, "
                f"page_kind={self.page_kind!r}]: " + "; ".join(self.steps))

    def call(self) -> Page:
        return extract_page(self.body, self.url, encoding=self.encoding, hints=self.hints,
                            page_kind=self.page_kind)  # type: ignore[arg-type]


def make_case(samples: Sequence[Sample], c: Chooser, *, most_steps: int = 3,
              mutators: Sequence[Mutator] = MUTATORS) -> Case:
    """Pick a page, mutate it one to `most_steps` times, and maybe lie in the call arguments."""
    sample = c.choice(samples)
    body, steps = sample.body, []
    for _ in range(c.integer(1, most_steps)):
        body, step = c.choice(mutators)(body, c)
        steps.append(step)
    encoding = sample.encoding
    if c.integer(0, 3) == 3:
        encoding = c.choice((None, *CHARSET_LABELS))
        steps.append(f"HTTP charset {encoding!r}")
    hints = sample.hints
    if c.integer(0, 5) == 5:
        hints = SiteHints(date_order=c.choice(("DMY", "MDY", "YMD")), language=c.choice(
            (None, "zh", "en", "de")), timezone=c.choice((None, "Asia/Shanghai", "Europe/Berlin")))
        steps.append(f"hints {hints.date_order}/{hints.language}/{hints.timezone}")
    page_kind = c.choice(PAGE_KINDS) if c.integer(0, 3) == 3 else None
    return Case(sample.name, body, sample.url, encoding, hints, page_kind, steps)


# --- the property -------------------------------------------------------------------------------

_DATE_SOURCES = frozenset({"jsonld", "meta", "time-element", "visible-text", "url", "selector",
                           "htmldate"})


def _str_ok(value: Any, name: str, problems: list[str], *, optional: bool = True) -> None:
    if value is None and optional:
        return
    if not isinstance(value, str):
        problems.append(f"{name} is {type(value).__name__}, not str")
        return
    try:  # the archive stores UTF-8 text: a lone surrogate would fail the insert
        value.encode("utf-8")
    except UnicodeEncodeError:
        problems.append(f"{name} holds a lone surrogate: {value[:80]!r}")


def _count_ok(value: Any, name: str, problems: list[str]) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        problems.append(f"{name} is {type(value).__name__}, not int")
    elif not 0 <= value <= SQLITE_INT_MAX:
        problems.append(f"{name} = {value} does not fit the archive's INTEGER column")


def page_problems(page: Any, url: str) -> list[str]:
    """Everything wrong with what `extract_page` returned; [] for a well-formed Page."""
    if not isinstance(page, Page):
        return [f"returned {type(page).__name__}, not Page"]
    p: list[str] = []
    if page.url != url:
        p.append(f"url changed: {page.url!r}")
    _str_ok(page.encoding, "encoding", p, optional=False)
    if page.page_kind not in ("article", "listing", "other"):
        p.append(f"page_kind {page.page_kind!r}")
    for name in ("title", "country", "text", "canonical_url", "language", "next"):
        _str_ok(getattr(page, name), name, p)
    for name in ("published", "updated"):
        d = getattr(page, name)
        if d is None:
            continue
        if not isinstance(d, DateInfo) or not isinstance(d.value, dt.date):
            p.append(f"{name} is {d!r}")
            continue
        if d.source not in _DATE_SOURCES:
            p.append(f"{name}.source {d.source!r}")
        _str_ok(d.raw, f"{name}.raw", p, optional=False)
    _count_ok(page.views, "views", p)
    if page.site_counter is not None:
        if not isinstance(page.site_counter, SiteCounter):
            p.append(f"site_counter is {type(page.site_counter).__name__}")
        else:
            for name in ("today", "yesterday", "total"):
                _count_ok(getattr(page.site_counter, name), f"site_counter.{name}", p)
            _str_ok(page.site_counter.raw, "site_counter.raw", p, optional=False)
    if page.copyright is not None:
        cr = page.copyright
        if not isinstance(cr, Copyright):
            p.append(f"copyright is {type(cr).__name__}")
        else:
            for name in ("holder", "credit", "icp"):
                _str_ok(getattr(cr, name), f"copyright.{name}", p)
            _str_ok(cr.text, "copyright.text", p, optional=False)
            _count_ok(cr.year, "copyright.year", p)
            if cr.years is not None and not (
                    isinstance(cr.years, tuple) and len(cr.years) == 2
                    and all(isinstance(y, int) and 0 <= y <= SQLITE_INT_MAX for y in cr.years)):
                p.append(f"copyright.years {cr.years!r}")
    if page.source is not None:
        if not isinstance(page.source, Source):
            p.append(f"source is {type(page.source).__name__}")
        else:
            _str_ok(page.source.name, "source.name", p)
            _str_ok(page.source.url, "source.url", p)
            _str_ok(page.source.raw, "source.raw", p, optional=False)
    for name in ("links", "attachments"):
        links = getattr(page, name)
        if not isinstance(links, tuple):
            p.append(f"{name} is {type(links).__name__}, not tuple")
            continue
        for link in links:
            if not isinstance(link, Link):
                p.append(f"{name} holds {type(link).__name__}")
                break
            _str_ok(link.url, f"{name}[].url", p, optional=False)
            _str_ok(link.title, f"{name}[].title", p, optional=False)
    if not p:
        try:  # goldens, exports and the CLI serialise pages this way
            json.dumps(page.to_dict(), ensure_ascii=False).encode("utf-8")
        except (TypeError, ValueError) as exc:
            p.append(f"to_dict() is not JSON: {exc}")
    return p


# --- bounded calls ------------------------------------------------------------------------------


class ExtractionTimeout(BaseException):
    """Raised by the alarm. A BaseException, so that no `except Exception` in the code under
    test can swallow it and keep going."""


@contextlib.contextmanager
def time_bound(seconds: float) -> Iterator[None]:
    """Raise `ExtractionTimeout` in the main thread if the block runs longer than `seconds`.

    Uses the real-time interval timer (SIGALRM) and restores whatever alarm was set before.
    Outside the main thread (where signals cannot be handled) the block runs unbounded.
    """
    if threading.current_thread() is not threading.main_thread() or seconds <= 0:
        yield
        return

    def _alarm(signum: int, frame: Any) -> None:
        raise ExtractionTimeout(f"no result after {seconds:g} s")

    old_handler = signal.signal(signal.SIGALRM, _alarm)
    old_delay, _ = signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old_handler)
        if old_delay:
            signal.setitimer(signal.ITIMER_REAL, old_delay)


@dataclasses.dataclass
class Outcome:
    kind: str  # "page", "extraction-error", "bad-page", "exception", "timeout"
    seconds: float
    detail: str = ""


def run_case(case: Case, bound: float) -> Outcome:
    """Call extract_page on a case under the time bound and judge the result."""
    start = time.perf_counter()
    try:
        with time_bound(bound):
            page = case.call()
    except ExtractionError as exc:
        return Outcome("extraction-error", time.perf_counter() - start, str(exc)[:200])
    except ExtractionTimeout as exc:
        return Outcome("timeout", time.perf_counter() - start,
                       f"{exc}\n{''.join(traceback.format_tb(exc.__traceback__)[-6:])}")
    except Exception as exc:  # the bug the fuzzer is looking for
        return Outcome("exception", time.perf_counter() - start,
                       "".join(traceback.format_exception(exc)[-12:]))
    elapsed = time.perf_counter() - start
    problems = page_problems(page, case.url)
    return Outcome("bad-page" if problems else "page", elapsed, "; ".join(problems))


# --- the long run -------------------------------------------------------------------------------


def mutators_without(skip: Sequence[str] = ()) -> tuple[Mutator, ...]:
    unknown = set(skip) - set(MUTATORS_BY_NAME)
    if unknown:
        raise ValueError(f"unknown mutator(s): {', '.join(sorted(unknown))} "
                         f"(known: {', '.join(sorted(MUTATORS_BY_NAME))})")
    return tuple(m for m in MUTATORS if m.__name__ not in skip)


def case_for(samples: Sequence[Sample], seed: int, index: int,
             skip: Sequence[str] = ()) -> Case:
    """Case `index` of run `seed` (with the same `skip`): the same input every time."""
    return make_case(samples, RandomChooser(random.Random(f"{seed}:{index}")),
                     mutators=mutators_without(skip))


def _worker(conn: Any, seed: int, bound: float, skip: Sequence[str]) -> None:
    samples = all_samples()
    while True:
        index = conn.recv()
        if index is None:
            return
        case = case_for(samples, seed, index, skip)
        outcome = run_case(case, bound)
        conn.send((index, outcome, case.describe(), len(case.body)))


def save_failure(case: Case, outcome: Outcome, seed: int, index: int, out_dir: Path) -> Path:
    """Write the failing body and a .json saying how to call extract_page with it."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = out_dir / f"seed{seed}-case{index}-{outcome.kind}"
    stem.with_suffix(".bin").write_bytes(case.body)
    stem.with_suffix(".json").write_text(json.dumps({
        "seed": seed, "case": index, "outcome": outcome.kind, "seconds": outcome.seconds,
        "detail": outcome.detail, "sample": case.sample, "url": case.url,
        "encoding": case.encoding, "page_kind": case.page_kind,
        "hints": {"date_order": case.hints.date_order, "language": case.hints.language,
                  "timezone": case.hints.timezone, "selectors": dict(case.hints.selectors)},
        "steps": case.steps,
        "replay": f"python benchmarks/fuzz_extract.py --seed {seed} --replay {index}",
    }, ensure_ascii=False, indent=1), encoding="utf-8")
    return stem.with_suffix(".bin")


def _signature(outcome: Outcome) -> str:
    """Where an exception came from (last egovcrawl frame + exception line), to group repeats."""
    lines = [ln.strip() for ln in outcome.detail.splitlines() if ln.strip()]
    frames = [ln for ln in lines if ln.startswith("File ") and "egovcrawl" in ln]
    where = re.sub(r'^File ".*?egovcrawl/', "", frames[-1]) if frames else "?"
    return f"{where} -> {lines[-1][:120] if lines else outcome.kind}"


def fuzz(minutes: float, seed: int, bound: float, out_dir: Path, *, quiet: bool = False,
         skip: Sequence[str] = ()) -> int:
    """Run cases until time is up; returns the number of failures (exceptions, bad pages,
    timeouts, hangs)."""
    samples = all_samples()
    ctx = mp.get_context("spawn")
    hard_limit = bound * 3 + 10  # the alarm did not fire: a hang inside C code

    def start() -> tuple[Any, Any]:
        parent, child = ctx.Pipe()
        proc = ctx.Process(target=_worker, args=(child, seed, bound, tuple(skip)), daemon=True)
        proc.start()
        return proc, parent

    proc, conn = start()
    deadline = time.monotonic() + minutes * 60
    kinds: Counter[str] = Counter()
    signatures: Counter[str] = Counter()
    total_seconds = 0.0
    slowest: tuple[float, int, str] = (0.0, -1, "")
    index = failures = 0
    began = time.monotonic()
    last_report = began
    while time.monotonic() < deadline:
        conn.send(index)
        if not conn.poll(hard_limit + (60 if index == 0 else 0)):  # the first loads the corpus
            proc.kill()
            proc.join()
            case = case_for(samples, seed, index, skip)
            outcome = Outcome("hang", hard_limit, "killed: the per-page alarm did not fire")
            path = save_failure(case, outcome, seed, index, out_dir)
            print(f"HANG case {index}: {case.describe()[:300]} -> {path}", flush=True)
            kinds["hang"] += 1
            signatures[f"hang: {'; '.join(step[:60] for step in case.steps)}"] += 1
            failures += 1
            proc, conn = start()
            index += 1
            continue
        got_index, outcome, described, size = conn.recv()
        kinds[outcome.kind] += 1
        total_seconds += outcome.seconds
        if outcome.seconds > slowest[0]:
            slowest = (outcome.seconds, got_index, f"{described} ({size} bytes)")
        if outcome.kind in ("exception", "bad-page", "timeout"):
            failures += 1
            sig = {"exception": _signature(outcome),
                   "timeout": f"timeout in {_signature(outcome).split(' -> ')[0]}",
                   }.get(outcome.kind, f"{outcome.kind}: {outcome.detail[:120]}")
            signatures[sig] += 1
            if signatures[sig] <= 3:  # keep a few inputs per distinct failure
                path = save_failure(case_for(samples, seed, got_index, skip), outcome, seed,
                                    got_index, out_dir)
                if not quiet:
                    print(f"{outcome.kind.upper()} case {got_index}: {described[:300]}\n  "
                          f"{sig}\n  -> {path}", flush=True)
        index += 1
        if not quiet and time.monotonic() - last_report > 30:
            last_report = time.monotonic()
            print(f"  {index} cases, {failures} failures, {time.monotonic() - began:.0f} s",
                  flush=True)
    conn.send(None)
    proc.join(timeout=10)
    if proc.is_alive():
        proc.kill()

    wall = time.monotonic() - began
    print(f"\nfuzz_extract: seed {seed}, {wall / 60:.1f} min on {platform.machine()} "
          f"{platform.python_implementation()} {platform.python_version()}, bound {bound:g} s"
          + (f", skipping {', '.join(skip)}" if skip else ""))
    print(f"corpus: {len(samples)} pages ({len(fixture_samples())} fixtures + sample sites)")
    mean_ms = total_seconds / max(index, 1) * 1000
    print(f"cases tried: {index}  ({index / wall:.1f}/s, mean {mean_ms:.1f} ms/page "
          "in extract_page)")
    for kind in ("page", "extraction-error", "exception", "bad-page", "timeout", "hang"):
        print(f"  {kind:17} {kinds[kind]}")
    print(f"slowest page: {slowest[0] * 1000:.0f} ms, case {slowest[1]}: {slowest[2][:400]}")
    if signatures:
        print("distinct failures (count, where -> what):")
        for sig, n in signatures.most_common():
            print(f"  {n:5}  {sig}")
        print(f"failing inputs in {out_dir}")
    return failures


def replay(seed: int, index: int, bound: float, skip: Sequence[str] = ()) -> int:
    case = case_for(all_samples(), seed, index, skip)
    print(case.describe())
    outcome = run_case(case, bound)
    print(f"{outcome.kind} in {outcome.seconds * 1000:.0f} ms")
    if outcome.detail:
        print(outcome.detail)
    return 0 if outcome.kind in ("page", "extraction-error") else 1


def minimize(body: bytes, fails: Callable[[bytes], bool], *, seconds: float = 120) -> bytes:
    """The smallest body (by greedy chunk deletion, halving the chunk down to one byte) for
    which `fails` still holds. Stops improving after `seconds`."""
    give_up = time.monotonic() + seconds
    chunk = max(1, len(body) // 2)
    while chunk >= 1 and time.monotonic() < give_up:
        pos = 0
        while pos < len(body) and time.monotonic() < give_up:
            candidate = body[:pos] + body[pos + chunk:]
            if fails(candidate):
                body = candidate
            else:
                pos += chunk
        chunk //= 2
    return body


def minimize_failure(path: Path, bound: float) -> int:
    """Shrink a saved failing input to the smallest one failing the same way (same place, same
    exception type, or a timeout); writes <name>-min.bin beside it."""
    meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    hints = SiteHints(**{k: v for k, v in meta["hints"].items() if v})
    case = Case(meta["sample"], path.with_suffix(".bin").read_bytes(), meta["url"],
                meta["encoding"], hints, meta["page_kind"], meta["steps"])
    first = run_case(case, bound)
    if first.kind in ("page", "extraction-error"):
        print(f"{path.name}: no longer fails ({first.kind})")
        return 0
    want = _signature(first) if first.kind == "exception" else first.kind

    def fails(body: bytes) -> bool:
        got = run_case(dataclasses.replace(case, body=body), bound)
        return (_signature(got) if got.kind == "exception" else got.kind) == want

    small = minimize(case.body, fails)
    out = path.with_name(path.stem + "-min.bin")
    out.write_bytes(small)
    print(f"{want}\n{len(case.body)} -> {len(small)} bytes, encoding={case.encoding!r}, "
          f"page_kind={case.page_kind!r}, url={case.url!r}: {out}")
    if len(small) <= 2000:
        print(repr(small))
    return 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--seed", type=int, default=None, help="default: a new random seed")
    parser.add_argument("--bound", type=float, default=DEFAULT_BOUND,
                        help="seconds a page may take before it counts as a hang")
    parser.add_argument("--replay", type=int, default=None, metavar="CASE",
                        help="rerun one case of --seed in this process and show the outcome")
    parser.add_argument("--minimize", type=Path, default=None, metavar="FAILURE",
                        help="shrink a saved failing input (.bin or .json) and exit")
    parser.add_argument("--skip", action="append", default=[], metavar="MUTATOR",
                        help="leave a mutator out (e.g. one whose hang is known); repeatable")
    parser.add_argument("--out", type=Path, default=FAILURES)
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    if args.minimize is not None:
        return minimize_failure(args.minimize, args.bound)
    if args.replay is not None:
        if args.seed is None:
            parser.error("--replay needs the --seed of the run")
        return replay(args.seed, args.replay, args.bound, args.skip)
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(10**6)
    print(f"fuzzing extract_page for {args.minutes:g} min, seed {seed}", flush=True)
    try:
        mutators_without(args.skip)
    except ValueError as exc:
        parser.error(str(exc))
    failures = fuzz(args.minutes, seed, args.bound, args.out, quiet=args.quiet, skip=args.skip)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
