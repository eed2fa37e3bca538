"""Batch assembly from plain typed values (no database): the candidate pool, the feedback
summary, the member batch, the audience matrix, persona suggestions from behaviour."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
import pytest

from curator.ranking.batch import (
    LIKED_TO_EXPLAIN,
    candidate_pool,
    freshness,
    member_batch,
    source_quality,
    suggest_personas_from,
    summarise_feedback,
    with_member_audience,
)
from curator.ranking.stages import RankingWeights, profile_vectors, rank
from curator.tagging import load_areas
from curator.types import AREA_IDS, Persona

from .values import MODEL, NOW, D, event, item, member, profile, unit

AREA_NAMES_FROM_MODEL = {a.id: dict(a.names) for a in load_areas().areas}

# ----------------------------------------------------------------------------- candidate pool

def test_freshness_halves_every_week_and_never_exceeds_one() -> None:
    assert freshness(NOW, NOW) == 1.0
    assert freshness(NOW - timedelta(days=7), NOW) == pytest.approx(0.5)
    assert freshness(NOW - timedelta(days=14), NOW) == pytest.approx(0.25)
    assert freshness(NOW + timedelta(days=1), NOW) == 1.0


def test_source_quality_is_smoothed_share_of_positive_feedback() -> None:
    assert source_quality(None) == 0.5
    assert source_quality((0, 0)) == 0.5
    assert source_quality((3, 1)) == pytest.approx(4 / 6)
    assert source_quality((0, 8)) == pytest.approx(0.1)


def test_candidate_pool_carries_item_data_in_pool_order() -> None:
    rng = np.random.default_rng(1)
    items = [item(3, source="good", areas=("work",), age_days=7), item(1, visibility="members", source="new"),
             item(2, duplicate_of=1, areas=("technology", "work"))]
    pool = candidate_pool(items, unit(rng, 3), now=NOW, source_feedback={"good": (3, 1)}, pinned={3}, dim=D)
    assert len(pool) == 3 and set(pool.index_of) == {1, 2, 3}
    row = pool.index_of
    assert pool.pinned[row[3]] and not pool.pinned[row[1]]
    assert pool.quality[row[3]] == pytest.approx(4 / 6) and pool.quality[row[1]] == pytest.approx(0.5)
    assert pool.freshness[row[3]] == pytest.approx(0.5) and pool.freshness[row[1]] == pytest.approx(1.0)
    assert pool.visibility[row[1]] == "members"
    assert pool.group[row[2]] == 1  # the duplicate joins its original's group
    assert pool.areas[row[2], AREA_IDS.index("technology")] == 1.0
    assert pool.areas[row[2], AREA_IDS.index("work")] == 0.75


def test_empty_candidate_pool() -> None:
    pool = candidate_pool([], np.zeros((0, D), dtype=np.float32), now=NOW, source_feedback={}, pinned=set(), dim=D)
    assert len(pool) == 0 and pool.vectors.shape == (0, D)


# ----------------------------------------------------------------------------- feedback summary

def test_summary_respects_consent_members_and_repeats() -> None:
    a, b = member(1, consent=False), member(2)
    events = [event(1, 1, 10, "view"), event(2, 1, 11, "hide"), event(3, 2, 12, "click"),
              event(3, 2, 12, "click"),  # the same event loaded twice (candidates and history)
              event(4, 99, 13, "save"),  # not a member of the run
              event(5, 2, 14, "rating", value=5), event(6, 2, 15, "rating", value=2)]
    s = summarise_feedback([a, b], events, NOW)
    assert s.excluded == {1: frozenset({11}), 2: frozenset({12, 14, 15})}
    assert [x.item_id for x in s.liked[2]] == [14, 12]  # strongest first; the low rating is no like
    assert s.liked[2][0].rated and not s.liked[2][1].rated
    assert 1 not in s.liked
    assert [(m, i) for m, i, _ in s.likes] == [(2, 12), (2, 14)]  # in event order, each once


def test_summary_decays_weights_and_keeps_the_strongest_likes() -> None:
    m = member(1)
    events = [event(k + 1, 1, 100 + k, "save", age_days=k) for k in range(LIKED_TO_EXPLAIN + 5)]
    s = summarise_feedback([m], events, NOW)
    assert len(s.liked[1]) == LIKED_TO_EXPLAIN
    assert [x.item_id for x in s.liked[1]] == [100 + k for k in range(LIKED_TO_EXPLAIN)]
    assert s.liked[1][0].weight == pytest.approx(0.8)
    assert len(s.likes) == LIKED_TO_EXPLAIN + 5


# ----------------------------------------------------------------------------- member batch

def test_member_batch_rows_follow_members() -> None:
    rng = np.random.default_rng(2)
    personas = [Persona("cio", {"en": "CIO"}, {"en": "x"}, preferred_areas=("technology",)),
                Persona("hr", {"en": "HR"}, {"en": "y"}, preferred_areas=("work",))]
    pvecs = unit(rng, 2)
    pos = unit(rng, 1)[0]
    members = [member(5, persona="hr", areas=("society",), clubs=frozenset({"agile-hr"})),
               member(3, persona="astronaut", status="registered", clubs=frozenset({"agile-hr"})),
               member(4)]
    profiles = {5: profile(5, positive=pos, weight=2.0, as_of=NOW - timedelta(days=30), area={"society": 1.0}),
                4: profile(4, positive=pos, weight=2.0, model_id="another-model")}
    batch = member_batch(members, profiles, personas, pvecs, {5: {9, 7}, 4: {1}}, model_id=MODEL, dim=D, now=NOW)
    assert len(batch) == 3
    assert batch.persona_index.tolist() == [1, -1, -1]  # an unknown persona is no persona
    np.testing.assert_allclose(batch.persona_vectors, pvecs)
    # a month-old profile counts half (feedback half-life of 30 days)
    np.testing.assert_allclose(batch.positive[0], pos * 0.5, rtol=1e-5)
    assert batch.positive_weight[0] == pytest.approx(1.0)
    # a profile of another encoder is ignored, and a member without one has zeros
    assert not batch.positive[2].any() and not batch.declared[2].any() and batch.positive_weight[2] == 0
    assert not batch.declared[1].any()
    assert batch.followed[0].tolist() == [a == "society" for a in AREA_IDS]
    assert batch.area_affinity[2].tolist() == [0.0] * len(AREA_IDS)
    assert batch.area_affinity[0, AREA_IDS.index("work")] > 0  # the persona's preferred area
    assert batch.visible[0] == frozenset({"public", "members", "club:agile-hr"})
    assert batch.visible[1] == frozenset({"public"})  # registered users get no club content
    assert [e.tolist() for e in batch.excluded] == [[7, 9], [], [1]]


def test_member_batch_without_personas() -> None:
    batch = member_batch([member(1, persona="cio")], {}, [], np.zeros((0, D), dtype=np.float32), {},
                         model_id=MODEL, dim=D, now=NOW)
    assert batch.persona_vectors.shape == (0, D) and batch.persona_index.tolist() == [-1]


# ----------------------------------------------------------------------------- audience

def test_audience_sums_the_profiles_of_members_who_liked_an_item() -> None:
    rng = np.random.default_rng(3)
    items = [item(i) for i in (1, 2, 3)]
    pool = candidate_pool(items, unit(rng, 3), now=NOW, source_feedback={}, pinned=set(), dim=D)
    members = [member(1), member(2)]
    profiles = {m.id: profile(m.id, positive=unit(rng, 1)[0], weight=3.0) for m in members}
    batch = member_batch(members, profiles, [], np.zeros((0, D), dtype=np.float32), {}, model_id=MODEL, dim=D,
                         now=NOW)
    w = RankingWeights()
    assert with_member_audience(pool, batch, members, [(1, 99, 1.0), (77, 1, 1.0)], w) is pool
    out = with_member_audience(pool, batch, members, [(1, 1, 0.5), (2, 1, 1.0), (2, 3, 2.0)], w)
    prof = profile_vectors(batch, pool.mean, w)
    np.testing.assert_allclose(out.audience[pool.index_of[1]], 0.5 * prof[0] + prof[1], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out.audience[pool.index_of[3]], 2.0 * prof[1], rtol=1e-5, atol=1e-6)
    assert not out.audience[pool.index_of[2]].any()


def test_assembled_inputs_rank_only_what_a_member_may_see() -> None:
    rng = np.random.default_rng(4)
    items = [item(i, visibility=v) for i, v in enumerate(("public", "members", "club:agile-hr") * 4, start=1)]
    pool = candidate_pool(items, unit(rng, len(items)), now=NOW, source_feedback={}, pinned=set(), dim=D)
    members = [member(1, clubs=frozenset({"agile-hr"})), member(2, status="registered")]
    summary = summarise_feedback(members, [event(1, 1, 1, "hide")], NOW)
    batch = member_batch(members, {}, [], np.zeros((0, D), dtype=np.float32), summary.excluded,
                         model_id=MODEL, dim=D, now=NOW)
    result = rank(pool, batch, k=12)
    shown = [{i for i in row.tolist() if i >= 0} for row in result.items]
    assert 1 not in shown[0] and {i.visibility for i in items if i.id in shown[0]} == {"public", "members",
                                                                                       "club:agile-hr"}
    assert {i.visibility for i in items if i.id in shown[1]} == {"public"}


# ----------------------------------------------------------------------------- persona suggestions

def test_no_suggestions_without_behaviour() -> None:
    rng = np.random.default_rng(5)
    pool = candidate_pool([item(1)], unit(rng, 1), now=NOW, source_feedback={}, pinned=set(), dim=D)
    members = [member(1)]
    batch = member_batch(members, {1: profile(1, positive=unit(rng, 1)[0], weight=0.5)}, [],
                         np.zeros((0, D), dtype=np.float32), {}, model_id=MODEL, dim=D, now=NOW)
    assert suggest_personas_from(pool, batch, members, [], {1: "Item 1"}, RankingWeights(),
                                 AREA_NAMES_FROM_MODEL) == []


def test_suggestions_quote_only_public_titles() -> None:
    rng = np.random.default_rng(6)
    centres = unit(rng, 3)
    items = [item(i, visibility="public" if i % 2 else "club:agile-hr", title=f"{'Open' if i % 2 else 'Secret'} {i}")
             for i in range(1, 31)]
    vectors = np.stack([centres[i % 3] + 0.1 * unit(rng, 1)[0] for i in range(30)])
    pool = candidate_pool(items, vectors / np.linalg.norm(vectors, axis=1, keepdims=True), now=NOW,
                          source_feedback={}, pinned=set(), dim=D)
    members = [member(i, persona="cio") for i in range(1, 19)]
    profiles = {m.id: profile(m.id, positive=centres[m.id % 3] + 0.05 * unit(rng, 1)[0], weight=4.0) for m in members}
    personas = [Persona("cio", {"en": "CIO"}, {"en": "x"})]
    batch = member_batch(members, profiles, personas, unit(rng, 1), {}, model_id=MODEL, dim=D, now=NOW)
    found = suggest_personas_from(pool, batch, members, personas, {i.id: i.title for i in items}, RankingWeights(),
                                  AREA_NAMES_FROM_MODEL)
    assert found
    titles = [t for s in found for t in s["definition"].get("example_titles", [])]
    assert titles and all(t.startswith("Open") for t in titles)
    assert sum(s["size"] for s in found) <= len(members)
