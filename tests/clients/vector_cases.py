"""The shared webhook signature cases (webhook_vectors.json) as the Go,
TypeScript and Java test runs see them: each language's unit tests read the
file from `PASSGATE_WEBHOOK_VECTORS` and report one test per case, by the
case's name; `check_every_case_passed` holds that every case was run and
passed."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

VECTORS = Path(__file__).with_name("webhook_vectors.json")

# The variable each language's webhook tests read the file's path from.
VECTORS_VARIABLE = "PASSGATE_WEBHOOK_VECTORS"


def case_names() -> list[str]:
    cases = json.loads(VECTORS.read_text(encoding="utf-8"))["cases"]
    return [str(c["name"]) for c in cases]


def check_every_case_passed(passed: Iterable[str], label: str) -> None:
    """`passed` are the names the language's test run reported as passed."""
    missing = [name for name in case_names() if name not in set(passed)]
    assert not missing, f"{label}: webhook cases not reported as passed: {missing}"
