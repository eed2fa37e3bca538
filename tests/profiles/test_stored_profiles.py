"""Stored profiles brought up to date from plain values (no database), the feedback value rule,
and which clubs an imported member record may be granted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from curator.errors import InvalidInput
from curator.profiles.feedback import checked_value
from curator.profiles.members_import import admissible_clubs
from curator.profiles.profile import (
    ProfileState,
    WeightedEvent,
    current_declared,
    declared_hash,
    fold_events,
    fold_events_to,
    folded_through,
    refreshed_profile,
    state_of,
)
from curator.types import AREA_IDS, FeedbackEvent, Member, MemberProfile, MemberRecord

T0 = datetime(2026, 11, 1, tzinfo=UTC)
D = 4
MODEL = "fake:4"


def member(consent: bool = True) -> Member:
    return Member(id=1, email="m@x.example", name="M", organisation="X", language="en", status="member",
                  tracking_consent=consent)


def ev(eid: int, item_id: int, kind: str, *, value: float | None = None, days: float = 0.0) -> FeedbackEvent:
    return FeedbackEvent(member_id=1, item_id=item_id, kind=kind, at=T0 + timedelta(days=days),  # type: ignore[arg-type]
                         value=value, id=eid)


VECTORS = {i: np.eye(D, dtype=np.float32)[i % D] for i in range(10)}
AREAS = {i: np.eye(len(AREA_IDS), dtype=np.float32)[i % len(AREA_IDS)] for i in range(10)}
DECLARED = np.full(D, 0.5, dtype="<f4").tobytes()


LANGS = {i: ("de", "en")[i % 2] for i in range(10)}


def refresh(stored: MemberProfile | None, events: list[FeedbackEvent], *, text: str = "cloud", now: datetime = T0,
            consent: bool = True, new_declared: bytes | None = DECLARED) -> MemberProfile | None:
    return refreshed_profile(member(consent), stored, model_id=MODEL, dim=D, text_hash=declared_hash(text),
                             new_declared=new_declared, events=events, vectors=VECTORS, areas=AREAS, now=now,
                             langs=LANGS)


def test_a_new_profile_folds_events_and_round_trips() -> None:
    p = refresh(None, [ev(1, 1, "save"), ev(2, 2, "hide")], now=T0 + timedelta(days=1))
    assert p is not None and p.model_id == MODEL and p.events_through == 2
    assert p.declared == DECLARED and p.declared_hash == declared_hash("cloud")
    state = state_of(p, MODEL, D, T0)
    assert state.positive_weight == pytest.approx(p.positive_weight) and state.events_through == 2
    assert state.positive[1] > 0 and state.negative[2] > 0
    assert p.area_affinity[AREA_IDS[1]] > 0 > p.area_affinity[AREA_IDS[2]]


def test_refreshing_in_parts_equals_refreshing_at_once() -> None:
    events = [ev(k, k % 10, kind, days=k) for k, kind in enumerate(["save", "click", "rating", "hide", "more"] * 3, 1)]
    now = T0 + timedelta(days=20)
    whole = refresh(None, events, now=now)
    part = refresh(None, events[:6], now=T0 + timedelta(days=6))
    part = refresh(part, events, now=now)  # events already folded are skipped by id
    assert whole is not None and part is not None
    np.testing.assert_allclose(np.frombuffer(whole.positive, "<f4"), np.frombuffer(part.positive, "<f4"), rtol=1e-5)
    assert whole.positive_weight == pytest.approx(part.positive_weight)
    assert whole.events_through == part.events_through == 15
    assert whole.language_feedback is not None and part.language_feedback is not None
    for lang in ("de", "en"):
        assert whole.language_feedback[lang] == pytest.approx(part.language_feedback[lang])


def test_the_language_of_each_item_is_folded_by_sign() -> None:
    p = refresh(None, [ev(1, 2, "rating", value=5), ev(2, 4, "save"), ev(3, 1, "hide"), ev(4, 3, "rating", value=4)])
    assert p is not None and p.language_feedback is not None
    assert p.language_feedback["de"] == pytest.approx((1.8, 0.0))  # items 2 and 4 are German
    assert p.language_feedback["en"] == pytest.approx((0.5, 1.0))  # a 4-star rating of 3, a hide of 1
    state = state_of(p, MODEL, D, T0)
    np.testing.assert_allclose(state.language_feedback, [[1.8, 0.0], [0.5, 1.0]], rtol=1e-6)


def test_a_profile_from_before_the_language_feedback_is_folded_again_once() -> None:
    events = [ev(1, 2, "save"), ev(2, 1, "hide", days=1)]
    current = refresh(None, events, now=T0 + timedelta(days=2))
    assert current is not None
    old = MemberProfile(**{**current.__dict__, "language_feedback": None})  # as stored before migration 0014
    assert folded_through(old, MODEL) == 0 and state_of(old, MODEL, D, T0).events_through == 0
    again = refresh(old, events, now=T0 + timedelta(days=2))  # no new events, yet written: once
    assert again == current
    assert refresh(again, events, now=T0 + timedelta(days=3)) is None


def test_nothing_new_writes_nothing() -> None:
    p = refresh(None, [ev(1, 1, "save")])
    assert refresh(p, [ev(1, 1, "save")], now=T0 + timedelta(days=3)) is None
    # a changed declared text is written even without new events, with the new vector
    other = np.zeros(D, dtype="<f4").tobytes()
    changed = refresh(p, [], text="quantum", new_declared=other)
    assert changed is not None and changed.declared == other and changed.events_through == 1
    with pytest.raises(ValueError, match="declared"):
        refresh(p, [], text="quantum", new_declared=None)


def test_tracking_events_need_consent_and_items_need_vectors() -> None:
    p = refresh(None, [ev(1, 1, "click"), ev(2, 2, "save"), ev(3, 99, "save")], consent=False)
    assert p is not None and p.events_through == 2  # the click does not count, item 99 has no vector
    assert p.positive_weight == pytest.approx(0.8)


def test_another_encoder_rebuilds() -> None:
    p = refresh(None, [ev(1, 1, "save")])
    assert p is not None
    other = MemberProfile(**{**p.__dict__, "model_id": "another"})
    assert folded_through(other, MODEL) == 0 and folded_through(p, MODEL) == 1 and folded_through(None, MODEL) == 0
    assert current_declared(other, MODEL, p.declared_hash) is None
    assert current_declared(p, MODEL, p.declared_hash) == p.declared
    assert current_declared(p, MODEL, declared_hash("something else")) is None
    assert state_of(other, MODEL, D, T0).positive_weight == 0.0


def test_fold_events_to_keeps_a_profile_without_new_events() -> None:
    e = WeightedEvent(1, T0, 1.0, np.ones(D, dtype=np.float32), np.zeros(len(AREA_IDS), dtype=np.float32))
    later = T0 + timedelta(days=10)
    state = fold_events(ProfileState.empty(D, T0), [e], T0)
    assert fold_events_to(state, [], later) is state
    empty = ProfileState.empty(D, T0)
    assert fold_events_to(empty, [], later).as_of == later


def test_checked_value() -> None:
    assert checked_value("rating", 4) == 4.0
    assert checked_value("save", 3) is None
    assert checked_value("send", 2) == 2.0 and checked_value("send", None) is None
    with pytest.raises(InvalidInput, match="1 to 5"):
        checked_value("rating", 9)
    with pytest.raises(InvalidInput, match="1 to 5"):
        checked_value("rating", None)
    with pytest.raises(InvalidInput, match="unknown feedback kind"):
        checked_value("like", None)


def test_admissible_clubs() -> None:
    rec = MemberRecord(email="a@x.example", name="A", organisation="X", language="en", clubs=("agile-hr", "chess"))
    kept, warnings, refused = admissible_clubs(3, rec, {"agile-hr"}, granting=True)
    assert kept.clubs == ("agile-hr",) and refused == 0
    assert len(warnings) == 1 and warnings[0][0] == 3 and "chess" in warnings[0][1]
    kept, warnings, refused = admissible_clubs(3, rec, {"agile-hr"}, granting=False)
    assert kept.clubs == rec.clubs and warnings == [] and refused == 0  # counted as not granted later
    guest = MemberRecord(email="g@x.example", name="G", organisation=None, language="en", clubs=("agile-hr", "chess"),
                         membership="registered")
    kept, warnings, refused = admissible_clubs(4, guest, {"agile-hr"}, granting=True)
    assert kept.clubs == () and refused == 1 and [n for n, _ in warnings] == [4, 4]
    kept, warnings, refused = admissible_clubs(4, guest, {"agile-hr"}, granting=False)
    assert kept.clubs == () and refused == 2 and "registered users" in warnings[0][1]
