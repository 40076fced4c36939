"""Databases with many users, made fast and kept between runs.

A database is migrated by passgate itself (`passgate migrate`), so its schema
is the server's, then filled with direct SQL inserts in one transaction, every
user sharing one password hash computed once by passgate's own hasher at the
bench's cost (creating a million users through the CLI would cost a million
bcrypt hashes). The result is cached under ~/.cache/passgate-bench (or
$PASSGATE_BENCH_CACHE), keyed by the schema, the user count and the cost, and
copied for each run, since a run writes sessions into it.

User i has e-mail `user<i>@bench.example` and the password PASSWORD.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import time
import uuid
from collections.abc import Iterator
from contextlib import closing
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from bench.servers import passgate_cli

PASSWORD = "Bench-pass-42!"
TENANT = "default"
_BATCH = 50_000


def email(i: int) -> str:
    return f"user{i}@bench.example"


def cache_dir() -> Path:
    return Path(os.environ.get("PASSGATE_BENCH_CACHE", Path.home() / ".cache/passgate-bench"))


@dataclass
class Dataset:
    users: int
    path: Path
    cache_file: Path
    cached: bool  # taken from the cache rather than built in this run
    build_seconds: float | None  # time to build it, when built in this run
    copy_seconds: float
    size_bytes: int

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["path"] = str(self.path)
        out["cache_file"] = str(self.cache_file)
        return out


def _schema_fingerprint(path: Path) -> str:
    with closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything in the main file
        rows = db.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY type, name"
        ).fetchall()
    return hashlib.sha256(repr(rows).encode()).hexdigest()[:12]


def _columns(db: sqlite3.Connection) -> list[tuple[str, bool, bool]]:
    """(name, required, has_default) of every column of `users`."""
    return [
        (name, bool(notnull), default is not None or bool(pk))
        for _, name, _, notnull, default, pk in db.execute("PRAGMA table_info(users)")
    ]


def _rows(n: int, password_hash: str, now: float) -> Iterator[dict[str, Any]]:
    for i in range(n):
        address = email(i)  # ASCII and lower case: its look-up key is itself
        yield {
            "id": str(uuid.uuid4()),
            "tenant_id": TENANT,
            "email": address,
            "email_key": address,
            "username": None,
            "username_key": None,
            "password_hash": password_hash,
            "disabled": 0,
            "created_at": now,
            "password_changed_at": now,
        }


def _fill(path: Path, n: int, password_hash: str) -> None:
    with closing(sqlite3.connect(path, isolation_level=None)) as db:
        known = {
            "id",
            "tenant_id",
            "email",
            "email_key",
            "username",
            "username_key",
            "password_hash",
            "disabled",
            "created_at",
            "password_changed_at",
        }
        columns = _columns(db)
        missing = [
            name
            for name, required, default in columns
            if required and not default and name not in known
        ]
        if missing:
            raise RuntimeError(
                f"the users table has new required columns {missing}: "
                "give them values in bench/dataset.py"
            )
        names = [name for name, _, _ in columns if name in known]
        sql = f"INSERT INTO users ({', '.join(names)}) VALUES ({', '.join(':' + n for n in names)})"
        db.execute("PRAGMA synchronous = OFF")
        db.execute("PRAGMA cache_size = -1000000")
        db.execute("BEGIN")
        batch: list[dict[str, Any]] = []
        for row in _rows(n, password_hash, time.time()):
            batch.append(row)
            if len(batch) == _BATCH:
                db.executemany(sql, batch)
                batch.clear()
        if batch:
            db.executemany(sql, batch)
        db.execute("COMMIT")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def users_database(dest: Path, n: int, cost: int, log: Any = print) -> Dataset:
    """A migrated database at `dest` holding `n` users, from the cache when it has one."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{dest}{suffix}").unlink(missing_ok=True)
    template = dest.with_name(dest.stem + "-schema.db")
    template.unlink(missing_ok=True)
    passgate_cli("migrate", "--database", f"sqlite:///{template}")
    fingerprint = _schema_fingerprint(template)
    cached_file = cache_dir() / f"users-{n}-cost{cost}-{fingerprint}.db"
    build_seconds = None
    if not cached_file.exists():
        log(f"  building a database of {n:,} users (cached afterwards in {cached_file.parent})")
        started = time.perf_counter()
        from passgate.identity.passwords import PasswordHasher

        password_hash = PasswordHasher(cost).hash(PASSWORD)
        building = cached_file.with_suffix(f".building-{os.getpid()}")
        cached_file.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template, building)
        _fill(building, n, password_hash)
        for suffix in ("-wal", "-shm"):
            Path(f"{building}{suffix}").unlink(missing_ok=True)
        building.replace(cached_file)
        build_seconds = time.perf_counter() - started
        log(f"  built in {build_seconds:.1f} s")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{template}{suffix}").unlink(missing_ok=True)
    started = time.perf_counter()
    shutil.copyfile(cached_file, dest)
    return Dataset(
        users=n,
        path=dest,
        cache_file=cached_file,
        cached=build_seconds is None,
        build_seconds=build_seconds,
        copy_seconds=time.perf_counter() - started,
        size_bytes=dest.stat().st_size,
    )
