"""What the interceptors learn about the call in flight, for the handler and the log."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field

from passgate.identity.apikeys import ApiKeyRecord


@dataclass
class CallRecord:
    method: str
    peer: str
    api_key: ApiKeyRecord | None = None
    client_address: str | None = None  # set by the rate limiter
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def tenant_id(self) -> str:
        """The caller's tenant; only call after the API-key check passed."""
        assert self.api_key is not None, "API key not checked"
        return self.api_key.tenant_id


current_call: ContextVar[CallRecord] = ContextVar("passgate_call")
