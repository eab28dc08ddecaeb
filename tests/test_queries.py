"""egovcrawl.queries against real archives: built through the public storage API (Archive.open,
ingest with FetchRecords and the real extractor), read back read-only."""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import sqlite3
import tracemalloc
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from egovcrawl import queries
from egovcrawl.extract.model import DateInfo, Page
from egovcrawl.storage import Archive, FetchRecord
from egovcrawl.storage.ingest import default_extractor, ingest

# --- building archives -----------------------------------------------------------------------


def html(title: str, paras: list[str], *, date: str | None = None, views: int | None = None,
         holder: str | None = None, lang: str = "en", source: str | None = None) -> bytes:
    """An article page the real extractor reads: meta date, view count, source, footer."""
    meta = f'<meta property="article:published_time" content="{date}">' if date else ""
    info = []
    if source:
        info.append(f"<span>{'来源：' if lang == 'zh' else 'Source: '}{source}</span>")
    if views is not None:
        info.append(f"<span>浏览次数：{views}</span>" if lang == "zh"
                    else f"<span>{views} Views</span>")
    body = "".join(f"<p>{p}</p>" for p in paras)
    foot = ""
    if holder:
        foot = f"版权所有：{holder}" if lang == "zh" else f"© 2024 {holder}. All rights reserved."
    return (f'<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>{meta}'
            f'</head><body><div class="nav"><a href="/">Home</a> <a href="/news/">News</a></div>'
            f'<article><h1>{title}</h1><div class="info">{" ".join(info)}</div>{body}</article>'
            f'<div class="footer">{foot}</div></body></html>').encode()


EN_SHANGHAI = [
    "Shanghai's district government opened a digital government service hall that handles "
    "permits, licences and social benefits in one place.",
    "Officials said that residents can now complete more than 200 administrative procedures "
    "online, and that waiting times fell by half in the first month.",
    "The reform follows the national plan for one-stop government services and will be "
    "extended to all districts next year.",
]
ZH_REFORM = ["武汉市政务服务和大数据管理局近日发布通知，全面推进一网通办改革。"
             "市政府要求各部门优化办事流程，提升政务服务效能。",
             "截至目前，全市已有三百多项政务服务事项实现网上办理，企业和群众办事更加便利。"]
ZH_MEETING = ["市政府召开常务会议，研究部署城市更新和防汛工作。会议强调要压实责任，确保安全度汛。",
              "会议还听取了关于优化营商环境的汇报，要求各区加快推进重点项目建设。"]
ZH_FIRE = ["各单位要高度重视夏季消防安全工作，认真开展隐患排查整治，落实消防安全责任制。",
           "检查结果将在全市范围内通报，对问题突出的单位进行约谈。"]
DE_PORTAL = ["Die Behörde hat ein neues Bürgerportal gestartet, über das Anträge vollständig "
             "digital gestellt werden können.",
             "Nach Angaben des Ministeriums sind bereits mehr als 150 Verwaltungsleistungen "
             "verfügbar."]

HTML_HEADERS = {"content-type": "text/html; charset=utf-8", "server": "nginx"}
#: what a crawl may have recorded: the body was decoded by Scrapy, the headers are the wire's
WIRE_HEADERS = {"content-type": "text/html; charset=utf-8", "content-encoding": "gzip",
                "transfer-encoding": "chunked", "content-length": "321", "etag": '"v1"'}

URLS = {
    "shanghai": "https://egov-research.example.org/news/digital-government-shanghai.html",
    "copy": "https://wp-news.example.com/2023/11/digital-government-shanghai/",
    "portal": "https://land.example.de/presse/buergerportal.html",
    "reform": "https://www.wuhan.gov.cn/xwdt/yiwangtongban.html",
    "meeting": "https://www.wuhan.gov.cn/xwdt/changwuhuiyi.html",
    "fire": "https://www.wuhan.gov.cn/tzgg/xiaofang.html",
}


def rec(url: str, body: bytes, *, site: str, crawl: int, when: str, status: int | None = 200,
        headers: dict[str, str] | None = None, error: str | None = None,
        final_url: str | None = None) -> FetchRecord:
    return FetchRecord(url=url, body=body, status=status, site=site, crawl_id=crawl,
                       fetched_at=when, headers=headers if headers is not None else HTML_HEADERS,
                       error=error, final_url=final_url)


def build_sample_archive(path: Path) -> Path:
    """Two crawls of four sites: English, German and Chinese articles (one undated), a
    re-published copy, view counts observed twice, a listing, a 404 and a network error."""
    with Archive.open(path) as archive:
        extractor = default_extractor()
        c1 = archive.start_crawl(["egov-research", "wp-news", "land-de", "wuhan-gov"],
                                 started="2024-07-03T09:00:00+00:00")
        t1 = "2024-07-03T10:00:00+00:00"
        ingest(archive, [
            rec(URLS["shanghai"], html("Digital government in Shanghai", EN_SHANGHAI,
                                       date="2023-11-05", views=43, holder="E-Gov Research"),
                site="egov-research", crawl=c1, when=t1, headers=WIRE_HEADERS),
            rec(URLS["portal"], html("Neues Bürgerportal der Landesverwaltung", DE_PORTAL,
                                     date="2024-03-12", holder="Land Beispiel", lang="de"),
                site="land-de", crawl=c1, when=t1),
            rec(URLS["reform"], html("武汉推进一网通办改革", ZH_REFORM, date="2024-07-03",
                                     views=1234, holder="武汉市人民政府办公厅", lang="zh",
                                     source="长江日报"),
                site="wuhan-gov", crawl=c1, when=t1),
            rec(URLS["meeting"], html("市政府召开常务会议", ZH_MEETING, date="2024-06-15",
                                      views=88, holder="武汉市人民政府办公厅", lang="zh"),
                site="wuhan-gov", crawl=c1, when=t1),
            rec(URLS["fire"], html("关于开展夏季消防检查的通知", ZH_FIRE,
                                   holder="武汉市人民政府办公厅", lang="zh"),
                site="wuhan-gov", crawl=c1, when=t1),
            rec("https://www.wuhan.gov.cn/xwdt/", b"<html><body><ul>"
                + b"".join(f'<li><a href="/xwdt/{i}.html">News item number {i}</a></li>'.encode()
                           for i in range(12)) + b"</ul></body></html>",
                site="wuhan-gov", crawl=c1, when=t1),
            rec("https://www.wuhan.gov.cn/xwdt/gone.html", b"Not Found", status=404,
                site="wuhan-gov", crawl=c1, when=t1),
            rec("https://www.wuhan.gov.cn/xwdt/slow.html", b"", status=None,
                error="TimeoutError: took longer than 180 s", site="wuhan-gov", crawl=c1,
                when=t1, headers={}),
        ], extractor)
        archive.finish_crawl(c1, stats={"requests": 8, "articles": {
            "new": 4, "not-article": 2, "error": 1}})
        c2 = archive.start_crawl(["egov-research", "wp-news", "wuhan-gov"],
                                 started="2024-07-10T09:00:00+00:00")
        t2 = "2024-07-10T10:00:00+00:00"
        ingest(archive, [
            rec(URLS["copy"], html("Digital government in Shanghai", [
                *EN_SHANGHAI[:2], "The re-published copy ends with another sentence about a "
                "new pilot programme in the suburbs."], date="2023-11-06", views=7,
                holder="WP News", source="egov-research.example.org"),
                site="wp-news", crawl=c2, when=t2,
                final_url=URLS["copy"] + "?utm_source=feed"),
            rec(URLS["reform"], html("武汉推进一网通办改革", ZH_REFORM, date="2024-07-03",
                                     views=1300, holder="武汉市人民政府办公厅", lang="zh",
                                     source="长江日报"),
                site="wuhan-gov", crawl=c2, when=t2),
            rec(URLS["shanghai"], html("Digital government in Shanghai", EN_SHANGHAI,
                                       date="2023-11-05", views=50, holder="E-Gov Research"),
                site="egov-research", crawl=c2, when=t2, headers=WIRE_HEADERS),
        ], extractor)
        archive.finish_crawl(c2, stats={"requests": 3, "articles": {
            "duplicate": 1, "unchanged": 2}})
    return path


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory) -> Path:
    return build_sample_archive(tmp_path_factory.mktemp("archive") / "archive.db")


@pytest.fixture
def conn(sample_db):
    c = queries.connect(sample_db)
    yield c
    c.close()


def article_ids(conn) -> dict[str, int]:
    return {url: aid for aid, url in conn.execute("SELECT id, url FROM articles")}


# --- the archive is what the tests think it is ------------------------------------------------

def test_sample_archive_holds_the_articles_the_tests_rely_on(conn):
    rows = {r[0]: r[1:] for r in conn.execute(
        "SELECT url, site, published, views, duplicate_of FROM articles")}
    ids = article_ids(conn)
    assert set(rows) == {URLS[k] for k in ("shanghai", "copy", "portal", "reform", "meeting",
                                           "fire")}
    assert rows[URLS["fire"]][1] is None  # undated
    assert rows[URLS["reform"]][2] == 1300  # latest observation
    assert rows[URLS["copy"]][3] == ids[URLS["shanghai"]]  # re-published copy linked


# --- search ----------------------------------------------------------------------------------

def test_search_english_ranks_and_marks_terms(conn):
    hits = queries.search(conn, "digital government")
    urls = [h.url for h in hits]
    assert set(urls) == {URLS["shanghai"], URLS["copy"]}
    assert all("**digital** **government**" in h.snippet.lower() for h in hits)
    phrase = queries.search(conn, '"digital government" Shanghai')
    assert "**digital government**" in phrase[0].snippet.lower()
    assert hits[0].rank <= hits[1].rank


def test_search_chinese_two_characters_and_longer_terms(conn):
    two = {h.url for h in queries.search(conn, "政府")}
    assert two == {URLS["reform"], URLS["meeting"]}  # 市政府 inside both texts
    longer = queries.search(conn, "政务服务")
    assert [h.url for h in longer] == [URLS["reform"]]
    assert "**政务服务**" in longer[0].snippet
    assert [h.url for h in queries.search(conn, "夏季消防")] == [URLS["fire"]]
    assert queries.search(conn, "消防 政务服务") == []  # ANDed, no article has both


def test_search_german_folds_diacritics_in_index_and_snippet(conn):
    hits = queries.search(conn, "behorde")
    assert [h.url for h in hits] == [URLS["portal"]]
    assert "**Behörde**" in hits[0].snippet


def test_search_filters_site_and_published_dates(conn):
    assert [h.url for h in queries.search(conn, "digital", site="wp-news")] == [URLS["copy"]]
    assert {h.url for h in queries.search(conn, "政府", since="2024-07")} == {URLS["reform"]}
    assert {h.url for h in queries.search(conn, "政府", until="2024-06")} == {URLS["meeting"]}
    assert queries.search(conn, "通知", since="2000") == [  # undated articles drop out
        h for h in queries.search(conn, "通知", since="2000") if h.published]


@pytest.mark.parametrize("query,expected", [
    ('"digital government', {"shanghai", "copy"}),  # unbalanced quote
    ("NEAR(digital government)", {"shanghai", "copy"}),
    ("digital - government", {"shanghai", "copy"}),
    ("-digital", {"shanghai", "copy", "portal"}),  # "digital gestellt" in the German text
    ("title:digital", set()),  # a plain phrase "title digital", not a column filter
    ("digital*", {"shanghai", "copy", "portal"}),
    ("(digital", {"shanghai", "copy", "portal"}),
    ("NEAR(digital Behörde)", {"portal"}),
    ("NEAR", set()),  # the word, which no article has
    ("digital AND (NOT government)", {"shanghai", "copy"}),  # invalid FTS5: plain words
    ("digital OR Bürgerportal", {"shanghai", "copy", "portal"}),
    ("政务服务 :", {"reform"}),
    ("* + ^ : NEAR", set()),
    ('""', None),
])
def test_search_treats_fts_syntax_as_plain_words(conn, query, expected):
    if expected is None:
        assert queries.match_expressions(query) == ("", "")
        return
    found = {h.url for h in queries.search(conn, query)}
    assert found == {URLS[k] for k in expected}


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(['"', "*", "NEAR", "NEAR(", "-", "(", ")", ":", "AND", "OR",
                                 "NOT", "^", "+", "digital", "政务", "政", "title:", "{", "}",
                                 "'", ",", " ", "Behörde", "\\", "NEAR/2"]),
                max_size=8).map("".join))
def test_search_never_raises_on_any_input(conn, query):
    queries.search(conn, query)


def test_snippet_window_and_marks():
    text = "alpha " * 50 + "the Digital Government portal " + "omega " * 50
    snip = queries.make_snippet(text, ["digital government"], width=80, marks=("[", "]"))
    assert "[Digital Government]" in snip
    assert snip.startswith("…") and snip.endswith("…")
    assert queries.make_snippet("short text", ["absent"]) == "short text"
    assert queries.make_snippet(None, ["x"]) == ""


# --- export ----------------------------------------------------------------------------------

def db_articles(db: Path) -> list[dict]:
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    rows = [dict(r) for r in con.execute(
        f"SELECT {', '.join(queries.ARTICLE_FIELDS)} FROM articles ORDER BY id")]
    con.close()
    return rows


def test_export_jsonl_round_trips_every_article(sample_db, conn):
    out = io.StringIO()
    n = queries.write_jsonl(queries.iter_articles(conn), out)
    back = [json.loads(line) for line in out.getvalue().splitlines()]
    assert n == len(back) == 6
    assert back == db_articles(sample_db)


def test_export_csv_round_trips_every_article(sample_db, conn):
    out = io.StringIO(newline="")
    queries.write_csv(queries.iter_articles(conn), out, queries.ARTICLE_FIELDS)
    back = list(csv.DictReader(io.StringIO(out.getvalue(), newline="")))
    expected = [{k: "" if v is None else str(v) for k, v in row.items()}
                for row in db_articles(sample_db)]
    assert back == expected
    assert any("\n" in row["text"] for row in back)  # multi-paragraph texts survive quoting


def test_export_filters(conn):
    assert {r["site"] for r in queries.iter_articles(conn, site="wuhan-gov")} == {"wuhan-gov"}
    assert {r["url"] for r in queries.iter_articles(conn, since="2024-06-15")} == {
        URLS["reform"], URLS["meeting"]}


VOCAB = ("council", "budget", "portal", "service", "district", "digital", "citizen", "permit",
         "office", "online", "report", "network", "reform", "data", "open", "minister")


def stand_in(rec: FetchRecord) -> Page:
    """A long page without running the extractor (a bulk archive for the memory test)."""
    n = int(rec.url.rsplit("/", 1)[1])
    words = " ".join(VOCAB[(n * 31 + i * i) % len(VOCAB)] for i in range(2600))
    return Page(url=rec.url, encoding="utf-8", page_kind="article", title=f"Article {n}",
                text=f"Article {n}. {words} End of article {n}.", language="en",
                published=DateInfo(queries.dt.date(2024, 1 + n % 12, 1), "meta", "x"))


def test_export_streams_in_constant_memory(tmp_path):
    """300 articles of ~20 KB: a list of the rows would hold 6 MB; the export holds one row."""
    db = tmp_path / "big.db"
    with Archive.open(db) as archive:
        ingest(archive, (FetchRecord(url=f"https://big.example.org/a/{i}", body=b"<html/>",
                                     site="big", fetched_at="2024-07-03T10:00:00+00:00")
                         for i in range(300)), stand_in, batch_size=100)
    con = queries.connect(db)
    count, total = con.execute("SELECT count(*), sum(length(text)) FROM articles").fetchone()
    assert count == 300 and total > 5_000_000

    class Sink(io.TextIOBase):
        written = 0

        def write(self, s: str) -> int:
            self.written += len(s)
            return len(s)

    for writer in (lambda rows, out: queries.write_jsonl(rows, out),
                   lambda rows, out: queries.write_csv(rows, out, queries.ARTICLE_FIELDS)):
        sink = Sink()
        tracemalloc.start()
        n = writer(queries.iter_articles(con), sink)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert n == 300 and sink.written > total
        assert peak < 1_000_000, f"export peak {peak:,} bytes: rows are being collected"
    con.close()


def test_warc_round_trips_every_fetch_with_a_body(sample_db, conn, tmp_path):
    from warcio.archiveiterator import ArchiveIterator

    path = tmp_path / "a.warc.gz"
    with path.open("wb") as fh:
        report = queries.write_warc(conn, fh)
    fetches = conn.execute(
        "SELECT id, url, final_url, status, fetched_at, body_hash FROM fetches ORDER BY id"
    ).fetchall()
    with Archive.open(sample_db) as archive:
        bodies = {h: archive.body(h) for *_, h in fetches if h}

    responses, metadata, infos = [], {}, 0
    with path.open("rb") as fh:
        for record in ArchiveIterator(fh):
            if record.rec_type == "warcinfo":
                infos += 1
            elif record.rec_type == "response":
                raw = record.raw_stream.read()
                responses.append((record, raw))
            elif record.rec_type == "metadata":
                fields = dict(line.split(": ", 1) for line in
                              record.content_stream().read().decode().splitlines())
                metadata[record.rec_headers.get_header("WARC-Concurrent-To")] = fields
    with_response = [f for f in fetches if f[3] is not None]
    assert infos == 1 and report.skipped == 1  # the network error has nothing to replay
    assert len(responses) == report.responses == len(with_response)
    for (fid, url, final, status, when, bhash), (record, raw) in zip(
            with_response, responses, strict=True):
        body = bodies.get(bhash, b"")
        assert raw == body  # byte for byte
        h = record.rec_headers
        assert h.get_header("WARC-Target-URI") == (final or url)
        assert h.get_header("WARC-Date") == queries.warc_date(when)
        digest = "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode()
        assert h.get_header("WARC-Payload-Digest") == digest
        assert record.http_headers.get_statuscode() == str(status)
        assert record.http_headers.get_header("Content-Length") == str(len(body))
        meta = metadata[h.get_header("WARC-Record-ID")]
        assert meta["egovcrawl-fetch-id"] == str(fid)
        if final and final != url:
            assert meta["egovcrawl-requested-url"] == url
    wire = [r for r, _ in responses if r.http_headers.get_header("X-Archive-Orig-Content-Encoding")]
    assert wire and all(r.http_headers.get_header("Content-Encoding") is None
                        and r.http_headers.get_header("Transfer-Encoding") is None
                        and r.http_headers.get_header("ETag") == '"v1"' for r in wire)
    # warcio decodes the payload as a replay tool would: still the stored body
    with path.open("rb") as fh:
        decoded = [r.content_stream().read() for r in ArchiveIterator(fh)
                   if r.rec_type == "response"]
    assert decoded == [raw for _, raw in responses]


def test_warc_filters_by_site_and_fetch_time(conn):
    from warcio.archiveiterator import ArchiveIterator

    out = io.BytesIO()
    report = queries.write_warc(conn, out, site="wp-news", since="2024-07-10")
    out.seek(0)
    uris = [r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(out)
            if r.rec_type == "response"]
    assert report.responses == 1 and uris == [URLS["copy"] + "?utm_source=feed"]


# --- stats and runs --------------------------------------------------------------------------

def test_stats_per_site_months_views_and_fill(conn):
    result = queries.stats(conn, by_month=True)
    sites = {s["site"]: s for s in result.sites}
    assert sites["wuhan-gov"] | {} == {
        "site": "wuhan-gov", "articles": 3, "dated": 2, "undated": 1, "republished": 0,
        "first_published": "2024-06-15", "last_published": "2024-07-03"}
    assert sites["wp-news"]["republished"] == 1
    months = {(m["site"], m["month"]): m["articles"] for m in result.months}
    assert months[("wuhan-gov", "2024-07")] == 1 and months[("wuhan-gov", "undated")] == 1
    assert [m["month"] for m in result.months if m["site"] == "wuhan-gov"][-1] == "undated"
    views = {v["site"]: v for v in result.views}
    assert views["wuhan-gov"]["first_views"] == 1234 + 88
    assert views["wuhan-gov"]["latest_views"] == 1300 + 88
    assert views["wuhan-gov"]["growth"] == 66 and views["wuhan-gov"]["tracked"] == 1
    assert views["egov-research"]["growth"] == 7
    fill = {f["site"]: f for f in result.fill}
    assert fill["wuhan-gov"]["published"] == pytest.approx(66.7)
    assert fill["wuhan-gov"]["text"] == 100.0 and fill["land-de"]["views"] == 0.0
    assert not result.flagged()  # too few pages per crawl to alarm on


def test_stats_for_one_site(conn):
    result = queries.stats(conn, site="land-de")
    assert [s["site"] for s in result.sites] == ["land-de"]
    assert [d["site"] for d in result.drift] == ["land-de"]


def build_drift_archive(path: Path) -> Path:
    """Site `drifting` loses its dates in crawl 2 (new template); `steady` keeps them."""
    with Archive.open(path) as archive:
        extractor = default_extractor()
        for crawl_no, when in ((1, "2024-07-01T10:00:00+00:00"), (2, "2024-07-02T10:00:00+00:00")):
            cid = archive.start_crawl(["drifting", "steady"], started=when)
            records = []
            for site in ("drifting", "steady"):
                for i in range(6):
                    dated = site == "steady" or crawl_no == 1
                    paras = [f"Report {crawl_no}-{i} of {site}: the council approved budget "
                             f"line {crawl_no * 100 + i} for broadband in district {i}.",
                             f"Item {i} in crawl {crawl_no} about {site} has its own words: "
                             + " ".join(f"term{crawl_no}{i}{k}{site}" for k in range(30))]
                    records.append(rec(f"https://{site}.example.org/news/{crawl_no}-{i}.html",
                                       html(f"News {crawl_no}-{i} from {site}", paras,
                                            date="2024-06-2" + str(i) if dated else None),
                                       site=site, crawl=cid, when=when))
            ingest(archive, records, extractor)
            archive.finish_crawl(cid, stats={"requests": len(records)})
    return path


def test_stats_drift_alarm_flags_a_site_whose_dates_vanish(tmp_path):
    con = queries.connect(build_drift_archive(tmp_path / "drift.db"))
    result = queries.stats(con)
    drift = {d["site"]: d for d in result.drift}
    assert drift["drifting"]["published_previous"] == 100.0
    assert drift["drifting"]["published_latest"] == 0.0
    assert drift["drifting"]["alarm"] == "published 100% -> 0%"
    assert drift["steady"]["alarm"] is None
    assert [d["site"] for d in result.flagged()] == ["drifting"]
    # the same drop on fewer pages than DRIFT_MIN_PAGES is noise, not an alarm
    assert not queries.stats(con, drift_min_pages=7).flagged()
    con.close()


def test_runs_newest_first_with_outcomes(conn):
    rows = queries.runs(conn)
    assert [r["id"] for r in rows] == [2, 1]
    assert rows[0]["duration"] is not None and rows[0]["status"] == "finished"
    assert (rows[0]["new"], rows[0]["unchanged"], rows[0]["requests"]) == (1, 2, 3)
    assert rows[1]["errors"] == 1 and rows[1]["sites"].startswith("egov-research, wp-news")
    assert len(queries.runs(conn, limit=1)) == 1


def test_duration_is_formatted():
    assert queries._duration("2024-07-03T09:00:00+00:00", "2024-07-03T10:02:03+00:00") == "1:02:03"
    assert queries._duration("2024-07-03T09:00:00+00:00", None) is None


# --- read-only SQL ---------------------------------------------------------------------------

WRITES = [
    "INSERT INTO sites(name) VALUES ('x')",
    "UPDATE articles SET title = 'x'",
    "DELETE FROM articles",
    "DROP TABLE articles",
    "ATTACH 'other.db' AS other",
    "PRAGMA writable_schema = 1",
    "PRAGMA query_only = 0",
    "WITH x AS (SELECT 1) INSERT INTO sites(name) SELECT 'y' FROM x",
    "VACUUM INTO 'copy.db'",
    "CREATE TEMP TABLE t(x)",
    "INSERT INTO articles_fts(articles_fts) VALUES ('optimize')",
    "REPLACE INTO meta(key, value) VALUES ('fts_version', '0')",
]


@pytest.mark.parametrize("sql", WRITES)
def test_run_sql_refuses_writes_and_changes_nothing(sample_db, sql, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # where ATTACH/VACUUM INTO would create their files
    before = sample_db.read_bytes()
    con = queries.connect(sample_db, tables=())
    with pytest.raises(queries.QueryRefused, match="read-only"):
        queries.run_sql(con, sql)
    # the connection still reads, full-text index included
    assert queries.run_sql(con, "SELECT count(*) FROM articles").fetchone() == (6,)
    assert queries.run_sql(con, "SELECT count(*) FROM articles_fts WHERE articles_fts "
                                "MATCH '\"政府\"'").fetchone() == (2,)
    con.close()
    assert sample_db.read_bytes() == before
    assert list(tmp_path.iterdir()) == []


def test_run_sql_reads_with_params_and_informational_pragmas(conn):
    cur = queries.run_sql(conn, "SELECT url FROM articles WHERE site = :s", {"s": "land-de"})
    assert cur.fetchall() == [(URLS["portal"],)]
    names = [r[1] for r in queries.run_sql(conn, "PRAGMA table_info(articles)")]
    assert "copyright_holder" in names
    assert queries.run_sql(conn, "PRAGMA query_only").fetchone() == (1,)
    with pytest.raises(sqlite3.OperationalError):
        queries.run_sql(conn, "SELEC 1")


# --- opening: missing, not SQLite, corrupt -------------------------------------------------

def test_connect_refuses_bad_files_untouched(tmp_path, sample_db):
    missing = tmp_path / "missing.db"
    with pytest.raises(queries.ArchiveUnavailable, match="no archive"):
        queries.connect(missing)
    assert not missing.exists()

    text = tmp_path / "notes.db"
    text.write_text("these are notes, not a database\n" * 100)
    with pytest.raises(queries.ArchiveUnavailable, match="not a SQLite database"):
        queries.connect(text)

    corrupt = tmp_path / "corrupt.db"
    data = bytearray(sample_db.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # page 1 (the schema) after the file header
    corrupt.write_bytes(bytes(data))
    with pytest.raises(queries.ArchiveUnavailable, match=r"corrupt|malformed|not a"):
        queries.connect(corrupt)

    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t(x)").connection.close()
    with pytest.raises(queries.ArchiveUnavailable, match="not an egovcrawl archive"):
        queries.connect(other)
    with pytest.raises(queries.ArchiveUnavailable, match="directory"):
        queries.connect(tmp_path)
    for f, before in ((text, "these are notes"), (corrupt, None)):
        if before:
            assert f.read_text().startswith(before)
    assert corrupt.read_bytes() == bytes(data)


def test_check_date():
    assert queries.check_date("2024") == "2024"
    assert queries.check_date("2024-07-03") == "2024-07-03"
    for bad in ("2024-13", "2024-02-30", "yesterday", "24-07-03", "2024/07/03"):
        with pytest.raises(ValueError):
            queries.check_date(bad)


# --- migrate ---------------------------------------------------------------------------------

def test_migrate_creates_then_reports_up_to_date(tmp_path):
    from egovcrawl.storage import schema

    db = tmp_path / "sub" / "new.db"
    first = queries.migrate(db)
    assert first.created and first.before == 0 and first.version == schema.LATEST
    assert [m["version"] for m in first.applied] == [v for v, *_ in schema.MIGRATIONS]
    again = queries.migrate(db)
    assert not again.created and again.applied == [] and again.version == schema.LATEST


def test_migrate_refuses_non_archives_untouched(tmp_path):
    text = tmp_path / "notes.db"
    text.write_bytes(b"not sqlite at all" * 50)
    with pytest.raises(queries.ArchiveUnavailable):
        queries.migrate(text)
    assert text.read_bytes() == b"not sqlite at all" * 50
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t(x)").connection.close()
    before = other.read_bytes()
    with pytest.raises(queries.ArchiveUnavailable, match="not an egovcrawl archive"):
        queries.migrate(other)
    assert other.read_bytes() == before


# --- Datasette metadata ----------------------------------------------------------------------

def metadata() -> dict:
    return yaml.safe_load(queries.datasette_metadata_path().read_text(encoding="utf-8"))


def test_datasette_metadata_configures_facets_and_search():
    meta = metadata()
    for name in ("archive", "demo"):
        articles = meta["databases"][name]["tables"]["articles"]
        assert articles["facets"] == ["site", "language", "status", "copyright_holder"]
        assert (articles["fts_table"], articles["fts_pk"]) == ("articles_fts", "id")
    assert set(meta["databases"]["archive"]["queries"]) == {
        "search", "articles_per_site_month", "view_count_series", "republished_articles",
        "undated_articles"}


def canned(conn, name: str, **params):
    sql = metadata()["databases"]["archive"]["queries"][name]["sql"]
    cur = conn.execute(sql, params)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur]


def test_every_canned_query_runs_on_an_archive(conn):
    ids = article_ids(conn)
    per_month = canned(conn, "articles_per_site_month")
    assert {"site": "wuhan-gov", "month": "undated", "articles": 1} in per_month
    series = canned(conn, "view_count_series", article_id=ids[URLS["reform"]])
    assert [(r["views"], r["change"]) for r in series] == [(1234, None), (1300, 66)]
    republished = canned(conn, "republished_articles")
    assert [(r["id"], r["original_id"]) for r in republished] == [
        (ids[URLS["copy"]], ids[URLS["shanghai"]])]
    assert [r["id"] for r in canned(conn, "undated_articles")] == [ids[URLS["fire"]]]
    for params in ({"q": "政务服务", "site": ""}, {"q": "政务服务", "site": None}):
        assert [r["id"] for r in canned(conn, "search", **params)] == [ids[URLS["reform"]]]
    assert canned(conn, "search", q="digital", site="wp-news")[0]["id"] == ids[URLS["copy"]]
    assert canned(conn, "search", q="", site="") == []
    assert canned(conn, "search", q="，。", site="") == []


@pytest.mark.parametrize("q", ["政府", "政务服务", "一网通办", "政", "digital government",
                               "Behörde", "behorde", "消防 检查", "NEAR(digital)", "e-government",
                               "武汉 digital", "Shanghai's"])
def test_canned_search_finds_what_egovcrawl_search_finds(conn, q):
    assert [r["id"] for r in canned(conn, "search", q=q, site="")] == [
        h.id for h in queries.search(conn, q, limit=100)]


def test_datasette_metadata_for_another_database_name():
    text = queries.datasette_metadata("crawl-2024")
    meta = yaml.safe_load(text)
    assert set(meta["databases"]) == {"crawl-2024", "demo"}
    assert meta["databases"]["crawl-2024"]["queries"]["search"]["sql"].startswith("WITH")
    assert queries.datasette_metadata("archive") == queries.datasette_metadata_path().read_text(
        encoding="utf-8")
