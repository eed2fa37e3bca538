"""Runs of scheduled jobs: each slot of a job runs once across every worker on the database.

A *slot* is one fire time of a job's trigger, named by the scheduler (``2026-11-23T06:00``); a
*run* is one execution of a slot, recorded in ``job_runs``. Before a slot runs, the worker takes
the database lease ``job:<id>`` and checks that the slot has not already run, in storage's atomic
statements; a worker that dies mid-run leaves its lease, which expires after ``lease_seconds``.
The scheduler (``curator/scheduler.py``) decides *when*; this namespace decides *whether* and
keeps the record.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from ..types import JobRun, SlotOutcome

if TYPE_CHECKING:
    from ..clock import Clock
    from ..storage import Store

log = logging.getLogger("curator.jobs")


class Jobs:
    """``curator.jobs``: run a job's slot once under a lease, and read the record of runs.

    ``owner`` names this process as a worker (host, process id, a random part); leases and runs
    carry it, so a lease held by another process is told apart from one's own."""

    def __init__(self, *, storage: Store, clock: Clock, owner: str) -> None:
        self._storage = storage
        self._clock = clock
        self.owner = owner

    def run_slot(self, job: str, slot: str, run: Callable[[], object], *, lease_seconds: int,
                 owner: str | None = None) -> SlotOutcome:
        """Call ``run`` for ``slot`` of ``job`` unless another worker holds the job's lease (for
        ``lease_seconds`` from now) or the slot already ran; ``owner`` defaults to this process.
        An exception of ``run`` is recorded on the run (state ``failed``) and logged, never
        raised; its lease is released either way. The summary ``run`` returns is stored as JSON
        (storage keeps its first 2,000 characters)."""
        owner = owner or self.owner
        reason = self._storage.start_job_run(job, slot, owner=owner, now=self._clock.now(),
                                             ttl=timedelta(seconds=lease_seconds))
        if reason:
            log.info("job %s slot %s not run here: %s", job, slot, reason)
            return SlotOutcome(job, slot, False, reason)
        try:
            result = run()
        except Exception as exc:  # a job's failure is recorded; the worker keeps going
            log.exception("job %s slot %s failed", job, slot)
            self._storage.finish_job_run(job, slot, owner=owner, now=self._clock.now(), ok=False,
                                         detail=f"{exc.__class__.__name__}: {exc}")
            return SlotOutcome(job, slot, True, f"failed: {exc}")
        self._storage.finish_job_run(job, slot, owner=owner, now=self._clock.now(), ok=True,
                                     detail=json.dumps(result, default=str))
        return SlotOutcome(job, slot, True, "", result)

    def runs(self, job: str | None = None) -> list[JobRun]:
        """The recorded runs of ``job`` (None: of every job), oldest start first."""
        return [JobRun(job=r["job"], slot=r["slot"], owner=r["owner"], state=r["state"], started_at=r["started_at"],
                       finished_at=r["finished_at"], detail=r["detail"])
                for r in self._storage.job_runs(job)]

    def lease_holder(self, job: str) -> str | None:
        """The worker holding ``job``'s lease now (a run in progress, or a dead worker's lease
        that has not expired yet); None when nobody does."""
        return self._storage.lease_holder(f"job:{job}", self._clock.now())
