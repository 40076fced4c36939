"""Ctrl-C at any moment of `passgate serve`'s start ends it quietly: no
traceback, no error line, whether the signal lands while the command line
imports, while the database is created and migrated, or once calls are
answered (then it drains and exits 0)."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from passgate.testing import free_port

PASSGATE = Path(sys.executable).with_name("passgate")  # the installed command


@pytest.mark.parametrize("after", [0.05, 0.2, 0.35, 0.5, 0.7, 0.9, 3.0])
def test_ctrl_c_while_serve_starts_ends_it_without_a_traceback(tmp_path: Path, after: float):
    process = subprocess.Popen(
        [str(PASSGATE), "serve", "--listen", f"127.0.0.1:{free_port()}"],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(after)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert "Traceback" not in stderr, stderr
    assert '"level":"error"' not in stderr, stderr
    assert process.returncode in (0, -signal.SIGINT), (process.returncode, stderr)
