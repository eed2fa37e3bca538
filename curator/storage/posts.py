"""Queries for member posts and their moderation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update

from ..errors import InvalidInput, NotFound, WorkflowError
from ..types import MemberPost, ParsedItem, Source
from . import schema as t
from .items import ItemQueries


class PostQueries(ItemQueries):
    """Member posts: submitted, then approved (published as an item) or rejected."""


    @staticmethod
    def _post(row: Any) -> MemberPost:
        return MemberPost(
            id=row.id, title=row.title, text=row.text, link=row.link, author_name=row.author_name,
            author_email=row.author_email, organisation=row.organisation, lang=row.lang,
            visibility=row.visibility, status=row.status, reason=row.reason, submitted_at=row.submitted_at,
            decided_at=row.decided_at, decided_by=row.decided_by, item_id=row.item_id,
        )

    def add_post(self, *, title: str, text: str, link: str | None, author_name: str,
                 author_email: str | None, organisation: str | None, lang: str | None,
                 visibility: str, now: datetime) -> MemberPost:
        """Store a submitted post as ``pending``."""
        with self.write() as conn:
            res = conn.execute(t.member_posts.insert().values(
                title=title, text=text, link=link, author_name=author_name, author_email=author_email,
                organisation=organisation, lang=lang, visibility=visibility, status="pending",
                submitted_at=now,
            ).returning(t.member_posts.c.id))
            post_id = res.scalar_one()
            row = conn.execute(select(t.member_posts).where(t.member_posts.c.id == post_id)).one()
        return self._post(row)

    def get_post(self, post_id: int) -> MemberPost:
        """The post with this id; NotFound if there is none."""
        with self.read() as conn:
            row = conn.execute(select(t.member_posts).where(t.member_posts.c.id == post_id)).first()
        if row is None:
            raise NotFound(f"no member post with id {post_id}")
        return self._post(row)

    def list_posts(self, status: str | None = None, limit: int = 100) -> list[MemberPost]:
        """Posts (of ``status``, or all), newest submitted first."""
        q = select(t.member_posts)
        if status:
            q = q.where(t.member_posts.c.status == status)
        with self.read() as conn:
            rows = conn.execute(q.order_by(t.member_posts.c.submitted_at.desc(), t.member_posts.c.id.desc())
                                .limit(limit)).all()
        return [self._post(r) for r in rows]

    def decide_post(self, post_id: int, *, approve: bool, editor: str, reason: str | None,
                    now: datetime, item_source: Source | None = None,
                    item: ParsedItem | None = None) -> MemberPost:
        """Approve (storing ``item`` under ``item_source``) or reject a pending post, atomically.
        Raises WorkflowError if the post was already decided."""
        with self.write() as conn:
            # the row lock makes a concurrent decision wait and then see this one (PostgreSQL;
            # SQLite's write transactions are serial already)
            row = conn.execute(select(t.member_posts).where(t.member_posts.c.id == post_id)
                               .with_for_update()).first()
            if row is None:
                raise NotFound(f"no member post with id {post_id}")
            if row.status != "pending":
                raise WorkflowError(f"member post {post_id} was already {row.status} by {row.decided_by}")
            item_id = None
            if approve:
                if item is None or item_source is None:
                    raise InvalidInput("approving a post needs the item to publish")
                counts = self._upsert_items(conn, item_source, [item], now, kind="member_post")
                item_id = counts.new_ids[0] if counts.new_ids else conn.execute(
                    select(t.items.c.id).where(t.items.c.source_id == item_source.id,
                                               t.items.c.key == item.key)).scalar_one()
                conn.execute(update(t.items).where(t.items.c.id == item_id).values(visibility=row.visibility))
            conn.execute(update(t.member_posts).where(t.member_posts.c.id == post_id).values(
                status="approved" if approve else "rejected", reason=reason, decided_at=now,
                decided_by=editor, item_id=item_id))
            row = conn.execute(select(t.member_posts).where(t.member_posts.c.id == post_id)).one()
        return self._post(row)


