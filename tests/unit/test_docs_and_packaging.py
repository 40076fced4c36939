"""The README and the packaging keep up with the code."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from passgate.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]


def _serve_flags() -> list[str]:
    parser = build_parser()
    verbs = next(a for a in parser._actions if a.dest == "command")
    serve = verbs.choices["serve"]  # type: ignore[index]
    return [
        s for a in serve._actions for s in a.option_strings if s.startswith("--") and s != "--help"
    ]


def test_the_readme_documents_every_serve_flag_and_its_variable():
    readme = (ROOT / "README.md").read_text()
    missing = [
        flag
        for flag in _serve_flags()
        if f"`{flag}`" not in readme
        or f"PASSGATE_{flag[2:].replace('-', '_').upper()}" not in readme
    ]
    assert missing == []


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
