"""``curator worker``: APScheduler 3 running the jobs of jobs/schedule.yaml. The only module that
runs apscheduler (:mod:`curator.schedule` reads the schedule and makes its cron triggers); it
decides *when* a job runs and asks the facade (``cur.jobs``) to run it.

Terms (defined in :mod:`curator.schedule`): a *job* is an entry of schedule.yaml, a *slot* one
fire time of a job's trigger, a *run* one execution of a slot, recorded in ``job_runs``.

Guarantees (RELIABILITY 3G):
- The job store is in memory (never shared between schedulers, never in the app database); the
  jobs are rebuilt from schedule.yaml at each start with ``replace_existing`` (C07, C08).
- Before a slot runs, the worker takes the database lease ``job:<id>`` and checks that the slot
  has not already run (``Curator.jobs.run_slot``). Two workers on one database (SQLite file or
  PostgreSQL) therefore run each slot once; the loser logs "lease held" or "slot already ran"
  (C01). A worker killed mid-run leaves its lease; another worker may take the slot over once
  ``lease_seconds`` have passed (C03).
- Misfires: ``coalesce`` (several missed fire times -> one run of the latest slot),
  ``max_instances=1`` and a per-job ``misfire_grace_seconds`` (C04).
- Triggers are cron expressions with an explicit time zone, so DST changes give one run per
  day (C06) and every worker computes the same slots.
- A schedule that names an unknown job function, gives it arguments that do not fit its
  signature, or an unknown time zone is refused at start-up, naming the file, job and field.

The worker builds one Curator (``make_curator``) and uses its clock for fire times and leases;
each job function gets that Curator and the ``args`` of its entry.
"""

from __future__ import annotations

import importlib
import inspect
import logging
import os
import signal
import threading
import types
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union, get_args, get_origin

from .config import Settings, load_settings
from .core import Curator, make_curator
from .errors import ConfigError, WorkflowError
from .schedule import JobSpec, Schedule, latest_fire_time, make_trigger, read_schedule, slot_key
from .types import SlotOutcome

if TYPE_CHECKING:
    from apscheduler.schedulers.base import BaseScheduler

log = logging.getLogger("curator.scheduler")

DEFAULT_SCHEDULE = Path(Settings.schedule_file)
"""The schedule shipped with the package: the default of the ``schedule_file`` setting."""
JOBS_MODULE = "curator.jobs"
"""Where a bare function name of schedule.yaml is looked up (among its ``__all__``)."""


def load_schedule(path: str | Path = DEFAULT_SCHEDULE) -> Schedule:
    """Read and check schedule.yaml (:func:`curator.schedule.read_schedule`) and that every job's
    function exists and its ``args`` bind to the function's signature (and fit its annotations).
    Raises ConfigError naming the file, the job, the field and what is allowed."""
    return read_schedule(path, _check_function)


def _check_function(spec: JobSpec, where: str) -> None:
    """The function exists and ``fn(cur, **spec.args)`` fits its signature and annotations."""
    try:
        fn = resolve_function(spec.function)
    except ConfigError as exc:
        raise ConfigError(f"{where}: field 'function': {exc}") from exc
    sig = _signature(fn)
    try:
        sig.bind(None, **spec.args)  # None stands for the worker's Curator
    except TypeError as exc:
        raise ConfigError(f"{where}: field 'args': {exc}; allowed: {_allowed_arguments(sig)}") from exc
    for name, value in spec.args.items():
        param = sig.parameters.get(name)
        if param is not None and not _fits(value, param.annotation):
            raise ConfigError(f"{where}: field 'args': {name} = {value!r} does not fit; allowed: "
                              f"{_allowed_arguments(sig)}")


def _signature(fn: Callable[..., Any]) -> inspect.Signature:
    try:
        return inspect.signature(fn, eval_str=True)
    except Exception:  # annotations only type checkers can resolve: check the names alone
        return inspect.signature(fn)


def _allowed_arguments(sig: inspect.Signature) -> str:
    params = [p for p in list(sig.parameters.values())[1:] if p.kind is not p.VAR_KEYWORD]
    return ", ".join(f"{p.name} ({_describe(p.annotation)})" for p in params) or "no arguments"


_PLAIN: dict[Any, tuple[str, str]] = {str: ("text", "texts"), int: ("a whole number", "whole numbers"),
                                      float: ("a number", "numbers"), bool: ("true or false", "true/false values"),
                                      type(None): ("null", "nulls")}


def _fits(value: Any, hint: Any) -> bool:
    """Whether a YAML value fits a job parameter's annotation. Only plain annotations (text,
    numbers, true/false, lists of them, optional ones) are checked; any other passes."""
    origin, inner = get_origin(hint), get_args(hint)
    if origin in (Union, types.UnionType):
        return any(_fits(value, h) for h in inner)
    if hint is bool or hint is type(None) or hint is str:
        return isinstance(value, hint)
    if hint in (int, float):
        return isinstance(value, (int, float) if hint is float else int) and not isinstance(value, bool)
    if origin in (list, tuple, Sequence):
        return isinstance(value, list) and (not inner or all(_fits(v, inner[0]) for v in value))
    return True


def _describe(hint: Any, plural: bool = False) -> str:
    origin, inner = get_origin(hint), get_args(hint)
    if origin in (Union, types.UnionType):
        return " or ".join(_describe(h, plural) for h in inner)
    if hint in _PLAIN:
        return _PLAIN[hint][int(plural)]
    if origin in (list, tuple, Sequence):
        return f"a list of {_describe(inner[0], True)}" if inner else "a list"
    return "any value"


def resolve_function(name: str) -> Callable[..., Any]:
    """``collect`` -> the job of that name in curator/jobs.py (one of its ``__all__``);
    ``package.module:function`` -> that function. Raises ConfigError saying what is allowed."""
    module_name, _, attr = name.rpartition(":") if ":" in name else (JOBS_MODULE, ":", name)
    try:
        module = importlib.import_module(module_name)
        fn = getattr(module, attr)
    except (ImportError, AttributeError, ValueError) as exc:
        raise ConfigError(f"job function {name!r} cannot be imported ({exc}); allowed: "
                          f"{_allowed_functions()}") from exc
    if not callable(fn) or (module_name == JOBS_MODULE and attr not in module.__all__):
        raise ConfigError(f"{name!r} is not a job function; allowed: {_allowed_functions()}")
    return fn  # type: ignore[no-any-return]


def _allowed_functions() -> str:
    names: list[str] = importlib.import_module(JOBS_MODULE).__all__
    return f"{', '.join(names)} (curator/jobs.py), or package.module:function"


def run_job_slot(spec: JobSpec, slot: datetime, *, cur: Curator, owner: str | None = None,
                 timezone: str = "Europe/Berlin") -> SlotOutcome:
    """Run one slot of a job unless another worker holds its lease or the slot already ran
    (``cur.jobs.run_slot``; ``owner`` defaults to the Curator's). The job function gets ``cur``
    and the spec's ``args``. Exceptions of the job, an unimportable function included, are
    recorded on the run and logged, never raised."""

    def run() -> object:
        return resolve_function(spec.function)(cur, **dict(spec.args))

    return cur.jobs.run_slot(spec.id, slot_key(slot, timezone), run, lease_seconds=spec.lease_seconds, owner=owner)


@dataclass
class _Runtime:
    schedule: Schedule
    cur: Curator
    owner: str


_runtime: _Runtime | None = None
_started = threading.Lock()


def fire(job_id: str) -> None:
    """What APScheduler calls (by import path) at a fire time: run the job's latest slot."""
    rt = _runtime
    if rt is None:  # pragma: no cover - only reachable if someone schedules it by hand
        raise WorkflowError("the worker runtime is not initialised")
    spec = rt.schedule.job(job_id)
    now = rt.cur.clock.now()
    slot = latest_fire_time(make_trigger(spec, rt.schedule.timezone), now,
                            timedelta(seconds=spec.misfire_grace_seconds + 60))
    if slot is None:
        log.warning("job %s fired at %s but no slot is due; ignored", job_id, now)
        return
    run_job_slot(spec, slot, cur=rt.cur, owner=rt.owner, timezone=rt.schedule.timezone)


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


def lower_priority(nice: int) -> None:
    """Give this process the CPU priority ``nice`` (Unix nice; never raised back, which would need
    root). The worker's tag and rank runs then use the CPU the web processes leave: on two cores
    shared with ``curator serve``, the slowest page while 500 new items were collected, tagged and
    ranked went from 0.73 to 0.35 s (docs/benchmarks.md). No-op where the platform has no nice."""
    if nice <= 0 or not hasattr(os, "setpriority"):
        return
    current = os.getpriority(os.PRIO_PROCESS, 0)
    if current < nice:
        os.setpriority(os.PRIO_PROCESS, 0, nice)
    log.info("worker: CPU priority nice %d (setting worker_nice), so web pages come first", max(current, nice))


def run_worker(config_file: str | None = None, schedule_file: str | Path | None = None, *,
               owner: str | None = None, settings: Settings | None = None,
               on_ready: Callable[[BaseScheduler], None] | None = None) -> None:
    """Run the scheduler in this process until SIGTERM/SIGINT, with one Curator built from
    ``settings`` (default: ``load_settings(config_file)``) and the jobs of ``schedule_file``
    (default: the ``schedule_file`` setting). The schedule is checked before
    anything starts (ConfigError). A second call in the same process raises WorkflowError (one
    scheduler per process, C02)."""
    global _runtime

    if not _started.acquire(blocking=False):
        raise WorkflowError("a scheduler is already running in this process; start one worker per process")
    try:
        settings = settings or load_settings(config_file)
        schedule = load_schedule(schedule_file or settings.schedule_file)
        lower_priority(settings.worker_nice)
        cur = make_curator(settings)
        try:
            _runtime = _Runtime(schedule, cur, owner or cur.jobs.owner)
            sched = build_scheduler(schedule, blocking=True)

            def stop(signum: int, _frame: Any) -> None:
                log.warning("signal %s: stopping the scheduler after running jobs finish", signum)
                threading.Thread(target=sched.shutdown, kwargs={"wait": True}, daemon=True).start()

            signal.signal(signal.SIGTERM, stop)
            signal.signal(signal.SIGINT, stop)
            if on_ready:
                on_ready(sched)
            sched.start()
        finally:
            _runtime = None
            cur.close()
    finally:
        _started.release()
