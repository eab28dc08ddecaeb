"""The analyst commands run for real (click's runner) on temporary archives: output formats,
one-line errors with the documented exit codes, and an archive that is never changed."""

from __future__ import annotations

import csv
import io
import json
import os
import sqlite3
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from test_queries import URLS, WRITES, build_drift_archive, build_sample_archive

from egovcrawl.cli import main
from egovcrawl.cli_query import COMMANDS
from egovcrawl.exitcodes import EXIT_ARCHIVE, EXIT_CONFIG, EXIT_INPUT, EXIT_PARTIAL
from egovcrawl.storage import schema


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    return build_sample_archive(tmp_path_factory.mktemp("cli") / "archive.db")


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, list(args), env=env)


def one_line_error(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    return lines[0]


# --- search ----------------------------------------------------------------------------------

def test_search_lists_results_with_snippets(db):
    result = run("search", "digital government", "--db", str(db))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "1. Digital government in Shanghai" in out
    assert URLS["shanghai"] in out and URLS["copy"] in out
    assert "**digital** **government**" in out.lower()


def test_search_chinese_two_and_four_characters(db):
    two = json.loads(run("search", "政府", "--db", str(db), "--format", "json").stdout)
    assert {h["url"] for h in two} == {URLS["reform"], URLS["meeting"]}
    four = run("search", "政务服务", "--db", str(db))
    assert four.exit_code == 0
    assert "武汉推进一网通办改革" in four.stdout and "市政府召开常务会议" not in four.stdout
    assert "**政务服务**" in four.stdout


def test_search_csv_filters_and_limit(db):
    result = run("search", "政府", "--db", str(db), "--format", "csv", "--since", "2024-07",
                 "--site", "wuhan-gov", "--limit", "5")
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["url"] for r in rows] == [URLS["reform"]]
    assert rows[0]["published"] == "2024-07-03" and rows[0]["views"] == "1300"


@pytest.mark.parametrize("query", ['"unbalanced', "NEAR(a b)", "a - b", "title:x", "*x", "(x",
                                   "x AND (NOT y)", "政务 OR", "-"])
def test_search_syntax_characters_never_fail(db, query):
    result = run("search", query, "--db", str(db), "--format", "json")
    if query == "-":  # nothing to search for: a usage error, not an FTS5 syntax error
        assert result.exit_code == EXIT_CONFIG and "no words" in result.stderr
        return
    assert result.exit_code == 0, result.output
    json.loads(result.stdout)


def test_search_without_words_and_bad_dates_are_usage_errors(db):
    for nothing in (' " ( ', "*", "AND OR", ""):
        empty = run("search", nothing, "--db", str(db))
        assert empty.exit_code == EXIT_CONFIG and "no words" in empty.stderr
    bad = run("search", "x", "--since", "July 2024", "--db", str(db))
    assert bad.exit_code == EXIT_CONFIG and "not a date" in bad.stderr


def test_search_no_match_says_so_on_stderr(db):
    result = run("search", "zzzyyyxxx", "--db", str(db))
    assert result.exit_code == 0 and result.stdout == ""
    assert "no articles match" in result.stderr


def test_archive_path_from_environment(db):
    result = run("search", "behorde", "--format", "json", env={"EGOVCRAWL_ARCHIVE": str(db)})
    assert [h["url"] for h in json.loads(result.stdout)] == [URLS["portal"]]


# --- export ----------------------------------------------------------------------------------

def test_export_csv_and_jsonl_round_trip_every_article(db, tmp_path):
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    fields = ("id", "url", "site", "title", "text", "published", "updated", "views",
              "copyright_holder", "copyright_year", "source", "language", "duplicate_of",
              "first_seen", "last_seen", "status")
    expected = [dict(r) for r in con.execute(
        f"SELECT {', '.join(fields)} FROM articles ORDER BY id")]
    con.close()

    jsonl = run("export", "--format", "jsonl", "--db", str(db))
    assert jsonl.exit_code == 0
    assert [json.loads(line) for line in jsonl.stdout.splitlines()] == expected

    out = tmp_path / "articles.csv"
    result = run("export", "--db", str(db), "-o", str(out))
    assert result.exit_code == 0, result.output
    with out.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows == [{k: "" if v is None else str(v) for k, v in r.items()} for r in expected]
    assert not (tmp_path / "articles.csv.part").exists()


def test_export_warc_to_file(db, tmp_path):
    from warcio.archiveiterator import ArchiveIterator

    out = tmp_path / "archive.warc.gz"
    result = run("export", "--format", "warc", "--site", "wuhan-gov", "--db", str(db),
                 "-o", str(out))
    assert result.exit_code == 0, result.output
    with out.open("rb") as fh:
        uris = [r.rec_headers.get_header("WARC-Target-URI") for r in ArchiveIterator(fh)
                if r.rec_type == "response"]
    assert URLS["reform"] in uris and "https://www.wuhan.gov.cn/xwdt/gone.html" in uris
    assert all(u.startswith("https://www.wuhan.gov.cn/") for u in uris)


def test_export_warc_to_stdout(db):
    from warcio.archiveiterator import ArchiveIterator

    result = run("export", "--format", "warc", "--site", "land-de", "--db", str(db))
    assert result.exit_code == 0, result.output
    records = [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI"))
               for r in ArchiveIterator(io.BytesIO(result.stdout_bytes))]
    assert records == [("warcinfo", None), ("response", URLS["portal"]),
                       ("metadata", URLS["portal"])]


def test_export_to_a_missing_directory_is_a_usage_error(db, tmp_path):
    result = run("export", "--db", str(db), "-o", str(tmp_path / "nope" / "x.csv"))
    assert result.exit_code == EXIT_CONFIG and "does not exist" in result.stderr


def test_failed_export_leaves_no_file(tmp_path):
    """An archive whose articles table is unreadable mid-export: no half-written output file."""
    bad = tmp_path / "bad.db"
    con = sqlite3.connect(bad)
    con.execute("CREATE TABLE articles(id INTEGER PRIMARY KEY, url TEXT)")  # columns missing
    con.close()
    out = tmp_path / "out.jsonl"
    result = run("export", "--format", "jsonl", "--db", str(bad), "-o", str(out))
    assert result.exit_code == EXIT_INPUT
    one_line_error(result)
    assert not out.exists() and not (tmp_path / "out.jsonl.part").exists()


# --- stats and runs --------------------------------------------------------------------------

def test_stats_table_shows_every_section(db):
    result = run("stats", "--db", str(db))
    assert result.exit_code == 0, result.output
    out = result.stdout
    for heading in ("Articles per site", "View counts", "Fill rate", "Drift"):
        assert heading in out
    line = next(li for li in out.splitlines() if li.startswith("wuhan-gov") and "2024-06-15" in li)
    assert line.split()[1:4] == ["3", "2", "1"]  # articles, dated, undated


def test_stats_by_month_csv_and_json(db):
    months = run("stats", "--by", "month", "--format", "csv", "--db", str(db))
    rows = list(csv.DictReader(io.StringIO(months.stdout)))
    assert {"site": "wuhan-gov", "month": "undated", "articles": "1"} in rows
    full = json.loads(run("stats", "--format", "json", "--db", str(db)).stdout)
    assert set(full) == {"sites", "months", "views", "fill", "drift"}
    per_site = list(csv.DictReader(io.StringIO(run("stats", "--format", "csv", "--db",
                                                   str(db)).stdout)))
    wuhan = next(r for r in per_site if r["site"] == "wuhan-gov")
    assert wuhan["views_growth"] == "66" and wuhan["fill_published"] == "66.7"


def test_stats_drift_alarm_and_fail_on_drift(tmp_path):
    drift_db = build_drift_archive(tmp_path / "drift.db")
    shown = run("stats", "--db", str(drift_db))
    assert shown.exit_code == 0
    assert "ALARM: published 100% -> 0%" in shown.stdout
    failing = run("stats", "--fail-on-drift", "--db", str(drift_db))
    assert failing.exit_code == EXIT_PARTIAL
    assert "drift alarm for drifting" in one_line_error(failing)
    assert run("stats", "--fail-on-drift", "--site", "steady", "--db",
               str(drift_db)).exit_code == 0


def test_runs_table_and_json(db):
    table = run("runs", "--db", str(db))
    assert table.exit_code == 0
    header = table.stdout.splitlines()[0].split()
    assert header == ["id", "started", "finished", "duration", "sites", "status", "requests",
                      "new", "updated", "unchanged", "errors"]
    rows = json.loads(run("runs", "--format", "json", "--limit", "1", "--db", str(db)).stdout)
    assert len(rows) == 1 and rows[0]["id"] == 2 and rows[0]["duration"]
    assert rows[0]["stats"]["articles"] == {"duplicate": 1, "unchanged": 2}


# --- query -----------------------------------------------------------------------------------

def test_query_formats(db):
    sql = "SELECT site, count(*) AS n FROM articles GROUP BY site ORDER BY site"
    as_json = json.loads(run("query", sql, "--format", "json", "--db", str(db)).stdout)
    assert {"site": "wuhan-gov", "n": 3} in as_json
    as_csv = run("query", sql, "--format", "csv", "--db", str(db)).stdout
    assert as_csv.splitlines()[0] == "site,n"
    table = run("query", "SELECT title FROM articles WHERE site = :s", "-p", "s", "wuhan-gov",
                "--db", str(db))
    assert "武汉推进一网通办改革" in table.stdout
    assert json.loads(run("query", "SELECT 1 WHERE 0", "--format", "json", "--db",
                          str(db)).stdout) == []


def test_query_blobs_as_base64(db):
    import base64

    sql = "SELECT id, minhash FROM articles ORDER BY id LIMIT 1"
    row = json.loads(run("query", sql, "--format", "json", "--db", str(db)).stdout)[0]
    assert row["minhash"]["$base64"] is True
    assert len(base64.b64decode(row["minhash"]["encoded"])) == 256  # 64 x uint32
    cells = next(csv.reader(io.StringIO(run("query", sql, "--format", "csv", "--db",
                                            str(db)).stdout.splitlines()[1])))
    assert base64.b64decode(cells[1]) == base64.b64decode(row["minhash"]["encoded"])
    assert "<256 bytes>" in run("query", sql, "--db", str(db)).stdout


@pytest.mark.parametrize("sql", WRITES)
def test_query_refuses_writes_with_one_line(db, sql, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    before = db.read_bytes()
    result = run("query", sql, "--db", str(db))
    assert result.exit_code == EXIT_INPUT
    assert "read-only" in one_line_error(result)
    assert db.read_bytes() == before and list(tmp_path.iterdir()) == []


def test_query_sql_errors_are_input_errors(db):
    for sql in ("SELEC 1", "SELECT * FROM nosuch", "SELECT 1; SELECT 2"):
        result = run("query", sql, "--db", str(db))
        assert result.exit_code == EXIT_INPUT, (sql, result.output)
        one_line_error(result)


# --- bad --db files: one line, exit 4, nothing touched ---------------------------------------

READERS = [["search", "x"], ["export"], ["export", "--format", "warc"], ["stats"], ["runs"],
           ["query", "SELECT 1"]]


def bad_files(tmp_path: Path, good: Path) -> dict[str, Path]:
    text = tmp_path / "notes.db"
    text.write_text("id,title\n1,not a database\n" * 50)
    corrupt = tmp_path / "corrupt.db"
    data = bytearray(good.read_bytes())
    data[100:4096] = os.urandom(4096 - 100)
    corrupt.write_bytes(bytes(data))
    return {"text": text, "corrupt": corrupt}


@pytest.mark.parametrize("args", READERS, ids=lambda a: " ".join(a))
def test_bad_archive_files_give_exit_4_and_stay_untouched(db, tmp_path, args):
    missing = tmp_path / "missing.db"
    result = run(*args, "--db", str(missing))
    assert result.exit_code == EXIT_ARCHIVE, result.output
    assert "no archive at" in one_line_error(result)
    assert not missing.exists()
    for kind, path in bad_files(tmp_path, db).items():
        before = (path.read_bytes(), path.stat().st_mtime_ns)
        result = run(*args, "--db", str(path))
        assert result.exit_code == EXIT_ARCHIVE, (kind, result.output)
        one_line_error(result)
        assert (path.read_bytes(), path.stat().st_mtime_ns) == before


def test_truncated_archive_fails_with_exit_4(db, tmp_path):
    """Corruption past the schema page shows only when the data is read."""
    cut = tmp_path / "cut.db"
    data = db.read_bytes()
    cut.write_bytes(data[: len(data) // 3])
    everything = "SELECT sum(length(text)) FROM articles"
    for args in (["stats"], ["export", "--format", "jsonl"], ["query", everything]):
        result = run(*args, "--db", str(cut))
        assert result.exit_code == EXIT_ARCHIVE, (args, result.output)
        assert "corrupt" in one_line_error(result) or "malformed" in result.stderr


def test_readers_are_not_blocked_by_a_writer_but_an_exclusive_lock_is_exit_4(
        db, tmp_path, monkeypatch):
    from egovcrawl import queries

    copy = tmp_path / "busy.db"
    copy.write_bytes(db.read_bytes())
    writer = sqlite3.connect(copy, isolation_level=None)
    writer.execute("PRAGMA journal_mode = WAL")
    writer.execute("BEGIN IMMEDIATE")  # a crawl in the middle of a batch
    writer.execute("INSERT INTO sites(name) VALUES ('uncommitted')")
    sites = run("query", "SELECT count(*) AS n FROM sites", "--format", "json", "--db", str(copy))
    assert json.loads(sites.stdout) == [{"n": 4}]  # the committed snapshot, at once
    writer.execute("ROLLBACK")
    writer.execute("PRAGMA locking_mode = EXCLUSIVE")
    writer.execute("BEGIN EXCLUSIVE")
    writer.execute("INSERT INTO sites(name) VALUES ('held')")
    monkeypatch.setattr(queries, "READ_TIMEOUT_S", 0.1)
    result = run("stats", "--db", str(copy))
    assert result.exit_code == EXIT_ARCHIVE
    assert "locked" in one_line_error(result)
    writer.execute("ROLLBACK")
    writer.close()


def test_sqlite_file_that_is_not_an_archive(tmp_path):
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("CREATE TABLE t(x)").connection.close()
    result = run("stats", "--db", str(other))
    assert result.exit_code == EXIT_ARCHIVE
    assert "not an egovcrawl archive" in one_line_error(result)
    # any SQLite database can be queried
    assert run("query", "SELECT count(*) FROM t", "--db", str(other)).exit_code == 0


# --- migrate ---------------------------------------------------------------------------------

def test_migrate_creates_then_is_up_to_date(tmp_path):
    new = tmp_path / "data" / "new.db"
    first = run("migrate", "--db", str(new))
    assert first.exit_code == 0, first.output
    assert f"created {new}" in first.stdout
    assert first.stdout.count("applied migration") == len(schema.MIGRATIONS)
    again = run("migrate", "--db", str(new))
    assert again.stdout.strip() == f"schema version {schema.LATEST} (up to date)"


def test_migrate_refuses_a_file_that_is_not_sqlite(tmp_path):
    text = tmp_path / "notes.db"
    text.write_text("not a database\n" * 100)
    before = text.read_bytes()
    result = run("migrate", "--db", str(text))
    assert result.exit_code == EXIT_ARCHIVE
    one_line_error(result)
    assert text.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.db"]


# --- Datasette and help ----------------------------------------------------------------------

def test_datasette_metadata_path_and_renamed_copy():
    path = Path(run("datasette-metadata").stdout.strip())
    meta = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert "search" in meta["databases"]["archive"]["queries"]
    renamed = yaml.safe_load(run("datasette-metadata", "--name", "nightly").stdout)
    assert "search" in renamed["databases"]["nightly"]["queries"]


def test_every_analyst_command_has_help_with_an_example():
    for command in COMMANDS:
        assert main.commands[command.name] is command
        result = run(command.name, "--help")
        assert result.exit_code == 0 and "Example:" in result.stdout, command.name
