"""Re-extraction from stored bodies (library and `egovcrawl reextract`), and the Scrapy pipeline."""

from __future__ import annotations

import dataclasses
import json
from importlib import resources

import pytest
from click.testing import CliRunner
from scrapy.exceptions import NotConfigured
from scrapy.settings import Settings

from egovcrawl.cli_archive import reextract as reextract_cmd
from egovcrawl.extract.model import Page
from egovcrawl.pipelines import ArchivePipeline
from egovcrawl.storage import Archive, FetchRecord
from egovcrawl.storage.reextract import reextract

from .helpers import EN_TEXT, ZH_TEXT, fetch, file, page


def samples() -> list[tuple[FetchRecord, dict]]:
    folder = resources.files("egovcrawl") / "samples"
    manifest = json.loads((folder / "samples.json").read_text(encoding="utf-8"))
    out = []
    for entry in manifest:
        ctype = "text/html" + (f"; charset={entry['http_encoding']}"
                               if entry.get("http_encoding") else "")
        out.append((FetchRecord(url=entry["url"], body=(folder / entry["file"]).read_bytes(),
                                site=entry["file"].split("-")[0],
                                headers={"content-type": ctype}), entry))
    return out


def test_reextract_records_what_a_new_extractor_changes(archive):
    url = "https://www.example.gov/a.html"
    first = file(archive, fetch(url), page(url))
    other = "https://www.example.gov/list.html"
    file(archive, fetch(other), page(other, kind="listing"))

    def better(rec: FetchRecord) -> Page:
        if rec.url == other:  # the new extractor recognises this page as an article
            return page(other, title="Budget 2024", text="The council adopted the budget. " * 5)
        return page(url, title="One-stop portal launched in Example City",
                    text=EN_TEXT + " Corrected figure: 320 services.", views=999,
                    source="Xinhua")

    report = reextract(archive, extractor=better)
    assert report.outcomes == {"updated": 1, "new": 1}
    (old_title, cause, _), = archive.conn.execute(
        "SELECT title, cause, fetch_id FROM article_versions").fetchall()
    assert old_title == "One-stop portal launched" and cause == "reextract"
    art = archive._one("SELECT title, views, source, last_seen FROM articles WHERE id = ?",
                       first.article_id)
    # views are observations: re-reading the same fetch adds no data point to the article...
    assert art["views"] == 43
    assert archive.conn.execute("SELECT count(*) FROM view_counts WHERE article_id = ?",
                                (first.article_id,)).fetchone() == (1,)
    assert art["title"].endswith("Example City") and art["source"] == "Xinhua"
    changes = archive.conn.execute(
        "SELECT field, new, reextract_id FROM article_changes").fetchall()
    assert ("source", "Xinhua", report.run_id) in changes
    run = archive._one("SELECT status, stats FROM reextract_runs")
    assert run["status"] == "finished" and json.loads(run["stats"])["changed"] == 1
    # fetch outcomes from the crawl are kept
    assert archive._one("SELECT outcome FROM fetches WHERE id = ?",
                        first.fetch_id)["outcome"] == "new"
    # running it again with the same extractor changes nothing
    assert reextract(archive, extractor=better).changed == 0


def test_reextract_command_uses_the_real_extractor_without_network(tmp_path):
    pytest.importorskip("egovcrawl.extract.page")
    db = tmp_path / "a.db"
    archive = Archive.open(db)
    for rec, _entry in samples():
        # an old, worse extractor: every page an article with a placeholder text
        file(archive, rec, page(rec.url, title="?", text="placeholder text " * 5))
    archive.close()
    result = CliRunner().invoke(reextract_cmd, ["--archive", str(db), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["changed"] >= 1
    archive = Archive.open(db)
    assert archive.counts()["article_versions"] >= 1
    titles = [r[0] for r in archive.conn.execute("SELECT title FROM articles")]
    assert any(t and t != "?" for t in titles)
    archive.close()


def test_reextract_command_without_archive_fails_loudly(tmp_path):
    result = CliRunner().invoke(reextract_cmd, ["--archive", str(tmp_path / "none.db")])
    assert result.exit_code == 3 and "no archive" in result.output


class FakeStats:
    def __init__(self) -> None:
        self.values: dict[str, int] = {"downloader/request_count": 3,
                                       "downloader/response_status_count/200": 2,
                                       "downloader/response_status_count/404": 1,
                                       "finish_reason": "finished"}

    def inc_value(self, key: str, n: int = 1) -> None:
        self.values[key] = self.values.get(key, 0) + n

    def get_value(self, key: str, default=None):
        return self.values.get(key, default)

    def get_stats(self) -> dict:
        return dict(self.values)


@dataclasses.dataclass
class FakeCrawler:
    settings: Settings
    stats: FakeStats
    spider: object = None


def test_pipeline_switches_off_without_an_archive():
    with pytest.raises(NotConfigured):
        ArchivePipeline.from_crawler(FakeCrawler(Settings({}), FakeStats()))


def test_pipeline_stores_items_in_batches_and_counts_outcomes(tmp_path):
    db = tmp_path / "p.db"
    crawler = FakeCrawler(Settings({"EGOVCRAWL_ARCHIVE": str(db), "EGOVCRAWL_ARCHIVE_BATCH": 2}),
                          FakeStats(), spider=type("S", (), {"name": "example"})())
    pipe = ArchivePipeline.from_crawler(crawler)
    texts = [EN_TEXT, ZH_TEXT, "Das Amt hat das Bürgerportal für Anträge freigeschaltet. " * 3]
    pages = {f"https://x.gov/{i}.html": page(f"https://x.gov/{i}.html", text=t, title=f"T{i}")
             for i, t in enumerate(texts)}
    pipe.extractor = lambda rec: pages[rec.url]
    pipe.open_spider()
    items = [fetch(u) for u in pages] + [fetch("https://x.gov/gone.html", status=404)]
    items.append({"url": "https://x.gov/0.html?utm_source=rss", "body": b"<html>0</html>"})
    pages["https://x.gov/0.html?utm_source=rss"] = pages["https://x.gov/0.html"]
    for item in items:
        assert pipe.process_item(item) is item
    pipe.close_spider()
    st = crawler.stats.values
    assert st["egovcrawl/archive/outcome/new"] == 3
    assert st["egovcrawl/archive/outcome/unchanged"] == 1
    assert st["egovcrawl/archive/outcome/not-article"] == 1
    archive = Archive.open(db)
    crawl = archive.crawl(1)
    assert crawl["status"] == "finished" and crawl["sites"] == ["example"]
    assert crawl["stats"]["articles"]["new"] == 3 and crawl["stats"]["requests"] == 3
    assert crawl["stats"]["responses"] == {"200": 2, "404": 1}
    assert archive.counts()["fetches"] == 5
    assert archive.conn.execute("SELECT count(DISTINCT crawl_id) FROM fetches").fetchone() == (1,)
    archive.close()


def test_pipeline_raises_storage_errors(tmp_path):
    db = tmp_path / "p.db"
    crawler = FakeCrawler(Settings({"EGOVCRAWL_ARCHIVE": str(db), "EGOVCRAWL_ARCHIVE_BATCH": 1}),
                          FakeStats())
    pipe = ArchivePipeline.from_crawler(crawler)
    pipe.open_spider()
    pipe.archive.conn.execute("DROP TABLE view_counts")  # sabotage the archive
    pipe.extractor = lambda rec: page(rec.url)
    pipe.process_item(fetch("https://x.gov/a.html"))
    with pytest.raises(Exception, match="view_counts"):
        pipe.process_item(fetch("https://x.gov/b.html"))
        pipe.close_spider()


def test_reextract_never_rolls_an_article_back_to_an_older_body(archive):
    url = "https://www.example.gov/b.html"
    file(archive, fetch(url, body=b"<html>old</html>"), None)  # extractor bug on the old body
    file(archive, fetch(url, body=b"<html>new</html>", when="2024-08-01T00:00:00+00:00"),
         page(url, text=EN_TEXT))

    def by_body(rec: FetchRecord) -> Page:
        text = "OLD BODY TEXT " * 10 if b"old" in rec.body else EN_TEXT
        return page(url, text=text)

    report = reextract(archive, extractor=by_body)
    assert report.fetches == 1 and report.changed == 0
    assert archive._one("SELECT text FROM articles")["text"] == EN_TEXT
