"""Contract of the sources topic of ``Store``, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from curator.errors import InvalidInput, NotFound, WorkflowError
from curator.storage import Storage
from curator.types import ItemQuery
from tests.conftest import T0
from tests.storage.conftest import on_connections, parsed, source


def _states(store: Storage, only_enabled: bool = True) -> dict[str, object]:
    return {s.source.id: s for s in store.source_states(only_enabled)}


def test_sync_adds_changes_and_retires_and_repeating_it_changes_nothing(store: Storage) -> None:
    assert store.sync_sources([source("b"), source("a")], T0) == (2, 0, 0)
    assert store.sync_sources([source("b"), source("a")], T0) == (0, 0, 0)
    assert [s.source.id for s in store.source_states()] == ["a", "b"]  # by id
    assert store.sync_sources([source("a", title="A, renamed"), source("b")], T0) == (0, 1, 0)
    assert store.source_states()[0].source.title == "A, renamed"
    store.record_fetch_success("b", [parsed("b-1")], etag=None, last_modified=None, feed_title=None,
                               unconditional=True, now=T0)
    assert store.sync_sources([source("a", title="A, renamed")], T0) == (0, 0, 1)
    assert list(_states(store)) == ["a"]
    retired = {h.source.id: h for h in store.source_health()}["b"]
    assert not retired.source.enabled and retired.item_count == 1  # disabled, items kept


def test_internal_sources_are_created_once_and_never_retired(store: Storage) -> None:
    store.ensure_internal_source(source("import-archive", title="Archive"), T0)
    store.ensure_internal_source(source("import-archive", title="Another title"), T0)
    (health,) = store.source_health()
    assert health.source.title == "Archive" and not health.source.enabled
    assert store.source_states(only_enabled=False) == []  # not from the sources file
    assert store.sync_sources([source("a")], T0) == (1, 0, 0)
    assert {h.source.id for h in store.source_health()} == {"a", "import-archive"}


def test_a_new_url_resets_the_fetch_state_and_a_new_visibility_reaches_stored_items(store: Storage) -> None:
    store.sync_sources([source("a")], T0)
    store.record_fetch_success("a", [parsed("a-1")], etag='"v1"', last_modified="yesterday", feed_title="A",
                               unconditional=True, now=T0)
    store.record_fetch_failure("a", "timeout", now=T0, next_attempt=T0 + timedelta(hours=1), broken_after=3)
    store.sync_sources([source("a", url="https://moved.example/feed.xml", visibility="members")], T0)
    (state,) = store.source_states()
    assert (state.etag, state.last_modified, state.error_count, state.next_attempt) == (None, None, 0, None)
    assert state.fetch_url == "https://moved.example/feed.xml"
    assert {i.visibility for i in store.list_items(ItemQuery(source_id="a"))} == {"members"}


def test_only_enabled_sources_are_collected(store: Storage) -> None:
    store.sync_sources([source("on"), source("off", enabled=False)], T0)
    assert list(_states(store)) == ["on"]
    assert list(_states(store, only_enabled=False)) == ["off", "on"]


def test_a_successful_fetch_stores_items_and_validators_together(store: Storage) -> None:
    store.sync_sources([source("a")], T0)
    store.record_fetch_failure("a", "boom", now=T0, next_attempt=T0 + timedelta(hours=1), broken_after=1)
    counts = store.record_fetch_success("a", [parsed("a-1"), parsed("a-2")], etag='"e"', last_modified="lm",
                                        feed_title="Feed", unconditional=True, now=T0 + timedelta(hours=2),
                                        moved_to="https://new.example/feed.xml")
    assert (counts.new, counts.updated, counts.unchanged, len(counts.new_ids)) == (2, 0, 0, 2)
    (state,) = store.source_states()
    assert (state.etag, state.last_modified, state.error_count, state.broken) == ('"e"', "lm", 0, False)
    assert state.last_unconditional == T0 + timedelta(hours=2) and state.moved_to == "https://new.example/feed.xml"
    again = store.record_fetch_success("a", [parsed("a-1"), parsed("a-2", text="changed")], etag='"f"',
                                       last_modified=None, feed_title=None, unconditional=False, now=T0)
    assert (again.new, again.updated, again.unchanged, again.new_ids) == (0, 1, 1, ())


def test_a_fetch_for_a_deleted_source_stores_nothing(store: Storage) -> None:
    with pytest.raises(NotFound, match="ghost"):
        store.record_fetch_success("ghost", [parsed("g-1")], etag=None, last_modified=None, feed_title=None,
                                   unconditional=True, now=T0)
    assert store.list_items() == []


def test_not_modified_marks_the_source_healthy(store: Storage) -> None:
    store.sync_sources([source("a")], T0)
    store.record_fetch_failure("a", "boom", now=T0, next_attempt=T0 + timedelta(hours=1), broken_after=1)
    store.record_not_modified("a", etag='"x"', last_modified=None, now=T0 + timedelta(hours=1))
    (health,) = store.source_health()
    assert (health.error_count, health.broken, health.last_error) == (0, False, None)
    assert health.last_success == T0 + timedelta(hours=1)


def test_failures_count_up_mark_broken_and_may_disable(store: Storage) -> None:
    store.sync_sources([source("a")], T0)
    counts = [store.record_fetch_failure("a", f"error {n}", now=T0, next_attempt=None, broken_after=3)
              for n in range(3)]
    assert counts == [1, 2, 3]
    (health,) = store.source_health()
    assert health.broken and health.last_error == "error 2"
    assert store.record_fetch_failure("a", "gone", now=T0, next_attempt=None, broken_after=3, disable=True) == 4
    assert store.source_states() == []
    assert store.record_fetch_failure("ghost", "x", now=T0, next_attempt=None, broken_after=3) == 0


def test_concurrent_failures_all_count(store: Storage, store_url: str) -> None:
    store.sync_sources([source("a")], T0)
    on_connections(store_url, 6, lambda s, i: s.record_fetch_failure("a", "x", now=T0, next_attempt=None,
                                                                      broken_after=100))
    assert store.source_states()[0].error_count == 6


def test_health_lists_every_source_with_its_item_count(store: Storage) -> None:
    store.sync_sources([source("b"), source("a")], T0)
    store.record_fetch_success("b", [parsed("b-1"), parsed("b-2")], etag=None, last_modified=None, feed_title=None,
                               unconditional=True, now=T0)
    assert [(h.source.id, h.item_count) for h in store.source_health()] == [("a", 0), ("b", 2)]


def test_deleting_a_source_deletes_its_items(store: Storage) -> None:
    store.sync_sources([source("a")], T0)
    store.record_fetch_success("a", [parsed("a-1")], etag=None, last_modified=None, feed_title=None,
                               unconditional=True, now=T0)
    store.delete_source("a")
    assert store.source_health() == [] and store.list_items() == []
    with pytest.raises(NotFound, match="'a'"):
        store.delete_source("a")


# --------------------------------------------------------------------------- origins (issue 10, item 1)

def test_the_file_changes_only_its_own_sources(store: Storage) -> None:
    store.add_source(source("desk"), T0)
    store.ensure_internal_source(source("import", url="https://curator.invalid/import"), T0)
    assert store.sync_sources([source("a")], T0) == (1, 0, 0)
    assert store.sync_sources([], T0) == (0, 0, 1)  # only "a" is the file's
    assert {s.source.id: s.source.origin for s in store.source_states()} == {"desk": "console"}
    for clash in (source("desk", url="https://elsewhere.example/"), source("import")):
        with pytest.raises(WorkflowError, match=f"'{clash.id}'"):
            store.sync_sources([source("b"), clash], T0)
        assert "b" not in {h.source.id for h in store.source_health()}
    assert store.sync_sources([source("desk")], T0) == (0, 1, 0)  # same id and URL: the file takes it over
    assert [h.source.origin for h in store.source_health() if h.source.id == "desk"] == ["file"]


def test_the_files_enabled_applies_only_when_the_file_changes_it(store: Storage) -> None:
    store.sync_sources([source("a")], T0)
    assert not store.set_source_enabled("a", False, T0).enabled
    assert store.sync_sources([source("a")], T0) == (0, 0, 0) and store.source_states() == []
    store.sync_sources([source("a", enabled=False)], T0)
    assert store.sync_sources([source("a", enabled=True)], T0) == (0, 1, 0)
    assert [s.source.id for s in store.source_states()] == ["a"]


def test_switching_on_a_retired_source_hands_it_to_the_console(store: Storage) -> None:
    store.sync_sources([source("a")], T0)
    store.record_fetch_failure("a", "x", now=T0, next_attempt=T0 + timedelta(days=1), broken_after=9)
    store.sync_sources([source("b")], T0)
    retired = {h.source.id: h for h in store.source_health()}["a"]
    assert retired.retired_at == T0 and retired.status == "retired"
    again = store.set_source_enabled("a", True, T0)
    assert (again.enabled, again.origin) == (True, "console")
    assert {s.source.id: s.next_attempt for s in store.source_states()}["a"] is None  # due at once
    assert store.sync_sources([source("b")], T0) == (0, 0, 0)
    store.ensure_internal_source(source("import"), T0)
    with pytest.raises(WorkflowError, match="never collected"):
        store.set_source_enabled("import", True, T0)
    with pytest.raises(NotFound, match="'ghost'"):
        store.set_source_enabled("ghost", True, T0)


def test_console_sources_are_added_and_changed_with_unique_ids_and_urls(store: Storage) -> None:
    store.add_source(source("a"), T0)
    store.record_fetch_success("a", [parsed("a-1")], etag='"e"', last_modified=None, feed_title=None,
                               unconditional=True, now=T0)
    with pytest.raises(InvalidInput, match="already a source with the id 'a'"):
        store.add_source(source("a", url="https://other.example/"), T0)
    with pytest.raises(InvalidInput, match="is already the source 'a'"):
        store.add_source(source("b", url=source("a").url), T0)
    assert store.update_source(source("a", url="https://new.example/", visibility="members"), T0)
    assert not store.update_source(source("a", url="https://new.example/", visibility="members"), T0)
    (state,) = store.source_states()
    assert (state.source.url, state.etag) == ("https://new.example/", None)
    assert {i.visibility for i in store.list_items(ItemQuery(source_id="a"))} == {"members"}
    store.sync_sources([source("f")], T0)
    with pytest.raises(WorkflowError, match="change it in that file"):
        store.update_source(source("f", title="Renamed"), T0)


def test_import_adds_updates_and_skips_with_reasons_in_one_go(store: Storage) -> None:
    store.sync_sources([source("file")], T0)
    store.add_source(source("desk"), T0)
    results = store.import_sources([source("new", enabled=False), source("desk", title="Renamed"), source("file"),
                                    source("copy", url=source("desk").url)], T0)
    assert [(r.source_id, r.outcome) for r in results] == [
        ("new", "added"), ("desk", "updated"), ("file", "skipped"), ("copy", "skipped")]
    assert results[3].reason == "its URL is already the source 'desk'"
    got = {h.source.id: h.source for h in store.source_health()}
    assert (got["new"].origin, got["new"].enabled, got["desk"].title) == ("console", False, "Renamed")
