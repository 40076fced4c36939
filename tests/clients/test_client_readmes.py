"""Each client README's "run the example" block, followed as a newcomer would:
in a folder standing for the clone's root (its `.venv`, a copy of the
client's folder, and the server `scripts/serve` would run there, with its
`./passgate.db` and `./mail/`), the block runs with bash as written, from the
directories it names, twice in a row."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from passgate.testing import ServerProcess

ROOT = Path(__file__).resolve().parents[2]
SERVE_DEFAULT = "127.0.0.1:50051"
BUILT = shutil.ignore_patterns("node_modules", "dist", "target", "*.tsbuildinfo", "__pycache__")

pytestmark = pytest.mark.slow


def run_block(language: str) -> str:
    """The README's ```sh block that starts from the clone's root."""
    readme = (ROOT / "clients" / language / "README.md").read_text()
    blocks = [
        b
        for b in re.findall(r"^```sh\n(.*?)^```", readme, flags=re.DOTALL | re.MULTILINE)
        if "from the clone's root" in b
    ]
    assert len(blocks) == 1, f"clients/{language}/README.md: one block to run the example"
    return blocks[0]


@pytest.mark.parametrize("language", ["python", "go", "typescript", "java"])
def test_the_readme_runs_the_example_as_written_twice_in_a_row(
    language: str, tmp_path: Path
) -> None:
    root = tmp_path / "clone"
    shutil.copytree(ROOT / "clients" / language, root / "clients" / language, ignore=BUILT)
    (root / ".venv").symlink_to(ROOT / ".venv")
    block = run_block(language)
    assert "passgate " not in block.replace(".venv/bin/passgate ", ""), "call .venv/bin/passgate"
    with ServerProcess(root) as server:
        for run in (1, 2):
            result = subprocess.run(
                ["bash", "-e", "-c", block.replace(SERVE_DEFAULT, server.target)],
                cwd=root,
                capture_output=True,
                text=True,
                timeout=600,
                check=False,
            )
            assert result.returncode == 0, f"run {run}:\n{result.stdout}\n{result.stderr}"
            last = result.stdout.strip().splitlines()[-1]
            if language == "python":
                assert last.startswith("signed in again: user "), result.stdout
            else:
                assert json.loads(last)["step"] == "sign_in_after_reset", result.stdout
