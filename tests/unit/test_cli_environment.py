"""Every value flag also reads PASSGATE_<FLAG>; the command line wins."""

from __future__ import annotations

import argparse

import pytest

from passgate.cli import build_parser


def _value_flags(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _value_flags(sub, (*path, name))
        elif (
            action.option_strings
            and action.nargs is None
            and not isinstance(action, argparse._StoreTrueAction | argparse._AppendAction)
            and action.dest != "help"
        ):
            yield path, action


def test_every_value_flag_reads_its_variable(monkeypatch: pytest.MonkeyPatch):
    flags = list(_value_flags(build_parser()))
    assert len(flags) > 40
    for path, action in flags:
        flag = action.option_strings[0]
        variable = "PASSGATE_" + flag[2:].replace("-", "_").upper()
        assert variable in (action.help or ""), f"{' '.join(path)} {flag}"


def test_the_variable_fills_a_required_flag_and_the_command_line_wins(
    monkeypatch: pytest.MonkeyPatch,
):
    monkeypatch.setenv("PASSGATE_NAME", "from-env")
    monkeypatch.setenv("PASSGATE_KEY_RATE", "7/1s")
    parser = build_parser()
    assert parser.parse_args(["apikey", "create"]).name == "from-env"
    assert parser.parse_args(["apikey", "create", "--name", "cli"]).name == "cli"
    assert str(parser.parse_args(["serve"]).key_rate) == "7/1s"
    assert str(parser.parse_args(["serve", "--key-rate", "9/1m"]).key_rate) == "9/1m"
