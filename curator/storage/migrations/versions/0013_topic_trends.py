"""Topic trends: runs of the worker's topic computation and the topics each found
(``schema/trends.py``).

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

from curator.storage.types_sql import UTCDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "topic_runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("period_days", sa.Integer, nullable=False),
        sa.Column("computed_at", UTCDateTime(), nullable=False),
        sa.Column("current_from", UTCDateTime(), nullable=False),
        sa.Column("until", UTCDateTime(), nullable=False),
        sa.Column("items_current", sa.Integer, nullable=False),
        sa.Column("items_previous", sa.Integer, nullable=False),
        sa.Column("detail", sa.JSON, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_topic_runs_period", "topic_runs", ["period_days", "id"])
    op.create_table(
        "topics",
        sa.Column("run_id", sa.Integer, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("label_en", sa.Text, nullable=False),
        sa.Column("label_de", sa.Text, nullable=False),
        sa.Column("words", sa.JSON, nullable=False),
        sa.Column("areas", sa.JSON, nullable=False),
        sa.Column("langs", sa.JSON, nullable=False),
        sa.Column("items", sa.Integer, nullable=False),
        sa.Column("previous", sa.Integer, nullable=False),
        sa.Column("change", sa.Float, nullable=False),
        sa.Column("p_value", sa.Float, nullable=False),
        sa.Column("rising", sa.Boolean, nullable=False),
        sa.Column("falling", sa.Boolean, nullable=False),
        sa.Column("examples", sa.JSON, nullable=False),
        sa.Column("engagement", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("run_id", "position", name="pk_topics"),
        sa.ForeignKeyConstraint(["run_id"], ["topic_runs.id"], ondelete="CASCADE", name="fk_topics_run_id_topic_runs"),
    )


def downgrade() -> None:
    op.drop_table("topics")
    op.drop_index("ix_topic_runs_period", table_name="topic_runs")
    op.drop_table("topic_runs")
