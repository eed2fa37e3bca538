"""Profiles: exact incremental folding with time decay, feedback semantics, personas file."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from curator.errors import ConfigError
from curator.profiles.feedback import counts_for, decay, event_weight
from curator.profiles.personas import load_personas, persona_text
from curator.profiles.profile import ProfileState, WeightedEvent, area_affinity, fold_events
from curator.types import AREA_IDS, LANGUAGES

T0 = datetime(2026, 11, 1, tzinfo=UTC)
REPO = Path(__file__).resolve().parents[2]


def events(n: int, seed: int = 0) -> list[WeightedEvent]:
    rng = np.random.default_rng(seed)
    return [WeightedEvent(i + 1, T0 + timedelta(hours=int(rng.integers(0, 24 * 40))), float(rng.uniform(-1, 1)),
                          rng.normal(size=8).astype(np.float32), rng.random(5).astype(np.float32),
                          ("de", "en", "fr", None)[i % 4])
            for i in range(n)]


def test_incremental_folding_equals_recomputing() -> None:
    evs = events(40)
    now = T0 + timedelta(days=45)
    full = fold_events(ProfileState.empty(8, T0), evs, now)
    part = fold_events(ProfileState.empty(8, T0), evs[:25], T0 + timedelta(days=20))
    part = fold_events(part, evs[25:], now)
    np.testing.assert_allclose(full.positive, part.positive, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(full.negative, part.negative, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(full.area_feedback, part.area_feedback, rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(full.language_feedback, part.language_feedback, rtol=1e-6)
    assert full.positive_weight == pytest.approx(part.positive_weight)
    assert part.events_through == 40 and part.as_of == full.as_of


def test_language_feedback_sums_positive_and_negative_weight_per_language() -> None:
    evs = events(40)
    now = T0 + timedelta(days=45)
    state = fold_events(ProfileState.empty(8, T0), evs, now)
    for k, lang in enumerate(LANGUAGES):
        mine = [(e.weight * decay((now - e.at).total_seconds())) for e in evs if e.lang == lang]
        assert state.language_feedback[k, 0] == pytest.approx(sum(w for w in mine if w > 0))
        assert state.language_feedback[k, 1] == pytest.approx(-sum(w for w in mine if w < 0))
    # French and unknown items count for the rest of the profile but for no language
    assert state.positive_weight > state.language_feedback[:, 0].sum()
    later = state.decayed_to(now + timedelta(days=30))
    np.testing.assert_allclose(later.language_feedback, state.language_feedback / 2)


def test_feedback_decays_with_the_clock() -> None:
    ev = WeightedEvent(1, T0, 1.0, np.ones(4, dtype=np.float32), np.zeros(5, dtype=np.float32))
    fresh = fold_events(ProfileState.empty(4, T0), [ev], T0)
    month = fresh.decayed_to(T0 + timedelta(days=30))
    assert fresh.positive_weight == pytest.approx(1.0)
    assert month.positive_weight == pytest.approx(0.5)
    assert fresh.decayed_to(T0 - timedelta(days=3)) is fresh  # the past never changes it
    assert decay(-10) == 1.0


def test_event_weights_and_consent() -> None:
    assert event_weight("rating", 5) == 1.0 and event_weight("rating", 1) == -1.0 and event_weight("rating", 3) == 0
    assert event_weight("hide") < 0 < event_weight("save")
    assert not counts_for("view", False) and not counts_for("click", False)
    assert counts_for("rating", False) and counts_for("view", True)


def test_area_affinity_combines_declared_persona_and_behaviour() -> None:
    aff = area_affinity(["work"], ["company", "work"], None)
    assert aff[AREA_IDS.index("work")] == 1.0 and aff[AREA_IDS.index("company")] == 0.5
    learned = area_affinity(["work"], [], np.array([0, 0, 0, 4.0, 0], dtype=np.float32), 4.0)
    assert learned[AREA_IDS.index("society")] > learned[AREA_IDS.index("work")] > 0  # behaviour beats a stale declaration
    assert area_affinity(["work"], [], np.zeros(5, dtype=np.float32), 0.0)[AREA_IDS.index("work")] == 1.0


def test_personas_file_is_valid_and_bilingual() -> None:
    personas = load_personas(REPO / "models" / "personas.yaml")
    assert {"cio", "hr-lead", "founder", "public-digital-lead", "researcher", "marketing-lead"} <= set(personas)
    for p in personas.values():
        assert p.names["de"] and p.names["en"] and p.preferred_areas
        assert p.description["de"] in persona_text(p) and p.description["en"] in persona_text(p)


def test_personas_file_errors_name_the_place(tmp_path: Path) -> None:
    bad = tmp_path / "personas.yaml"
    bad.write_text("personas:\n  - id: x\n    names: {de: X}\n    description: {de: a, en: b}\n")
    with pytest.raises(ConfigError, match=r"persona #1 \('x'\): 'names' needs non-empty texts for both de and en"):
        load_personas(bad)
