"""The `passgate` command: serve, migrate, and manage API keys, users and tenants.

Every setting is read from a flag, else `PASSGATE_<SETTING>`, else the file
given by `--config`, else its default (`passgate config` shows which). A
mistake is refused with exit status 2 and one line on stderr.
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import signal
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

import peewee

from passgate.accounts_database import open_accounts_database
from passgate.cli_output import iso, print_records
from passgate.clock import SystemClock
from passgate.config import declared
from passgate.errors import (
    ApiKeyNotFound,
    InvalidRequest,
    TenantExists,
    TenantNotFound,
    Violation,
)
from passgate.identity.apikeys import (
    MAX_OVERLAP,
    RPC_NAMES,
    ApiKeys,
    key_terms,
    overlap_problem,
)
from passgate.identity.events import Events
from passgate.identity.passwords import PasswordHasher
from passgate.identity.policy import PasswordPolicy
from passgate.identity.records import ADMIN_SCOPE, ApiKeyRecord, TenantRecord, UserSummary
from passgate.identity.tenants import (
    TENANT_ID_RULE,
    ResetUrlNotAllowed,
    Tenants,
    reset_url_problem,
    tenant_id_problem,
)
from passgate.identity.users import Users
from passgate.mail.mail_folder import newest_reset_link
from passgate.serving_checks import check_combinations, check_serving, why_sqlite_cannot_open
from passgate.setting_sources import (
    CONFIG_ENV,
    ConfigFile,
    OperatorError,
    Resolved,
    misspelt_variable,
    resolve,
    shown_database,
)
from passgate.setting_values import BadValue, Seconds, switch
from passgate.store.db import sqlite_path
from passgate.store.migrations import migrate, newer_schema
from passgate.version import installed_version
from passgate.workers import SUPERVISOR_ENV, WORKER_ENV

API_KEY_COLUMNS = (
    "id",
    "name",
    "tenant",
    "scopes",
    "rate",
    "created_at",
    "revoked_at",
    "client_cert_subject",  # last: a subject may hold blanks
)
USER_COLUMNS = ("id", "tenant", "email", "username", "disabled", "created_at")
EVERY_SETTING = tuple(d.name for d in declared())
DATABASE_ONLY = ("database",)
# Commands that change something record it as a security event, and deliver it to the
# webhook endpoints configured as for the server (the same environment or config file).
CHANGES = ("database", "webhook_urls")


class _GivenOnce(argparse._StoreAction):
    """A flag that takes one value refuses a second: argparse would keep the last
    and drop the first without a word (`--listen A --listen B` serves on B only,
    `--scopes a --scopes b` grants b only)."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        given: set[str] = namespace.__dict__.setdefault("_given", set())
        if self.dest in given:  # the values are not repeated: they may be secrets
            parser.error(f"{option_string} given twice: give it once")
        given.add(self.dest)
        super().__call__(parser, namespace, values, option_string)


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line, not a usage dump; a flag is
    never guessed from its first letters (`--key` is not `--key-rate`), and one
    that takes a value is given once."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **{"allow_abbrev": False, **kwargs})
        self.register("action", None, _GivenOnce)
        self.register("action", "store", _GivenOnce)
        self._words: list[str] = []

    def parse_known_args(self, args: Any = None, namespace: Any = None) -> Any:
        self._words = list(sys.argv[1:] if args is None else args)  # for `_guess`
        return super().parse_known_args(args, namespace)

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message}{self._guess()} (see `{self.prog} --help`)\n")

    def _guess(self) -> str:
        """The flag a misspelt one given to this command was probably meant to be."""
        known = self._flags()
        for word in self._words:
            flag = word.partition("=")[0]
            unknown = flag.startswith("--") and flag not in known
            if unknown and (close := difflib.get_close_matches(flag, known, n=1)):
                return f": did you mean {close[0]}?"
        return ""

    def _flags(self) -> set[str]:
        """Every flag of this command and of the commands under it."""
        flags = set(self._option_string_actions)
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction):
                for command in action.choices.values():
                    flags |= command._flags()
        return flags


class _RefusePassword(argparse.Action):
    def __call__(self, parser: argparse.ArgumentParser, *_: Any, **__: Any) -> None:
        parser.error(
            "passwords never go on the command line, where shell history and `ps` keep them: "
            "pipe the password to --password-stdin"
        )


def _env_name(flag: str) -> str:
    return "PASSGATE_" + flag.lstrip("-").replace("-", "_").upper()


# Every variable a command's own flag reads (filled as the parser is built), for
# telling a misspelt variable from another program's.
_FLAG_VARIABLES: set[str] = set()


class _FromVariable(str):
    """A command's own flag's value read from its PASSGATE_ variable."""

    variable: str


def _named(value: str) -> str:
    """How the operator gave `value`: as `VARIABLE='value' (environment)` if it came
    from a variable, so that a mistake in it does not blame a flag never given."""
    if isinstance(value, _FromVariable):
        return f"{value.variable}={str(value)!r} (environment)"
    return ""


def _blaming_variable(parse: Callable[[str], Any]) -> Callable[[str], Any]:
    """`parse`, whose refusal of a value from a variable names the variable."""

    def parse_given(text: str) -> Any:
        try:
            return parse(text)
        except argparse.ArgumentTypeError as error:
            if named := _named(text):
                raise argparse.ArgumentTypeError(f"{named}: {error}") from None
            raise

    parse_given.__name__ = getattr(parse, "__name__", "value")
    return parse_given


def _from_variable(name: str) -> _FromVariable | None:
    if name not in os.environ:
        return None
    value = _FromVariable(os.environ[name])
    value.variable = name
    return value


def _flag(
    parser: argparse.ArgumentParser, flag: str, help: str, default: Any = None, **kw: Any
) -> None:
    """A command's own flag (not a setting) whose default comes from PASSGATE_<FLAG>."""
    env = _env_name(flag)
    _FLAG_VARIABLES.add(env)
    value = _from_variable(env) or default
    if "type" in kw:
        kw["type"] = _blaming_variable(kw["type"])
    if kw.get("required") and value is not None:
        kw["required"] = False
    shown = "" if default in (None, "") else f"; default: {default}"
    parser.add_argument(flag, default=value, help=f"{help} [env {env}{shown}]", **kw)


def _settings_flags(parser: argparse.ArgumentParser, names: Iterable[str]) -> None:
    """The declared settings `names` as flags, plus --config; parsed later, by `resolve`."""
    wanted = set(names)
    for setting in declared():
        if setting.name in wanted:
            on_off = setting.declaration.parse is switch
            parser.add_argument(
                setting.flag,
                dest=setting.name,
                default=None,
                # an on/off setting given alone means on (`--insecure`)
                nargs="?" if on_off else None,
                const="on" if on_off else None,
                metavar=setting.metavar,
                help=f"{setting.declaration.help} "
                f"[env {setting.env}; default: {setting.default_text}]",
            )
    parser.add_argument(
        "--config",
        default=_from_variable(CONFIG_ENV),
        metavar="FILE.toml",
        help=f"read settings from this TOML file; keys are the flags without -- [env {CONFIG_ENV}]",
    )
    parser.set_defaults(settings_names=tuple(n for n in EVERY_SETTING if n in wanted))


def _resolve(args: argparse.Namespace) -> Resolved:
    file = None if not args.config else ConfigFile.read(Path(args.config), _named(args.config))
    names: tuple[str, ...] = args.settings_names
    flags = {name: getattr(args, name) for name in names}
    return resolve(names, flags, os.environ, file)


class _Opened:
    """The database this command opened, as shown to the operator."""

    shown: str | None = None

    @classmethod
    def forget(cls) -> None:
        """A new command in the same process (tests call `main` many times)."""
        cls.shown = None


def _open(args: argparse.Namespace, resolved: Resolved | None = None) -> peewee.Database:
    """Opens (and migrates) an existing passgate database; `main` names it on
    stderr. Only `serve` and `migrate` create one: anywhere else a missing or
    empty one means the command runs in the wrong folder or with the wrong
    --database."""
    url = (resolved or _resolve(args)).settings.database
    database = open_accounts_database(url, 1, create=False)
    _Opened.shown = shown_database(url, absolute=True)
    migrate(database)
    return database


def _events(args: argparse.Namespace, database: peewee.Database) -> Events:
    """Where this command records its change: webhooks go to the endpoints the
    command's settings name (none when it names none)."""
    urls = _resolve(args).settings.webhook_urls
    return Events(database, SystemClock(), urls)


def cmd_serve(args: argparse.Namespace) -> int:
    from passgate import app, logs, workers  # noqa: PLC0415  (grpc loads only for `serve`)

    resolved = _resolve(args)
    settings = resolved.settings
    is_worker = workers.WORKER_ENV in os.environ
    check_serving(resolved, bind=not is_worker)
    logs.configure(settings.log_level)
    if settings.workers > 1 and not is_worker:
        # each worker runs this very command line, and knows itself by the variable
        return workers.supervise(settings, args.argv)
    workers.end_with_supervisor()
    return app.serve(settings)


def cmd_config(args: argparse.Namespace) -> int:
    """The settings `serve` would run with; refused as `serve` would refuse them
    when they cannot work together (the files and ports are the host's, not checked)."""
    resolved = _resolve(args)
    check_combinations(resolved)
    rows = resolved.rows()
    width = max(len(key) for key, _, _ in rows)
    for key, value, source in rows:
        print(f"{key:<{width}}  {value}  ({source})")
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    resolved = _resolve(args)
    check_serving(resolved, bind=False, database_only=True)
    database = open_accounts_database(resolved.settings.database, 1, create=True)
    applied = migrate(database)
    _Opened.shown = shown_database(resolved.settings.database, absolute=True)
    print(f"applied migrations: {applied}" if applied else "schema is up to date")
    if newer := newer_schema(database):
        print(newer)
    return 0


def _require_tenant(database: peewee.Database, tenant: str) -> None:
    if Tenants(database, SystemClock()).get(tenant) is None:
        raise OperatorError(
            f"no tenant {tenant!r}: create it with `passgate tenant create {tenant}`"
        )


def cmd_apikey_create(args: argparse.Namespace) -> int:
    # --scopes is AdminService's list written with commas: every item counts,
    # so `--scopes ,` names an empty scope (refused), not "no scopes"
    scopes = None if args.scopes is None else [s.strip() for s in args.scopes.split(",")]
    try:
        terms = key_terms(args.name, scopes, args.rate, args.client_cert_subject)
    except InvalidRequest as error:
        # each field is a flag of the same name: name the one the operator typed
        as_flags = [replace(v, field="--" + v.field.replace("_", "-")) for v in error.violations]
        raise OperatorError(_violations("apikey create", as_flags)) from None
    database = _open(args)
    _require_tenant(database, args.tenant)
    record, secret = ApiKeys(database, SystemClock(), events=_events(args, database)).create(
        terms.name, args.tenant, terms.scopes, terms.rate, terms.client_cert_subject
    )
    print(
        f"created API key {record.id} ({record.name}) for tenant {record.tenant_id}",
        file=sys.stderr,
    )
    print(secret)
    return 0


def _api_key_row(key: ApiKeyRecord, now: float) -> dict[str, Any]:
    return {
        "id": key.id,
        "name": key.name,
        "tenant": key.tenant_id,
        "scopes": None if key.scopes is None else sorted(key.scopes),
        "rate": None if key.rate is None else str(key.rate),
        "client_cert_subject": key.client_cert_subject,
        "created_at": iso(key.created_at),
        "revoked": key.ended(now),
        "revoked_at": iso(key.revoked_at),  # in the future while a rotated key overlaps
    }


def cmd_apikey_list(args: argparse.Namespace) -> int:
    database = _open(args)
    now = time.time()
    rows = [_api_key_row(key, now) for key in ApiKeys(database, SystemClock()).list()]
    print_records(rows, as_json=args.json, columns=API_KEY_COLUMNS)
    return 0


def cmd_apikey_rotate(args: argparse.Namespace) -> int:
    database = _open(args)
    try:
        keys = ApiKeys(database, SystemClock(), events=_events(args, database))
        rotated = keys.rotate(args.id, args.overlap)
    except ApiKeyNotFound:
        raise OperatorError(
            f"no API key {args.id!r} that is live and not already rotated or revoked: "
            "`passgate apikey list` shows them"
        ) from None
    print(
        f"rotated {args.id} to {rotated.successor.id}; {args.id} stops working at "
        f"{iso(rotated.previous.revoked_at)}",
        file=sys.stderr,
    )
    print(rotated.secret)
    return 0


def cmd_apikey_revoke(args: argparse.Namespace) -> int:
    database = _open(args)
    if not ApiKeys(database, SystemClock(), events=_events(args, database)).revoke(args.id):
        raise OperatorError(f"no live API key {args.id!r}: `passgate apikey list` shows them")
    print(f"revoked {args.id}")
    return 0


def _read_password(stream: Any) -> str:
    if stream is None:  # `<&-`: no stdin at all
        raise OperatorError("stdin is closed: give the password (or the hash) on stdin, one line")
    raw = stream.buffer.readline() if hasattr(stream, "buffer") else stream.readline().encode()
    try:
        line: str = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise OperatorError("the password on stdin is not valid UTF-8") from None
    return line[:-1] if line.endswith("\n") else line


def cmd_user_create(args: argparse.Namespace) -> int:
    if args.password_stdin and args.password_hash_stdin:
        raise OperatorError(
            "--password-stdin and --password-hash-stdin exclude each other: stdin holds "
            "either the password or an existing bcrypt hash"
        )
    if args.password_stdin == args.password_hash_stdin:
        raise OperatorError(
            "give the password (--password-stdin) or an existing bcrypt hash "
            "(--password-hash-stdin) on stdin, never on the command line"
        )
    search_keys: dict[str, str] = {}
    for item in args.search_key or ():
        name, sep, value = item.partition("=")
        if not sep:
            raise OperatorError(f"--search-key {item!r}: expected SCHEMA=VALUE, e.g. crm_id=42")
        search_keys[name] = value
    resolved = _resolve(args)
    settings = resolved.settings
    database = _open(args, resolved)
    _require_tenant(database, args.tenant)
    secret = _read_password(sys.stdin).removesuffix("\r")
    imported = bool(args.password_hash_stdin)
    hasher = PasswordHasher(settings.bcrypt_cost)
    try:
        user_id = Users(database, SystemClock(), events=_events(args, database)).register(
            args.tenant,
            args.email,
            password=None if imported else secret,
            password_hash=secret if imported else None,
            username=args.username,
            search_keys=search_keys,
            policy=PasswordPolicy.from_name(settings.password_policy),
            hash_password=hasher.hash,
            import_problem=hasher.import_problem,
        )
    except InvalidRequest as error:
        broken = {v.field for v in error.violations}
        what = _STDIN_FIELDS.get(broken.pop(), "user create") if len(broken) == 1 else "user create"
        raise OperatorError(_violations(what, error.violations)) from None
    print(user_id)
    return 0


# What a refusal that concerns stdin alone names it.
_STDIN_FIELDS = {"password": "the password on stdin", "password_hash": "the hash on stdin"}


def _violations(what: str, problems: Sequence[Violation]) -> str:
    """Every broken rule, in one line."""
    return f"{what}: " + "; ".join(f"{v.description} ({v.field}: {v.reason})" for v in problems)


def cmd_user_disable(args: argparse.Namespace) -> int:
    return _set_disabled(args, True)


def cmd_user_enable(args: argparse.Namespace) -> int:
    return _set_disabled(args, False)


def cmd_user_get(args: argparse.Namespace) -> int:
    found = Users(_open(args), SystemClock()).summary(args.id)
    if found is None:
        raise OperatorError(f"no user {args.id!r}: `passgate user find` looks users up")
    print_records(_user_rows([found]), as_json=args.json, columns=USER_COLUMNS)
    return 0


def cmd_user_delete(args: argparse.Namespace) -> int:
    database = _open(args)
    if Users(database, SystemClock(), events=_events(args, database)).delete(args.id) is None:
        raise OperatorError(f"no user {args.id!r}: `passgate user find` looks users up")
    print(f"deleted {args.id}")
    return 0


def _set_disabled(args: argparse.Namespace, disabled: bool) -> int:
    database = _open(args)
    users = Users(database, SystemClock(), events=_events(args, database))
    if not users.set_disabled(args.id, disabled):
        raise OperatorError(f"no user {args.id!r}: `passgate user find` looks users up")
    print(f"{'disabled' if disabled else 'enabled'} {args.id}")
    return 0


def _tenant_id(text: str) -> str:
    why = tenant_id_problem(text)
    if why is not None:
        raise argparse.ArgumentTypeError(f"tenant id {text!r}: {why}")
    return text


def _user_id(text: str) -> str:
    """A user id as passgate makes them (a UUID): any other text would page from
    nowhere and print an empty list, as if there were no users."""
    try:
        return str(uuid.UUID(text.strip()))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a user id: give the id the previous page ended with"
        ) from None


def _reset_url(text: str) -> str:
    why = reset_url_problem(text)
    if why is not None:
        raise argparse.ArgumentTypeError(f"reset URL {text!r}: {why}")
    return text.strip()


def _tenants(args: argparse.Namespace) -> Tenants:
    database = _open(args)
    return Tenants(database, SystemClock(), events=_events(args, database))


def cmd_tenant_create(args: argparse.Namespace) -> int:
    try:
        _tenants(args).create(args.id, args.name or args.id)
    except TenantExists:
        raise OperatorError(f"tenant {args.id!r} exists already") from None
    except InvalidRequest as error:
        raise OperatorError(_violations("tenant create", error.violations)) from None
    print(args.id)
    return 0


def cmd_tenant_list(args: argparse.Namespace) -> int:
    rows = [
        {
            "id": t.id,
            "name": t.name,
            "reset_urls": list(t.reset_urls),
            "created_at": iso(t.created_at),
        }
        for t in _tenants(args).list()
    ]
    print_records(rows, as_json=args.json, columns=("id", "name", "created_at", "reset_urls"))
    return 0


def cmd_tenant_allow_reset_url(args: argparse.Namespace) -> int:
    tenant = _change_tenant(lambda t: t.allow_reset_urls(args.tenant, args.url), args)
    print("\n".join(tenant.reset_urls))
    return 0


def cmd_tenant_disallow_reset_url(args: argparse.Namespace) -> int:
    try:
        tenant = _change_tenant(lambda t: t.disallow_reset_urls(args.tenant, args.url), args)
    except ResetUrlNotAllowed as error:
        listed = ", ".join(error.allowed) or "none"
        raise OperatorError(
            f"{error.urls[0]!r} is not allowed for tenant {args.tenant!r}; allowed: {listed}"
        ) from None
    print("\n".join(tenant.reset_urls))
    return 0


def _change_tenant(
    change: Callable[[Tenants], TenantRecord], args: argparse.Namespace
) -> TenantRecord:
    try:
        return change(_tenants(args))
    except TenantNotFound:
        raise OperatorError(
            f"no tenant {args.tenant!r}: `passgate tenant list` shows them"
        ) from None


def _user_rows(users: Sequence[UserSummary]) -> list[dict[str, Any]]:
    return [
        {
            "id": u.id,
            "tenant": u.tenant_id,
            "email": u.email,
            "username": u.username,
            "disabled": u.disabled,
            "created_at": iso(u.created_at),
        }
        for u in users
    ]


def cmd_user_find(args: argparse.Namespace) -> int:
    if (args.what is None) == (args.search_key is None):
        raise OperatorError(
            "user find takes an id, e-mail or username, or --search-key SCHEMA=VALUE"
        )
    database = _open(args)
    if args.tenant is not None:
        _require_tenant(database, args.tenant)
    users = Users(database, SystemClock())
    if args.search_key is not None:
        schema, sep, value = args.search_key.partition("=")
        if not sep:
            raise OperatorError(
                f"--search-key {args.search_key!r}: expected SCHEMA=VALUE, e.g. crm_id=42"
            )
        found = users.with_search_key(schema, value, args.tenant)
    else:
        found = users.matching(args.what, args.tenant)
    if not found:
        print(f"passgate: no user matches {args.what or args.search_key!r}", file=sys.stderr)
        return 1
    print_records(_user_rows(found), as_json=args.json, columns=USER_COLUMNS)
    return 0


def cmd_user_list(args: argparse.Namespace) -> int:
    database = _open(args)
    if args.tenant is not None:
        _require_tenant(database, args.tenant)
    page = Users(database, SystemClock()).page(args.tenant, args.after, args.limit + 1)
    print_records(_user_rows(page[: args.limit]), as_json=args.json, columns=USER_COLUMNS)
    if len(page) > args.limit:
        print(f"passgate: more users: --after {page[args.limit - 1].id}", file=sys.stderr)
    return 0


def cmd_mail_last(args: argparse.Namespace) -> int:
    folder = _resolve(args).settings.mail_dir
    assert folder is not None  # no SMTP setting is read here
    if folder.exists() and not folder.is_dir():
        raise OperatorError(
            f"--mail-dir {folder} is a file: give the folder `passgate serve` writes mail to"
        )
    deadline = time.monotonic() + args.wait
    while (link := newest_reset_link(folder, args.to, args.since)) is None:
        if time.monotonic() >= deadline:
            to = f" to {args.to}" if args.to else ""
            waited = (
                f"none came within {args.wait:g} s" if args.wait else "--wait SECONDS waits for one"
            )
            raise OperatorError(
                f"no reset link{to} in {folder}/: is `passgate serve` writing mail there "
                f"(--mail-dir)? {waited}"
            )
        time.sleep(0.1)
    if args.print == "json":
        print(
            json.dumps(
                {
                    "link": link.link,
                    "user": link.user_id,
                    "token": link.token,
                    "to": link.to,
                    "file": str(link.path),
                }
            )
        )
    else:
        print({"link": link.link, "user": link.user_id, "token": link.token}[args.print])
    return 0


def _json_flag(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--json", action="store_true", help="one JSON object per line instead of a table"
    )


def _page_size(text: str) -> int:
    if not text.isdigit() or not 1 <= int(text) <= 10_000:
        raise argparse.ArgumentTypeError(f"--limit {text!r}: expected a whole number 1-10000")
    return int(text)


def _iso_time(text: str) -> float:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r}: expected an ISO 8601 time, e.g. 2026-01-31T12:00:00Z"
        ) from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def _seconds(text: str) -> float:
    try:
        return Seconds(zero_allowed=True)(text)
    except BadValue as error:
        raise argparse.ArgumentTypeError(f"{text!r}: {error}") from None


def _overlap(text: str) -> float:
    """--overlap's seconds, within the range AdminService allows too."""
    seconds = _seconds(text)
    if (why := overlap_problem(seconds)) is not None:
        raise argparse.ArgumentTypeError(f"{text!r}: {why} (0-{MAX_OVERLAP:.0f} seconds)")
    return seconds


def verb(
    parent: Any,
    name: str,
    run: Callable[[argparse.Namespace], int],
    help: str,
    settings: Iterable[str] = DATABASE_ONLY,
) -> Any:
    """A command that reads `settings` (by default only --database)."""
    p = parent.add_parser(name, help=help, description=help)
    p.set_defaults(run=run)
    _settings_flags(p, settings)
    return p


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="passgate", description=__doc__)
    parser.add_argument("--version", action="version", version=f"passgate {installed_version()}")
    verbs = parser.add_subparsers(dest="command", required=True)

    verb(
        verbs,
        "serve",
        cmd_serve,
        "run the gRPC server; SIGTERM drains calls in flight and stops it (a second one stops "
        "at once), SIGHUP re-reads the TLS certificate, key and client CA",
        EVERY_SETTING,
    )
    verb(
        verbs,
        "config",
        cmd_config,
        "print the effective settings of `serve` and where each came from (secrets masked)",
        EVERY_SETTING,
    )
    verb(verbs, "migrate", cmd_migrate, "create the database or apply pending schema migrations")
    _apikey_verbs(verbs)
    _user_verbs(verbs)
    _tenant_verbs(verbs)
    _mail_verbs(verbs)
    return parser


def _apikey_verbs(verbs: Any) -> None:
    apikey = verbs.add_parser("apikey", help="manage API keys").add_subparsers(
        dest="action", required=True
    )
    p = verb(
        apikey,
        "create",
        cmd_apikey_create,
        "create a key; prints it, alone, as the last line",
        CHANGES,
    )
    _flag(p, "--name", "what the key is for", required=True)
    _flag(p, "--tenant", "tenant the key belongs to", "default", type=_tenant_id)
    _flag(
        p,
        "--scopes",
        f"comma-separated RPCs the key may call (default all): {','.join(RPC_NAMES)}; "
        f"{ADMIN_SCOPE} for AdminService",
    )
    _flag(p, "--rate", "this key's budget, N/<duration> (default the server's --key-rate)")
    _flag(
        p,
        "--client-cert-subject",
        "accept the key only over mutual TLS from the client certificate with this subject, "
        "as calls' log lines show it (client_cert) or in openssl's order, "
        "e.g. CN=billing.internal,O=Example",
    )
    p = verb(apikey, "list", cmd_apikey_list, "list keys (never their secrets)")
    _json_flag(p)
    p = verb(
        apikey, "revoke", cmd_apikey_revoke, "revoke a key by its id; takes effect at once", CHANGES
    )
    p.add_argument("id", help="the key's id (key_…), from `apikey list`")
    p = verb(
        apikey,
        "rotate",
        cmd_apikey_rotate,
        "make a successor with the same tenant, scopes, rate and certificate binding; "
        "prints its secret, alone, as the last line; the old key works --overlap more seconds",
        CHANGES,
    )
    p.add_argument("id", help="the key's id (key_…), from `apikey list`")
    _flag(
        p,
        "--overlap",
        "seconds the old key keeps working beside the new one (0-2592000, i.e. 30 days)",
        "0",
        type=_overlap,
    )


def _user_verbs(verbs: Any) -> None:
    user = verbs.add_parser("user", help="manage users").add_subparsers(
        dest="action", required=True
    )
    p = verb(
        user,
        "create",
        cmd_user_create,
        "create a user; prints the new user id",
        (*CHANGES, "bcrypt_cost", "password_policy"),
    )
    _flag(p, "--email", "the user's e-mail address", required=True)
    _flag(p, "--username", "an optional username, unique in the tenant")
    p.add_argument("--search-key", action="append", metavar="SCHEMA=VALUE", help="repeatable")
    _flag(p, "--tenant", "tenant the user belongs to", "default", type=_tenant_id)
    p.add_argument(
        "--password-stdin", action="store_true", help="read the password as one line from stdin"
    )
    p.add_argument(
        "--password-hash-stdin",
        action="store_true",
        help="import: read an existing hash from stdin: bcrypt ($2a$/$2b$/$2y$), argon2id "
        "($argon2id$v=19$), scrypt ($scrypt$, passlib) or PBKDF2-SHA256 ($pbkdf2-sha256$, "
        "passlib; pbkdf2_sha256$, Django); it is replaced by passgate's own at the user's "
        "first sign-in",
    )
    p.add_argument("--password", nargs="?", action=_RefusePassword, help=argparse.SUPPRESS)

    p = verb(user, "find", cmd_user_find, "find users by id, e-mail, username or search key")
    p.add_argument("what", nargs="?", help="a user id, e-mail address or username")
    _flag(p, "--search-key", "find by a search key instead, SCHEMA=VALUE")
    _flag(p, "--tenant", "look in this tenant only (default: all)", type=_tenant_id)
    _json_flag(p)
    p = verb(user, "list", cmd_user_list, "list users, a page at a time, ordered by id")
    _flag(p, "--tenant", "this tenant only (default: all)", type=_tenant_id)
    _flag(p, "--limit", "users per page", "50", type=_page_size)
    _flag(p, "--after", "start after this user id (the next page)", type=_user_id)
    _json_flag(p)

    for name, run, text in (
        ("disable", cmd_user_disable, "disable a user: sign-in refused, sessions and tokens ended"),
        ("enable", cmd_user_enable, "enable a disabled user again"),
        (
            "delete",
            cmd_user_delete,
            "erase a user: sessions, reset tokens, reset requests, mail not yet sent",
        ),
    ):
        p = verb(user, name, run, text, CHANGES)
        p.add_argument("id", help="the user id printed by `user create`")
    p = verb(user, "get", cmd_user_get, "show one user by id")
    p.add_argument("id", help="the user id printed by `user create`")
    _json_flag(p)


def _tenant_verbs(verbs: Any) -> None:
    tenant = verbs.add_parser("tenant", help="manage tenants").add_subparsers(
        dest="action", required=True
    )
    p = verb(tenant, "create", cmd_tenant_create, "create a tenant", CHANGES)
    p.add_argument("id", type=_tenant_id, help=TENANT_ID_RULE)
    _flag(p, "--name", "display name (default: the id)")
    p = verb(
        tenant,
        "allow-reset-url",
        cmd_tenant_allow_reset_url,
        "let callers ask for these reset_url values",
        CHANGES,
    )
    p.add_argument("url", nargs="+", type=_reset_url, help="http:// or https:// URL with a host")
    _flag(p, "--tenant", "tenant whose allow-list grows", "default", type=_tenant_id)
    p = verb(
        tenant,
        "disallow-reset-url",
        cmd_tenant_disallow_reset_url,
        "remove reset_url values from a tenant's allow-list",
        CHANGES,
    )
    p.add_argument("url", nargs="+", help="a URL `tenant list` shows")
    _flag(p, "--tenant", "tenant whose allow-list shrinks", "default", type=_tenant_id)
    _json_flag(verb(tenant, "list", cmd_tenant_list, "list tenants and their allowed reset URLs"))


def _mail_verbs(verbs: Any) -> None:
    mail = verbs.add_parser("mail", help="read what the file mailer wrote").add_subparsers(
        dest="action", required=True
    )
    p = verb(
        mail,
        "last",
        cmd_mail_last,
        "print the newest reset link in the mail folder (the file mailer's, --mail-dir)",
        ("mail_dir",),
    )
    _flag(p, "--to", "the newest link sent to this address")
    _flag(
        p,
        "--print",
        "link (the whole link), user (its user id), token, or json (all of them)",
        "link",
        choices=("link", "user", "token", "json"),
    )
    _flag(
        p,
        "--since",
        "only a link written at or after this ISO 8601 time (e.g. 2026-01-31T12:00:00Z)",
        type=_iso_time,
    )
    _flag(
        p,
        "--wait",
        "seconds to wait for a link to arrive (mail leaves through an outbox)",
        "0",
        type=_seconds,
    )


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    args.argv = argv
    _Opened.forget()
    known = {d.env for d in declared()} | _FLAG_VARIABLES | {CONFIG_ENV, WORKER_ENV, SUPERVISOR_ENV}
    if (problem := misspelt_variable(os.environ, known)) is not None:
        return _refuse(problem)
    try:
        code = int(args.run(args))
    except (OperatorError, ValueError) as error:  # a mistake: say which, without a traceback
        return _refuse(str(error))
    except peewee.DatabaseError as error:  # unreachable, unreadable, locked, read-only
        return _refuse(f"the database{_database_named(args)} refused: {error}{_cause(args)}")
    except BrokenPipeError:  # the reader went away (`passgate config | head -1`): not a mistake
        # Python's own flush at exit would fail on the closed pipe again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + signal.SIGPIPE  # as a command ended by SIGPIPE, e.g. `yes | head -1`
    except OSError as error:
        where = f" {error.filename}" if error.filename else ""
        return _refuse(f"cannot use{where}: {error.strerror or error}")
    if _Opened.shown is not None:
        print(f"passgate: database {_Opened.shown}", file=sys.stderr)
    return code


def _database_named(args: argparse.Namespace) -> str:
    """` <the database> (--database)` when a database failed before it was opened
    (a server that does not answer), so the line says which one to check."""
    if _Opened.shown is not None or "database" not in getattr(args, "settings_names", ()):
        return ""
    try:
        return f" {shown_database(_resolve(args).settings.database)} (--database)"
    except (OperatorError, ValueError, OSError):
        return ""


def _cause(args: argparse.Namespace) -> str:
    """`: <what stands in the way>` when SQLite could not open the database because
    a write it needs is refused (a read-only file system, a folder not ours):
    SQLite's own message says only "unable to open database file"."""
    if _Opened.shown is None:
        return ""
    try:
        file = sqlite_path(_resolve(args).settings.database)
    except (OperatorError, ValueError, OSError):
        return ""
    problem = None if file is None else why_sqlite_cannot_open(file)
    return "" if problem is None else f" ({problem})"


def _refuse(message: str) -> int:
    """The one line an operator's mistake gets, naming the database if one was opened.
    A message of several lines (libpq's end with a hint on a line of its own) is
    joined into one."""
    where = "" if _Opened.shown is None else f" [database {_Opened.shown}]"
    one_line = "; ".join(part.strip() for part in message.splitlines() if part.strip())
    print(f"passgate: {one_line}{where}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
