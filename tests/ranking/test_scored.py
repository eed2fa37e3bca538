"""From a Ranking to explained ScoredItems (no database): access again, language, pins, and
quoting only liked items the member may see now."""

from __future__ import annotations

import numpy as np
import pytest

from curator.ranking.batch import LikedEvent, candidate_pool
from curator.ranking.scored import centred_vector, most_similar_liked, scored_items
from curator.ranking.stages import COMPONENTS, Ranking
from curator.tagging import load_areas
from curator.types import AREA_IDS, Persona

from .values import NOW, D, item, member, unit

AREA_NAMES_FROM_MODEL = {a.id: dict(a.names) for a in load_areas().areas}


def ranking(rows: list[list[int]], *, pinned: list[list[bool]] | None = None) -> Ranking:
    m, k = len(rows), max(len(r) for r in rows)
    items = np.full((m, k), -1, dtype=np.int64)
    for j, r in enumerate(rows):
        items[j, :len(r)] = r
    comps = np.zeros((m, k, len(COMPONENTS)), dtype=np.float32)
    comps[..., COMPONENTS.index("profile")] = 2.0
    pin = np.zeros((m, k), dtype=bool) if pinned is None else np.array(pinned, dtype=bool)
    return Ranking(items, np.arange(m * k, dtype=np.float32).reshape(m, k)[:, ::-1].copy(), comps, pin,
                   np.zeros((m, k), dtype=bool))


def test_centred_vector_is_unit_length_or_left_alone() -> None:
    mean = np.array([1.0, 0.0], dtype=np.float32)
    np.testing.assert_allclose(centred_vector(np.array([1.0, 2.0]), mean), [0.0, 1.0])
    np.testing.assert_allclose(centred_vector(np.array([1.0, 0.0]), mean), [0.0, 0.0])


def test_most_similar_liked_picks_the_closest() -> None:
    rng = np.random.default_rng(1)
    v = unit(rng, 3)
    mean = np.zeros(D, dtype=np.float32)
    likes = [LikedEvent(1, 0.9, False), LikedEvent(2, 0.5, True)]
    titles = {1: item(1, title="Far"), 2: item(2, title="Near")}
    best = most_similar_liked(likes, titles, {1: v[0], 2: v[1]}, v[1], mean)
    assert best is not None and best.title == "Near" and best.rated
    assert best.similarity == pytest.approx(1.0, abs=1e-5)
    assert most_similar_liked([], titles, {}, v[1], mean) is None


def test_scored_items_keyed_by_member_with_access_and_language() -> None:
    rng = np.random.default_rng(2)
    items = [item(1, areas=("work",)), item(2, visibility="club:agile-hr"), item(3, visibility="members"),
             item(4, title="Liked in the club", visibility="club:agile-hr"), item(5, title="Liked in public")]
    pool = candidate_pool(items[:3], unit(rng, 3), now=NOW, source_feedback={}, pinned=set(), dim=D)
    de = member(7, clubs=frozenset({"agile-hr"}), persona="hr", areas=("work",), language="de")
    outsider = member(8)  # a member without the club: the club item must never reach them
    personas = {"hr": Persona("hr", {"en": "HR lead", "de": "HR-Leitung"}, {"en": "x"})}
    liked = {7: (LikedEvent(4, 1.0, True),), 8: (LikedEvent(4, 1.0, True), LikedEvent(5, 0.5, False))}
    liked_items = {4: items[3], 5: items[4]}
    same = pool.vectors[pool.index_of[1]] + pool.mean
    liked_vectors = {4: same, 5: same}
    affinity = np.zeros((2, len(AREA_IDS)), dtype=np.float32)
    out = scored_items(ranking([[1, 2, 3], [2, 1, 3]], pinned=[[False, False, True], [False] * 3]), [de, outsider],
                       affinity, pool, {i.id: i for i in items}, personas, liked, liked_items, liked_vectors,
                       AREA_NAMES_FROM_MODEL)
    assert set(out) == {7, 8}
    assert [s.item.id for s in out[7]] == [1, 2, 3]
    assert [s.item.id for s in out[8]] == [1, 3]  # the club item is dropped, not explained
    assert all(s.explanation.startswith("Weil ") for s in out[7][:2])
    assert out[7][2].pinned and out[7][2].explanation == "Von der Redaktion empfohlen"
    assert all(s.explanation.startswith("Because ") for s in out[8])
    assert "Liked in the club" not in " ".join(s.explanation for s in out[8])  # not visible to them now
    assert "Liked in public" in out[8][0].explanation
    assert set(out[7][0].components) == set(COMPONENTS)
    assert out[7][0].score > out[7][1].score


def test_padding_ends_a_feed() -> None:
    rng = np.random.default_rng(3)
    items = [item(1)]
    pool = candidate_pool(items, unit(rng, 1), now=NOW, source_feedback={}, pinned=set(), dim=D)
    out = scored_items(ranking([[1, -1, -1]]), [member(1)], np.zeros((1, len(AREA_IDS)), dtype=np.float32), pool,
                       {1: items[0]}, {}, {}, {}, {}, AREA_NAMES_FROM_MODEL)
    assert [s.item.id for s in out[1]] == [1]
