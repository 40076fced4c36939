"""What the checks learn about the call in flight, for the handler and the log."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass

from passgate.identity.records import ApiKeyRecord
from passgate.limits.client_address import peer_host


@dataclass(slots=True)
class CallRecord:
    peer: str
    api_key: ApiKeyRecord | None = None
    # Where trusted proxies are configured: the client address the budget check
    # charged (the peer's host, or the one a trusted proxy forwarded for); else None.
    forwarded_client: str | None = None
    # With mutual TLS: the subject of the client's verified certificate.
    client_cert: str | None = None

    @property
    def client_address(self) -> str:
        """The caller's address as the budgets see it: the one a trusted proxy
        forwarded for, else the peer's host (no port)."""
        forwarded = self.forwarded_client
        return peer_host(self.peer) if forwarded is None else forwarded

    @property
    def key(self) -> ApiKeyRecord:
        """The caller's API key; only call after the API-key check passed."""
        assert self.api_key is not None, "API key not checked"
        return self.api_key

    @property
    def tenant_id(self) -> str:
        """The caller's tenant; only call after the API-key check passed."""
        return self.key.tenant_id


current_call: ContextVar[CallRecord] = ContextVar("passgate_call")
