"""Connection: what AuthClient and AdminClient share (one channel, one API key,
a timeout and a retry policy per call), so both send and retry calls the same way."""

from __future__ import annotations

from types import TracebackType
from typing import Self, TypeVar

import grpc

from passgate.client._errors import from_rpc_error
from passgate.client._retry import RetryPolicy

_Request = TypeVar("_Request")
_Response = TypeVar("_Response")

_API_KEY_HEADER = "x-api-key"
_SESSION_HEADER = "authorization"


class Connection:
    """A channel to passgate that calls it with one API key; the base of the clients.

    Use a client as a context manager, or call `close()` when done. One client
    may be shared by many threads. Without `channel_credentials` the channel
    is plaintext, which suits loopback and meshes that encrypt for you.
    """

    def __init__(
        self,
        target: str,
        api_key: str,
        *,
        channel_credentials: grpc.ChannelCredentials | None = None,
        timeout: float = 10.0,
        retry: RetryPolicy | None = None,
    ) -> None:
        if not api_key:
            raise ValueError("an API key is required (passgate apikey create --name NAME)")
        if not timeout > 0:
            raise ValueError("timeout must be a positive number of seconds")
        self._target = target
        self._api_key = api_key
        self._timeout = timeout
        self._retry = retry
        self._channel = (
            grpc.insecure_channel(target)
            if channel_credentials is None
            else grpc.secure_channel(target, channel_credentials)
        )

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._target!r})"

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the channel; calls made afterwards fail."""
        self._channel.close()

    def _call(
        self,
        method: grpc.UnaryUnaryMultiCallable[_Request, _Response],
        request: _Request,
        *,
        session_token: str | None = None,
    ) -> _Response:
        metadata: tuple[tuple[str, str | bytes], ...] = ((_API_KEY_HEADER, self._api_key),)
        if session_token is not None:
            metadata += ((_SESSION_HEADER, f"Bearer {session_token}"),)
        attempt, waited = 1, 0.0
        while True:
            try:
                return method(request, timeout=self._timeout, metadata=metadata)
            except grpc.RpcError as exc:
                error = from_rpc_error(exc)
                delay = None if self._retry is None else self._retry.delay(error, attempt, waited)
                if delay is None or self._retry is None:
                    raise error from exc
            self._retry.sleep(delay)
            attempt, waited = attempt + 1, waited + delay
