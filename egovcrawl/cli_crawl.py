"""`egovcrawl crawl`: the cron entry point (a thin layer over `egovcrawl.crawler`)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from egovcrawl.cli_sites import sites_file_option, variables_option
from egovcrawl.exitcodes import EXIT_ARCHIVE, EXIT_CONFIG, EXIT_LOCKED, EXIT_OK

DEFAULT_DB = "data/archive.db"


def _fail(message: str, code: int) -> None:
    click.echo(f"Error: {message}", err=True)
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
              help="Print nothing on success (for cron); failures still go to stderr.")
@click.option("--log-file", type=click.Path(dir_okay=False), default=None,
              help="Write Scrapy's full log (INFO) to this file.")
@click.option("--stats-json", type=click.Path(dir_okay=False), default=None,
              help="Write the crawl's outcome and stats as JSON to this file.")
@click.option("--progress/--no-progress", default=None,
              help="Live one-line progress (default: on when stderr is a terminal).")
@click.option("--set", "-s", "scrapy_settings", multiple=True, metavar="NAME=VALUE",
              callback=_parse_settings,
              help="Override a Scrapy/egovcrawl setting, as `scrapy crawl -s` (repeatable).")
def crawl(site: tuple[str, ...], all_: bool, db: str, sites_path: Path,
          variables: dict[str, str], max_pages: int | None, quiet: bool, log_file: str | None,
          stats_json: str | None, progress: bool | None,
          scrapy_settings: dict[str, str]) -> None:
    """Crawl the named sites (or --all) into the archive, incrementally.

    Known articles are fetched again only when their refresh_days are due (with a conditional
    GET), pagination stops where nothing is new, and an interrupted crawl is completed by the
    next run. One crawl per archive at a time.

    \b
    Exit codes: 0 ok, 1 partial failure (some requests or sites failed), 2 configuration
    error (nothing fetched), 4 archive error, 75 another crawl holds the archive's lock.

    \b
    Example:
        egovcrawl crawl wuhan-gov --db data/archive.db --quiet
        egovcrawl crawl --all --sites data/sites.toml --stats-json /tmp/last-crawl.json
        egovcrawl crawl ministry -s DOWNLOAD_DELAY=2 --log-file /var/log/egovcrawl.log
    """
    from egovcrawl.crawler import LockHeld, crawl_lock, resolve_profiles, run_crawl
    from egovcrawl.crawler import write_stats_json as write_json
    from egovcrawl.profiles import ProfileError

    if not site and not all_:
        _fail("name the sites to crawl, or use --all (see: egovcrawl sites)", EXIT_CONFIG)
    try:
        profiles = resolve_profiles(sites_path, site, all_=all_, variables=variables)
    except ProfileError as exc:
        _fail(str(exc), EXIT_CONFIG)
    if not profiles:
        _fail(f"{sites_path}: no enabled sites to crawl", EXIT_CONFIG)
    try:
        with crawl_lock(db):
            _check_archive(db)
            overrides: dict[str, object] = {"LOG_LEVEL": "ERROR" if quiet else "WARNING",
                                            **scrapy_settings}
            if log_file:
                overrides.update(LOG_FILE=log_file, LOG_LEVEL="INFO")
            show = progress if progress is not None else (sys.stderr.isatty() and not quiet)
            overrides["EGOVCRAWL_PROGRESS"] = bool(show)
            result = run_crawl(profiles, db, sites_path, variables=variables,
                               max_pages=max_pages, overrides=overrides)
    except LockHeld as exc:
        _fail(f"{exc}; not crawling", EXIT_LOCKED)
    except OSError as exc:
        _fail(f"cannot lock {db}: {exc.strerror or exc}", EXIT_ARCHIVE)
    if stats_json:
        write_json(stats_json, result)
    if result.exit_code == EXIT_OK and quiet:
        return
    _print_summary(result, err=result.exit_code != EXIT_OK)
    sys.exit(result.exit_code)


def _check_archive(db: str) -> None:
    """Open (and migrate) the archive before any request: a corrupt or foreign file is one
    clear error, not a crawl whose every page is lost."""
    from egovcrawl.storage import Archive

    path = Path(db)
    if path.exists() and path.is_dir():
        _fail(f"{db} is a directory, not an archive file", EXIT_ARCHIVE)
    try:
        Archive.open(path).close()
    except Exception as exc:  # sqlite3 and ArchiveError alike: say what and stop
        _fail(f"cannot open archive {db}: {exc}", EXIT_ARCHIVE)


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
                   + ("  circuit breaker open" if s.breaker_open else ""))
    if result.message:
        out.append(result.message)
    click.echo("\n".join(out), err=err)
