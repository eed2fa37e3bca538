"""Persistence: the only package that imports SQLAlchemy; rows never leave it.

``Store`` (``protocol.py``) is the interface the rest of curator depends on, grouped by topic;
``Storage`` implements it as one object with every query, split into files by domain (sources,
items, posts, tagging, members, newsletter, jobs, accounts, stats, feeds) over
:class:`database.Database`; the tables are in the ``schema`` package, the migrations in
``migrations/``."""

from .database import Database
from .embeddings import DbEmbeddingCache
from .feeds import FeedEntries, FeedEntry, FeedPool, MemberFeed, MemberFeedState, PersonaFeed
from .items import UpsertCounts
from .members import MemberUpsert, StoredFeedback
from .newsletter import FrozenRecipient, email_key
from .protocol import Store
from .sources import SourceState
from .store import Storage
from .tagging import Correction, TagRow

__all__ = ["Correction", "Database", "DbEmbeddingCache", "FeedEntries", "FeedEntry", "FeedPool", "FrozenRecipient",
           "MemberFeed", "MemberFeedState", "MemberUpsert", "PersonaFeed", "SourceState", "Storage", "Store",
           "StoredFeedback", "TagRow", "UpsertCounts", "email_key"]
