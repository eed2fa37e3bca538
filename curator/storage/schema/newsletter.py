"""Digest issues, segments and deliveries (migration 0004).

Member ids (``member_id``) carry no foreign key: members live in ``schema/members.py``, and a
delivery record must outlive a member who is later erased (the address is wiped, the fact that an
issue went out is kept).
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, String, Table, Text, UniqueConstraint

from ..types_sql import UTCDateTime
from .meta import metadata

digest_issues = Table(
    "digest_issues",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(20), nullable=False, default="digest"),  # digest | special | invitation
    # segment: {"kind": everyone|club|persona|area|filter, "value": str|None, "name": str, "filter": {...}}
    Column("segment", JSON, nullable=False),
    Column("segment_key", String(200), nullable=False),
    # the week (or other period) a drafted digest covers; drafting the same period twice is a no-op
    Column("period", String(40)),
    Column("period_start", UTCDateTime()),
    Column("period_end", UTCDateTime()),
    # texts per language: {"en": {"subject":..., "preheader":..., "intro":...}, "de": {...}}
    Column("texts", JSON, nullable=False),
    # section rules: {"personal_picks": 5, "posts": 3, "events": 3} (counts per member)
    Column("options", JSON, nullable=False),
    Column("state", String(20), nullable=False, default="draft"),
    Column("revision", Integer, nullable=False, default=1),
    Column("approved_revision", Integer),
    Column("approved_by", String(320)),
    Column("approved_at", UTCDateTime()),
    Column("scheduled_for", UTCDateTime()),
    Column("hold_reason", Text),
    Column("created_by", String(320), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("send_started_at", UTCDateTime()),
    Column("finished_at", UTCDateTime()),
    UniqueConstraint("kind", "segment_key", "period", name="uq_digest_issues_kind_segment_period"),
)
Index("ix_digest_issues_state", digest_issues.c.state)

digest_entries = Table(
    "digest_entries",
    metadata,
    Column("issue_id", Integer, ForeignKey("digest_issues.id", ondelete="CASCADE"), primary_key=True),
    Column("item_id", Integer, ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    # pinned: editor's pick shown first, in ``position`` order; removed: never shown in this issue
    Column("status", String(20), nullable=False, default="pinned"),
    Column("position", Integer, nullable=False, default=0),
    Column("note", Text),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("issue_id", Integer, ForeignKey("digest_issues.id", ondelete="CASCADE"), nullable=False),
    Column("member_id", Integer, nullable=False),
    # lower-cased address: two member rows with the same mailbox get one message (S11); both
    # address columns are emptied when the member is erased (0006), the row and its state stay
    Column("email_key", String(320)),
    Column("email", String(320)),
    # pending -> sending -> sent | failed | uncertain; skipped (no longer eligible at send time)
    Column("state", String(20), nullable=False, default="pending"),
    Column("message_id", String(300), nullable=False),
    Column("message_date", UTCDateTime(), nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("last_error", Text),
    Column("next_attempt_at", UTCDateTime()),
    Column("claimed_by", String(200)),
    Column("claimed_until", UTCDateTime()),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("sent_at", UTCDateTime()),
    UniqueConstraint("issue_id", "member_id", name="uq_deliveries_issue_member"),
    UniqueConstraint("issue_id", "email_key", name="uq_deliveries_issue_email"),
)
Index("ix_deliveries_issue_state", deliveries.c.issue_id, deliveries.c.state)

suppressions = Table(
    "suppressions",
    metadata,
    # scope "newsletter" stops digests and newsletters only; transactional mail is unaffected (U10).
    # The key of an erased person is "sha256:<hex>" of the address, with no member id: it still
    # stops a re-import from restarting newsletters, but names nobody (0006).
    Column("email_key", String(320), primary_key=True),
    Column("scope", String(40), primary_key=True),
    Column("member_id", Integer),
    Column("reason", String(40), nullable=False),  # unsubscribed | bounced | complaint | editor | erased
    Column("detail", Text),
    Column("created_at", UTCDateTime(), nullable=False),
)
Index("ix_suppressions_member", suppressions.c.member_id)

subscription_changes = Table(
    "subscription_changes",
    metadata,
    # A suppression row is deleted when the member subscribes again; this keeps when and where
    # that happened (migration 0010). No address: erasing the member deletes their rows.
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("member_id", Integer, nullable=False),
    Column("scope", String(40), nullable=False),
    Column("action", String(20), nullable=False),  # resubscribed
    Column("source", String(40), nullable=False),  # preferences link | member area
    Column("created_at", UTCDateTime(), nullable=False),
)
Index("ix_subscription_changes_member", subscription_changes.c.member_id)
