"""Every operator mistake, in every command, ends with exit status 2 and one
line on stderr that says what to do: never a traceback, never a usage dump.

Each case runs the real `passgate` command line in a folder holding a
migrated database (`./passgate.db`), with `{busy}` replaced by a port another
socket holds and `{empty}` by a folder with no database."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import trustme

HASH_OF_NOTHING = "not-a-bcrypt-hash"


@dataclass(frozen=True)
class Mistake:
    argv: tuple[str, ...]
    says: str  # a piece of the one line
    env: dict[str, str] = field(default_factory=dict)
    stdin: str = ""
    cwd: str = "{db}"


def m(*argv: str, says: str, **kw: object) -> Mistake:
    return Mistake(argv, says, **kw)  # type: ignore[arg-type]


MISTAKES = [
    # serve: URL forms
    m("serve", "--database", "sqlite://relative.db", says="write sqlite:///relative.db"),
    m("serve", "--database", "passgate.db", says="sqlite:///passgate.db"),
    m("serve", "--database", "sqlite:///:memory:", says="in-memory"),
    m("serve", "--database", "mysql://h/db", says="expected sqlite:///FILE or postgresql://"),
    m(
        "serve",
        "--database",
        "postgres://u@h/db",
        says="pip install 'passgate[postgresql]'",
        env={"PYTHONPATH": "{no_driver}"},
    ),
    m("serve", "--limits-store", "sqlite://x.limits", says="sqlite:///x.limits"),
    m("serve", "--limits-store", "memcached://h:1/0", says="or redis://HOST:PORT/DB"),
    m("serve", "--limits-store", "redis://127.0.0.1:6379/cache", says="DB a number"),
    m(
        "serve",
        "--limits-store",
        "redis://127.0.0.1:6379/0",
        says="pip install 'passgate[redis]'",
        env={"PYTHONPATH": "{no_driver}"},
    ),
    m(
        "serve",
        "--database",
        "postgresql://u@127.0.0.1:9/db",
        says="--secret-file (PASSGATE_SECRET_FILE) is required when the database is not SQLite",
    ),
    m(
        "serve",
        "--database",
        "postgresql://u@127.0.0.1:9/db",
        "--secret-file",
        "shared.secret",
        says="--limits-store (PASSGATE_LIMITS_STORE) is required when the database is not SQLite",
    ),
    # serve: listen addresses
    m("serve", "--listen", "127.0.0.1", says="expected HOST:PORT"),
    m("serve", "--listen", "localhost:99999", says="port from 0 to 65535"),
    m("serve", "--listen", "999.1.1.1:1", says="'999.1.1.1' is not an IP address"),
    m("serve", "--listen", "127.0.0.1:{busy}", says="address already in use"),
    m("serve", "--listen", "192.0.2.1:50051", "--insecure", says="not an address of this machine"),
    m("serve", "--listen", "::1:50051", says="in brackets: [::1]:50051"),
    m(
        "serve",
        *("--listen", "nosuchhost.invalid:50051", "--insecure"),
        *("--metrics-listen", "127.0.0.1:{free}"),
        says="--listen 'nosuchhost.invalid:50051' (command line): cannot resolve host",
    ),
    m("config", "--listen", "::1:50051", says="in brackets: [::1]:50051"),
    # serve: a limits store that is some other file
    m("serve", "--limits-store", "sqlite:///other.db", says="(it holds tables t); check --limits"),
    m("serve", "--limits-store", "sqlite:///notes.txt", says="(it is not a SQLite database)"),
    m("serve", "--limits-store", "sqlite:///passgate.db", says="is the --database file"),
    # serve: ranges
    m(
        "serve",
        "--session-ttl",
        "-5",
        says="--session-ttl '-5' (command line): expected seconds > 0",
    ),
    m("serve", "--reset-ttl", "0", says="expected seconds > 0"),
    m(
        "serve",
        "--workers",
        "0",
        says="--workers '0' (command line): expected a whole number from 1 to",
    ),
    m("serve", "--bcrypt-cost", "3", says="from 4 to 31"),
    m("serve", says="PASSGATE_BCRYPT_COST='32' (environment)", env={"PASSGATE_BCRYPT_COST": "32"}),
    m("serve", "--threads", "many", says="expected a whole number >= 1"),
    m("serve", "--max-message-bytes", "0", says="--max-message-bytes"),
    m("serve", "--request-timeout", "0", says="--request-timeout '0'"),
    m("serve", "--max-streams-per-connection", "0", says="--max-streams-per-connection '0'"),
    # values grpcio counts in a C int, in milliseconds for durations
    m("serve", "--max-connection-idle", "2592000", says="at most 2147483 (about 25 days)"),
    m("serve", "--keepalive-time", "3000000", says="--keepalive-time '3000000'"),
    m("serve", "--max-message-bytes", "99999999999", says="from 1 to 2147483647"),
    m("serve", "--max-streams-per-connection", "3000000000", says="from 1 to 2147483647"),
    m("serve", "--session-ttl", "1e308", says="at most 315360000 (10 years)"),
    m("serve", "--workers", "1000", says="per core"),
    m("serve", "--hash-workers", "1000", says="per core"),
    m(
        "serve",
        "--listen",
        "127.0.0.1:{free}",
        "--metrics-listen",
        "0.0.0.0:{free}",
        says="--metrics-listen '0.0.0.0:{free}' (command line): --listen serves gRPC there",
    ),
    m(
        "serve",
        "--webhook-urls",
        "http://127.0.0.1:9/a http://127.0.0.1:9/b",
        says="holds a space or control character: encode it (%20), and separate URLs with commas",
    ),
    m("serve", "--reset-url", "https://x.example/reset page", says="holds a space"),
    m("serve", "--trusted-proxies", "10.0.0.1/8", says="write 10.0.0.0/8 for the whole network"),
    m("serve", "--database", "sqlite:/var/lib/p.db", says="sqlite:////var/lib/p.db for /var/lib"),
    m("serve", "--database", "sqlite:///p.db?mode=ro", says="drop '?mode=ro'"),
    m("serve", "--limits-store", "sqlite:x.limits", says="write sqlite:///x.limits"),
    m(
        "serve",
        "--limits-store-outage",
        "local",
        says="--limits-store-outage 'local' (command line): only a Redis limits store",
    ),
    m("serve", "--smtp-port", "70000", says="from 1 to 65535"),
    m("serve", "--shutdown-grace", "nan", says="seconds >= 0"),
    # serve: words, rates, URLs
    m("serve", "--password-policy", "strict", says="expected one of seed, nist"),
    m("serve", "--key-rate", "banana", says="--key-rate 'banana' (command line): expected N/"),
    m("serve", "--key-rate", "25/5000000000d", says="a rate's duration is at most 10 years"),
    # serve: a secret file that holds no key, a sender that is no address
    m("serve", "--secret-file", "notes.txt", says="notes.txt holds no passgate secret key"),
    m("serve", "--secret-file", "passgate.db", says="passgate.db holds no passgate secret key"),
    m("serve", "--mail-from", "not an address", says="expected an e-mail address"),
    m(
        "config",
        "--mail-from",
        "passgate <a@example.com>\nBcc: evil@example.com",
        says="a line break",
    ),
    m("apikey", "create", "--name", "k", "--rate", "25/5000000000d", says="at most 10 years"),
    m(
        "serve",
        says="PASSGATE_KEY_RATE='banana' (environment)",
        env={"PASSGATE_KEY_RATE": "banana"},
    ),
    m("serve", "--ip-rate", "10", says="e.g. 25/5s"),
    m("serve", "--reflection", "maybe", says="expected on or off"),
    m("serve", "--log-level", "loud", says="debug, info, warning, error"),
    m("serve", "--smtp-security", "ssl", says="none, starttls, tls"),
    m("serve", "--trusted-proxies", "10.0.0.0/33", says="not a network"),
    m("serve", "--reset-url", "not-a-url", says="http:// or https:// URL with a host"),
    m("serve", "--reset-url", "javascript:alert1", says="http:// or https:// URL with a host"),
    # serve: paths the process could not use
    m("serve", "--database", "sqlite:////etc/passwd/x.db", says="/etc/passwd is a file"),
    m("serve", "--mail-dir", "/proc/passgate-mail", says="--mail-dir '/proc/passgate-mail'"),
    m("serve", "--template-dir", "/nonexistent/templates", says="is not a folder"),
    m(
        "serve",
        *("--tls-cert", "expired.pem", "--tls-key", "expired.key"),
        says="--tls-cert 'expired.pem' (command line): the certificate in expired.pem expired at",
    ),
    m(
        "serve",
        *("--tls-cert", "future.pem", "--tls-key", "future.key"),
        says="is not valid before",
    ),
    # mail templates that would reach every reader broken (serve would start)
    m(
        "serve",
        "--template-dir",
        "tpl-typo",
        says="reset.txt line 2: unknown placeholder $reset_lnk; passgate fills $expires_minutes,",
    ),
    m("serve", "--template-dir", "tpl-unclosed", says="reset.html line 1: a $ that starts no"),
    m("serve", "--template-dir", "tpl-no-link", says="welcome.txt lacks $reset_link"),
    m("serve", "--template-dir", "tpl-html-only", says="reset.html has no reset.txt beside it"),
    m("serve", "--template-dir", "tpl-bad-name", says="'my reset.txt': a template's name is"),
    m(
        "serve",
        "--smtp-host",
        "relay",
        "--smtp-ca-file",
        "/nonexistent/ca.pem",
        says="--smtp-ca-file '/nonexistent/ca.pem' (command line): /nonexistent/ca.pem is not",
    ),
    m("serve", "--smtp-host", "relay", "--mail-dir", "m", says="exclude each other"),
    m("serve", "--smtp-port", "2525", says="--smtp-port needs --smtp-host"),
    m("serve", "--workers", "2", "--listen", "127.0.0.1:0", says="--workers needs a fixed port"),
    # serve: the config file
    m("serve", "--config", "missing.toml", says="--config missing.toml: no such file"),
    m(
        "serve",
        "--config",
        "unknown.toml",
        says="unknown.toml line 2: unknown setting 'sesion-ttl'",
    ),
    m("serve", "--config", "broken.toml", says="not valid TOML"),
    # saved by an editor that starts UTF-8 with a byte order mark: read, not refused
    m("serve", "--config", "bom.toml", says="key-rate = 'banana' (bom.toml line 1)"),
    m("serve", "--config", "table.toml", says="table.toml line 3: [server] starts a table"),
    m(
        "serve",
        "--config",
        "dotted.toml",
        says="dotted.toml line 2: server.workers makes a table, and passgate's settings are "
        "top-level keys: write them without 'server.'",
    ),
    m(
        "serve",
        "--config",
        "inline.toml",
        says="inline.toml line 1: server = {{ … }} is a table, and passgate's settings are "
        "top-level keys: write them on lines of their own",
    ),
    m("serve", "--config", "bad-value.toml", says="key-rate = 'banana' (bad-value.toml line 1)"),
    # a value from the environment is blamed on the variable, not on a flag never given
    m(
        "serve",
        says="PASSGATE_CONFIG='nowhere.toml' (environment): no such file",
        env={"PASSGATE_CONFIG": "nowhere.toml"},
    ),
    m("user", "list", says="PASSGATE_LIMIT='0' (environment): ", env={"PASSGATE_LIMIT": "0"}),
    # argparse's own mistakes, in one line
    m("serve", "--no-such-flag", says="unrecognized arguments: --no-such-flag"),
    # a misspelt flag: the one meant is named
    m("--verison", says="did you mean --version?"),
    m("serve", "--sesion-ttl", "5", says="arguments: --sesion-ttl 5: did you mean --session-ttl?"),
    m("apikey", "create", "--nme", "x", says="did you mean --name?"),
    m(
        "serve",
        says="PASSGATE_SESION_TTL is not a passgate variable: did you mean PASSGATE_SESSION_TTL?",
        env={"PASSGATE_SESION_TTL": "300"},
    ),
    m("apikey", "list", says="did you mean PASSGATE_DATABASE?", env={"PASSGATE_DATBASE": "x"}),
    # the names other programs give these settings: each would be ignored, the default
    # served (a replica on its own SQLite file, for a database URL)
    m(
        "serve",
        says="PASSGATE_DATABASE_URL is not a passgate variable: did you mean PASSGATE_DATABASE?",
        env={"PASSGATE_DATABASE_URL": "postgresql://u@db.internal/pg"},
    ),
    m("user", "list", says="did you mean PASSGATE_DATABASE?", env={"PASSGATE_DB": "x"}),
    m(
        "serve",
        says="PASSGATE_PORT is not a passgate variable: did you mean PASSGATE_LISTEN?",
        env={"PASSGATE_PORT": "8080"},
    ),
    m("serve", says="did you mean PASSGATE_LIMITS_STORE?", env={"PASSGATE_REDIS_URL": "redis://r"}),
    m(says="the following arguments are required: command"),
    m("frobnicate", says="invalid choice: 'frobnicate'"),
    # config and migrate
    m("config", "--session-ttl", "-5", says="expected seconds > 0"),
    m("config", says="PASSGATE_WORKERS='zero' (environment)", env={"PASSGATE_WORKERS": "zero"}),
    # config refuses what serve would refuse of settings that cannot work together
    m("config", "--listen", "0.0.0.0:50051", says="plain text beyond this machine"),
    m("config", "--tls-cert", "server.pem", says="--tls-cert and --tls-key go together"),
    m("config", "--tls-client-ca", "ca.pem", says="(mutual TLS) needs --tls-cert"),
    m("config", "--webhook-urls", "https://hooks.example.com/x", says="give --webhook-secret"),
    m("config", "--database", "postgresql://u@db.internal/pg", says="--secret-file"),
    m("config", "--limits-store-outage", "local", says="only a Redis limits store"),
    m("config", "--smtp-port", "2525", says="--smtp-port needs --smtp-host"),
    m(
        "config",
        "--smtp-host",
        "relay",
        "--smtp-security",
        "none",
        "--smtp-username",
        "u",
        "--smtp-password",
        "p",
        says="SMTP credentials need an encrypted connection",
    ),
    m("config", "--workers", "2", "--listen", "127.0.0.1:0", says="--workers needs a fixed port"),
    m(
        "config",
        "--listen",
        "127.0.0.1:7000",
        "--metrics-listen",
        "127.0.0.1:7000",
        says="--listen serves gRPC there",
    ),
    # a flag abbreviated, or given twice, is not guessed at: the last one would win
    m("serve", "--key", "5/1s", says="unrecognized arguments: --key 5/1s"),
    m(
        "serve",
        "--listen",
        "127.0.0.1:{free}",
        "--listen",
        "[::1]:{free}",
        says="--listen given twice: give it once",
    ),
    m(
        "apikey",
        "create",
        "--name",
        "k",
        "--scopes",
        "SignIn",
        "--scopes",
        "SignOut",
        says="--scopes given twice",
    ),
    m("user", "find", "--search-key", "a=1", "--search-key", "b=2", says="given twice"),
    m(
        "serve",
        *("--webhook-secret", "whsec_first-secret", "--webhook-secret", "whsec_second-secret"),
        says="--webhook-secret given twice: give it once (see",
    ),
    m("migrate", "--database", "sqlite://x.db", says="write sqlite:///x.db"),
    m("migrate", "--database", "sqlite:////etc/passwd/x.db", says="/etc/passwd is a file"),
    # apikey
    m(
        "apikey",
        "create",
        "--name",
        "k",
        says="no passgate database at ./passgate.db",
        cwd="{empty}",
    ),
    m("apikey", "create", "--name", "k", "--database", "sqlite://x.db", says="sqlite:///x.db"),
    m("apikey", "create", "--name", "k", "--rate", "banana", says="not a rate: 'banana'"),
    m("apikey", "create", "--name", "k", "--scopes", "SignIn,Nope", says="Unknown scope 'Nope'"),
    m("apikey", "create", "--name", "k", "--tenant", "nope", says="no tenant 'nope'"),
    m("apikey", "create", "--name", "k", "--tenant", "bad id!", says="tenant id 'bad id!'"),
    m("apikey", "create", says="required: --name"),
    # a name of blanks lists as nothing at all
    m("apikey", "create", "--name", "   ", says="This field is required. (--name: FIELD_REQUIRED)"),
    m("tenant", "create", "blank", "--name", "\u3000", says="FIELD_REQUIRED"),
    m("apikey", "list", says="no passgate database at ./passgate.db", cwd="{empty}"),
    m("apikey", "revoke", "key_nope", says="no live API key 'key_nope'"),
    m(
        "apikey",
        "rotate",
        "key_nope",
        "--overlap",
        "2592001",
        says="--overlap: '2592001': The overlap must be between 0 and 30 days. (0-2592000 seconds)",
    ),
    m(
        "apikey",
        "rotate",
        "key_nope",
        says="PASSGATE_OVERLAP='2592001' (environment): '2592001': The overlap must be between",
        env={"PASSGATE_OVERLAP": "2592001"},
    ),
    m("apikey", "rotate", "key_nope", says="no API key 'key_nope' that is live and not already"),
    # user
    m(
        "user",
        "create",
        "--email",
        "a@example.com",
        "--password",
        "x",
        says="never go on the command line",
    ),
    m("user", "create", "--email", "a@example.com", says="--password-stdin"),
    m(
        "user",
        "create",
        "--email",
        "a@example.com",
        "--password-stdin",
        "--search-key",
        "x",
        says="SCHEMA=VALUE",
    ),
    m(
        "user",
        "create",
        "--email",
        "a@example.com",
        "--password-stdin",
        "--bcrypt-cost",
        "99",
        says="from 4 to 31",
    ),
    m(
        "user",
        "create",
        "--email",
        "a@example.com",
        "--password-stdin",
        "--tenant",
        "",
        says="tenant id ''",
    ),
    m(
        "user",
        "create",
        "--email",
        "a@example.com",
        "--password-hash-stdin",
        says="not a bcrypt hash",
        stdin="nothing\n",
    ),
    m(
        "user",
        "create",
        "--email",
        "a@example.com",
        "--password-stdin",
        says="the password on stdin:",
        stdin="short\n",
    ),
    m(
        "user",
        "create",
        "--email",
        "not-an-address",
        "--password-stdin",
        says="email",
        stdin="Correct-Horse-9-battery\n",
    ),
    m(
        "user",
        "create",
        "--email",
        "taken@example.com",
        "--password-stdin",
        says="identifier",
        stdin="Correct-Horse-9-battery\n",
    ),
    # identifiers that could never be mailed, or would look like someone else's
    *(
        m(
            "user",
            "create",
            "--email",
            "u@example.com",
            "--username",
            name,
            "--password-stdin",
            says="Usernames may not begin or end with a space or hold invisible characters. "
            "(username: FIELD_MALFORMED)",
            stdin="Correct-Horse-9-battery\n",
        )
        for name in ("  ", "alice ", " alice", "admin\u200b", "ad\u202emin", "al\u00a0ice")
    ),
    m(
        "user",
        "create",
        "--email",
        "a@example..com",
        "--password-stdin",
        says="Enter a valid email address. (email: EMAIL_MALFORMED)",
        stdin="Correct-Horse-9-battery\n",
    ),
    m("user", "disable", "nobody", says="no user 'nobody'"),
    m("user", "find", says="user find takes an id, e-mail or username"),
    m("user", "find", "--search-key", "crm", says="expected SCHEMA=VALUE"),
    m("user", "find", "x", "--tenant", "bad id!", says="tenant id 'bad id!'"),
    m("user", "list", "--limit", "0", says="--limit '0'"),
    m("user", "list", says="no passgate database at ./passgate.db", cwd="{empty}"),
    m("user", "enable", says="required: id"),
    m("user", "list", "--tenant", "nope", says="no tenant 'nope'"),
    m("user", "list", "--after", "garbage", says="'garbage' is not a user id"),
    m("user", "find", "taken@example.com", "--tenant", "nope", says="no tenant 'nope'"),
    m(
        "apikey",
        "list",
        "--database",
        "postgresql://u:pw@127.0.0.1:{free}/db",
        says="the database postgresql://u:********@127.0.0.1:{free}/db (--database) refused",
    ),
    # tenant
    m("tenant", "create", "default", says="tenant 'default' exists already"),
    m("tenant", "create", "bad id!", says="tenant id 'bad id!'"),
    m("tenant", "create", "", says="tenant id ''"),
    m("tenant", "allow-reset-url", "not-a-url", says="reset URL 'not-a-url'"),
    m("tenant", "allow-reset-url", "javascript:alert1", says="reset URL 'javascript:alert1'"),
    m(
        "tenant",
        "allow-reset-url",
        "https://x.example/r",
        "--tenant",
        "nope",
        says="no tenant 'nope'",
    ),
    m("tenant", "disallow-reset-url", "https://x.example/r", says="not allowed for tenant"),
    m("tenant", "disallow-reset-url", "https://x", "--tenant", "nope", says="no tenant 'nope'"),
    m("tenant", "list", "--database", "sqlite://x.db", says="write sqlite:///x.db"),
    m("tenant", "list", says="no passgate database at ./passgate.db", cwd="{empty}"),
    # mail
    m("mail", "last", says="no reset link in mail/"),
    m("mail", "last", "--to", "a@example.com", "--wait", "-1", says="'-1': expected seconds >= 0"),
    m("mail", "last", "--print", "everything", says="invalid choice: 'everything'"),
    m("mail", "last", "--to", "a@example.com", "--wait", "0.2", says="none came within 0.2 s"),
    m("mail", "last", "--mail-dir", "passgate.db", says="--mail-dir passgate.db is a file"),
    m(
        "user",
        "create",
        "--email",
        "a@example.com",
        "--password-stdin",
        "--password-hash-stdin",
        says="--password-stdin and --password-hash-stdin exclude each other",
        stdin="Correct-Horse-9-battery\n",
    ),
    m("mail", "last", "--since", "yesterday", says="expected an ISO 8601 time"),
    m("mail", "last", says="PASSGATE_MAIL_DIR=''", env={"PASSGATE_MAIL_DIR": ""}),
]

TEMPLATE_FILES = {
    "tpl-typo/reset.txt": "Reset your password:\n$reset_lnk\n",
    "tpl-unclosed/reset.txt": "Reset: $reset_link\n",
    "tpl-unclosed/reset.html": '<a href="${reset_link">reset</a>\n',
    "tpl-no-link/reset.txt": "Reset: $reset_link\n",
    "tpl-no-link/welcome.txt": "Welcome to $tenant_name\n",
    "tpl-html-only/reset.html": '<a href="$reset_link">reset</a>\n',
    "tpl-bad-name/my reset.txt": "Reset: $reset_link\n",
}
CONFIG_FILES = {
    "bom.toml": '\ufeffkey-rate = "banana"\n',
    "unknown.toml": 'listen = "127.0.0.1:50051"\nsesion-ttl = 5\n',
    "broken.toml": "listen = \n",
    "bad-value.toml": 'key-rate = "banana"\n',
    "table.toml": 'listen = "127.0.0.1:1"\n\n[server]\nworkers = 2\n',
    "dotted.toml": 'listen = "127.0.0.1:1"\nserver.workers = 2\n',
    "inline.toml": "server = { workers = 2 }\n",
}


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A folder with a migrated database and a user, an empty folder, a busy port."""
    db = tmp_path_factory.mktemp("db")
    empty = tmp_path_factory.mktemp("empty")
    # a psycopg and a redis that cannot be imported, found first: as on a machine
    # without the extras
    no_driver = tmp_path_factory.mktemp("no-driver")
    for module in ("psycopg", "redis"):
        (no_driver / module).mkdir()
        (no_driver / module / "__init__.py").write_text(f"raise ImportError('no {module} here')\n")
    for name, text in {**CONFIG_FILES, **TEMPLATE_FILES}.items():
        (db / name).parent.mkdir(exist_ok=True)
        (db / name).write_text(text)
    _passgate(db, "migrate")
    other = sqlite3.connect(db / "other.db")  # another program's database
    other.execute("CREATE TABLE t (x)")
    other.commit()
    other.close()
    (db / "notes.txt").write_text("these are notes, not a database\n" * 8)
    now = datetime.now(UTC)
    for name, valid in (
        ("expired", (now - timedelta(days=90), now - timedelta(days=1))),
        ("future", (now + timedelta(days=1), now + timedelta(days=90))),
    ):
        issued = trustme.CA().issue_cert("127.0.0.1", not_before=valid[0], not_after=valid[1])
        issued.cert_chain_pems[0].write_to_path(str(db / f"{name}.pem"))
        issued.private_key_pem.write_to_path(str(db / f"{name}.key"))
    _passgate(
        db,
        "user",
        "create",
        "--email",
        "taken@example.com",
        "--password-stdin",
        "--bcrypt-cost",
        "4",
        stdin="Correct-Horse-9-battery\n",
    )
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        free_port = free.getsockname()[1]
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        yield {
            "db": str(db),
            "empty": str(empty),
            "busy": str(busy.getsockname()[1]),
            "free": str(free_port),
            "no_driver": str(no_driver),
        }


def _passgate(
    cwd: Path | str, *argv: str, env: dict[str, str] | None = None, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PASSGATE_")}
    return subprocess.run(
        [sys.executable, "-m", "passgate.cli", *argv],
        env={**clean, **(env or {})},
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_there_are_enough_cases_and_every_command_has_some():
    assert len(MISTAKES) >= 40
    commands = {
        " ".join(c.argv[:2])
        if c.argv[:1] in (("apikey",), ("user",), ("tenant",), ("mail",))
        else c.argv[0]
        for c in MISTAKES
        if c.argv
    }
    assert {
        "serve",
        "config",
        "migrate",
        "apikey create",
        "apikey list",
        "apikey revoke",
        "user create",
        "user disable",
        "user enable",
        "user find",
        "user list",
        "tenant create",
        "tenant allow-reset-url",
        "tenant disallow-reset-url",
        "tenant list",
        "mail last",
    } <= commands


@pytest.mark.parametrize("case", MISTAKES, ids=lambda c: " ".join(c.argv)[:60] or "(nothing)")
def test_a_mistake_gets_exit_status_2_and_one_line(case: Mistake, folders: dict[str, str]):
    argv = [a.format(**folders) for a in case.argv]
    env = {name: value.format(**folders) for name, value in case.env.items()}
    result = _passgate(case.cwd.format(**folders), *argv, env=env, stdin=case.stdin)
    assert "Traceback" not in result.stderr
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert case.says.format(**folders) in lines[0], lines[0]
    assert lines[0].startswith("passgate"), lines[0]


@pytest.mark.parametrize("flag", ["--password-stdin", "--password-hash-stdin"])
def test_user_create_with_stdin_closed_says_so(folders: dict[str, str], flag: str):
    """`passgate user create ... --password-stdin <&-`: no stdin at all, not an empty one."""
    result = subprocess.run(
        [sys.executable, "-m", "passgate.cli", "user", "create", "--email", "c@example.com", flag],
        env={k: v for k, v in os.environ.items() if not k.startswith("PASSGATE_")},
        cwd=folders["db"],
        stdin=subprocess.DEVNULL,
        preexec_fn=lambda: os.close(0),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert "Traceback" not in result.stderr
    assert result.returncode == 2, result.stderr
    (line,) = result.stderr.strip().splitlines()
    assert "stdin is closed" in line, line


@pytest.mark.parametrize(
    "argv",
    [
        ("--listen", "127.0.0.1:{busy}"),
        ("--database", "sqlite:///d/p.db", "--mail-dir", "out/m", "--listen", "127.0.0.1:{busy}"),
        ("--smtp-port", "2525"),
        ("--workers", "2", "--listen", "127.0.0.1:0"),
    ],
    ids=["busy port", "busy port, folders to create", "smtp without host", "workers on port 0"],
)
def test_a_refused_serve_leaves_nothing_behind(
    argv: tuple[str, ...], folders: dict[str, str], tmp_path: Path
):
    """Refused before it starts, serve has created no database, key, limits file or
    folder: the operator fixes the flag and starts afresh, with no stray `mail/`."""
    result = _passgate(tmp_path, "serve", *(a.format(**folders) for a in argv))
    assert result.returncode == 2, result.stderr
    assert sorted(p.name for p in tmp_path.rglob("*")) == []
