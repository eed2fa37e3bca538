"""Web accounts, sessions, sign-in links, API tokens, throttle counters and private RSS tokens
(migration 0005).

Secrets are never stored: session ids, sign-in tokens and API tokens are kept as SHA-256 hashes of
the value the browser or client holds, so a copy of the database cannot be used to sign in.
"""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Index, Integer, String, Table, UniqueConstraint

from ..types_sql import UTCDateTime
from .meta import metadata

web_users = Table(
    "web_users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("email", String(320), nullable=False),
    Column("role", String(20), nullable=False, default="member"),
    Column("member_id", Integer, ForeignKey("members.id", ondelete="SET NULL")),
    Column("password_hash", String(300)),
    Column("digest_frequency", String(20), nullable=False, default="weekly"),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    UniqueConstraint("email", name="uq_web_users_email"),
    sqlite_autoincrement=True,  # never reuse an erased person's id (migration 0006)
)
Index("ix_web_users_member", web_users.c.member_id)

web_sessions = Table(
    "web_sessions",
    metadata,
    Column("id_hash", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("web_users.id", ondelete="CASCADE")),
    Column("role", String(20)),
    Column("data", JSON, nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
)
Index("ix_web_sessions_user", web_sessions.c.user_id)
Index("ix_web_sessions_expires", web_sessions.c.expires_at)

web_signin_tokens = Table(
    "web_signin_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("email", String(320), nullable=False),
    Column("purpose", String(20), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("expires_at", UTCDateTime(), nullable=False),
    Column("used_at", UTCDateTime()),
)
Index("ix_web_signin_tokens_email", web_signin_tokens.c.email)

web_api_tokens = Table(
    "web_api_tokens",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("user_id", Integer, ForeignKey("web_users.id", ondelete="CASCADE"), nullable=False),
    Column("token_hash", String(64), nullable=False),
    Column("name", String(100), nullable=False),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("revoked_at", UTCDateTime()),
    Column("last_used_at", UTCDateTime()),
    UniqueConstraint("token_hash", name="uq_web_api_tokens_token_hash"),
)

web_throttle = Table(
    "web_throttle",
    metadata,
    Column("key", String(200), primary_key=True),
    Column("count", Integer, nullable=False),
    Column("window_start", UTCDateTime(), nullable=False),
)

web_rss_tokens = Table(
    "web_rss_tokens",
    metadata,
    Column("member_id", Integer, ForeignKey("members.id", ondelete="CASCADE"), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
)
