"""Every setting is read from a flag, else PASSGATE_<SETTING>, else the
config file, else its default; `passgate config` says which won."""

from __future__ import annotations

import argparse
import base64
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from passgate.cli import build_parser, main


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


def test_every_value_flag_reads_its_variable():
    flags = list(_value_flags(build_parser()))
    assert len(flags) > 40
    for path, action in flags:
        flag = action.option_strings[0]
        variable = "PASSGATE_" + flag[2:].replace("-", "_").upper()
        assert variable in (action.help or ""), f"{' '.join(path)} {flag}"


def _config(cwd: Path, *args: str, **env: str) -> dict[str, tuple[str, str]]:
    """`passgate config` in a subprocess: setting -> (value, source)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PASSGATE_")}
    result = subprocess.run(
        [sys.executable, "-m", "passgate.cli", "config", *args],
        env={**clean, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    rows = {}
    for line in result.stdout.splitlines():
        key, rest = line.split(maxsplit=1)
        value, _, source = rest.rpartition("  (")
        rows[key] = (value.strip(), source.rstrip(")"))
    return rows


def test_a_flag_beats_the_environment_which_beats_the_file_which_beats_the_default(
    tmp_path: Path,
):
    (tmp_path / "passgate.toml").write_text(
        '# passgate.toml\nsession-ttl = 60\nreset-ttl = 120\nkey-rate = "7/1s"\nbcrypt-cost = 10\n'
    )
    rows = _config(
        tmp_path,
        "--config",
        "passgate.toml",
        "--session-ttl",
        "30",
        PASSGATE_SESSION_TTL="45",
        PASSGATE_RESET_TTL="90",
    )
    assert rows["session-ttl"] == ("30", "flag")
    assert rows["reset-ttl"] == ("90", "environment")
    assert rows["key-rate"] == ("7/1s", "passgate.toml line 4")
    assert rows["bcrypt-cost"] == ("10", "passgate.toml line 5")
    assert rows["listen"] == ("127.0.0.1:50051", "default")


def test_the_config_file_can_come_from_the_environment(tmp_path: Path):
    (tmp_path / "p.toml").write_text("workers = 3\n")
    assert _config(tmp_path, PASSGATE_CONFIG="p.toml")["workers"] == ("3", "p.toml line 1")


def test_secrets_are_masked(tmp_path: Path):
    rows = _config(
        tmp_path,
        "--smtp-host",
        "relay.example.com",
        "--smtp-username",
        "passgate",
        PASSGATE_SMTP_PASSWORD="hunter2-secret",
    )
    assert rows["smtp-password"] == ("********", "environment")


def test_passwords_and_tokens_in_urls_are_masked(tmp_path: Path):
    rows = _config(
        tmp_path,
        "--webhook-urls",
        "https://hook:hook-secret@hooks.example.com/in?token=tok-secret&team=7,"
        "https://siem.example.com/in?sig=sig-secret",
        PASSGATE_DATABASE="postgresql://app:pg-secret@db:5432/p?password=q-secret&sslmode=require",
        PASSGATE_LIMITS_STORE="redis://:rd-secret@cache:6379/0",
        # what webhooks and a database server need beside them (else refused)
        PASSGATE_WEBHOOK_SECRET="whsec_" + base64.b64encode(b"w" * 32).decode(),
        PASSGATE_SECRET_FILE="/etc/passgate/secret",
    )
    shown = " ".join(value for value, _ in rows.values())
    assert "-secret" not in shown, shown
    assert rows["database"][0] == (
        "postgresql://app:********@db:5432/p?password=********&sslmode=require"
    )
    assert rows["limits-store"][0] == "redis://:********@cache:6379/0"
    assert rows["webhook-urls"][0] == (
        "https://hook:********@hooks.example.com/in?token=********&team=7,"
        "https://siem.example.com/in?sig=********"
    )


def test_config_checks_a_production_listen_host_it_cannot_resolve_here(tmp_path: Path):
    """`passgate config` runs where the file is written, not where it is served: a
    host only the production network knows is no mistake (`serve` there checks it)."""
    rows = _config(
        tmp_path,
        "--listen",
        "passgate.internal.invalid:50051",
        "--insecure",
        "--metrics-listen",
        "127.0.0.1:9464",
    )
    assert rows["listen"] == ("passgate.internal.invalid:50051", "flag")


def test_each_webhook_url_is_masked_and_shown(tmp_path: Path):
    """A secret query value ends at its URL: the next URL stays in sight, its own
    password masked, instead of vanishing into the first one's mask."""
    rows = _config(
        tmp_path,
        "--webhook-urls",
        "https://a.example/in?sig=sig-secret,https://hook:hook-secret@b.example/in",
        PASSGATE_WEBHOOK_SECRET="whsec_" + base64.b64encode(b"w" * 32).decode(),
    )
    assert rows["webhook-urls"][0] == (
        "https://a.example/in?sig=********,https://hook:********@b.example/in"
    )


def test_an_unknown_key_is_refused_with_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
):
    (tmp_path / "p.toml").write_text('listen = "127.0.0.1:1"\n\nsesion-ttl = 5\n')
    assert main(["config", "--config", str(tmp_path / "p.toml")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "p.toml line 3: unknown setting 'sesion-ttl': did you mean 'session-ttl'?" in err


def test_mail_dir_given_in_main_argv_is_seen_even_when_sys_argv_differs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
):
    """main(argv) is how tests and the worker supervisor call passgate: whether
    --mail-dir was given is read from that argv, never from sys.argv."""
    monkeypatch.delenv("PASSGATE_MAIL_DIR", raising=False)
    monkeypatch.setattr(sys, "argv", ["passgate"])
    code = main(["config", "--smtp-host", "relay.example.com", "--mail-dir", str(tmp_path)])
    assert code == 2
    assert "exclude each other" in capsys.readouterr().err


def test_an_smtp_host_alone_replaces_the_default_mail_folder(tmp_path: Path):
    rows = _config(tmp_path, "--smtp-host", "relay.example.com")
    assert rows["mail-dir"] == ("—", "default")


def test_other_programs_variables_are_left_alone(tmp_path: Path):
    """Clients and scripts read PASSGATE_API_KEY and the like; only a near miss of
    passgate's own names is refused."""
    rows = _config(tmp_path, PASSGATE_API_KEY="pgk_x", PASSGATE_TARGET="h:1", PASSGATE_TOOLS="/t")
    assert rows["listen"] == ("127.0.0.1:50051", "default")


def test_a_reader_that_goes_away_ends_the_command_quietly(tmp_path: Path):
    """`passgate config | head -1`: the command stops as one ended by SIGPIPE does,
    without a line blaming the operator."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PASSGATE_")}
    reader, writer = os.pipe()
    os.close(reader)  # gone before the first line
    try:
        result = subprocess.run(
            [sys.executable, "-m", "passgate.cli", "config"],
            env=clean,
            cwd=tmp_path,
            stdout=writer,
            stderr=subprocess.PIPE,
            text=True,
            check=False,
        )
    finally:
        os.close(writer)
    assert result.stderr == ""
    assert result.returncode == 128 + signal.SIGPIPE


def test_config_checks_a_deployment_s_settings_without_touching_this_machine(tmp_path: Path):
    """`passgate config` is the dry run of a config file meant for another host: it
    refuses settings that cannot work together (tests/unit/test_operator_mistakes.py)
    but creates no file or folder here and binds no port."""
    there = tmp_path / "srv"
    (tmp_path / "p.toml").write_text(
        f'listen = "0.0.0.0:50051"\ninsecure = true\n'
        f'database = "sqlite:///{there}/db/passgate.db"\nmail-dir = "{there}/mail"\n'
    )
    rows = _config(tmp_path, "--config", str(tmp_path / "p.toml"))
    assert rows["listen"] == ("0.0.0.0:50051", f"{tmp_path / 'p.toml'} line 1")
    assert rows["mail-dir"][0] == f"{there}/mail"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.toml"]
