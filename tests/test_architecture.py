"""The dependency arrows of docs/architecture.md hold (import-linter contract in pyproject.toml)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_layers_point_inward() -> None:
    """import-linter is in the dev extras, so its absence is a broken install, not a reason to skip."""
    exe = Path(sys.executable).with_name("lint-imports")
    found = str(exe) if exe.exists() else shutil.which("lint-imports")
    assert found, "lint-imports is missing: install the dev extras (pip install -e .[dev])"
    out = subprocess.run([found], cwd=REPO, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-3000:]
