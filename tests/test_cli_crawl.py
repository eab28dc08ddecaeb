"""`egovcrawl crawl` as cron runs it: the real command in a subprocess against sites served on
127.0.0.1 (a tiny generated portal, a site answering 503, a closed port) and temporary archives.

The contract under test is the exit code table of `egovcrawl crawl --help`: 0 ok (silent under
--quiet), 1 partial failure (a summary line per site on stderr, even under --quiet), 2 bad
configuration (one line, no archive created), 4 an archive that cannot be used (a directory, a
PNG, a text file, a corrupt database, a database another writer keeps locked, a directory that
cannot be written: one line, the file untouched), 75 another crawl holds the lock (returns at
once: the lock stays held for the whole call, so a crawl waiting for it would never return).
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from egovcrawl import sitesrv
from egovcrawl.crawler import crawl_lock, judge
from egovcrawl.exitcodes import EXIT_ARCHIVE, EXIT_CONFIG, EXIT_LOCKED, EXIT_OK, EXIT_PARTIAL
from egovcrawl.sitesrv import SiteServer

FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
        "-s", "EGOVCRAWL_EXTRACT_WORKERS=0", "-s", "EGOVCRAWL_BACKOFF_BASE=0.01",
        "-s", "EGOVCRAWL_BACKOFF_MAX=0.02"]
ARTICLES = 3
TOPICS = ["council", "budget", "permit", "school", "transport", "housing", "water", "energy",
          "health", "library", "museum", "election", "tender", "registry", "pension", "court",
          "park", "bridge", "rail", "tax", "census", "privacy", "network", "welfare"]
PROFILES = """[defaults]
download_delay = 0
discover_sitemaps = false

[sites.portal]
start_urls = ["${portal}/news/"]
article_allow = ['/news/\\d+\\.html$']
listing_allow = ['/news/$']

[sites.broken]
start_urls = ["${broken}/news/"]

[sites.down]
start_urls = ["${down}/news/"]
"""


def write_sites(root: Path) -> dict[str, Path]:
    portal, broken = root / "portal", root / "broken"
    (portal / "news").mkdir(parents=True)
    teasers = "".join(f"<li><a href='/news/{i}.html'>Council notice number {i} on the budget</a>"
                      f" <span>2024-07-0{i + 1}</span></li>" for i in range(ARTICLES))
    (portal / "news" / "index.html").write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>News</title></head><body><main>"
        f"<h1>News</h1><ul class='list'>{teasers}</ul></main></body></html>", encoding="utf-8")
    for i in range(ARTICLES):
        words = " ".join(TOPICS[(i * 7 + k * k) % len(TOPICS)] for k in range(150))
        (portal / "news" / f"{i}.html").write_text(
            f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Notice {i}"
            f"</title></head><body><main><article><h1>Council notice {i}</h1><p>Published "
            f"2024-07-0{i + 1}</p><p>{words}.</p></article></main></body></html>",
            encoding="utf-8")
    (broken / "news").mkdir(parents=True)
    (broken / "news" / "index.html").write_text("<html><body>never served</body></html>")
    (broken / "_site.toml").write_text('[routes."/news/"]\nfault = "status:503"\n'
                                       '[routes."/robots.txt"]\nfault = "status:503"\n')
    return {"portal": portal, "broken": broken}


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Env:
    """The served sites, their profile file and how to run `egovcrawl crawl` against them."""

    def __init__(self, root: Path, server: SiteServer) -> None:
        self.root = root
        self.server = server
        self.sites = root / "sites.toml"
        self.sites.write_text(PROFILES, encoding="utf-8")
        self.variables = {**server.base_urls, "down": f"http://127.0.0.1:{closed_port()}"}

    def args(self, *args: str | Path) -> list[str]:
        out = [sys.executable, "-m", "egovcrawl.cli", "crawl", *map(str, args)]
        if "--sites" not in out:
            out += ["--sites", str(self.sites)]
        for name, value in self.variables.items():
            out += ["--var", f"{name}={value}"]
        return [*out, "--no-progress", *FAST]

    def run(self, *args: str | Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(self.args(*args), capture_output=True, text=True, timeout=120,
                              check=False)

    def run_many(self, cases: dict[str, list[str | Path]]
                 ) -> dict[str, subprocess.CompletedProcess[str]]:
        """Commands that never crawl, run side by side (each is mostly interpreter start-up)."""
        procs = {name: subprocess.Popen(self.args(*args), stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True)
                 for name, args in cases.items()}
        out = {}
        for name, proc in procs.items():
            stdout, stderr = proc.communicate(timeout=120)
            out[name] = subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)
        return out

    def requests(self) -> int:
        return len(self.server.requests)


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    root = tmp_path_factory.mktemp("cli-crawl")
    # socketserver's listen backlog of 5 drops a crawl's burst of connects (1 s SYN retries)
    saved = sitesrv._SiteHTTPServer.request_queue_size
    sitesrv._SiteHTTPServer.request_queue_size = 128
    try:
        with SiteServer(write_sites(root)) as server:
            yield Env(root, server)
    finally:
        sitesrv._SiteHTTPServer.request_queue_size = saved


@pytest.fixture(scope="module")
def archive(env: Env) -> Path:
    """An archive filled by one quiet, successful crawl (the cron case)."""
    db = env.root / "crawled" / "archive.db"
    done = env.run("portal", "--db", db, "--quiet")
    assert done.returncode == EXIT_OK, done.stderr
    assert (done.stdout, done.stderr) == ("", "")  # cron mails nothing
    return db


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def copy_archive(src: Path, dst: Path) -> Path:
    dst.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(src)  # a consistent copy, WAL included
    try:
        conn.execute("VACUUM INTO ?", (str(dst),))
    finally:
        conn.close()
    conn = sqlite3.connect(dst)  # in WAL mode, as every archive is
    try:
        assert conn.execute("PRAGMA journal_mode = WAL").fetchone() == ("wal",)
    finally:
        conn.close()
    return dst


def one_error_line(proc: subprocess.CompletedProcess[str]) -> str:
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("Error: ")
    return lines[0]


def test_a_quiet_successful_crawl_prints_nothing_and_archives_the_site(archive: Path) -> None:
    conn = sqlite3.connect(archive)
    try:
        urls = [r[0] for r in conn.execute("SELECT url FROM articles ORDER BY url")]
        crawls = conn.execute("SELECT status FROM crawls").fetchall()
    finally:
        conn.close()
    assert [u.rsplit("/", 1)[1] for u in urls] == [f"{i}.html" for i in range(ARTICLES)]
    assert crawls == [("finished",)]


def test_stats_json_records_the_outcome_and_log_file_gets_scrapys_log(env: Env,
                                                                      tmp_path: Path) -> None:
    db, stats, log = tmp_path / "a.db", tmp_path / "stats.json", tmp_path / "crawl.log"
    done = env.run("portal", "--db", db, "--stats-json", stats, "--log-file", log)
    assert done.returncode == EXIT_OK, done.stderr
    assert done.stderr == ""  # the log goes to the file
    assert done.stdout.startswith(f"crawl ok: new {ARTICLES},")  # a terminal user sees a summary
    outcome = json.loads(stats.read_text(encoding="utf-8"))
    assert outcome["exit_code"] == EXIT_OK and outcome["status"] == "ok"
    assert outcome["articles"]["new"] == ARTICLES
    assert outcome["sites"]["portal"]["pages"] == ARTICLES + 1
    assert outcome["sites"]["portal"]["failed"] is False
    text = log.read_text(encoding="utf-8")
    assert "[scrapy.core.engine] INFO: Spider opened" in text
    assert "Dumping Scrapy stats" in text


def test_a_site_down_or_answering_5xx_is_a_partial_failure_summarised_per_site(
        env: Env, tmp_path: Path) -> None:
    db, stats = tmp_path / "a.db", tmp_path / "stats.json"
    done = env.run("portal", "broken", "down", "--db", db, "--quiet", "--stats-json", stats)
    assert done.returncode == EXIT_PARTIAL, done.stderr
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert lines[0].startswith(f"crawl partial: new {ARTICLES},")
    per_site = {line.split()[0]: line for line in lines[1:4]}
    assert set(per_site) == {"portal", "broken", "down"}
    assert per_site["portal"].split()[1] == "ok"
    assert per_site["broken"].split()[1] == "FAILED"
    # everything answers 503, robots.txt too: unreachable robots.txt = disallow all (RFC 9309)
    assert "refused by robots.txt" in per_site["broken"]
    assert per_site["down"].split()[1] == "FAILED"
    # a closed port: robots.txt cannot be fetched either, so nothing of the site is requested
    assert "refused by robots.txt" in per_site["down"]
    assert lines[4:] == ["failures on broken, down"]
    outcome = json.loads(stats.read_text(encoding="utf-8"))
    assert outcome["exit_code"] == EXIT_PARTIAL
    assert {n for n, s in outcome["sites"].items() if s["failed"]} == {"broken", "down"}
    conn = sqlite3.connect(db)
    try:  # what could be fetched is archived, and so is every failure
        assert conn.execute("SELECT count(*) FROM articles").fetchone() == (ARTICLES,)
        statuses = {r[0] for r in conn.execute("SELECT status FROM fetches WHERE site = 'broken'")}
        down_ok = conn.execute("SELECT count(*) FROM fetches WHERE site = 'down' "
                               "AND error IS NULL").fetchone()[0]
    finally:
        conn.close()
    # robots.txt refused every page of both (RFC 9309): whatever was fetched failed as served
    assert statuses <= {503}
    assert down_ok == 0


def test_configuration_errors_are_one_line_exit_2_and_create_no_archive(
        env: Env, tmp_path: Path) -> None:
    bad_toml = tmp_path / "bad.toml"
    bad_toml.write_text("[sites.x\nstart_urls = ['http://127.0.0.1:9/']\n", encoding="utf-8")
    bad_key = tmp_path / "badkey.toml"
    bad_key.write_text("[sites.x]\nstart_urls = ['http://127.0.0.1:9/']\nstart_url = 1\n",
                       encoding="utf-8")
    cases: dict[str, list[str | Path]] = {
        "malformed TOML": ["x", "--sites", bad_toml],
        "unknown key": ["x", "--sites", bad_key],
        "missing profile file": ["x", "--sites", tmp_path / "nope.toml"],
        "unknown site": ["portl"],
        "no site given": [],
        "names and --all": ["portal", "--all"],
        "stats-json in a missing directory": ["portal", "--stats-json",
                                              tmp_path / "nodir" / "s.json"],
    }
    db = tmp_path / "data" / "archive.db"
    before = env.requests()
    results = env.run_many({name: [*args, "--db", db, "--quiet"]
                            for name, args in cases.items()})
    for name, proc in results.items():
        assert proc.returncode == EXIT_CONFIG, (name, proc.stderr)
        line = one_error_line(proc)
        assert "Traceback" not in line, name
    assert "line 1" in one_error_line(results["malformed TOML"])
    assert "start_url" in one_error_line(results["unknown key"])
    assert "'portl'" in one_error_line(results["unknown site"])
    assert not db.parent.exists()  # nothing created: no archive, no lock, no directory
    assert env.requests() == before


def test_a_second_crawl_while_the_lock_is_held_exits_75_at_once_touching_nothing(
        env: Env, archive: Path, tmp_path: Path) -> None:
    db = copy_archive(archive, tmp_path / "a.db")
    digest, before = sha(db), env.requests()
    stats = tmp_path / "last-crawl.json"
    stats.write_text('{"exit_code": 0, "status": "ok"}', encoding="utf-8")  # yesterday's
    with crawl_lock(db):  # a crawl in progress; held until the second one has returned
        second = env.run("portal", "--db", db, "--quiet", "--stats-json", stats)
    assert second.returncode == EXIT_LOCKED, second.stderr
    line = one_error_line(second)
    assert f"pid {os.getpid()}" in line and "not crawling" in line
    outcome = json.loads(stats.read_text(encoding="utf-8"))
    assert (outcome["exit_code"], outcome["status"]) == (EXIT_LOCKED, "locked")
    assert outcome["message"] in line
    assert sha(db) == digest
    assert not Path(f"{db}-wal").exists()
    assert env.requests() == before


def corrupt_copy(archive: Path, dst: Path) -> Path:
    """A real archive whose first page (the schema) is overwritten after the header."""
    data = bytearray(copy_archive(archive, dst).read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)
    dst.write_bytes(bytes(data))
    return dst


def test_an_unusable_db_is_one_line_exit_4_and_left_untouched(env: Env, archive: Path,
                                                               tmp_path: Path) -> None:
    png = tmp_path / "figure.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    text = tmp_path / "notes.db"
    text.write_text("These are my notes, not an archive.\n", encoding="utf-8")
    directory = tmp_path / "adir.db"
    (directory / "inner").mkdir(parents=True)
    corrupt = corrupt_copy(archive, tmp_path / "corrupt.db")
    not_a_dir = tmp_path / "file"
    not_a_dir.write_text("x", encoding="utf-8")
    files = [png, text, corrupt, not_a_dir]
    digests = {p: sha(p) for p in files}
    listing = sorted(os.listdir(tmp_path))
    before = env.requests()
    cases: dict[str, list[str | Path]] = {
        "png": ["portal", "--db", png], "text": ["portal", "--db", text],
        "directory": ["portal", "--db", directory], "corrupt": ["portal", "--db", corrupt],
        "parent is a file": ["portal", "--db", not_a_dir / "archive.db"],
    }
    results = env.run_many({name: [*args, "--quiet"] for name, args in cases.items()})
    for name, proc in results.items():
        assert proc.returncode == EXIT_ARCHIVE, (name, proc.stderr)
        one_error_line(proc)
    assert "not an SQLite database" in one_error_line(results["png"])
    assert "not an SQLite database" in one_error_line(results["text"])
    assert "is a directory" in one_error_line(results["directory"])
    assert "malformed" in one_error_line(results["corrupt"])
    assert "not a directory" in one_error_line(results["parent is a file"])
    assert {p: sha(p) for p in files} == digests
    assert os.listdir(directory) == ["inner"]
    # nothing beside them either: only the corrupt database (which starts like SQLite) got
    # as far as the crawl lock, whose file stays
    assert sorted(os.listdir(tmp_path)) == sorted([*listing, "corrupt.db.lock"])
    assert env.requests() == before


def test_a_database_locked_by_another_writer_waits_busy_timeout_then_exits_4(
        env: Env, archive: Path, tmp_path: Path) -> None:
    db = copy_archive(archive, tmp_path / "a.db")
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("PRAGMA journal_mode = WAL")
    digest, before = sha(db), env.requests()
    holder.execute("BEGIN EXCLUSIVE")
    try:
        done = env.run("portal", "--db", db, "--quiet", "--busy-timeout", "0.5")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert done.returncode == EXIT_ARCHIVE, done.stderr
    line = one_error_line(done)
    assert "locked by another writer" in line and "nothing crawled" in line
    assert sha(db) == digest
    assert env.requests() == before


def test_a_db_in_a_directory_that_cannot_be_written_is_one_line_exit_4(
        env: Env, archive: Path, tmp_path: Path) -> None:
    fresh, existing = tmp_path / "ro-fresh", tmp_path / "ro-existing"
    fresh.mkdir()
    db = copy_archive(archive, existing / "archive.db")
    Path(f"{db}.lock").touch()  # crawled here before: only SQLite's -wal/-shm are missing
    for d in (fresh, existing):
        d.chmod(0o555)
    try:
        try:
            (fresh / "probe").touch()
        except PermissionError:
            cases: dict[str, Path] = {"new archive": fresh / "archive.db",
                                      "existing archive": db}
        else:  # root writes through chmod; /sys refuses new files even to root
            (fresh / "probe").unlink()
            cases = {"new archive": Path("/sys/egovcrawl-test-archive.db")}
            if cases["new archive"].exists():
                pytest.skip("needs /sys to refuse new files")
        digest = sha(db)
        results = env.run_many({name: ["portal", "--db", path, "--quiet"]
                                for name, path in cases.items()})
    finally:
        for d in (fresh, existing):
            d.chmod(0o755)
    for name, proc in results.items():
        assert proc.returncode == EXIT_ARCHIVE, (name, proc.stderr)
        one_error_line(proc)
    if "existing archive" in results:
        assert "writable" in one_error_line(results["existing archive"])
    assert sha(db) == digest
    assert not cases["new archive"].exists()
    assert sorted(os.listdir(existing)) == ["archive.db", "archive.db.lock"]


def test_help_documents_every_exit_code() -> None:
    done = subprocess.run([sys.executable, "-m", "egovcrawl.cli", "crawl", "--help"],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0
    codes = {int(line.split()[0]) for line in done.stdout.splitlines()
             if line.strip() and line.split()[0].isdigit() and line.startswith("  ")}
    assert codes >= {EXIT_OK, EXIT_PARTIAL, EXIT_CONFIG, EXIT_ARCHIVE, EXIT_LOCKED}
    assert "--busy-timeout" in done.stdout


# --- judging a crawl from its stats (what run_crawl returns) ----------------------------------

def test_judge_a_crawl_that_could_not_start_is_never_ok() -> None:
    locked = judge({}, ["a"], crash=sqlite3.OperationalError("database is locked"))
    assert (locked.exit_code, locked.status) == (EXIT_ARCHIVE, "archive-error")
    assert "database is locked" in locked.message
    bug = judge({}, ["a"], crash=RuntimeError("boom"))
    assert bug.exit_code == EXIT_PARTIAL and "boom" in bug.message
    assert bug.sites["a"].failed  # the summary does not call a site that was never crawled ok
    never_closed = judge({"egovcrawl/spider/a/requests": 0}, ["a"])
    assert never_closed.exit_code != EXIT_OK


def test_judge_exceptions_in_spider_callbacks_are_a_partial_failure() -> None:
    stats = {"finish_reason": "finished", "egovcrawl/spider/a/requests": 5,
             "egovcrawl/spider/a/pages-ok": 5, "spider_exceptions/count": 2}
    result = judge(stats, ["a"])
    assert result.exit_code == EXIT_PARTIAL and "2 page(s)" in result.message
    del stats["spider_exceptions/count"]
    assert judge(stats, ["a"]).exit_code == EXIT_OK


def test_judge_storage_failures_win() -> None:
    stats = {"finish_reason": "archive_error", "egovcrawl/archive/failed": "OperationalError: x",
             "egovcrawl/spider/a/requests": 5, "egovcrawl/spider/a/fetch-errors": 1}
    assert judge(stats, ["a"]).exit_code == EXIT_ARCHIVE


def test_progress_line_blanks_what_a_longer_line_left_on_screen() -> None:
    import io

    from scrapy.statscollectors import MemoryStatsCollector
    from scrapy.utils.test import get_crawler

    from egovcrawl.extensions import Progress

    stats = MemoryStatsCollector(get_crawler())
    stream = io.StringIO()
    progress = Progress(stats, 1.0, stream)
    progress.sites = ["a-site-with-a-long-name", "another-site-with-a-long-name"]
    stats.set_value("response_received_count", 123456)
    progress.show()
    long_line = stream.getvalue().rsplit("\r", 1)[1]
    progress.sites = []
    stats.set_value("response_received_count", 1)
    progress.show()
    short_line = stream.getvalue().rsplit("\r", 1)[1]
    assert len(short_line) >= len(long_line.rstrip())  # the old text is overwritten
    assert short_line.startswith("pages 1 (") and short_line.rstrip().endswith("errors 0")
