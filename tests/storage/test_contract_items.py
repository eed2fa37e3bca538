"""Contract of the items topic of ``Store``, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from curator.errors import NotFound
from curator.storage import Storage
from curator.types import ItemQuery
from tests.conftest import T0
from tests.storage.conftest import parsed, source, stored_items


def test_upsert_inserts_updates_in_place_and_skips_unchanged(store: Storage) -> None:
    store.ensure_internal_source(source("a"), T0)
    first = store.upsert_items(source("a"), [parsed("k1"), parsed("k2")], T0)
    assert (first.new, first.updated, first.unchanged, len(first.new_ids)) == (2, 0, 0, 2)
    later = T0 + timedelta(hours=1)
    second = store.upsert_items(source("a"), [parsed("k1", text="edited", published=later), parsed("k2")], later)
    assert (second.new, second.updated, second.unchanged, second.new_ids) == (0, 1, 1, ())
    item = store.get_item(first.new_ids[0])
    assert (item.text, item.published, item.first_seen, item.updated_at) == ("edited", later, T0, later)


def test_the_first_of_several_entries_with_one_key_wins(store: Storage) -> None:
    store.ensure_internal_source(source("a"), T0)
    counts = store.upsert_items(source("a"), [parsed("k", title="first"), parsed("k", title="second")], T0)
    assert counts.new == 1
    assert store.get_item(counts.new_ids[0]).title == "first"


def test_items_take_kind_and_visibility_from_their_source(store: Storage) -> None:
    restricted = source("club", visibility="members", kind="event")
    store.ensure_internal_source(restricted, T0)
    (own_kind,) = store.upsert_items(restricted, [parsed("e")], T0).new_ids
    (given_kind,) = store.upsert_items(restricted, [parsed("p")], T0, kind="member_post").new_ids
    assert (store.get_item(own_kind).kind, store.get_item(own_kind).visibility) == ("event", "members")
    assert store.get_item(given_kind).kind == "member_post"


def test_list_is_newest_first_with_ties_by_higher_id(store: Storage) -> None:
    ids = stored_items(store, 3)
    store.upsert_items(source("news"), [parsed("same-time", published=T0 + timedelta(hours=2))], T0)
    listed = [i.id for i in store.list_items()]
    tie = [i for i in listed if i not in ids]
    assert listed == tie + [ids[2], ids[1], ids[0]]
    assert [i.id for i in store.list_items(ItemQuery(limit=2, offset=1))] == [ids[2], ids[1]]


def test_list_filters(store: Storage) -> None:
    store.ensure_internal_source(source("a"), T0)
    store.ensure_internal_source(source("b", visibility="members"), T0)
    (a_en,) = store.upsert_items(source("a"), [parsed("a1", title="Steel prices", published=T0)], T0).new_ids
    (a_de,) = store.upsert_items(source("a"), [parsed("a2", text="Stahl", lang="de",
                                                      published=T0 + timedelta(days=2))],
                                 T0 + timedelta(days=2)).new_ids
    (b,) = store.upsert_items(source("b", visibility="members"), [parsed("b1")], T0, kind="event").new_ids
    store.set_item_areas(a_en, {"company": 0.9}, T0)

    def ids(**kw: object) -> set[int]:
        return {i.id for i in store.list_items(ItemQuery(**kw))}  # type: ignore[arg-type]

    assert ids(source_id="a") == {a_en, a_de}
    assert ids(lang="de") == {a_de}
    assert ids(kind="event") == {b}
    assert ids(since=T0 + timedelta(days=1)) == {a_de}
    assert ids(seen_since=T0 + timedelta(days=1)) == {a_de}
    assert ids(visible_to=frozenset({"public"})) == {a_en, a_de}
    assert ids(area="company") == {a_en}
    assert ids(search="STEEL") == {a_en} and ids(search="stahl") == {a_de}  # title or text, any case


def test_get_and_get_many(store: Storage) -> None:
    ids = stored_items(store, 3)
    assert store.get_item(ids[1]).key == "news-1"
    with pytest.raises(NotFound, match="no item with id"):
        store.get_item(max(ids) + 100)
    wanted = [ids[2], max(ids) + 100, ids[0]]
    assert [i.id for i in store.get_items(wanted)] == [ids[2], ids[0]]  # order given, unknown left out
    many = list(range(max(ids) + 1, max(ids) + 600)) + [ids[1]]  # more than one batch of 500
    assert [i.id for i in store.get_items(many)] == [ids[1]]


def test_find_item_by_key_url_or_canonical_url(store: Storage) -> None:
    store.ensure_internal_source(source("a"), T0)
    (item_id,) = store.upsert_items(source("a"), [parsed("the-key", url="https://x.example/story")], T0).new_ids
    assert store.find_item("the-key") == item_id
    assert store.find_item("https://x.example/story") == item_id
    assert store.find_item("nothing") is None


def test_set_visibility_of_one_item(store: Storage) -> None:
    (item_id,) = stored_items(store, 1)
    store.set_item_visibility(item_id, "members")
    assert store.get_item(item_id).visibility == "members"
    with pytest.raises(NotFound):
        store.set_item_visibility(item_id + 100, "members")
