"""The README and the packaging keep up with the code."""

from __future__ import annotations

import argparse
import re
import tomllib
from pathlib import Path

from passgate.cli import build_parser
from passgate.config import Settings, markdown_table

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


def _subparser(parser: argparse.ArgumentParser, *names: str) -> argparse.ArgumentParser:
    for name in names:
        action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        parser = action.choices[name]
    return parser


def test_the_readme_command_table_names_every_option_of_mail_last():
    readme = (ROOT / "README.md").read_text()
    row = next(line for line in readme.splitlines() if line.startswith("| `passgate mail last"))
    options = {
        flag
        for action in _subparser(build_parser(), "mail", "last")._actions
        for flag in action.option_strings
        if flag.startswith("--") and flag not in {"--help", "--mail-dir", "--config"}
    }
    assert options == {"--to", "--print", "--since", "--wait"}
    assert all(f"[{flag} " in row for flag in options), row
    assert "`--wait` waits only while no matching link exists" in row


def test_the_quick_start_states_the_default_key_rate_and_how_to_raise_it():
    readme = (ROOT / "README.md").read_text()
    quick_start = readme[readme.index("## Two commands") : readme.index("## Using it")]
    assert f"`--key-rate {Settings().key_rate}`" in quick_start
    assert "apikey create --name my-backend --rate 600/1m" in quick_start
    assert (
        _subparser(build_parser(), "apikey", "create")
        .parse_args(["--name", "my-backend", "--rate", "600/1m"])
        .rate
    )
