"""Persistence. The only package that imports SQLAlchemy; rows never leave it."""

from .store import ItemQuery, SourceState, Storage, UpsertCounts

__all__ = ["ItemQuery", "SourceState", "Storage", "UpsertCounts"]
