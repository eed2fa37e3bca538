"""Cross-source duplicate groups."""

from __future__ import annotations

import numpy as np
import pytest

from curator.tagging import find_duplicates


def _unit(*rows: list[float]) -> np.ndarray:
    x = np.array(rows, dtype=np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_groups_same_story_across_sources_only() -> None:
    vecs = _unit([1, 0, 0], [0.99, 0.1, 0], [0.98, 0.15, 0.0], [0, 1, 0], [0, 0.99, 0.1], [0, 0, 1])
    ids = ["a", "b", "c", "d", "e", "f"]
    sources = ["feed1", "feed2", "feed3", "feed1", "feed1", "feed2"]
    groups = find_duplicates(vecs, ids, sources, threshold=0.95)
    # a, b, c: one story from three feeds; d, e: similar but the same feed -> not a duplicate.
    assert groups == [("a", "b", "c")]


def test_chain_links_through_a_middle_item() -> None:
    vecs = _unit([1, 0], [0.95, 0.31], [0.81, 0.59])  # a~b and b~c pass, a~c does not
    assert find_duplicates(vecs, ["a", "b", "c"], ["x", "y", "z"], threshold=0.94) == [("a", "b", "c")]


def test_threshold_and_edge_cases() -> None:
    vecs = _unit([1, 0], [0.9, 0.44])
    assert find_duplicates(vecs, ["a", "b"], ["x", "y"], threshold=0.95) == []
    assert find_duplicates(vecs, ["a", "b"], ["x", "y"], threshold=0.85) == [("a", "b")]
    assert find_duplicates(vecs[:1], ["a"], ["x"]) == []
    with pytest.raises(ValueError):
        find_duplicates(vecs, ["a"], ["x", "y"])
