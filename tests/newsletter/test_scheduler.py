"""Scheduler: leases per job slot, misfire policy, DST, stable job ids (RELIABILITY 3G C01-C08, L05)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from curator.errors import ConfigError
from curator.scheduler import (
    DEFAULT_SCHEDULE,
    JobSpec,
    build_scheduler,
    latest_fire_time,
    load_schedule,
    make_trigger,
    run_job_slot,
    slot_key,
)
from curator.storage import Storage

REPO = Path(__file__).resolve().parents[2]
T = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)


@pytest.fixture
def store(db_url: str) -> Storage:
    s = Storage(db_url)
    s.migrate()
    yield s
    s.close()


@pytest.mark.timeout(120)
def test_two_worker_processes_run_each_slot_once(store: Storage, db_url: str, tmp_path: Path) -> None:
    """C01/L05: two processes race through the same 20 slots; every slot's body runs exactly once."""
    go, count = tmp_path / "go", tmp_path / "count"
    slots = 20
    procs = [subprocess.Popen([sys.executable, "-m", "tests.newsletter.job_worker", db_url, str(count), T.isoformat(),
                               str(slots), str(go), tag], cwd=REPO, env=dict(os.environ), stderr=subprocess.PIPE, text=True)
             for tag in "ab"]
    deadline = time.monotonic() + 60  # hang guard
    while not all(Path(f"{go}.ready.{t}").exists() for t in "ab") and time.monotonic() < deadline:
        time.sleep(0.01)
    go.touch()
    for p in procs:
        _, err = p.communicate(timeout=90)
        assert p.returncode == 0, err
    per_slot = [len(Path(f"{count}.{n}").read_text().splitlines()) for n in range(slots)]
    assert per_slot == [1] * slots
    runs = store.job_runs("count")
    assert len(runs) == slots and all(r["state"] == "done" for r in runs)


def test_lease_blocks_other_workers_until_it_expires(store: Storage, tmp_path: Path) -> None:
    """C03: a worker dies mid-run (never finishes); nobody else runs the slot within the lease,
    another worker takes it over after it."""
    count = tmp_path / "c"
    spec = JobSpec(id="count", function="tests.newsletter.job_worker:count_run", cron={"minute": "*/5"},
                   args={"path": str(count)}, lease_seconds=600)
    assert store.start_job_run("count", "slot-1", owner="dead", now=T, ttl=timedelta(minutes=10)) is None
    out = run_job_slot(spec, T, store=store, owner="b", now=T + timedelta(minutes=9))
    assert not out.ran and "lease held by dead" in out.reason
    out = run_job_slot(spec, T, store=store, owner="b", now=T + timedelta(minutes=11))
    assert out.ran and count.read_text().count("\n") == 1
    # and the finished slot never runs again, even for its first owner
    again = run_job_slot(spec, T, store=store, owner="dead", now=T + timedelta(minutes=30))
    assert not again.ran and again.reason == "this slot already ran"


def test_failed_job_is_recorded_and_does_not_raise(store: Storage) -> None:
    spec = JobSpec(id="broken", function="curator.jobs:does_not_exist", cron={"minute": "0"})
    out = run_job_slot(spec, T, store=store, owner="a", now=T)
    assert out.ran and out.reason.startswith("failed")
    (run,) = store.job_runs("broken")
    assert run["state"] == "failed" and "cannot be imported" in run["detail"]


def test_schedule_file_jobs_and_misfire_policy() -> None:
    """C04/C07/C08: memory job store, stable ids, coalesce, max_instances=1, explicit grace times."""
    schedule = load_schedule(DEFAULT_SCHEDULE)
    ids = {j.id for j in schedule.jobs}
    assert {"collect", "tag", "refresh_profiles", "draft_weekly_digests", "send_due_issues"} <= ids
    for _ in range(3):  # restarts rebuild the same jobs, never duplicates
        sched = build_scheduler(schedule, blocking=False)
        jobs = sched.get_jobs()
        assert sorted(j.id for j in jobs) == sorted(ids)
        for job in jobs:
            spec = schedule.job(job.id)
            assert job.coalesce is True and job.max_instances == 1
            assert job.misfire_grace_time == spec.misfire_grace_seconds >= 300
    draft = make_trigger(schedule.job("draft_weekly_digests"), schedule.timezone)
    fire = draft.get_next_fire_time(None, datetime(2026, 11, 21, tzinfo=UTC))
    local = fire.astimezone(ZoneInfo("Europe/Berlin"))
    assert local.weekday() == 0 and (local.hour, local.minute) == (6, 0)


def test_missed_ticks_coalesce_into_one_slot() -> None:
    """C04: the worker was stopped over three collect ticks: one run, for the latest slot."""
    collect = make_trigger(JobSpec("collect", "collect", {"minute": "*/30"}), "Europe/Berlin")
    resumed = datetime(2026, 11, 23, 10, 47, tzinfo=UTC)
    slot = latest_fire_time(collect, resumed, timedelta(hours=2))
    assert slot == datetime(2026, 11, 23, 10, 30, tzinfo=UTC)


@pytest.mark.parametrize("day", [date(2026, 3, 29), date(2026, 10, 25)])
def test_dst_days_fire_once_per_day(day: date) -> None:
    """C06: daily jobs at 01:30 and 02:30 local time run exactly once on the DST change days."""
    tz = ZoneInfo("Europe/Berlin")
    for hour in (1, 2, 3):
        trig = make_trigger(JobSpec("x", "x", {"hour": hour, "minute": 30}), "Europe/Berlin")
        start = datetime.combine(day - timedelta(days=2), datetime.min.time(), tz)
        fires, t = [], trig.get_next_fire_time(None, start)
        while t is not None and t < start + timedelta(days=5) and len(fires) < 20:  # no endless loop
            fires.append(t)
            t = trig.get_next_fire_time(t, t.astimezone(UTC) + timedelta(seconds=1))
        # APScheduler 3 fires twice in the repeated autumn hour; the slot key folds them into one run
        per_day = Counter(k[:10] for k in {slot_key(f, "Europe/Berlin") for f in fires})
        assert all(n == 1 for n in per_day.values()), per_day
        assert len(per_day) == 5 and len(fires) <= 6


def test_bad_schedule_names_file_and_job(tmp_path: Path) -> None:
    bad = tmp_path / "s.yaml"
    bad.write_text("jobs:\n  - id: collect\n    function: collect\n    cron: {minutes: 30}\n")
    with pytest.raises(ConfigError, match=r"s.yaml: job 'collect'.*interval triggers are not allowed"):
        load_schedule(bad)


def test_fire_runs_the_current_slot_once(store: Storage, tmp_path: Path) -> None:
    """What APScheduler calls at a fire time: the slot is the latest fire time, run once even if
    the scheduler (or a second one) fires again within it."""
    import curator.scheduler as sch

    count = tmp_path / "c"
    schedule = sch.Schedule("Europe/Berlin", (JobSpec("count", "tests.newsletter.job_worker:count_run",
                                                      {"minute": "*"}, args={"path": str(count)}),))
    sch._runtime = sch._Runtime(schedule, store, "w1", None)
    try:
        sch.fire("count")
        sch._runtime = sch._Runtime(schedule, store, "w2", None)
        sch.fire("count")
    finally:
        sch._runtime = None
    runs = store.job_runs("count")
    # two calls within one minute: one run; across a minute boundary: two runs of different slots
    assert len(count.read_text().splitlines()) == len(runs) and 1 <= len(runs) <= 2
    assert all(r["state"] == "done" for r in runs)


def test_one_scheduler_per_process() -> None:
    """C02: a second scheduler in the same process (a reloader, a double import) is refused."""
    import curator.scheduler as sch
    from curator.errors import WorkflowError

    assert sch._started.acquire(blocking=False)  # as if a worker were running here
    try:
        with pytest.raises(WorkflowError, match="already running"):
            sch.run_worker(None, DEFAULT_SCHEDULE)
    finally:
        sch._started.release()
