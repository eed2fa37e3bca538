"""Contract of the tagging topic of ``Store``, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from curator.errors import InvalidInput, NotFound
from curator.storage import Storage, TagRow
from curator.types import ItemQuery
from tests.conftest import T0
from tests.storage.conftest import parsed, source, stored_items


def _tag(store: Storage, item_id: int, areas: tuple[str, ...], version: str = "v1") -> None:
    item = store.get_item(item_id)
    store.save_tags([TagRow(item_id, item.content_hash, areas, {a: 0.9 for a in areas})], version, T0)


def test_items_to_tag_are_new_retagged_by_version_or_changed(store: Storage) -> None:
    ids = stored_items(store, 3)
    assert [i.id for i in store.items_to_tag("v1")] == ids  # by id
    assert [i.id for i in store.items_to_tag("v1", limit=2)] == ids[:2]
    for item_id in ids:
        _tag(store, item_id, ("work",))
    assert store.items_to_tag("v1") == []
    assert [i.id for i in store.items_to_tag("v1", retag_all=True)] == ids
    assert [i.id for i in store.items_to_tag("v2")] == ids
    store.upsert_items(source("news"), [parsed("news-1", text="changed")], T0 + timedelta(hours=5))
    assert [i.id for i in store.items_to_tag("v1")] == [ids[1]]


def test_saved_tags_show_on_items_and_saving_twice_changes_nothing(store: Storage) -> None:
    (item_id,) = stored_items(store, 1)
    _tag(store, item_id, ("work", "society"))
    _tag(store, item_id, ("work", "society"))
    item = store.get_item(item_id)
    assert item.areas == ("work", "society") and item.area_scores == {"work": 0.9, "society": 0.9}
    assert [i.id for i in store.list_items(ItemQuery(area="society"))] == [item_id]
    _tag(store, item_id, ("work",))
    assert store.list_items(ItemQuery(area="society")) == []  # the area index follows the tags


def test_an_editors_correction_outlives_later_tagger_runs(store: Storage) -> None:
    (item_id,) = stored_items(store, 1)
    _tag(store, item_id, ("work",))
    store.add_correction(item_id, ["government"], "ed@x.example", T0)
    _tag(store, item_id, ("technology",), version="v2")
    item = store.get_item(item_id)
    assert item.areas == ("government",) and item.area_scores == {"technology": 0.9}  # scores update
    assert [i.id for i in store.list_items(ItemQuery(area="government"))] == [item_id]


def test_a_correction_of_an_untagged_item_tags_it(store: Storage) -> None:
    (item_id,) = stored_items(store, 1)
    store.add_correction(item_id, ["company"], "ed", T0)
    assert store.get_item(item_id).areas == ("company",)
    with pytest.raises(NotFound):
        store.add_correction(item_id + 100, ["company"], "ed", T0)


def test_corrections_keep_the_latest_per_item_in_order_of_first_correction(store: Storage) -> None:
    first, second = stored_items(store, 2)
    store.add_correction(second, ["work"], "ed", T0)
    store.add_correction(first, ["society"], "ed", T0 + timedelta(minutes=1))
    store.add_correction(second, ["company"], "boss", T0 + timedelta(minutes=2))
    assert [(c.item_id, c.areas, c.editor) for c in store.corrections()] == [
        (second, ("company",), "boss"), (first, ("society",), "ed")]


def test_duplicates_replace_the_previous_marks(store: Storage) -> None:
    a, b, c, d = stored_items(store, 4)
    assert store.set_duplicates([[a, b, c], [d]]) == 2
    assert {i.id for i in store.duplicates_of(a)} == {b, c}
    assert store.get_item(b).duplicate_of == a
    assert store.set_duplicates([[c, d]]) == 1
    assert store.duplicates_of(a) == [] and store.get_item(b).duplicate_of is None
    assert [i.id for i in store.duplicates_of(c)] == [d]
    assert store.duplicates_of(d + 100) == []
    assert store.set_duplicates([[c, d]]) == 1  # the same stories again: the marks stay
    assert store.set_duplicates([[d, c], [a, b]]) == 2  # a new head, a new group
    assert store.get_item(c).duplicate_of == d and store.get_item(d).duplicate_of is None
    assert store.get_item(b).duplicate_of == a
    assert store.set_duplicates([]) == 0
    assert all(store.get_item(i).duplicate_of is None for i in (a, b, c, d))


def test_area_counts_count_items_per_area_and_items_without_one(store: Storage) -> None:
    a, b, c = stored_items(store, 3)
    assert store.area_counts() == ({}, 3)
    _tag(store, a, ("work", "society"))
    _tag(store, b, ("work",))
    _tag(store, c, ())  # tagged, but no area fits
    assert store.area_counts() == ({"work": 2, "society": 1}, 1)


def test_set_item_areas_keeps_areas_scoring_at_least_one_half(store: Storage) -> None:
    (item_id,) = stored_items(store, 1)
    store.set_item_areas(item_id, {"work": 0.5, "society": 0.8, "company": 0.49}, T0)
    assert store.get_item(item_id).areas == ("society", "work")  # highest first
    with pytest.raises(InvalidInput, match="astrology"):
        store.set_item_areas(item_id, {"astrology": 1.0}, T0)
    with pytest.raises(NotFound):
        store.set_item_areas(item_id + 100, {"work": 1.0}, T0)
