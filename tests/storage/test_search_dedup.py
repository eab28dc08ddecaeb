"""Full-text search in Chinese, English and German; URL canonicalisation; fingerprints."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from egovcrawl.storage import dedup, fts

from .helpers import EN_TEXT, ZH_TEXT, fetch, file, page

DE_TEXT = ("Die Behörde hat das neue Bürgerportal freigeschaltet. Anträge für Wohngeld und "
           "Meldebescheinigungen können nun online gestellt werden.")
ZH_OTHER = ("国务院办公厅印发关于加快推进政务服务标准化规范化便利化的指导意见，"
            "要求到二〇二五年实现政务服务事项全国统一标准。")


@pytest.fixture
def filled(archive):
    ids = {}
    for key, site, text, title in [
        ("zh", "wuhan", ZH_TEXT, "武汉推进一网通办改革"),
        ("zh2", "gov", ZH_OTHER, "国务院办公厅印发指导意见"),
        ("en", "city", EN_TEXT, "One-stop portal launched"),
        ("de", "berlin", DE_TEXT, "Neues Bürgerportal"),
    ]:
        url = f"https://{site}.example/{key}.html"
        res = file(archive, fetch(url, site=site), page(url, text=text, title=title))
        ids[key] = res.article_id
    return archive, ids


@pytest.mark.parametrize(("query", "expected"), [
    ("政府", {"zh"}),  # two characters: one bigram token (only ZH_TEXT has 市政府)
    ("政务服务", {"zh", "zh2"}),  # four characters, a phrase of bigrams
    ("大数据管理局", {"zh"}),  # longer
    ("政务服务标准化", {"zh2"}),
    ("一网通办 改革", {"zh"}),
    ("群众 OR 国务院", {"zh", "zh2"}),
    ("服务政务", set()),  # the same characters in another order are not a match
    ("portal", {"en"}),
    ('"processing time"', {"en"}),
    ("administrat*", {"en"}),
    ("Behörde", {"de"}),
    ("behorde", {"de"}),  # diacritics folded
    ("Bürgerportal", {"de"}),
])
def test_full_text_search(filled, query, expected):
    archive, ids = filled
    found = {key for key, aid in ids.items() if aid in {h.id for h in archive.search(query)}}
    assert found == expected


def test_search_survives_any_input(filled):
    archive, _ = filled
    for q in ['"', "AND", "(", "NEAR(", "a:b", "***", "政", "-", 'x" OR "y', "",
              "NEAR(a b)", "x AND AND y", "(a OR) b", "a AND (NOT b)", "( AND )"]:
        archive.search(q)  # must not raise


@pytest.mark.parametrize(("query", "expected"), [
    ("NEAR(portal processing)", {"en"}),  # not valid FTS5 as written: searched as plain words
    ("portal AND AND processing", {"en"}),
    ("portal - processing", {"en"}),  # a word of punctuation alone is no word
    ("(政务服务 OR) 标准化", {"zh2"}),
])
def test_invalid_fts_syntax_falls_back_to_plain_words(filled, query, expected):
    archive, ids = filled
    found = {key for key, aid in ids.items() if aid in {h.id for h in archive.search(query)}}
    assert found == expected


def test_index_text_bigrams():
    assert fts.index_text("市政府发布abc通知") == " 市政 政府 府发 发布 abc 通知 "
    assert fts.fts_query("政务服务") == '"政务 务服 服务"'
    assert fts.fts_query("政府 digital*") == '"政府" "digital"*'


@pytest.mark.parametrize(("url", "canonical"), [
    ("https://www.x.gov/a.html?utm_source=wx&utm_medium=s&id=3#top",
     "https://www.x.gov/a.html?id=3"),
    ("HTTPS://WWW.X.GOV:443/a.html", "https://www.x.gov/a.html"),
    ("http://x.gov/art;jsessionid=0A1B2C?PHPSESSID=9&b=2&a=1", "http://x.gov/art?a=1&b=2"),
    ("https://x.gov/2020/08/20/slug/?replytocom=12", "https://x.gov/2020/08/20/slug/"),
    ("https://x.gov/2020/08/20/slug/print/", "https://x.gov/2020/08/20/slug/"),
    ("https://x.gov/index.php?option=com_content&id=5&tmpl=component&print=1",
     "https://x.gov/index.php?id=5&option=com_content"),
    ("https://x.gov/print/node/12", "https://x.gov/node/12"),
    ("https://x.gov/news?page=2", "https://x.gov/news?page=2"),
    ("http://[::1]:8080/a", "http://[::1]:8080/a"),
    # already-canonical URLs take a fast path: these must not
    ("https://x.gov/2020/slug/amp", "https://x.gov/2020/slug/"),
    ("https://x.gov/Print/a.html", "https://x.gov/a.html"),
    ("https://x.gov./a", "https://x.gov/a"), ("https://x.gov", "https://x.gov/"),
    ("https://user@x.gov/a", "https://x.gov/a"), ("https://x.gov:443/a", "https://x.gov/a"),
    (" https://x.gov/a\n", "https://x.gov/a"), ("https://x.gov/a;sid=1", "https://x.gov/a"),
    ("https://x.gov/a/b.html", "https://x.gov/a/b.html"),
])
def test_canonical_url(url, canonical):
    assert dedup.canonical_url(url) == canonical


def test_canonical_url_and_print_view_fast_paths_agree_with_the_full_rules(monkeypatch):
    import random
    import re

    random.seed(7)
    hosts = ["www.x.gov", "x.gov.", "1.2.3.4", "a-b.cn", "X.gov", "x.gov:80", "u@x.gov"]
    segs = ["a", "b.html", "print", "amp", "Print", "AMP", "", "%E6%94%BF", "政府", "a:b",
            "printer-friendly", "a;jsessionid=1", "x y", "?q=1", "#f"]
    urls = [random.choice(["http://", "https://"]) + random.choice(hosts) + "/"
            + "/".join(random.choice(segs) for _ in range(random.randint(0, 4)))
            for _ in range(3000)]
    fast = [dedup.canonical_url(u) for u in urls]
    fast_print = [dedup.is_print_view(u) for u in urls]
    monkeypatch.setattr(dedup, "_PLAIN_URL", re.compile(r"(?!)"))  # never the fast path
    assert fast == [dedup.canonical_url(u) for u in urls]
    assert fast_print == [dedup.is_print_view(u) for u in urls]
    assert any(fast_print) and not all(fast_print)


def test_rel_canonical_only_within_the_site():
    assert dedup.canonical_url("https://m.x.gov/a", "https://m.x.gov/b") == "https://m.x.gov/b"
    assert dedup.canonical_url("https://www.x.gov/a", "https://x.gov/b") == "https://x.gov/b"
    assert dedup.canonical_url("https://x.gov/a", "https://other.org/b") == "https://x.gov/a"
    assert dedup.canonical_url("https://x.gov/a", "javascript:void(0)") == "https://x.gov/a"


def test_content_hash_ignores_case_spacing_punctuation_and_width():
    a = dedup.content_hash("Hello,  World! " * 5)
    assert a == dedup.content_hash("hello world " * 5)
    assert dedup.content_hash("ＡＢＣ１２３" * 8) == dedup.content_hash("abc123" * 8)
    assert dedup.content_hash("Page not found") is None  # too short to identify an article


def test_minhash_is_stable_and_discriminates():
    sig = dedup.minhash(EN_TEXT)
    assert sig is not None and len(sig) == dedup.NUM_PERM
    assert dedup.signature_from_bytes(dedup.signature_bytes(sig)).tolist() == sig.tolist()
    assert dedup.similarity(sig, dedup.minhash(EN_TEXT + " Extra footer line.")) > 0.7
    assert dedup.similarity(sig, dedup.minhash(DE_TEXT)) < 0.2
    assert dedup.minhash("short") is None
    # fixed value: signatures are stored, so hashing must not depend on the process
    assert dedup.minhash("abcdefghij" * 10)[:3].tolist() == [2051539468, 67143869, 2789152482]


def test_pipelined_ingestor_files_like_ingest_batch(archive):
    """Ingestor.feed files each batch during the next one (commit in the background): same
    outcomes and rows as batch by batch, near-duplicates across batches linked, FTS complete."""
    import random

    from egovcrawl.storage.ingest import Ingestor

    def story(i: int) -> str:  # distinct texts, each with 政务 in it
        rnd = random.Random(i)
        return "政务" + "".join(rnd.choice(ZH_TEXT + ZH_OTHER) for _ in range(300))

    texts = {f"https://a.example/{i}.html": story(i) for i in range(9)}
    copy = "https://mirror.example/0.html"  # the first story re-published on another site
    texts[copy] = texts["https://a.example/0.html"] + " Reprinted by the mirror portal."
    pages = {u: page(u, text=t, title=f"通知 {u[-6:]}") for u, t in texts.items()}
    ingestor = Ingestor(archive, lambda rec: pages[rec.url])
    urls = list(texts)
    outcomes = []
    for start in range(0, len(urls), 4):
        outcomes += [r.outcome for r in ingestor.feed(
            [fetch(u, site=u.split("/")[2]) for u in urls[start : start + 4]])]
    outcomes += [r.outcome for r in ingestor.finish()]
    assert outcomes.count("new") == 9 and outcomes.count("duplicate") == 1
    assert archive.pending_fetch_ids() == []
    assert archive.integrity_check() == ["ok"]
    n_fts = archive.conn.execute("SELECT count(*) FROM articles_fts").fetchone()[0]
    assert n_fts == archive.counts()["articles"] == 10
    assert len(archive.search("政务", limit=50)) == 10
    dup = archive.conn.execute("SELECT duplicate_of FROM articles WHERE url = ?",
                               (copy,)).fetchone()[0]
    assert dup == archive.conn.execute("SELECT id FROM articles WHERE url = ?",
                                       ("https://a.example/0.html",)).fetchone()[0]


def test_lsh_keys_merge_into_the_big_table_and_still_link(archive, monkeypatch):
    """Band keys wait in lsh_recent and move to lsh_buckets in key order; a copy filed after
    the merge still finds its original, and a bucket keeps its first article."""
    from egovcrawl.storage import archive as archive_mod

    monkeypatch.setattr(archive_mod, "LSH_MERGE_MIN", 30)
    a = "https://a.example/1.html"
    file(archive, fetch(a, site="a"), page(a, text=ZH_TEXT + ZH_OTHER))
    assert archive.conn.execute("SELECT count(*) FROM lsh_buckets").fetchone()[0] == 0
    u = "https://c.example/0.html"  # an unrelated article: 42 keys in all, past the threshold
    file(archive, fetch(u, site="c"), page(u, text=EN_TEXT + " Item 0."))
    merged = archive.conn.execute("SELECT count(*) FROM lsh_buckets").fetchone()[0]
    assert merged == 42
    assert archive.conn.execute("SELECT count(*) FROM lsh_recent").fetchone()[0] == 0
    assert archive.conn.execute(
        "SELECT value FROM meta WHERE key = 'lsh_buckets_rows'").fetchone()[0] == "42"
    b = "https://b.example/1.html"
    res = file(archive, fetch(b, site="b"), page(b, text=ZH_TEXT + ZH_OTHER + "转载自武汉。"))
    assert res.outcome == "duplicate"
    first = archive.conn.execute("SELECT id FROM articles WHERE url = ?", (a,)).fetchone()[0]
    assert archive.conn.execute("SELECT duplicate_of FROM articles WHERE url = ?",
                                (b,)).fetchone()[0] == first


_MIXED = st.sampled_from(["市", "政", "府", "ア", "・", "한", "\U00020001", "\u3000", "\u303f",
                          "\u3040", "\u30ff", "\u3100", "\u4dbf", "\u4dc0", "\u4e00", "\u9fff",
                          "\ua000", "\uac00", "\ud7af", "\ud7b0", "\uf900", "\ufaff", "\ufb00",
                          "\U0002ffff", "\U00030000", "\ud800", "a", "B", " ", "\n", "。", "é",
                          "ß", "Ä", "_", "-", "1", "①", "ﬁ", "ｆ", "\x00", "\U0001f600"])


@given(st.lists(_MIXED, max_size=60), st.integers(1, 12))
def test_index_text_array_path_is_the_regex_rewrite(chars, repeat):
    """The numpy bigram rewrite of long texts gives exactly the regex one's string: a
    contentless index forgets a row only given the very tokens it indexed."""
    text = "".join(chars) * repeat
    expected = fts.CJK_RUN.sub(fts._bigrams, text) if text else ""
    assert fts.index_text(text) == expected
    if text:
        assert fts._bigram_array(text) == expected


@given(st.one_of(st.text(), st.lists(_MIXED, max_size=80).map("".join)))
def test_normalise_text_table_paths_equal_the_regex(text):
    """content_hash and minhash are stored: the fast paths must not change a character."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    assert dedup.normalise_text(text) == dedup.NON_WORD.sub("", "".join(folded.split()))


def test_ingestor_checkpoints_the_wal_in_the_background(archive):
    """Each background commit checkpoints the WAL, so its file stays near one batch's size
    although the writer's automatic checkpoint threshold (32 MB) is never reached; every body
    is stored once, under its own hash, in the order of its fetches."""
    import os

    from egovcrawl.storage.archive import WAL_AUTOCHECKPOINT_PAGES, body_hash
    from egovcrawl.storage.ingest import Ingestor

    assert archive.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == \
        WAL_AUTOCHECKPOINT_PAGES
    urls = [f"https://a.example/{i}.html" for i in range(96)]
    bodies = {u: os.urandom(40_000) for u in urls}  # incompressible: 3.8 MB in all
    bodies[urls[5]] = bodies[urls[4]]  # one body fetched twice: stored once
    pages = {u: page(u, title=f"T {i}", text=f"{EN_TEXT} {i}") for i, u in enumerate(urls)}
    ingestor = Ingestor(archive, lambda rec: pages[rec.url])
    wal = archive.path + "-wal"
    sizes = []
    for start in range(0, len(urls), 12):
        ingestor.feed([fetch(u, body=bodies[u]) for u in urls[start : start + 12]])
        sizes.append(os.path.getsize(wal))
    ingestor.finish()
    assert max(sizes) < 2_000_000, sizes  # ~2 batches of bodies, not the whole 3.8 MB
    rows = archive.conn.execute("SELECT url, body_hash FROM fetches ORDER BY id").fetchall()
    assert rows == [(u, body_hash(bodies[u])) for u in urls]
    assert archive.counts()["bodies"] == 95
    assert archive.body(body_hash(bodies[urls[7]])) == bodies[urls[7]]
