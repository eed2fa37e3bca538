"""Bundled resources (issue 14): the package reads models/, templates/ and jobs/ through
curator.resources, by default the copies it ships with, and an editor's own through settings."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from curator.cli import main
from curator.config import Settings
from curator.resources import bundled

REPO = Path(__file__).resolve().parents[2]


def test_bundled_folders_are_the_repository_folders_and_the_defaults() -> None:
    for folder in ("models", "templates", "jobs"):
        shipped = sorted(p.relative_to(bundled(folder)) for p in bundled(folder).rglob("*") if p.is_file())
        in_repo = sorted(p.relative_to(REPO / folder) for p in (REPO / folder).rglob("*") if p.is_file())
        assert shipped == in_repo and shipped, folder
        assert all((bundled(folder) / p).read_bytes() == (REPO / folder / p).read_bytes() for p in shipped)
    settings = Settings()
    assert Path(settings.models_dir) == bundled("models")
    assert Path(settings.templates_dir) == bundled("templates")
    assert Path(settings.schedule_file) == bundled("jobs", "schedule.yaml")


def test_worker_reads_an_editors_schedule_from_the_settings(tmp_path: Path) -> None:
    (tmp_path / "my-schedule.yaml").write_text(
        "timezone: UTC\njobs:\n  - id: morning-collect\n    function: collect\n    cron: {hour: 6, minute: 0}\n",
        encoding="utf-8")
    (tmp_path / "curator.yaml").write_text(f"schedule_file: {tmp_path / 'my-schedule.yaml'}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(tmp_path / "curator.yaml"), "worker", "--list"])
    assert result.exit_code == 0, result.output
    assert [line.split()[0] for line in result.output.splitlines()] == ["morning-collect"]


def test_python_dash_m_curator_is_the_curator_command(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "curator", "--version"], cwd=tmp_path, capture_output=True,
                          text=True, check=True)
    assert done.stdout.strip().endswith("version 0.1.0")
