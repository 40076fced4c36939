"""One HTTP POST to a webhook endpoint.

urllib from the standard library, called on the delivery worker's own thread:
the worker sends one request at a time and waits for it anyway, so an async
client (httpx, aiohttp) would buy nothing but a dependency. Redirects are not
followed (a signed POST re-sent elsewhere, or turned into a GET, is not what
the operator configured): a 3xx answer is a failed attempt like any non-2xx.
"""

from __future__ import annotations

import http.client
import urllib.error
import urllib.request
from collections.abc import Mapping
from typing import Protocol

TIMEOUT_SECONDS = 10.0


class Sender(Protocol):
    def __call__(self, url: str, headers: Mapping[str, str], body: bytes) -> tuple[bool, str]:
        """POSTs `body`; whether the endpoint took it (2xx) and a short result for admins."""
        ...


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirects())


def post(url: str, headers: Mapping[str, str], body: bytes) -> tuple[bool, str]:
    request = urllib.request.Request(url, data=body, headers=dict(headers), method="POST")  # noqa: S310 (http(s) URLs checked at start)
    try:
        with _OPENER.open(request, timeout=TIMEOUT_SECONDS) as response:
            status = int(response.status)
    except urllib.error.HTTPError as error:
        status = int(error.code)
    except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
        reason = getattr(error, "reason", error)
        return False, f"error: {reason}"[:200]
    return 200 <= status < 300, f"HTTP {status}"
