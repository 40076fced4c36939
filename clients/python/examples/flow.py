"""Sign in, change the password, reset it by e-mail, and sign in again.

Usage, from the clone's root, against the server `scripts/serve` started
(its mail folder is ./mail), for a user already created:

    PASSGATE_TARGET=127.0.0.1:50051 PASSGATE_API_KEY=pgk_... \\
        .venv/bin/python clients/python/examples/flow.py \\
        ada@example.com 'Correct-Horse-9-battery' mail

With --ca-cert PATH it connects over TLS, trusting that CA; with
--client-cert PATH and --client-key PATH as well, over mutual TLS.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import email.utils
import os
import sys
import time
from pathlib import Path

from passgate.client import (
    AuthClient,
    InvalidArgument,
    InvalidCredentials,
    PassgateError,
    RateLimited,
    ResetLink,
    RetryPolicy,
    tls_credentials,
)

NEW_PASSWORD = "Another#Strong-Pass-42"
RESET_PASSWORD = "Reset-Works-7-times!"


def main(
    address: str,
    password: str,
    mail_dir: Path,
    *,
    ca_cert: Path | None = None,
    client_cert: Path | None = None,
    client_key: Path | None = None,
) -> None:
    # Calls refused with RESOURCE_EXHAUSTED wait as long as the server's
    # RetryInfo says, then try again: at most 4 attempts, 30 s of waiting.
    retry = RetryPolicy(max_attempts=4, max_total_wait=30.0)
    target, api_key = os.environ["PASSGATE_TARGET"], os.environ["PASSGATE_API_KEY"]
    # Plain text suits a server on loopback only; with a CA certificate the
    # client speaks TLS, and with a client certificate and key, mutual TLS.
    credentials = None if ca_cert is None else tls_credentials(ca_cert, client_cert, client_key)
    with AuthClient(target, api_key, channel_credentials=credentials, retry=retry) as client:
        session = client.sign_in(email=address, password=password)
        print(f"signed in: user {session.user_id}, session valid until {session.expires_at}")

        # A refused request says what to fix, one violation per broken rule.
        try:
            client.change_password(
                session.token,
                old_password=password,
                new_password="password",
                confirm_password="passw0rd",
            )
        except InvalidArgument as error:
            print(f"refused: {error.code.name} {error.reason}")
            for violation in error.violations:
                print(f"  {violation.field}: {violation.reason}: {violation.description}")

        renewed = client.change_password(
            session.token,
            old_password=password,
            new_password=NEW_PASSWORD,
            confirm_password=NEW_PASSWORD,
        )
        print(f"password changed; the new session is valid until {renewed.expires_at}")

        seen = set(mail_dir.glob("*.eml"))
        client.request_reset(email=address)
        link = wait_for_reset_link(mail_dir, address, seen)
        client.submit_reset(user_id=link.user_id, token=link.token, new_password=RESET_PASSWORD)
        print("password reset by e-mail")

        try:
            client.sign_in(email=address, password=NEW_PASSWORD)
        except InvalidCredentials as error:
            print(f"refused: {error.code.name} {error.reason}")

        session = client.sign_in(email=address, password=RESET_PASSWORD)
        print(f"signed in again: user {session.user_id}")
        client.sign_out(session.token)


def wait_for_reset_link(mail_dir: Path, address: str, seen: set[Path]) -> ResetLink:
    """The reset link from the first new e-mail to `address` (passgate's file mailer)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        for path in sorted(set(mail_dir.glob("*.eml")) - seen):
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            body = message.get_body(preferencelist=("plain",))
            recipient = email.utils.parseaddr(str(message["To"]))[1]
            if recipient.lower() != address.lower() or body is None:
                continue
            for word in body.get_content().split():
                if "?user=" in word and "&token=" in word:
                    return ResetLink.parse(word)
        time.sleep(0.1)
    raise TimeoutError(f"no reset e-mail for {address} in {mail_dir}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("address")
    parser.add_argument("password")
    parser.add_argument("mail_dir", type=Path)
    parser.add_argument("--ca-cert", type=Path, help="connect over TLS, trusting this CA (PEM)")
    parser.add_argument("--client-cert", type=Path, help="for mutual TLS: a certificate (PEM)")
    parser.add_argument("--client-key", type=Path, help="for mutual TLS: its key (PEM)")
    args = parser.parse_args()
    if args.ca_cert is None and (args.client_cert or args.client_key):
        parser.error("--client-cert and --client-key need --ca-cert")
    try:
        main(
            args.address,
            args.password,
            args.mail_dir,
            ca_cert=args.ca_cert,
            client_cert=args.client_cert,
            client_key=args.client_key,
        )
    except RateLimited as error:
        # The retry policy gave up; RetryInfo still says when to come back.
        sys.exit(f"rate limited: try again in {error.retry_after:.0f} s")
    except PassgateError as error:
        # Any other refusal: one line that says why (code, reason, message; error id if any).
        sys.exit(f"flow: {error}")
