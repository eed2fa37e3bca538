"""One story, one set of areas: copies of a story (also a German report and its English
version) are tagged alike.

The copies of a story are the items :func:`curator.tagging.group_stories` grouped and the
store marked with ``duplicate_of``. Tagged one by one, two copies of one story can land in
different areas (a short wire version reads differently from the full report); the tagger
instead decides once, on the mean of the copies' probabilities, and every copy gets that
decision.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from curator.tagging.tagger import Tagger, TagResult, tag_input
from curator.types import Item

__all__ = ["duplicate_groups", "harmonise_story_tags", "story_tags"]


def duplicate_groups(items: Sequence[Item]) -> list[list[Item]]:
    """The stories among ``items`` that have copies, from the items' ``duplicate_of`` marks:
    each group is the shown copy followed by its duplicates in input order; groups in the order
    of their first duplicate. A duplicate whose shown copy is not among ``items`` is left out.
    """
    by_id = {i.id: i for i in items}
    groups: dict[int, list[Item]] = {}
    for i in items:
        if i.duplicate_of is not None and i.duplicate_of in by_id:
            groups.setdefault(i.duplicate_of, [by_id[i.duplicate_of]]).append(i)
    return list(groups.values())


def story_tags(tagger: Tagger, stories: Sequence[Sequence[Item]]) -> list[TagResult]:
    """One decision per story (aligned with ``stories``): ``tagger.decide`` on the mean of the
    copies' probabilities (with the tagger's corrections head, if any; for an ensemble also the
    mean of its primary encoder's own probabilities, which give the secondary areas). A story with no copies
    is not allowed (ValueError); an empty ``stories`` gives an empty list."""
    if any(not story for story in stories):
        raise ValueError("story_tags: every story needs at least one copy")
    if not stories:
        return []
    # one embedding call for all copies: the cache is asked once, not once per story
    copies = [i for story in stories for i in story]
    vectors = tagger.embed([tag_input(i) for i in copies])
    probabilities = tagger.probabilities(vectors, [i.lang for i in copies])
    bounds = np.cumsum([0, *(len(story) for story in stories)])
    spans = list(zip(bounds[:-1], bounds[1:], strict=True))
    means = np.stack([probabilities[a:b].mean(axis=0) for a, b in spans])
    own = tagger.primary_probabilities(vectors, [i.lang for i in copies])  # an ensemble's first encoder (or None)
    own_means = None if own is None else np.stack([own[a:b].mean(axis=0) for a, b in spans])
    return tagger.decide(means, own_means)


def harmonise_story_tags(tagger: Tagger, items: Sequence[Item]) -> list[tuple[Item, TagResult]]:
    """The copies among ``items`` whose areas differ from their story's decision
    (:func:`story_tags` over :func:`duplicate_groups`), each with the decision to store.
    Copies that already carry the decided areas are not returned; an editor's correction
    is the store's business (it keeps the editor's areas)."""
    stories = duplicate_groups(items)
    return [(i, result) for story, result in zip(stories, story_tags(tagger, stories), strict=True)
            for i in story if i.areas != result.areas]
