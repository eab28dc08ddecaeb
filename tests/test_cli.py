"""The CLI's commands run for real (click's runner) and fail with one line and an exit code."""

import json
from pathlib import Path

from click.testing import CliRunner

from egovcrawl.cli import EXIT_INPUT, main

SAMPLES = Path(__file__).resolve().parent.parent / "egovcrawl" / "samples"


def test_demo_shows_every_sample_with_its_key_fields():
    result = CliRunner().invoke(main, ["demo"])
    assert result.exit_code == 0, result.output
    out = result.output
    for entry in json.loads((SAMPLES / "samples.json").read_text(encoding="utf-8")):
        assert entry["file"] in out
    assert "43" in out and "good news" in out and "Theme By Ameli" in out
    assert "鄂ICP备05003305号" in out
    assert "total=39463192" in out


def test_demo_json_records_are_the_truth_of_the_samples():
    result = CliRunner().invoke(main, ["demo", "--json"])
    assert result.exit_code == 0, result.output
    listing, wordpress, gov = (json.loads(line) for line in result.output.splitlines())

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
