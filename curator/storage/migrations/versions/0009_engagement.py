"""Engagement with sent issues: the items each member's copy showed, opens and clicks.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

from curator.storage.types_sql import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def _issue_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["issue_id"], ["digest_issues.id"], ondelete="CASCADE",
                                   name=f"fk_{table}_issue_id_digest_issues")


def _item_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(["item_id"], ["items.id"], ondelete="CASCADE", name=f"fk_{table}_item_id_items")


def _event_columns() -> list[sa.Column[object]]:
    return [sa.Column("confidence", sa.String(10), nullable=False), sa.Column("reason", sa.String(40)),
            sa.Column("hits", sa.Integer, nullable=False), sa.Column("first_at", UTCDateTime(), nullable=False),
            sa.Column("last_at", UTCDateTime(), nullable=False)]


def upgrade() -> None:
    op.create_table(
        "digest_shown",
        sa.Column("issue_id", sa.Integer, nullable=False),
        sa.Column("member_id", sa.Integer, nullable=False),
        sa.Column("item_id", sa.Integer, nullable=False),
        sa.Column("section", sa.String(20), nullable=False),
        sa.PrimaryKeyConstraint("issue_id", "member_id", "item_id", name="pk_digest_shown"),
        _issue_fk("digest_shown"), _item_fk("digest_shown"),
    )
    op.create_index("ix_digest_shown_member_id", "digest_shown", ["member_id"])
    op.create_table(
        "email_opens",
        sa.Column("issue_id", sa.Integer, nullable=False),
        sa.Column("member_id", sa.Integer, nullable=False),
        *_event_columns(),
        sa.PrimaryKeyConstraint("issue_id", "member_id", "confidence", name="pk_email_opens"),
        _issue_fk("email_opens"),
    )
    op.create_table(
        "email_clicks",
        sa.Column("issue_id", sa.Integer, nullable=False),
        sa.Column("member_id", sa.Integer, nullable=False),
        sa.Column("item_id", sa.Integer, nullable=False),
        *_event_columns(),
        sa.PrimaryKeyConstraint("issue_id", "member_id", "item_id", "confidence", name="pk_email_clicks"),
        _issue_fk("email_clicks"), _item_fk("email_clicks"),
    )
    op.create_index("ix_email_clicks_issue_id", "email_clicks", ["issue_id", "item_id"])


def downgrade() -> None:
    op.drop_index("ix_email_clicks_issue_id", table_name="email_clicks")
    op.drop_table("email_clicks")
    op.drop_table("email_opens")
    op.drop_index("ix_digest_shown_member_id", table_name="digest_shown")
    op.drop_table("digest_shown")
