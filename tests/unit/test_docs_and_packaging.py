"""The README and the packaging keep up with the code."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from passgate.config import markdown_table

ROOT = Path(__file__).resolve().parents[2]


def test_the_readme_configuration_table_is_the_one_derived_from_the_declarations():
    readme = (ROOT / "README.md").read_text()
    assert markdown_table() in readme, "run scripts/readme_settings"


def test_every_server_package_is_listed_for_the_wheel():
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        "passgate." + ".".join(p.relative_to(ROOT / "server" / "passgate").parts)
        for p in (ROOT / "server" / "passgate").rglob("*")
        if p.is_dir() and p.name != "__pycache__" and any(p.iterdir())
    }
    assert found - listed == set()


def test_the_readme_gives_the_two_commands_that_ci_runs():
    readme = (ROOT / "README.md").read_text()
    assert "scripts/serve" in readme and "scripts/test" in readme
    assert re.search(r"exec scripts/test\b", (ROOT / ".ci" / "run").read_text())
