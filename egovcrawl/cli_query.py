"""The analyst's commands (`search`, `export`, `stats`, `runs`, `query`, `migrate`,
`datasette-metadata`): thin click wrappers over `egovcrawl.queries`.

    from egovcrawl.cli_query import register
    register(main)

Every command that reads the archive opens it read-only; output is a readable table (or
listing) by default and CSV/JSON with `--format`; an error is one line on stderr and an exit
code from `egovcrawl.exitcodes` (2 bad option or argument, 3 bad input such as SQL, 4 the
archive is missing, not SQLite, corrupt or locked).
"""

from __future__ import annotations

import base64
import contextlib
import csv
import json
import os
import sqlite3
import sys
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

import click

from egovcrawl import queries
from egovcrawl.exitcodes import EXIT_ARCHIVE, EXIT_INPUT, EXIT_PARTIAL

DEFAULT_ARCHIVE = "data/archive.db"
#: Widest a table cell gets (in terminal columns); CSV and JSON carry the full values.
CELL_WIDTH = 48


# --- shared options and error handling -------------------------------------------------------

def db_option(func: Any) -> Any:
    return click.option(
        "--db", "db", envvar="EGOVCRAWL_ARCHIVE", default=DEFAULT_ARCHIVE, show_default=True,
        type=click.Path(path_type=Path), help="SQLite archive (env EGOVCRAWL_ARCHIVE).")(func)


def format_option(*choices: str, default: str = "table") -> Any:
    return click.option("--format", "fmt", type=click.Choice(choices), default=default,
                        show_default=True, help="Output format.")


def _date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return queries.check_date(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _fail(message: str, code: int) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


@contextlib.contextmanager
def _errors(db: Path | None = None) -> Iterator[None]:
    """One line on stderr and the documented exit code for whatever goes wrong."""
    from egovcrawl.storage import ArchiveError

    where = f"{db}: " if db is not None else ""
    try:
        yield
    except queries.ArchiveUnavailable as exc:
        _fail(str(exc), EXIT_ARCHIVE)
    except ArchiveError as exc:
        _fail(str(exc), EXIT_ARCHIVE)
    except queries.QueryRefused as exc:
        _fail(str(exc), EXIT_INPUT)
    except sqlite3.Error as exc:
        if queries.is_archive_error(exc):
            _fail(f"{where}{queries.describe_error(exc)}", EXIT_ARCHIVE)
        _fail(f"SQL: {exc}", EXIT_INPUT)
    except BrokenPipeError:
        # the reader went away (`| head`): stop quietly, as other Unix tools do
        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        sys.exit(0)


def _open(db: Path, tables: Sequence[str]) -> Any:
    return contextlib.closing(queries.connect(db, tables=tables))


# --- output ----------------------------------------------------------------------------------

def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell(value: Any, limit: int) -> str:
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    text = "" if value is None else " ".join(str(value).split())
    if _width(text) <= limit:
        return text
    out, used = [], 0
    for ch in text:
        w = _width(ch)
        if used + w > limit - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def print_table(rows: Sequence[Sequence[Any]], columns: Sequence[str],
                widths: dict[str, int] | None = None) -> None:
    """Aligned columns, a rule under the header; wide (CJK) characters count double."""
    widths = widths or {}
    cells = [[_cell(v, widths.get(c, CELL_WIDTH)) for v, c in zip(r, columns, strict=True)]
             for r in rows]
    size = [max([_width(c)] + [_width(r[i]) for r in cells]) for i, c in enumerate(columns)]
    numeric = [all(isinstance(r[i], int | float) or r[i] is None for r in rows) and rows
               for i in range(len(columns))]

    def line(values: Sequence[str]) -> str:
        parts = []
        for i, v in enumerate(values):
            pad = " " * (size[i] - _width(v))
            parts.append(pad + v if numeric[i] else v + pad)
        return "  ".join(parts).rstrip()

    click.echo(line(columns))
    click.echo("  ".join("-" * s for s in size))
    for r in cells:
        click.echo(line(r))


def _json_default(value: Any) -> Any:
    if isinstance(value, bytes):  # BLOBs (articles.minhash): sqlite-utils' convention
        return {"$base64": True, "encoded": base64.b64encode(value).decode("ascii")}
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


def emit(rows: Iterable[dict[str, Any]], columns: Sequence[str], fmt: str,
         widths: dict[str, int] | None = None) -> int:
    """Rows as a table, CSV or a JSON array (CSV and JSON stream: one row in memory)."""
    out = click.get_text_stream("stdout")
    n = 0
    if fmt == "csv":
        writer = csv.writer(out)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_csv_value(row.get(c)) for c in columns])
            n += 1
    elif fmt == "json":
        out.write("[")
        for row in rows:
            out.write(("\n " if n == 0 else ",\n ")
                      + json.dumps(row, ensure_ascii=False, default=_json_default))
            n += 1
        out.write("\n]\n" if n else "]\n")
    else:
        buffered = [[row.get(c) for c in columns] for row in rows]
        n = len(buffered)
        print_table(buffered, columns, widths)
    return n


# --- search ----------------------------------------------------------------------------------

@click.command()
@click.argument("query")
@click.option("--site", default=None, help="Only articles of this site.")
@click.option("--since", default=None, callback=_date, metavar="DATE",
              help="Published on or after DATE (YYYY, YYYY-MM or YYYY-MM-DD).")
@click.option("--until", default=None, callback=_date, metavar="DATE",
              help="Published on or before DATE (inclusive, at its precision).")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1),
              help="Most results to show.")
@format_option("table", "csv", "json")
@db_option
def search(query: str, site: str | None, since: str | None, until: str | None, limit: int,
           fmt: str, db: Path) -> None:
    """Full-text search of the archived articles (English, German, Chinese), best first.

    Words are ANDed; "quoted phrases", OR, NOT and a trailing * work as in SQLite FTS5. Chinese
    needs no spaces: 政务服务 finds the term inside longer text. Anything else (-, :, NEAR,
    unbalanced quotes or parentheses) is read as plain words. Snippets mark the terms found.

    \b
    Example:
        egovcrawl search "一网通办" --site wuhan-gov --since 2024-01
        egovcrawl search "digital government" --format json --limit 5
    """
    if not queries.match_expressions(query)[1] and not queries.match_expressions(query)[0]:
        raise click.BadParameter(f"{query!r} has no words to search for", param_hint="QUERY")
    table = fmt == "table"
    bold = table and sys.stdout.isatty()
    marks = ("\x1b[1m", "\x1b[0m") if bold else ("**", "**")
    with _errors(db), _open(db, ("articles", "articles_fts")) as conn:
        hits = queries.search(conn, query, site=site, since=since, until=until, limit=limit,
                              marks=marks)
    if not table:
        emit(({"id": h.id, "site": h.site, "published": h.published, "views": h.views,
               "title": h.title, "url": h.url, "rank": round(h.rank, 3), "snippet": h.snippet}
              for h in hits),
             ["id", "site", "published", "views", "title", "url", "rank", "snippet"], fmt)
        return
    if not hits:
        click.echo(f"no articles match {query!r}", err=True)
        return
    for i, h in enumerate(hits, 1):
        about = ", ".join(x for x in (h.site, (h.published or "undated")[:10],
                                      None if h.views is None else f"{h.views} views") if x)
        click.echo(click.style(f"{i}. {h.title or '(no title)'}", bold=bold) + f"  ({about})")
        click.echo(f"   {h.url}  [id {h.id}]")
        if h.snippet:
            click.echo(f"   {h.snippet}")


# --- export ----------------------------------------------------------------------------------

@contextlib.contextmanager
def _output(path: Path | None, binary: bool) -> Iterator[IO[Any]]:
    """stdout, or FILE written as FILE.part and renamed when complete (a failed export never
    leaves a truncated file under the final name)."""
    if path is None:
        if binary:
            stream = click.get_binary_stream("stdout")
            if stream.isatty():
                raise click.UsageError("a WARC file is binary: give -o FILE or redirect stdout")
            yield stream
            stream.flush()
        else:
            yield click.get_text_stream("stdout")
        return
    if not path.parent.is_dir():
        raise click.BadParameter(f"directory {path.parent} does not exist", param_hint="-o")
    part = path.with_name(path.name + ".part")
    try:
        fh = part.open("wb") if binary else part.open("w", encoding="utf-8", newline="")
    except OSError as exc:
        raise click.BadParameter(f"cannot write {part}: {exc.strerror}", param_hint="-o"
                                 ) from None
    try:
        with fh:
            yield fh
        os.replace(part, path)
    except BaseException:
        part.unlink(missing_ok=True)
        raise


@click.command()
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl", "warc"]), default="csv",
              show_default=True, help="csv/jsonl: the articles; warc: the raw responses.")
@click.option("--site", default=None, help="Only this site.")
@click.option("--since", default=None, callback=_date, metavar="DATE",
              help="csv/jsonl: articles published on or after DATE; warc: fetches made on or "
                   "after DATE (UTC).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write to FILE instead of stdout (replaced only when the export completes).")
@db_option
def export(fmt: str, site: str | None, since: str | None, output: Path | None,
           db: Path) -> None:
    """Export the articles as CSV or JSON lines, or the raw responses as a WARC file.

    Streams row by row, so memory stays flat whatever the archive size. CSV/JSONL columns: id,
    url, site, title, text, published, updated, views, copyright_holder, copyright_year,
    source, language, duplicate_of, first_seen, last_seen, status. WARC/1.1 (gzip per record):
    a response record per fetch with its stored headers and body, WARC-Date = fetch time, and
    a metadata record with egovcrawl's provenance; replayable with pywb and readable by warcio.

    \b
    Example:
        egovcrawl export --format jsonl --site wuhan-gov --since 2024 -o wuhan-2024.jsonl
        egovcrawl export --format warc -o archive.warc.gz
    """
    tables = ("articles",) if fmt != "warc" else ("fetches", "bodies")
    with _errors(db), _open(db, tables) as conn, _output(output, fmt == "warc") as out:
        if fmt == "warc":
            name = output.name if output else "egovcrawl.warc.gz"
            report = queries.write_warc(conn, out, site=site, since=since, filename=name)
            summary = (f"wrote {report.responses} responses ({report.bytes:,} bytes)"
                       + (f"; {report.skipped} fetches without a response left out"
                          if report.skipped else ""))
        else:
            rows = queries.iter_articles(conn, site=site, since=since)
            n = (queries.write_csv(rows, out, queries.ARTICLE_FIELDS) if fmt == "csv"
                 else queries.write_jsonl(rows, out))
            summary = f"exported {n} articles"
    if sys.stderr.isatty():  # a person watching: say what was written (cron stays quiet)
        click.echo(summary + (f" to {output}" if output else ""), err=True)


# --- stats -----------------------------------------------------------------------------------

@click.command()
@click.option("--site", default=None, help="Only this site.")
@click.option("--by", "by", type=click.Choice(["site", "month"]), default="site",
              show_default=True, help="month: articles per site and month (published date).")
@click.option("--fail-on-drift", is_flag=True,
              help="Exit with code 1 when a site's drift alarm is raised (for cron checks).")
@format_option("table", "csv", "json")
@db_option
def stats(site: str | None, by: str, fail_on_drift: bool, fmt: str, db: Path) -> None:
    """Articles per site (or month), view-count growth, field fill rates and a drift alarm.

    Fill rate: the share of a site's articles with a title, text, date, view count,
    copyright holder and language. Drift alarm: among the article pages a crawl archived for
    the first time, the share with a date or a text fell by more than 20 points from the
    site's previous crawl (both crawls with at least 5 such pages): the site probably changed
    its templates. CSV holds the per-site (or per-month) table; JSON holds everything.

    \b
    Example:
        egovcrawl stats --by month --site wuhan-gov
        egovcrawl stats --format json --fail-on-drift
    """
    with _errors(db), _open(db, ("articles", "fetches", "view_counts")) as conn:
        result = queries.stats(conn, site=site, by_month=by == "month")
    views = {v["site"]: v for v in result.views}
    fill = {f["site"]: f for f in result.fill}
    drift = {d["site"]: d for d in result.drift}
    if fmt == "json":
        click.echo(json.dumps(result.as_dict(), ensure_ascii=False, indent=1))
    elif fmt == "csv" and by == "month":
        emit(result.months, ["site", "month", "articles"], fmt)
    elif fmt == "csv":
        rows = []
        for s in result.sites:
            v, f, d = views.get(s["site"], {}), fill[s["site"]], drift.get(s["site"], {})
            rows.append({**s, "views_first": v.get("first_views"),
                         "views_latest": v.get("latest_views"), "views_growth": v.get("growth"),
                         **{f"fill_{k}": f[k] for k in queries.FILL_FIELDS},
                         "drift_alarm": d.get("alarm")})
        columns = ["site", "articles", "dated", "undated", "republished", "first_published",
                   "last_published", "views_first", "views_latest", "views_growth",
                   *(f"fill_{k}" for k in queries.FILL_FIELDS), "drift_alarm"]
        emit(rows, columns, fmt)
    else:
        _stats_tables(result, by)
    if fail_on_drift and result.flagged():
        for d in result.flagged():
            click.echo(f"Error: drift alarm for {d['site']}: {d['alarm']} (crawl "
                       f"{d['previous_crawl']} -> {d['latest_crawl']})", err=True)
        sys.exit(EXIT_PARTIAL)


def _stats_tables(result: queries.Stats, by: str) -> None:
    if not result.sites:
        click.echo("no articles in the archive", err=True)
        return
    if by == "month":
        click.secho("Articles per site and month (published date)", bold=True)
        emit(result.months, ["site", "month", "articles"], "table")
    else:
        click.secho("Articles per site", bold=True)
        emit(result.sites, ["site", "articles", "dated", "undated", "republished",
                            "first_published", "last_published"], "table")
    click.echo()
    click.secho("View counts: first and latest observation of each article", bold=True)
    if result.views:
        days = [{**v, "first_observed": (v["first_observed"] or "")[:10],
                 "last_observed": (v["last_observed"] or "")[:10]} for v in result.views]
        emit(days, ["site", "articles", "tracked", "first_views", "latest_views", "growth",
                    "first_observed", "last_observed"], "table")
    else:
        click.echo("(no view counts observed)")
    click.echo()
    click.secho("Fill rate per field (% of articles)", bold=True)
    emit(result.fill, ["site", "articles", *queries.FILL_FIELDS], "table")
    click.echo()
    click.secho("Drift: new article pages with a date / a text, previous vs latest crawl",
                bold=True)
    rows = [{"site": d["site"], "crawls": _pair(d["previous_crawl"], d["latest_crawl"]),
             "pages": _pair(d["previous_pages"], d["latest_pages"]),
             "published %": _pair(d["published_previous"], d["published_latest"]),
             "text %": _pair(d["text_previous"], d["text_latest"]),
             "alarm": ("ALARM: " + d["alarm"]) if d["alarm"] else ""} for d in result.drift]
    if rows:
        emit(rows, ["site", "crawls", "pages", "published %", "text %", "alarm"], "table",
             {"alarm": 60})
    else:
        click.echo("(no crawl has archived new article pages)")


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


def _pair(before: float | None, latest: float | None) -> str:
    """`before -> latest`, or just `latest` when a site has had one crawl."""
    return _num(latest) if before is None else f"{_num(before)} -> {_num(latest)}"


# --- runs ------------------------------------------------------------------------------------

@click.command()
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1),
              help="How many of the latest crawls.")
@format_option("table", "csv", "json")
@db_option
def runs(limit: int, fmt: str, db: Path) -> None:
    """Recent crawls with their outcome, newest first.

    new: new article rows (re-published copies included); errors: fetches that ended in an
    error (network, HTTP error status, extractor exception). A run still `running` with no
    finish time after its process is gone was killed; the next crawl completes its fetches.

    \b
    Example:
        egovcrawl runs --limit 5
    """
    with _errors(db), _open(db, ("crawls",)) as conn:
        rows = queries.runs(conn, limit=limit)
    columns = ["id", "started", "finished", "duration", "sites", "status", "requests", "new",
               "updated", "unchanged", "errors"]
    if fmt == "table" and not rows:
        click.echo("no crawls yet", err=True)
        return
    if fmt == "table":  # minutes are enough to read; CSV and JSON keep the full timestamps
        rows = [{**r, "started": _minute(r["started"]), "finished": _minute(r["finished"])}
                for r in rows]
    emit(rows, columns, fmt, {"sites": 30, "status": 30})


def _minute(iso: str | None) -> str | None:
    return iso[:16].replace("T", " ") if iso else iso


# --- query -----------------------------------------------------------------------------------

@click.command()
@click.argument("sql")
@click.option("-p", "--param", "params", type=(str, str), multiple=True, metavar="NAME VALUE",
              help="A value for :NAME in the SQL (repeatable).")
@format_option("table", "csv", "json")
@db_option
def query(sql: str, params: tuple[tuple[str, str], ...], fmt: str, db: Path) -> None:
    """Run one read-only SQL statement against the archive and print the rows.

    The file is opened read-only with PRAGMA query_only, and any statement that would write
    (INSERT, UPDATE, DELETE, CREATE, DROP, ATTACH, VACUUM, pragma assignments) is refused with
    exit code 3 before it runs. Tables and columns: docs/schema.md. CSV and JSON stream.

    \b
    Example:
        egovcrawl query "SELECT site, count(*) AS n FROM articles GROUP BY site"
        egovcrawl query "SELECT * FROM articles WHERE site = :s" -p s wuhan-gov --format csv
    """
    with _errors(db), _open(db, ()) as conn:
        cur = queries.run_sql(conn, sql, dict(params))
        if cur.description is None:
            return  # a statement without rows (BEGIN, a reading pragma with no output)
        columns = [d[0] for d in cur.description]
        emit((dict(zip(columns, r, strict=True)) for r in cur), columns, fmt)


# --- migrate ---------------------------------------------------------------------------------

@click.command()
@db_option
def migrate(db: Path) -> None:
    """Create the archive, or apply the schema migrations it lacks; print what was done.

    Safe to run any time (each migration is one transaction; applied ones are skipped). A
    file that is not SQLite, or a SQLite database that is not an egovcrawl archive, is refused
    untouched; an archive from a newer egovcrawl is refused, never downgraded.

    \b
    Example:
        egovcrawl migrate --db data/archive.db
    """
    with _errors(db):
        report = queries.migrate(db)
    if report.created:
        click.echo(f"created {db}")
    for m in report.applied:
        click.echo(f"applied migration {m['version']}: {m['name']}")
    state = "up to date" if not report.applied else f"was {report.before}"
    click.echo(f"schema version {report.version} ({state})")


# --- Datasette -------------------------------------------------------------------------------

@click.command("datasette-metadata")
@click.option("--name", default=None,
              help="Print the metadata for a database file named NAME.db instead of the path.")
def datasette_metadata(name: str | None) -> None:
    """Print the path of the Datasette metadata file shipped with egovcrawl.

    It configures facets, full-text search and canned queries (search with Chinese,
    articles per site and month, view-count series, re-published and undated articles) for a
    database called archive or demo (Datasette names a database after its file). For another
    file name, --name NAME prints the same metadata for NAME.db.

    \b
    Example:
        datasette data/archive.db -m "$(egovcrawl datasette-metadata)"
        egovcrawl datasette-metadata --name crawl2024 > meta.yml
    """
    if name is None:
        click.echo(str(queries.datasette_metadata_path()))
        return
    try:
        click.echo(queries.datasette_metadata(name), nl=False)
    except OSError as exc:
        _fail(f"cannot read the shipped metadata: {exc}", EXIT_INPUT)


COMMANDS = (search, export, stats, runs, query, migrate, datasette_metadata)


def register(group: click.Group) -> None:
    """Add the analyst commands to the main `egovcrawl` group."""
    for command in COMMANDS:
        group.add_command(command)
