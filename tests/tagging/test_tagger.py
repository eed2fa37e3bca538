"""The tagger with the fake encoder and the toy area model (see conftest)."""

from __future__ import annotations

import dataclasses

import numpy as np

from curator.embeddings import FakeEncoder, MemoryEmbeddingCache
from curator.tagging import AreaModel, Tagger, TaggerSettings, TagInput
from curator.types import AREA_IDS


def doc(i: str, title: str, text: str = "") -> TagInput:
    return TagInput(id=i, title=title, text=text)


def test_single_area_items_get_their_area(toy_tagger: Tagger) -> None:
    results = toy_tagger.tag([
        doc("t", "New chip and cloud server", "The software runs on a laptop browser."),
        doc("c", "Merger lifts shares", "Revenue and profit beat investor hopes; dividend raised."),
        doc("g", "Parliament passes law", "The minister and the court; the regulator welcomed it."),
    ])
    assert [r.areas[0] for r in results] == ["technology", "company", "government"]
    for r in results:
        assert set(r.scores) == set(AREA_IDS)
        assert all(0.0 <= v <= 1.0 for v in r.scores.values())
        assert r.scores[r.areas[0]] == max(r.scores.values())


def test_off_topic_items_get_no_area(toy_tagger: Tagger) -> None:
    [result] = toy_tagger.tag([doc("s", "Striker scores goal", "Football: the tennis actor watched the concert.")])
    assert result.areas == ()
    assert result.primary is None


def test_multi_label_best_first(toy_areas: AreaModel) -> None:
    # A fixed, softer temperature: the toy examples are so separable that the fitted one
    # is at its floor, and this test is about the multi-label rule, not the calibration.
    tagger = Tagger(toy_areas, FakeEncoder(dim=256), settings=TaggerSettings(temperature=0.1))
    [result] = tagger.tag([doc("m", "Union strike over merger profit", "Wages and shares")])
    assert set(result.areas) == {"work", "company"}
    assert result.scores[result.areas[0]] >= result.scores[result.areas[1]]


def test_per_area_threshold_removes_a_tag(toy_areas: AreaModel) -> None:
    item = doc("m", "Union strike over merger profit", "Wages and shares")
    base = Tagger(toy_areas, FakeEncoder(dim=256), settings=TaggerSettings(temperature=0.1))
    [plain] = base.tag([item])
    strict_company = dataclasses.replace(base.settings, thresholds={"company": 0.99})
    [strict] = Tagger(toy_areas, FakeEncoder(dim=256), settings=strict_company).tag([item])
    assert "company" in plain.areas and "company" not in strict.areas
    assert strict.areas[0] == plain.areas[0]
    assert strict.scores == plain.scores  # thresholds decide tags, not scores
    # A minimum for the best area leaves an uncertain item without a tag rather than forcing one.
    strict_best = dataclasses.replace(base.settings, min_primary=0.99)
    [none] = Tagger(toy_areas, FakeEncoder(dim=256), settings=strict_best).tag([item])
    assert none.areas == ()


def test_calibration_comes_from_the_examples(toy_tagger: Tagger) -> None:
    cal = toy_tagger.calibration()
    assert cal.temperature > 0
    assert set(cal.thresholds) == set(toy_tagger.areas.ids)
    assert all(0.0 <= v <= 1.0 for v in cal.thresholds.values())


def test_retagging_uses_the_cache(toy_areas: AreaModel) -> None:
    enc = FakeEncoder(dim=256)
    cache = MemoryEmbeddingCache()
    docs = [doc("a", "Chip server", "cloud software"), doc("b", "Court law", "minister")]
    first = Tagger(toy_areas, enc, cache=cache).tag(docs)
    enc.calls = 0
    again = Tagger(toy_areas, enc, cache=cache).tag([*docs, doc("c", "School pupils", "teachers")])
    assert enc.calls == 2  # title and body of the new item only; examples and old items cached
    assert again[:2] == first


def test_version_changes_with_area_model_and_encoder(toy_areas: AreaModel) -> None:
    a = Tagger(toy_areas, FakeEncoder(dim=256))
    other_areas = dataclasses.replace(toy_areas, version="something-else")
    assert Tagger(other_areas, FakeEncoder(dim=256)).version != a.version
    assert Tagger(toy_areas, FakeEncoder(dim=128)).version != a.version
    assert Tagger(toy_areas, FakeEncoder(dim=256), settings=TaggerSettings(top_k=5)).version != a.version


def test_embed_handles_missing_title_or_text(toy_tagger: Tagger) -> None:
    vecs = toy_tagger.embed([doc("a", "", "cloud software"), doc("b", "Court law", "")])
    assert vecs.shape == (2, 256)
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)
    assert toy_tagger.tag([]) == []
