"""``curator worker``: APScheduler 3 running the jobs of jobs/schedule.yaml. The only module that
imports apscheduler.

Terms: a *job* is an entry of schedule.yaml (id, function, cron trigger); a *slot* is one fire
time of a job's trigger; a *run* is one execution of a slot, recorded in ``job_runs``.

Guarantees (RELIABILITY 3G):
- The job store is in memory (never shared between schedulers, never in the app database); the
  jobs are rebuilt from schedule.yaml at each start with ``replace_existing`` (C07, C08).
- Before a slot runs, the worker takes the database lease ``job:<id>`` and checks that the slot
  has not already run. Two workers on one database (SQLite file or PostgreSQL) therefore run each
  slot once; the loser logs "lease held" or "slot already ran" (C01). A worker killed mid-run
  leaves its lease; another worker may take the slot over once ``lease_seconds`` have passed (C03).
- Misfires: ``coalesce`` (several missed fire times -> one run of the latest slot),
  ``max_instances=1`` and a per-job ``misfire_grace_seconds`` (C04).
- Triggers are cron expressions with an explicit time zone, so DST changes give one run per
  day (C06) and every worker computes the same slots.
"""

from __future__ import annotations

import importlib
import json
import logging
import signal
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from .errors import ConfigError, WorkflowError

if TYPE_CHECKING:
    from apscheduler.schedulers.base import BaseScheduler
    from apscheduler.triggers.cron import CronTrigger

    from .config import Settings
    from .storage import Storage

log = logging.getLogger("curator.scheduler")

DEFAULT_SCHEDULE = Path(__file__).resolve().parent.parent / "jobs" / "schedule.yaml"
_CRON_FIELDS = {"year", "month", "day", "week", "day_of_week", "hour", "minute", "second"}


@dataclass(frozen=True)
class JobSpec:
    id: str
    function: str
    cron: Mapping[str, Any]
    args: Mapping[str, Any] = field(default_factory=dict)
    coalesce: bool = True
    max_instances: int = 1
    misfire_grace_seconds: int = 3600
    lease_seconds: int = 1800


@dataclass(frozen=True)
class Schedule:
    timezone: str
    jobs: tuple[JobSpec, ...]

    def job(self, job_id: str) -> JobSpec:
        for j in self.jobs:
            if j.id == job_id:
                return j
        raise ConfigError(f"no job '{job_id}' in the schedule (known: {', '.join(j.id for j in self.jobs)})")


def load_schedule(path: str | Path = DEFAULT_SCHEDULE) -> Schedule:
    """Read and check schedule.yaml. ConfigError names the file, the job and the field."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the schedule ({exc})") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    tz = str(data.get("timezone") or "Europe/Berlin")
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(tz)
    except Exception as exc:
        raise ConfigError(f"{path}: unknown timezone {tz!r}") from exc
    defaults = dict(data.get("defaults") or {})
    jobs = []
    seen: set[str] = set()
    for n, entry in enumerate(data.get("jobs") or []):
        where = f"{path}: job {n + 1}"
        if not isinstance(entry, dict) or not entry.get("id") or not entry.get("function"):
            raise ConfigError(f"{where}: needs 'id' and 'function'")
        where = f"{path}: job '{entry['id']}'"
        if entry["id"] in seen:
            raise ConfigError(f"{where}: the id is used twice")
        seen.add(entry["id"])
        cron = entry.get("cron")
        if not isinstance(cron, dict) or not cron or set(cron) - _CRON_FIELDS:
            raise ConfigError(f"{where}: 'cron' must be a mapping of {', '.join(sorted(_CRON_FIELDS))} "
                              "(interval triggers are not allowed: workers must agree on fire times)")
        merged = {**defaults, **entry}
        try:
            spec = JobSpec(id=str(entry["id"]), function=str(entry["function"]), cron=dict(cron),
                           args=dict(entry.get("args") or {}), coalesce=bool(merged.get("coalesce", True)),
                           max_instances=int(merged.get("max_instances", 1)),
                           misfire_grace_seconds=int(merged.get("misfire_grace_seconds", 3600)),
                           lease_seconds=int(merged.get("lease_seconds", 1800)))
            make_trigger(spec, tz)
        except (TypeError, ValueError) as exc:
            raise ConfigError(f"{where}: {exc}") from exc
        jobs.append(spec)
    return Schedule(tz, tuple(jobs))


def make_trigger(spec: JobSpec, timezone: str) -> CronTrigger:
    from apscheduler.triggers.cron import CronTrigger

    return CronTrigger(timezone=timezone, **spec.cron)


def latest_fire_time(trigger: CronTrigger, now: datetime, lookback: timedelta) -> datetime | None:
    """The last fire time of ``trigger`` at or before ``now`` (within ``lookback``): the slot a
    run started now belongs to. With coalescing, missed earlier slots fold into this one."""
    t = trigger.get_next_fire_time(None, now - lookback)
    last = None
    while t is not None and t <= now:
        last = t
        # step in UTC: local arithmetic drops ``fold`` and loops in the repeated DST hour
        t = trigger.get_next_fire_time(t, t.astimezone(UTC) + timedelta(seconds=1))
    return last.astimezone(UTC) if last is not None else None


def slot_key(slot: datetime, timezone: str) -> str:
    """The identity of a slot: its wall-clock time in the schedule's time zone. On the autumn DST
    change a daily 02:30 job fires at both 02:30s (APScheduler 3 gives both fold values); both
    map to one key, so the job runs once that day (C06). Sub-hourly jobs skip the repeated hour."""
    from zoneinfo import ZoneInfo

    return slot.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%dT%H:%M")


def resolve_function(name: str) -> Callable[..., Any]:
    """``collect`` -> curator.jobs.collect; ``package.module:function`` -> that function."""
    module, _, attr = name.rpartition(":") if ":" in name else ("curator.jobs", ":", name)
    try:
        fn = getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError) as exc:
        raise ConfigError(f"job function {name!r} cannot be imported: {exc}") from exc
    if not callable(fn):
        raise ConfigError(f"job function {name!r} is not callable")
    return fn  # type: ignore[no-any-return]


@dataclass(frozen=True)
class SlotOutcome:
    job: str
    slot: str
    ran: bool
    reason: str = ""
    result: Any = None


def run_job_slot(spec: JobSpec, slot: datetime, *, store: Storage, owner: str, now: datetime,
                 config_file: str | None = None, timezone: str = "Europe/Berlin") -> SlotOutcome:
    """Run one slot of a job unless another worker holds its lease or the slot already ran.
    Exceptions of the job are recorded on the run and logged, never raised."""
    key = slot_key(slot, timezone)
    reason = store.start_job_run(spec.id, key, owner=owner, now=now, ttl=timedelta(seconds=spec.lease_seconds))
    if reason:
        log.info("job %s slot %s not run here: %s", spec.id, key, reason)
        return SlotOutcome(spec.id, key, False, reason)
    try:
        result = resolve_function(spec.function)(config_file=config_file, **dict(spec.args))
    except Exception as exc:  # a job's failure is recorded; the scheduler keeps going
        log.exception("job %s slot %s failed", spec.id, key)
        store.finish_job_run(spec.id, key, owner=owner, now=datetime.now(UTC), ok=False,
                             detail=f"{exc.__class__.__name__}: {exc}")
        return SlotOutcome(spec.id, key, True, f"failed: {exc}")
    store.finish_job_run(spec.id, key, owner=owner, now=datetime.now(UTC), ok=True,
                         detail=json.dumps(result, default=str)[:2000])
    return SlotOutcome(spec.id, key, True, "", result)


@dataclass
class _Runtime:
    schedule: Schedule
    store: Storage
    owner: str
    config_file: str | None


_runtime: _Runtime | None = None
_started = threading.Lock()


def fire(job_id: str) -> None:
    """What APScheduler calls (by import path) at a fire time."""
    rt = _runtime
    if rt is None:  # pragma: no cover - only reachable if someone schedules it by hand
        raise WorkflowError("the worker runtime is not initialised")
    spec = rt.schedule.job(job_id)
    now = datetime.now(UTC)
    slot = latest_fire_time(make_trigger(spec, rt.schedule.timezone), now,
                            timedelta(seconds=spec.misfire_grace_seconds + 60))
    if slot is None:
        log.warning("job %s fired at %s but no slot is due; ignored", job_id, now)
        return
    run_job_slot(spec, slot, store=rt.store, owner=rt.owner, now=now, config_file=rt.config_file,
                 timezone=rt.schedule.timezone)


def build_scheduler(schedule: Schedule, *, blocking: bool = True) -> BaseScheduler:
    """An APScheduler with a memory job store and one job per schedule entry (stable ids)."""
    from apscheduler.executors.pool import ThreadPoolExecutor
    from apscheduler.jobstores.memory import MemoryJobStore
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.blocking import BlockingScheduler

    cls = BlockingScheduler if blocking else BackgroundScheduler
    sched = cls(jobstores={"default": MemoryJobStore()},
                executors={"default": ThreadPoolExecutor(max(2, len(schedule.jobs)))},
                timezone=schedule.timezone)
    for spec in schedule.jobs:
        sched.add_job("curator.scheduler:fire", trigger=make_trigger(spec, schedule.timezone), id=spec.id,
                      name=spec.id, kwargs={"job_id": spec.id}, replace_existing=True, coalesce=spec.coalesce,
                      max_instances=spec.max_instances, misfire_grace_time=spec.misfire_grace_seconds)
    return sched


def run_worker(config_file: str | None = None, schedule_file: str | Path = DEFAULT_SCHEDULE, *,
               owner: str | None = None, settings: Settings | None = None,
               on_ready: Callable[[BaseScheduler], None] | None = None) -> None:
    """Run the scheduler in this process until SIGTERM/SIGINT. A second call in the same process
    raises WorkflowError (one scheduler per process, C02)."""
    global _runtime
    from .config import load_settings
    from .delivery.loop import new_owner
    from .storage import Storage

    if not _started.acquire(blocking=False):
        raise WorkflowError("a scheduler is already running in this process; start one worker per process")
    schedule = load_schedule(schedule_file)
    settings = settings or load_settings(config_file)
    storage = Storage(settings.database_url)
    storage.migrate()
    _runtime = _Runtime(schedule, storage, owner or new_owner(), config_file)
    sched = build_scheduler(schedule, blocking=True)

    def stop(signum: int, _frame: Any) -> None:
        log.warning("signal %s: stopping the scheduler after running jobs finish", signum)
        threading.Thread(target=sched.shutdown, kwargs={"wait": True}, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if on_ready:
        on_ready(sched)
    try:
        sched.start()
    finally:
        storage.close()
        _runtime = None
        _started.release()
