"""The dependency arrows of docs/architecture.md hold (import-linter contract in pyproject.toml)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def test_layers_point_inward() -> None:
    exe = Path(sys.executable).with_name("lint-imports")
    if not exe.exists():
        found = shutil.which("lint-imports")
        if not found:
            pytest.skip("import-linter is not installed (pip install -e .[dev])")
        exe = Path(found)
    out = subprocess.run([str(exe)], cwd=REPO, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-3000:]
