"""Turns domain errors into `google.rpc.Status` with rich details (AIP-193)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import grpc
from google.protobuf import any_pb2, duration_pb2
from google.rpc import error_details_pb2, status_pb2
from grpc_status import rpc_status

from passgate.errors import (
    InvalidRequest,
    NotFound,
    PassgateError,
    RateLimited,
    ServiceUnavailable,
)

DOMAIN = "passgate.dev"
RETRY_AFTER = "retry-after"


@dataclass(frozen=True)
class _Status(grpc.Status):
    code: grpc.StatusCode
    details: str
    trailing_metadata: tuple[tuple[str, str | bytes], ...]


def _pack(message: object) -> any_pb2.Any:
    packed = any_pb2.Any()
    packed.Pack(message)  # type: ignore[arg-type]
    return packed


def to_status(error: PassgateError, error_id: str | None = None) -> grpc.Status:
    """The status a caller sees for `error`, with its details and trailers."""
    if error_id is None and not error.__dict__:
        # A refusal without per-call content (a wrong key, a dead session):
        # everything it says is its class's, so its status is built once per
        # class. Any content of the call's own (a message naming what it asked,
        # violations, a delay) is an attribute of the instance.
        status = _FIXED.get(error.__class__)
        if status is None:
            status = _FIXED[error.__class__] = _build_status(error, None)
        return status
    return _build_status(error, error_id)


_FIXED: dict[type[PassgateError], grpc.Status] = {}


def _build_status(error: PassgateError, error_id: str | None) -> grpc.Status:
    metadata = {"error_id": error_id} if error_id else {}
    details = [
        _pack(error_details_pb2.ErrorInfo(reason=error.reason, domain=DOMAIN, metadata=metadata))
    ]
    trailers: list[tuple[str, str | bytes]] = []
    if isinstance(error, InvalidRequest):
        details.append(
            _pack(
                error_details_pb2.BadRequest(
                    field_violations=[
                        error_details_pb2.BadRequest.FieldViolation(
                            field=v.field, description=v.description, reason=v.reason
                        )
                        for v in error.violations
                    ]
                )
            )
        )
    if isinstance(error, NotFound):
        details.append(
            _pack(
                error_details_pb2.ResourceInfo(
                    resource_type=error.resource_type,
                    resource_name=error.resource_name,
                    description=error.message,
                )
            )
        )
    if isinstance(error, RateLimited | ServiceUnavailable):
        delay = duration_pb2.Duration()
        # Whole milliseconds, rounded up: clients that keep milliseconds never
        # read a wait of 0, nor come back early.
        delay.FromMilliseconds(math.ceil(error.retry_after * 1000))
        details.append(_pack(error_details_pb2.RetryInfo(retry_delay=delay)))
        trailers.append((RETRY_AFTER, str(max(1, math.ceil(error.retry_after)))))
    if isinstance(error, RateLimited):
        details.append(
            _pack(
                error_details_pb2.QuotaFailure(
                    violations=[
                        error_details_pb2.QuotaFailure.Violation(
                            subject=error.subject, description=error.description
                        )
                    ]
                )
            )
        )
    code: grpc.StatusCode = error.code
    proto = status_pb2.Status(code=code.value[0], message=error.message, details=details)
    base = rpc_status.to_status(proto)
    return _Status(base.code, base.details, (*base.trailing_metadata, *trailers))
