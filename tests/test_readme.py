"""The README's quick start is what CI runs: a drifted README fails here, not for a new user."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def quick_start_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", section, flags=re.S)


def test_quick_start_is_two_commands_install_and_demo_then_tests():
    commands = quick_start_commands()
    assert len(commands) == 2
    demo, tests = commands
    assert "pip install" in demo and demo.rstrip().endswith("egovcrawl demo")
    assert "pip install" in tests and "pytest" in tests


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_part = quick_start_commands()[1].split("&&", 2)[-1].strip()  # after venv + activate
    assert test_part in ci, f"CI does not run the README's test command: {test_part}"
    assert "egovcrawl demo" in ci
