"""`scripts/serve`, as a newcomer runs it: extra arguments go to `passgate
serve`, SMTP included."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

from passgate.testing import free_port, wait_for_health

ROOT = Path(__file__).resolve().parents[2]


def test_scripts_serve_sends_mail_through_smtp_when_given_a_host(tmp_path: Path):
    """It used to pass --mail-dir always, so --smtp-host failed with
    "exclude each other"."""
    target = f"127.0.0.1:{free_port()}"
    log = tmp_path / "serve.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PASSGATE_")}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                str(ROOT / "scripts" / "serve"),
                "--smtp-host", "127.0.0.1",
                "--smtp-port", str(free_port()),
                "--smtp-security", "none",
                "--listen", target,
                "--database", f"sqlite:///{tmp_path / 'passgate.db'}",
                "--bcrypt-cost", "4",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )  # fmt: skip
    try:
        wait_for_health(target, process, 120, log.read_text, "scripts/serve")
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0, log.read_text()
    assert not (tmp_path / "mail").exists()
