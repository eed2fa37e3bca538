"""Ranked feeds kept in this process for a few minutes: one :class:`FeedCache`, built once by
``make_curator`` and shared by the features that fill it (Feeds) and drop entries (Feedback,
Members, Accounts through ``Feeds.forget``).

An entry is keyed by the member AND the set of visibilities they could see when it was ranked,
so a feed ranked before a club membership ended is never served after it (the key no longer
matches). Entries expire after :data:`FEED_CACHE_SECONDS`.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from datetime import datetime, timedelta

from curator.types import ScoredItem

FEED_CACHE_SECONDS = 300
"""How long a member's ranked feed is reused."""


class FeedCache:
    """Thread-safe map (member id, visible set) -> (valid until, ranked feed)."""

    def __init__(self, seconds: float = FEED_CACHE_SECONDS) -> None:
        self._ttl = timedelta(seconds=seconds)
        self._lock = threading.Lock()
        self._entries: dict[tuple[int, frozenset[str]], tuple[datetime, list[ScoredItem]]] = {}

    def get(self, member_id: int, visible: frozenset[str], now: datetime) -> list[ScoredItem] | None:
        """The cached feed, or None when there is none or it expired at ``now``."""
        with self._lock:
            hit = self._entries.get((member_id, visible))
        return hit[1] if hit is not None and hit[0] > now else None

    def fresh_members(self, now: datetime) -> set[int]:
        """Ids of members with an entry still valid at ``now`` (under any visible set)."""
        with self._lock:
            return {key[0] for key, (until, _) in self._entries.items() if until > now}

    def put(self, feeds: Iterable[tuple[int, frozenset[str], list[ScoredItem]]], now: datetime) -> None:
        """Store (member id, visible set at ranking time, feed) entries, valid from ``now``."""
        until = now + self._ttl
        with self._lock:
            for member_id, visible, feed in feeds:
                self._entries[(member_id, visible)] = (until, feed)

    def forget(self, member_id: int | None = None) -> None:
        """Drop the entries of one member (None: of everyone)."""
        with self._lock:
            for key in [k for k in self._entries if member_id is None or k[0] == member_id]:
                del self._entries[key]
