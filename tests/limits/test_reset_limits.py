"""RequestReset and SubmitReset under abuse: bounded e-mails, bounded guessing."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import grpc
from engines import EngineDatabase
from rpc import metadata, pb, refused, stub

from passgate.identity.users import Users
from passgate.mail.templates import find_reset_link
from passgate.rates import Rate
from passgate.testing import ServerProcess, capture_logs, in_process_server

PW = "Correct-Horse-9-battery"
NEW = "Another#Strong-Pass-42"


def _links(srv) -> list[tuple[str, str]]:
    found = []
    for message in srv.mailer.messages:
        query = parse_qs(urlsplit(find_reset_link(message) or "").query)
        found.append((query["user"][0], query["token"][0]))
    return found


def _drain(srv) -> None:
    """Waits until the delivery worker has sent everything queued so far."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        (pending,) = srv.app.database.execute_sql(
            "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL"
        ).fetchone()
        if pending == 0:
            return
        srv.app.mail_worker.wake()
        time.sleep(0.01)
    raise AssertionError("mail still queued after 10 s")


def test_three_emails_per_account_per_hour_and_the_rest_answer_alike(
    tmp_path: Path, database: EngineDatabase
):
    with (
        in_process_server(tmp_path, **database.settings()) as srv,
        stub(srv.target) as api,
        capture_logs() as logs,
    ):
        user_id = srv.create_user("alice@example.com", PW, username="alice")
        md = metadata(srv.api_key)
        answers = set()
        for identifier in ({"email": "alice@example.com"}, {"username": "alice"}) * 3:
            answers.add(
                api.RequestReset(
                    pb.RequestResetRequest(**identifier), metadata=md
                ).SerializeToString()
            )
            _drain(srv)
        assert answers == {b""}
        assert len(srv.mailer.messages) == 3  # any identifier counts against the account
        # the operator sees why the last three sent nothing: the user, never the address
        withheld = [json.loads(line) for line in logs.lines if "reset_withheld" in line]
        assert [line["user_id"] for line in withheld] == [user_id] * 3
        assert "alice@example.com" not in logs.text
        srv.clock.advance(3600.1)
        api.RequestReset(pb.RequestResetRequest(email="alice@example.com"), metadata=md)
        _drain(srv)
        assert len(srv.mailer.messages) == 4


def test_a_new_request_replaces_the_older_token(tmp_path: Path, database: EngineDatabase):
    with in_process_server(tmp_path, **database.settings()) as srv, stub(srv.target) as api:
        srv.create_user("bob@example.com", PW)
        md = metadata(srv.api_key)
        for _ in range(2):
            api.RequestReset(pb.RequestResetRequest(email="bob@example.com"), metadata=md)
            _drain(srv)
        (user, old), (_, new) = _links(srv)
        stale = refused(
            api.SubmitReset,
            pb.SubmitResetRequest(user_id=user, token=old, new_password=NEW),
            metadata=md,
        )
        assert stale.field_reasons == [("token", "RESET_TOKEN_INVALID")]
        api.SubmitReset(
            pb.SubmitResetRequest(user_id=user, token=new, new_password=NEW), metadata=md
        )


def test_five_wrong_tokens_kill_the_users_live_token(tmp_path: Path, database: EngineDatabase):
    with in_process_server(tmp_path, **database.settings()) as srv, stub(srv.target) as api:
        srv.create_user("carol@example.com", PW)
        md = metadata(srv.api_key)
        api.RequestReset(pb.RequestResetRequest(email="carol@example.com"), metadata=md)
        _drain(srv)
        ((user, token),) = _links(srv)
        for i in range(5):
            guess = "pgr_" + f"{i}" * 43
            wrong = refused(
                api.SubmitReset,
                pb.SubmitResetRequest(user_id=user, token=guess, new_password=NEW),
                metadata=md,
            )
            assert wrong.field_reasons == [("token", "RESET_TOKEN_INVALID")]
        dead = refused(
            api.SubmitReset,
            pb.SubmitResetRequest(user_id=user, token=token, new_password=NEW),
            metadata=md,
        )
        assert dead.field_reasons == [("token", "RESET_TOKEN_INVALID")]


def test_four_wrong_tokens_leave_the_token_live(tmp_path: Path, database: EngineDatabase):
    with in_process_server(tmp_path, **database.settings()) as srv, stub(srv.target) as api:
        srv.create_user("dan@example.com", PW)
        md = metadata(srv.api_key)
        api.RequestReset(pb.RequestResetRequest(email="dan@example.com"), metadata=md)
        _drain(srv)
        ((user, token),) = _links(srv)
        for i in range(4):
            refused(
                api.SubmitReset,
                pb.SubmitResetRequest(user_id=user, token="pgr_" + f"{i}" * 43, new_password=NEW),
                metadata=md,
            )
        api.SubmitReset(
            pb.SubmitResetRequest(user_id=user, token=token, new_password=NEW), metadata=md
        )


def test_reset_requests_have_a_budget_per_address(tmp_path: Path, database: EngineDatabase):
    with (
        in_process_server(tmp_path, **database.settings(), reset_ip_rate=Rate(2, 60.0)) as srv,
        stub(srv.target) as api,
    ):
        md = metadata(srv.api_key)
        for i in range(2):
            api.RequestReset(pb.RequestResetRequest(email=f"n{i}@example.com"), metadata=md)
        error = refused(
            api.RequestReset, pb.RequestResetRequest(email="n9@example.com"), metadata=md
        )
        assert error.code == grpc.StatusCode.RESOURCE_EXHAUSTED
        assert error.retry_delay == 30.0
        # the budget is RequestReset's own: other calls still pass
        other = refused(
            api.VerifySession, pb.VerifySessionRequest(session_token="pgs_" + "x" * 43), metadata=md
        )
        assert other.reason == "SESSION_INVALID"


def test_no_mail_is_sent_inside_the_rpc(tmp_path: Path, database: EngineDatabase):
    with in_process_server(tmp_path, **database.settings()) as srv, stub(srv.target) as api:
        srv.create_user("erin@example.com", PW)
        senders: list[str] = []
        send = srv.mailer.send

        def recording_send(message):
            senders.append(threading.current_thread().name)
            send(message)

        srv.mailer.send = recording_send  # type: ignore[method-assign]
        api.RequestReset(
            pb.RequestResetRequest(email="erin@example.com"), metadata=metadata(srv.api_key)
        )
        srv.mailer.wait_for(1)
        assert senders == ["passgate-mail"]


def test_a_disabled_user_gets_no_mail(tmp_path: Path, database: EngineDatabase):
    with in_process_server(tmp_path, **database.settings()) as srv, stub(srv.target) as api:
        user = srv.create_user("gina@example.com", PW)
        assert Users(srv.app.database, srv.clock).set_disabled(user, True)
        reply = api.RequestReset(
            pb.RequestResetRequest(email="gina@example.com"), metadata=metadata(srv.api_key)
        )
        _drain(srv)
        assert reply.SerializeToString() == b""
        assert srv.mailer.messages == []


def _settled(database: Path) -> None:
    """Waits until no server has anything left to resolve or send."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with closing(sqlite3.connect(database, timeout=10)) as connection:
            (pending,) = connection.execute(
                "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL"
            ).fetchone()
        if pending == 0:
            return
        time.sleep(0.05)
    raise AssertionError("mail still queued after 30 s")


def test_the_hourly_budget_holds_for_concurrent_requests_to_two_processes(tmp_path: Path):
    database = tmp_path / "shared.db"
    url = f"sqlite:///{database}"
    with (
        ServerProcess(tmp_path / "a", database_url=url) as first,
        ServerProcess(tmp_path / "b", database_url=url) as second,
    ):
        user = first.create_user("hank@example.com", PW, username="hank")
        callers = 16
        start = threading.Barrier(callers)

        def ask(i: int) -> bytes:
            server = (first, second)[i % 2]
            identifier = {"email": "hank@example.com"} if i % 4 < 2 else {"username": "hank"}
            with stub(server.target) as api:  # a connection of its own
                start.wait()
                return api.RequestReset(
                    pb.RequestResetRequest(**identifier), metadata=metadata(server.api_key)
                ).SerializeToString()

        with ThreadPoolExecutor(max_workers=callers) as pool:
            answers = set(pool.map(ask, range(callers)))
        _settled(database)

        assert answers == {b""}
        links = first.reset_links() + second.reset_links()
        assert len(links) == 3  # the default budget: 3 e-mails per account per hour
        with closing(sqlite3.connect(database, timeout=10)) as connection:
            (live,) = connection.execute(
                "SELECT COUNT(*) FROM reset_tokens WHERE user_id = ? AND ended_at IS NULL",
                (user,),
            ).fetchone()
        assert live == 1  # only the newest token of the user works
