"""Contract of the members topics of ``Store`` (members and clubs, feedback and profiles, pins
and personas), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest

from curator.errors import NotFound, WorkflowError
from curator.storage import Storage
from curator.types import Club, FeedbackEvent, MemberProfile
from tests.conftest import T0
from tests.storage.conftest import member, on_connections, stored_items

CLUB = Club("board", "Board", "Vorstand")


def _profile(member_id: int, weight: float = 1.0) -> MemberProfile:
    return MemberProfile(member_id=member_id, model_id="fake", as_of=T0, declared=b"\0" * 8, positive=b"\1" * 8,
                         negative=b"\2" * 8, positive_weight=weight, negative_weight=0.0,
                         area_affinity={"work": 0.5}, events_through=3, declared_hash="h")


def _event(member_id: int, item_id: int, kind: str = "save", minutes: int = 0, **kw: object) -> FeedbackEvent:
    return FeedbackEvent(member_id=member_id, item_id=item_id, kind=kind, at=T0 + timedelta(minutes=minutes),
                         **kw)  # type: ignore[arg-type]


# ---------------------------------------------------------------------- members and clubs

def test_upsert_by_email_keeps_the_id_and_says_what_it_did(store: Storage) -> None:
    new = store.upsert_member(member("Ann@Acme.example"), T0)
    assert new.outcome == "new"
    assert store.upsert_member(member("ann@acme.example "), T0).outcome == "unchanged"
    changed = store.upsert_member(member("ann@acme.example", name="Ann B."), T0)
    assert (changed.outcome, changed.member_id) == ("updated", new.member_id)
    found = store.get_member(" ANN@acme.example")
    assert (found.id, found.email, found.name, found.organisation) == (new.member_id, "ann@acme.example", "Ann B.",
                                                                       "Acme")
    assert store.member_id_for_email("ANN@acme.example") == new.member_id
    assert store.member_id_for_email("nobody@acme.example") is None


def test_unknown_members(store: Storage) -> None:
    with pytest.raises(NotFound, match="import-members"):
        store.get_member("nobody@acme.example")
    with pytest.raises(NotFound):
        store.set_tracking_consent("nobody@acme.example", True, T0)
    with pytest.raises(NotFound):
        store.grant_club("nobody@acme.example", "board", "ed", T0)


def test_members_by_id_and_all_members_are_ordered_by_id(store: Storage) -> None:
    ids = [store.upsert_member(member(f"{n}@acme.example"), T0).member_id for n in ("c", "a", "b")]
    assert [m.id for m in store.list_members()] == sorted(ids)
    asked = [ids[2], max(ids) + 100, ids[0]]
    assert [m.id for m in store.get_members_by_id(asked)] == sorted([ids[2], ids[0]])


def test_withdrawing_consent_deletes_tracking_events_and_the_profile(store: Storage) -> None:
    mid = store.upsert_member(member("ann@acme.example", tracking_consent=True), T0).member_id
    (item,) = stored_items(store, 1)
    store.add_feedback([(_event(mid, item, "click"), None), (_event(mid, item, "save"), None)])
    store.save_profiles([_profile(mid)])
    result = store.upsert_member(member("ann@acme.example", tracking_consent=False), T0)
    assert result.consent_withdrawn
    assert [s.event.kind for s in store.feedback([mid])] == ["save"]  # explicit actions stay
    assert store.get_profiles([mid]) == {}
    store.set_tracking_consent("ann@acme.example", True, T0)
    store.add_feedback([(_event(mid, item, "view"), None)])
    assert not store.set_tracking_consent("ann@acme.example", False, T0).tracking_consent
    assert [s.event.kind for s in store.feedback([mid])] == ["save"]


def test_clubs_are_granted_only_with_an_editor_vouching(store: Storage) -> None:
    store.ensure_club(CLUB, T0)
    store.ensure_club(Club("board", "Renamed", "Umbenannt"), T0)  # an existing club stays as it is
    assert store.list_clubs() == [CLUB]
    assert store.upsert_member(member("ann@acme.example", clubs=("board",)), T0).clubs_granted == ()
    granted = store.upsert_member(member("ann@acme.example", clubs=("board",)), T0, grant_clubs_by="ed")
    assert (granted.outcome, granted.clubs_granted) == ("updated", ("board",))
    assert store.get_member("ann@acme.example").clubs == frozenset({"board"})
    with pytest.raises(NotFound, match="clubs list"):
        store.upsert_member(member("bob@acme.example", clubs=("nope",)), T0, grant_clubs_by="ed")
    with pytest.raises(NotFound):  # the whole record was rolled back
        store.get_member("bob@acme.example")


def test_granting_twice_keeps_the_first_grant_and_non_members_are_refused(store: Storage) -> None:
    store.ensure_club(CLUB, T0)
    store.upsert_member(member("ann@acme.example"), T0)
    store.upsert_member(member("reg@else.example", membership="registered"), T0)
    first = store.grant_club("ANN@acme.example", "board", "ed1", T0)
    again = store.grant_club("ann@acme.example", "board", "ed2", T0 + timedelta(days=1))
    assert (again.granted_by, again.granted_at) == (first.granted_by, first.granted_at) == ("ed1", T0)
    with pytest.raises(NotFound, match="no club"):
        store.grant_club("ann@acme.example", "nope", "ed", T0)
    with pytest.raises(WorkflowError, match="members only"):
        store.grant_club("reg@else.example", "board", "ed", T0)


def test_revoke_and_list_memberships(store: Storage) -> None:
    store.ensure_club(CLUB, T0)
    store.ensure_club(Club("alpha", "Alpha", "Alpha"), T0)
    for email in ("bob@acme.example", "ann@acme.example"):
        store.upsert_member(member(email), T0)
        store.grant_club(email, "board", "ed", T0)
    store.grant_club("bob@acme.example", "alpha", "ed", T0)
    assert [(m.club_id, m.member_email) for m in store.club_memberships()] == [
        ("alpha", "bob@acme.example"), ("board", "ann@acme.example"), ("board", "bob@acme.example")]
    assert [m.member_email for m in store.club_memberships("alpha")] == ["bob@acme.example"]
    assert store.revoke_club("bob@acme.example", "alpha") is True
    assert store.revoke_club("bob@acme.example", "alpha") is False
    assert store.club_memberships("alpha") == []


# ---------------------------------------------------------------------- feedback and profiles

def test_feedback_is_stored_once_per_dedupe_key(store: Storage) -> None:
    mid = store.upsert_member(member("ann@acme.example"), T0).member_id
    (item,) = stored_items(store, 1)
    assert store.add_feedback([(_event(mid, item), "k1"), (_event(mid, item), "k1"), (_event(mid, item), None),
                               (_event(mid, item), None)]) == (3, 1)
    assert store.add_feedback([(_event(mid, item), "k1")]) == (0, 1)
    assert len(store.feedback([mid])) == 3


def test_feedback_is_read_oldest_first_by_member_item_and_position(store: Storage) -> None:
    ann = store.upsert_member(member("ann@acme.example"), T0).member_id
    bob = store.upsert_member(member("bob@acme.example"), T0).member_id
    one, two = stored_items(store, 2)
    store.add_feedback([(_event(ann, one, "save"), None), (_event(bob, one, "rating", value=5.0), None),
                        (_event(ann, two, "hide"), None), (_event(bob, two, "send", to_member_id=ann), None)])
    everything = store.feedback()
    ids = [s.event.id for s in everything]
    assert ids == sorted(ids) and len(ids) == 4
    assert (everything[0].source_id, everything[0].visibility) == ("news", "public")
    assert [s.event.kind for s in store.feedback([ann])] == ["save", "hide"]
    assert [s.event.kind for s in store.feedback(item_ids=[one])] == ["save", "rating"]
    assert [s.event.kind for s in store.feedback([bob], item_ids=[two])] == ["send"]
    assert [s.event.kind for s in store.feedback(after_id=ids[1])] == ["hide", "send"]
    assert store.feedback([bob])[1].event.to_member_id == ann


def test_hidden_item_ids_are_the_items_a_member_hid(store: Storage) -> None:
    ann = store.upsert_member(member("ann@acme.example"), T0).member_id
    bob = store.upsert_member(member("bob@acme.example"), T0).member_id
    one, two, three = stored_items(store, 3)
    assert store.hidden_item_ids(ann) == set()
    store.add_feedback([(_event(ann, one, "hide"), None), (_event(ann, one, "hide", minutes=1), None),
                        (_event(ann, two, "save"), None), (_event(bob, three, "hide"), None)])
    assert store.hidden_item_ids(ann) == {one}
    assert store.hidden_item_ids(bob) == {three}
    assert store.hidden_item_ids(bob + 100) == set()


def test_source_feedback_counts_positive_and_negative(store: Storage) -> None:
    mid = store.upsert_member(member("ann@acme.example"), T0).member_id
    one, two = stored_items(store, 2)
    store.add_feedback([(_event(mid, one, "save"), None), (_event(mid, one, "rating", value=4.0), None),
                        (_event(mid, two, "less"), None), (_event(mid, two, "rating", value=2.0), None),
                        (_event(mid, two, "rating", value=3.0), None), (_event(mid, two, "click"), None)])
    assert store.source_feedback_counts() == {"news": (2, 2)}


def test_profiles_are_saved_and_replaced(store: Storage) -> None:
    ann = store.upsert_member(member("ann@acme.example"), T0).member_id
    bob = store.upsert_member(member("bob@acme.example"), T0).member_id
    store.save_profiles([_profile(ann), _profile(bob)])
    store.save_profiles([_profile(ann, weight=2.5)])
    assert store.get_profiles([ann]) == {ann: _profile(ann, weight=2.5)}
    assert set(store.get_profiles()) == {ann, bob}
    # the language feedback round-trips; a row without it (folded before migration 0014) reads as None
    assert store.get_profiles([bob])[bob].language_feedback is None
    reading = MemberProfile(**{**_profile(bob).__dict__, "language_feedback": {"de": (2.5, 0.0), "en": (0.25, 1.0)}})
    store.save_profiles([reading])
    assert store.get_profiles([bob]) == {bob: reading}


# ---------------------------------------------------------------------- pins and personas

def test_pins_in_force_replace_and_expire(store: Storage) -> None:
    one, two = stored_items(store, 2)
    store.pin_item(one, "all", "ed", T0, None)
    store.pin_item(two, "club:board", "ed", T0, T0 + timedelta(days=1))
    store.pin_item(two, "persona:analyst", "ed", T0, None)
    assert store.active_pins(T0) == {one: {"all"}, two: {"club:board", "persona:analyst"}}
    assert store.active_pins(T0 + timedelta(days=2)) == {one: {"all"}, two: {"persona:analyst"}}
    store.pin_item(one, "all", "ed", T0, T0 + timedelta(hours=1))  # pinning again replaces the pin
    assert one not in store.active_pins(T0 + timedelta(hours=2))
    assert store.unpin_item(two, "persona:analyst") is True
    assert store.unpin_item(two, "persona:analyst") is False
    with pytest.raises(NotFound):
        store.pin_item(two + 100, "all", "ed", T0, None)


def _suggestion(name: str) -> dict[str, object]:
    return {"kind": "new", "persona": None, "name": name, "size": 4,
            "definition": {"preferred_areas": ["work"], "example_titles": ["A title"]}}


def test_new_suggestions_supersede_the_open_ones(store: Storage) -> None:
    old = store.add_persona_suggestions([_suggestion("old")], T0)
    new = store.add_persona_suggestions([_suggestion("a"), _suggestion("b")], T0)
    assert len(new) == 2 and new == sorted(new)
    assert [s.id for s in store.persona_suggestions()] == new
    assert [s.id for s in store.persona_suggestions("superseded")] == old
    assert [s.id for s in store.persona_suggestions(None)] == old + new
    found, definition = store.suggestion_definition(new[0])
    assert (found.name, found.preferred_areas, found.example_titles) == ("a", ("work",), ("A title",))
    assert definition["preferred_areas"] == ["work"]
    with pytest.raises(NotFound, match="personas suggest"):
        store.suggestion_definition(max(new) + 100)


def test_a_suggestion_is_accepted_once(store: Storage, store_url: str) -> None:
    (sid,) = store.add_persona_suggestions([_suggestion("analyst")], T0)

    def accept(s: Storage, i: int) -> str:
        try:
            s.accept_persona(sid, f"persona-{i}", {"preferred_areas": ["work"]}, f"ed{i}", T0)
            return "accepted"
        except WorkflowError:
            return "refused"

    assert sorted(on_connections(store_url, 2, accept)) == ["accepted", "refused"]
    assert len(store.accepted_personas()) == 1
    assert store.persona_suggestions("accepted")[0].decided_by in ("ed0", "ed1")
    with pytest.raises(NotFound):
        store.accept_persona(sid + 100, "x", {}, "ed", T0)
