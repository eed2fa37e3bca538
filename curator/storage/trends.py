"""Topic trends (tables in ``schema/trends.py``): storing and reading the worker's computations,
and the engagement events they count, with each member's segments but never the member."""

from __future__ import annotations

from datetime import datetime
from typing import Any, get_args

from sqlalchemy import and_, delete, literal, select

from ..types import EngagementAction, EngagementEvent, Topic, TopicTrends
from . import schema as t
from .database import Database

KEEP_RUNS = 20
"""Computations kept per period length; older ones are deleted when a new one is stored."""

_ACTIONS = {"view": "read", "rating": "rate", "click": "click", "save": "other", "more": "other", "send": "other",
            "attend": "other"}
"""Feedback kinds counted as engagement, by action; ``hide`` and ``less`` are not engagement."""
assert set(_ACTIONS.values()) <= set(get_args(EngagementAction))


class TrendQueries(Database):
    """Topic trend computations and their engagement events."""

    def store_topic_trends(self, trends: TopicTrends) -> int:
        """Store one computation with its topics (in their order); returns its id. Only the newest
        ``KEEP_RUNS`` computations of the same period length are kept."""
        r, tp = t.topic_runs, t.topics
        with self.write() as conn:
            key = conn.execute(r.insert().values(
                period_days=trends.period_days, computed_at=trends.computed_at, current_from=trends.current_from,
                until=trends.until, items_current=trends.items_current, items_previous=trends.items_previous,
                detail=dict(trends.detail))).inserted_primary_key
            assert key is not None
            run_id = int(key[0])
            if trends.topics:
                conn.execute(tp.insert(), [_topic_row(run_id, n, topic) for n, topic in enumerate(trends.topics)])
            old = [row.id for row in conn.execute(select(r.c.id).where(r.c.period_days == trends.period_days)
                                                  .order_by(r.c.id.desc()).offset(KEEP_RUNS))]
            if old:
                conn.execute(delete(tp).where(tp.c.run_id.in_(old)))
                conn.execute(delete(r).where(r.c.id.in_(old)))
        return run_id

    def latest_topic_trends(self, period_days: int) -> TopicTrends | None:
        """The newest stored computation for ``period_days``-day periods, None if there is none."""
        r, tp = t.topic_runs, t.topics
        with self.read() as conn:
            run = conn.execute(select(r).where(r.c.period_days == period_days).order_by(r.c.id.desc()).limit(1)).first()
            if run is None:
                return None
            rows = conn.execute(select(tp).where(tp.c.run_id == run.id).order_by(tp.c.position)).all()
        topics = tuple(Topic(label_en=row.label_en, label_de=row.label_de,
                             words={k: tuple(v) for k, v in row.words.items()}, areas=dict(row.areas),
                             langs=dict(row.langs), items=row.items, previous=row.previous, change=row.change,
                             p_value=row.p_value, rising=bool(row.rising), falling=bool(row.falling),
                             examples=tuple(row.examples), engagement=row.engagement) for row in rows)
        return TopicTrends(period_days=run.period_days, computed_at=run.computed_at, current_from=run.current_from,
                           until=run.until, items_current=run.items_current, items_previous=run.items_previous,
                           topics=topics, detail=dict(run.detail), id=run.id)

    def engagement_events(self, since: datetime, until: datetime) -> list[EngagementEvent]:
        """Members' actions on items from ``since`` up to ``until``: feedback events (views, ratings,
        clicks, saves, more like this, sends, attendance; not hide or less) and email clicks judged
        to be a person's (confidence ``high``, counted once at the first click), each with the
        member's clubs, persona, organisation type and language. Actions of erased members are
        gone with them (feedback) or left out (email clicks). Oldest first."""
        fe, m, o, ec = t.feedback_events, t.members, t.organisations, t.email_clicks
        member_of = m.outerjoin(o, o.c.id == m.c.organisation_id)
        feedback = (select(fe.c.item_id, fe.c.at, fe.c.kind, m.c.id.label("member_id"), m.c.persona,
                           o.c.kind.label("org_kind"), m.c.language)
                    .select_from(fe.join(member_of, m.c.id == fe.c.member_id))
                    .where(and_(fe.c.at >= since, fe.c.at < until, fe.c.kind.in_(list(_ACTIONS)))))
        clicks = (select(ec.c.item_id, ec.c.first_at.label("at"), literal("click").label("kind"), m.c.id.label("member_id"), m.c.persona, o.c.kind.label("org_kind"),
                         m.c.language)
                  .select_from(ec.join(member_of, m.c.id == ec.c.member_id))
                  .where(and_(ec.c.first_at >= since, ec.c.first_at < until, ec.c.confidence == "high")))
        with self.read() as conn:
            rows: list[Any] = [*conn.execute(feedback), *conn.execute(clicks)]
            clubs: dict[int, list[str]] = {}
            for member_id, club in conn.execute(select(t.club_memberships.c.member_id, t.club_memberships.c.club_id)
                                                .order_by(t.club_memberships.c.club_id)):
                clubs.setdefault(member_id, []).append(club)
        rows.sort(key=lambda row: (row.at, row.item_id))
        return [EngagementEvent(item_id=row.item_id, at=row.at, action=_ACTIONS[row.kind],  # type: ignore[arg-type]
                                clubs=tuple(clubs.get(row.member_id, ())), persona=row.persona,
                                organisation_kind=row.org_kind, language=row.language) for row in rows]


def _topic_row(run_id: int, position: int, topic: Topic) -> dict[str, Any]:
    return {"run_id": run_id, "position": position, "label_en": topic.label_en, "label_de": topic.label_de,
            "words": {k: list(v) for k, v in topic.words.items()}, "areas": topic.areas, "langs": topic.langs,
            "items": topic.items, "previous": topic.previous, "change": topic.change, "p_value": topic.p_value,
            "rising": topic.rising, "falling": topic.falling, "examples": list(topic.examples),
            "engagement": topic.engagement}
