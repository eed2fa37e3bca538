"""Persona suggestions from behaviour: proposed for an editor, applied only when accepted."""

from __future__ import annotations

import numpy as np
import pytest

from curator.core import Curator
from curator.errors import WorkflowError
from curator.profiles.personas import load_personas
from curator.profiles.suggest import suggest_personas
from curator.tagging import load_areas
from curator.types import AREA_IDS

from .conftest import REPO_MODELS

AREA_NAMES_FROM_MODEL = {a.id: dict(a.names) for a in load_areas().areas}


def test_clusters_become_refinements_or_new_personas() -> None:
    rng = np.random.default_rng(0)
    personas = load_personas(REPO_MODELS / "personas.yaml")
    d = 16
    centres = rng.normal(size=(2, d))
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    pv = np.zeros((len(personas), d), dtype=np.float32)
    pv[0] = centres[0]  # the first persona fits cluster 0; nothing fits cluster 1
    profiles = np.vstack([c + 0.1 * rng.normal(size=(10, d)) for c in centres]).astype(np.float32)
    profiles /= np.linalg.norm(profiles, axis=1, keepdims=True)
    first = next(iter(personas))
    member_personas = [first] * 10 + [None] * 10
    aff = np.zeros((20, len(AREA_IDS)), dtype=np.float32)
    aff[10:, AREA_IDS.index("society")] = 1.0
    out = suggest_personas(profiles, member_personas, aff, personas, pv, profiles, [f"t{i}" for i in range(20)],
                           area_names=AREA_NAMES_FROM_MODEL)
    kinds = sorted((s["kind"], s["persona"]) for s in out)
    assert kinds == [("new", None), ("refine", first)]
    new = next(s for s in out if s["kind"] == "new")
    assert new["definition"]["preferred_areas"][0] == "society" and new["size"] == 10


def test_suggest_and_accept_through_the_facade(cluster: Curator) -> None:
    cur = cluster
    by_area = {a: [i for i in cur.items.list() if a in i.areas and i.visibility == "public"] for a in AREA_IDS}
    rows = ["email,name,organisation,language,clubs,areas,interests,persona,tracking_consent"]
    rows += [f"s{n}@x.example,S{n},X,en,,,,{'cio' if n < 6 else ''},true" for n in range(12)]
    cur.members.import_file("\n".join(rows), fmt="csv")
    for n in range(12):
        area = "technology" if n < 6 else "society"
        for item in by_area[area][:3]:
            cur.feedback.record(f"s{n}@x.example", item.id, "rating", value=5)
    cur.feedback.refresh_profiles()
    before = set(cur.personas.all())
    suggestions = cur.personas.suggest()
    assert suggestions and all(s.status == "open" for s in suggestions)
    assert set(cur.personas.all()) == before  # nothing changes without an editor
    chosen = suggestions[0]
    persona = cur.personas.accept(chosen.id, editor="ed", persona_id="readers-x")
    assert persona.id == "readers-x" and "readers-x" in cur.personas.all()
    with pytest.raises(WorkflowError, match="accepted"):
        cur.personas.accept(chosen.id, editor="ed")
    assert len(suggestions) > 1  # two groups of readers: technology and society
    other = suggestions[1]  # the editor rejects it: recorded, never applied, not offered again
    cur.personas.reject(other.id, editor="ed")
    assert other.id not in {s.id for s in cur.personas.suggestions("open")}
    assert {s.id for s in cur.personas.suggestions("rejected")} == {other.id}
    with pytest.raises(WorkflowError, match="rejected"):
        cur.personas.reject(other.id, editor="ed")
