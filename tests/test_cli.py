"""The CLI's commands run for real (click's runner) and fail with one line and an exit code."""

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from egovcrawl.cli import EXIT_INPUT, main

SAMPLES = Path(__file__).resolve().parent.parent / "egovcrawl" / "samples"


def _extract_samples() -> list[dict]:
    """`egovcrawl extract` over the bundled single-page samples (modelled on the seed pages)."""
    out = []
    for entry in json.loads((SAMPLES / "samples.json").read_text(encoding="utf-8")):
        args = ["extract", str(SAMPLES / entry["file"]), "--url", entry["url"]]
        if entry["http_encoding"]:
            args += ["--encoding", entry["http_encoding"]]
        result = CliRunner().invoke(main, args)
        assert result.exit_code == 0, result.output
        out.append(json.loads(result.output))
    return out


def test_demo_crawls_the_sample_sites_into_sqlite_and_summarises(tmp_path: Path) -> None:
    db = tmp_path / "demo.db"
    proc = subprocess.run([sys.executable, "-m", "egovcrawl.cli", "demo", "--db", str(db)],
                          capture_output=True, text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-2000:]
    out = proc.stdout
    for site in ("egov-research", "goodnews", "wuhan-gov"):
        assert f"{site}: " in out
    # the traps: the visitor counter is reported as such, never as an article's views
    assert "today 284, yesterday 662, total 39463192" in out
    assert "Wuhan ranks 5th for digital governance development" in out
    assert "武汉市人民政府办公厅" in out and "good news" in out
    assert "search '数字政府'" in out
    conn = sqlite3.connect(db)
    try:
        n = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        views = conn.execute("SELECT views FROM articles WHERE title = ?",
                             ("Wuhan ranks 5th for digital governance development",)).fetchone()
    finally:
        conn.close()
    assert n >= 30 and views == (43,)
    assert f"{n} articles archived" in out


def test_samples_extract_to_the_truth_of_the_pages():
    listing, wordpress, gov = _extract_samples()

    assert listing["page_kind"] == "listing"
    assert listing["title"] == "China"  # the section, not its first teaser
    assert listing["published"] is None  # the header shows today's date, not a publication date
    assert listing["site_counter"] == {"today": 284, "yesterday": 662, "total": 39463192,
                                       "raw": listing["site_counter"]["raw"]}
    assert listing["views"] is None
    assert len(listing["links"]) == 5
    assert listing["links"][1]["title"].startswith("CN: Shanghai: Qingpu district")
    assert listing["next"] == "https://egov-research.example.org/index.php/china?start=5"

    assert wordpress["page_kind"] == "article"
    assert wordpress["title"] == "Wuhan ranks 5th for digital governance development"
    assert wordpress["published"]["value"].startswith("2020-08-20")
    assert wordpress["views"] == 43
    assert wordpress["copyright"]["holder"] == "good news"
    assert wordpress["copyright"]["year"] == 2020
    assert wordpress["copyright"]["credit"] == "Theme By Ameli"
    assert wordpress["source"]["name"] == "chinadaily.com.cn"
    assert "Go to top" not in wordpress["text"] and "43 Views" not in wordpress["text"]
    assert "Hangzhou city brain" not in wordpress["text"]

    assert gov["encoding"] == "gb18030"
    assert "镕钢产业园区" in gov["text"]
    assert gov["published"]["value"].startswith("2024-07-03T10:30")
    assert gov["views"] == 1234
    assert gov["source"]["name"] == "长江日报"
    assert gov["copyright"]["holder"] == "武汉市人民政府办公厅"
    assert gov["copyright"]["icp"] == "鄂ICP备05003305号"
    assert gov["site_counter"]["total"] == 12345678
    assert gov["language"] == "zh"


def test_extract_prints_json(tmp_path):
    page = tmp_path / "p.html"
    page.write_text("<html><head><title>Pressemitteilung: Neues Bürgerportal</title></head>"
                    "<body><h1>Neues Bürgerportal</h1><p>Veröffentlicht am 3. Juli 2024</p>"
                    "</body></html>", encoding="utf-8")
    result = CliRunner().invoke(main, ["extract", str(page), "--url", "https://land.example.de/pm/1"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["url"] == "https://land.example.de/pm/1"
    assert data["title"] == "Neues Bürgerportal"


def test_extract_missing_file_is_one_line_error(tmp_path):
    result = CliRunner().invoke(main, ["extract", str(tmp_path / "nope.html")])
    assert result.exit_code == 1
    assert result.output.strip().startswith("Error: cannot read")
    assert len(result.output.strip().splitlines()) == 1


def test_extract_binary_file_exits_with_input_code(tmp_path):
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(b"%PDF-1.7\n" + bytes(100))
    result = CliRunner().invoke(main, ["extract", str(pdf)])
    assert result.exit_code == EXIT_INPUT
    assert "binary" in result.output


def test_every_command_documents_an_example():
    for name, command in main.commands.items():
        assert "Example:" in (command.help or ""), f"`egovcrawl {name} --help` has no example"
