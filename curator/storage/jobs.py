"""Queries that coordinate processes: job leases and the record of job runs. A lease is taken
in one atomic statement on SQLite and PostgreSQL, so two workers never run the same slot."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update

from . import schema as t
from .database import Database


class JobQueries(Database):
    """Leases and job runs."""


    def _acquire_lease(self, name: str, owner: str, now: datetime, ttl: timedelta) -> bool:
        """Take or renew the lease ``name`` for ``owner`` until ``now + ttl``. False while another
        owner holds an unexpired lease. One statement, atomic on SQLite and PostgreSQL."""
        stmt = self._insert(t.job_leases).values(name=name, owner=owner, expires_at=now + ttl)
        stmt = stmt.on_conflict_do_update(
            index_elements=["name"], set_={"owner": owner, "expires_at": now + ttl},
            where=or_(t.job_leases.c.expires_at < now, t.job_leases.c.owner == owner),
        ).returning(t.job_leases.c.owner)
        with self.write() as conn:
            return conn.execute(stmt).first() is not None

    def _release_lease(self, name: str, owner: str) -> None:
        with self.write() as conn:
            conn.execute(t.job_leases.delete().where(t.job_leases.c.name == name, t.job_leases.c.owner == owner))

    def lease_holder(self, name: str, now: datetime) -> str | None:
        """The owner of the unexpired lease ``name`` at ``now``, or None."""
        with self.read() as conn:
            row = conn.execute(select(t.job_leases).where(t.job_leases.c.name == name,
                                                        t.job_leases.c.expires_at >= now)).first()
        return row.owner if row else None

    def start_job_run(self, job: str, slot: str, *, owner: str, now: datetime, ttl: timedelta) -> str | None:
        """Claim one job slot (job, scheduled time). Returns None when ``owner`` may run it, else a
        reason: another worker holds the job's lease, or the slot already ran."""
        if not self._acquire_lease(f"job:{job}", owner, now, ttl):
            return f"lease held by {self.lease_holder(f'job:{job}', now) or 'another worker'}"
        r = t.job_runs
        with self.write() as conn:
            row = conn.execute(select(r).where(r.c.job == job, r.c.slot == slot)).first()
            if row is not None and row.state == "done":
                done = True
            else:
                done = False
                if row is None:
                    conn.execute(r.insert().values(job=job, slot=slot, owner=owner, state="running", started_at=now))
                else:  # a crashed or failed run of this slot: the lease expired, take it over
                    conn.execute(update(r).where(r.c.job == job, r.c.slot == slot)
                                 .values(owner=owner, state="running", started_at=now, finished_at=None))
        if done:
            self._release_lease(f"job:{job}", owner)
            return "this slot already ran"
        return None

    def finish_job_run(self, job: str, slot: str, *, owner: str, now: datetime, ok: bool,
                       detail: str | None = None) -> None:
        """Record the end of ``owner``'s run of a slot (``done`` or ``failed`` with ``detail``) and
        release the job's lease. A run taken over by another owner is left alone."""
        r = t.job_runs
        with self.write() as conn:
            conn.execute(update(r).where(r.c.job == job, r.c.slot == slot, r.c.owner == owner)
                         .values(state="done" if ok else "failed", finished_at=now,
                                 detail=(detail or "")[:2000] or None))
            conn.execute(t.job_leases.delete().where(t.job_leases.c.name == f"job:{job}", t.job_leases.c.owner == owner))

    def job_runs(self, job: str | None = None) -> list[dict[str, Any]]:
        """The recorded runs (of ``job``, or all), oldest first, as plain dicts of the columns."""
        r = t.job_runs
        q = select(r)
        if job:
            q = q.where(r.c.job == job)
        with self.read() as conn:
            return [dict(row._mapping) for row in conn.execute(q.order_by(r.c.started_at))]

