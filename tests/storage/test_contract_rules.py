"""Contract of the editor-rules topic of ``Store``, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from curator.errors import NotFound
from curator.storage import Storage
from curator.types import EditorRule
from tests.conftest import T0
from tests.storage.conftest import member


def _rule(**kw: object) -> EditorRule:
    values: dict[str, object] = dict(id=0, action="boost", match="keyword", pattern="KI|künstliche Intelligenz",
                                     segment="club:it-executive", strength=1.5, note="AI week",
                                     created_by="community@cluster.example")
    values.update(kw)
    return EditorRule(**values)  # type: ignore[arg-type]


def test_a_rule_is_stored_as_given_with_a_new_id(store: Storage) -> None:
    stored = store.add_rule(_rule(id=99), T0)
    assert stored.id != 99 and stored.id > 0
    assert stored == _rule(id=stored.id, created_at=T0, updated_at=T0, enabled=True)
    assert store.get_rule(stored.id) == stored
    with pytest.raises(NotFound, match="no editor rule"):
        store.get_rule(stored.id + 100)


def test_list_is_oldest_first_and_can_leave_out_disabled_rules(store: Storage) -> None:
    a = store.add_rule(_rule(action="block", match="source", pattern="spam", strength=0.0, note=""), T0)
    b = store.add_rule(_rule(), T0)
    later = T0 + timedelta(minutes=5)
    off = store.set_rule_enabled(a.id, False, later)
    assert (off.enabled, off.updated_at, off.created_at) == (False, later, T0)
    assert [r.id for r in store.list_rules()] == [a.id, b.id]
    assert [r.id for r in store.list_rules(enabled_only=True)] == [b.id]
    assert store.set_rule_enabled(a.id, True, later).enabled
    assert [r.id for r in store.list_rules(enabled_only=True)] == [a.id, b.id]
    with pytest.raises(NotFound):
        store.set_rule_enabled(b.id + 100, False, later)


def test_delete_and_ids_never_come_back(store: Storage) -> None:
    a = store.add_rule(_rule(), T0)
    b = store.add_rule(_rule(), T0)
    assert store.delete_rule(b.id) is True
    assert store.delete_rule(b.id) is False
    assert [r.id for r in store.list_rules()] == [a.id]
    c = store.add_rule(_rule(), T0)
    assert c.id > b.id  # a feed or preview naming rule b never meets another rule under its id


def test_an_erased_editor_is_no_longer_named_on_their_rules(store: Storage) -> None:
    store.upsert_member(member("Community@Cluster.example"), T0)
    rule = store.add_rule(_rule(), T0)
    assert store.erase_person("community@cluster.example", now=T0, detail="asked by email")
    assert store.get_rule(rule.id).created_by == "(erased)"
