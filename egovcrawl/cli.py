"""The `egovcrawl` command: a thin click layer over the library.

Errors are one line on stderr and a non-zero exit code; data goes to stdout as a table on a
terminal, or JSON on request, so the commands compose in shell pipelines and cron jobs.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from egovcrawl import __version__

EXIT_OK = 0
EXIT_USAGE = 2  # click's own code for bad options and arguments
EXIT_INPUT = 3  # an input file could not be read or is not a web page


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="egovcrawl")
def main() -> None:
    """Crawl e-government news sites into a faithful SQLite archive."""


@main.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--url", default=None, help="URL the page was fetched from (default: file:// URL).")
@click.option("--encoding", "http_encoding", default=None,
              help="Charset the HTTP header declared, if any (the bytes still decide).")
@click.option("--date-order", type=click.Choice(["DMY", "MDY", "YMD"]), default=None,
              help="Day/month order the site uses, for dates like 03/07/2024.")
@click.option("--language", default=None, help="ISO 639-1 language of the site, if known.")
def extract(path: Path, url: str | None, http_encoding: str | None, date_order: str | None,
            language: str | None) -> None:
    """Extract article fields from a saved HTML page and print them as JSON.

    \b
    Example:
        egovcrawl extract saved/page.html --url https://www.example.gov.cn/art/2024/7/3/1.html
    """
    from egovcrawl.extract import ExtractionError, SiteHints, extract_page

    try:
        body = path.read_bytes()
    except OSError as exc:
        raise click.ClickException(f"cannot read {path}: {exc.strerror or exc}") from None
    hints = SiteHints(date_order=date_order, language=language)  # type: ignore[arg-type]
    try:
        page = extract_page(body, url or path.resolve().as_uri(), encoding=http_encoding,
                            hints=hints)
    except ExtractionError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(EXIT_INPUT)
    click.echo(json.dumps(page.to_dict(), ensure_ascii=False, indent=2))


@main.command()
@click.option("--db", default="data/demo.db", show_default=True,
              help="Where to build the demo archive (rebuilt on every run).")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def demo(db: str, as_json: bool) -> None:
    """Crawl the bundled sample sites over loopback into SQLite and summarise the archive.

    Three sites are served on 127.0.0.1 (a Joomla-style research portal, a WordPress
    re-publisher, a GBK gov.cn-style portal) with the traps of real sites: today's date in a
    header widget, a site-wide visitor counter, re-published articles, robots.txt, sitemaps,
    a feed, pagination, an endless calendar, a PDF, a 404, duplicate URLs. The real spider and
    pipelines crawl them into --db; then articles per site are listed with their date, views and
    copyright holder, and sample searches are run. No internet needed.

    \b
    Example:
        egovcrawl demo
        sqlite-utils tables data/demo.db --counts
    """
    from egovcrawl.demo import run_demo

    result = run_demo(db)
    if as_json:
        click.echo(json.dumps(vars(result), ensure_ascii=False, indent=2, default=str))
    else:
        _print_demo(result)
    sys.exit(result.exit_code)


def _n(value: object) -> str:
    return "-" if value is None else str(value)


def _print_demo(result) -> None:
    by_site: dict[str, list[dict]] = {}
    for art in result.articles:
        by_site.setdefault(art["site"], []).append(art)
    counters = {c["site"]: c for c in result.counters}
    click.secho(f"Crawled {len(by_site)} sample sites over 127.0.0.1 into {result.db}: "
                f"{result.fetches} fetches recorded, {len(result.articles)} articles archived.",
                bold=True)
    for site, articles in by_site.items():
        req = result.requests.get(site)
        click.secho(f"\n{site}: {len(articles)} articles"
                    + (f" ({req} requests)" if req is not None else ""), bold=True)
        if site in counters:
            c = counters[site]
            click.echo(f"  site visitor counter (not article views): today {_n(c['today'])}, "
                       f"yesterday {_n(c['yesterday'])}, total {_n(c['total'])}")
        click.echo(f"  {'#':>3} {'published':<17} {'views':>6}  {'copyright holder':<22} title")
        for art in articles:
            title = (art["title"] or "-")
            dup = (f"  [near-duplicate of article #{art['duplicate_of']}]"
                   if art["duplicate_of"] else "")
            click.echo(f"  {art['id']:>3} {(art['published'] or 'undated')[:16]:<17} "
                       f"{'-' if art['views'] is None else art['views']:>6}  "
                       f"{(art['copyright_holder'] or '-')[:22]:<22} {title[:60]}{dup}")
    for query, hits in result.searches.items():
        click.secho(f"\nsearch {query!r}: {len(hits)} hits", bold=True)
        for hit in hits:
            click.echo(f"  {hit['site']}: {hit['title']}")
            if hit.get("snippet"):
                click.echo(f"      {hit['snippet'][:110]}")
    if result.message:
        click.echo(f"\n{result.message}", err=True)
    click.echo(f"\nExplore it: egovcrawl search 'e-government' --db {result.db}  ·  "
               f"sqlite-utils tables {result.db} --counts")


def _register_archive_commands() -> None:
    from egovcrawl import cli_archive, cli_crawl, cli_query, cli_sites

    cli_archive.register(main)
    cli_crawl.register(main)
    cli_sites.register(main)
    cli_query.register(main)


_register_archive_commands()


if __name__ == "__main__":
    main()
