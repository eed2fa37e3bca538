"""Story groups from text similarity and same-link identity, and which copy is shown."""

from __future__ import annotations

import numpy as np
import pytest

from curator.tagging import group_stories, show_order
from tests.tagging.items import item

DAY = 86400.0


def _unit(*rows: list[float]) -> np.ndarray:
    x = np.array(rows, dtype=np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_similar_text_from_other_sources_is_one_story() -> None:
    vecs = _unit([1, 0, 0], [0.99, 0.1, 0], [0, 1, 0], [0, 0.99, 0.1])
    groups = group_stories(vecs, [10, 11, 12, 13], ["a", "b", "a", "a"], [0.0] * 4, [None] * 4, 0.95)
    # 12 and 13 read alike but come from one feed: follow-ups, not copies
    assert groups == [[10, 11]]


def test_same_link_in_two_sources_is_one_story_whatever_the_text() -> None:
    vecs = _unit([1, 0], [0, 1])
    assert group_stories(vecs, [1, 2], ["a", "b"], [0.0, 0.0], ["example.com/x", "example.com/x"], 0.95) == [[1, 2]]
    # the same feed listing one link twice is not a duplicate to hide
    assert group_stories(vecs, [1, 2], ["a", "a"], [0.0, 0.0], ["example.com/x", "example.com/x"], 0.95) == []


def test_a_link_joins_the_first_item_that_carried_it_when_the_source_differs() -> None:
    vecs = _unit([1, 0, 0], [0, 1, 0], [0, 0, 1])
    link = "example.com/x"
    groups = group_stories(vecs, ["p", "q", "r"], ["a", "a", "b"], [0.0] * 3, [link] * 3, 0.95)
    assert groups == [["p", "r"]]


def test_text_and_link_links_chain_into_one_group() -> None:
    vecs = _unit([1, 0, 0], [0.99, 0.1, 0], [0, 0, 1], [0, 1, 0])
    groups = group_stories(vecs, [1, 2, 3, 4], ["a", "b", "c", "d"], [0.0] * 4,
                           [None, "example.com/y", "example.com/y", None], 0.95)
    assert groups == [[1, 2, 3]]


def test_stories_far_apart_in_time_are_linked_only_by_their_link() -> None:
    vecs = _unit([1, 0], [1, 0])
    assert group_stories(vecs, [1, 2], ["a", "b"], [0.0, 30 * DAY], [None, None], 0.95) == []
    assert group_stories(vecs, [1, 2], ["a", "b"], [0.0, 30 * DAY], ["e.com/z", "e.com/z"], 0.95) == [[1, 2]]


def test_groups_keep_input_order_and_are_ordered_by_their_first_member() -> None:
    vecs = _unit([0, 1], [1, 0], [0.99, 0.1], [0, 0.99])
    groups = group_stories(vecs, [7, 5, 9, 3], ["a", "b", "c", "d"], [0.0] * 4, [None] * 4, 0.95)
    assert groups == [[7, 3], [5, 9]]


def test_edge_cases() -> None:
    vecs = _unit([1, 0])
    assert group_stories(vecs, [1], ["a"], [0.0], [None], 0.9) == []
    with pytest.raises(ValueError):
        group_stories(_unit([1, 0], [1, 0]), [1, 2], ["a", "b"], [0.0], [None, None], 0.9)


def test_the_most_widely_visible_copy_is_shown_then_the_first_seen() -> None:
    club = item(1, visibility="club:ai", seen_hours=0)
    members = item(2, visibility="members", seen_hours=1)
    public_late = item(4, visibility="public", seen_hours=5)
    public_early = item(5, visibility="public", seen_hours=2)
    public_same_time = item(3, visibility="public", seen_hours=2)
    ordered = show_order([club, members, public_late, public_early, public_same_time])
    assert [i.id for i in ordered] == [3, 5, 4, 2, 1]
