"""`egovcrawl sites` (list the site profiles) and `egovcrawl sites check` (validate them).

Registered on the main group by `register(main)`. Other commands that read the site file (crawl)
reuse `sites_file_option`, `variables_option` and `load_or_exit`, so every command names the file
the same way and fails on a bad profile with the same one line and exit code.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click

from egovcrawl.exitcodes import EXIT_CONFIG
from egovcrawl.profiles import DEFAULT_SITES_PATH, ProfileError, SiteProfile, load_profiles

F = TypeVar("F", bound=Callable[..., Any])


def _parse_vars(ctx: click.Context, param: click.Parameter,
                value: Sequence[str]) -> dict[str, str]:
    variables = {}
    for item in value:
        name, sep, text = item.partition("=")
        if not sep or not name.strip():
            raise click.BadParameter(f"expected NAME=VALUE, got {item!r}", ctx, param)
        variables[name.strip()] = text
    return variables


def sites_file_option(default: str | None = DEFAULT_SITES_PATH) -> Callable[[F], F]:
    """The `--sites FILE` option (env EGOVCRAWL_SITES), passed as `sites_path`."""
    return click.option(
        "--sites", "sites_path", envvar="EGOVCRAWL_SITES", default=default,
        show_default=default is not None, type=click.Path(dir_okay=False, path_type=Path),
        help="Site profiles file (env EGOVCRAWL_SITES).")


def variables_option() -> Callable[[F], F]:
    """The repeatable `--var NAME=VALUE` option for ${NAME} placeholders, passed as `variables`."""
    return click.option(
        "--var", "variables", multiple=True, metavar="NAME=VALUE", callback=_parse_vars,
        help="Value for a ${NAME} placeholder in the file (repeatable).")


def load_or_exit(path: Path | str, variables: Mapping[str, str] | None = None
                 ) -> dict[str, SiteProfile]:
    """The file's profiles, or the one-line error on stderr and exit code EXIT_CONFIG."""
    try:
        return load_profiles(path, variables=variables)
    except ProfileError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(EXIT_CONFIG)


@click.group(invoke_without_command=True)
@sites_file_option()
@variables_option()
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="Output format of the list.")
@click.pass_context
def sites(ctx: click.Context, sites_path: Path, variables: dict[str, str], fmt: str) -> None:
    """List the site profiles (`sites check` validates them).

    The table shows each site's name, whether `crawl --all` includes it, how many start URLs,
    sitemaps and feeds it has, and its date order, language and refresh interval. JSON gives
    every key of every profile, normalised, with its profile hash.

    \b
    Example:
        egovcrawl sites --sites data/sites.toml
        egovcrawl sites --format json | jq '.[].name'
    """
    ctx.ensure_object(dict)
    ctx.obj["sites_path"] = sites_path
    ctx.obj["variables"] = variables
    if ctx.invoked_subcommand is not None:
        return
    profiles = load_or_exit(sites_path, variables)
    if fmt == "json":
        records = [{**p.as_dict(), "profile_hash": p.profile_hash} for p in profiles.values()]
        click.echo(json.dumps(records, ensure_ascii=False, indent=2))
        return
    header = ("NAME", "ENABLED", "START", "SITEMAPS", "FEEDS", "DATES", "LANG", "REFRESH")
    rows = [(p.name, "yes" if p.enabled else "no", str(len(p.start_urls)), str(len(p.sitemaps)),
             str(len(p.feeds)), p.date_order or "-", p.language or "-", f"{p.refresh_days:g}d")
            for p in profiles.values()]
    for line in _table(header, rows):
        click.echo(line)


@sites.command()
@sites_file_option(default=None)
@variables_option()
@click.pass_context
def check(ctx: click.Context, sites_path: Path | None, variables: dict[str, str]) -> None:
    """Validate the site profiles without any network: types, URLs, regexes, selectors, time
    zones, unknown keys. Prints `ok: N sites`, or one line naming file, site and key and exits
    with code 2.

    \b
    Example:
        egovcrawl sites check --sites data/sites.toml
    """
    parent = ctx.obj or {}
    path = sites_path or parent.get("sites_path") or Path(DEFAULT_SITES_PATH)
    profiles = load_or_exit(path, {**parent.get("variables", {}), **variables})
    enabled = sum(p.enabled for p in profiles.values())
    noun = "site" if len(profiles) == 1 else "sites"
    click.echo(f"ok: {len(profiles)} {noun} in {path} ({enabled} enabled)")


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    return ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            for row in (header, *rows)]


COMMANDS = (sites,)


def register(group: click.Group) -> None:
    """Add `sites` (with its `check` subcommand) to the main `egovcrawl` group."""
    for command in COMMANDS:
        group.add_command(command)
