"""Where each setting's value comes from: a flag, a `PASSGATE_*` variable, the
config file, or the default, in that order of precedence.

Every value is parsed here, so a bad one is refused before anything starts,
with one line naming the setting, the value, where it came from and what
would be valid.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from passgate import url_secrets
from passgate.config import ENV_PREFIX, Declared, Settings, by_name, show
from passgate.setting_values import BadValue
from passgate.store.db import sqlite_path

CONFIG_ENV = ENV_PREFIX + "CONFIG"


class OperatorError(Exception):
    """A mistake an operator can fix; its text is the one line they are shown."""


@dataclass(frozen=True)
class Source:
    """Where a value came from: "flag", "environment", "file" or "default"."""

    kind: str
    file: Path | None = None
    line: int = 0

    def __str__(self) -> str:
        if self.kind == "file":
            return f"{self.file} line {self.line}"
        return self.kind


def _as_written(setting: Declared, text: str, source: Source) -> str:
    """The value as the operator wrote it, where they wrote it."""
    if source.kind == "flag":
        return f"{setting.flag} {text!r} (command line)"
    if source.kind == "environment":
        return f"{setting.env}={text!r} (environment)"
    if source.kind == "file":
        return f"{setting.key} = {text!r} ({source})"
    return f"{setting.flag} default {text!r}"


class SettingError(OperatorError):
    """A value that cannot be used, said in one line."""

    def __init__(self, setting: Declared, text: str, source: Source, problem: str) -> None:
        super().__init__(f"{_as_written(setting, text, source)}: {problem}")


@dataclass(frozen=True)
class ConfigFile:
    """A TOML file whose keys are the setting flags without their dashes."""

    path: Path
    values: Mapping[str, tuple[str, int]]  # key -> (value as text, line)

    @classmethod
    def read(cls, path: Path, named: str = "") -> ConfigFile:
        """`named`: how the operator gave the file, for the one line a mistake gets
        (by default `--config PATH`)."""
        named = named or f"--config {path}"
        try:
            # utf-8-sig: a byte order mark, as some editors write, is not TOML's to refuse
            content = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise OperatorError(f"{named}: no such file") from None
        except (OSError, UnicodeDecodeError) as error:
            raise OperatorError(f"{named}: cannot read it ({error})") from None
        try:
            document = tomllib.loads(content)
        except tomllib.TOMLDecodeError as error:
            raise OperatorError(f"{named}: not valid TOML: {error}") from None
        known = {d.key: d for d in by_name().values()}
        values: dict[str, tuple[str, int]] = {}
        for key, value in document.items():
            line = _line_of(content, key)
            if isinstance(value, dict):
                raise OperatorError(f"{path} line {line}: {_table_problem(content, line, key)}")
            if key not in known:
                close = difflib.get_close_matches(key.replace("_", "-"), known, n=1)
                hint = f"did you mean {close[0]!r}?" if close else "see `passgate config`"
                raise OperatorError(f"{path} line {line}: unknown setting {key!r}: {hint}")
            if isinstance(value, bool):
                text = "on" if value else "off"
            elif isinstance(value, str | int | float):
                text = str(value)
            else:
                raise OperatorError(
                    f"{path} line {line}: {key} takes a string, number or true/false, "
                    "not a table or list"
                )
            values[key] = (text, line)
        return cls(path, values)


def _table_problem(content: str, line: int, key: str) -> str:
    """Why the table `key` (made on `line`) is refused, as it was written there:
    a `[key]` header, a dotted `key.name = …` or an inline `key = { … }`."""
    written = content.splitlines()[line - 1].strip() if line else ""
    if written.startswith("[") or not written:
        return (
            f"[{key}] starts a table, and passgate's settings are top-level keys: "
            'move them above it (listen = "…")'
        )
    name = written.partition("=")[0].strip()
    if name == key:  # an inline table
        return (
            f"{key} = {{ … }} is a table, and passgate's settings are top-level keys: "
            'write them on lines of their own (listen = "…")'
        )
    return (
        f"{name} makes a table, and passgate's settings are top-level keys: "
        f"write them without '{key}.' (listen = \"…\")"
    )


def _line_of(content: str, key: str) -> int:
    """The line where `key` is set (`key = …`), or its table starts (`[key]`, or
    the dotted `key.name = …`)."""
    quoted = rf"[\"']?{re.escape(key)}[\"']?"
    pattern = re.compile(rf"^\s*(?:{quoted}\s*[=.]|\[\[?\s*{quoted}\s*[\].])")
    for number, line in enumerate(content.splitlines(), 1):
        if pattern.match(line):
            return number
    return 0


@dataclass(frozen=True)
class Resolved:
    """The effective settings and the source of each one resolved."""

    settings: Settings
    sources: Mapping[str, Source]

    def rows(self) -> list[tuple[str, str, str]]:
        """(key, value as shown, source) for each resolved setting, secrets masked."""
        declared = by_name()
        rows = []
        for name, source in self.sources.items():
            value = getattr(self.settings, name)
            shown = show(value)
            if source.kind == "default" and value == declared[name].default:
                shown = declared[name].default_text
            elif declared[name].declaration.secret and value is not None:
                shown = url_secrets.MASK
            elif name in ("database", "limits_store") and value is not None:
                shown = url_secrets.masked(shown)
            elif name == "webhook_urls" and value:
                # each on its own: a secret query value would run on into the next URL
                shown = ",".join(url_secrets.masked(url) for url in value)
            rows.append((declared[name].key, shown, str(source)))
        return rows


def misspelt_variable(environ: Mapping[str, str], known: Iterable[str]) -> str | None:
    """Why the first PASSGATE_ variable that reads as a misspelling of one of
    passgate's `known` variables cannot be used, or None. A config file's
    unknown key is refused; a variable so close to a setting's name is the same
    mistake (its value would be ignored, the default served in its place).
    So is a name other programs give the setting (PASSGATE_DATABASE_URL).
    Variables unlike any of passgate's (PASSGATE_API_KEY, which clients read)
    belong to other programs, and are left alone."""
    names = sorted(known)
    for name in sorted(environ):
        if name.startswith(ENV_PREFIX) and name not in known:
            meant = ENV_PREFIX + _OTHER_NAMES.get(name.removeprefix(ENV_PREFIX), "")
            close = [meant] if meant in known else []
            close = close or difflib.get_close_matches(name, names, n=1, cutoff=_MISSPELT)
            if close:
                return (
                    f"{name} is not a passgate variable: did you mean {close[0]}? "
                    "(its value would be ignored)"
                )
    return None


_MISSPELT = 0.9  # difflib's ratio: PASSGATE_SESION_TTL is 0.97 of PASSGATE_SESSION_TTL
# The names other programs' conventions give passgate's settings (after PASSGATE_),
# each with the one passgate reads: as sure a mistake as a misspelling.
_OTHER_NAMES = {
    "DATABASE_URL": "DATABASE",
    "DB": "DATABASE",
    "DB_URL": "DATABASE",
    "DSN": "DATABASE",
    "PORT": "LISTEN",
    "REDIS_URL": "LIMITS_STORE",
}


def shown_database(url: str, *, absolute: bool = False) -> str:
    """The database as an operator reads it: the file's path (absolute once
    opened, so that running from another folder shows), or the masked URL."""
    file = sqlite_path(url)
    if file is None:
        return url_secrets.masked(url)
    if absolute or file.is_absolute():
        return str(file.resolve())
    return f"./{file}"


def resolve(
    names: Iterable[str],
    flags: Mapping[str, str | None],
    environ: Mapping[str, str],
    file: ConfigFile | None,
) -> Resolved:
    """Parses each named setting from the first source that has it.

    `flags` maps a setting's name to the text given on the command line (None:
    not given)."""
    declared = by_name()
    values: dict[str, Any] = {}
    sources: dict[str, Source] = {}
    for name in names:
        setting = declared[name]
        text: str | None = flags.get(name)
        source = Source("flag")
        if text is None and setting.env in environ:
            text, source = environ[setting.env], Source("environment")
        if text is None and file is not None and setting.key in file.values:
            text, line = file.values[setting.key]
            source = Source("file", file.path, line)
        if text is None:
            sources[name] = Source("default")
            continue
        try:
            values[name] = setting.declaration.parse(text)
        except BadValue as error:
            raise SettingError(setting, text, source, str(error)) from None
        sources[name] = source
    _choose_mailer(values, sources, declared)
    return Resolved(Settings(**values), sources)


def _choose_mailer(
    values: dict[str, Any], sources: Mapping[str, Source], declared: Mapping[str, Declared]
) -> None:
    """SMTP replaces the default mail folder; a mail folder given on purpose
    next to an SMTP host is a contradiction, refused rather than guessed."""
    if values.get("smtp_host") is None or "mail_dir" not in sources:
        return
    if sources["mail_dir"].kind == "default":
        values["mail_dir"] = None
        return
    host = _as_written(declared["smtp_host"], values["smtp_host"], sources["smtp_host"])
    folder = _as_written(declared["mail_dir"], str(values["mail_dir"]), sources["mail_dir"])
    raise OperatorError(f"{host} and {folder} exclude each other: choose one")
