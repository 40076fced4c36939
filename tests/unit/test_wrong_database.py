"""A --database that names an existing file that is not passgate's database
(another program's SQLite file, passgate's own limits store, a file that is no
SQLite database at all) is refused by every command, `migrate` and `serve`
included, with exit status 2 and one line, and the file is left exactly as it
was: the same bytes and mode, no tables added, no -wal, -shm or -journal beside
it. An empty file is passgate's to fill only for `migrate` and `serve`.

Each case runs the real `passgate` command line in a folder of its own."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from passgate.limits.store import SqliteLimitStore

# Commands that open the database, readers and writers alike, with what each
# needs besides --database.
COMMANDS = [
    ("apikey", "list"),
    ("apikey", "create", "--name", "k"),
    ("apikey", "rotate", "key_x"),
    ("user", "create", "--email", "a@example.com", "--password-stdin", "--bcrypt-cost", "4"),
    ("user", "list"),
    ("user", "disable", "x"),
    ("tenant", "create", "t"),
    ("tenant", "list"),
]
# The two that may create passgate's tables, but only in an empty file.
CREATING = [("migrate",), ("serve", "--listen", "127.0.0.1:0")]


def _passgate(cwd: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PASSGATE_")}
    return subprocess.run(
        [sys.executable, "-m", "passgate.cli", *argv],
        env=clean,
        cwd=cwd,
        input="Correct-Horse-9-battery\n",
        capture_output=True,
        text=True,
        timeout=30,  # a `serve` that is not refused serves on
        check=False,
    )


def _someone_elses(folder: Path) -> Path:
    """Another program's SQLite file, readable by its group and others."""
    path = folder / "other2.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE users (x)")
    connection.execute("INSERT INTO users VALUES (1)")
    connection.commit()
    connection.close()
    path.chmod(0o644)
    return path


def _limits_store(folder: Path) -> Path:
    """passgate's limits store, as `serve` leaves it beside passgate.db."""
    path = folder / "passgate.db.limits"
    SqliteLimitStore(path).close()
    return path


def _not_sqlite(folder: Path) -> Path:
    path = folder / "notes.db"
    path.write_text("these are notes, not a database\n" * 8)
    path.chmod(0o644)
    return path


def _state(path: Path) -> tuple[bytes, int, list[str]]:
    """The file's bytes, its mode, and what lies beside it."""
    beside = sorted(p.name for p in path.parent.iterdir() if p.name.startswith(path.name + "-"))
    return path.read_bytes(), stat.S_IMODE(path.stat().st_mode), beside


def _tables(path: Path) -> list[str]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return sorted(name for (name,) in rows)
    finally:
        connection.close()


def _refused_in_one_line(result: subprocess.CompletedProcess[str], *pieces: str) -> None:
    assert "Traceback" not in result.stderr
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("passgate: "), lines[0]
    for piece in pieces:
        assert piece in lines[0], lines[0]


WRONG_FILES = {
    "another program's": (_someone_elses, "(it holds tables users)"),
    "the limits store": (_limits_store, "(it is passgate's limits store)"),
    "not SQLite": (_not_sqlite, "(it is not a SQLite database)"),
}


@pytest.mark.parametrize("kind", WRONG_FILES)
@pytest.mark.parametrize("command", COMMANDS + CREATING, ids=" ".join)
def test_a_file_that_is_not_passgates_database_is_refused_and_left_as_it_was(
    tmp_path: Path, kind: str, command: tuple[str, ...]
) -> None:
    make, says = WRONG_FILES[kind]
    path = make(tmp_path)
    before = _state(path)

    result = _passgate(tmp_path, *command, "--database", f"sqlite:///{path.name}")

    _refused_in_one_line(
        result, f"./{path.name} is not a passgate database", says, "check --database"
    )
    assert _state(path) == before


def test_another_programs_file_keeps_its_tables_only(tmp_path: Path) -> None:
    path = _someone_elses(tmp_path)
    for command in (("apikey", "list"), ("migrate",)):
        _passgate(tmp_path, *command, "--database", "sqlite:///other2.db")
    assert _tables(path) == ["users"]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_an_empty_file_is_no_database_for_commands_that_create_none(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    path = tmp_path / "empty.db"
    path.touch(0o644)
    path.chmod(0o644)

    result = _passgate(tmp_path, *command, "--database", "sqlite:///empty.db")

    _refused_in_one_line(
        result, "no passgate database at ./empty.db", "run `passgate migrate` or pass --database"
    )
    assert _state(path) == (b"", 0o644, [])


def test_migrate_fills_an_empty_file_and_then_every_command_uses_it(tmp_path: Path) -> None:
    (tmp_path / "empty.db").touch()
    migrated = _passgate(tmp_path, "migrate", "--database", "sqlite:///empty.db")
    assert migrated.returncode == 0, migrated.stderr
    listed = _passgate(tmp_path, "tenant", "list", "--database", "sqlite:///empty.db")
    assert listed.returncode == 0, listed.stderr
    assert "default" in listed.stdout


@pytest.fixture
def read_only_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder on a real read-only file system (a tmpfs remounted read-only) that
    holds a migrated passgate database: a backup mounted for inspection, say."""
    if os.geteuid() != 0:
        pytest.fail("this test mounts a tmpfs: run it as root (CI does)")
    mount = tmp_path / "read-only"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], check=True)
    try:
        migrated = _passgate(mount, "migrate", "--database", "sqlite:///passgate.db")
        assert migrated.returncode == 0, migrated.stderr
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_database_on_a_read_only_file_system_is_refused_naming_the_cause(
    read_only_folder: Path, command: tuple[str, ...]
) -> None:
    """Readers too: SQLite writes its write-ahead log beside the database even to
    read it, so the line must say what stands in the way, not only that the
    database could not be opened."""
    result = _passgate(read_only_folder, *command, "--database", "sqlite:///passgate.db")

    _refused_in_one_line(result, "passgate.db", "Read-only file system")
