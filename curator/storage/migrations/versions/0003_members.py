"""Members, organisations, clubs, personas, feedback and profiles.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

from curator.storage.types_sql import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "organisations",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("is_member", sa.Boolean, nullable=False),
        sa.Column("kind", sa.String(40)),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_organisations"),
        sa.UniqueConstraint("name", name="uq_organisations_name"),
    )
    op.create_table(
        "members",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("email", sa.String(320), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("organisation_id", sa.Integer),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("persona", sa.String(64)),
        sa.Column("declared_areas", sa.JSON, nullable=False),
        sa.Column("interests", sa.Text, nullable=False),
        sa.Column("tracking_consent", sa.Boolean, nullable=False),
        sa.Column("consent_changed_at", UTCDateTime()),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_members"),
        sa.UniqueConstraint("email", name="uq_members_email"),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"], ondelete="SET NULL",
                                name="fk_members_organisation_id_organisations"),
    )
    op.create_table(
        "clubs",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("name_de", sa.String(200), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("admission", sa.Text, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_clubs"),
    )
    op.create_table(
        "club_memberships",
        sa.Column("member_id", sa.Integer, nullable=False),
        sa.Column("club_id", sa.String(64), nullable=False),
        sa.Column("granted_by", sa.String(320), nullable=False),
        sa.Column("granted_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("member_id", "club_id", name="pk_club_memberships"),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], ondelete="CASCADE",
                                name="fk_club_memberships_member_id_members"),
        sa.ForeignKeyConstraint(["club_id"], ["clubs.id"], ondelete="CASCADE",
                                name="fk_club_memberships_club_id_clubs"),
    )
    op.create_table(
        "feedback_events",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("member_id", sa.Integer, nullable=False),
        sa.Column("item_id", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("value", sa.Float),
        sa.Column("note", sa.Text),
        sa.Column("to_member_id", sa.Integer),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("dedupe_key", sa.String(200)),
        sa.PrimaryKeyConstraint("id", name="pk_feedback_events"),
        sa.UniqueConstraint("dedupe_key", name="uq_feedback_events_dedupe_key"),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], ondelete="CASCADE",
                                name="fk_feedback_events_member_id_members"),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], ondelete="CASCADE",
                                name="fk_feedback_events_item_id_items"),
        sa.ForeignKeyConstraint(["to_member_id"], ["members.id"], ondelete="SET NULL",
                                name="fk_feedback_events_to_member_id_members"),
    )
    op.create_index("ix_feedback_events_member", "feedback_events", ["member_id", "id"])
    op.create_index("ix_feedback_events_item", "feedback_events", ["item_id"])
    op.create_table(
        "member_profiles",
        sa.Column("member_id", sa.Integer, nullable=False),
        sa.Column("model_id", sa.String(200), nullable=False),
        sa.Column("dim", sa.Integer, nullable=False),
        sa.Column("as_of", UTCDateTime(), nullable=False),
        sa.Column("declared", sa.LargeBinary, nullable=False),
        sa.Column("positive", sa.LargeBinary, nullable=False),
        sa.Column("negative", sa.LargeBinary, nullable=False),
        sa.Column("positive_weight", sa.Float, nullable=False),
        sa.Column("negative_weight", sa.Float, nullable=False),
        sa.Column("area_affinity", sa.JSON, nullable=False),
        sa.Column("events_through", sa.Integer, nullable=False),
        sa.Column("declared_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("member_id", name="pk_member_profiles"),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"], ondelete="CASCADE",
                                name="fk_member_profiles_member_id_members"),
    )
    op.create_table(
        "persona_suggestions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("persona", sa.String(64)),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("definition", sa.JSON, nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("decided_by", sa.String(320)),
        sa.Column("decided_at", UTCDateTime()),
        sa.PrimaryKeyConstraint("id", name="pk_persona_suggestions"),
    )
    op.create_table(
        "accepted_personas",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("definition", sa.JSON, nullable=False),
        sa.Column("suggestion_id", sa.Integer),
        sa.Column("accepted_by", sa.String(320), nullable=False),
        sa.Column("accepted_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_accepted_personas"),
        sa.ForeignKeyConstraint(["suggestion_id"], ["persona_suggestions.id"], ondelete="SET NULL",
                                name="fk_accepted_personas_suggestion_id_persona_suggestions"),
    )
    op.create_table(
        "editor_pins",
        sa.Column("item_id", sa.Integer, nullable=False),
        sa.Column("scope", sa.String(120), nullable=False),
        sa.Column("pinned_by", sa.String(320), nullable=False),
        sa.Column("pinned_at", UTCDateTime(), nullable=False),
        sa.Column("until", UTCDateTime()),
        sa.PrimaryKeyConstraint("item_id", "scope", name="pk_editor_pins"),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], ondelete="CASCADE",
                                name="fk_editor_pins_item_id_items"),
    )


def downgrade() -> None:
    op.drop_table("editor_pins")
    op.drop_table("accepted_personas")
    op.drop_table("persona_suggestions")
    op.drop_table("member_profiles")
    op.drop_index("ix_feedback_events_item", "feedback_events")
    op.drop_index("ix_feedback_events_member", "feedback_events")
    op.drop_table("feedback_events")
    op.drop_table("club_memberships")
    op.drop_table("clubs")
    op.drop_table("members")
    op.drop_table("organisations")
