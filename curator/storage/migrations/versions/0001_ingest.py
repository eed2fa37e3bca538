"""Sources, items, member posts and job leases.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from curator.storage.types_sql import UTCDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "sources",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("lang", sa.String(8)),
        sa.Column("areas", sa.JSON, nullable=False),
        sa.Column("visibility", sa.String(80), nullable=False),
        sa.Column("poll_minutes", sa.Integer, nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("in_config", sa.Boolean, nullable=False),
        sa.Column("etag", sa.Text),
        sa.Column("last_modified", sa.Text),
        sa.Column("last_attempt", UTCDateTime()),
        sa.Column("last_success", UTCDateTime()),
        sa.Column("last_unconditional", UTCDateTime()),
        sa.Column("last_error", sa.Text),
        sa.Column("error_count", sa.Integer, nullable=False),
        sa.Column("next_attempt", UTCDateTime()),
        sa.Column("broken", sa.Boolean, nullable=False),
        sa.Column("feed_title", sa.Text),
        sa.Column("moved_to", sa.Text),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sources"),
    )
    op.create_table(
        "items",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("source_id", sa.String(64), nullable=False),
        sa.Column("key", sa.String(300), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("url", sa.Text),
        sa.Column("canonical_url", sa.Text),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("content_html", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("author", sa.Text),
        sa.Column("published", UTCDateTime(), nullable=False),
        sa.Column("first_seen", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("lang", sa.String(8)),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("visibility", sa.String(80), nullable=False),
        sa.Column("duplicate_of", sa.Integer),
        sa.Column("meta", sa.JSON),
        sa.PrimaryKeyConstraint("id", name="pk_items"),
        sa.ForeignKeyConstraint(["source_id"], ["sources.id"], ondelete="CASCADE",
                                name="fk_items_source_id_sources"),
        sa.ForeignKeyConstraint(["duplicate_of"], ["items.id"], ondelete="SET NULL",
                                name="fk_items_duplicate_of_items"),
        sa.UniqueConstraint("source_id", "key", name="uq_items_source_key"),
    )
    op.create_index("ix_items_published", "items", ["published"])
    op.create_index("ix_items_canonical_url", "items", ["canonical_url"])
    op.create_index("ix_items_content_hash", "items", ["content_hash"])
    op.create_table(
        "member_posts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("link", sa.Text),
        sa.Column("author_name", sa.String(200), nullable=False),
        sa.Column("author_email", sa.String(320)),
        sa.Column("organisation", sa.String(300)),
        sa.Column("lang", sa.String(8)),
        sa.Column("visibility", sa.String(80), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text),
        sa.Column("submitted_at", UTCDateTime(), nullable=False),
        sa.Column("decided_at", UTCDateTime()),
        sa.Column("decided_by", sa.String(320)),
        sa.Column("item_id", sa.Integer),
        sa.PrimaryKeyConstraint("id", name="pk_member_posts"),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], ondelete="SET NULL",
                                name="fk_member_posts_item_id_items"),
    )
    op.create_index("ix_member_posts_status", "member_posts", ["status"])
    op.create_table(
        "job_leases",
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_job_leases"),
    )


def downgrade() -> None:
    op.drop_table("job_leases")
    op.drop_index("ix_member_posts_status", "member_posts")
    op.drop_table("member_posts")
    op.drop_index("ix_items_content_hash", "items")
    op.drop_index("ix_items_canonical_url", "items")
    op.drop_index("ix_items_published", "items")
    op.drop_table("items")
    op.drop_table("sources")
