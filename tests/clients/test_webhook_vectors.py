"""The webhook signature cases the clients' verifiers are tested against
(webhook_vectors.json) are exactly what make_webhook_vectors.py writes, with
the standard library alone, and cover every way a delivery is refused."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPT = HERE / "make_webhook_vectors.py"
VECTORS = HERE / "webhook_vectors.json"


def test_the_checked_in_file_is_what_the_script_writes_with_the_standard_library_alone() -> None:
    # -I -S: no site-packages and no environment, so an import beyond the
    # standard library fails here.
    result = subprocess.run(
        [sys.executable, "-I", "-S", str(SCRIPT), "--stdout"],
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout == VECTORS.read_bytes(), (
        "webhook_vectors.json is stale: run python tests/clients/make_webhook_vectors.py"
    )


def test_every_refusal_has_a_case_and_the_reference_example_is_accepted() -> None:
    document = json.loads(VECTORS.read_text(encoding="utf-8"))
    cases = document["cases"]
    names = [c["name"] for c in cases]
    assert len(names) == len(set(names)), "case names are unique: tests report by them"
    refused = {c["error"] for c in cases if c["error"] is not None}
    assert refused == set(document["errors"])
    reference = next(c for c in cases if c["name"] == "standard_webhooks_reference_example")
    assert reference["error"] is None
    assert reference["headers"]["webhook-signature"] == (
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    )
    assert sum(c["error"] is None for c in cases) >= 2
