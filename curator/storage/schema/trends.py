"""Topic trends computed by the worker (migration 0013): one run per computation and period,
the topics it found beneath it.

A run is replaced, never edited: readers take the newest run of a period length. Engagement is
stored as counts per segment (club, persona, organisation type, language), so no person is named.
"""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Float, ForeignKey, Index, Integer, Table, Text

from ..types_sql import UTCDateTime
from .meta import metadata

topic_runs = Table(
    "topic_runs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("period_days", Integer, nullable=False),
    Column("computed_at", UTCDateTime(), nullable=False),
    Column("current_from", UTCDateTime(), nullable=False),  # the current period: [current_from, until)
    Column("until", UTCDateTime(), nullable=False),  # the previous one: the same length before it
    Column("items_current", Integer, nullable=False),
    Column("items_previous", Integer, nullable=False),
    Column("detail", JSON, nullable=False),  # encoder, thresholds, clustering parameters
    sqlite_autoincrement=True,
)
Index("ix_topic_runs_period", topic_runs.c.period_days, topic_runs.c.id)

topics = Table(
    "topics",
    metadata,
    Column("run_id", Integer, ForeignKey("topic_runs.id", ondelete="CASCADE"), primary_key=True),
    Column("position", Integer, primary_key=True),
    Column("label_en", Text, nullable=False),
    Column("label_de", Text, nullable=False),
    Column("words", JSON, nullable=False),  # {"en": [...], "de": [...]}
    Column("areas", JSON, nullable=False),  # {area: items}
    Column("langs", JSON, nullable=False),  # {lang: items}
    Column("items", Integer, nullable=False),  # in the current period
    Column("previous", Integer, nullable=False),  # in the previous period
    Column("change", Float, nullable=False),
    Column("p_value", Float, nullable=False),
    Column("rising", Boolean, nullable=False),
    Column("falling", Boolean, nullable=False),
    Column("examples", JSON, nullable=False),  # item ids, most central first
    Column("engagement", JSON, nullable=False),  # {kind: {segment: events}}
)
