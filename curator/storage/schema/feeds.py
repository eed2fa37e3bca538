"""Ranked feeds stored for the web (migration 0007).

- ``feed_pools``: the candidate pool of the latest refresh (``curator.ranking.stored``), with the
  digest of what it was built from; ``stale`` is set when an editor changed something it holds
  (a pin, a tag, a source's visibility) so that the worker rebuilds it.
- ``member_feeds``: one ranked feed per member, entries best first as JSON columns (item, score,
  stage components, pin, area floor, the liked item an explanation may quote), with what
  produced it: the pool, the member's last feedback event folded in, a digest of the member's
  record and the visibilities they had, and when. The "why you see this" sentence is written
  when the feed is read (in the reader's language, quoting only a liked item they may see then)
  from the entries, ``affinity`` and ``persona_name``.
- ``persona_feeds``: what a member without a ranked feed of their own is shown, per persona
  ("" for none), language and set of visibilities.
"""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Integer, LargeBinary, String, Table, Text

from ..types_sql import UTCDateTime
from .meta import metadata

feed_pools = Table(
    "feed_pools",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("inputs_digest", String(64), nullable=False),
    Column("model_id", String(200), nullable=False),
    Column("item_count", Integer, nullable=False),
    Column("built_at", UTCDateTime(), nullable=False),
    Column("stale", Boolean, nullable=False, default=False),
    Column("data", LargeBinary, nullable=False),
    # feeds name the pool they were ranked against: a pool id must never come back
    sqlite_autoincrement=True,
)

member_feeds = Table(
    "member_feeds",
    metadata,
    Column("member_id", Integer, ForeignKey("members.id", ondelete="CASCADE"), primary_key=True),
    Column("pool_id", Integer, nullable=False),
    Column("events_through", Integer, nullable=False),
    Column("member_digest", String(64), nullable=False),
    Column("access", Text, nullable=False),
    Column("entries", JSON, nullable=False),
    Column("affinity", JSON, nullable=False),
    Column("persona_name", String(200), nullable=False),
    Column("computed_at", UTCDateTime(), nullable=False),
    Column("stale", Boolean, nullable=False, default=False),
)

persona_feeds = Table(
    "persona_feeds",
    metadata,
    Column("persona", String(64), primary_key=True),
    Column("lang", String(8), primary_key=True),
    Column("access", Text, primary_key=True),
    Column("pool_id", Integer, nullable=False),
    Column("entries", JSON, nullable=False),
    Column("affinity", JSON, nullable=False),
    Column("persona_name", String(200), nullable=False),
    Column("computed_at", UTCDateTime(), nullable=False),
)
