"""Fixtures for the tagging tests: a toy area model whose areas use disjoint words, so the
hashed bag-of-words FakeEncoder separates them clearly."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from curator.embeddings import FakeEncoder, MemoryEmbeddingCache
from curator.tagging import AreaModel, Tagger, load_areas

WORDS = {
    "technology": ["software", "cloud", "chip", "robot", "server", "laptop", "browser", "algorithm"],
    "company": ["profit", "shares", "merger", "revenue", "investor", "acquisition", "dividend", "stock"],
    "work": ["union", "strike", "wages", "layoffs", "recruiting", "apprentice", "overtime", "hiring"],
    "society": ["school", "pupils", "hospital", "refugees", "family", "teachers", "religion", "patients"],
    "government": ["parliament", "minister", "law", "court", "election", "senate", "regulator", "treaty"],
    "off_topic": ["football", "goal", "striker", "concert", "actor", "earthquake", "burglar", "tennis"],
}


def toy_area_data() -> dict:
    """A valid area-model mapping; each example combines three of the area's words."""

    def examples(words: list[str]) -> list[str]:
        return [" ".join(words[i : i + 3] if i + 3 <= len(words) else words[i:] + words[: i + 3 - len(words)])
                for i in range(len(words))]

    areas = []
    for area_id, words in WORDS.items():
        if area_id == "off_topic":
            continue
        areas.append({
            "id": area_id,
            "names": {"de": f"{area_id} de", "en": f"{area_id} en"},
            "description": {"de": f"about {area_id}", "en": f"about {area_id}"},
            "examples": {"de": examples(words), "en": examples(words[::-1])},
        })
    off = WORDS["off_topic"]
    return {"version": 1, "areas": areas, "off_topic": {"examples": {"de": examples(off), "en": examples(off[::-1])}}}


@pytest.fixture
def toy_areas_file(tmp_path: Path) -> Path:
    path = tmp_path / "subject_areas.yaml"
    path.write_text(yaml.safe_dump(toy_area_data(), allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def toy_areas(toy_areas_file: Path) -> AreaModel:
    return load_areas(toy_areas_file)


@pytest.fixture
def fake_encoder() -> FakeEncoder:
    return FakeEncoder(dim=256)


@pytest.fixture
def toy_tagger(toy_areas: AreaModel, fake_encoder: FakeEncoder) -> Tagger:
    return Tagger(toy_areas, fake_encoder, cache=MemoryEmbeddingCache())
