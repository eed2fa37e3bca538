"""The `curator digest` commands and the demo stage, on a real database."""

from __future__ import annotations

from pathlib import Path

import pytest
import time_machine
from click.testing import CliRunner

from curator.cli import main
from curator.config import Settings
from curator.core import Curator
from curator.demo.newsletter_stage import run_newsletter_stage

from .world import SECRET, World


@pytest.fixture
def env(nl_settings: Settings) -> dict[str, str]:
    return {"CURATOR_SECRET_KEY": SECRET, "CURATOR_BASE_URL": "https://curator.example",
            "CURATOR_ENCODER": "fake", "CURATOR_MAIL_FROM": "Digest <digest@cluster.example>"}


def test_digest_commands_by_hand(cur: Curator, world: World, nl_settings: Settings, env: dict[str, str],
                                 tmp_path: Path) -> None:
    """The commands run on the system clock: travel to the world's time so that "this week" holds
    the world's items whatever today's date is."""
    run = CliRunner().invoke
    with time_machine.travel(cur.clock.now(), tick=True):
        db = ["--database", nl_settings.database_url]
        out = run(main, [*db, "digest", "draft", "--segment", "everyone", "--json"], env=env)
        assert out.exit_code == 0, out.output
        issue_id = cur.digests.list()[0].id
        out = run(main, [*db, "digest", "send", str(issue_id), "--outbox", str(tmp_path / "o")], env=env)
        assert out.exit_code == 1 and "approved" in out.output  # a clear one-line error, no traceback
        out = run(main, [*db, "digest", "approve", str(issue_id), "--editor", "Eva Editor"], env=env)
        assert out.exit_code == 0 and "approved:  by Eva Editor" in out.output, out.output
        out = run(main, [*db, "digest", "show", str(issue_id), "--as", "bernd@example.org",
                         "--html", str(tmp_path / "b.html")], env=env)
        assert out.exit_code == 0 and "Hallo Bernd" in out.output and (tmp_path / "b.html").exists(), out.output
        out = run(main, [*db, "digest", "send", str(issue_id), "--outbox", str(tmp_path / "o")], env=env)
        assert out.exit_code == 0 and f"{len(world.members)} sent" in out.output, out.output
        assert len(list((tmp_path / "o").glob("*.eml"))) == len(world.members)
        out = run(main, [*db, "digest", "list"], env=env)
        assert out.exit_code == 0 and "sent" in out.output
        out = run(main, [*db, "digest", "deliveries", str(issue_id)], env=env)
        assert out.exit_code == 0 and out.output.count("sent") >= len(world.members)


def test_worker_lists_its_jobs() -> None:
    out = CliRunner().invoke(main, ["worker", "--list"])
    assert out.exit_code == 0 and "draft_weekly_digests" in out.output and "send_due_issues" in out.output


def test_demo_stage_writes_eml_files(cur: Curator, world: World) -> None:
    lines: list[str] = []
    figures: dict[str, object] = {}
    run_newsletter_stage(cur, lines.append, figures)
    assert figures["digest_sent"] == figures["digest_eml_files"] == len(world.members)
    assert any(".eml files" in line for line in lines)
    assert Path(str(figures["digest_outbox"]), "preview.html").exists()


def test_heavy_libraries_are_not_imported_by_the_facade() -> None:
    """mjml and apscheduler load only when rendering or scheduling (ARCHITECTURE: lazy adapters)."""
    import subprocess
    import sys

    code = ("import sys, curator.core, curator.cli; "
            "bad = [m for m in ('mjml', 'apscheduler', 'aiosmtpd', 'playwright') if m in sys.modules]; "
            "sys.exit(str(bad) if bad else 0)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).returncode == 0
