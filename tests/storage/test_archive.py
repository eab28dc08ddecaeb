"""Table behaviour of the archive: every outcome of filing a fetch, and the history it keeps."""

from __future__ import annotations

import json
import sqlite3

import pytest

from egovcrawl.extract.model import SiteCounter
from egovcrawl.storage import Archive, ArchiveError

from .helpers import EN_TEXT, ZH_TEXT, fetch, file, page, snapshot

URL = "https://www.example.gov/news/2020/08/portal.html"


def rows(archive: Archive, sql: str, *args) -> list[tuple]:
    return archive.conn.execute(sql, args).fetchall()


def test_open_migrates_once_with_wal_and_busy_timeout(tmp_path):
    path = tmp_path / "a.db"
    a = Archive.open(path)
    assert a.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert a.conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    assert rows(a, "SELECT version FROM schema_migrations") == [(1,), (2,), (3,), (4,)]
    # the FTS setting of migration 2 is stored in the index, not in the connection
    assert rows(a, "SELECT v FROM articles_fts_config WHERE k = 'hashsize'") == [(8 << 20,)]
    a.close()
    b = Archive.open(path)
    assert b.migrate() == []
    assert rows(b, "SELECT count(*) FROM schema_migrations") == [(4,)]
    b.conn.execute("INSERT INTO schema_migrations VALUES (99, 'future', 'x')")
    b.close()
    with pytest.raises(ArchiveError, match="newer"):
        Archive.open(path)


def test_new_article_with_provenance(archive):
    crawl = archive.start_crawl(["example"])
    res = file(archive, fetch(URL, crawl_id=crawl), page(URL))
    assert res.outcome == "new"
    art = archive._one("SELECT * FROM articles WHERE id = ?", res.article_id)
    assert art["url"] == URL and art["site"] == "example"
    assert art["published"] == "2020-08-20" and art["published_source"] == "meta"
    assert art["views"] == 43 and art["copyright_holder"] == "City of Example"
    assert art["status"] == "live" and art["version"] == 1 and art["content_hash"]
    f = archive._one("SELECT * FROM fetches WHERE id = ?", res.fetch_id)
    assert f["outcome"] == "new" and f["article_id"] == res.article_id
    assert f["content_type"] == "text/html" and f["declared_encoding"] == "utf-8"
    assert f["etag"] == '"abc"' and json.loads(f["headers"])["ETag"] == '"abc"'
    assert archive.body(f["body_hash"]) == f"<html>{URL}</html>".encode()
    assert rows(archive, "SELECT views FROM view_counts") == [(43,)]


def test_bodies_are_stored_once_per_distinct_hash(archive):
    body = b"<html>" + b"same bytes " * 500 + b"</html>"
    file(archive, fetch(URL, body=body), page(URL))
    file(archive, fetch(URL + "?b=1", body=body, site="other"), page(URL + "?b=1"))
    assert archive.counts()["bodies"] == 1
    assert archive.counts()["fetches"] == 2
    (stored, size), = rows(archive, "SELECT stored, size FROM bodies")
    assert stored < size / 5  # compressed


def test_recrawl_of_unchanged_article_adds_only_a_view_count(archive):
    c1 = archive.start_crawl(["example"])
    first = file(archive, fetch(URL, crawl_id=c1), page(URL, views=43))
    before = snapshot(archive, skip=("fetches", "view_counts", "crawls"))
    c2 = archive.start_crawl(["example"])
    second = file(archive, fetch(URL, crawl_id=c2, when="2024-08-03T10:00:00+00:00"),
                  page(URL, views=57))
    assert second.outcome == "unchanged" and second.article_id == first.article_id
    assert snapshot(archive, skip=("fetches", "view_counts", "crawls")) == before
    assert rows(archive, "SELECT crawl_id, views FROM view_counts ORDER BY id") == [
        (c1, 43), (c2, 57)]
    art = archive._one("SELECT views, last_seen, status FROM articles")
    assert art == {"views": 57, "last_seen": "2024-08-03T10:00:00+00:00", "status": "live"}


def test_changed_text_adds_a_version_and_keeps_the_old_text(archive):
    first = file(archive, fetch(URL), page(URL))
    new_text = EN_TEXT.replace("half", "two thirds") + " Update: the hotline now runs 24/7."
    res = file(archive, fetch(URL, when="2024-08-01T00:00:00+00:00"),
               page(URL, text=new_text))
    assert res.outcome == "updated" and res.article_id == first.article_id
    (version, old_text, cause), = rows(
        archive, "SELECT version, text, cause FROM article_versions")
    assert version == 1 and old_text == EN_TEXT and cause == "crawl"
    art = archive._one("SELECT text, version, status FROM articles")
    assert art == {"text": new_text, "version": 2, "status": "changed"}
    assert [h.id for h in archive.search("24/7")] == [first.article_id]
    assert archive.search('"by half"') == []  # the index forgot the old text
    assert archive.integrity_check() == ["ok"]
    # the next unchanged re-crawl makes it live again
    file(archive, fetch(URL, when="2024-09-01T00:00:00+00:00"), page(URL, text=new_text))
    assert archive._one("SELECT status FROM articles")["status"] == "live"


def test_metadata_change_is_recorded_not_silently_overwritten(archive):
    file(archive, fetch(URL), page(URL))
    file(archive, fetch(URL, when="2024-08-01T00:00:00+00:00"),
         page(URL, published=__import__("datetime").date(2020, 8, 21)))
    assert rows(archive, "SELECT field, old, new, cause FROM article_changes") == [
        ("published", "2020-08-20", "2020-08-21", "crawl")]


def test_utm_and_print_variants_become_aliases(archive):
    first = file(archive, fetch(URL), page(URL))
    utm = URL + "?utm_source=wechat&utm_medium=social#comments"
    printed = URL + "?print=1"
    wp_print = URL.replace(".html", "/print/")
    r1 = file(archive, fetch(utm), page(utm))
    # a print view's text differs a little (no teaser, no related links): still not a version
    r2 = file(archive, fetch(printed), page(printed, text=EN_TEXT + " Print this page."))
    assert (r1.outcome, r2.outcome) == ("unchanged", "alias")
    assert r1.article_id == r2.article_id == first.article_id
    file(archive, fetch(wp_print), page(wp_print))
    kinds = dict(rows(archive, "SELECT url, kind FROM article_urls"))
    assert kinds[URL] == "canonical" and kinds[utm] == "alias" and kinds[printed] == "print"
    assert archive.counts()["articles"] == 1 and archive.counts()["article_versions"] == 0


def test_rel_canonical_within_the_site_is_honoured_but_not_across_sites(archive):
    mobile = "https://www.example.gov/m/portal.html"
    res = file(archive, fetch(mobile), page(mobile, canonical=URL))
    assert archive._one("SELECT url FROM articles")["url"] == URL
    again = file(archive, fetch(URL), page(URL))
    assert again.article_id == res.article_id
    syndicated = "https://news.other.org/portal.html"
    res2 = file(archive, fetch(syndicated, site="other"),
                page(syndicated, canonical=URL, text=ZH_TEXT))
    assert archive._one("SELECT url FROM articles WHERE id = ?", res2.article_id)["url"] == \
        syndicated


def test_same_text_at_another_url_of_the_same_site_is_an_alias(archive):
    first = file(archive, fetch(URL), page(URL))
    other = "https://example.gov/index.php?id=77"
    res = file(archive, fetch(other), page(other, text=EN_TEXT.upper() + "  "))
    assert res.outcome == "alias" and res.article_id == first.article_id


def test_near_duplicate_on_another_site_links_to_the_first_seen_copy(archive):
    first = file(archive, fetch(URL), page(URL))
    text = EN_TEXT.replace("cuts average processing time by half",
                           "will halve the average processing time")
    text += "\n\nCopyright 2020 Good News Network. Theme by Ameli. All rights reserved."
    repub = "https://goodnews.example.org/2020/08/20/portal/"
    res = file(archive, fetch(repub, site="goodnews"), page(repub, text=text))
    assert res.outcome == "duplicate"
    art = archive._one("SELECT duplicate_of, similarity, site FROM articles WHERE id = ?",
                       res.article_id)
    assert art["duplicate_of"] == first.article_id and art["site"] == "goodnews"
    assert art["similarity"] >= 0.6
    # a third copy links to the cluster's first-seen article, not to the second copy
    third = "https://mirror.example.net/portal.html"
    res3 = file(archive, fetch(third, site="mirror"), page(third, text=text + " More."))
    assert archive._one("SELECT duplicate_of FROM articles WHERE id = ?",
                        res3.article_id)["duplicate_of"] == first.article_id
    # an unrelated article is not linked
    zh = "https://www.wuhan.gov.cn/a.html"
    res4 = file(archive, fetch(zh, site="wuhan"), page(zh, text=ZH_TEXT, language="zh"))
    assert res4.outcome == "new"


def test_chinese_near_duplicate_is_linked(archive):
    a = file(archive, fetch("https://www.wuhan.gov.cn/a.html", site="wuhan"),
             page("https://www.wuhan.gov.cn/a.html", text=ZH_TEXT))
    text = ZH_TEXT.replace("让企业和群众少跑腿", "让办事群众少跑腿、好办事")
    text += "来源：长江日报 版权所有"
    b = file(archive, fetch("https://goodnews.cn/b.html", site="goodnews"),
             page("https://goodnews.cn/b.html", text=text))
    assert b.outcome == "duplicate"
    assert archive._one("SELECT duplicate_of FROM articles WHERE id = ?",
                        b.article_id)["duplicate_of"] == a.article_id


def test_404_marks_the_article_removed_and_keeps_it(archive):
    first = file(archive, fetch(URL), page(URL))
    res = file(archive, fetch(URL, status=404, body=b"not found"), None)
    assert res.outcome == "removed" and res.article_id == first.article_id
    assert archive._one("SELECT status, text FROM articles") == {"status": "removed",
                                                                 "text": EN_TEXT}
    assert rows(archive, "SELECT field, old, new FROM article_changes") == [
        ("status", "live", "removed")]


def test_non_articles_errors_and_extractor_bugs_keep_the_fetch(archive):
    listing = file(archive, fetch("https://www.example.gov/news/"),
                   page("https://www.example.gov/news/", kind="listing"))
    bug = file(archive, fetch("https://www.example.gov/x.html"), None)
    net = file(archive, fetch("https://www.example.gov/y.html", status=None, body=b"",
                              error="DNSLookupError"), None)
    empty = file(archive, fetch("https://www.example.gov/z.html"),
                 page("https://www.example.gov/z.html", title="", text=None))
    assert [r.outcome for r in (listing, bug, net, empty)] == [
        "not-article", "error", "error", "invalid"]
    assert "RuntimeError: extractor bug" in archive._one(
        "SELECT error FROM fetches WHERE id = ?", bug.fetch_id)["error"]
    assert archive.counts()["articles"] == 0 and archive.counts()["fetches"] == 4
    assert archive.counts()["bodies"] == 3  # everything that had a body kept it


def test_site_counter_once_per_crawl_and_copyright_as_last_seen(archive):
    c1 = archive.start_crawl(["example"])
    counter = SiteCounter(today=284, yesterday=662, total=39463192)
    file(archive, fetch(URL, crawl_id=c1), page(URL, counter=counter))
    file(archive, fetch(URL + "?p=2", crawl_id=c1),
         page(URL + "?p=2", kind="listing", counter=SiteCounter(today=290)))
    c2 = archive.start_crawl(["example"])
    file(archive, fetch(URL, crawl_id=c2), page(URL, counter=SiteCounter(today=12),
                                                holder="Example City Council"))
    assert rows(archive, "SELECT crawl_id, today, total FROM site_counters ORDER BY id") == [
        (c1, 284, 39463192), (c2, 12, None)]
    assert archive._one("SELECT copyright_holder FROM sites WHERE name = 'example'") == {
        "copyright_holder": "Example City Council"}


def test_crawl_rows_record_status_and_stats(archive):
    cid = archive.start_crawl(["a", "b"])
    archive.finish_crawl(cid, "finished", {"requests": 3, "articles": {"new": 2}})
    crawl = archive.crawl(cid)
    assert crawl["sites"] == ["a", "b"] and crawl["status"] == "finished"
    assert crawl["stats"]["articles"] == {"new": 2} and crawl["finished"]


def test_errors_roll_back_the_batch_and_are_raised(archive):
    with pytest.raises(sqlite3.IntegrityError), archive.transaction():
        archive.record_fetch(fetch(URL))
        archive.conn.execute("INSERT INTO sites(name) VALUES (NULL), (NULL)")
        archive.conn.execute("INSERT INTO article_urls(url, article_id, kind) "
                             "VALUES ('x', NULL, 'alias')")
    assert archive.counts()["fetches"] == 0


def test_a_reader_does_not_block_the_writer(tmp_path):
    writer = Archive.open(tmp_path / "a.db")
    file(writer, fetch(URL), page(URL))
    reader = sqlite3.connect(tmp_path / "a.db")
    cur = reader.execute("BEGIN")
    cur = reader.execute("SELECT count(*) FROM articles")
    assert cur.fetchone() == (1,)
    file(writer, fetch(URL + "?x=2"), page(URL + "?x=2", text=ZH_TEXT))  # reader still open
    assert reader.execute("SELECT count(*) FROM articles").fetchone() == (1,)  # its snapshot
    reader.execute("COMMIT")
    assert reader.execute("SELECT count(*) FROM articles").fetchone() == (2,)
    reader.close()
    writer.close()


def test_prepared_fetches_compress_only_new_bodies_and_belong_to_their_batch(archive,
                                                                              monkeypatch):
    from egovcrawl.storage import archive as archive_mod

    old = b"<html>" + b"old page " * 300 + b"</html>"
    file(archive, fetch(URL, body=old), page(URL))
    packed = []
    real = archive_mod.compress
    monkeypatch.setattr(archive_mod, "compress", lambda data: packed.append(data) or real(data))
    batch = [fetch(URL, body=old), fetch(URL + "?p=2", body=b"<html>new</html>")]
    prepared = archive.prepare_fetches(batch)
    assert packed == [b"<html>new</html>"]  # the archived body is hashed, not compressed again
    with pytest.raises(ValueError, match="another batch"):
        archive.record_fetches(batch[:1], prepared)
    ids = archive.record_fetches(batch, prepared)
    assert rows(archive, f"SELECT count(*) FROM fetches WHERE id IN ({ids[0]}, {ids[1]})") == [
        (2,)]
    assert archive.counts()["bodies"] == 2
