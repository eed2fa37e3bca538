"""Tables that coordinate processes: job leases and job runs."""


from __future__ import annotations

from sqlalchemy import (
    Column,
    String,
    Table,
    Text,
)

from ..types_sql import UTCDateTime
from .meta import metadata

job_leases = Table(
    "job_leases",
    metadata,
    Column("name", String(200), primary_key=True),
    Column("owner", String(200), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
)


job_runs = Table(
    "job_runs",
    metadata,
    Column("job", String(200), primary_key=True),
    Column("slot", String(40), primary_key=True),  # the scheduled fire time, ISO 8601 UTC
    Column("owner", String(200), nullable=False),
    Column("state", String(20), nullable=False),  # running | done | failed
    Column("started_at", UTCDateTime(), nullable=False),
    Column("finished_at", UTCDateTime()),
    Column("detail", Text),
)
