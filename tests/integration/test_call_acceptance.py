"""How the server waits for calls. grpcio's asyncio server keeps one pending
request per registered method and, for every call it accepts, waits again on
all of them: work per call in proportion to the methods served (AuthService,
AdminService, health and reflection: some 35). passgate serves every method
through generic handlers, so the server waits on one pending request whatever
it serves (passgate/generic_handlers.py)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from rpc_support import PASSWORD
from server_support import in_process


async def _pending_call_requests() -> list[str]:
    """The names of the coroutines grpcio waits on for the next incoming call."""
    names = (task.get_coro().__qualname__ for task in asyncio.all_tasks())  # type: ignore[union-attr]
    return sorted(name for name in names if name.startswith("AioServer._request"))


def test_the_server_waits_for_the_next_call_on_one_request_whatever_it_serves(
    tmp_path: Path,
) -> None:
    with in_process(tmp_path) as local:
        user = local.create_user(PASSWORD)
        session = local.client.sign_in(user.email, PASSWORD)
        assert local.client.verify(session.session_token).user_id == user.user_id  # served
        pending = asyncio.run_coroutine_threadsafe(
            _pending_call_requests(), local.server.loop
        ).result()
    assert pending == ["AioServer._request_call"], pending
