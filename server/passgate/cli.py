"""The `passgate` command: serve, migrate, and manage API keys, users and tenants.

Every flag also reads `PASSGATE_<FLAG>` from the environment (`--key-rate` →
`PASSGATE_KEY_RATE`); a flag given on the command line wins.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from passgate import config
from passgate.clock import SystemClock
from passgate.config import MailSettings, Settings
from passgate.errors import InvalidRequest
from passgate.identity.apikeys import ApiKeys
from passgate.identity.passwords import PasswordHasher, importable
from passgate.identity.policy import PasswordPolicy
from passgate.identity.users import Users
from passgate.rates import Rate
from passgate.store.db import open_database
from passgate.store.migrations import migrate
from passgate.store.models import Tenant

RPC_NAMES = ("SignIn", "ChangePassword", "RequestReset", "SubmitReset", "SignOut", "VerifySession")


def _env_name(flag: str) -> str:
    return "PASSGATE_" + flag.lstrip("-").replace("-", "_").upper()


def _flag(
    parser: argparse.ArgumentParser, flag: str, help: str, default: Any = None, **kw: Any
) -> None:
    """A flag whose default comes from PASSGATE_<FLAG>, else `default`; a required
    flag is satisfied by its variable too."""
    env = _env_name(flag)
    value = os.environ.get(env, default)
    if kw.get("required") and value is not None:
        kw["required"] = False
    shown = "" if default in (None, "") else f"; default: {default}"
    parser.add_argument(flag, default=value, help=f"{help} [env {env}{shown}]", **kw)


def _common(parser: argparse.ArgumentParser) -> None:
    _flag(
        parser,
        "--database",
        "database URL: sqlite:///FILE or postgresql://…",
        config.DEFAULT_DATABASE,
    )


def _policy_name(value: str) -> str:
    PasswordPolicy.from_name(value)
    return value


def _serve_flags(p: argparse.ArgumentParser) -> None:
    d = Settings()
    _common(p)
    _flag(p, "--listen", "address to listen on, HOST:PORT", d.listen)
    _flag(p, "--reset-url", "default base of the link in reset e-mails", d.reset_url)
    _flag(
        p,
        "--mail-dir",
        "file mailer: write each e-mail as a .eml file here",
        str(d.mail.directory),
        type=Path,
    )
    _flag(p, "--smtp-host", "send e-mail through this SMTP server instead of --mail-dir")
    _flag(p, "--smtp-port", "SMTP port (default 25, 587 or 465 by --smtp-security)", type=int)
    _flag(p, "--smtp-security", "none | starttls | tls (default starttls)")
    _flag(p, "--smtp-username", "SMTP login name")
    _flag(p, "--smtp-password", "SMTP password (prefer the environment variable)")
    _flag(p, "--smtp-ca-file", "CA bundle to verify the SMTP server with", type=Path)
    _flag(p, "--mail-from", "sender of reset e-mails", d.mail.sender)
    _flag(p, "--template-dir", "folder of e-mail templates that override the built-ins", type=Path)
    _flag(
        p,
        "--secret-file",
        "key that seals queued e-mails (default: beside the SQLite file)",
        type=Path,
    )
    _flag(p, "--bcrypt-cost", "bcrypt cost for new hashes (4-31)", d.bcrypt_cost, type=int)
    _flag(
        p,
        "--password-policy",
        "seed (the default rules) | nist (NIST SP 800-63B)",
        d.password_policy,
        type=_policy_name,
    )
    _flag(p, "--session-ttl", "session lifetime in seconds", d.session_ttl, type=float)
    _flag(p, "--reset-ttl", "reset token lifetime in seconds", d.reset_ttl, type=float)
    _flag(p, "--threads", "threads for calls that wait for bcrypt or the disk", d.threads, type=int)
    _flag(p, "--hash-workers", "bcrypt threads (0: one per core)", d.hash_workers, type=int)
    _flag(
        p,
        "--max-concurrent-rpcs",
        "calls in flight before new ones are refused",
        d.max_concurrent_rpcs,
        type=int,
    )
    _flag(
        p,
        "--request-timeout",
        "seconds a call may take to deliver its request message",
        d.request_timeout,
        type=float,
    )
    _flag(
        p,
        "--max-streams-per-connection",
        "calls one connection may hold open at once",
        d.max_streams_per_connection,
        type=int,
    )
    _flag(
        p, "--max-message-bytes", "largest request message accepted", d.max_message_bytes, type=int
    )
    _flag(
        p,
        "--max-metadata-bytes",
        "largest request metadata accepted",
        d.max_metadata_bytes,
        type=int,
    )
    _flag(
        p,
        "--shutdown-grace",
        "seconds calls in flight get to finish on SIGTERM",
        d.shutdown_grace,
        type=float,
    )
    _flag(
        p,
        "--shutdown-delay",
        "seconds after SIGTERM during which health says NOT_SERVING but new calls are still "
        "answered, for load balancers to stop sending them",
        d.shutdown_delay,
        type=float,
    )
    _flag(
        p,
        "--key-rate",
        "default budget per API key, N/<duration>",
        str(d.key_rate),
        type=Rate.parse,
    )
    _flag(
        p, "--ip-rate", "budget per client address, N/<duration>", str(d.ip_rate), type=Rate.parse
    )
    _flag(
        p,
        "--reset-ip-rate",
        "RequestReset budget per client address",
        str(d.reset_ip_rate),
        type=Rate.parse,
    )
    _flag(
        p,
        "--trusted-proxies",
        "comma-separated proxy networks whose x-forwarded-for is believed",
        d.trusted_proxies,
    )
    _flag(
        p,
        "--limits-store",
        "where budgets and throttles live, sqlite:///FILE (default: beside the database)",
    )
    _flag(
        p,
        "--signin-free-failures",
        "failed sign-ins per account before delays start",
        d.signin_free_failures,
        type=int,
    )
    _flag(
        p,
        "--signin-first-delay",
        "first sign-in delay, seconds; each further failure doubles it",
        d.signin_first_delay,
        type=float,
    )
    _flag(p, "--signin-max-delay", "longest sign-in delay, seconds", d.signin_max_delay, type=float)
    _flag(p, "--resets-per-hour", "reset e-mails per account per hour", d.resets_per_hour, type=int)
    _flag(
        p,
        "--wrong-reset-tokens",
        "wrong tokens per user key before its reset tokens die",
        d.wrong_reset_tokens,
        type=int,
    )
    _flag(
        p,
        "--keepalive-time",
        "seconds between the server's pings to idle clients",
        d.keepalive_time,
        type=float,
    )
    _flag(
        p,
        "--keepalive-min-ping",
        "shortest ping interval allowed from clients, seconds",
        d.keepalive_min_ping,
        type=float,
    )
    _flag(
        p,
        "--max-connection-idle",
        "seconds before an idle connection is closed",
        d.max_connection_idle,
        type=float,
    )
    _flag(
        p,
        "--workers",
        "processes serving the port (SO_REUSEPORT); 1: this process",
        d.workers,
        type=int,
    )
    _flag(p, "--reflection", "serve gRPC server reflection: on | off", "on", choices=("on", "off"))
    _flag(p, "--log-level", "debug | info | warning | error", d.log_level)


def _settings(args: argparse.Namespace) -> Settings:
    smtp = args.smtp_host is not None
    mail_dir_given = "PASSGATE_MAIL_DIR" in os.environ or any(
        a == "--mail-dir" or a.startswith("--mail-dir=") for a in sys.argv
    )
    return Settings(
        listen=args.listen,
        database=args.database,
        secret_file=args.secret_file,
        bcrypt_cost=int(args.bcrypt_cost),
        password_policy=args.password_policy,
        session_ttl=float(args.session_ttl),
        reset_ttl=float(args.reset_ttl),
        reset_url=args.reset_url,
        mail=MailSettings(
            directory=None if smtp and not mail_dir_given else Path(args.mail_dir),
            smtp_host=args.smtp_host,
            smtp_port=None if args.smtp_port is None else int(args.smtp_port),
            smtp_security=args.smtp_security,
            smtp_username=args.smtp_username,
            smtp_password=args.smtp_password,
            smtp_ca_file=args.smtp_ca_file,
            sender=args.mail_from,
            template_dir=args.template_dir,
        ),
        reflection=args.reflection == "on",
        workers=int(args.workers),
        threads=int(args.threads),
        hash_workers=int(args.hash_workers),
        max_concurrent_rpcs=int(args.max_concurrent_rpcs),
        request_timeout=float(args.request_timeout),
        max_streams_per_connection=int(args.max_streams_per_connection),
        max_message_bytes=int(args.max_message_bytes),
        max_metadata_bytes=int(args.max_metadata_bytes),
        shutdown_grace=float(args.shutdown_grace),
        shutdown_delay=float(args.shutdown_delay),
        key_rate=_as_rate(args.key_rate),
        ip_rate=_as_rate(args.ip_rate),
        reset_ip_rate=_as_rate(args.reset_ip_rate),
        trusted_proxies=str(args.trusted_proxies),
        limits_store=args.limits_store,
        signin_free_failures=int(args.signin_free_failures),
        signin_first_delay=float(args.signin_first_delay),
        signin_max_delay=float(args.signin_max_delay),
        resets_per_hour=int(args.resets_per_hour),
        wrong_reset_tokens=int(args.wrong_reset_tokens),
        keepalive_time=float(args.keepalive_time),
        keepalive_min_ping=float(args.keepalive_min_ping),
        max_connection_idle=float(args.max_connection_idle),
        log_level=str(args.log_level),
    )


def _as_rate(value: Rate | str) -> Rate:
    return value if isinstance(value, Rate) else Rate.parse(value)


def cmd_serve(args: argparse.Namespace) -> int:
    from passgate import app, logs, workers  # noqa: PLC0415  (grpc loads only for `serve`)

    settings = _settings(args)
    logs.configure(settings.log_level)
    if settings.workers > 1 and workers.WORKER_ENV not in os.environ:
        # each worker runs this very command line, and knows itself by the variable
        return workers.supervise(settings, args.argv)
    return app.serve(settings)


def _open(args: argparse.Namespace) -> Any:
    database = open_database(args.database)
    migrate(database)
    return database


def cmd_migrate(args: argparse.Namespace) -> int:
    database = open_database(args.database)
    applied = migrate(database)
    print(f"applied migrations: {applied}" if applied else "schema is up to date")
    return 0


def cmd_apikey_create(args: argparse.Namespace) -> int:
    database = _open(args)
    if not Tenant.select().where(Tenant.id == args.tenant).exists():
        raise SystemExit(f"no tenant {args.tenant!r}: create it with `passgate tenant create`")
    scopes = None
    if args.scopes:
        scopes = [s.strip() for s in args.scopes.split(",") if s.strip()]
        unknown = sorted(set(scopes) - set(RPC_NAMES))
        if unknown:
            raise SystemExit(f"unknown RPC names in --scopes: {', '.join(unknown)}")
    rate = None if args.rate is None else _as_rate(args.rate)
    record, secret = ApiKeys(database, SystemClock()).create(args.name, args.tenant, scopes, rate)
    print(
        f"created API key {record.id} ({record.name}) for tenant {record.tenant_id}",
        file=sys.stderr,
    )
    print(secret)
    return 0


def cmd_apikey_list(args: argparse.Namespace) -> int:
    database = _open(args)
    for key in ApiKeys(database, SystemClock()).list():
        print(
            json.dumps(
                {
                    "id": key.id,
                    "name": key.name,
                    "tenant": key.tenant_id,
                    "scopes": None if key.scopes is None else sorted(key.scopes),
                    "rate": None if key.rate is None else str(key.rate),
                    "created_at": key.created_at,
                    "revoked": key.revoked_at is not None,
                }
            )
        )
    return 0


def cmd_apikey_revoke(args: argparse.Namespace) -> int:
    database = _open(args)
    if not ApiKeys(database, SystemClock()).revoke(args.id):
        print(f"no live API key {args.id!r}", file=sys.stderr)
        return 1
    print(f"revoked {args.id}")
    return 0


def _read_password(stream: Any) -> str:
    raw = stream.buffer.readline() if hasattr(stream, "buffer") else stream.readline().encode()
    try:
        line: str = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise SystemExit("the password on stdin is not valid UTF-8") from None
    return line[:-1] if line.endswith("\n") else line


def cmd_user_create(args: argparse.Namespace) -> int:
    if args.password_stdin == args.password_hash_stdin:
        raise SystemExit(
            "give the password (--password-stdin) or an existing bcrypt hash "
            "(--password-hash-stdin) on stdin, never on the command line"
        )
    secret = _read_password(sys.stdin).removesuffix("\r")
    if args.password_hash_stdin:
        if not importable(secret):
            raise SystemExit("not a bcrypt hash ($2a$, $2b$ or $2y$, cost 4-31)")
        return _create_user(args, secret)
    problems = PasswordPolicy.from_name(args.password_policy).check(
        secret, field="password", email=args.email, username=args.username
    )
    if problems:
        for v in problems:
            print(f"{v.field}: {v.description} ({v.reason})", file=sys.stderr)
        return 2
    return _create_user(args, PasswordHasher(int(args.bcrypt_cost)).hash(secret))


def _create_user(args: argparse.Namespace, hashed: str) -> int:
    database = _open(args)
    search_keys: dict[str, str] = {}
    for item in args.search_key or ():
        name, sep, value = item.partition("=")
        if not sep:
            raise SystemExit(f"--search-key takes SCHEMA=VALUE, not {item!r}")
        search_keys[name] = value
    try:
        user_id = Users(database, SystemClock()).create(
            args.tenant, args.email, hashed, args.username, search_keys
        )
    except InvalidRequest as error:
        for v in error.violations:
            print(f"{v.field}: {v.description} ({v.reason})", file=sys.stderr)
        return 2
    print(user_id)
    return 0


def cmd_user_disable(args: argparse.Namespace) -> int:
    return _set_disabled(args, True)


def cmd_user_enable(args: argparse.Namespace) -> int:
    return _set_disabled(args, False)


def _set_disabled(args: argparse.Namespace, disabled: bool) -> int:
    database = _open(args)
    if not Users(database, SystemClock()).set_disabled(args.id, disabled):
        print(f"no user {args.id!r}", file=sys.stderr)
        return 1
    print(f"{'disabled' if disabled else 'enabled'} {args.id}")
    return 0


def cmd_tenant_create(args: argparse.Namespace) -> int:
    _open(args)
    Tenant.insert(id=args.id, name=args.name or args.id, created_at=SystemClock().now()).execute()
    print(args.id)
    return 0


def cmd_tenant_allow_reset_url(args: argparse.Namespace) -> int:
    _open(args)
    tenant = Tenant.get_or_none(Tenant.id == args.tenant)
    if tenant is None:
        raise SystemExit(f"no tenant {args.tenant!r}")
    allowed = sorted(set(json.loads(tenant.reset_url_allowlist or "[]")) | set(args.url))
    Tenant.update(reset_url_allowlist=json.dumps(allowed)).where(Tenant.id == args.tenant).execute()
    print("\n".join(allowed))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="passgate", description=__doc__)
    verbs = parser.add_subparsers(dest="command", required=True)

    def verb(parent: Any, name: str, run: Callable[[argparse.Namespace], int], help: str) -> Any:
        p = parent.add_parser(name, help=help, description=help)
        p.set_defaults(run=run)
        return p

    _serve_flags(verb(verbs, "serve", cmd_serve, "run the gRPC server"))
    _common(verb(verbs, "migrate", cmd_migrate, "apply pending schema migrations"))

    apikey = verbs.add_parser("apikey", help="manage API keys").add_subparsers(
        dest="action", required=True
    )
    p = verb(
        apikey, "create", cmd_apikey_create, "create a key; prints it, alone, as the last line"
    )
    _common(p)
    _flag(p, "--name", "what the key is for", required=True)
    _flag(p, "--tenant", "tenant the key belongs to", "default")
    _flag(
        p, "--scopes", f"comma-separated RPCs the key may call (default all): {','.join(RPC_NAMES)}"
    )
    _flag(p, "--rate", "this key's budget, N/<duration> (default the server's --key-rate)")
    _common(
        verb(apikey, "list", cmd_apikey_list, "list keys, one JSON object per line (no secrets)")
    )
    p = verb(apikey, "revoke", cmd_apikey_revoke, "revoke a key by its id; takes effect at once")
    _common(p)
    p.add_argument("id", help="the key's id (key_…), from `apikey list`")

    user = verbs.add_parser("user", help="manage users").add_subparsers(
        dest="action", required=True
    )
    p = verb(user, "create", cmd_user_create, "create a user; prints the new user id")
    _common(p)
    _flag(p, "--email", "the user's e-mail address", required=True)
    _flag(p, "--username", "an optional username, unique in the tenant")
    p.add_argument("--search-key", action="append", metavar="SCHEMA=VALUE", help="repeatable")
    _flag(p, "--tenant", "tenant the user belongs to", "default")
    p.add_argument(
        "--password-stdin", action="store_true", help="read the password as one line from stdin"
    )
    p.add_argument(
        "--password-hash-stdin",
        action="store_true",
        help="import: read an existing bcrypt hash ($2a$/$2b$/$2y$) from stdin; it is "
        "upgraded to passgate's own at the user's first sign-in",
    )
    _flag(p, "--bcrypt-cost", "bcrypt cost", Settings().bcrypt_cost, type=int)
    _flag(p, "--password-policy", "seed | nist", Settings().password_policy, type=_policy_name)

    for name, run, text in (
        ("disable", cmd_user_disable, "disable a user: sign-in refused, sessions and tokens ended"),
        ("enable", cmd_user_enable, "enable a disabled user again"),
    ):
        p = verb(user, name, run, text)
        _common(p)
        p.add_argument("id", help="the user id printed by `user create`")

    tenant = verbs.add_parser("tenant", help="manage tenants").add_subparsers(
        dest="action", required=True
    )
    p = verb(tenant, "create", cmd_tenant_create, "create a tenant")
    _common(p)
    p.add_argument("id")
    _flag(p, "--name", "display name (default: the id)")
    p = verb(
        tenant,
        "allow-reset-url",
        cmd_tenant_allow_reset_url,
        "let callers ask for these reset_url values",
    )
    _common(p)
    p.add_argument("url", nargs="+")
    _flag(p, "--tenant", "tenant whose allow-list grows", "default")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    args.argv = argv
    try:
        return int(args.run(args))
    except ValueError as error:  # bad settings: say which, without a traceback
        print(f"passgate: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
