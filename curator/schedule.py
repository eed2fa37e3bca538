"""The schedule: which job runs when (``jobs/schedule.yaml``, the ``schedule_file`` setting), read
into plain values, and the cron arithmetic on them.

Terms: a *job* is an entry of schedule.yaml (id, function, cron trigger); a *slot* is one fire
time of a job's trigger; a *run* is one execution of a slot, recorded in ``job_runs``.

Two readers need the same answers: the worker (:mod:`curator.scheduler`, which fires the jobs and
also checks that each job's function exists) and the operations snapshot
(``curator.stats.health``, which tells whether a job is overdue) in any process, the web's
included. So the schedule and its slots live here, below the facade; the runtime that fires jobs
stays in the scheduler. APScheduler's cron trigger is imported only when a trigger is made.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from .errors import ConfigError

if TYPE_CHECKING:
    from apscheduler.triggers.cron import CronTrigger

_CRON_FIELDS = ("year", "month", "day", "week", "day_of_week", "hour", "minute", "second")
_OPTIONS = {"coalesce": True, "max_instances": 1, "misfire_grace_seconds": 3600, "lease_seconds": 1800}
"""The per-job options (also allowed under ``defaults``) and their values when neither sets them."""
_TOP_KEYS = ("timezone", "defaults", "jobs")
_JOB_KEYS = ("id", "function", "cron", "args", *_OPTIONS)


@dataclass(frozen=True)
class JobSpec:
    """One job of the schedule: its id, its function (a job of curator/jobs.py, or
    ``package.module:function``), its cron fields, the function's keyword ``args`` and the options
    that jobs/schedule.yaml describes."""

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
    """The jobs of a schedule file, in file order, and the time zone of their cron fields."""

    timezone: str
    jobs: tuple[JobSpec, ...]

    def job(self, job_id: str) -> JobSpec:
        for j in self.jobs:
            if j.id == job_id:
                return j
        raise ConfigError(f"no job '{job_id}' in the schedule (known: {', '.join(j.id for j in self.jobs)})")


def read_schedule(path: str | Path, check_job: Callable[[JobSpec, str], None] | None = None) -> Schedule:
    """Read and check schedule.yaml: its fields, every job's cron expression and options, and the
    time zone. ``check_job(spec, where)`` is called for each job after its trigger is checked (the
    worker checks there that the function exists and takes the ``args``). Raises ConfigError naming
    the file, the job, the field and what is allowed."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the schedule ({exc})") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: must be a mapping with the keys {', '.join(_TOP_KEYS)}")
    _refuse_unknown_keys(data, _TOP_KEYS, f"{path}")
    tz = data.get("timezone") or "Europe/Berlin"
    if not _known_timezone(tz):
        raise ConfigError(f"{path}: field 'timezone': unknown time zone {tz!r}; allowed: an IANA time zone name "
                          "such as Europe/Berlin or UTC")
    defaults = data.get("defaults") or {}
    if not isinstance(defaults, dict):
        raise ConfigError(f"{path}: field 'defaults': must be a mapping of {', '.join(_OPTIONS)}")
    _refuse_unknown_keys(defaults, tuple(_OPTIONS), f"{path}: defaults")
    entries = data.get("jobs") or []
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: field 'jobs': must be a list of jobs (each with id, function and cron)")
    jobs = []
    seen: set[str] = set()
    for n, entry in enumerate(entries):
        if not isinstance(entry, dict) or not entry.get("id") or not entry.get("function"):
            raise ConfigError(f"{path}: job {n + 1}: needs 'id' and 'function'")
        where = f"{path}: job '{entry['id']}'"
        if entry["id"] in seen:
            raise ConfigError(f"{where}: the id is used twice")
        seen.add(entry["id"])
        _refuse_unknown_keys(entry, _JOB_KEYS, where)
        spec = _job_spec(entry, {**_OPTIONS, **defaults}, where)
        _check_trigger(spec, tz, where)
        if check_job is not None:
            check_job(spec, where)
        jobs.append(spec)
    return Schedule(tz, tuple(jobs))


def _refuse_unknown_keys(mapping: Mapping[str, Any], allowed: Sequence[str], where: str) -> None:
    unknown = sorted(str(k) for k in mapping if k not in allowed)
    if unknown:
        raise ConfigError(f"{where}: unknown field {', '.join(map(repr, unknown))}; allowed: {', '.join(allowed)}")


def _known_timezone(name: object) -> bool:
    if not isinstance(name, str) or not name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):  # ValueError: a path rather than a zone name
        return False
    return True


def _job_spec(entry: Mapping[str, Any], options: Mapping[str, Any], where: str) -> JobSpec:
    """The entry as a JobSpec, each option taken from the entry, else ``options``."""
    cron = entry.get("cron")
    if not isinstance(cron, dict) or not cron or set(cron) - set(_CRON_FIELDS):
        raise ConfigError(f"{where}: field 'cron': must be a mapping of {', '.join(_CRON_FIELDS)} "
                          "(interval triggers are not allowed: workers must agree on fire times)")
    args = entry.get("args") or {}
    if not isinstance(args, dict):
        raise ConfigError(f"{where}: field 'args': must be a mapping of argument names to values")
    merged = {**options, **{k: entry[k] for k in _OPTIONS if k in entry}}
    if not isinstance(merged["coalesce"], bool):
        raise ConfigError(f"{where}: field 'coalesce': {merged['coalesce']!r}; allowed: true or false")
    for name in ("max_instances", "misfire_grace_seconds", "lease_seconds"):
        value = merged[name]
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ConfigError(f"{where}: field '{name}': {value!r}; allowed: a whole number of at least 1")
    return JobSpec(id=str(entry["id"]), function=str(entry["function"]), cron=dict(cron), args=dict(args),
                   coalesce=merged["coalesce"], max_instances=merged["max_instances"],
                   misfire_grace_seconds=merged["misfire_grace_seconds"], lease_seconds=merged["lease_seconds"])


def _check_trigger(spec: JobSpec, timezone: str, where: str) -> None:
    try:
        make_trigger(spec, timezone)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{where}: field 'cron': {exc}; allowed: APScheduler cron expressions "
                          "such as {minute: \"*/30\"} or {day_of_week: mon, hour: 6}") from exc


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
    return slot.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%dT%H:%M")


_LOOKBACKS = (timedelta(hours=1), timedelta(days=1), timedelta(days=8), timedelta(days=32), timedelta(days=367))
"""Windows searched, shortest first, for a job's previous fire time: a job every five minutes is
found in the first (a dozen steps), a weekly one in the third; a year covers any cron expression
that fires at all."""


def previous_fire_time(spec: JobSpec, timezone: str, now: datetime) -> datetime | None:
    """The last fire time of ``spec``'s trigger at or before ``now`` (UTC), searching back at most
    a year; None if it never fired in that time (e.g. a job for one date in the future)."""
    trigger = make_trigger(spec, timezone)
    for lookback in _LOOKBACKS:
        found = latest_fire_time(trigger, now, lookback)
        if found is not None:
            return found
    return None


def describe_cron(spec: JobSpec) -> str:
    """The job's cron fields as one line, e.g. ``minute=*/30`` or ``day_of_week=mon hour=6 minute=0``."""
    return " ".join(f"{name}={spec.cron[name]}" for name in _CRON_FIELDS if name in spec.cron)
