"""The offline ranking evaluation: metrics, and a smoke run on the shared articles."""

from __future__ import annotations

import math

import numpy as np

from curator.evaluation.ranking import intra_list_diversity, ndcg_at, recall_at, run_evaluation
from tests.conftest import shared_dir


def test_metrics() -> None:
    rel = np.array([2, 0, 1, 0])
    assert ndcg_at([0, 2, 1, 3], rel, 10) == 1.0
    assert 0 < ndcg_at([1, 3, 2, 0], rel, 10) < 1
    assert math.isnan(ndcg_at([0], np.zeros(3, dtype=np.int64), 10))
    assert recall_at([0, 1], rel, 2) == 0.5
    v = np.eye(3, dtype=np.float32)
    assert intra_list_diversity([0, 1, 2], v) == 1.0 and intra_list_diversity([0, 0], v) == 0.0


def test_smoke_run_on_shared_articles_with_the_fake_encoder() -> None:
    data = shared_dir("eval")
    report = run_evaluation(data, encoder="fake", n_members=40, n_cold=20, seed=1)
    assert report["setup"]["articles"] == 440
    names = set(report["warm"])
    assert {"curator", "most recent", "most popular", "area match only", "random"} <= names
    for group in ("warm", "cold"):
        for m in report[group].values():
            assert 0 <= m["ndcg@10"] <= 1 and 0 <= m["coverage"] <= 1
