"""Archive commands for the `egovcrawl` CLI, defined here for the lead to register:

    from egovcrawl.cli_archive import register
    register(main)          # adds `egovcrawl reextract`

Each command is a thin layer over `egovcrawl.storage`; errors are one line on stderr and a
non-zero exit code.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

DEFAULT_ARCHIVE = "data/archive.db"
EXIT_INPUT = 3  # same meaning as in egovcrawl.cli: an input could not be read


@click.command()
@click.option("--db", "--archive", "archive_path", envvar="EGOVCRAWL_ARCHIVE",
              default=DEFAULT_ARCHIVE, show_default=True,
              type=click.Path(dir_okay=False, path_type=Path),
              help="SQLite archive (env EGOVCRAWL_ARCHIVE).")
@click.option("--site", default=None, help="Only this site's stored pages (default: all).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def reextract(archive_path: Path, site: str | None, as_json: bool) -> None:
    """Re-run the current extractor over the stored page bodies, without any network.

    Changed titles and texts become versions (article_versions), other changed fields rows in
    article_changes, all tied to a reextract_runs row.

    \b
    Example:
        egovcrawl reextract --site wuhan-gov --db data/archive.db
    """
    from egovcrawl.storage import Archive, ArchiveError
    from egovcrawl.storage.reextract import reextract as run

    if not archive_path.exists():
        click.echo(f"Error: no archive at {archive_path}", err=True)
        sys.exit(EXIT_INPUT)
    try:
        archive = Archive.open(archive_path)
    except ArchiveError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(EXIT_INPUT)
    try:
        report = run(archive, site=site)
    finally:
        archive.close()
    if as_json:
        click.echo(json.dumps(report.as_dict(), ensure_ascii=False))
        return
    outcomes = ", ".join(f"{k} {v}" for k, v in sorted(report.outcomes.items())) or "nothing"
    click.echo(f"re-extracted {report.fetches} stored pages"
               f"{' of ' + site if site else ''}: {report.changed} articles changed "
               f"({outcomes}); run {report.run_id}")


COMMANDS = (reextract,)


def register(group: click.Group) -> None:
    """Add the archive commands to the main `egovcrawl` group."""
    for command in COMMANDS:
        group.add_command(command)
