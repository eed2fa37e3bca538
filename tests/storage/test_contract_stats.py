"""Contract of the statistics topic of ``Store``, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from curator.storage import Storage
from curator.types import FeedbackEvent
from tests.conftest import T0
from tests.storage.conftest import member, parsed, source

# T0 is Friday 2026-11-20: its ISO week starts on Monday 2026-11-16.
WEEK = "2026-11-16"
NEXT_WEEK = "2026-11-23"


def _items(store: Storage) -> tuple[int, int, int, int]:
    store.ensure_internal_source(source("news"), T0)
    store.ensure_internal_source(source("club", visibility="members"), T0)
    work, both = store.upsert_items(source("news"), [parsed("w"), parsed("b", published=T0 + timedelta(days=3))],
                                    T0).new_ids
    (restricted,) = store.upsert_items(source("club", visibility="members"), [parsed("r")], T0).new_ids
    (duplicate,) = store.upsert_items(source("news"), [parsed("d")], T0).new_ids
    store.set_item_areas(work, {"work": 0.9}, T0)
    store.set_item_areas(both, {"work": 0.9, "society": 0.7}, T0)
    store.set_item_areas(restricted, {"work": 0.9}, T0)
    store.set_item_areas(duplicate, {"work": 0.9}, T0)
    store.set_duplicates([[work, duplicate]])
    return work, both, restricted, duplicate


def test_trends_count_items_per_week_and_area_without_duplicates(store: Storage) -> None:
    _items(store)
    assert store.trend_counts(T0 - timedelta(days=1)) == [
        (WEEK, "work", 2), (NEXT_WEEK, "society", 1), (NEXT_WEEK, "work", 1)]
    assert store.trend_counts(T0 - timedelta(days=1), visible=["public"]) == [
        (WEEK, "work", 1), (NEXT_WEEK, "society", 1), (NEXT_WEEK, "work", 1)]
    assert store.trend_counts(T0 + timedelta(days=1)) == [(NEXT_WEEK, "society", 1), (NEXT_WEEK, "work", 1)]


def test_engagement_counts_name_personas_not_people(store: Storage) -> None:
    work, both, _, _ = _items(store)
    ann = store.upsert_member(member("ann@acme.example", persona="analyst"), T0).member_id
    bob = store.upsert_member(member("bob@acme.example"), T0).member_id

    def event(who: int, item: int, kind: str, days: int = 0) -> tuple[FeedbackEvent, None]:
        return FeedbackEvent(member_id=who, item_id=item, kind=kind, at=T0 + timedelta(days=days)), None  # type: ignore[arg-type]

    store.add_feedback([event(ann, work, "save"), event(bob, work, "click"), event(ann, both, "more", days=3),
                        event(ann, work, "hide"), event(bob, work, "less"), event(bob, work, "save", days=-7)])
    assert store.engagement_counts(T0 - timedelta(days=1)) == [
        (WEEK, "work", "-", 1), (WEEK, "work", "analyst", 1),
        (NEXT_WEEK, "society", "analyst", 1), (NEXT_WEEK, "work", "analyst", 1)]
