"""Calling passgate over a real channel and reading its answers: one place for
the metadata, the rich error details, the reset mail and the SQLite file."""

from __future__ import annotations

import email
import sqlite3
import time
import uuid
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

import grpc
from google.protobuf.message import Message

from passgate.auth.v1 import auth_service_pb2 as pb
from passgate.auth.v1 import auth_service_pb2_grpc
from passgate.testing import Refusal, ResetLink, decode, reset_links

PASSWORD = "Correct-Horse-9-battery"
NEW_PASSWORD = "Another#Strong-Pass-42"
THIRD_PASSWORD = "Third$Secret-Phrase-77"

SERVICE = "passgate.auth.v1.AuthService"

Metadata = Sequence[tuple[str, str | bytes]]


def unique_email(label: str = "user") -> str:
    return f"{label}-{uuid.uuid4().hex[:12]}@example.com"


# --- refusals -----------------------------------------------------------------


# --- calling ------------------------------------------------------------------


class Client:
    """AuthService over one channel with one API key; `call` answers or raises, `refuse`
    expects a refusal and returns it decoded."""

    def __init__(self, channel: grpc.Channel, api_key: str) -> None:
        self.channel = channel
        self.api_key = api_key
        self.stub = auth_service_pb2_grpc.AuthServiceStub(channel)

    def metadata(self, session: str | None = None, extra: Metadata = ()) -> list[Any]:
        entries: list[Any] = [*extra]
        if self.api_key:
            entries.append(("x-api-key", self.api_key))
        if session is not None:
            entries.append(("authorization", f"Bearer {session}"))
        return entries

    def call(
        self,
        method: str,
        request: Message,
        *,
        session: str | None = None,
        metadata: Metadata | None = None,
        timeout: float = 30.0,
    ) -> Any:
        entries = self.metadata(session) if metadata is None else list(metadata)
        return getattr(self.stub, method)(request, metadata=entries, timeout=timeout)

    def outcome(self, method: str, request: Message, **kw: Any) -> Any:
        """The response, or the decoded refusal: for calls whose result is the question."""
        try:
            return self.call(method, request, **kw)
        except grpc.RpcError as error:
            return decode(error)

    def refuse(self, method: str, request: Message, **kw: Any) -> Refusal:
        result = self.outcome(method, request, **kw)
        assert isinstance(result, Refusal), f"{method} was not refused: {result!r}"
        return result

    # The flows, spelled the way a caller writes them.

    def sign_in(self, email: str, password: str) -> pb.SignInResponse:
        return self.call("SignIn", pb.SignInRequest(email=email, password=password))

    def verify(self, token: str) -> Any:
        return self.outcome("VerifySession", pb.VerifySessionRequest(session_token=token))

    def is_live(self, token: str) -> bool:
        result = self.verify(token)
        if isinstance(result, Refusal):
            assert (result.code, result.reason) == (
                grpc.StatusCode.UNAUTHENTICATED,
                "SESSION_INVALID",
            ), result
            return False
        return True

    def change_password(self, session: str, old: str, new: str, confirm: str | None = None) -> Any:
        request = pb.ChangePasswordRequest(
            old_password=old, new_password=new, confirm_password=new if confirm is None else confirm
        )
        return self.outcome("ChangePassword", request, session=session)

    def request_reset(self, email: str, **kw: Any) -> pb.RequestResetResponse:
        return self.call("RequestReset", pb.RequestResetRequest(email=email, **kw))

    def submit_reset(self, link: ResetLink, new_password: str) -> Any:
        request = pb.SubmitResetRequest(
            user_id=link.user_id, token=link.token, new_password=new_password
        )
        return self.outcome("SubmitReset", request)


def raw_method(channel: grpc.Channel, method: str) -> Any:
    """A method that sends and returns bytes as they are: no protobuf on our side."""
    return channel.unary_unary(
        f"/{SERVICE}/{method}" if "/" not in method else method,
        request_serializer=lambda data: data,
        response_deserializer=lambda data: data,
    )


# --- the reset mail -----------------------------------------------------------


def links_to(mail_dir: Path, address: str) -> list[ResetLink]:
    """Every reset link mailed to `address`, oldest first."""
    if not mail_dir.exists():
        return []
    found = []
    for link in reset_links(mail_dir):
        message = email.message_from_bytes(link.path.read_bytes())
        if message["To"] == address:
            found.append(link)
    return found


def wait_links_to(
    mail_dir: Path, address: str, count: int = 1, timeout: float = 15.0
) -> list[ResetLink]:
    deadline = time.monotonic() + timeout
    while True:
        found = links_to(mail_dir, address)
        if len(found) >= count or time.monotonic() > deadline:
            assert len(found) >= count, f"{len(found)} of {count} reset mails reached {address}"
            return found
        time.sleep(0.05)


def mail_text(link: ResetLink) -> str:
    """The text part of the message that carried `link`."""
    message = email.message_from_bytes(link.path.read_bytes())
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            assert isinstance(payload, bytes)
            return payload.decode()
    raise AssertionError("no text part")


# --- the database, read from outside -------------------------------------------


def sqlite_file(database_url: str) -> Path:
    assert database_url.startswith("sqlite:///"), database_url
    return Path(database_url.removeprefix("sqlite:///"))


def stored_in(database_url: str) -> Path | str:
    """What `query` and `execute` take: the SQLite file, or the PostgreSQL URL."""
    return sqlite_file(database_url) if database_url.startswith("sqlite:") else database_url


def query(database: Path | str, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
    """Rows of `sql` (written with ? placeholders) on a SQLite file or a PostgreSQL URL."""
    if isinstance(database, str):
        import psycopg

        with psycopg.connect(database, autocommit=True) as connection:
            return list(connection.execute(sql.replace("?", "%s").encode(), params).fetchall())
    with closing(sqlite3.connect(database, timeout=10)) as connection:
        return connection.execute(sql, params).fetchall()


def execute(database: Path | str, sql: str, params: Sequence[object] = ()) -> None:
    """Runs one statement that returns no rows (an UPDATE, say) on either engine."""
    if isinstance(database, str):
        import psycopg

        with psycopg.connect(database, autocommit=True) as connection:
            connection.execute(sql.replace("?", "%s").encode(), params)
        return
    with closing(sqlite3.connect(database, timeout=10)) as connection, connection:
        connection.execute(sql, params)


def database_bytes(database: Path) -> bytes:
    """The main file, the WAL and the shared-memory file, as they are on disk now."""
    chunks = []
    for suffix in ("", "-wal", "-shm"):
        path = database.with_name(database.name + suffix)
        if path.exists():
            chunks.append(path.read_bytes())
    return b"".join(chunks)


def password_hash(database: Path | str, user_id: str) -> str:
    rows = query(database, "SELECT password_hash FROM users WHERE id = ?", (user_id,))
    assert len(rows) == 1, rows
    return str(rows[0][0])
