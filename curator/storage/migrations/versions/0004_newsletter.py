"""Digest issues, segments and deliveries.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

from curator.storage.types_sql import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "digest_issues",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("segment", sa.JSON, nullable=False),
        sa.Column("segment_key", sa.String(200), nullable=False),
        sa.Column("period", sa.String(40)),
        sa.Column("period_start", UTCDateTime()),
        sa.Column("period_end", UTCDateTime()),
        sa.Column("texts", sa.JSON, nullable=False),
        sa.Column("options", sa.JSON, nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("approved_revision", sa.Integer),
        sa.Column("approved_by", sa.String(320)),
        sa.Column("approved_at", UTCDateTime()),
        sa.Column("scheduled_for", UTCDateTime()),
        sa.Column("hold_reason", sa.Text),
        sa.Column("created_by", sa.String(320), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("send_started_at", UTCDateTime()),
        sa.Column("finished_at", UTCDateTime()),
        sa.PrimaryKeyConstraint("id", name="pk_digest_issues"),
        sa.UniqueConstraint("kind", "segment_key", "period", name="uq_digest_issues_kind_segment_period"),
    )
    op.create_index("ix_digest_issues_state", "digest_issues", ["state"])
    op.create_table(
        "digest_entries",
        sa.Column("issue_id", sa.Integer, nullable=False),
        sa.Column("item_id", sa.Integer, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("note", sa.Text),
        sa.PrimaryKeyConstraint("issue_id", "item_id", name="pk_digest_entries"),
        sa.ForeignKeyConstraint(["issue_id"], ["digest_issues.id"], ondelete="CASCADE",
                                name="fk_digest_entries_issue_id_digest_issues"),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], ondelete="CASCADE",
                                name="fk_digest_entries_item_id_items"),
    )
    op.create_table(
        "deliveries",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("issue_id", sa.Integer, nullable=False),
        sa.Column("member_id", sa.Integer, nullable=False),
        sa.Column("email_key", sa.String(320), nullable=False),
        sa.Column("email", sa.String(320)),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("message_id", sa.String(300), nullable=False),
        sa.Column("message_date", UTCDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.Text),
        sa.Column("next_attempt_at", UTCDateTime()),
        sa.Column("claimed_by", sa.String(200)),
        sa.Column("claimed_until", UTCDateTime()),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("sent_at", UTCDateTime()),
        sa.PrimaryKeyConstraint("id", name="pk_deliveries"),
        sa.ForeignKeyConstraint(["issue_id"], ["digest_issues.id"], ondelete="CASCADE",
                                name="fk_deliveries_issue_id_digest_issues"),
        sa.UniqueConstraint("issue_id", "member_id", name="uq_deliveries_issue_member"),
        sa.UniqueConstraint("issue_id", "email_key", name="uq_deliveries_issue_email"),
    )
    op.create_index("ix_deliveries_issue_state", "deliveries", ["issue_id", "state"])
    op.create_table(
        "suppressions",
        sa.Column("email_key", sa.String(320), nullable=False),
        sa.Column("scope", sa.String(40), nullable=False),
        sa.Column("member_id", sa.Integer),
        sa.Column("reason", sa.String(40), nullable=False),
        sa.Column("detail", sa.Text),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("email_key", "scope", name="pk_suppressions"),
    )
    op.create_index("ix_suppressions_member", "suppressions", ["member_id"])
    op.create_table(
        "job_runs",
        sa.Column("job", sa.String(200), nullable=False),
        sa.Column("slot", sa.String(40), nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime()),
        sa.Column("detail", sa.Text),
        sa.PrimaryKeyConstraint("job", "slot", name="pk_job_runs"),
    )


def downgrade() -> None:
    op.drop_table("job_runs")
    op.drop_index("ix_suppressions_member", "suppressions")
    op.drop_table("suppressions")
    op.drop_index("ix_deliveries_issue_state", "deliveries")
    op.drop_table("deliveries")
    op.drop_table("digest_entries")
    op.drop_index("ix_digest_issues_state", "digest_issues")
    op.drop_table("digest_issues")
