"""`egovcrawl crawl`: the cron entry point (a thin layer over `egovcrawl.crawler`)."""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

import click

from egovcrawl.cli_sites import sites_file_option, variables_option
from egovcrawl.exitcodes import EXIT_ARCHIVE, EXIT_CONFIG, EXIT_LOCKED, EXIT_OK

DEFAULT_DB = "data/archive.db"


STATUS = {EXIT_CONFIG: "config-error", EXIT_ARCHIVE: "archive-error", EXIT_LOCKED: "locked"}


def _fail(message: str, code: int, stats_json: str | None = None) -> None:
    """The one-line error and its exit code; with `stats_json`, the outcome goes there too,
    so a monitor reading the last crawl's JSON never sees an older run's as this one's."""
    click.echo(f"Error: {message}", err=True)
    if stats_json:
        from egovcrawl.crawler import CrawlResult, write_stats_json

        with contextlib.suppress(OSError):
            write_stats_json(stats_json, CrawlResult(code, STATUS.get(code, "error"),
                                                     message=message))
    sys.exit(code)


def _parse_settings(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
                    ) -> dict[str, str]:
    out = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"expected NAME=VALUE, got {item!r}")
        out[name.strip()] = value
    return out


def register(main: click.Group) -> None:
    main.add_command(crawl)


@click.command()
@click.argument("site", nargs=-1)
@click.option("--all", "all_", is_flag=True, help="Crawl every enabled site of the profile file.")
@click.option("--db", default=lambda: os.environ.get("EGOVCRAWL_ARCHIVE", DEFAULT_DB),
              show_default=DEFAULT_DB, help="The SQLite archive (env EGOVCRAWL_ARCHIVE).")
@sites_file_option()
@variables_option()
@click.option("--max-pages", type=click.IntRange(min=1), default=None,
              help="Fetch at most N pages per site in this run (the next run backfills).")
@click.option("--quiet", "-q", is_flag=True,
              help="Print nothing on success (for cron); a failure still prints its summary "
                   "(one line per site) on stderr. Scrapy's log goes only to --log-file.")
@click.option("--log-file", type=click.Path(dir_okay=False), default=None,
              help="Write Scrapy's full log (INFO) to this file.")
@click.option("--stats-json", type=click.Path(dir_okay=False), default=None,
              help="Write the crawl's outcome and stats as JSON to this file (when the "
                   "crawl cannot start: its exit code, status and error).")
@click.option("--busy-timeout", type=click.FloatRange(min=0), default=30.0, show_default=True,
              metavar="SECONDS",
              help="How long to wait for another writer's lock on the archive before giving "
                   "up with exit code 4.")
@click.option("--progress/--no-progress", default=None,
              help="Live one-line progress (default: on when stderr is a terminal).")
@click.option("--set", "-s", "scrapy_settings", multiple=True, metavar="NAME=VALUE",
              callback=_parse_settings,
              help="Override a Scrapy/egovcrawl setting, as `scrapy crawl -s` (repeatable).")
def crawl(site: tuple[str, ...], all_: bool, db: str, sites_path: Path,
          variables: dict[str, str], max_pages: int | None, quiet: bool, log_file: str | None,
          stats_json: str | None, busy_timeout: float, progress: bool | None,
          scrapy_settings: dict[str, str]) -> None:
    """Crawl the named sites (or --all) into the archive, incrementally.

    Known articles are fetched again only when their refresh_days are due (with a conditional
    GET), pagination stops where nothing is new, and an interrupted (even killed) crawl is
    completed by the next run. One crawl per archive at a time.

    \b
    Exit codes (every error is one line on stderr):
      0   ok
      1   partial failure: some requests or sites failed (network errors, 5xx/429 after
          retries, a site that answered nothing), or the crawl stopped early; what was
          fetched is archived
      2   configuration error: bad or missing site profile file, unknown site name, no
          site given, bad option; nothing fetched, no archive created
      4   archive error: --db is a directory, not SQLite, corrupt, read-only or in a
          directory that cannot be written, or another writer kept it locked longer
          than --busy-timeout (nothing fetched); or writing failed during the crawl
          (the crawl stops; what was committed stays)
      75  another crawl holds the archive's lock (<db>.lock): returns at once, nothing
          touched (EX_TEMPFAIL: try later)

    \b
    Example:
        egovcrawl crawl wuhan-gov --db data/archive.db --quiet
        egovcrawl crawl --all --sites data/sites.toml --stats-json /tmp/last-crawl.json
        egovcrawl crawl ministry -s DOWNLOAD_DELAY=2 --log-file /var/log/egovcrawl.log
    """
    from egovcrawl.crawler import (
        ArchiveUnusable,
        LockHeld,
        check_archive,
        crawl_lock,
        precheck_archive,
        resolve_profiles,
        run_crawl,
    )
    from egovcrawl.crawler import write_stats_json as write_json
    from egovcrawl.profiles import ProfileError

    for option, path in (("--log-file", log_file), ("--stats-json", stats_json)):
        if path:
            _check_output(option, path)
    if not site and not all_:
        _fail("name the sites to crawl, or use --all (see: egovcrawl sites)", EXIT_CONFIG,
              stats_json)
    try:
        profiles = resolve_profiles(sites_path, site, all_=all_, variables=variables)
    except ProfileError as exc:
        _fail(str(exc), EXIT_CONFIG, stats_json)
    if not profiles:
        _fail(f"{sites_path}: no enabled sites to crawl", EXIT_CONFIG, stats_json)
    with contextlib.ExitStack() as held:
        try:
            precheck_archive(db)  # before the lock: a PNG or a directory gets no .lock beside it
            held.enter_context(crawl_lock(db))
            check_archive(db, busy_timeout=busy_timeout)
        except LockHeld as exc:
            _fail(f"{exc}; not crawling", EXIT_LOCKED, stats_json)
        except ArchiveUnusable as exc:
            _fail(str(exc), EXIT_ARCHIVE, stats_json)
        except (FileExistsError, NotADirectoryError):
            _fail(f"cannot use {db}: {_first_file(Path(db).parent)} is not a directory",
                  EXIT_ARCHIVE, stats_json)
        except OSError as exc:
            _fail(f"cannot create the lock file {db}.lock: {exc.strerror or exc}", EXIT_ARCHIVE,
                  stats_json)
        overrides: dict[str, object] = {"LOG_LEVEL": "CRITICAL" if quiet else "WARNING"}
        if log_file:
            overrides.update(LOG_FILE=log_file, LOG_LEVEL="INFO")
        show = progress if progress is not None else (sys.stderr.isatty() and not quiet)
        overrides["EGOVCRAWL_PROGRESS"] = bool(show)
        overrides.update(scrapy_settings)  # -s LOG_LEVEL=DEBUG wins over the defaults above
        result = run_crawl(profiles, db, sites_path, variables=variables, max_pages=max_pages,
                           overrides=overrides)
    if stats_json:
        try:
            write_json(stats_json, result)
        except OSError as exc:
            click.echo(f"Error: cannot write {stats_json}: {exc.strerror or exc}", err=True)
    if result.exit_code == EXIT_OK and quiet:
        return
    _print_summary(result, err=result.exit_code != EXIT_OK)
    sys.exit(result.exit_code)


def _first_file(path: Path) -> Path:
    """The ancestor of `path` that exists and is not a directory (why mkdir failed)."""
    for parent in (path, *path.parents):
        if parent.exists() and not parent.is_dir():
            return parent
    return path


def _check_output(option: str, path: str) -> None:
    """An output file whose directory is missing or not writable is a config error found
    before the crawl, not a traceback after it."""
    parent = Path(path).parent
    if not parent.is_dir():
        _fail(f"{option} {path}: directory {parent} does not exist", EXIT_CONFIG)
    target = Path(path)
    if not os.access(target if target.exists() else parent, os.W_OK):
        _fail(f"{option} {path}: not writable", EXIT_CONFIG)


def _print_summary(result: object, *, err: bool) -> None:
    from egovcrawl.crawler import CrawlResult

    assert isinstance(result, CrawlResult)
    out = []
    a = result.articles
    out.append(f"crawl {result.status}: new {a.get('new', 0)}, duplicates "
               f"{a.get('duplicate', 0)}, updated {a.get('updated', 0)}, unchanged "
               f"{a.get('unchanged', 0)}, errors {a.get('error', 0)}")
    for s in result.sites.values():
        flag = "FAILED" if s.failed else "ok"
        out.append(f"  {s.name:<24} {flag:<6} requests {s.requests:>6}  pages {s.pages:>6}  "
                   f"fetch errors {s.fetch_errors}  server errors {s.server_errors}"
                   + ("  circuit breaker open" if s.breaker_open else "")
                   + (f"  refused by robots.txt {s.robots_refused}" if s.robots_refused else ""))
    if result.message:
        out.append(result.message)
    click.echo("\n".join(out), err=err)
