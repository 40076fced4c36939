"""Calling passgate from tests: stubs, metadata, and capturing a refusal."""

from __future__ import annotations

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
