"""Scheduler: leases per job slot, misfire policy, DST, stable job ids (RELIABILITY 3G C01-C08, L05),
and a schedule refused at start-up when it names what cannot run."""

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

from curator.clock import FixedClock
from curator.config import Settings
from curator.core import Curator
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

REPO = Path(__file__).resolve().parents[2]
T = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)


@pytest.mark.timeout(120)
def test_two_worker_processes_run_each_slot_once(curator: Curator, db_url: str, tmp_path: Path) -> None:
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
    runs = curator.jobs.runs("count")
    assert len(runs) == slots and all(r.state == "done" for r in runs)
    assert {r.owner for r in runs} <= {"worker-a", "worker-b"}


def test_lease_blocks_other_workers_until_it_expires(curator: Curator, clock: FixedClock, tmp_path: Path) -> None:
    """C03: a worker dies mid-run (never finishes); nobody else runs the slot within the lease,
    another worker takes it over after it."""
    count = tmp_path / "c"
    spec = JobSpec(id="count", function="tests.newsletter.job_worker:count_run", cron={"minute": "*/5"},
                   args={"path": str(count)}, lease_seconds=600)
    # the dead worker's claim, arranged in storage: it never gets to finish
    assert curator.storage.start_job_run("count", "slot-1", owner="dead", now=T, ttl=timedelta(minutes=10)) is None
    clock.set(T + timedelta(minutes=9))
    assert curator.jobs.lease_holder("count") == "dead"
    out = run_job_slot(spec, T, cur=curator, owner="b")
    assert not out.ran and "lease held by dead" in out.reason
    assert not count.exists()
    clock.set(T + timedelta(minutes=11))
    assert curator.jobs.lease_holder("count") is None
    out = run_job_slot(spec, T, cur=curator, owner="b")
    assert out.ran and count.read_text().count("\n") == 1 and out.result == {"ok": "yes"}
    assert curator.jobs.lease_holder("count") is None  # a finished run gives its lease back
    # and the finished slot never runs again, even for its first owner
    clock.set(T + timedelta(minutes=30))
    again = run_job_slot(spec, T, cur=curator, owner="dead")
    assert not again.ran and again.reason == "this slot already ran"
    assert count.read_text().count("\n") == 1
    done = [r for r in curator.jobs.runs("count") if r.state == "done"]
    assert [(r.owner, r.finished_at) for r in done] == [("b", T + timedelta(minutes=11))]


def test_failed_job_is_recorded_and_does_not_raise(curator: Curator, clock: FixedClock) -> None:
    clock.set(T)
    spec = JobSpec(id="broken", function="curator.jobs:does_not_exist", cron={"minute": "0"})
    out = run_job_slot(spec, T, cur=curator, owner="a")
    assert out.ran and out.reason.startswith("failed")
    (run,) = curator.jobs.runs("broken")
    assert run.state == "failed" and run.detail is not None and "cannot be imported" in run.detail
    assert curator.jobs.lease_holder("broken") is None


def test_runs_default_to_the_curators_own_worker_name(curator: Curator, clock: FixedClock, tmp_path: Path) -> None:
    clock.set(T)
    spec = JobSpec(id="count", function="tests.newsletter.job_worker:count_run", cron={"minute": "*/5"},
                   args={"path": str(tmp_path / "c")})
    assert run_job_slot(spec, T, cur=curator).ran
    (run,) = curator.jobs.runs()
    assert run.owner == curator.jobs.owner and run.slot == "2026-11-23T06:00"  # Berlin wall-clock time
    assert run.started_at == run.finished_at == T and run.detail == '{"ok": "yes"}'


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


def test_fire_runs_the_current_slot_once(curator: Curator, clock: FixedClock, tmp_path: Path) -> None:
    """What APScheduler calls at a fire time: the slot is the latest fire time (on the Curator's
    clock), run once even if the scheduler (or a second one) fires again within it."""
    import curator.scheduler as sch

    count = tmp_path / "c"
    schedule = sch.Schedule("Europe/Berlin", (JobSpec("count", "tests.newsletter.job_worker:count_run",
                                                      {"minute": "*"}, args={"path": str(count)}),))
    clock.set(T + timedelta(seconds=5))
    sch._runtime = sch._Runtime(schedule, curator, "w1")
    try:
        sch.fire("count")
        clock.advance(seconds=50)  # still within the 05:00 slot
        sch._runtime = sch._Runtime(schedule, curator, "w2")
        sch.fire("count")
        assert len(curator.jobs.runs("count")) == 1
        clock.advance(seconds=10)  # 05:01:05: the next slot
        sch.fire("count")
    finally:
        sch._runtime = None
    runs = curator.jobs.runs("count")
    assert [(r.slot, r.owner) for r in runs] == [("2026-11-23T06:00", "w1"), ("2026-11-23T06:01", "w2")]
    assert len(count.read_text().splitlines()) == 2 and all(r.state == "done" for r in runs)


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


# ------------------------------------------------------------------ refused at start-up (issue 10 #8)

def _schedule(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "schedule.yaml"
    path.write_text(text)
    return path


def test_unknown_job_function_is_refused_naming_file_job_field_and_the_functions(tmp_path: Path) -> None:
    path = _schedule(tmp_path, "jobs:\n  - id: tagging\n    function: tag_items\n    cron: {minute: 10}\n")
    with pytest.raises(ConfigError) as err:
        load_schedule(path)
    message = str(err.value)
    assert message.startswith(f"{path}: job 'tagging': field 'function': ")
    assert "'tag_items'" in message
    assert ("allowed: collect, compute_topic_trends, draft_weekly_digests, rank_feeds, refresh_profiles, "
            "send_due_issues, tag (curator/jobs.py)") in message


@pytest.mark.parametrize("function", ["_curator", "asdict", "Curator", "curator.jobs:nothing", "no.such.module:run",
                                      ":collect"])
def test_only_the_job_functions_of_curator_jobs_or_an_import_path_are_accepted(tmp_path: Path, function: str) -> None:
    path = _schedule(tmp_path, f"jobs:\n  - id: x\n    function: '{function}'\n    cron: {{minute: 10}}\n")
    with pytest.raises(ConfigError, match=r"job 'x': field 'function': .*allowed: collect, "):
        load_schedule(path)


@pytest.mark.parametrize(("args", "problem"), [
    ("{segment: [everyone]}", "unexpected keyword argument 'segment'"),
    ("{segments: everyone}", "segments = 'everyone' does not fit"),
    ("{segments: [everyone, 3]}", "segments = ['everyone', 3] does not fit"),
    ("[everyone]", "must be a mapping of argument names to values"),
])
def test_arguments_that_do_not_fit_the_job_are_refused(tmp_path: Path, args: str, problem: str) -> None:
    path = _schedule(tmp_path, "jobs:\n  - id: weekly\n    function: draft_weekly_digests\n"
                               f"    args: {args}\n    cron: {{hour: 6, minute: 0}}\n")
    with pytest.raises(ConfigError) as err:
        load_schedule(path)
    message = str(err.value)
    assert message.startswith(f"{path}: job 'weekly': field 'args': ") and problem in message
    if "mapping" not in problem:
        assert message.endswith("allowed: segments (a list of texts)")


def test_arguments_of_an_import_path_are_bound_to_its_signature(tmp_path: Path) -> None:
    fn = "tests.newsletter.job_worker:count_run"
    path = _schedule(tmp_path, f"jobs:\n  - id: count\n    function: '{fn}'\n    cron: {{minute: 10}}\n")
    with pytest.raises(ConfigError, match=r"field 'args': missing a required argument: 'path'; "
                                          r"allowed: path \(text\)$"):
        load_schedule(path)
    path.write_text(f"jobs:\n  - id: count\n    function: '{fn}'\n    args: {{path: /tmp/x}}\n"
                    "    cron: {minute: 10}\n")
    assert load_schedule(path).job("count").args == {"path": "/tmp/x"}
    path.write_text("jobs:\n  - id: collect\n    function: collect\n    args: {force: true}\n    cron: {minute: 10}\n")
    with pytest.raises(ConfigError, match=r"field 'args': got an unexpected keyword argument 'force'; "
                                          r"allowed: no arguments$"):
        load_schedule(path)


@pytest.mark.parametrize("zone", ["Mars/Olympus", "../../etc/passwd", "5"])
def test_unknown_time_zone_is_refused(tmp_path: Path, zone: str) -> None:
    path = _schedule(tmp_path, f"timezone: '{zone}'\njobs:\n  - id: collect\n    function: collect\n"
                               "    cron: {minute: 10}\n")
    with pytest.raises(ConfigError) as err:
        load_schedule(path)
    assert str(err.value) == (f"{path}: field 'timezone': unknown time zone {zone!r}; allowed: an IANA time zone "
                              "name such as Europe/Berlin or UTC")


@pytest.mark.parametrize(("entry", "match"), [
    ("    arguments: {segments: [everyone]}\n", r"job 'x': unknown field 'arguments'; allowed: id, function, cron, args"),
    ("    coalesce: 'no'\n", r"job 'x': field 'coalesce': 'no'; allowed: true or false"),
    ("    lease_seconds: 0\n", r"job 'x': field 'lease_seconds': 0; allowed: a whole number of at least 1"),
    ("    misfire_grace_seconds: soon\n", r"job 'x': field 'misfire_grace_seconds': 'soon'; allowed: a whole number"),
])
def test_unknown_or_bad_job_options_are_refused(tmp_path: Path, entry: str, match: str) -> None:
    path = _schedule(tmp_path, f"jobs:\n  - id: x\n    function: collect\n    cron: {{minute: 10}}\n{entry}")
    with pytest.raises(ConfigError, match=match):
        load_schedule(path)


def test_bad_cron_values_and_top_level_fields_are_refused(tmp_path: Path) -> None:
    path = _schedule(tmp_path, "jobs:\n  - id: x\n    function: collect\n    cron: {hour: 25}\n")
    with pytest.raises(ConfigError, match=r"job 'x': field 'cron': .*25.*allowed: APScheduler cron expressions"):
        load_schedule(path)
    path.write_text("time_zone: UTC\njobs: []\n")
    with pytest.raises(ConfigError, match=r"unknown field 'time_zone'; allowed: timezone, defaults, jobs"):
        load_schedule(path)
    path.write_text("defaults: {lease: 60}\njobs: []\n")
    with pytest.raises(ConfigError, match=r"defaults: unknown field 'lease'; allowed: coalesce, max_instances"):
        load_schedule(path)


def test_the_worker_refuses_a_bad_schedule_before_it_starts(settings: Settings, tmp_path: Path) -> None:
    """``curator worker`` (run_worker) and ``curator worker --list`` check the schedule first."""
    from click.testing import CliRunner

    import curator.scheduler as sch
    from curator.cli import main

    path = _schedule(tmp_path, "jobs:\n  - id: tag\n    function: tag_items\n    cron: {minute: 10}\n")

    def started(_sched: object) -> None:
        raise AssertionError("the scheduler was about to start")

    with pytest.raises(ConfigError, match=r"job 'tag': field 'function'"):
        sch.run_worker(None, path, settings=settings, on_ready=started)
    assert sch._started.acquire(blocking=False)  # the refusal left no scheduler claimed
    sch._started.release()
    out = CliRunner().invoke(main, ["worker", "--list", "--schedule", str(path)])
    assert out.exit_code == 1 and f"Error: {path}: job 'tag': field 'function'" in out.output
    assert "Traceback" not in out.output


@pytest.mark.skipif(not hasattr(os, "getpriority"), reason="Unix CPU priorities")
def test_the_worker_lowers_its_cpu_priority_so_pages_come_first(tmp_path: Path) -> None:
    """``curator worker`` takes the CPU priority of the setting ``worker_nice`` before it builds
    anything: its tag and rank runs then use the CPU the web processes leave."""
    env = {**os.environ, "CURATOR_DATABASE_URL": f"sqlite:///{tmp_path}/w.db", "CURATOR_ENCODER": "fake",
           "CURATOR_WORKER_NICE": "7", "CURATOR_FEEDS_FILE": str(tmp_path / "feeds.yaml")}
    before = os.getpriority(os.PRIO_PROCESS, 0)
    proc = subprocess.Popen([sys.executable, "-m", "curator", "worker"], env=env, cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        seen = before
        for _ in range(600):
            assert proc.poll() is None, proc.communicate()[1]
            seen = os.getpriority(os.PRIO_PROCESS, proc.pid)
            if seen != before:
                break
            time.sleep(0.1)
        assert seen == max(before, 7)
    finally:
        proc.terminate()
        proc.wait(60)
    assert os.getpriority(os.PRIO_PROCESS, 0) == before, "the caller's priority is its own"
