"""The reading-language preference: learned from a member's own feedback against the pool's
language mix, shrunk towards neutral, never a penalty for a member who reads both languages or
for the account language alone; scored in the one matrix product, reported as the ``language``
component, kept by a stored pool, and the same in the batched and the naive ranking."""

from __future__ import annotations

from datetime import timedelta

import numpy as np

from curator.ranking.batch import member_batch
from curator.ranking.reference import rank_naive
from curator.ranking.stages import (
    COMPONENTS,
    MemberBatch,
    RankingWeights,
    language_preference,
    make_pool,
    rank,
)
from curator.ranking.stored import StoredPool, pool_from_bytes, pool_to_bytes
from curator.types import AREA_IDS, LANGUAGES, MemberProfile
from tests.ranking import values
from tests.ranking.test_stages import VIS, make_batch, member, pool_of
from tests.ranking.values import MODEL, NOW, profile

W = RankingWeights()
DE, EN = LANGUAGES.index("de"), LANGUAGES.index("en")


def pool_with(langs: list[str | None], seed: int = 0):  # type: ignore[no-untyped-def]
    return pool_of(np.random.default_rng(seed), len(langs), languages=langs)


def batch_with(feedback: list[list[list[float]]], account: list[str] | None = None) -> MemberBatch:
    """Members whose language feedback is ``feedback[j]`` = [[pos de, neg de], [pos en, neg en]]."""
    members = [member(j) for j in range(len(feedback))]
    base = make_batch(np.random.default_rng(1), members)
    lang = np.array([LANGUAGES.index(a) if a in LANGUAGES else -1 for a in (account or ["?"] * len(feedback))])
    return MemberBatch(**{**base.__dict__, "language_feedback": np.array(feedback, dtype=np.float64),
                          "language": lang})


def test_a_member_who_reads_both_languages_has_no_preference() -> None:
    pool = pool_with(["de", "en"] * 20)
    pref = language_preference(batch_with([[[6.0, 1.0], [6.0, 1.0]], [[7.0, 1.0], [5.0, 1.0]], [[0, 0], [0, 0]]],
                                          ["de", "en", "de"]), pool, W)
    assert (pref == 0).all()


def test_a_clear_skew_lowers_the_skipped_language_and_a_few_signals_do_not() -> None:
    pool = pool_with(["de", "en"] * 20)
    pref = language_preference(batch_with([[[8.0, 0.0], [0.3, 3.0]], [[2.0, 0.0], [0.0, 0.0]],
                                           [[1.0, 0.0], [0.0, 0.0]]]), pool, W)
    assert pref[0, EN] < -0.5 and pref[0, DE] == 0  # the German reader who hides English items
    assert pref[:, DE].tolist() == [0, 0, 0]
    # shrunk towards neutral: one German rating is next to nothing, two are a hint
    assert -0.05 < pref[2, EN] <= 0 and pref[0, EN] < 2 * pref[1, EN] < pref[2, EN]
    stronger = language_preference(batch_with([[[16.0, 0.0], [0.3, 6.0]]]), pool, W)
    assert stronger[0, EN] < pref[0, EN]  # more evidence, a clearer preference


def test_the_account_language_alone_penalises_nothing_but_tips_the_balance() -> None:
    pool = pool_with(["de", "en"] * 20)
    alone = language_preference(batch_with([[[0, 0], [0, 0]]], ["de"]), pool, W)
    assert (alone == 0).all()
    without = language_preference(batch_with([[[4.0, 0.0], [1.0, 0.0]]], ["?"]), pool, W)
    german = language_preference(batch_with([[[4.0, 0.0], [1.0, 0.0]]], ["de"]), pool, W)
    assert german[0, EN] < without[0, EN] <= 0


def test_the_pool_language_mix_is_what_reading_everything_looks_like() -> None:
    mostly_german = pool_with(["de", "de", "de", "en"] * 10)
    # 3 to 1 German in a 3 to 1 German pool: a member who reads everything
    assert (language_preference(batch_with([[[9.0, 0.0], [3.0, 0.0]]]), mostly_german, W) == 0).all()
    # the same behaviour in a pool of mostly English items: they seek German out
    mostly_english = pool_with(["en", "en", "en", "de"] * 10)
    assert language_preference(batch_with([[[9.0, 0.0], [3.0, 0.0]]]), mostly_english, W)[0, EN] < 0


def test_no_known_languages_or_a_zero_weight_turn_it_off() -> None:
    batch = batch_with([[[8.0, 0.0], [0.0, 4.0]]])
    assert (language_preference(batch, pool_with([None] * 10), W) == 0).all()
    assert (language_preference(batch, pool_with(["de", "en"] * 5), RankingWeights(language=0)) == 0).all()


def test_the_preference_reorders_same_items_in_two_languages_and_is_reported() -> None:
    rng = np.random.default_rng(4)
    x = rng.normal(size=(10, 16)).astype(np.float32)
    vectors = np.concatenate([x, x])  # every story twice: ids 1-10 German, 11-20 English
    pool = make_pool(np.arange(1, 21), vectors / np.linalg.norm(vectors, axis=1, keepdims=True),
                     np.zeros((20, len(AREA_IDS))), np.ones(20), visibility=["public"] * 20,
                     languages=["de"] * 10 + ["en"] * 10)
    batch = batch_with([[[8.0, 0.0], [0.3, 3.0]], [[6.0, 1.0], [6.0, 1.0]]])
    result = rank(pool, batch, RankingWeights(diversity=0.0, interest_bonus=0.0), k=10)
    top = result.items[0].tolist()
    # the German reader: each story's German copy (id s) before its English copy (id s + 10)
    assert all(i - 10 in top[:n] for n, i in enumerate(top) if i > 10), top
    assert sum(i <= 10 for i in top) >= 8, top
    lang = COMPONENTS.index("language")
    german = result.items[0] <= 10  # against their average candidate: German up, English down
    assert (result.components[0, german, lang] > 0).all() and (result.components[0, ~german, lang] < 0).all()
    assert (result.components[1, :, lang] == 0).all()  # the reader of both: no language effect


def test_batched_equals_naive_with_language_preferences() -> None:
    rng = np.random.default_rng(7)
    pool = pool_of(rng, 200, list(rng.choice(VIS, 200)))
    members = [member(i, "member") for i in range(40)]
    batch = make_batch(rng, members)
    assert (language_preference(batch, pool, W) < 0).any()  # the case under test has preferences
    fast, slow = rank(pool, batch, k=12, chunk=9), rank_naive(pool, batch, k=12)
    assert np.array_equal(fast.items, slow.items)
    np.testing.assert_allclose(fast.scores, slow.scores, rtol=1e-4, atol=1e-4)


def test_a_stored_pool_keeps_the_item_languages() -> None:
    rng = np.random.default_rng(2)
    pool = pool_of(rng, 30, languages=[("de", "en", "fr", None)[i % 4] for i in range(30)])
    batch = make_batch(rng, [member(i) for i in range(10)])
    stored = StoredPool(pool, (), np.zeros((0, 16), dtype=np.float32),
                        {"profile": 1.0, "persona": 1.0, "area": 1.0, "popularity": 1.0})
    back = pool_from_bytes(pool_to_bytes(stored)).pool
    np.testing.assert_array_equal(back.language_matrix(), pool.language_matrix())
    assert back.language_matrix().sum() == 16  # French and unknown items have no language column
    np.testing.assert_array_equal(rank(back, batch, W, scale=stored.scale).items,
                                  rank(pool, batch, W, scale=stored.scale).items)


def test_member_batch_decays_the_stored_language_feedback_and_takes_the_account_language() -> None:
    p = profile(1, positive=np.ones(8), weight=4.0)
    stored = {1: MemberProfile(**{**p.__dict__, "language_feedback": {"de": (4.0, 0.0), "en": (1.0, 2.0)}})}
    members = [values.member(1, language="de"), values.member(2, language="fr")]
    batch = member_batch(members, stored, [], np.zeros((0, 8)), {}, model_id=MODEL, dim=8, now=NOW)
    assert batch.language is not None and batch.language.tolist() == [DE, -1]
    assert batch.language_feedback is not None
    np.testing.assert_allclose(batch.language_feedback[0], [[4.0, 0.0], [1.0, 2.0]])
    assert (batch.language_feedback[1] == 0).all()
    month = member_batch(members, stored, [], np.zeros((0, 8)), {}, model_id=MODEL, dim=8,
                         now=NOW + timedelta(days=30))
    assert month.language_feedback is not None
    np.testing.assert_allclose(month.language_feedback[0], [[2.0, 0.0], [0.5, 1.0]])  # half-life 30 days
