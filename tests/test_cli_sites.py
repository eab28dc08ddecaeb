"""`egovcrawl sites` and `egovcrawl sites check`, run through click's runner."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from egovcrawl import cli, exitcodes
from egovcrawl.cli import main
from egovcrawl.profiles import load_profiles

EXAMPLE = Path(__file__).resolve().parent.parent / "sites.example.toml"

PLACEHOLDER_SITES = """
[sites.local]
start_urls = ["http://127.0.0.1:${PORT}/gov/"]
date_order = "YMD"
"""


def run(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(main, list(args), env=env)


def test_exit_codes_are_distinct_and_extract_keeps_its_code():
    codes = [exitcodes.EXIT_OK, exitcodes.EXIT_PARTIAL, exitcodes.EXIT_CONFIG,
             exitcodes.EXIT_INPUT, exitcodes.EXIT_ARCHIVE, exitcodes.EXIT_LOCKED]
    assert codes == [0, 1, 2, 3, 4, 75]
    assert cli.EXIT_INPUT == exitcodes.EXIT_INPUT


def test_sites_lists_profiles_as_a_table():
    result = run("sites", "--sites", str(EXAMPLE))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["NAME", "ENABLED", "START", "SITEMAPS", "FEEDS", "DATES", "LANG",
                                "REFRESH"]
    assert [line.split() for line in lines[1:]] == [
        ["wuhan-example", "yes", "2", "0", "0", "YMD", "zh", "7d"],
        ["bmi-example", "yes", "1", "1", "0", "DMY", "de", "7d"],
        ["egov-news-example", "no", "1", "0", "1", "MDY", "en", "3d"],
    ]
    # columns are aligned: every row starts its second column at the same place
    assert len({line.index(" yes") if " yes" in line else line.index(" no")
                for line in lines[1:]}) == 1


def test_sites_json_gives_every_key_and_the_hash():
    result = run("sites", "--sites", str(EXAMPLE), "--format", "json")
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    profiles = load_profiles(EXAMPLE)
    assert [r["name"] for r in records] == list(profiles)
    for record in records:
        profile = profiles[record["name"]]
        assert record == {**profile.as_dict(), "profile_hash": profile.profile_hash}


def test_check_ok():
    result = run("sites", "check", "--sites", str(EXAMPLE))
    assert result.exit_code == 0, result.output
    assert result.stdout == f"ok: 3 sites in {EXAMPLE} (2 enabled)\n"


def test_check_takes_the_file_from_the_group_or_the_environment(tmp_path):
    one = tmp_path / "one.toml"
    one.write_text('[sites.a]\nstart_urls = ["https://a.example.org/"]\n', encoding="utf-8")
    result = run("sites", "--sites", str(one), "check")
    assert result.exit_code == 0 and result.stdout == f"ok: 1 site in {one} (1 enabled)\n"
    result = run("sites", "check", env={"EGOVCRAWL_SITES": str(one)})
    assert result.exit_code == 0 and result.stdout.startswith("ok: 1 site in ")


def test_check_bad_profile_is_one_line_and_exit_2(tmp_path):
    bad = tmp_path / "sites.toml"
    bad.write_text('[sites.wuhan]\nstart_urls = ["https://www.example.gov.cn/"]\n'
                   'date_order = "DYM"\n', encoding="utf-8")
    for args in (["sites", "check", "--sites", str(bad)], ["sites", "--sites", str(bad)]):
        result = run(*args)
        assert result.exit_code == exitcodes.EXIT_CONFIG == 2
        assert result.stdout == ""
        assert result.stderr == (f"Error: {bad}: site 'wuhan': key 'date_order': must be one "
                                 f"of DMY, MDY, YMD (got 'DYM')\n")


def test_missing_default_file_says_how_to_create_it(tmp_path):
    runner = CliRunner()
    with runner.isolated_filesystem(temp_dir=tmp_path):
        result = runner.invoke(main, ["sites", "check"])
    assert result.exit_code == 2
    assert result.stderr == ("Error: data/sites.toml: no such file (to start one: "
                             "cp sites.example.toml data/sites.toml, then edit it)\n")


def test_placeholders_from_var_options(tmp_path):
    path = tmp_path / "demo.toml"
    path.write_text(PLACEHOLDER_SITES, encoding="utf-8")
    result = run("sites", "check", "--sites", str(path))
    assert result.exit_code == 2
    assert "unknown placeholder ${PORT}" in result.stderr
    result = run("sites", "--sites", str(path), "--var", "PORT=8123", "check")
    assert result.exit_code == 0, result.output
    result = run("sites", "--sites", str(path), "--var", "PORT=8123", "--format", "json")
    assert json.loads(result.stdout)[0]["start_urls"] == ["http://127.0.0.1:8123/gov/"]
    result = run("sites", "check", "--sites", str(path), "--var", "PORT")
    assert result.exit_code == 2
    assert "expected NAME=VALUE, got 'PORT'" in result.output


@pytest.mark.parametrize("args", [["sites"], ["sites", "check"]])
def test_help_has_an_example(args):
    result = run(*args, "--help")
    assert result.exit_code == 0
    assert "Example:" in result.stdout and "egovcrawl sites" in result.stdout
