"""Manage a user's sessions through passgate's AdminService: create a user,
sign them in twice, list their sessions, revoke the first one, and show
VerifySession refusing it while the second still works. Every step prints
one JSON line.

It needs an API key with the admin scope that may also call SignIn and
VerifySession, made in the folder of the server's database:

    passgate apikey create --name admin-example --scopes admin,SignIn,VerifySession

Then, from the clone's root:

    PASSGATE_API_KEY=pgk_... .venv/bin/python clients/python/examples/admin.py \\
        --target 127.0.0.1:50051 --email grace@example.com \\
        --password 'Correct-Horse-9-battery'

With --ca-cert PATH it connects over TLS, trusting that CA; with
--client-cert PATH and --client-key PATH as well, over mutual TLS.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from passgate.client import (
    AdminClient,
    AuthClient,
    PassgateError,
    SessionInvalid,
    tls_credentials,
)


def main(
    target: str,
    api_key: str,
    address: str,
    password: str,
    *,
    ca_cert: Path | None = None,
    client_cert: Path | None = None,
    client_key: Path | None = None,
) -> None:
    # Plain text suits a server on loopback only; give --ca-cert anywhere else.
    credentials = None if ca_cert is None else tls_credentials(ca_cert, client_cert, client_key)
    with (
        AdminClient(target, api_key, channel_credentials=credentials) as admin,
        AuthClient(target, api_key, channel_credentials=credentials) as auth,
    ):
        user = admin.create_user(email=address, password=password)
        emit(step="create_user", user_id=user.user_id)

        # Two sign-ins, two sessions; the first one's id is the only session
        # listed between them.
        first = auth.sign_in(email=address, password=password)
        after_first = admin.list_user_sessions(user.user_id)
        if len(after_first) != 1:
            raise SystemExit(f"list sessions: {len(after_first)} sessions after one sign-in")
        first_session_id = after_first[0].session_id
        emit(step="sign_in_first", session_id=first_session_id)
        second = auth.sign_in(email=address, password=password)
        emit(step="sign_in_second", user_id=second.user_id)

        sessions = admin.list_user_sessions(user.user_id)
        emit(
            step="list_sessions",
            sessions=[
                {
                    "session_id": s.session_id,
                    "created_at": s.created_at.isoformat(),
                    "last_used_at": s.last_used_at.isoformat(),
                    "peer": s.peer,
                }
                for s in sessions
            ],
        )

        admin.revoke_user_session(user.user_id, first_session_id)
        emit(step="revoke_session", session_id=first_session_id)

        # The revoked session is refused at once: UNAUTHENTICATED, SESSION_INVALID.
        try:
            auth.verify_session(first.token)
        except SessionInvalid as refused:
            emit(step="revoked_session_refused", code=refused.code.value[0], reason=refused.reason)
        else:
            raise SystemExit("verify the revoked session: expected SESSION_INVALID, it still works")

        verified = auth.verify_session(second.token)
        emit(step="other_session_live", user_id=verified.user_id)


def emit(**fields: Any) -> None:
    print(json.dumps(fields), flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--target", default="127.0.0.1:50051", help="passgate's address")
    parser.add_argument("--email", required=True, help="the new user's e-mail address")
    parser.add_argument("--password", required=True, help="the new user's password")
    parser.add_argument("--ca-cert", type=Path, help="connect over TLS, trusting this CA (PEM)")
    parser.add_argument("--client-cert", type=Path, help="for mutual TLS: a certificate (PEM)")
    parser.add_argument("--client-key", type=Path, help="for mutual TLS: its key (PEM)")
    args = parser.parse_args()
    api_key = os.environ.get("PASSGATE_API_KEY", "")
    if not api_key:
        parser.error("set PASSGATE_API_KEY to a key with the admin scope")
    if args.ca_cert is None and (args.client_cert or args.client_key):
        parser.error("--client-cert and --client-key need --ca-cert")
    try:
        main(
            args.target,
            api_key,
            args.email,
            args.password,
            ca_cert=args.ca_cert,
            client_cert=args.client_cert,
            client_key=args.client_key,
        )
    except PassgateError as error:
        # One line that says why: code, reason, message (and error id, if any).
        sys.exit(f"admin: {error}")
