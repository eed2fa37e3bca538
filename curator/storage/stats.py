"""Counts for the editor's trends page (items and engagement per area, week and persona) and for
operating curator (``/healthz``, ``/metrics``): the schema's revision, what is waiting, the
record of job runs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import get_args

from sqlalchemy import and_, func, or_, select

from ..types import DeliveryState, JobRun, JobRunCounts, OperationsCounts
from . import schema as t
from .database import Database


class StatsQueries(Database):
    """Aggregates over items, feedback, sources, feeds, deliveries and job runs; no person is named
    in any result."""

    def trend_counts(self, since: datetime, visible: Sequence[str] | None = None) -> list[tuple[str, str, int]]:
        """(ISO week start date, area, item count) for items published since ``since``. Areas come
        from the tags (``item_tags.areas``), which every tagging path writes."""
        q = (select(t.items.c.published, t.item_tags.c.areas)
             .select_from(t.items.join(t.item_tags, t.item_tags.c.item_id == t.items.c.id))
             .where(and_(t.items.c.published >= since, t.items.c.duplicate_of.is_(None))))
        if visible is not None:
            q = q.where(t.items.c.visibility.in_(list(visible)))
        counts: dict[tuple[str, str], int] = {}
        with self.read() as conn:
            for published, areas in conn.execute(q):
                week = (published - timedelta(days=published.weekday())).date().isoformat()
                for area in areas or ():
                    counts[(week, area)] = counts.get((week, area), 0) + 1
        return [(w, a, n) for (w, a), n in sorted(counts.items())]

    def engagement_counts(self, since: datetime) -> list[tuple[str, str, str, int]]:
        """(ISO week start, area, persona or "-", feedback events other than "hide") since ``since``."""
        q = (select(t.feedback_events.c.at, t.item_tags.c.areas, t.members.c.persona)
             .select_from(t.feedback_events
                          .join(t.item_tags, t.item_tags.c.item_id == t.feedback_events.c.item_id)
                          .join(t.members, t.members.c.id == t.feedback_events.c.member_id))
             .where(and_(t.feedback_events.c.at >= since, t.feedback_events.c.kind.notin_(("hide", "less")))))
        counts: dict[tuple[str, str, str], int] = {}
        with self.read() as conn:
            for at, areas, persona in conn.execute(q):
                week = (at - timedelta(days=at.weekday())).date().isoformat()
                for area in areas or ():
                    key = (week, area, persona or "-")
                    counts[key] = counts.get(key, 0) + 1
        return [(w, a, p, n) for (w, a, p), n in sorted(counts.items())]

    # ----------------------------------------------------------------- operations

    def schema_revisions(self) -> tuple[str | None, str]:
        """(the database's schema revision, None before the first migration; the newest revision
        this version of curator knows). StorageError when the database cannot be reached."""
        from alembic.migration import MigrationContext

        with self.read() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
        # the newest revision is fixed for this process (it reads the migration scripts): asked
        # once, as health probes ask every few seconds
        head: str | None = getattr(self, "_known_head", None)
        if head is None:
            head = self._known_head = self.head_revision()
        return current, head

    def operations_counts(self) -> OperationsCounts:
        """What is waiting and what went wrong, in one read transaction (see OperationsCounts).

        A stored feed waits to be ranked when its member (status ``member``) has none, or it is
        marked stale, ranked against an older candidate pool, or older than the member's latest
        feedback event; all of them wait while the pool itself is marked stale. (A changed member
        record also makes a feed stale, but that is found only when ranking, so it is not counted.)"""
        s, i, tg, m, mf, fe, d = (t.sources, t.items, t.item_tags, t.members, t.member_feeds, t.feedback_events,
                                  t.deliveries)
        with self.read() as conn:
            collected = conn.execute(select(s.c.id, s.c.error_count, s.c.broken)
                                     .where(s.c.enabled.is_(True), s.c.origin != "internal", s.c.retired_at.is_(None))
                                     .order_by(s.c.id)).all()
            items_to_tag = conn.execute(
                select(func.count()).select_from(i.outerjoin(tg, tg.c.item_id == i.c.id))
                .where(or_(tg.c.item_id.is_(None), tg.c.content_hash != i.c.content_hash))).scalar_one()
            pool = conn.execute(select(t.feed_pools.c.id, t.feed_pools.c.stale, t.feed_pools.c.built_at)
                                .order_by(t.feed_pools.c.id.desc()).limit(1)).first()
            waiting = select(func.count()).select_from(m.outerjoin(mf, mf.c.member_id == m.c.id)).where(
                m.c.status == "member")
            if pool is not None and not pool.stale:
                latest = select(func.max(fe.c.id)).where(fe.c.member_id == m.c.id).scalar_subquery()
                waiting = waiting.where(or_(mf.c.member_id.is_(None), mf.c.stale.is_(True), mf.c.pool_id != pool.id,
                                            mf.c.events_through < func.coalesce(latest, 0)))
            feeds_to_rank = conn.execute(waiting).scalar_one()
            by_state: dict[str, int] = {state: int(n) for state, n in
                                        conn.execute(select(d.c.state, func.count()).group_by(d.c.state))}
        return OperationsCounts(
            source_errors={r.id: int(r.error_count) for r in collected},
            sources_broken=sum(1 for r in collected if r.broken),
            items_to_tag=int(items_to_tag), feeds_to_rank=int(feeds_to_rank),
            feed_pool_built_at=pool.built_at if pool is not None else None,
            deliveries={state: by_state.get(state, 0) for state in get_args(DeliveryState)})

    def job_run_counts(self) -> list[JobRunCounts]:
        """The record of every job that has run at least once, by job id: runs per state, the
        latest run (by start), the first start and the latest successful finish."""
        r = t.job_runs
        with self.read() as conn:
            per_state = conn.execute(select(r.c.job, r.c.state, func.count()).group_by(r.c.job, r.c.state)).all()
            spans = {row.job: row for row in conn.execute(
                select(r.c.job, func.min(r.c.started_at).label("first"),
                       func.max(r.c.finished_at).filter(r.c.state == "done").label("success")).group_by(r.c.job))}
            newest = select(r.c.job, func.max(r.c.started_at).label("started")).group_by(r.c.job).subquery()
            last: dict[str, JobRun] = {}
            for row in conn.execute(select(r).join(newest, and_(r.c.job == newest.c.job,
                                                               r.c.started_at == newest.c.started))
                                    .order_by(r.c.slot)):
                last[row.job] = JobRun(job=row.job, slot=row.slot, owner=row.owner, state=row.state,
                                       started_at=row.started_at, finished_at=row.finished_at, detail=row.detail)
        runs: dict[str, dict[str, int]] = {}
        for job, state, n in per_state:
            runs.setdefault(job, {})[state] = int(n)
        return [JobRunCounts(job=job, runs=runs[job], last=last.get(job), first_started_at=spans[job].first,
                             last_success_at=spans[job].success) for job in sorted(runs)]
