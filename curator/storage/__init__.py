"""Persistence. The only package that imports SQLAlchemy; rows never leave it."""

from .store import Correction, ItemQuery, SourceState, Storage, TaggingStore, TagRow, UpsertCounts

__all__ = ["Correction", "ItemQuery", "SourceState", "Storage", "TagRow", "TaggingStore", "UpsertCounts"]
