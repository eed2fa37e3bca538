"""Queries for what members did with sent issues: the items each copy showed, opens and clicks
(tables in ``schema/engagement.py``). Unique counts are row counts: a repeat raises ``hits``."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, select

from ..types import EventConfidence, ItemClicks, RecipientEngagement
from . import schema as t
from .database import Database

SHOWN_STATES = ("sent", "uncertain")
"""Delivery states whose copy counts as shown: an uncertain message most likely arrived."""


class EngagementQueries(Database):
    """Shown items, opens and clicks of digest issues."""

    def record_shown(self, issue_id: int, member_id: int, items: Sequence[tuple[int, str]]) -> None:
        """Replace the (item id, section) pairs of the member's copy of the issue: a copy rebuilt
        for a retry may differ, and only the last one built goes out. They count as shown once the
        member's delivery is sent (see :meth:`shown_items`)."""
        with self.write() as conn:
            sh = t.digest_shown
            conn.execute(delete(sh).where(and_(sh.c.issue_id == issue_id, sh.c.member_id == member_id)))
            seen: set[int] = set()
            rows = []
            for item_id, section in items:
                if item_id not in seen:
                    seen.add(item_id)
                    rows.append({"issue_id": issue_id, "member_id": member_id, "item_id": item_id,
                                 "section": section})
            if rows:
                conn.execute(sh.insert(), rows)

    def shown_items(self, member_id: int, *, exclude_issue: int | None = None) -> set[int]:
        """Ids of the items the member got in issues whose delivery to them is sent (or
        uncertain), except those of ``exclude_issue``."""
        sh, d = t.digest_shown, t.deliveries
        q = (select(sh.c.item_id).distinct()
             .select_from(sh.join(d, and_(d.c.issue_id == sh.c.issue_id, d.c.member_id == sh.c.member_id)))
             .where(and_(sh.c.member_id == member_id, d.c.state.in_(SHOWN_STATES))))
        if exclude_issue is not None:
            q = q.where(sh.c.issue_id != exclude_issue)
        with self.read() as conn:
            return {r[0] for r in conn.execute(q)}

    def delivered_at(self, issue_id: int, member_id: int) -> datetime | None:
        """When the server accepted the member's copy of the issue, None if it has not (yet)."""
        d = t.deliveries
        with self.read() as conn:
            return conn.execute(select(d.c.sent_at).where(and_(d.c.issue_id == issue_id,
                                                               d.c.member_id == member_id))).scalar()

    def _count_event(self, table: Any, keys: dict[str, Any], confidence: EventConfidence, reason: str | None,
               now: datetime) -> bool:
        values = {**keys, "confidence": confidence, "reason": reason, "hits": 1, "first_at": now, "last_at": now}
        stmt = self._insert(table).values(**values)
        stmt = stmt.on_conflict_do_update(index_elements=[*keys, "confidence"],
                                          set_={"hits": table.c.hits + 1, "last_at": now})
        with self.write() as conn:
            # (xmax = 0) would tell an insert on PostgreSQL only; comparing hits works on both
            hits = conn.execute(stmt.returning(table.c.hits)).scalar_one()
        return bool(hits == 1)

    def record_open(self, issue_id: int, member_id: int, *, confidence: EventConfidence, reason: str | None,
                    now: datetime) -> bool:
        """Count an open of the member's copy; True if it is their first of this confidence."""
        return self._count_event(t.email_opens, {"issue_id": issue_id, "member_id": member_id}, confidence, reason, now)

    def record_click(self, issue_id: int, member_id: int, item_id: int, *, confidence: EventConfidence,
                     reason: str | None, now: datetime) -> bool:
        """Count a click on an item of the member's copy; True if it is their first on that item
        with this confidence."""
        return self._count_event(t.email_clicks, {"issue_id": issue_id, "member_id": member_id, "item_id": item_id},
                           confidence, reason, now)

    def recipient_engagement(self, issue_id: int) -> list[RecipientEngagement]:
        """Every delivery record of the issue (by member id) with the member's language ("-" once
        erased), whether they opened or clicked it (high confidence), and whether they unsubscribed
        from the newsletter after its send started."""
        d, m, o, c, s = t.deliveries, t.members, t.email_opens, t.email_clicks, t.suppressions
        started = select(t.digest_issues.c.send_started_at).where(t.digest_issues.c.id == issue_id).scalar_subquery()
        opened = (select(o.c.member_id).where(and_(o.c.issue_id == issue_id, o.c.confidence == "high")))
        clicked = (select(c.c.member_id).where(and_(c.c.issue_id == issue_id, c.c.confidence == "high")))
        left = (select(s.c.member_id, s.c.email_key)
                .where(and_(s.c.scope == "newsletter", s.c.reason == "unsubscribed", s.c.created_at >= started)))
        q = (select(d.c.member_id, d.c.state, d.c.email_key, m.c.language, m.c.tracking_consent)
             .select_from(d.outerjoin(m, m.c.id == d.c.member_id))
             .where(d.c.issue_id == issue_id).order_by(d.c.member_id))
        with self.read() as conn:
            opened_ids = {r[0] for r in conn.execute(opened)}
            clicked_ids = {r[0] for r in conn.execute(clicked)}
            gone = conn.execute(left).all()
            gone_ids = {r.member_id for r in gone if r.member_id is not None}
            gone_keys = {r.email_key for r in gone}
            return [RecipientEngagement(
                member_id=r.member_id, language=r.language or "-", state=r.state, tracked=bool(r.tracking_consent),
                opened=r.member_id in opened_ids or r.member_id in clicked_ids, clicked=r.member_id in clicked_ids,
                unsubscribed=r.member_id in gone_ids or (r.email_key is not None and r.email_key in gone_keys))
                for r in conn.execute(q)]

    def item_clicks(self, issue_id: int) -> list[ItemClicks]:
        """Per clicked item of the issue: unique high-confidence clickers and all their clicks,
        most clickers first (then item id)."""
        c = t.email_clicks
        members = func.count(c.c.member_id)
        q = (select(c.c.item_id, members, func.sum(c.c.hits))
             .where(and_(c.c.issue_id == issue_id, c.c.confidence == "high"))
             .group_by(c.c.item_id).order_by(members.desc(), c.c.item_id))
        with self.read() as conn:
            return [ItemClicks(r[0], int(r[1]), int(r[2])) for r in conn.execute(q)]

    def low_confidence_counts(self, issue_id: int) -> tuple[int, int]:
        """(members with a low-confidence open, low-confidence (member, item) clicks) of the issue:
        what scanners and image proxies did, shown apart."""
        o, c = t.email_opens, t.email_clicks
        with self.read() as conn:
            opens = conn.execute(select(func.count()).select_from(o).where(
                and_(o.c.issue_id == issue_id, o.c.confidence == "low"))).scalar_one()
            clicks = conn.execute(select(func.count()).select_from(c).where(
                and_(c.c.issue_id == issue_id, c.c.confidence == "low"))).scalar_one()
        return int(opens), int(clicks)


__all__ = ["SHOWN_STATES", "EngagementQueries"]
