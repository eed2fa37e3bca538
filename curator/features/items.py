"""Stored items: listing, one item, and importing an article archive (``curator.items`` on the root).

The archive format and its checks live in :mod:`curator.ingest.jsonl`; this class only stores
what that returns.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterable, Sequence

from curator.clock import Clock
from curator.ingest.jsonl import parse_archive
from curator.storage import Storage
from curator.types import ImportResult, Item, ItemQuery, Source

__all__ = ["Items"]


class Items:
    """Items of every source: feed articles, imports, approved member posts."""

    def __init__(self, storage: Storage, clock: Clock) -> None:
        self._storage = storage
        self._clock = clock

    def list(self, query: ItemQuery | None = None) -> builtins.list[Item]:
        """Items newest first, filtered and paged as ``query`` says (None: ``ItemQuery()``, the newest 50)."""
        return self._storage.list_items(query or ItemQuery())

    def get(self, item_id: int) -> Item:
        """One item. Raises NotFound for an unknown id."""
        return self._storage.get_item(item_id)

    def get_many(self, item_ids: Sequence[int]) -> builtins.list[Item]:
        """The items with these ids, in the order given; unknown ids are left out."""
        return self._storage.get_items(item_ids)

    def import_jsonl(self, lines: Iterable[str], *, source_id: str = "import", source_title: str | None = None,
                     visibility: str = "public") -> ImportResult:
        """Import an article archive: one JSON object per line with ``id``, ``title``, ``text`` and
        optionally ``url``, ``lang``, ``published``, ``source``. Bad lines are reported by number and
        skipped; good lines are stored. Re-importing updates changed items, never duplicates.

        Items go to the internal source ``source_id`` (or ``<source_id>-<slug>`` for lines naming
        a ``source``), created on first use with ``source_title`` and ``visibility``."""
        now = self._clock.now()
        archive = parse_archive(lines, source_id=source_id, now=now)
        new = updated = unchanged = 0
        for sid, parsed in archive.by_source.items():
            src = Source(id=sid, title=source_title or sid, url=f"https://curator.invalid/{sid}",
                         visibility=visibility, enabled=False)
            self._storage.ensure_internal_source(src, now)
            counts = self._storage.upsert_items(src, parsed, now)
            new, updated, unchanged = new + counts.new, updated + counts.updated, unchanged + counts.unchanged
        return ImportResult(new, updated, unchanged, archive.errors)
