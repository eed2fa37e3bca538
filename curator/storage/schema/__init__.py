"""The database schema (SQLAlchemy Core), one module per domain on one MetaData. Migrations in
``../migrations/versions`` must match it; ``tests/storage/test_schema.py`` compares the two."""

from .accounts import web_api_tokens, web_rss_tokens, web_sessions, web_signin_tokens, web_throttle, web_users
from .engagement import digest_shown, email_clicks, email_opens
from .feeds import feed_pools, member_feeds, persona_feeds
from .ingest import (
    embeddings,
    item_areas,
    item_tags,
    items,
    member_posts,
    model_artifacts,
    sources,
    tag_corrections,
)
from .jobs import job_leases, job_runs
from .members import (
    accepted_personas,
    club_memberships,
    clubs,
    editor_pins,
    feedback_events,
    member_profiles,
    members,
    organisations,
    persona_suggestions,
)
from .meta import metadata
from .newsletter import deliveries, digest_entries, digest_issues, subscription_changes, suppressions
from .rules import editor_rules
from .trends import topic_runs, topics

__all__ = [
    "accepted_personas",
    "club_memberships",
    "clubs",
    "deliveries",
    "digest_entries",
    "digest_issues",
    "digest_shown",
    "editor_pins",
    "editor_rules",
    "email_clicks",
    "email_opens",
    "embeddings",
    "feed_pools",
    "feedback_events",
    "item_areas",
    "item_tags",
    "items",
    "job_leases",
    "job_runs",
    "member_feeds",
    "member_posts",
    "member_profiles",
    "members",
    "metadata",
    "model_artifacts",
    "organisations",
    "persona_feeds",
    "persona_suggestions",
    "sources",
    "subscription_changes",
    "suppressions",
    "tag_corrections",
    "topic_runs",
    "topics",
    "web_api_tokens",
    "web_rss_tokens",
    "web_sessions",
    "web_signin_tokens",
    "web_throttle",
    "web_users",
]
