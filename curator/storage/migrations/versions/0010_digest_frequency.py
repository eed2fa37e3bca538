"""Members' digest frequency and re-subscriptions (issue 12).

- ``members.digest_frequency``: weekly | monthly | never, the member's own choice. It used to be
  stored on the web account only (and ignored); an account's choice is copied to its member
  record, ``daily`` (never offered by a weekly digest) becomes ``weekly``.
- ``subscription_changes``: when and where a member subscribed again (their suppression row is
  deleted, so the row itself cannot say).

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

from curator.storage.types_sql import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain ADD COLUMN: a batch copy on SQLite would lose the table's AUTOINCREMENT (0006)
    op.add_column("members", sa.Column("digest_frequency", sa.String(20), nullable=False, server_default="weekly"))
    op.execute("UPDATE members SET digest_frequency = (SELECT u.digest_frequency FROM web_users u "
               "WHERE u.member_id = members.id AND u.digest_frequency IN ('monthly', 'never')) "
               "WHERE id IN (SELECT member_id FROM web_users WHERE member_id IS NOT NULL "
               "AND digest_frequency IN ('monthly', 'never'))")
    op.create_table(
        "subscription_changes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("member_id", sa.Integer, nullable=False),
        sa.Column("scope", sa.String(40), nullable=False),
        sa.Column("action", sa.String(20), nullable=False),
        sa.Column("source", sa.String(40), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_subscription_changes_member", "subscription_changes", ["member_id"])


def downgrade() -> None:
    op.drop_index("ix_subscription_changes_member", table_name="subscription_changes")
    op.drop_table("subscription_changes")
    with op.batch_alter_table("members") as batch:
        batch.drop_column("digest_frequency")
