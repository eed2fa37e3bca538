"""Duplicates are linked only when published close together."""

from __future__ import annotations

import numpy as np

from curator.tagging import find_duplicates

DAY = 86400.0


def test_similar_items_weeks_apart_are_not_the_same_story() -> None:
    v = np.array([[1.0, 0.0], [0.999, 0.0447], [0.998, 0.0632]], dtype=np.float32)
    v /= np.linalg.norm(v, axis=1, keepdims=True)
    ids, sources = ["a", "b", "c"], ["s1", "s2", "s3"]
    assert find_duplicates(v, ids, sources, 0.9) == [("a", "b", "c")]
    groups = find_duplicates(v, ids, sources, 0.9, published=[0.0, 1 * DAY, 20 * DAY], max_days=3)
    assert groups == [("a", "b")]
    assert find_duplicates(v, ids, sources, 0.9, published=[0.0, 1 * DAY, 20 * DAY], max_days=None) == [
        ("a", "b", "c")]
