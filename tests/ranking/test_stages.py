"""The ranking stages on synthetic pools: access, exclusions, duplicates, pins, area floor,
diversity, and the batched version against the naive per-member loop."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from curator.profiles.access import visible_to
from curator.ranking.reference import rank_naive
from curator.ranking.stages import (
    COMPONENTS,
    POPULARITY_PRIOR,
    MemberBatch,
    RankingWeights,
    area_audience_matrix,
    area_interest_vectors,
    audience_evidence,
    audience_matrix,
    component_scales,
    make_pool,
    persona_vectors,
    profile_vectors,
    rank,
    with_audience,
)
from curator.types import AREA_IDS, Member

D = 16
VIS = ("public", "members", "club:it-executive", "club:womens-club", "club:agile-hr")


def unit(rng: np.random.Generator, n: int) -> np.ndarray:
    x = rng.normal(size=(n, D)).astype(np.float32)
    out: np.ndarray = x / np.linalg.norm(x, axis=1, keepdims=True)
    return out


def make_batch(rng: np.random.Generator, members: list[Member], excluded: list[list[int]] | None = None,
               followed: np.ndarray | None = None) -> MemberBatch:
    m = len(members)
    return MemberBatch(
        declared=unit(rng, m), positive=unit(rng, m) * 3, negative=unit(rng, m),
        positive_weight=rng.random(m) * 4, negative_weight=rng.random(m),
        persona_index=rng.integers(-1, 3, m), persona_vectors=unit(rng, 3),
        area_affinity=rng.random((m, len(AREA_IDS))).astype(np.float32),
        followed=np.zeros((m, len(AREA_IDS)), dtype=bool) if followed is None else followed,
        visible=tuple(visible_to(x) for x in members),
        excluded=tuple(np.array(e if excluded else [], dtype=np.int64) for e in (excluded or [[]] * m)),
        # reading-language feedback from a stream of its own (the other draws stay as they were):
        # some members skew strongly to one language, others read both
        language_feedback=np.random.default_rng(m).random((m, 2, 2)) * np.array([[[8.0, 1.0], [0.3, 1.0]]]),
        language=np.array([0 if x.language == "de" else 1 for x in members], dtype=np.int64))


def member(i: int, status: str = "member", clubs: frozenset[str] = frozenset()) -> Member:
    return Member(id=i, email=f"m{i}@x.example", name=f"M{i}", organisation="X", language="en",
                  status=status, clubs=clubs)  # type: ignore[arg-type]


def pool_of(rng: np.random.Generator, n: int, visibility: list[str] | None = None, **kw: object):  # type: ignore[no-untyped-def]
    areas = (rng.random((n, len(AREA_IDS))) > 0.7).astype(np.float32)
    kw.setdefault("languages", [("de", "en", None)[i % 3] for i in range(n)])
    return make_pool(np.arange(1, n + 1), unit(rng, n), areas, rng.random(n), rng.random(n),
                     visibility=visibility or ["public"] * n, **kw)  # type: ignore[arg-type]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    item_vis=st.lists(st.sampled_from(VIS), min_size=1, max_size=40),
    people=st.lists(st.tuples(st.sampled_from(["member", "registered"]),
                              st.frozensets(st.sampled_from(["it-executive", "womens-club", "agile-hr"]))),
                    min_size=1, max_size=12),
    seed=st.integers(0, 2**16), k=st.integers(1, 25),
)
def test_no_member_ever_gets_an_item_outside_their_access(item_vis: list[str], people: list[tuple[str, frozenset[str]]],
                                                          seed: int, k: int) -> None:
    rng = np.random.default_rng(seed)
    pool = pool_of(rng, len(item_vis), item_vis, pinned=list(rng.random(len(item_vis)) > 0.8),
                   duplicate_of=[None] * len(item_vis))
    members = [member(i, s, c) for i, (s, c) in enumerate(people)]
    result = rank(pool, make_batch(rng, members), k=k)
    vis_of = dict(zip(pool.item_ids.tolist(), pool.visibility, strict=True))
    for j, m in enumerate(members):
        allowed = visible_to(m)
        got = [i for i in result.items[j].tolist() if i >= 0]
        assert all(vis_of[i] in allowed for i in got)
        assert len(got) == len(set(got))
        # everything visible is offered when k is large enough
        n_visible = sum(v in allowed for v in item_vis)
        assert len(got) == min(k, n_visible)


def test_registered_users_see_public_only_even_with_a_grant() -> None:
    assert visible_to(member(1, "registered", frozenset({"it-executive"}))) == frozenset({"public"})
    assert visible_to(None) == frozenset({"public"})
    assert visible_to(member(1, "member", frozenset({"agile-hr"}))) == frozenset({"public", "members", "club:agile-hr"})


def test_batched_equals_naive_loop() -> None:
    rng = np.random.default_rng(3)
    vis = list(rng.choice(VIS, 300))
    pool = pool_of(rng, 300, vis, pinned=list(rng.random(300) > 0.98))
    members = [member(i, "member", frozenset(rng.choice(["it-executive", "agile-hr"], rng.integers(0, 3),
                                                         replace=False).tolist())) for i in range(50)]
    excluded = [list(rng.integers(1, 301, 10)) for _ in members]
    followed = rng.random((50, len(AREA_IDS))) > 0.6
    batch = make_batch(rng, members, excluded, followed)
    fast, slow = rank(pool, batch, k=15, chunk=7), rank_naive(pool, batch, k=15)
    assert np.array_equal(fast.items, slow.items)
    np.testing.assert_allclose(fast.scores, slow.scores, rtol=1e-4, atol=1e-4)
    assert np.array_equal(fast.floor, slow.floor)



def test_popularity_is_shrunk_by_its_evidence_alike_in_batched_and_naive() -> None:
    """One like in the pool (a young deployment): the popularity scale is the typical spread
    divided by n/(n+k), so its contributions are 1/(1+k) of the unshrunk ones, in both paths;
    an unknown evidence (None) leaves popularity as it was."""
    rng = np.random.default_rng(4)
    pool = pool_of(rng, 120)
    batch = make_batch(rng, [member(i) for i in range(30)])
    prof = profile_vectors(batch, pool.mean, RankingWeights())
    likes = [(1, 7, 1.0), (2, 999, 1.0)]  # the second item is not in the pool: no evidence
    aud = audience_matrix(pool, prof, likes)
    unknown, young = with_audience(pool, aud), with_audience(pool, aud, audience_evidence(pool, likes))
    assert unknown.evidence is None and young.evidence == 1.0

    def scales(p):  # type: ignore[no-untyped-def]
        return component_scales(p, prof, persona_vectors(batch, pool.mean), batch.area_affinity)

    assert scales(young)["popularity"] == pytest.approx(scales(unknown)["popularity"] * (1 + POPULARITY_PRIOR), rel=1e-5)
    assert {c: v for c, v in scales(young).items() if c != "popularity"} == {
        c: v for c, v in scales(unknown).items() if c != "popularity"}
    pop = COMPONENTS.index("popularity")
    before, fast, slow = rank(unknown, batch, k=120), rank(young, batch, k=120, chunk=7), rank_naive(young, batch, k=120)
    assert np.array_equal(fast.items, slow.items)
    np.testing.assert_allclose(fast.scores, slow.scores, rtol=1e-4, atol=1e-4)
    # the same cells, by item, shrunk by 1/(1+k)
    for j in range(len(batch)):
        was = dict(zip(before.items[j].tolist(), before.components[j, :, pop].tolist(), strict=True))
        now = dict(zip(fast.items[j].tolist(), fast.components[j, :, pop].tolist(), strict=True))
        assert any(abs(v) > 0.1 for v in was.values())
        for item_id, v in now.items():
            assert v == pytest.approx(was[item_id] / (1 + POPULARITY_PRIOR), abs=1e-5)


def test_area_neighbours_lift_what_members_with_the_same_interests_liked_alike_in_batched_and_naive() -> None:
    """Popularity among similar members also compares area interests (affinities centred on
    the member base's mean): an item liked only by a member with the same area interests rises
    for member 0, one liked only by a member with other interests does not; in both paths
    alike; without an area audience (a pool stored before) or at weight 0 nothing changes."""
    rng = np.random.default_rng(8)
    pool = pool_of(rng, 120)
    batch = make_batch(rng, [member(i) for i in range(30)])
    aff = np.full((30, len(AREA_IDS)), 0.2, dtype=np.float32) + rng.random((30, len(AREA_IDS))).astype(np.float32) * 0.1
    aff[[0, 1], 2] = 1.5  # members 0 and 1 read area 2
    aff[2, 4] = 1.5  # member 2 reads area 4
    batch = replace(batch, area_affinity=aff)
    likes = [(1, 60, 1.0), (2, 61, 1.0)]
    likes += [(int(j), int(i), 1.0) for j, i in zip(rng.integers(3, 30, 150), rng.integers(1, 121, 150), strict=True)]
    w = RankingWeights()
    aud = audience_matrix(pool, profile_vectors(batch, pool.mean, w), likes)
    plain = with_audience(pool, aud, audience_evidence(pool, likes))
    area_aud, mean = area_audience_matrix(pool, aff, likes)
    np.testing.assert_allclose(mean, aff.mean(axis=0), rtol=1e-6)
    areas = with_audience(pool, aud, audience_evidence(pool, likes), (area_aud, mean))
    before = rank(plain, batch, w, k=120)
    fast, slow = rank(areas, batch, w, k=120, chunk=7), rank_naive(areas, batch, w, k=120)
    # the first 60 (far in the tail, matrix-matrix and matrix-vector rounding can swap two near-ties)
    assert np.array_equal(fast.items[:, :60], slow.items[:, :60])
    np.testing.assert_allclose(fast.scores[:, :60], slow.scores[:, :60], rtol=1e-4, atol=1e-4)
    assert np.array_equal(rank(areas, batch, RankingWeights(area_neighbours=0.0), k=120).items,
                          rank(plain, batch, RankingWeights(area_neighbours=0.0), k=120).items)
    pop = COMPONENTS.index("popularity")

    def lift(result, j: int, item_id: int) -> float:  # type: ignore[no-untyped-def]
        return float(result.components[j, list(result.items[j]).index(item_id), pop])

    # item 60 (liked by the member with the same interests) now beats item 61 by more
    assert lift(fast, 0, 60) - lift(fast, 0, 61) > lift(before, 0, 60) - lift(before, 0, 61) + 0.3
    assert lift(fast, 0, 60) > lift(fast, 0, 61)


def test_area_interest_vectors_are_centred_and_normalised() -> None:
    aff = np.array([[1.0, 0.0, 0.5], [0.0, 1.0, 0.5], [0.5, 0.5, 0.5]], dtype=np.float32)
    v = area_interest_vectors(aff, aff.mean(axis=0))
    np.testing.assert_allclose(np.linalg.norm(v[:2], axis=1), 1.0, rtol=1e-6)
    assert not v[2].any()  # exactly the mean: no interest of its own
    assert v[0] @ v[1] == pytest.approx(-1.0)


def test_excluded_items_and_their_duplicates_never_come_back() -> None:
    rng = np.random.default_rng(1)
    dup: list[int | None] = [None] * 30
    dup[10] = 3  # item 11 duplicates item 3
    pool = pool_of(rng, 30, duplicate_of=dup)
    batch = make_batch(rng, [member(0)], excluded=[[11, 5]])
    got = rank(pool, batch, k=30).items[0].tolist()
    assert 3 not in got and 11 not in got and 5 not in got
    assert len([i for i in got if i >= 0]) == 27


def test_duplicates_fold_to_the_visible_copy() -> None:
    rng = np.random.default_rng(2)
    dup = [None, 1, None]
    pool = pool_of(rng, 3, ["club:it-executive", "public", "public"], duplicate_of=dup)
    outsider = rank(pool, make_batch(rng, [member(0)]), k=3).items[0].tolist()
    insider = rank(pool, make_batch(rng, [member(1, clubs=frozenset({"it-executive"}))]), k=3).items[0].tolist()
    assert sorted(i for i in outsider if i > 0) == [2, 3]
    assert sorted(i for i in insider if i > 0) == [1, 3]  # one copy of the story, the original


def test_pins_first_and_flagged() -> None:
    rng = np.random.default_rng(4)
    pinned = [False] * 40
    pinned[17] = True
    pool = pool_of(rng, 40, pinned=pinned)
    r = rank(pool, make_batch(rng, [member(0), member(1)]), k=5)
    assert r.items[:, 0].tolist() == [18, 18] and r.pinned[:, 0].all() and not r.pinned[:, 1:].any()


def test_area_floor_puts_a_followed_area_into_the_selection() -> None:
    rng = np.random.default_rng(5)
    n = 200
    areas = np.zeros((n, len(AREA_IDS)), dtype=np.float32)
    areas[:, 0] = 1.0
    areas[-3:, :] = 0.0
    areas[-3:, 4] = 1.0  # only three government items, far from the member's profile
    x = unit(rng, n)
    pool = make_pool(np.arange(1, n + 1), x, areas, np.ones(n), visibility=["public"] * n)
    followed = np.zeros((1, len(AREA_IDS)), dtype=bool)
    followed[0, 4] = True
    batch = make_batch(rng, [member(0)], followed=followed)
    batch = MemberBatch(**{**batch.__dict__, "area_affinity": np.array([[1.0, 0, 0, 0, 0]], dtype=np.float32)})
    r = rank(pool, batch, RankingWeights(shortlist=n), k=10)
    assert set(r.items[0].tolist()) & {n - 2, n - 1, n}
    assert r.floor[0].sum() == 1
    off = rank(pool, batch, RankingWeights(shortlist=n, area_floor_min_score=0.0), k=10)
    assert not set(off.items[0].tolist()) & {n - 2, n - 1, n}


def test_mmr_diversity_spreads_the_selection() -> None:
    rng = np.random.default_rng(6)
    base = unit(rng, 1)[0]
    near = base + 0.05 * rng.normal(size=(20, D))
    far = unit(rng, 40)
    x = np.vstack([near, far]).astype(np.float32)
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    pool = make_pool(np.arange(1, 61), x, np.zeros((60, len(AREA_IDS))), np.ones(60), visibility=["public"] * 60)
    batch = make_batch(rng, [member(0)])
    batch = MemberBatch(**{**batch.__dict__, "declared": base[None, :].astype(np.float32),
                           "positive": np.zeros((1, D), np.float32), "negative": np.zeros((1, D), np.float32),
                           "persona_index": np.array([-1])})
    plain = rank(pool, batch, RankingWeights(diversity=0.0), k=10).items[0]
    diverse = rank(pool, batch, RankingWeights(diversity=3.0), k=10).items[0]
    assert (plain <= 20).sum() == 10
    assert (diverse <= 20).sum() < 10


def test_empty_inputs() -> None:
    rng = np.random.default_rng(0)
    pool = pool_of(rng, 5, ["club:x"] * 5)
    r = rank(pool, make_batch(rng, [member(0)]), k=3)
    assert r.items.tolist() == [[-1, -1, -1]]
    assert rank(pool, make_batch(rng, []), k=3).items.shape == (0, 3)
    empty = make_pool(np.zeros(0, dtype=np.int64), np.zeros((0, D)), np.zeros((0, len(AREA_IDS))), np.zeros(0),
                      visibility=[])
    assert rank(empty, make_batch(rng, [member(0)]), k=2).items.tolist() == [[-1, -1]]


def two_interest_world(affinity: list[float]) -> tuple:  # type: ignore[type-arg]
    """200 items: 100 of area 0 close to the member's declared vector, 100 of area 1 far from it;
    a member whose area affinities are ``affinity``."""
    rng = np.random.default_rng(8)
    base = unit(rng, 2)
    x = np.vstack([base[0] + 0.3 * unit(rng, 100), base[1] + 0.3 * unit(rng, 100)]).astype(np.float32)
    areas = np.zeros((200, len(AREA_IDS)), dtype=np.float32)
    areas[:100, 0] = 1.0
    areas[100:, 1] = 1.0
    pool = make_pool(np.arange(1, 201), x, areas, np.ones(200), visibility=["public"] * 200)
    batch = make_batch(rng, [member(0)])
    batch = MemberBatch(**{**batch.__dict__, "declared": base[:1], "positive": np.zeros((1, D), np.float32),
                           "negative": np.zeros((1, D), np.float32), "persona_index": np.array([-1]),
                           "area_affinity": np.array([affinity], dtype=np.float32)})
    return pool, batch


def test_interests_share_the_first_page_in_proportion_to_their_weight() -> None:
    pool, batch = two_interest_world([1.0, 1.0, 0, 0, 0])
    off = rank(pool, batch, RankingWeights(interest_bonus=0.0), k=10).items[0]
    assert (off > 100).sum() <= 1  # one averaged profile: the declared interest takes the page
    quotas_only = RankingWeights(interest_free=0.0)
    assert (rank(pool, batch, quotas_only, k=10).items[0] > 100).sum() == 5
    # with the default free turns (weight 0.15, by score alone: here area 0) it has 4 of 10
    assert (rank(pool, batch, k=10).items[0] > 100).sum() == 4
    pool, batch = two_interest_world([1.0, 2.0, 0, 0, 0])
    assert (rank(pool, batch, quotas_only, k=10).items[0] > 100).sum() == 7  # Sainte-Lague seats, weights 2:1
    # the short list is extended per area: the second interest gets its share even when none of
    # its items is among the overall best
    assert (rank(pool, batch, RankingWeights(shortlist=10, interest_free=0.0), k=10).items[0] > 100).sum() == 7
    # an area below the minimum affinity is no interest of its own
    pool, batch = two_interest_world([1.0, 0.5, 0, 0, 0])
    assert (rank(pool, batch, k=10).items[0] > 100).sum() <= 1


def test_the_first_page_is_ordered_by_score_and_pins_still_lead() -> None:
    pool, batch = two_interest_world([1.0, 1.0, 0, 0, 0])
    r = rank(pool, batch, k=10)
    assert np.all(np.diff(r.scores[0]) <= 0)
    pinned = make_pool(pool.item_ids, pool.vectors, pool.areas, pool.freshness, visibility=list(pool.visibility),
                       pinned=[i == 150 for i in pool.item_ids.tolist()])
    assert rank(pinned, batch, k=10).items[0, 0] == 150
