"""Editor rules (migration 0012): block or boost items matching a source, keywords or phrases, an
author or a subject area, for everyone or one segment (``curator.ranking.rules``).

``segment`` holds the segment as editors write it (``everyone``, ``club:it-exec``,
``persona:hr-lead``, ``language:de``, ``filter:<name>?..``); ``strength`` is 0 for a block.
A disabled rule is kept (and listed) but acts nowhere.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Float, Integer, String, Table, Text

from ..types_sql import UTCDateTime
from .meta import metadata

editor_rules = Table(
    "editor_rules",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("action", String(10), nullable=False),  # block | boost
    Column("match_kind", String(20), nullable=False),  # source | keyword | author | area
    Column("pattern", Text, nullable=False),
    Column("segment", String(300), nullable=False),
    Column("strength", Float, nullable=False, default=0.0),
    Column("note", Text, nullable=False, default=""),
    Column("created_by", String(320), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    Column("enabled", Boolean, nullable=False, default=True),
    # feeds and previews name rules by id: an id must never come back after a delete
    sqlite_autoincrement=True,
)
