"""Calling passgate from tests: stubs, metadata, and capturing a refusal."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import grpc

from passgate.auth.v1 import auth_service_pb2 as pb
from passgate.auth.v1 import auth_service_pb2_grpc
from passgate.testing import Refusal, decode

__all__ = ["Refusal", "metadata", "pb", "refused", "stub"]


@contextmanager
def stub(target: str) -> Iterator[auth_service_pb2_grpc.AuthServiceStub]:
    with grpc.insecure_channel(target) as channel:
        yield auth_service_pb2_grpc.AuthServiceStub(channel)


def metadata(api_key: str, session: str | None = None, **extra: str) -> list[tuple[str, str]]:
    entries = [("x-api-key", api_key)]
    if session is not None:
        entries.append(("authorization", f"Bearer {session}"))
    entries += [(k.replace("_", "-"), v) for k, v in extra.items()]
    return entries


def refused(call: Callable[..., Any], *args: Any, **kwargs: Any) -> Refusal:
    """Runs a call that must fail; returns its decoded status."""
    try:
        call(*args, **kwargs)
    except grpc.RpcError as error:
        return decode(error)
    raise AssertionError("the call was expected to be refused, and succeeded")


VERIFY_SESSION = "/passgate.auth.v1.AuthService/VerifySession"


@contextmanager
def verify_load(
    api: auth_service_pb2_grpc.AuthServiceStub, api_key: str, session: str, callers: int = 4
) -> Iterator[Counter[grpc.StatusCode]]:
    """`callers` threads calling VerifySession with `session` back to back through
    `api` until the block ends; the codes they got, counted as they come."""
    codes: Counter[grpc.StatusCode] = Counter()
    lock = threading.Lock()
    stop = threading.Event()
    request = pb.VerifySessionRequest(session_token=session)
    key = metadata(api_key)

    def call() -> None:
        while not stop.is_set():
            try:
                api.VerifySession(request, metadata=key, timeout=10)
                code = grpc.StatusCode.OK
            except grpc.RpcError as error:
                code = error.code()
            with lock:
                codes[code] += 1

    threads = [threading.Thread(target=call) for _ in range(callers)]
    for thread in threads:
        thread.start()
    try:
        yield codes
    finally:
        stop.set()
        for thread in threads:
            thread.join(30)


def verify_sessions_answered(log_text: str) -> int:
    """VerifySession calls a server answered, counted from its log."""
    return log_text.count(VERIFY_SESSION)
