"""``curator.stats.health()`` and ``operations()``: a job is overdue when no run started since its
latest slot (allowing the misfire grace), judged against the schedule file, on SQLite and
PostgreSQL. T0 is Friday 2026-11-20 09:00 UTC; the schedule (conftest) runs ``often`` every five
minutes (grace 5 min, lease 20 min) and ``weekly`` on Mondays at 06:00."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from curator.clock import FixedClock
from curator.core import Curator
from curator.types import Health
from tests.conftest import T0

TTL = timedelta(minutes=10)


def _run(curator: Curator, job: str, slot: str, at: datetime, *, ok: bool | None = True) -> None:
    """A run as a worker records it: started at ``at``, finished a second later (``ok`` None:
    still running)."""
    assert curator.storage.start_job_run(job, slot, owner="w1", now=at, ttl=TTL) is None
    if ok is not None:
        curator.storage.finish_job_run(job, slot, owner="w1", now=at + timedelta(seconds=1), ok=ok)


def _status(health: Health) -> dict[str, str]:
    return {c.name: c.status for c in health.checks}


def test_before_any_worker_ran_the_health_fails_on_that_alone(curator: Curator) -> None:
    health = curator.stats.health()
    assert not health.ok
    assert _status(health) == {"database": "ok", "migrations": "ok", "worker": "fail", "job often": "ok",
                               "job weekly": "ok"}
    worker = next(c for c in health.checks if c.name == "worker")
    assert "no scheduled job has run" in worker.detail and "curator worker" in worker.fix
    assert [(j.job, j.due_at, j.overdue) for j in health.jobs] == [("often", None, False), ("weekly", None, False)]


def test_a_job_is_overdue_once_a_slot_passes_its_grace_without_a_run(curator: Curator, clock: FixedClock) -> None:
    _run(curator, "often", "08:55", T0 - timedelta(minutes=5))
    health = curator.stats.health()
    assert health.ok and _status(health)["job often"] == "ok"
    often, weekly = health.jobs
    assert often.due_at == T0 - timedelta(minutes=5) and not often.overdue
    assert weekly.due_at is None, "Monday's slot came before the workers ran anything"
    assert weekly.schedule == "day_of_week=mon hour=6 minute=0"

    clock.set(T0 + timedelta(minutes=4, seconds=59))  # the 09:00 slot is still within its grace
    assert curator.stats.health().ok
    clock.set(T0 + timedelta(minutes=5, seconds=1))
    health = curator.stats.health()
    assert not health.ok and health.jobs[0].overdue and health.jobs[0].due_at == T0
    check = next(c for c in health.checks if c.name == "job often")
    assert check.status == "fail" and "overdue: due 2026-11-20 09:00:00Z" in check.detail

    _run(curator, "often", "09:05", T0 + timedelta(minutes=5, seconds=2))
    assert curator.stats.health().ok


def test_a_long_run_holds_the_job_only_while_its_lease_lives(curator: Curator, clock: FixedClock) -> None:
    _run(curator, "often", "08:55", T0 - timedelta(minutes=5))
    _run(curator, "often", "09:00", T0, ok=None)  # still running (or its worker died)
    clock.set(T0 + timedelta(minutes=14))  # due: 09:05, while the run of 09:00 holds its lease
    assert curator.stats.health().ok, "the 09:00 run is under way"
    clock.set(T0 + timedelta(minutes=21))  # due: 09:15; the lease (20 min) ended at 09:20
    assert curator.stats.health().jobs[0].overdue


def test_a_weekly_job_that_missed_monday_is_overdue_and_a_failed_run_is_a_warning(
        curator: Curator, clock: FixedClock) -> None:
    _run(curator, "often", "earlier", T0 - timedelta(days=7))
    _run(curator, "often", "08:55", T0 - timedelta(minutes=5))
    health = curator.stats.health()
    assert not health.ok and health.jobs[1].overdue
    assert health.jobs[1].due_at == datetime.fromisoformat("2026-11-16T06:00:00+00:00")
    _run(curator, "weekly", "2026-11-16T06:00", T0 - timedelta(minutes=1), ok=False)
    health = curator.stats.health()
    assert health.ok and _status(health)["job weekly"] == "warn"
    assert health.jobs[1].record.runs == {"failed": 1}


def test_a_broken_schedule_file_fails_the_health(curator: Curator) -> None:
    Path(curator.settings.schedule_file).write_text("jobs:\n  - id: x\n    function: collect\n    cron: {minutes: 5}\n")
    health = curator.stats.health()
    check = next(c for c in health.checks if c.name == "schedule")
    assert not health.ok and check.status == "fail" and "field 'cron'" in check.detail
    assert curator.stats.operations().jobs == (), "the figures of the database are still reported"


def test_operations_report_the_jobs_against_the_schedule(curator: Curator) -> None:
    _run(curator, "often", "08:55", T0 - timedelta(minutes=5))
    _run(curator, "unscheduled", "x", T0 - timedelta(minutes=3))
    snap = curator.stats.operations()
    assert snap.taken_at == T0
    assert [j.job for j in snap.jobs] == ["often", "weekly"], "only the jobs of the schedule"
    assert snap.jobs[0].record.runs == {"done": 1}
    assert snap.counts.deliveries["sent"] == 0
