"""Explanations: language, reasons, pins."""

from __future__ import annotations

from typing import Any

from curator.ranking.explain import LikedItem, explain
from curator.tagging import load_areas

NAMES = {a.id: dict(a.names) for a in load_areas().areas}  # as models/subject_areas.yaml names them


def test_english_and_german_with_area_and_rated_item() -> None:
    comps = {"area": 1.2, "profile": 0.9, "persona": 0.1, "freshness": 0.0, "quality": 0.0, "popularity": 0.0}
    kw: dict[str, Any] = dict(item_areas={"work": 1.0}, followed=["work"], affinity={"work": 1.0}, persona_name=None,
              liked=LikedItem("Hybrid work after the pilots", True, 0.6), has_interests=True, area_names=NAMES)
    assert explain("en", comps, **kw) == ("Because you follow Working environment 4.0 and you rated "
                                          "'Hybrid work after the pilots' highly")
    assert explain("de", comps, **kw) == ("Weil Sie Arbeitswelt 4.0 folgen und Sie 'Hybrid work after the pilots' "
                                          "gut bewertet haben")


def test_pinned_and_fallback() -> None:
    assert explain("de", {}, item_areas={}, followed=[], affinity={}, persona_name=None, liked=None,
                   has_interests=False, pinned=True, area_names=NAMES) == "Von der Redaktion empfohlen"
    assert explain("fr", {"profile": -1.0}, item_areas={}, followed=[], affinity={}, persona_name=None, liked=None,
                   has_interests=False, area_names=NAMES).startswith("Because it is among")


def test_persona_reason() -> None:
    text = explain("en", {"persona": 2.0, "profile": 0.1}, item_areas={}, followed=[], affinity={},
                   persona_name="HR lead", liked=None, has_interests=False, area_names=NAMES)
    assert text == "Because it suits the profile 'HR lead'"


def test_an_interest_shown_by_feedback_is_named_first() -> None:
    comps = {"area": 0.2, "profile": 1.5, "persona": 0.0, "freshness": 0.0, "quality": 0.0, "popularity": 0.0}
    kw: dict[str, Any] = dict(item_areas={"society": 1.0, "work": 0.75}, followed=["technology"],
                              affinity={"technology": 0.7, "society": 1.3, "work": 0.6}, persona_name=None,
                              liked=LikedItem("Schools go digital", True, 0.7), has_interests=False, area_names=NAMES)
    assert explain("en", comps, **kw) == ("Because you read about Society 4.0 and you rated "
                                          "'Schools go digital' highly")
    assert explain("de", comps, **kw).startswith("Weil Sie über Gesellschaft 4.0 gelesen haben")
    # a secondary area keeps the weaker wording and its own weight
    secondary = {**kw, "item_areas": {"company": 1.0, "work": 0.75}}
    assert explain("en", comps, **secondary) == "Because you rated 'Schools go digital' highly"
    # a persona's prior (0.5 at most) is no interest the member showed
    persona_only = {**kw, "affinity": {"society": 0.5}, "liked": None}
    assert "read about" not in explain("en", comps, **persona_only)
