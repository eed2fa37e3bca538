"""Persistence: the only package that imports SQLAlchemy; rows never leave it.

``Storage`` is one object with every query, split into files by domain (sources, items, posts,
tagging, members, newsletter, jobs, accounts, stats) over :class:`database.Database`; the tables
are in the ``schema`` package, the migrations in ``migrations/``."""

from .database import Database
from .embeddings import DbEmbeddingCache
from .items import UpsertCounts
from .members import MemberUpsert, StoredFeedback
from .newsletter import FrozenRecipient, email_key
from .sources import SourceState
from .store import Storage
from .tagging import Correction, TagRow

__all__ = ["Correction", "Database", "DbEmbeddingCache", "FrozenRecipient", "MemberUpsert", "SourceState",
           "Storage", "StoredFeedback", "TagRow", "UpsertCounts", "email_key"]
