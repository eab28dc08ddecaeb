"""Crash safety of a real crawl (issue 6): `egovcrawl crawl` SIGKILLed at 20 random points of a
crawl of a few hundred pages leaves an archive that passes `PRAGMA integrity_check` with no
article stored twice, and a run without a kill then completes it to exactly what a clean crawl
stores (the same article URLs with the same content hashes).

The site is generated into a temporary directory (300 articles in two sections, listings of 20
with numbered pagination) and served on 127.0.0.1 by `SiteServer`. The kills are a CHAIN on one
archive, not 20 fresh crawls: start, kill, check, start again (the next run recovers what the
killed one left: fetches committed but never filed, a crawl row left `running`), kill again...,
then one completing run of `python -m egovcrawl.cli crawl`, which must exit 0 and print nothing.

Kill points are drawn with a seeded RNG in units of the crawl's own progress, so they do not
depend on how fast the machine is: 16 points spread over the articles (a run is killed once the
server has answered the listing walk plus the articles up to its point, and 0-50 ms more; a run
whose point the previous one already passed is killed during its listing walk) and 4 during a
run's start-up, at a random delay within the start-up time (until the first request) of the
clean reference crawl. Small archive batches (EGOVCRAWL_ARCHIVE_BATCH=20, flushed every 0.2 s)
put commits all through the crawl. The killed runs are forked from a Python that imported the
crawler once (`ZYGOTE`): the child runs the command's own `egovcrawl.cli.main`, and the test
stays within a minute on two cores (about 25 s of CPU, most of it 22 crawler start-ups).
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from egovcrawl import sitesrv
from egovcrawl.extract import extract_page
from egovcrawl.sitesrv import SiteServer

SEED = 20240703
KILLS = 20
N_ARTICLES = 300
PER_PAGE = 20
SECTIONS = ("news", "notices")
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
        "-s", "EGOVCRAWL_EXTRACT_WORKERS=0", "-s", "EGOVCRAWL_ARCHIVE_BATCH=20",
        "-s", "EGOVCRAWL_ARCHIVE_FLUSH_SECONDS=0.2"]
WORDS = ["digital", "government", "portal", "service", "citizens", "council", "budget",
         "permit", "transport", "school", "health", "housing", "water", "energy", "reform",
         "office", "online", "application", "registry", "tax", "license", "court", "archive",
         "statistics", "census", "election", "parliament", "ministry", "agency", "tender",
         "cloud", "identity", "signature", "data", "privacy", "security", "network", "rural",
         "urban", "pension", "welfare", "employment", "training", "museum", "library", "park"]
PROFILE = """[sites.gen]
start_urls = ["${gen}/news/", "${gen}/notices/"]
article_allow = ['/(news|notices)/\\d{4}/\\d+\\.html$']
listing_allow = ['/(news|notices)/(page/\\d+/)?$']
discover_sitemaps = false
follow_links = false
download_delay = 0
"""


def article_html(i: int, section: str, rng: random.Random) -> str:
    year = 2020 + i % 5
    day = f"{year}-{1 + i % 12:02d}-{1 + i % 28:02d}"
    words = " ".join(rng.choice(WORDS) for _ in range(120))
    title = f"{section.title()} item {i}: {rng.choice(WORDS)} {rng.choice(WORDS)}"
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
            f"<meta property='article:published_time' content='{day}T09:00:00Z'></head><body>"
            f"<nav><a href='/{section}/'>{section}</a></nav><main><article><h1>{title}</h1>"
            f"<p class='date'>Published {day}</p><p>Item {i}. {words}.</p>"
            f"<p>{' '.join(reversed(words.split()))} (ref {i * 7919}).</p></article></main>"
            "<footer>City portal</footer></body></html>")


def listing_html(section: str, n: int, pages: int, items: list[str]) -> str:
    teasers = "".join(f"<li><a href='{p}'>Item {p.rsplit('/', 1)[1][:-5]} of the {section} "
                      f"about the city council</a> <span>2021-03-04</span></li>" for p in items)
    pager = " ".join(f"<span class='current'>{k}</span>" if k == n else
                     f"<a href='/{section}/{'' if k == 1 else f'page/{k}/'}'>{k}</a>"
                     for k in range(1, pages + 1))
    nxt = f"/{section}/page/{n + 1}/" if n < pages else None
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{section} page {n}</title>"
            + (f"<link rel='next' href='{nxt}'>" if nxt else "")
            + f"</head><body><main><h1>{section}</h1><ul class='list'>{teasers}</ul>"
            f"<div class='pagination'>{pager}"
            + (f" <a rel='next' href='{nxt}'>Next</a>" if nxt else "")
            + "</div></main></body></html>")


def make_site(root: Path) -> list[str]:
    """Write the site; returns the article paths."""
    rng = random.Random(SEED)
    by_section: dict[str, list[str]] = {s: [] for s in SECTIONS}
    for i in range(N_ARTICLES):
        section = SECTIONS[i % len(SECTIONS)]
        path = f"/{section}/{2020 + i % 5}/{i}.html"
        by_section[section].append(path)
        out = root / path.lstrip("/")
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(article_html(i, section, rng), encoding="utf-8")
    for section, items in by_section.items():
        chunks = [items[k:k + PER_PAGE] for k in range(0, len(items), PER_PAGE)]
        for n, chunk in enumerate(chunks, 1):
            where = root / section / ("" if n == 1 else f"page/{n}") / "index.html"
            where.parent.mkdir(parents=True, exist_ok=True)
            where.write_text(listing_html(section, n, len(chunks), chunk), encoding="utf-8")
    (root / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n", encoding="utf-8")
    return [p for items in by_section.values() for p in items]


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    # socketserver listens with a backlog of 5: a crawl's burst of connections overflows it and
    # every dropped SYN costs a 1 s retransmit (a clean crawl of this site: ~13 s instead of ~4)
    monkeypatch.setattr(sitesrv._SiteHTTPServer, "request_queue_size", 128)
    root = tmp_path / "site"
    make_site(root)
    (tmp_path / "sites.toml").write_text(PROFILE, encoding="utf-8")
    with SiteServer({"gen": root}) as srv:
        yield srv


def command(db: Path, base: str, sites: Path) -> list[str]:
    """The arguments of `egovcrawl crawl` (after `python -m egovcrawl.cli`)."""
    return ["crawl", "gen", "--db", str(db), "--sites", str(sites), "--var", f"gen={base}",
            "--quiet", "--no-progress", *FAST]


#: A Python that has imported the crawler once and forks a fresh process for every run: the
#: child runs `egovcrawl.cli.main` as `python -m egovcrawl.cli` would, without paying ~0.6 s of
#: CPU for imports 22 times. One JSON request per line on stdin, one answer per line on stdout.
ZYGOTE = r"""
import json, os, sys, traceback
import egovcrawl.cli, egovcrawl.crawler, egovcrawl.pipelines, egovcrawl.spiders.egov
import scrapy.crawler
assert "twisted.internet.reactor" not in sys.modules  # each child installs its own
for line in sys.stdin:
    req = json.loads(line)
    if "argv" in req:
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                null = os.open(os.devnull, os.O_RDONLY)
                os.dup2(null, 0)
                for fd, path in ((1, req["out"]), (2, req["err"])):
                    os.dup2(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644), fd)
                sys.argv = ["egovcrawl", *req["argv"]]
                egovcrawl.cli.main(args=req["argv"], prog_name="egovcrawl")
                code = 0
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            except BaseException:
                traceback.print_exc()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        answer = {"pid": pid}
    else:
        pid, status = os.waitpid(req["pid"], 0 if req.get("block") else os.WNOHANG)
        answer = {"code": os.waitstatus_to_exitcode(status) if pid else None}
    print(json.dumps(answer), flush=True)
"""


class Runs:
    """`egovcrawl crawl` runs forked by the zygote; `Run` looks like a small Popen."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.count = 0
        self.zygote = subprocess.Popen([sys.executable, "-c", ZYGOTE], stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, text=True, bufsize=1)

    def ask(self, **request: object) -> dict[str, object]:
        assert self.zygote.stdin is not None and self.zygote.stdout is not None
        self.zygote.stdin.write(json.dumps(request) + "\n")
        answer = self.zygote.stdout.readline()
        assert answer, "the zygote died"
        return json.loads(answer)

    def start(self, argv: list[str]) -> Run:
        self.count += 1
        out, err = self.tmp / f"run{self.count}.out", self.tmp / f"run{self.count}.err"
        pid = self.ask(argv=argv, out=str(out), err=str(err))["pid"]
        assert isinstance(pid, int)
        return Run(self, pid, out, err)

    def close(self) -> None:
        assert self.zygote.stdin is not None
        self.zygote.stdin.close()
        self.zygote.wait(timeout=30)


@dataclass
class Run:
    runs: Runs
    pid: int
    out: Path
    err: Path
    returncode: int | None = None

    def poll(self, *, block: bool = False) -> int | None:
        if self.returncode is None:
            code = self.runs.ask(pid=self.pid, block=block)["code"]
            self.returncode = code if isinstance(code, int) else None
        return self.returncode

    def kill(self) -> int | None:
        os.kill(self.pid, signal.SIGKILL)
        return self.poll(block=True)

    def stderr(self) -> str:
        return self.err.read_text(encoding="utf-8", errors="replace")


def served(srv: SiteServer) -> int:
    return len(srv.requests)


@dataclass
class Snapshot:
    articles: dict[str, str]  # url -> content_hash
    pending: int  # fetches committed but not filed (what the next run recovers)


def check(db: Path) -> Snapshot:
    """The archive after a kill (or a finished run) is consistent and has no duplicates."""
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        dup_urls = conn.execute("SELECT url, count(*) FROM articles GROUP BY url "
                                "HAVING count(*) > 1").fetchall()
        assert dup_urls == []
        dup_content = conn.execute("SELECT site, content_hash, count(*) FROM articles "
                                   "GROUP BY site, content_hash HAVING count(*) > 1").fetchall()
        assert dup_content == []
        assert conn.execute("SELECT url, count(DISTINCT article_id) FROM article_urls "
                            "GROUP BY url HAVING count(DISTINCT article_id) > 1").fetchall() == []
        # every article has its fetch and body, and the full-text index holds exactly them
        assert conn.execute("SELECT count(*) FROM articles a LEFT JOIN fetches f "
                            "ON f.id = a.fetch_id WHERE f.id IS NULL").fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM fetches f LEFT JOIN bodies b "
                            "ON b.hash = f.body_hash WHERE f.body_hash IS NOT NULL "
                            "AND b.hash IS NULL").fetchone() == (0,)
        n_articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        assert conn.execute("SELECT count(*) FROM articles_fts").fetchone()[0] == n_articles
        articles = dict(conn.execute("SELECT url, content_hash FROM articles"))
        pending = conn.execute("SELECT count(*) FROM fetches WHERE outcome IS NULL").fetchone()[0]
        return Snapshot(articles, pending)
    finally:
        conn.close()


def fetched_articles(db: Path) -> int:
    if not db.exists():
        return 0
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT count(DISTINCT url) FROM fetches "
                            "WHERE url LIKE '%.html'").fetchone()[0]
    except sqlite3.Error:
        return 0
    finally:
        conn.close()


def test_sigkill_at_20_random_points_then_a_rerun_completes_the_archive(
        server: SiteServer, tmp_path: Path) -> None:
    base = server.base_url("gen")
    sites = tmp_path / "sites.toml"
    runs = Runs(tmp_path)
    try:
        reference, first_request, entry_requests = _reference(runs, server, tmp_path)
        db = tmp_path / "archive.db"
        kills = _kill_chain(runs, server, db, base, sites, reference, first_request,
                            entry_requests)
    finally:
        runs.close()
    assert kills == KILLS

    # the completing run: the real command line, quiet, exit 0
    done = subprocess.run([sys.executable, "-m", "egovcrawl.cli", *command(db, base, sites)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    assert (done.stdout, done.stderr) == ("", "")
    final = check(db)
    assert final.pending == 0
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("SELECT status FROM crawls ORDER BY id DESC LIMIT 1").fetchone() == (
            "finished",)
    finally:
        conn.close()
    assert final.articles == reference.articles  # the same URLs with the same content


def _reference(runs: Runs, server: SiteServer, tmp_path: Path) -> tuple[Snapshot, float, int]:
    """The clean crawl, timed: its start-up (until the first request) bounds the kills drawn
    before any request. Returns its archive, that start-up time and the requests every run
    makes before articles (robots.txt and the listing pages)."""
    ref_db = tmp_path / "reference.db"
    before = served(server)
    started = time.monotonic()
    run = runs.start(command(ref_db, server.base_url("gen"), tmp_path / "sites.toml"))
    first_request = None
    while run.poll() is None:
        if first_request is None and served(server) > before:
            first_request = time.monotonic() - started
        time.sleep(0.005)
    assert run.returncode == 0, run.stderr()[-3000:]
    assert first_request is not None
    listing_pages = sum(-(-len(range(k, N_ARTICLES, len(SECTIONS))) // PER_PAGE)
                        for k in range(len(SECTIONS)))
    entry_requests = 1 + listing_pages
    assert served(server) - before == entry_requests + N_ARTICLES  # each page fetched once
    reference = check(ref_db)
    assert len(reference.articles) == N_ARTICLES
    return reference, first_request, entry_requests


def _kill_chain(runs: Runs, server: SiteServer, db: Path, base: str, sites: Path,
                reference: Snapshot, first_request: float, entry_requests: int) -> int:
    """Start a crawl into `db` and SIGKILL it, 20 times over; check the archive after each."""
    rng = random.Random(SEED)
    # 16 kill points spread over the crawl's articles (sorted: each run gets further) and 4
    # during a run's start-up (lock, archive check, recovery of the killed run's leftovers)
    plan: list[int | None] = sorted(rng.randint(1, N_ARTICLES) for _ in range(KILLS - 4))
    for _ in range(4):
        plan.insert(rng.randint(0, len(plan)), None)
    kills = 0
    saw_pending = False
    for _ in range(2 * KILLS):  # a run that ends before its kill point is run again
        if kills == KILLS:
            break
        point = plan[kills]
        progress = fetched_articles(db)
        if point is None:
            target = 0
        elif point > progress:  # the run walks the listings first, then fetches articles
            target = entry_requests + point - progress
        else:  # the previous run got past this point: a kill in this run's listing walk
            target = rng.randint(1, entry_requests)
        extra = rng.uniform(0, first_request) if target == 0 else rng.uniform(0, 0.05)
        before = served(server)
        run = runs.start(command(db, base, sites))
        while target and run.poll() is None and served(server) - before < target:
            time.sleep(0.002)
        time.sleep(extra)
        code = run.kill() if run.poll() is None else run.returncode
        if code == -signal.SIGKILL:
            kills += 1
        else:  # the run ended before its kill point
            assert code == 0, run.stderr()[-3000:]
        snap = check(db)
        saw_pending = saw_pending or snap.pending > 0
        assert set(snap.articles) <= set(reference.articles)
    assert saw_pending, "no kill landed between a fetch's commit and its filing"
    return kills


def test_a_profile_listing_keeps_its_pagination_however_the_classifier_reads_it() -> None:
    # two teasers with a heading and a paragraph each (the last page of a section, a quiet
    # week): too few for a teaser list, the classifier reads this page as an article
    items = "".join(f"<li><h2><a href='/news/2021/{i}.html'>Item {i} of the news</a></h2>"
                    f"<p>A short teaser about item {i} of the city council budget.</p></li>"
                    for i in range(2))
    html = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>news page 2</title>"
            "<link rel='next' href='/news/page/3/'></head><body><main><h1>news</h1>"
            f"<ul>{items}</ul><div class='pagination'><a rel='next' href='/news/page/3/'>"
            "Next page</a></div></main></body></html>").encode()
    url = "http://127.0.0.1:9/news/page/2/"
    assert extract_page(html, url).page_kind != "listing"  # the misreading this is about
    page = extract_page(html, url, page_kind="listing")
    assert page.next == "http://127.0.0.1:9/news/page/3/"
