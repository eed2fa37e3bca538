"""From a :class:`Ranking` to what a member is shown: :class:`curator.types.ScoredItem` with the
named component scores and a "why you see this" sentence (:func:`curator.ranking.explain.explain`).

The access rule is applied again here (defence in depth: stage 1 already filtered), and an
explanation may quote only a liked item the member may see NOW.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import NDArray

from curator.profiles.access import can_see
from curator.profiles.personas import persona_name
from curator.types import AREA_IDS, Item, Member, Persona, ScoredItem

from .batch import LikedEvent
from .explain import LikedItem, explain
from .stages import COMPONENTS, CandidatePool, Ranking, item_area_vector


def centred_vector(v: NDArray[np.floating], mean: NDArray[np.float32]) -> NDArray[np.float32]:
    """One vector minus ``mean``, re-normalised (left as it is when that leaves nothing): the
    same centring the pool's vectors had, so cosines with them are comparable."""
    x = np.asarray(v, dtype=np.float32) - mean
    n = float(np.linalg.norm(x))
    return x / n if n else x


def most_similar_liked(likes: Sequence[LikedEvent], liked_items: Mapping[int, Item],
                       liked_vectors: Mapping[int, NDArray[np.float32]], item_vector: NDArray[np.float32],
                       mean: NDArray[np.float32]) -> LikedItem | None:
    """The liked item closest to a candidate (``item_vector`` is its centred pool vector), for
    "because you rated 'X' highly"; None without likes. The first of equally close ones wins."""
    if not likes:
        return None
    sims = [float(np.dot(centred_vector(liked_vectors[x.item_id], mean), item_vector)) for x in likes]
    best = int(np.argmax(sims))
    return LikedItem(liked_items[likes[best].item_id].title, likes[best].rated, sims[best])


def scored_items(ranking: Ranking, members: Sequence[Member], affinity: NDArray[np.float32],
                 pool: CandidatePool, items: Mapping[int, Item], personas: Mapping[str, Persona],
                 liked: Mapping[int, Sequence[LikedEvent]], liked_items: Mapping[int, Item],
                 liked_vectors: Mapping[int, NDArray[np.float32]],
                 area_names: Mapping[str, Mapping[str, str]],
                 boosted: Sequence[Mapping[int, str]] | None = None) -> dict[int, list[ScoredItem]]:
    """Ranked feeds by member id. Row j of ``ranking`` and of ``affinity`` (area affinities in
    ``AREA_IDS`` order) belong to ``members[j]``; ``items`` holds every pool item by id. ``liked``
    gives each member's liked items (strongest first); ``liked_items``/``liked_vectors`` their
    items and document vectors by id (a liked item missing there is not quoted). Items the member
    may not see are dropped; the explanation is in the member's language (English unless "de").
    ``boosted[j]`` maps the items an editor rule boosts for ``members[j]`` to the rule's note."""
    out: dict[int, list[ScoredItem]] = {}
    for j, member in enumerate(members):
        lang = member.language if member.language in ("de", "en") else "en"
        likes = [x for x in liked.get(member.id, ())
                 if x.item_id in liked_items and can_see(member, liked_items[x.item_id].visibility)]
        member_affinity = {a: float(affinity[j, k]) for k, a in enumerate(AREA_IDS)}
        persona = persona_name(personas.get(member.persona or ""), lang) or None
        ranked: list[ScoredItem] = []
        for slot, item_id in enumerate(ranking.items[j].tolist()):
            if item_id < 0:
                break
            item = items[item_id]
            if not can_see(member, item.visibility):
                continue
            comps = {c: float(ranking.components[j, slot, n]) for n, c in enumerate(COMPONENTS)}
            best = most_similar_liked(likes, liked_items, liked_vectors, pool.vectors[pool.index_of[item_id]],
                                      pool.mean)
            text = explain(lang, comps, item_areas=dict(zip(AREA_IDS, item_area_vector(item).tolist(), strict=True)),
                           followed=member.declared_areas, affinity=member_affinity, persona_name=persona,
                           liked=best, has_interests=bool(member.interests.strip()),
                           pinned=bool(ranking.pinned[j, slot]), floor=bool(ranking.floor[j, slot]), area_names=area_names,
                           boosted=None if boosted is None else boosted[j].get(item_id))
            ranked.append(ScoredItem(item, float(ranking.scores[j, slot]), comps, text, bool(ranking.pinned[j, slot])))
        out[member.id] = ranked
    return out
