"""Where the real grpcurl binary is: on PATH (`scripts/toolchains`' folder),
else in passgate's tools cache, where `scripts/test` builds it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest


def grpcurl_folder() -> Path:
    found = shutil.which("grpcurl")
    if found:
        return Path(found).parent
    tools = Path(os.environ.get("PASSGATE_TOOLS", Path.home() / ".cache" / "passgate-tools"))
    if (tools / "bin" / "grpcurl").is_file():
        return tools / "bin"
    pytest.fail("grpcurl not found: put `scripts/toolchains`' folder on PATH (scripts/test does)")
