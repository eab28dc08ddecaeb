"""The `egovcrawl` command: a thin click layer over the library.

Errors are one line on stderr and a non-zero exit code; data goes to stdout as a table on a
terminal, or JSON on request, so the commands compose in shell pipelines and cron jobs.
"""

from __future__ import annotations

import json
import sys
from importlib import resources
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
@click.option("--json", "as_json", is_flag=True, help="Print the extracted records as JSON lines.")
def demo(as_json: bool) -> None:
    """Extract the bundled sample e-government pages and summarise what was found.

    The samples reproduce the traps of real sites: a header widget with today's date, a site-wide
    visitor counter, a re-published article with its source, a GBK page declaring gb2312, and
    copyright footers with theme credits and ICP numbers.

    \b
    Example:
        egovcrawl demo
    """
    from egovcrawl.extract import extract_page

    samples = resources.files("egovcrawl") / "samples"
    manifest = json.loads((samples / "samples.json").read_text(encoding="utf-8"))
    for entry in manifest:
        body = (samples / entry["file"]).read_bytes()
        page = extract_page(body, entry["url"], encoding=entry["http_encoding"])
        if as_json:
            click.echo(json.dumps(page.to_dict(), ensure_ascii=False))
            continue
        click.secho(f"\n{entry['file']}", bold=True)
        click.echo(f"  {entry['about']}")
        for label, value in _summary(page):
            click.echo(f"  {label:<13} {value}")


def _summary(page) -> list[tuple[str, str]]:
    def date(d) -> str:
        return f"{d.iso()}  ({d.source}: {d.raw!r})" if d else "-"

    rows = [
        ("kind", page.page_kind),
        ("title", page.title or "-"),
        ("country", page.country or "-"),
        ("language", f"{page.language or '-'}  (decoded as {page.encoding})"),
        ("published", date(page.published)),
        ("updated", date(page.updated)),
        ("views", "-" if page.views is None else str(page.views)),
    ]
    if page.site_counter:
        c = page.site_counter
        rows.append(("site counter", f"today={c.today} yesterday={c.yesterday} total={c.total}"))
    if page.copyright:
        c = page.copyright
        rows.append(("copyright", f"holder={c.holder!r} year={c.year} credit={c.credit!r}"
                                  + (f" icp={c.icp}" if c.icp else "")))
    if page.source:
        rows.append(("source", page.source.name or page.source.url or "-"))
    if page.text:
        first = page.text.split("\n\n", 1)[0]
        more = "…" if len(first) > 70 else ""
        rows.append(("text", f"{len(page.text)} chars: {first[:70]}{more}"))
    if page.links:
        rows.append(("links", f"{len(page.links)} article links, next page: {page.next or '-'}"))
        rows.extend(("", f"- {link.title[:70]}") for link in page.links[:5])
    return rows


def _register_archive_commands() -> None:
    from egovcrawl.cli_archive import register
    from egovcrawl.cli_sites import register as register_sites

    register(main)
    register_sites(main)


_register_archive_commands()


if __name__ == "__main__":
    main()
