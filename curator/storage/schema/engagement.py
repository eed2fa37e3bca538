"""What members did with a sent issue: the items each copy showed, opens and clicks (migration
0009).

Member ids carry no foreign key, as in ``deliveries``: the counts of an issue outlive a member
who is later erased. One row per unique (issue, member[, item], confidence): a repeated open or
click raises ``hits`` and ``last_at`` and adds no row, so "unique" is a row count (T03).
``confidence`` is ``high`` (a person, as far as we can tell) or ``low`` (a link scanner or an
image proxy: a scanner user agent, or a request within seconds of delivery, T02); only ``high``
events feed profiles and the report's unique counts.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Table

from ..types_sql import UTCDateTime
from .meta import metadata

digest_shown = Table(
    "digest_shown",
    metadata,
    Column("issue_id", Integer, ForeignKey("digest_issues.id", ondelete="CASCADE"), primary_key=True),
    Column("member_id", Integer, primary_key=True),
    Column("item_id", Integer, ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    # the section of the member's copy: editor_picks | personal | posts | events
    Column("section", String(20), nullable=False),
)
Index("ix_digest_shown_member_id", digest_shown.c.member_id)



def _event_columns() -> list[Column[object]]:
    """The columns an open and a click share, after their keys."""
    return [Column("confidence", String(10), primary_key=True),  # high | low
            Column("reason", String(40)),  # why low: head-request | scanner-agent | soon-after-delivery
            Column("hits", Integer, nullable=False, default=1),
            Column("first_at", UTCDateTime(), nullable=False),
            Column("last_at", UTCDateTime(), nullable=False)]


email_opens = Table(
    "email_opens",
    metadata,
    Column("issue_id", Integer, ForeignKey("digest_issues.id", ondelete="CASCADE"), primary_key=True),
    Column("member_id", Integer, primary_key=True),
    *_event_columns(),
)

email_clicks = Table(
    "email_clicks",
    metadata,
    Column("issue_id", Integer, ForeignKey("digest_issues.id", ondelete="CASCADE"), primary_key=True),
    Column("member_id", Integer, primary_key=True),
    Column("item_id", Integer, ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    *_event_columns(),
)
Index("ix_email_clicks_issue_id", email_clicks.c.issue_id, email_clicks.c.item_id)
