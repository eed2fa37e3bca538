"""Members, organisations, clubs, personas, feedback and profiles (migration 0003).

Access rule data: ``club_memberships`` rows are written only by an editor's explicit grant
(``granted_by``, ``granted_at``); nothing infers them. Profile vectors are little-endian float32
bytes tagged with the encoder's ``model_id`` so that vectors of different models never mix.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
    true,
)

from ..types_sql import UTCDateTime
from .meta import metadata

organisations = Table(
    "organisations",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(300), nullable=False),
    Column("is_member", Boolean, nullable=False, default=True),
    Column("kind", String(40)),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    UniqueConstraint("name", name="uq_organisations_name"),
)

members = Table(
    "members",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("email", String(320), nullable=False),
    Column("name", String(300), nullable=False),
    Column("organisation_id", Integer, ForeignKey("organisations.id", ondelete="SET NULL")),
    Column("language", String(8), nullable=False, default="de"),
    Column("status", String(20), nullable=False, default="member"),
    Column("persona", String(64)),
    Column("declared_areas", JSON, nullable=False, default=list),
    Column("interests", Text, nullable=False, default=""),
    Column("tracking_consent", Boolean, nullable=False, default=False),
    Column("consent_changed_at", UTCDateTime()),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    # the member's own choice (preferences); a CRM re-import never changes it (migration 0006)
    Column("colleague_mail", Boolean, nullable=False, default=True, server_default=true()),
    # weekly | monthly | never (types.DIGEST_FREQUENCIES): the member's choice, set in the
    # preferences or by a CRM export that has the column (migration 0010)
    Column("digest_frequency", String(20), nullable=False, default="weekly", server_default="weekly"),
    UniqueConstraint("email", name="uq_members_email"),
    # ids are never reused (0006): tokens in old emails and delivery rows name members by id, so a
    # new person must never inherit an erased member's id (SQLite otherwise reuses the highest)
    sqlite_autoincrement=True,
)

clubs = Table(
    "clubs",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("name_de", String(200), nullable=False),
    Column("description", Text, nullable=False, default=""),
    Column("admission", Text, nullable=False, default=""),
    Column("created_at", UTCDateTime(), nullable=False),
)

club_memberships = Table(
    "club_memberships",
    metadata,
    Column("member_id", Integer, ForeignKey("members.id", ondelete="CASCADE"), primary_key=True),
    Column("club_id", String(64), ForeignKey("clubs.id", ondelete="CASCADE"), primary_key=True),
    Column("granted_by", String(320), nullable=False),
    Column("granted_at", UTCDateTime(), nullable=False),
)

feedback_events = Table(
    "feedback_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("member_id", Integer, ForeignKey("members.id", ondelete="CASCADE"), nullable=False),
    Column("item_id", Integer, ForeignKey("items.id", ondelete="CASCADE"), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("value", Float),
    Column("note", Text),
    Column("to_member_id", Integer, ForeignKey("members.id", ondelete="SET NULL")),
    Column("at", UTCDateTime(), nullable=False),
    Column("dedupe_key", String(200)),
    UniqueConstraint("dedupe_key", name="uq_feedback_events_dedupe_key"),
)
Index("ix_feedback_events_member", feedback_events.c.member_id, feedback_events.c.id)
Index("ix_feedback_events_item", feedback_events.c.item_id)

member_profiles = Table(
    "member_profiles",
    metadata,
    Column("member_id", Integer, ForeignKey("members.id", ondelete="CASCADE"), primary_key=True),
    Column("model_id", String(200), nullable=False),
    Column("dim", Integer, nullable=False),
    Column("as_of", UTCDateTime(), nullable=False),
    Column("declared", LargeBinary, nullable=False),
    Column("positive", LargeBinary, nullable=False),
    Column("negative", LargeBinary, nullable=False),
    Column("positive_weight", Float, nullable=False),
    Column("negative_weight", Float, nullable=False),
    Column("area_affinity", JSON, nullable=False),
    Column("events_through", Integer, nullable=False, default=0),
    Column("declared_hash", String(64), nullable=False),
    # {language: [positive, negative]} decayed feedback weight; NULL: folded before 0014
    Column("language_feedback", JSON),
)

persona_suggestions = Table(
    "persona_suggestions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(20), nullable=False),
    Column("persona", String(64)),
    Column("name", String(200), nullable=False),
    Column("definition", JSON, nullable=False),
    Column("size", Integer, nullable=False),
    Column("status", String(20), nullable=False, default="open"),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("decided_by", String(320)),
    Column("decided_at", UTCDateTime()),
)

accepted_personas = Table(
    "accepted_personas",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("definition", JSON, nullable=False),
    Column("suggestion_id", Integer, ForeignKey("persona_suggestions.id", ondelete="SET NULL")),
    Column("accepted_by", String(320), nullable=False),
    Column("accepted_at", UTCDateTime(), nullable=False),
)

editor_pins = Table(
    "editor_pins",
    metadata,
    Column("item_id", Integer, ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    Column("scope", String(120), primary_key=True),
    Column("pinned_by", String(320), nullable=False),
    Column("pinned_at", UTCDateTime(), nullable=False),
    Column("until", UTCDateTime()),
)
