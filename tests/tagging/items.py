"""A stored ``Item`` built from the few fields the tagging functions read (no database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from curator.types import Item

T0 = datetime(2024, 5, 1, 8, 0, tzinfo=UTC)


def item(item_id: int, *, source: str = "feed", title: str = "", text: str = "", visibility: str = "public",
         seen_hours: float = 0.0, areas: tuple[str, ...] = (), duplicate_of: int | None = None) -> Item:
    seen = T0 + timedelta(hours=seen_hours)
    return Item(id=item_id, source_id=source, key=f"k{item_id}", kind="article", title=title, url=None,
                canonical_url=None, summary="", content_html="", text=text, author=None, published=seen,
                first_seen=seen, updated_at=seen, lang="en", content_hash=f"h{item_id}", visibility=visibility,
                areas=areas, duplicate_of=duplicate_of)
