"""Counts for the editor's trends page: items and engagement per area, week and persona."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import and_, select

from . import schema as t
from .database import Database

ROLES = ("member", "editor", "admin")
FREQUENCIES = ("daily", "weekly", "monthly", "never")


class StatsQueries(Database):
    """Aggregates over items and feedback; no person is named in any result."""

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
