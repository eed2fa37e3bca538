"""The offline ranking evaluation: metrics, and a smoke run on the shared articles."""

from __future__ import annotations

import math

import numpy as np

from curator.evaluation.ranking import (
    BASELINES,
    ORACLE_NOISY,
    ORACLES,
    intent_aware_ndcg,
    intra_list_diversity,
    ndcg_at,
    recall_at,
    run_evaluation,
)
from tests.conftest import shared_dir


def test_metrics() -> None:
    rel = np.array([2, 0, 1, 0])
    assert ndcg_at([0, 2, 1, 3], rel, 10) == 1.0
    assert 0 < ndcg_at([1, 3, 2, 0], rel, 10) < 1
    assert math.isnan(ndcg_at([0], np.zeros(3, dtype=np.int64), 10))
    assert recall_at([0, 1], rel, 2) == 0.5
    v = np.eye(3, dtype=np.float32)
    assert intra_list_diversity([0, 1, 2], v) == 1.0 and intra_list_diversity([0, 0], v) == 0.0


def test_intent_aware_ndcg_averages_over_the_members_interests() -> None:
    rel = np.array([1, 1, 1, 0])
    primary = np.array([0, 0, 1, 1])
    # a list of interest 0 only: perfect for interest 0, nothing for interest 1
    assert intent_aware_ndcg([0, 1], rel, primary, [0, 1], 2) == 0.5
    assert intent_aware_ndcg([0, 2], rel, primary, [0, 1], 2) > 0.5
    assert intent_aware_ndcg([0, 1], rel, primary, [0], 2) == 1.0
    assert math.isnan(intent_aware_ndcg([0, 1], rel, primary, [2], 2))  # no relevant item of that interest


def test_smoke_run_on_shared_articles_with_the_fake_encoder() -> None:
    data = shared_dir("eval")
    report = run_evaluation(data, encoder="fake", n_members=40, n_cold=20, n_revealed=20, seed=1)
    assert report["setup"]["articles"] == 440 and report["setup"]["revealed_members"] == 20
    names = set(report["warm"])
    assert {"curator", "most recent", "most popular", "area match only", "random"} <= names
    for group in ("warm", "cold", "revealed"):
        for m in report[group].values():
            assert 0 <= m["ndcg@10"] <= 1 and 0 <= m["ia-ndcg@10"] <= 1 and 0 <= m["coverage"] <= 1
    for m in report["revealed"].values():
        assert 0 <= m["share_b@10"] <= 1
    # the ceiling: members ranked by their hidden utility, reported apart from methods and baselines
    oracle = report["oracle"]
    for name in ORACLES:
        assert oracle[name]["ndcg@10"] == report["warm"][name]["ndcg@10"]
        assert oracle[name]["ndcg@10"] > max(report["warm"][b]["ndcg@10"] for b in BASELINES)
    assert oracle[ORACLE_NOISY]["ndcg@10"] > report["warm"]["curator"]["ndcg@10"]
    assert set(oracle["parts_ndcg@10"]) == {"areas", "tagged areas", "areas+language", "areas+topics", "topics"}
    assert all(0 <= v <= 1 for v in oracle["parts_ndcg@10"].values())
    clicks = report["email_clicks"]
    assert clicks["clicks"] > 0 and clicks["ndcg@10_gain"] == clicks["ndcg@10_with"] - clicks["ndcg@10_without"]


def test_items_are_tagged_by_the_products_tagger_as_configured() -> None:
    """The evaluation tags articles as the product would with the setting ``second_encoder``: an
    ensemble when one is configured (here a second test encoder), the encoder alone with ``none``
    (and with ``auto`` for an encoder other than e5); the article vectors the ranking uses stay the
    primary encoder's either way."""
    from curator.evaluation.ranking import encode_everything, load_articles
    from curator.profiles.personas import load_personas
    from tests.conftest import REPO

    data = shared_dir("eval")
    articles = load_articles(data, np.random.default_rng(1))[:60]
    personas = load_personas(REPO / "models" / "personas.yaml")
    alone, _ = encode_everything(articles, personas, "fake", [], False, second_encoder="none")
    auto, _ = encode_everything(articles, personas, "fake", [], False, second_encoder="auto")
    pair, _ = encode_everything(articles, personas, "fake", [], False, second_encoder="fake:64")
    assert "ensemble" in pair.area_source and "alone" in alone.area_source and "alone" in auto.area_source
    assert np.array_equal(pair.vectors, alone.vectors) and np.array_equal(auto.areas, alone.areas)
    assert pair.areas.shape == alone.areas.shape and not np.array_equal(pair.areas, alone.areas)  # both encoders tag
