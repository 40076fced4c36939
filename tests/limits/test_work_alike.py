"""Every SignIn path spends the same bcrypt work; RequestReset does the same
database work for every input (its mail leaves from the worker thread, see
test_reset_limits); budgets are one
across processes."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import grpc
from rpc import metadata, pb, refused, stub

from passgate.identity.passwords import TESTING_COST, PasswordHasher
from passgate.offload import THREAD_PREFIX as OFFLOAD_THREAD_PREFIX
from passgate.testing import ServerProcess, in_process_server

PW = "Correct-Horse-9-battery"
WRONG = "Wrong-Horse-9-battery"


class CountingHasher(PasswordHasher):
    """The real hasher, counting the bcrypt checks it runs."""

    def __init__(self, cost: int) -> None:
        super().__init__(cost)
        self.checks = 0
        self._lock = threading.Lock()

    def verify(self, password: str, stored: str) -> bool:
        with self._lock:
            self.checks += 1
        return super().verify(password, stored)

    def burn(self, password: str) -> None:
        with self._lock:
            self.checks += 1
        super().burn(password)


def test_every_sign_in_path_costs_one_bcrypt_check(tmp_path: Path):
    hasher = CountingHasher(TESTING_COST)
    with (
        in_process_server(tmp_path, hasher=hasher, signin_free_failures=0) as srv,
        stub(srv.target) as api,
    ):
        srv.create_user("known@example.com", PW)
        user = srv.create_user("disabled@example.com", PW)
        srv.app.database.execute_sql("UPDATE users SET disabled = 1 WHERE id = ?", (user,))
        srv.create_user("throttled@example.com", PW)
        md = metadata(srv.api_key)
        refused(
            api.SignIn, pb.SignInRequest(email="throttled@example.com", password=WRONG), metadata=md
        )
        paths = {
            "wrong password": "known@example.com",
            "unknown user": "nobody@example.com",
            "disabled user": "disabled@example.com",
            "throttled account": "throttled@example.com",
        }
        for path, email in paths.items():
            before = hasher.checks
            refused(api.SignIn, pb.SignInRequest(email=email, password=WRONG), metadata=md)
            assert hasher.checks - before == 1, path
        srv.clock.advance(1.0)  # the wrong password above started a 1 s delay
        before = hasher.checks
        api.SignIn(pb.SignInRequest(email="known@example.com", password=PW), metadata=md)
        assert hasher.checks - before == 1


class StatementTrace:
    """Every statement the database runs on the RPC's offload threads, in order:
    what peewee sends to SQLite, and each commit."""

    def __init__(self, database: Any) -> None:
        self.statements: list[str] = []
        execute_sql, commit = database.execute_sql, database.commit

        def traced_execute_sql(sql: str, params: Any = None) -> Any:
            self._record(sql)
            return execute_sql(sql, params)

        def traced_commit() -> None:
            self._record("COMMIT")
            commit()

        database.execute_sql = traced_execute_sql
        database.commit = traced_commit

    def _record(self, statement: str) -> None:
        if threading.current_thread().name.startswith(OFFLOAD_THREAD_PREFIX):
            self.statements.append(statement)

    def of(self, call: Callable[[], Any]) -> list[str]:
        self.statements.clear()
        call()
        return list(self.statements)


def test_request_reset_runs_the_same_statements_for_every_input(tmp_path: Path):
    with in_process_server(tmp_path) as srv, stub(srv.target) as api:
        srv.create_user("known@example.com", PW, username="known")
        disabled = srv.create_user("disabled@example.com", PW)
        srv.app.database.execute_sql("UPDATE users SET disabled = 1 WHERE id = ?", (disabled,))
        srv.create_user("capped@example.com", PW)
        md = metadata(srv.api_key)

        def request_reset(**fields: str) -> Callable[[], None]:
            def call() -> None:
                reply = api.RequestReset(pb.RequestResetRequest(**fields), metadata=md)
                assert reply.SerializeToString() == b""

            return call

        for _ in range(3):  # the account's e-mail budget for the hour is spent
            request_reset(email="capped@example.com")()
        srv.mailer.wait_for(3)
        trace = StatementTrace(srv.app.database)
        paths = {
            "known e-mail": request_reset(email="known@example.com"),
            "unknown e-mail": request_reset(email="nobody@example.com"),
            "known username": request_reset(username="known"),
            "unknown username": request_reset(username="nobody"),
            "disabled user": request_reset(email="disabled@example.com"),
            "budget spent": request_reset(email="capped@example.com"),
            "known, every option": request_reset(
                email="known@example.com", reset_url="https://elsewhere.example/r",
                email_template="welcome",
            ),
        }  # fmt: skip
        statements = {path: trace.of(call) for path, call in paths.items()}

        unknown = statements["unknown e-mail"]
        assert unknown.count("COMMIT") == 1  # one write transaction, durable before the answer
        assert {path: s for path, s in statements.items() if s != unknown} == {}


def test_two_processes_on_one_database_enforce_one_budget(tmp_path: Path):
    db = f"sqlite:///{tmp_path / 'shared.db'}"
    env = {"PASSGATE_KEY_RATE": "10/1m"}
    with (
        ServerProcess(tmp_path / "a", database_url=db, env=env) as first,
        ServerProcess(tmp_path / "b", database_url=db, env=env, port=None) as second,
    ):
        key = first.create_api_key("shared")
        passed = 0
        request = pb.VerifySessionRequest(session_token="pgs_" + "x" * 43)
        with stub(first.target) as one, stub(second.target) as two:
            for i in range(30):
                api = one if i % 2 else two
                error = refused(api.VerifySession, request, metadata=metadata(key))
                if error.code != grpc.StatusCode.RESOURCE_EXHAUSTED:
                    passed += 1
        assert passed == 10
