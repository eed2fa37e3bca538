"""Tables of sources, items, member posts, embeddings and tags."""


from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from ..types_sql import UTCDateTime
from .meta import metadata

sources = Table(
    "sources",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("title", String(300), nullable=False),
    Column("url", Text, nullable=False),
    Column("lang", String(8)),
    Column("areas", JSON, nullable=False, default=list),
    Column("visibility", String(80), nullable=False, default="public"),
    Column("poll_minutes", Integer, nullable=False, default=60),
    Column("enabled", Boolean, nullable=False, default=True),
    Column("kind", String(20), nullable=False, default="article"),
    # who defines the source (curator.types.SourceOrigin): file, console or internal
    Column("origin", String(20), nullable=False),
    # the ``enabled`` the feeds file gave last: the file's value applies only when it changes, so
    # an editor's switch in the console survives the next load of an unchanged file
    Column("file_enabled", Boolean),
    Column("retired_at", UTCDateTime()),
    # runtime state
    Column("etag", Text),
    Column("last_modified", Text),
    Column("last_attempt", UTCDateTime()),
    Column("last_success", UTCDateTime()),
    Column("last_unconditional", UTCDateTime()),
    Column("last_error", Text),
    Column("error_count", Integer, nullable=False, default=0),
    Column("next_attempt", UTCDateTime()),
    Column("broken", Boolean, nullable=False, default=False),
    Column("feed_title", Text),
    Column("moved_to", Text),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)

items = Table(
    "items",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("source_id", String(64), ForeignKey("sources.id", ondelete="CASCADE"), nullable=False),
    Column("key", String(300), nullable=False),
    Column("kind", String(20), nullable=False, default="article"),
    Column("title", Text, nullable=False),
    Column("url", Text),
    Column("canonical_url", Text),
    Column("summary", Text, nullable=False, default=""),
    Column("content_html", Text, nullable=False, default=""),
    Column("text", Text, nullable=False, default=""),
    Column("author", Text),
    Column("published", UTCDateTime(), nullable=False),
    Column("first_seen", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("lang", String(8)),
    Column("content_hash", String(64), nullable=False),
    Column("visibility", String(80), nullable=False, default="public"),
    Column("duplicate_of", Integer, ForeignKey("items.id", ondelete="SET NULL")),
    Column("meta", JSON),
    UniqueConstraint("source_id", "key", name="uq_items_source_key"),
)
Index("ix_items_published", items.c.published)
Index("ix_items_canonical_url", items.c.canonical_url)
Index("ix_items_content_hash", items.c.content_hash)

member_posts = Table(
    "member_posts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("title", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("link", Text),
    Column("author_name", String(200), nullable=False),
    Column("author_email", String(320)),
    Column("organisation", String(300)),
    Column("lang", String(8)),
    Column("visibility", String(80), nullable=False, default="members"),
    Column("status", String(20), nullable=False, default="pending"),
    Column("reason", Text),
    Column("submitted_at", UTCDateTime(), nullable=False),
    Column("decided_at", UTCDateTime()),
    Column("decided_by", String(320)),
    Column("item_id", Integer, ForeignKey("items.id", ondelete="SET NULL")),
)
Index("ix_member_posts_status", member_posts.c.status)

# --------------------------------------------------------------------------- tagging (0002)

embeddings = Table(
    "embeddings",
    metadata,
    Column("model_id", String(200), primary_key=True),
    Column("content_hash", String(64), primary_key=True),
    Column("dim", Integer, nullable=False),
    Column("vector", LargeBinary, nullable=False),
)

item_tags = Table(
    "item_tags",
    metadata,
    Column("item_id", Integer, ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    Column("version", String(200), nullable=False),
    Column("content_hash", String(64), nullable=False),
    Column("areas", JSON, nullable=False),
    Column("scores", JSON, nullable=False),
    Column("tagged_at", UTCDateTime(), nullable=False),
    Column("corrected", Boolean, nullable=False, default=False),
)

item_areas = Table(
    "item_areas",
    metadata,
    Column("item_id", Integer, ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    Column("area", String(20), primary_key=True),
)
Index("ix_item_areas_area", item_areas.c.area)

tag_corrections = Table(
    "tag_corrections",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("item_id", Integer, ForeignKey("items.id", ondelete="CASCADE"), nullable=False),
    Column("areas", JSON, nullable=False),
    Column("editor", String(320), nullable=False),
    Column("at", UTCDateTime(), nullable=False),
)
Index("ix_tag_corrections_item", tag_corrections.c.item_id)

model_artifacts = Table(
    "model_artifacts",
    metadata,
    Column("name", String(100), primary_key=True),
    Column("version", String(200), nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
)
