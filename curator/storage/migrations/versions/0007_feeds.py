"""Stored ranked feeds: the candidate pool of the latest refresh, one ranked feed per
member and the persona feeds shown to members without one (``schema/feeds.py``).

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

from curator.storage.types_sql import UTCDateTime

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feed_pools",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("inputs_digest", sa.String(64), nullable=False),
        sa.Column("model_id", sa.String(200), nullable=False),
        sa.Column("item_count", sa.Integer, nullable=False),
        sa.Column("built_at", UTCDateTime(), nullable=False),
        sa.Column("stale", sa.Boolean, nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_feed_pools"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "member_feeds",
        sa.Column("member_id", sa.Integer, nullable=False),
        sa.Column("pool_id", sa.Integer, nullable=False),
        sa.Column("events_through", sa.Integer, nullable=False),
        sa.Column("member_digest", sa.String(64), nullable=False),
        sa.Column("access", sa.Text, nullable=False),
        sa.Column("entries", sa.JSON, nullable=False),
        sa.Column("affinity", sa.JSON, nullable=False),
        sa.Column("persona_name", sa.String(200), nullable=False),
        sa.Column("computed_at", UTCDateTime(), nullable=False),
        sa.Column("stale", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("member_id", name="pk_member_feeds"),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], ondelete="CASCADE",
                                name="fk_member_feeds_member_id_members"),
    )
    op.create_table(
        "persona_feeds",
        sa.Column("persona", sa.String(64), nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("access", sa.Text, nullable=False),
        sa.Column("pool_id", sa.Integer, nullable=False),
        sa.Column("entries", sa.JSON, nullable=False),
        sa.Column("affinity", sa.JSON, nullable=False),
        sa.Column("persona_name", sa.String(200), nullable=False),
        sa.Column("computed_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("persona", "lang", "access", name="pk_persona_feeds"),
    )


def downgrade() -> None:
    op.drop_table("persona_feeds")
    op.drop_table("member_feeds")
    op.drop_table("feed_pools")
