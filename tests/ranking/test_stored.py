"""A stored pool ranks exactly like the pool it was made from, and a member ranked alone with
the stored scales gets the list they get in the whole batch."""

from __future__ import annotations

import numpy as np
import pytest

from curator.ranking.batch import LikedEvent
from curator.ranking.scored import most_similar_liked
from curator.ranking.stages import (
    MemberBatch,
    RankingWeights,
    area_audience_matrix,
    audience_evidence,
    audience_matrix,
    component_scales,
    persona_vectors,
    profile_vectors,
    rank,
    subset_batch,
    with_audience,
)
from curator.ranking.stored import StoredPool, liked_quotes, pool_from_bytes, pool_to_bytes
from curator.types import Persona
from tests.ranking.test_stages import VIS, make_batch, member, pool_of
from tests.ranking.values import item

W = RankingWeights()


def stored_pool(seed: int = 3, n: int = 60, m: int = 30) -> tuple[StoredPool, MemberBatch]:
    rng = np.random.default_rng(seed)
    members = [member(i, clubs=frozenset({"it-executive"}) if i % 3 == 0 else frozenset()) for i in range(m)]
    batch = make_batch(rng, members)
    pool = pool_of(rng, n, [VIS[i % len(VIS)] for i in range(n)], pinned=list(rng.random(n) > 0.95),
                   duplicate_of=[None if i % 7 else max(1, i - 1) for i in range(n)])
    likes = [(int(j), int(i), 1.0) for j, i in zip(rng.integers(0, m, 80), rng.integers(1, n + 1, 80), strict=True)]
    pool = with_audience(pool, audience_matrix(pool, profile_vectors(batch, pool.mean, W), likes),
                         audience_evidence(pool, likes), area_audience_matrix(pool, batch.area_affinity, likes))
    scale = component_scales(pool, profile_vectors(batch, pool.mean, W), persona_vectors(batch, pool.mean),
                             batch.area_affinity, w=W)
    personas = tuple(Persona(p, {"en": p.upper()}, {"en": p}, preferred_areas=("work",)) for p in "abc")
    return StoredPool(pool, personas, batch.persona_vectors, scale), batch


def test_a_stored_pool_ranks_exactly_like_the_original() -> None:
    stored, batch = stored_pool()
    back = pool_from_bytes(pool_to_bytes(stored))
    assert back.personas == stored.personas and back.scale == pytest.approx(stored.scale)
    assert back.pool.visibility == stored.pool.visibility and back.pool.index_of == stored.pool.index_of
    assert back.pool.evidence == stored.pool.evidence == 80.0
    for name in ("area_audience", "affinity_mean"):  # area neighbours are ranked alike after a reload
        assert getattr(stored.pool, name) is not None
        np.testing.assert_array_equal(getattr(back.pool, name), getattr(stored.pool, name))
    np.testing.assert_allclose(back.pool.audience @ back.pool.basis, stored.pool.audience @ stored.pool.basis,
                               atol=1e-5)
    a = rank(stored.pool, batch, W, k=15, scale=stored.scale)
    b = rank(back.pool, batch, W, k=15, scale=back.scale)
    assert (a.items == b.items).all()
    np.testing.assert_allclose(a.scores, b.scores, atol=1e-4)


def test_one_member_ranked_alone_with_the_stored_scales_matches_the_batch() -> None:
    stored, batch = stored_pool(seed=5)
    whole = rank(stored.pool, batch, W, k=10, scale=stored.scale)
    for row in (0, 7, 29):
        alone = rank(stored.pool, subset_batch(batch, [row]), W, k=10, scale=stored.scale)
        assert (alone.items[0] == whole.items[row]).all()


def test_liked_quotes_choose_what_the_explanations_of_a_ranking_quote() -> None:
    """The batched choice agrees with the per-item one of ``scored_items``, access included."""
    stored, batch = stored_pool(seed=9)
    pool = stored.pool
    ranking = rank(pool, batch, W, k=8, scale=stored.scale)
    rng = np.random.default_rng(1)
    ids = [int(i) for i in pool.item_ids]
    member_ids = list(range(len(batch.visible)))
    liked = {j: tuple(LikedEvent(int(i), float(w), bool(w > 0.5))
                      for i, w in zip(rng.choice(ids, 4, replace=False), rng.random(4), strict=True))
             for j in member_ids}
    quotes = liked_quotes(ranking, member_ids, batch.visible, pool, liked)
    items = {i: item(i) for i in ids}
    raw = {i: pool.vectors[pool.index_of[i]] + pool.mean for i in ids}
    quoted = 0
    for j in member_ids:
        may = [x for x in liked[j] if pool.visibility[pool.index_of[x.item_id]] in batch.visible[j]]
        for r, item_id in enumerate(ranking.items[j].tolist()):
            best = None if item_id < 0 else most_similar_liked(may, items, raw, pool.vectors[pool.index_of[item_id]],
                                                               pool.mean)
            if best is None:
                assert quotes.item[j, r] == -1
                continue
            quoted += 1
            assert items[int(quotes.item[j, r])].title == best.title and bool(quotes.rated[j, r]) == best.rated
            assert float(quotes.similarity[j, r]) == pytest.approx(best.similarity, abs=1e-5)
    assert quoted > 50
