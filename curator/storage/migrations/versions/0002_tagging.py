"""Embeddings cache, item tags, editor corrections and trained model artefacts.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from curator.storage.types_sql import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "embeddings",
        sa.Column("model_id", sa.String(200), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("dim", sa.Integer, nullable=False),
        sa.Column("vector", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("model_id", "content_hash", name="pk_embeddings"),
    )
    op.create_table(
        "item_tags",
        sa.Column("item_id", sa.Integer, nullable=False),
        sa.Column("version", sa.String(200), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("areas", sa.JSON, nullable=False),
        sa.Column("scores", sa.JSON, nullable=False),
        sa.Column("tagged_at", UTCDateTime(), nullable=False),
        sa.Column("corrected", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("item_id", name="pk_item_tags"),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], ondelete="CASCADE",
                                name="fk_item_tags_item_id_items"),
    )
    op.create_table(
        "item_areas",
        sa.Column("item_id", sa.Integer, nullable=False),
        sa.Column("area", sa.String(20), nullable=False),
        sa.PrimaryKeyConstraint("item_id", "area", name="pk_item_areas"),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], ondelete="CASCADE",
                                name="fk_item_areas_item_id_items"),
    )
    op.create_index("ix_item_areas_area", "item_areas", ["area"])
    op.create_table(
        "tag_corrections",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("item_id", sa.Integer, nullable=False),
        sa.Column("areas", sa.JSON, nullable=False),
        sa.Column("editor", sa.String(320), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_tag_corrections"),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], ondelete="CASCADE",
                                name="fk_tag_corrections_item_id_items"),
    )
    op.create_index("ix_tag_corrections_item", "tag_corrections", ["item_id"])
    op.create_table(
        "model_artifacts",
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("version", sa.String(200), nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_model_artifacts"),
    )


def downgrade() -> None:
    op.drop_table("model_artifacts")
    op.drop_index("ix_tag_corrections_item", "tag_corrections")
    op.drop_table("tag_corrections")
    op.drop_index("ix_item_areas_area", "item_areas")
    op.drop_table("item_areas")
    op.drop_table("item_tags")
    op.drop_table("embeddings")
