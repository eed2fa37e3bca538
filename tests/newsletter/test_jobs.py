"""Job functions take plain values (a settings file) and call one facade method each."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import time_machine
import yaml

from curator import jobs
from curator.core import Curator
from tests.delivery.sink import SmtpSink

from .world import EDITOR, SECRET, World


def test_jobs_draft_and_send_due_issues_from_a_settings_file(cur: Curator, world: World, sink: SmtpSink,
                                                              tmp_path: Path) -> None:
    config = tmp_path / "curator.yaml"
    config.write_text(yaml.safe_dump({
        "database_url": cur.settings.database_url, "secret_key": SECRET, "encoder": "fake",
        "base_url": "https://curator.example", "mail_from": "Digest <digest@cluster.example>",
        "smtp_host": "127.0.0.1", "smtp_port": sink.port, "smtp_security": "none"}))
    # the jobs run on the system clock: travel to the world's time so "this week" holds its items
    with time_machine.travel(cur.clock.now(), tick=True):
        drafted = jobs.draft_weekly_digests(str(config), segments=["everyone", "club:it-exec"])
        assert len(drafted["issues"]) == 2
        issue_id = drafted["issues"][0]
        cur.digests.approve(issue_id, editor=EDITOR)
        cur.digests.schedule(issue_id, datetime.now(UTC))  # the job runs on the system clock: due now
        out = jobs.send_due_issues(str(config))
        (report,) = out["reports"]
        assert report["issue_id"] == issue_id and report["sent"] == len(world.members)
        assert jobs.send_due_issues(str(config)) == {"reports": []}
        assert len(sink.received) == len(world.members)
