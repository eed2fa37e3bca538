"""Fixtures of the operations tests: the shared ``settings`` (and so the ``curator`` fixture, on
SQLite and PostgreSQL and a fixed clock) with ``schedule_file`` a small schedule in UTC: a job every
five minutes and a weekly one."""

from __future__ import annotations

from pathlib import Path

import pytest

from curator.config import Settings

SCHEDULE = """\
timezone: UTC
jobs:
  - id: often
    function: collect
    cron: {minute: "*/5"}
    misfire_grace_seconds: 300
    lease_seconds: 1200
  - id: weekly
    function: draft_weekly_digests
    cron: {day_of_week: mon, hour: 6, minute: 0}
    misfire_grace_seconds: 3600
"""


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    """The shared test settings with the schedule above and a secret key."""
    path = tmp_path / "schedule.yaml"
    path.write_text(SCHEDULE, encoding="utf-8")
    return settings.replace(schedule_file=str(path), secret_key="ops-test-secret-0123456789abcdef")
