"""Persona suggestions from behaviour: cluster member profiles (scikit-learn k-means) and propose,
for each cluster, a refinement of the persona most of its members have, or a new persona when
no existing persona fits. Suggestions are data for an editor; nothing here changes a persona.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from curator.i18n import area_display_name
from curator.types import AREA_IDS, Persona

MIN_MEMBERS = 6
"""Fewer profiles with behaviour than this give no suggestions: clusters of two say nothing."""


def suggest_personas(profiles: NDArray[np.float32], member_personas: Sequence[str | None],
                     affinity: NDArray[np.float32], personas: dict[str, Persona],
                     persona_vectors: NDArray[np.float32], item_vectors: NDArray[np.float32],
                     item_titles: Sequence[str], *, area_names: Mapping[str, Mapping[str, str]],
                     max_clusters: int = 8, fit_threshold: float = 0.35,
                     seed: int = 0) -> list[dict[str, Any]]:
    """Suggestions as mappings ``{kind, persona, name, size, definition}``.

    ``profiles`` are centred, normalised profile vectors of members with behaviour; rows of
    ``persona_vectors`` follow ``personas`` order and are centred the same way; ``item_vectors``
    (centred) and ``item_titles`` give example titles near each cluster centre. The number of
    clusters is chosen by silhouette score. A cluster "fits" a persona when its centre's cosine
    with the persona vector is at least ``fit_threshold`` and that persona is the most common
    among its members: then it is a refinement, otherwise a new persona."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    n = profiles.shape[0]
    if n < MIN_MEMBERS:
        return []
    best: tuple[float, Any] | None = None
    distinct = len(np.unique(np.round(profiles, 5), axis=0))  # members with identical behaviour
    for k in range(2, min(max_clusters, n // 3, distinct) + 1):
        km = KMeans(n_clusters=k, n_init=5, random_state=seed).fit(profiles)
        if len(set(km.labels_)) < 2:
            continue
        s = float(silhouette_score(profiles, km.labels_, metric="cosine"))
        if best is None or s > best[0]:
            best = (s, km)
    if best is None:
        return []
    km = best[1]
    ids = list(personas)
    out: list[dict[str, Any]] = []
    for c in range(km.n_clusters):
        members = np.flatnonzero(km.labels_ == c)
        if members.size < 3:
            continue
        centre = km.cluster_centers_[c]
        centre = centre / (np.linalg.norm(centre) or 1.0)
        aff = affinity[members].mean(axis=0)
        top_areas = [AREA_IDS[i] for i in np.argsort(-aff)[:2] if aff[i] > 0]
        titles = [item_titles[i] for i in np.argsort(-(item_vectors @ centre))[:5]] if len(item_titles) else []
        common = Counter(p for p in (member_personas[int(i)] for i in members) if p).most_common(1)
        fit_id, fit_sim = None, -1.0
        if persona_vectors.shape[0]:
            sims = persona_vectors @ centre
            fit_id, fit_sim = ids[int(np.argmax(sims))], float(np.max(sims))
        if fit_id is not None and fit_sim >= fit_threshold and common and common[0][0] == fit_id:
            base = personas[fit_id]
            definition: dict[str, Any] = {
                "id": base.id, "names": dict(base.names), "description": dict(base.description),
                "goals": {k: list(v) for k, v in base.goals.items()},
                "preferred_areas": top_areas or list(base.preferred_areas),
                "example_interests": {lang: list(base.example_interests.get(lang, ()))[:4] + titles[:3]
                                      for lang in ("de", "en")},
                "example_titles": titles,
            }
            out.append({"kind": "refine", "persona": fit_id, "name": base.names.get("en", fit_id),
                        "size": int(members.size), "definition": definition})
        else:
            en = " and ".join(area_display_name(area_names, a, "en") for a in top_areas) or "mixed topics"
            de = " und ".join(area_display_name(area_names, a, "de") for a in top_areas) or "gemischte Themen"
            definition = {
                "id": f"suggested-{c + 1}",
                "names": {"en": f"Readers of {en}", "de": f"Leserinnen und Leser: {de}"},
                "description": {"en": f"Members who mostly read about {en}, for example: " + "; ".join(titles[:3]),
                                "de": f"Mitglieder, die vor allem zu {de} lesen, zum Beispiel: " + "; ".join(titles[:3])},
                "goals": {}, "preferred_areas": top_areas,
                "example_interests": {"de": titles[:3], "en": titles[:3]},
                "example_titles": titles,
            }
            out.append({"kind": "new", "persona": None, "name": definition["names"]["en"],
                        "size": int(members.size), "definition": definition})
    return out
